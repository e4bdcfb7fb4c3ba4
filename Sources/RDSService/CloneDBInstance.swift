import AlibabaRPC
import EmulatorStore
import ServiceKit

/// RDS `CloneDBInstance` (workflow reference §11): a new instance from one of the source's backup sets
/// (`BackupId`) or from a point in time covered by its backups (`RestoreTime`). It copies the source's engine,
/// version, storage, class, zone and network, and the databases of the set; it is `Creating`, then `Running`.
/// The source stays `Running`.
struct CloneDBInstance: RDSOperation {
    static let action = "CloneDBInstance"
    static let numericParameters: [NumericParameter] = [.integer("DBInstanceStorage"), .integer("BackupId"), .time("RestoreTime")]
    let configuration: RDSConfiguration
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        // 1. Mandatory parameters.
        _ = try call.required("DBInstanceId")
        let payType = try call.required("PayType")
        return try store.transaction { state in
            // 2. The source, of this account and not gone.
            let source = try state.instance(of: call, product: .rds, notFound: RDSError.cloneInstanceNotFound)
            // 3. Values.
            guard RDSInstances.payTypes.contains(payType) else { throw RDSError.invalidPayType }
            if let type = call.optional("BackupType"), !["FullBackup", "IncrementalBackup"].contains(type) {
                throw RDSError.invalidBackupType
            }
            var attributes = source.attributes
            if case .integer(let sourceStorage)? = attributes["DBInstanceStorage"], let asked = call.optional("DBInstanceStorage") {
                guard let gigabytes = Int64(asked), (5...64_000).contains(gigabytes) else { throw RDSError.invalidStorage }
                guard gigabytes >= sourceStorage else { throw RDSError.cloneStorageTooSmall }
                attributes["DBInstanceStorage"] = .integer(gigabytes)
            }
            if let instanceClass = call.optional("DBInstanceClass") {
                guard CreateDBInstance.isInstanceClass(instanceClass) else { throw RDSError.invalidInstanceClass }
                attributes["DBInstanceClass"] = .string(instanceClass)
            }
            if let zone = call.optional("ZoneId") {
                guard let known = Region.zone(zone, in: source.regionId) else { throw RDSError.invalidZone }
                attributes["ZoneId"] = .string(known)
            }
            if let description = call.optional("DBInstanceDescription") {
                try CreateDBInstance.checkDescription(description)
                attributes["DBInstanceDescription"] = .string(description)
            }
            for (parameter, attribute) in [("InstanceNetworkType", "InstanceNetworkType"), ("VPCId", "VpcId"), ("VSwitchId", "VSwitchId")] {
                if let value = call.optional(parameter) { attributes[attribute] = .string(value) }
            }
            // 4. A backup set or a point in time.
            let backupId = call.optional("BackupId")
            let restoreTime = call.optional("RestoreTime")
            guard backupId != nil || restoreTime != nil else { throw RDSError.missingBackupSetAndRestoreTime }
            // 5. The source is Running.
            guard source.status == "Running" else { throw RDSError.incorrectState }
            // 6. The set, or the latest set that a point in time replays from.
            let policy = try state.policySegments(instanceId: source.instanceId).last?.settings ?? [:]
            let set: BackupRecord
            if let backupId {
                set = try Self.backupSet(backupId, of: source, state, now: call.now)
            } else {
                let instant = try Self.restoreInstant(restoreTime ?? "")
                // A point in time replays the log backups since a set.
                let effective = RDSBackupPolicy.effective(policy, engine: source.engine, storageType: source.storageType)
                guard ["1", "True", "true"].contains(effective["EnableBackupLog"] ?? "") else { throw RDSError.backupLogDisabled }
                set = try Self.setCovering(instant, of: source, state, now: call.now)
            }

            let reply = try RDSInstances.idempotent(call, state) {
                let id = RDSInstances.newId(engine: source.engine, region: source.regionId)
                let (connectionString, port) = RDSInstances.endpoint(id: id, engine: source.engine)
                attributes["PayType"] = .string(payType)
                attributes["CreationTime"] = .string(UTCTime.iso8601(call.now))
                attributes["ConnectionString"] = .string(connectionString)
                attributes["Port"] = .string(port)
                attributes["MasterInstanceId"] = nil
                var clone = InstanceRecord(
                    instanceId: id, product: .rds, accountId: call.accountId, regionId: source.regionId,
                    engine: source.engine, engineVersion: source.engineVersion, status: "Running",
                    instanceType: "Primary", storageType: source.storageType, lockMode: "Unlock", kindCode: nil,
                    databases: set.restoredDatabases(otherwise: source.databases),
                    attributes: attributes)
                clone.transition = InstanceTransition(
                    status: "Creating", action: call.action, startedAt: call.now,
                    endsAt: call.now + configuration.instanceDurations.create)
                clone.backupPolicy = policy  // the source's backup settings (W§11.2)
                try state.put(clone, at: call.now)
                return ["DBInstanceId": .string(id), "OrderId": .string(Region.newOrderId())]
            }
            return replyFields(reply, ["DBInstanceId", "OrderId"])
        }
    }

    /// A usable set of the source: ended, successful, not deleted.
    static func backupSet(_ id: String, of source: InstanceRecord, _ state: StoreTransaction, now: Int64) throws
        -> BackupRecord
    {
        guard let sequence = BackupRecord.sequence(fromPublicId: id, offset: RDSIdentifiers.backupIdOffset),
            let backup = try state.backup(sequence: sequence, instanceId: source.instanceId),
            backup.deletedAt == nil, backup.finishesAt <= now, backup.isKept(at: now), backup.outcome.failStage == nil
        else { throw RDSError.backupSetNotFound }
        return backup
    }

    /// `yyyy-MM-ddTHH:mm:ssZ`.
    static func restoreInstant(_ text: String) throws -> Int64 {
        guard let instant = UTCTime.parseISO8601(text) else { throw RDSError.invalidRestoreTime }
        return instant
    }

    /// The latest usable set that had ended by `instant` (not in the future): a point in time is its data plus the
    /// logs since.
    static func setCovering(_ instant: Int64, of source: InstanceRecord, _ state: StoreTransaction, now: Int64) throws
        -> BackupRecord
    {
        guard instant <= now, let set = try state.latestUsableSet(instanceId: source.instanceId, endedBy: instant, keptAt: now) else {
            throw RDSError.noBackupForRestoreTime
        }
        return set
    }
}
