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
