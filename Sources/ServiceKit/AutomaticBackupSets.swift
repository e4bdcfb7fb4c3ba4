import EmulatorStore

/// An instance's automatic backups as backup records, computed from its policy history at one instant: never
/// stored, only the ones that differ from their schedule (deleted, scripted to fail) are. Their sequence numbers
/// (and so their public ids) are `sequenceBase + key × 10⁸ + the start's minute since the epoch`, where `key`
/// numbers the instance's life in the emulator: far above any stored backup's, unique, and decoded back to a slot.
public struct AutomaticBackupSets: Sendable {
    public static let sequenceBase: Int64 = 100_000_000_000_000_000
    static let keySpan: Int64 = 100_000_000

    public let instance: InstanceRecord
    public let schedule: AutomaticBackups
    /// Numbers the instance's life: its first policy segment's key; nil before its life began.
    public let key: Int64?
    public let method: String
    public let stages: TaskStages
    /// Events of the instance's automatic backups, by start.
    public let events: [Int64: AutomaticBackupEvent]

    /// `segments` are the product's reading of `history` (the same segments, as schedules).
    public init(
        _ state: StoreTransaction, instance: InstanceRecord, history: [PolicySegment], segments: [ScheduleSegment],
        method: String, stages: TaskStages, now: Int64
    ) throws {
        self.instance = instance
        schedule = AutomaticBackups(segments: segments, now: now)
        key = history.first?.key
        self.method = method
        self.stages = stages
        var events: [Int64: AutomaticBackupEvent] = [:]
        if !segments.isEmpty {
            for event in try state.automaticEvents(instanceId: instance.instanceId, in: Int64.min..<Int64.max) {
                events[event.startedAt] = event
            }
        }
        self.events = events
    }

    public var now: Int64 { schedule.now }

    /// The backup that the slot starting at `slot` makes, as CreateBackup's would look.
    public func record(_ slot: Int64) -> BackupRecord {
        let outcome = BackupOutcome(failStage: events[slot]?.failStage)
        let segment = schedule.segment(making: slot)
        let finishesAt = BackupRecord.finishTime(start: slot, duration: BackupSchedule.duration, outcome: outcome, stages: stages)
        var record = BackupRecord(
            sequence: Self.sequenceBase + (key ?? 0) * Self.keySpan + slot / 60_000, product: instance.product,
            instanceId: instance.instanceId, accountId: instance.accountId, method: method, backupType: "FullBackup",
            retentionDays: segment.map { $0.schedule.retentionDays($0.schedule.kind(of: slot)) }, startedAt: slot,
            finishesAt: finishesAt, duration: BackupSchedule.duration, outcome: outcome, deletedAt: events[slot]?.deletedAt)
        record.expiresAt = record.retentionDays.flatMap { BackupRecord.expiry(end: finishesAt, retentionDays: $0) }
        return record
    }

    /// The slot a sequence number names, if it is one of this instance's automatic backups that has started.
    public func slot(ofSequence sequence: Int64) -> Int64? {
        guard let key, sequence >= Self.sequenceBase else { return nil }
        let number = sequence - Self.sequenceBase
        guard number / Self.keySpan == key else { return nil }
        let (slot, overflow) = (number % Self.keySpan).multipliedReportingOverflow(by: 60_000)
        guard !overflow, slot <= now, schedule.segment(making: slot) != nil else { return nil }
        return slot
    }

    /// The tasks DescribeBackupTasks shows: the one `sequence` numbers (automatic or manual), or else every task
    /// running at `now`, the manual one first.
    public func tasks(_ state: StoreTransaction, sequence: Int64?) throws -> [BackupRecord] {
        if let sequence {
            if let slot = slot(ofSequence: sequence) { return [record(slot)] }
            return try state.backup(sequence: sequence, instanceId: instance.instanceId).map { [$0] } ?? []
        }
        var tasks = try state.runningBackups(instanceId: instance.instanceId, at: now)
        if let running = running() { tasks.append(running) }
        return tasks
    }

    /// The automatic backup whose task runs at `now`, if any (one at a time: slots are at least 15 minutes apart).
    public func running() -> BackupRecord? {
        guard let latest = schedule.segments.last(where: { $0.from <= now }),
            let slot = latest.schedule.slot(atOrBefore: now, floor: latest.from)
        else { return nil }
        let record = record(slot)
        return record.state(at: now, stages: stages).isRunning ? record : nil
    }

    // MARK: Listing

    /// Whether a listed slot passes the status filter and was not deleted.
    func shows(_ slot: Int64, failed: Bool?) -> Bool {
        let event = events[slot]
        if event?.deletedAt != nil { return false }
        guard let failed else { return true }
        return failed == (event?.failStage != nil)
    }

    /// Listed automatic sets started in `[from, until]` that pass the filter: counted by arithmetic, less the
    /// few events that hide one.
    func count(from: Int64, until: Int64, failed: Bool?, only: Set<Int64>?) -> Int64 {
        if let only { return Int64(only.count { $0 >= from && $0 <= until && schedule.isListed($0) && shows($0, failed: failed) }) }
        if failed == true {
            return Int64(events.count { $0.key >= from && $0.key <= until && schedule.isListed($0.key) && shows($0.key, failed: true) })
        }
        let hidden = events.keys.count { $0 >= from && $0 <= until && schedule.isListed($0) && !shows($0, failed: failed) }
        return schedule.count(from: from, until: until) - Int64(hidden)
    }

    /// The newest listed sets started in `[from, until]` that pass the filter, at most `limit`.
    func newest(from: Int64, until: Int64, failed: Bool?, only: Set<Int64>?, limit: Int) -> [Int64] {
        if let only {
            return Array(only.filter { $0 >= from && $0 <= until && schedule.isListed($0) && shows($0, failed: failed) }
                .sorted(by: >).prefix(limit))
        }
        if failed == true {
            return Array(events.keys.filter { $0 >= from && $0 <= until && schedule.isListed($0) && shows($0, failed: true) }
                .sorted(by: >).prefix(limit))
        }
        // Hidden slots are few: ask for as many more as there are.
        let hidden = events.keys.count { !shows($0, failed: failed) }
        return Array(schedule.newest(from: from, until: until, limit: limit + hidden).filter { shows($0, failed: failed) }.prefix(limit))
    }
}

extension BackupRecord {
    /// Made by the policy, not by CreateBackup (see `AutomaticBackupSets`).
    public var isAutomatic: Bool { sequence >= AutomaticBackupSets.sequenceBase }
}

/// `ExpectExpireTime` / `BackupExpireTime` of a set kept for ever.
public let keptForever = "9999-01-01T00:00:00Z"
