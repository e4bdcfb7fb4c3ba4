import AlibabaRPC
import EmulatorStore

/// ApsaraDB RDS, API version 2014-08-15.
public final class RDSService: RPCService, Sendable {
    public let productCode = "Rds"
    public let version = "2014-08-15"
    public let endpoint = "rds.aliyuncs.com"
    public let configuration: RDSConfiguration
    private let store: Store

    public init(configuration: RDSConfiguration, store: Store) {
        self.configuration = configuration
        self.store = store
    }

    public static let actions: Set<String> = [
        "CreateBackup", "DescribeBackupTasks", "DescribeBackups", "DeleteBackup", "DescribeDBInstanceAttribute",
        "DescribeDBInstances",
    ]

    public func implements(_ action: String) -> Bool {
        Self.actions.contains(action)
    }

    public var apiActions: [String] { RDSAPIActions.all }

    public func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        let describe = RDSDescribe(store: store)
        switch call.action {
        case "CreateBackup": return try CreateBackup(configuration: configuration).perform(call, store: store)
        case "DescribeBackupTasks": return try describe.describeBackupTasks(call)
        case "DescribeBackups": return try describe.describeBackups(call)
        case "DeleteBackup": return try describe.deleteBackup(call)
        case "DescribeDBInstanceAttribute": return try describe.describeDBInstanceAttribute(call)
        case "DescribeDBInstances": return try describe.describeDBInstances(call)
        default: throw APIError.actionNotFound
        }
    }
}

/// The values RDS instance fields take (alibaba-api.md §6.4, §7.1); fixtures are checked against them.
public enum RDSVocabulary {
    public static let engines: Set<String> = ["MySQL", "PostgreSQL", "SQLServer", "MariaDB"]
    public static let instanceTypes: Set<String> = ["Primary", "Readonly", "Guard", "Temp"]
    public static let storageTypes = RDSStorage.localDisk.union(RDSStorage.cloudDisk)
    public static let lockModes: Set<String> = [
        "Unlock", "ManualLock", "LockByExpiration", "LockByRestoration", "LockByDiskQuota",
        "LockReadInstanceByDiskQuota",
    ]
    public static let statuses: Set<String> = [
        "Creating", "Running", "Deleting", "Rebooting", "DBInstanceClassChanging", "TRANSING",
        "EngineVersionUpgrading", "TransingToOthers", "GuardDBInstanceCreating", "Restoring", "Importing",
        "ImportingFromOthers", "DBInstanceNetTypeChanging", "GuardSwitching", "INS_CLONING", "Released", "Stopping",
        "Stopped", "TempDBInstanceCreating", "LinkSwitching", "Transing", "SystemMaintaining",
        "ReadInstanceTransing", "InstanceMaintaining",
    ]
}
