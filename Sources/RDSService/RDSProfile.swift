/// Which RDS documentation the emulator follows (docs/behaviour.md, "RDS profiles").
public enum RDSProfile: String, Sendable, CaseIterable {
    /// Seed 000, the live API since at least 2020: 20 backups a day, replies carry `BackupJobId`.
    case current
    /// Seed 001, the ~2018 documentation: 10 backups a day, replies carry only `RequestId`,
    /// `BackupMethod` is `Logical` or `Physical`.
    case legacy

    public var defaultDailyQuota: Int {
        switch self {
        case .current: 20
        case .legacy: 10
        }
    }
}

/// How the RDS service behaves; set once at start-up.
public struct RDSConfiguration: Sendable {
    public var profile: RDSProfile
    /// Accepted backups per instance per UTC day.
    public var dailyQuota: Int
    /// How long a backup task stays in progress, in milliseconds.
    public var backupDuration: Int64

    public init(profile: RDSProfile = .current, dailyQuota: Int? = nil, backupDuration: Int64 = 5_000) {
        self.profile = profile
        self.dailyQuota = dailyQuota ?? profile.defaultDailyQuota
        self.backupDuration = backupDuration
    }
}
