/// A phase an instance is going through: `Creating`, `Rebooting`, `Deleting` (or `NodeRestarting`), from one
/// instant to another. The status an instance shows is derived from it and the clock when read, never set by a
/// timer: before `endsAt` it is the phase's status; from then on the instance is back at its resting status,
/// or, after `Deleting`, gone.
public struct InstanceTransition: Sendable, Equatable {
    /// The status shown during the phase.
    public var status: String
    /// The operation that started it (`CreateDBInstance`, `CloneDBInstance`, `RestartDBInstance`, …): the
    /// `TaskAction` of RDS DescribeTasks.
    public var action: String
    /// Milliseconds since the epoch (UTC).
    public var startedAt: Int64
    public var endsAt: Int64

    public static let deleting = "Deleting"

    public init(status: String, action: String, startedAt: Int64, endsAt: Int64) {
        self.status = status
        self.action = action
        self.startedAt = startedAt
        self.endsAt = endsAt
    }

    /// Percent of the phase done at `now`, 0 to 100.
    public func percent(at now: Int64) -> Int {
        let span = endsAt - startedAt
        guard span > 0, now < endsAt else { return 100 }
        return Int(max(0, min(99, (now - startedAt) * 100 / span)))
    }
}

/// How long each lifecycle phase lasts, in milliseconds; 0 ends it at once.
public struct InstanceDurations: Sendable, Equatable {
    public var create: Int64
    public var restart: Int64
    public var delete: Int64

    public init(create: Int64 = 10_000, restart: Int64 = 5_000, delete: Int64 = 5_000) {
        self.create = create
        self.restart = restart
        self.delete = delete
    }
}

extension InstanceRecord {
    /// The instance as it is at `now`: its status that of a phase still under way, its resting status once the
    /// phase has ended; nil once a deletion has ended (the instance is gone).
    public func asOf(_ now: Int64) -> InstanceRecord? {
        guard let transition else { return self }
        var current = self
        if now < transition.endsAt {
            current.status = transition.status
        } else {
            if transition.status == InstanceTransition.deleting { return nil }
            current.transition = nil
        }
        return current
    }
}

extension BackupRecord {
    /// The databases a restore of this set brings back: those a per-database backup named, else the instance's when
    /// the backup started (`otherwise` for a set older than the emulator's record of them).
    public func restoredDatabases(otherwise current: [String]) -> [String] {
        if let named = databaseNames { return named.split(separator: ",").map(String.init) }
        return instanceDatabases ?? current
    }
}
