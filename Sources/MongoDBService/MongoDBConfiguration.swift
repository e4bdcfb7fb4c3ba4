import EmulatorStore

/// How the MongoDB service behaves; set once at start-up.
public struct MongoDBConfiguration: Sendable {
    /// The daily manual-backup limit is undocumented; 20, like RDS (docs/behaviour.md).
    public static let defaultDailyQuota = 20

    public var dailyQuota: Int
    /// How long a backup task stays in progress, in milliseconds.
    public var backupDuration: Int64
    /// How long instances stay `Creating`, `Rebooting` and `Deleting`.
    public var instanceDurations: InstanceDurations

    public init(
        dailyQuota: Int = MongoDBConfiguration.defaultDailyQuota, backupDuration: Int64 = 5_000,
        instanceDurations: InstanceDurations = InstanceDurations()
    ) {
        self.dailyQuota = dailyQuota
        self.backupDuration = backupDuration
        self.instanceDurations = instanceDurations
    }
}
