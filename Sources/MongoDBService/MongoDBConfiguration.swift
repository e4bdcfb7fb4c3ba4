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
