import AlibabaRPC
import EmulatorStore
import ServiceKit

/// MongoDB `CreateDBInstance` (workflow reference §14): a new replica set, or with `SrcDBInstanceId` a clone of
/// one from a backup set (`BackupId`) or a point in time (`RestoreTime`). The new instance is `Creating` for the
/// configured time, then `Running`. Checks, in order: `ClientToken`, the mandatory parameters, each value, the
/// clone's source and set; a repeat with the same token gets the first reply and creates nothing.
struct CreateDBInstance: MongoDBOperation {
    static let action = "CreateDBInstance"
    static let numericParameters: [NumericParameter] = [.integer("DBInstanceStorage"), .integer("BackupId"), .time("RestoreTime")]
    let configuration: MongoDBConfiguration
    let store: Store

    /// How far back a point-in-time clone may go (workflow reference §14.1).
    static let restoreWindow: Int64 = 7 * 86_400_000

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        // 1. The token's form.
        _ = try call.clientToken(invalid: MongoDBError.invalidClientToken)
        // 2. Mandatory parameters.
        let region = try call.required("RegionId")
        let version = try call.required("EngineVersion")
        let instanceClass = try call.required("DBInstanceClass")
        let storage = try call.required("DBInstanceStorage")
        // 3. Values.
        if let engine = call.optional("Engine"), engine != "MongoDB" { throw MongoDBError.invalidEngine }
        guard MongoDBInstances.versions.contains(version) else { throw MongoDBError.engineVersionNotAvailable }
        let classParts = instanceClass.split(separator: ".", omittingEmptySubsequences: false)
        guard classParts.count >= 3, instanceClass.utf8.count <= 64, classParts.allSatisfy({ !$0.isEmpty }) else {
            throw MongoDBError.invalidSpecification
        }
        guard let gigabytes = Int64(storage), (10...16_000).contains(gigabytes) else { throw MongoDBError.invalidStorage }
        // Cloud disks are the default from 4.4 on, local disks before.
        let storageType = call.optional("StorageType") ?? (["3.4", "4.0", "4.2"].contains(version) ? "local_ssd" : "cloud_essd1")
        guard MongoDBVocabulary.storageTypes.contains(storageType) else { throw MongoDBError.invalidStorageType }
        let storageEngine = call.optional("StorageEngine") ?? "WiredTiger"
        guard ["WiredTiger", "RocksDB", "TerarkDB"].contains(storageEngine) else { throw MongoDBError.invalidStorageEngine }
        let replication = call.optional("ReplicationFactor") ?? "3"
        guard ["1", "3", "5", "7"].contains(replication) else { throw MongoDBError.invalidReplicationFactor }
        let chargeType = call.optional("ChargeType") ?? "PostPaid"
        guard ["PostPaid", "PrePaid"].contains(chargeType) else { throw MongoDBError.invalidChargeType }
        if chargeType == "PrePaid", call.optional("Period") == nil { throw MongoDBError.missingPeriod }
        let networkType = call.optional("NetworkType") ?? "VPC"
        guard ["VPC", "Classic"].contains(networkType) else { throw MongoDBError.invalidNetworkType }
        guard let zone = Region.zone(call.optional("ZoneId"), in: region) else { throw MongoDBError.invalidZone }
        if let description = call.optional("DBInstanceDescription") {
            guard (2...256).contains(description.count), description.unicodeScalars.first?.properties.isAlphabetic == true
            else { throw MongoDBError.invalidDescription }
        }
        if let list = call.optional("SecurityIPList") {
            let entries = list.split(separator: ",", omittingEmptySubsequences: false)
            guard entries.count <= 1000, entries.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 43 }) else {
                throw MongoDBError.invalidSecurityIPList
            }
        }
        if let password = call.optional("AccountPassword"), !Self.isPassword(password) {
            throw MongoDBError.invalidAccountPassword
        }

        return try store.transaction { state in
            try state.removeReleased(at: call.now)
            // 4. A clone: its source (of this account, Running, same region and version) and what it copies.
            var databases: [String] = []
            var policy: [String: String]?
            if call.optional("SrcDBInstanceId") != nil {
                let source = try MongoDBInstances.source(call, state)
                guard source.regionId == region else { throw MongoDBError.invalidRegion }
                guard source.engineVersion == version else { throw MongoDBError.cloneVersionMismatch }
                guard source.status == "Running" else { throw MongoDBError.incorrectState }
                policy = try state.policySegments(instanceId: source.instanceId).last?.settings ?? [:]
                let set = try Self.backupSet(for: call, of: source, state, policy: policy ?? [:])
                databases = set.restoredDatabases(otherwise: source.databases)
                if let only = call.optional("DatabaseNames") {
                    let wanted = Set(only.split(separator: ",").map(String.init))
                    databases = databases.filter(wanted.contains)
                }
            }
            let reply = try MongoDBInstances.idempotent(call, state) {
                let id = MongoDBInstances.newId(region: region)
                var attributes: [String: AttributeValue] = [
                    "ZoneId": .string(zone), "DBInstanceClass": .string(instanceClass), "ChargeType": .string(chargeType),
                    "DBInstanceStorage": .integer(gigabytes), "ReplicationFactor": .string(replication),
                    "StorageEngine": .string(storageEngine), "NetworkType": .string(networkType),
                    "CreationTime": .string(UTCTime.iso8601(call.now)),
                    "ReplicaSetName": .string("mgset-\(Int.random(in: 10_000_000...99_999_999))"),
                ]
                for (parameter, attribute) in [
                    ("DBInstanceDescription", "DBInstanceDescription"), ("VpcId", "VPCId"), ("VSwitchId", "VSwitchId"),
                    ("ResourceGroupId", "ResourceGroupId"),
                ] {
                    if let value = call.optional(parameter) { attributes[attribute] = .string(value) }
                }
                var instance = InstanceRecord(
                    instanceId: id, product: .mongodb, accountId: call.accountId, regionId: region, engine: "MongoDB",
                    engineVersion: version, status: "Running", instanceType: "replicate", storageType: storageType,
                    lockMode: "Unlock", kindCode: storageType == "local_ssd" ? MongoDBKind.localDisk : MongoDBKind.cloudDisk,
                    databases: databases, attributes: attributes)
                instance.transition = InstanceTransition(
                    status: "Creating", action: call.action, startedAt: call.now,
                    endsAt: call.now + configuration.instanceDurations.create)
                instance.backupPolicy = policy  // a clone's is its source's; a new instance's the defaults
                try state.put(instance, at: call.now)
                return ["DBInstanceId": .string(id), "OrderId": .string(Region.newOrderId())]
            }
            return replyFields(reply, ["DBInstanceId", "OrderId"])
        }
    }

    /// The source's set a clone copies: the one named by `BackupId`, or the latest one that had ended by
    /// `RestoreTime` (within the last seven days). Neither: a restore from the recycle bin, not emulated.
    static func backupSet(for call: RPCCall, of source: InstanceRecord, _ state: StoreTransaction, policy: [String: String])
        throws -> BackupRecord
    {
        if let id = call.optional("BackupId") {
            guard let sequence = BackupRecord.sequence(fromPublicId: id, offset: MongoDBIdentifiers.backupIdOffset),
                let backup = try state.backup(sequence: sequence, instanceId: source.instanceId),
                backup.deletedAt == nil, backup.finishesAt <= call.now, backup.isKept(at: call.now)
            else { throw MongoDBError.backupSetNotFound }
            guard backup.outcome.failStage == nil else { throw MongoDBError.backupSetUnusable }
            return backup
        }
        guard let text = call.optional("RestoreTime") else { throw MongoDBError.missingBackupId }
        guard let instant = UTCTime.parseISO8601(text) else { throw MongoDBError.invalidRestoreTime }
        // A point in time replays the log backups since a set.
        guard MongoDBBackupPolicy.effective(policy, instanceType: source.instanceType)["EnableBackupLog"] == "1" else {
            throw MongoDBError.backupLogDisabled
        }
        guard instant <= call.now, instant >= call.now - restoreWindow,
            let set = try state.latestUsableSet(instanceId: source.instanceId, endedBy: instant, keptAt: call.now)
        else { throw MongoDBError.noBackupForRestoreTime }
        return set
    }

    /// 8 to 32 characters, of at least three of: upper case, lower case, digits, `!#$%^&*()_+-=@`.
    static func isPassword(_ text: String) -> Bool {
        let specials = Set("!#$%^&*()_+-=@")
        guard (8...32).contains(text.count),
            text.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || specials.contains($0) })
        else { return false }
        let classes = [
            text.contains(where: \.isUppercase), text.contains(where: \.isLowercase), text.contains(where: \.isNumber),
            text.contains(where: specials.contains),
        ]
        return classes.filter { $0 }.count >= 3
    }
}
