import AlibabaRPC
import EmulatorStore
import ServiceKit

/// MongoDB `CreateBackup` (2015-12-01): every rule, checked in the order written here and in
/// docs/behaviour.md. The checks and the write they guard run in one store transaction.
struct CreateBackup: MongoDBOperation {
    static let action = "CreateBackup"
    static let numericParameters: [NumericParameter] = [.integer("BackupRetentionPeriod")]

    let configuration: MongoDBConfiguration
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        // 1. The instance id is mandatory.
        let instanceId = try call.required("DBInstanceId")
        return try store.transaction { state in
            // 2. The instance exists, for this account.
            let admission = try state.backupAdmission(
                for: call, instanceId: instanceId, product: .mongodb, notFound: MongoDBError.instanceNotFound)
            let instance = admission.instance
            // 3. Each value is one the API knows.
            let requested = call.optional("BackupMethod")
            if let requested, !["Snapshot", "Logical", "Physical"].contains(requested) {
                throw MongoDBError.backupMethodNotSupported
            }
            var retentionDays: Int64?
            if let retention = call.optional("BackupRetentionPeriod") {
                guard let days = Int64(retention), days == -1 || (7...730).contains(days) else {
                    throw MongoDBError.invalidRetentionPeriod
                }
                retentionDays = days
            }
            // 4. The method suits the kind of instance; retention applies to cloud-disk clusters only.
            let method = try method(requested, for: instance)
            if retentionDays != nil, instance.kindCode != MongoDBKind.cloudDisk {
                throw MongoDBError.invalidRetentionPeriod
            }
            // 5. A logical backup needs a database.
            if method == "Logical", instance.databases.isEmpty { throw MongoDBError.noDatabase }
            // 6. The instance is Running, 7. not already backing up, 8. and under its daily quota.
            if instance.status != "Running" { throw MongoDBError.incorrectState }
            if admission.hasTaskRunning { throw MongoDBError.backupJobExists }
            if admission.acceptedToday >= configuration.dailyQuota { throw MongoDBError.dailyQuotaExceeded }

            let backup = try state.startBackup(
                BackupRecord(
                    product: .mongodb, instanceId: instanceId, accountId: call.accountId, method: method,
                    backupType: "FullBackup", retentionDays: retentionDays, startedAt: call.now, finishesAt: call.now),
                after: admission, duration: configuration.backupDuration, stages: MongoDBLifecycle.stages,
                policyRetentionDays: MongoDBBackupPolicy.retentionDays(admission.policySettings))
            return [
                .init("BackupId", .string(MongoDBIdentifiers.backupId(backup.sequence))),
                .init("BackupJobId", .string(MongoDBIdentifiers.backupJobId(backup.sequence))),
            ]
        }
    }

    /// Standalone instances always take a snapshot, cloud-disk instances only snapshots, local-disk
    /// replica sets and sharded clusters `Physical` (the default) or `Logical`.
    func method(_ requested: String?, for instance: BackupAdmission.Instance) throws -> String {
        switch instance.kindCode {
        case MongoDBKind.standalone:
            guard requested == nil || requested == "Snapshot" else { throw MongoDBError.backupMethodNotSupported }
            return "Snapshot"
        case MongoDBKind.cloudDisk:
            guard (requested ?? "Physical") == "Snapshot" else { throw MongoDBError.backupMethodNotSupported }
            return "Snapshot"
        default:
            let method = requested ?? "Physical"
            guard method != "Snapshot" else { throw MongoDBError.backupMethodNotSupported }
            return method
        }
    }
}
