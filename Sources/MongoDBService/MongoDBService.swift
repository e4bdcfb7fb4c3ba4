import AlibabaRPC
import EmulatorStore

/// How the MongoDB service behaves; set once at start-up.
public struct MongoDBConfiguration: Sendable {
    /// The daily manual-backup limit is undocumented; 20, like RDS (docs/behaviour.md).
    public static let defaultDailyQuota = 20

    public var dailyQuota: Int
    /// How long a backup task stays in progress, in milliseconds.
    public var backupDuration: Int64

    public init(dailyQuota: Int = MongoDBConfiguration.defaultDailyQuota, backupDuration: Int64 = 5_000) {
        self.dailyQuota = dailyQuota
        self.backupDuration = backupDuration
    }
}

/// ApsaraDB for MongoDB (product code Dds), API version 2015-12-01.
public final class MongoDBService: RPCService, Sendable {
    public let productCode = "Dds"
    public let version = "2015-12-01"
    public let endpoint = "mongodb.aliyuncs.com"
    public let configuration: MongoDBConfiguration
    private let store: Store

    public init(configuration: MongoDBConfiguration, store: Store) {
        self.configuration = configuration
        self.store = store
    }

    public static let actions: Set<String> = [
        "CreateBackup", "DescribeBackups", "DescribeBackupTasks", "DescribeDBInstanceAttribute", "DescribeDBInstances",
    ]

    public func implements(_ action: String) -> Bool {
        Self.actions.contains(action)
    }

    public var apiActions: [String] { MongoDBAPIActions.all }

    public func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        let describe = MongoDBDescribe(store: store)
        switch call.action {
        case "CreateBackup": return try CreateBackup(configuration: configuration).perform(call, store: store)
        case "DescribeBackups": return try describe.describeBackups(call)
        case "DescribeBackupTasks": return try describe.describeBackupTasks(call)
        case "DescribeDBInstanceAttribute": return try describe.describeDBInstanceAttribute(call)
        case "DescribeDBInstances": return try describe.describeDBInstances(call)
        default: throw APIError.actionNotFound
        }
    }
}

/// The values MongoDB instance fields take (alibaba-api.md §6.7, §7.2).
public enum MongoDBVocabulary {
    public static let instanceTypes: Set<String> = ["replicate", "sharding"]
    public static let kindCodes: Set<String> = [MongoDBKind.localDisk, MongoDBKind.standalone, MongoDBKind.cloudDisk]
    public static let storageTypes: Set<String> = [
        "local_ssd", "cloud_essd1", "cloud_essd2", "cloud_essd3", "cloud_essd_dbfs_s",
    ]
    public static let lockModes: Set<String> = [
        "Unlock", "ManualLock", "LockByExpiration", "LockByRestoration", "LockByDiskQuota", "Released",
    ]
    public static let statuses: Set<String> = [
        "Creating", "DBInstanceClassChanging", "DBInstanceNetTypeChanging", "Deleting", "EngineVersionUpgrading",
        "GuardSwitching", "HASwitching", "Importing", "ImportingFromOthers", "LinkSwitching", "MinorVersionUpgrading",
        "NET_CREATING", "NET_DELETING", "NodeCreating", "NodeDeleting", "Rebooting", "NodeRestarting", "Restoring",
        "Running", "SSLModifying", "TempDBInstanceCreating", "Transing", "TransingToOthers", "AuditLogOpening",
        "AuditLogClosing", "TDEModifying",
    ]
}

/// `KindCode` values: what kind of deployment an instance is.
public enum MongoDBKind {
    public static let localDisk = "0"
    public static let standalone = "3"
    public static let cloudDisk = "18"
}

/// Public ids of MongoDB backups, derived from the store's sequence numbers.
public enum MongoDBIdentifiers {
    public static let backupIdOffset: Int64 = 56_640_000
    public static let backupJobIdOffset: Int64 = 11_230_000
    public static func backupId(_ sequence: Int64) -> String { String(backupIdOffset + sequence) }
    public static func backupJobId(_ sequence: Int64) -> String { String(backupJobIdOffset + sequence) }
}
