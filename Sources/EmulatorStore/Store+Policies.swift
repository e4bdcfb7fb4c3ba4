/// A stretch of an instance's backup policy history: the settings given for `[from, to)` (nil `to`: in force).
/// `key` numbers the segment; the first segment's key identifies the instance's life in automatic backup ids.
public struct PolicySegment: Sendable, Equatable {
    public var key: Int64
    public var from: Int64
    public var to: Int64?
    /// The settings given, by the API's field names; the product fills in its defaults for the others.
    public var settings: [String: String]
    /// The start of the full backup the change that began the segment started, if it started one.
    public var backupAt: Int64?
}

/// An automatic backup that differs from its schedule: deleted by DeleteBackup, or scripted to fail or to hold.
public struct AutomaticBackupEvent: Sendable, Equatable {
    public var startedAt: Int64
    public var deletedAt: Int64?
    public var outcome: BackupOutcome

    /// Its scripted outcome, if any.
    public var isScripted: Bool { outcome.failStage != nil || outcome.holdStage != nil }
}

extension StoreTransaction {
    // MARK: Backup policies

    /// The instance's policy history, oldest first; empty when its life in the emulator has not begun.
    public func policySegments(instanceId: String) throws -> [PolicySegment] {
        try connection.query(
            """
            SELECT segment, valid_from, valid_to, settings, backup_at FROM backup_policies WHERE instance_id = ?1
            ORDER BY valid_from, segment
            """,
            [.text(instanceId)]
        ) { row in
            PolicySegment(
                key: row.int(0), from: row.int(1), to: row.optionalInt(2), settings: Self.policySettings(row.text(3)),
                backupAt: row.optionalInt(4))
        }
    }

    /// A segment's settings, as stored (text values by name).
    static func policySettings(_ json: String) -> [String: String] {
        AttributesJSON.decode(json).compactMapValues { if case .string(let text) = $0 { text } else { nil } }
    }

    /// The instance's life in the emulator begins at `now`, under `settings`: earlier history is forgotten.
    /// `backupAt`: the start of a full backup the segment begins with.
    public func beginPolicy(instanceId: String, settings: [String: String], at now: Int64, backupAt: Int64? = nil) throws {
        try forgetPolicy(instanceId: instanceId)
        try connection.run(
            "INSERT INTO backup_policies (instance_id, valid_from, settings, backup_at) VALUES (?1, ?2, ?3, ?4)",
            [.text(instanceId), .int(now), .text(Self.encode(settings)), backupAt.map(SQLValue.int) ?? .null])
    }

    /// From `now` on, the policy is `settings`; what was made before stays as it was made. A history that has not
    /// begun begins now. With `startingBackup`, a change starts a full backup at the next whole minute (automatic
    /// backup ids count minutes); settings that change nothing start none.
    public func changePolicy(instanceId: String, settings: [String: String], at now: Int64, startingBackup: Bool = false) throws {
        let (minute, overflow) = now.addingReportingOverflow(59_999)
        let backupAt = startingBackup && !overflow && now >= 0 ? minute / 60_000 * 60_000 : nil
        let current = try policySegments(instanceId: instanceId).last
        guard let current, current.to == nil else {
            return try beginPolicy(instanceId: instanceId, settings: settings, at: now, backupAt: backupAt)
        }
        if current.settings == settings { return }
        if current.from >= now {
            // Changed again at the same instant (or with the clock set back): the last change wins.
            try connection.run(
                "UPDATE backup_policies SET settings = ?2, backup_at = coalesce(?3, backup_at) WHERE segment = ?1",
                [.int(current.key), .text(Self.encode(settings)), backupAt.map(SQLValue.int) ?? .null])
            return
        }
        try connection.run("UPDATE backup_policies SET valid_to = ?2 WHERE segment = ?1", [.int(current.key), .int(now)])
        try connection.run(
            "INSERT INTO backup_policies (instance_id, valid_from, settings, backup_at) VALUES (?1, ?2, ?3, ?4)",
            [.text(instanceId), .int(now), .text(Self.encode(settings)), backupAt.map(SQLValue.int) ?? .null])
    }

    func forgetPolicy(instanceId: String) throws {
        try connection.run("DELETE FROM backup_policies WHERE instance_id = ?1", [.text(instanceId)])
        try connection.run("DELETE FROM automatic_backup_events WHERE instance_id = ?1", [.text(instanceId)])
    }

    private static func encode(_ settings: [String: String]) -> String {
        AttributesJSON.encode(settings.mapValues(AttributeValue.string))
    }

    // MARK: Automatic backups that differ from their schedule

    /// The instance's events for automatic backups started in `range`, oldest first.
    public func automaticEvents(instanceId: String, in range: Range<Int64>) throws -> [AutomaticBackupEvent] {
        try connection.query(
            """
            SELECT started_at, deleted_at, fail_stage, hold_stage, hold_until FROM automatic_backup_events
            WHERE instance_id = ?1 AND started_at >= ?2 AND started_at < ?3 ORDER BY started_at
            """,
            [.text(instanceId), .int(range.lowerBound), .int(range.upperBound)]
        ) {
            AutomaticBackupEvent(
                startedAt: $0.int(0), deletedAt: $0.optionalInt(1),
                outcome: BackupOutcome(failStage: $0.optionalText(2), holdStage: $0.optionalText(3), holdUntil: $0.optionalInt(4)))
        }
    }

    public func markAutomaticDeleted(instanceId: String, startedAt: Int64, at now: Int64) throws {
        try connection.run(
            """
            INSERT INTO automatic_backup_events (instance_id, started_at, deleted_at) VALUES (?1, ?2, ?3)
            ON CONFLICT (instance_id, started_at) DO UPDATE SET deleted_at = excluded.deleted_at
            """,
            [.text(instanceId), .int(startedAt), .int(now)])
    }

    /// The automatic backup starting at `startedAt` has `outcome` (fails, or holds at a stage); any other outcome
    /// scripted for an automatic backup after `now` is withdrawn.
    public func scriptAutomaticOutcome(instanceId: String, startedAt: Int64, outcome: BackupOutcome, now: Int64) throws {
        try withdrawAutomaticFailures(instanceId: instanceId, after: now)
        try connection.run(
            """
            INSERT INTO automatic_backup_events (instance_id, started_at, fail_stage, hold_stage, hold_until)
            VALUES (?1, ?2, ?3, ?4, ?5)
            ON CONFLICT (instance_id, started_at) DO UPDATE
            SET fail_stage = excluded.fail_stage, hold_stage = excluded.hold_stage, hold_until = excluded.hold_until
            """,
            [
                .text(instanceId), .int(startedAt), outcome.failStage.map(SQLValue.text) ?? .null,
                outcome.holdStage.map(SQLValue.text) ?? .null, outcome.holdUntil.map(SQLValue.int) ?? .null,
            ])
    }

    /// Withdraws the outcomes scripted for automatic backups that start after `now`.
    public func withdrawAutomaticFailures(instanceId: String, after now: Int64) throws {
        try connection.run(
            "DELETE FROM automatic_backup_events WHERE instance_id = ?1 AND started_at > ?2 AND deleted_at IS NULL",
            [.text(instanceId), .int(now)])
    }
}
