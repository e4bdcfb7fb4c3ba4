import EmulatorStore

/// How the RDS service behaves; set once at start-up.
public struct RDSConfiguration: Sendable {
    public var profile: RDSProfile
    /// Accepted backups per instance per UTC day.
    public var dailyQuota: Int
    /// How long a backup task stays in progress, in milliseconds.
    public var backupDuration: Int64
    /// How long instances stay `Creating`, `Rebooting` and `Deleting`.
    public var instanceDurations: InstanceDurations

    public init(
        profile: RDSProfile = .current, dailyQuota: Int? = nil, backupDuration: Int64 = 5_000,
        instanceDurations: InstanceDurations = InstanceDurations()
    ) {
        self.profile = profile
        self.dailyQuota = dailyQuota ?? profile.defaultDailyQuota
        self.backupDuration = backupDuration
        self.instanceDurations = instanceDurations
    }
}
