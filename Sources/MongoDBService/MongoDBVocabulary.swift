/// The values MongoDB instance fields take (alibaba-api.md §6.7, §7.2).
public enum MongoDBVocabulary {
    /// Where a fixture entry without `RegionId` is.
    public static let defaultRegion = "cn-hangzhou"
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
