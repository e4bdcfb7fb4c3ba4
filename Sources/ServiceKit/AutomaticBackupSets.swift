import EmulatorStore

/// An instance's automatic backups as backup records, computed from its policy history at one instant: never
/// stored, only the ones that differ from their schedule (deleted, scripted to fail or to hold) are. Their sequence numbers
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
        let outcome = events[slot]?.outcome ?? BackupOutcome()
        let segment = schedule.segment(making: slot)
        let finishesAt = BackupRecord.finishTime(start: slot, duration: BackupSchedule.duration, outcome: outcome, stages: stages)
        var record = BackupRecord(
            sequence: Self.sequenceBase + (key ?? 0) * Self.keySpan + slot / 60_000, product: instance.product,
            instanceId: instance.instanceId, accountId: instance.accountId, method: method, backupType: "FullBackup",
            retentionDays: segment.map { schedule.retentionDays(slot, of: $0) }, startedAt: slot,
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
    /// running at `now`, the manual ones first.
    public func tasks(_ state: StoreTransaction, sequence: Int64?) throws -> [BackupRecord] {
        if let sequence {
            if let slot = slot(ofSequence: sequence) { return [record(slot)] }
            return try state.backup(sequence: sequence, instanceId: instance.instanceId).map { [$0] } ?? []
        }
        return try state.runningBackups(instanceId: instance.instanceId, at: now) + running()
    }

    /// The automatic backups whose tasks run at `now`, oldest first: the latest slot's, any held past later slots,
    /// and a policy change's (which may fall just before a slot). Otherwise one at a time: slots are at least 15
    /// minutes apart and a task takes 85 seconds.
    public func running() -> [BackupRecord] {
        var slots = events.values.filter { $0.outcome.holdStage != nil && $0.startedAt <= now }.map(\.startedAt)
        slots += schedule.segments.compactMap(\.changeBackup).filter { $0 <= now }
        if let slot = schedule.latestSlot(atOrBefore: now) { slots.append(slot) }
        return Set(slots).sorted().filter { schedule.segment(making: $0) != nil }.map(record)
            .filter { $0.state(at: now, stages: stages).isRunning }
    }

    // MARK: Listing

    /// Whether a slot is listed at `now` and passes the status filter. Slots without an event are listed as their
    /// schedule says (ended `BackupSchedule.duration` after their start, kept their retention after that); a slot
    /// with one by its record, whose times a scripted failure or hold moves, and not once deleted.
    public func isShown(_ slot: Int64, failed: Bool? = nil) -> Bool {
        guard let event = events[slot] else { return failed != true && schedule.isListed(slot) }
        if event.deletedAt != nil { return false }
        if let failed, failed != (event.outcome.failStage != nil) { return false }
        guard schedule.segment(making: slot) != nil else { return false }
        let record = record(slot)
        return record.finishesAt <= now && record.isKept(at: now)
    }

    /// Event slots in `[from, until]` that the schedule's arithmetic counts wrongly: those it lists that are not
    /// shown (`hidden`), and those it does not list that are (`extra`, a hold having moved their end).
    private func corrections(from: Int64, until: Int64, failed: Bool?) -> (hidden: [Int64], extra: [Int64]) {
        var hidden: [Int64] = []
        var extra: [Int64] = []
        for slot in events.keys where slot >= from && slot <= until {
            let listed = schedule.isListed(slot)
            let shown = isShown(slot, failed: failed)
            if listed && !shown { hidden.append(slot) } else if !listed && shown { extra.append(slot) }
        }
        return (hidden, extra)
    }

    /// Listed automatic sets started in `[from, until]` that pass the filter: counted by arithmetic, corrected by
    /// the few events that hide one or move one's end.
    func count(from: Int64, until: Int64, failed: Bool?, only: Set<Int64>?) -> Int64 {
        if let only { return Int64(only.count { $0 >= from && $0 <= until && isShown($0, failed: failed) }) }
        if failed == true { return Int64(events.keys.count { $0 >= from && $0 <= until && isShown($0, failed: true) }) }
        let (hidden, extra) = corrections(from: from, until: until, failed: failed)
        return schedule.count(from: from, until: until) - Int64(hidden.count) + Int64(extra.count)
    }

    /// The newest listed sets started in `[from, until]` that pass the filter, at most `limit`.
    func newest(from: Int64, until: Int64, failed: Bool?, only: Set<Int64>?, limit: Int) -> [Int64] {
        if let only {
            return Array(only.filter { $0 >= from && $0 <= until && isShown($0, failed: failed) }.sorted(by: >).prefix(limit))
        }
        if failed == true {
            return Array(events.keys.filter { $0 >= from && $0 <= until && isShown($0, failed: true) }.sorted(by: >).prefix(limit))
        }
        // Hidden slots are few: ask for as many more as there are; the extra ones join in their place.
        let (hidden, extra) = corrections(from: from, until: until, failed: failed)
        let scheduled = schedule.newest(from: from, until: until, limit: limit + hidden.count).filter { isShown($0, failed: failed) }
        return Array((scheduled + extra).sorted(by: >).prefix(limit))
    }
}

extension BackupRecord {
    /// Made by the policy, not by CreateBackup (see `AutomaticBackupSets`).
    public var isAutomatic: Bool { sequence >= AutomaticBackupSets.sequenceBase }
}

/// `ExpectExpireTime` / `BackupExpireTime` of a set kept for ever.
public let keptForever = "9999-01-01T00:00:00Z"
