/// The values RDS instance fields take (alibaba-api.md §6.4, §7.1); fixtures are checked against them.
public enum RDSVocabulary {
    /// Where a fixture entry without `RegionId` is.
    public static let defaultRegion = "cn-hangzhou"
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
