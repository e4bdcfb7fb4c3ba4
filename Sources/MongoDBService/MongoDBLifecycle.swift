import AlibabaRPC
import EmulatorStore
import ServiceKit

/// How a MongoDB backup task progresses and what backup set it leaves (alibaba-api.md §6.5, §6.6, §7.3).
public enum MongoDBLifecycle {
    /// `BackupSetStatus` while running; then `Finished`, or `Failed` when a scripted failure strikes.
    public static let stages = TaskStages([("Scheduled", 0), ("Checking", 0.1), ("Backuping", 0.2)])

    /// One entry of DescribeBackupTasks' flat `BackupJobs` array (note the API's `BackupjobId` spelling).
    static func job(_ backup: BackupRecord, now: Int64) -> RPCValue {
        let state = backup.state(at: now, stages: stages)
        var fields: [RPCValue.Field] = [.init("BackupjobId", .string(MongoDBIdentifiers.backupJobId(backup.sequence)))]
        switch state.phase {
        case .running(let stage):
            fields.append(.init("BackupSetStatus", .string(stage)))
        case .finished:
            fields.append(.init("BackupSetStatus", .string("Finished")))
        case .failed:
            fields.append(.init("BackupSetStatus", .string("Failed")))
        }
        fields.append(.init("BackupStartTime", .string(UTCTime.iso8601(backup.startedAt))))
        if state.isRunning { fields.append(.init("Progress", .string("\(state.percent)%"))) }
        fields.append(.init("JobMode", .string(backup.isAutomatic ? "Automated" : "Manual")))
        return .object(fields)
    }

    /// One `Backups.Backup` entry of DescribeBackups.
    static func backupSet(_ backup: BackupRecord, of instance: InstanceRecord, now: Int64) -> RPCValue {
        let succeeded = backup.state(at: now, stages: stages).phase == .finished
        let backupId = MongoDBIdentifiers.backupId(backup.sequence)
        let downloadable = succeeded && backup.method != "Snapshot"
        let region = instance.regionId
        let file = "\(instance.instanceId)/hins_\(backupId)_\(UTCTime.compact(backup.finishesAt)).tar.gz"
        return .object([
            .init("BackupId", .string(backupId)),
            .init("BackupJobId", .string(MongoDBIdentifiers.backupJobId(backup.sequence))),
            .init("BackupStatus", .string(succeeded ? "Success" : "Failed")),
            .init("BackupType", .string("FullBackup")), .init("BackupMode", .string(backup.isAutomatic ? "Automated" : "Manual")),
            .init("BackupMethod", .string(backup.method)),
            .init("BackupStartTime", .string(UTCTime.iso8601(backup.startedAt))),
            .init("BackupEndTime", .string(UTCTime.iso8601(backup.finishesAt))),
            .init(
                "BackupSize",
                .integer(succeeded ? BackupSizes.bytes(method: backup.method, databases: instance.databases.count, sequence: backup.sequence) : 0)),
            .init("BackupDBNames", .string(instance.databases.joined(separator: ","))),
            .init("BackupDownloadURL", .string(downloadable ? "https://mongobak-\(region).oss-\(region).aliyuncs.com/\(file)" : "")),
            .init("BackupIntranetDownloadURL", .string(downloadable ? "https://mongobak-\(region).oss-\(region)-internal.aliyuncs.com/\(file)" : "")),
            .init("BackupScale", .string("DBInstance")), .init("IsAvail", .boolean(succeeded)),
            .init("EngineVersion", .string(instance.engineVersion)),
            .init("BackupExpireTime", .string(backup.expiresAt.map(UTCTime.iso8601) ?? keptForever)),
        ])
    }
}
