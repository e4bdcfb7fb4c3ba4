import AlibabaRPC
import EmulatorStore
import ServiceKit

/// How an RDS backup task progresses and what backup set it leaves (alibaba-api.md §6.1, §6.2, §7.3).
public enum RDSLifecycle {
    /// `BackupStatus` / `BackupProgressStatus` while running; then `Finished` or `Failed`. The live service
    /// reports `Preparing` right after CreateBackup (the 2020 trace), so that is the first stage.
    public static let stages = TaskStages([("Preparing", 0), ("Waiting", 0.3), ("Uploading", 0.5), ("Checking", 0.9)])

    /// One `Items.BackupJob` entry of DescribeBackupTasks.
    static func job(_ backup: BackupRecord, now: Int64, showBackupId: Bool) -> RPCValue {
        let state = backup.state(at: now, stages: stages)
        let (status, progress): (String, String) =
            switch state.phase {
            case .running(let stage): (stage, stage)
            case .finished: ("Finished", "Finished")
            case .failed(let stage): ("Failed", stage)
            }
        var fields: [RPCValue.Field] = [
            .init("BackupJobId", .string(RDSIdentifiers.backupJobId(backup.sequence))),
            .init("BackupStatus", .string(status)), .init("BackupProgressStatus", .string(progress)),
            .init("Process", .string(String(state.percent))),
            .init("JobMode", .string(backup.isAutomatic ? "Automated" : "Manual")),
            .init("TaskAction", .string(backup.isAutomatic ? "NormalBackupTask" : "TempBackupTask")),
        ]
        if showBackupId, state.phase == .finished {
            fields.append(.init("BackupId", .string(RDSIdentifiers.backupId(backup.sequence))))
        }
        return .object(fields)
    }

    /// One `Items.Backup` entry of DescribeBackups: every documented field, consistent with the task, and when the
    /// set expires (`ExpectExpireTime`). An automatic set is `Automated`, by the `System`, and deletable
    /// (`StoreStatus` `Enabled`) only `deletableAfterDays` after its end.
    static func backupSet(_ backup: BackupRecord, of instance: InstanceRecord, now: Int64, deletableAfterDays: Int64? = nil)
        -> RPCValue
    {
        let succeeded = backup.state(at: now, stages: stages).phase == .finished
        let backupId = RDSIdentifiers.backupId(backup.sequence)
        let size = succeeded ? BackupSizes.bytes(method: backup.method, databases: instance.databases.count, sequence: backup.sequence) : 0
        let downloadable = succeeded && backup.method != "Snapshot"
        let region = instance.regionId
        let file = "\(instance.instanceId)/backup_\(backupId)_\(UTCTime.compact(backup.finishesAt)).tar.gz"
        let names = backup.databaseNames ?? instance.databases.joined(separator: ",")
        let automatic = backup.isAutomatic
        let storeStatus = isDeletable(backup, now: now, deletableAfterDays: deletableAfterDays) ? "Enabled" : "Disabled"
        return .object([
            .init("BackupId", .string(backupId)), .init("DBInstanceId", .string(instance.instanceId)),
            .init("BackupStatus", .string(succeeded ? "Success" : "Failed")),
            .init("BackupStartTime", .string(UTCTime.iso8601(backup.startedAt))),
            .init("BackupEndTime", .string(UTCTime.iso8601(backup.finishesAt))),
            .init("BackupType", .string("FullBackup")), .init("BackupMode", .string(automatic ? "Automated" : "Manual")),
            .init("BackupMethod", .string(backup.method)), .init("BackupInitiator", .string(automatic ? "System" : "User")),
            .init("BackupSize", .integer(size)),
            .init("BackupDownloadURL", .string(downloadable ? "https://rdsbak-\(region).oss-\(region).aliyuncs.com/\(file)" : "")),
            .init("BackupIntranetDownloadURL", .string(downloadable ? "https://rdsbak-\(region).oss-\(region)-internal.aliyuncs.com/\(file)" : "")),
            .init("BackupLocation", .string(backup.method == "Snapshot" ? "" : "OSS")),
            .init("BackupScale", .string(backup.strategy == "db" ? "Database" : "DBInstance")),
            .init("BackupDBNames", .string(names)),
            .init("HostInstanceID", .string(String(5_882_000 + instance.instanceId.utf8.reduce(0) { $0 + Int($1) } % 1000))),
            .init("IsAvail", .integer(succeeded ? 1 : 0)),
            .init("ConsistentTime", .integer(succeeded ? backup.finishesAt / 1000 : 0)),
            .init("StoreStatus", .string(storeStatus)), .init("MetaStatus", .string(succeeded ? "OK" : "")),
            .init("StorageClass", .string("0")), .init("Encryption", .string("{}")),
            .init("CopyOnlyBackup", .string("0")), .init("Checksum", .string("")),
            .init("Engine", .string(instance.engine)), .init("EngineVersion", .string(instance.engineVersion)),
            .init("ExpectExpireTime", .string(backup.expiresAt.map(UTCTime.iso8601) ?? keptForever)),
        ])
    }

    /// Whether an automatic set may be deleted at `now`, `deletableAfterDays` after its end.
    static func isDeletable(_ backup: BackupRecord, now: Int64, deletableAfterDays: Int64?) -> Bool {
        guard backup.isAutomatic else { return true }
        guard let days = deletableAfterDays else { return false }
        return now >= backup.finishesAt + days * 86_400_000
    }
}

