/// Accepting a backup: what CreateBackup checks about its instance, and the insert with its bookkeeping.
///
/// Every check is constant-cost in the number of the instance's backups: a running task is looked for in a short
/// range of the start index (the instance's longest task), and the backups accepted in the day and the instance's
/// total are kept in `backup_totals`, updated by each insert in its transaction.
extension StoreTransaction {
    private static let admissionSQL = SQLStatement(
        """
        SELECT i.account_id, i.engine, CASE WHEN i.transition_ends > ?3 THEN i.transition ELSE i.status END, i.instance_type, i.storage_type, i.lock_mode, i.kind_code, i.databases,
            EXISTS (SELECT 1 FROM backups b WHERE b.instance_id = ?1 AND b.started_at <= ?3
                    AND b.started_at > ?3 - coalesce(t.longest, ?6) AND b.finishes_at > ?3),
            CASE WHEN t.day = ?7 THEN t.accepted
                 ELSE (SELECT count(*) FROM backups b WHERE b.instance_id = ?1 AND b.started_at >= ?4 AND b.started_at < ?5)
            END,
            o.instance_id IS NOT NULL, o.fail_stage, o.hold_stage, o.hold_until, t.instance_id IS NOT NULL,
            coalesce(
                (SELECT p.settings FROM backup_policies p WHERE p.instance_id = ?1 AND p.valid_from <= ?3
                 ORDER BY p.valid_from DESC LIMIT 1),
                (SELECT p.settings FROM backup_policies p WHERE p.instance_id = ?1 ORDER BY p.valid_from LIMIT 1))
        FROM instances i LEFT JOIN next_backup_outcomes o USING (instance_id) LEFT JOIN backup_totals t USING (instance_id)
        WHERE i.instance_id = ?1 AND i.product = ?2
            AND NOT (i.transition IS 'Deleting' AND i.transition_ends <= ?3)
        """)

    /// The instance with what CreateBackup checks about it at `now`: a running task, the backups accepted
    /// in `day`, the scripted outcome, the backup policy in force. One statement, over the primary keys and short
    /// ranges of the start and policy indexes.
    ///
    /// The backups accepted in `day` are read from the instance's total when `day` is the UTC day the total
    /// counts (the day of the instance's latest insert); otherwise (another day, a clock set back to an earlier
    /// day, a range that is not a whole UTC day, an instance without a total) they are counted over the start index.
    public func backupAdmission(_ instanceId: String, product: Product, at now: Int64, day: Range<Int64>) throws
        -> BackupAdmission?
    {
        let isWholeDay =
            day.lowerBound == Self.startOfDay(day.lowerBound) && day.upperBound == Self.endOfDay(day.lowerBound)
        return try connection.query(
            Self.admissionSQL,
            [
                .text(instanceId), .text(product.rawValue), .int(now), .int(day.lowerBound), .int(day.upperBound),
                .int(Self.unboundedSpan), isWholeDay ? .int(day.lowerBound) : .null,
            ]
        ) { row in
            BackupAdmission(
                instance: BackupAdmission.Instance(
                    accountId: row.text(0), engine: row.text(1), status: row.text(2), instanceType: row.text(3),
                    storageType: row.text(4), lockMode: row.text(5), kindCode: row.optionalText(6),
                    databases: Self.databaseList(row.text(7))),
                hasTaskRunning: row.int(8) != 0, acceptedToday: Int(row.int(9)),
                scriptedOutcome: row.int(10) == 0
                    ? nil
                    : BackupOutcome(failStage: row.optionalText(11), holdStage: row.optionalText(12), holdUntil: row.optionalInt(13)),
                hasTotal: row.int(14) != 0,
                policySettings: row.optionalText(15).map(Self.policySettings) ?? [:])
        }.first
    }

    /// Records an accepted backup and returns it with its sequence number: one past the highest in the table.
    ///
    /// The instance's total (`backup_totals`) is updated in the same transaction: its undeleted backups, its longest
    /// task (which bounds where a running one can be) and the backups accepted in the UTC day of the new one's
    /// start. That count goes on from the total's day when the new backup is of the same day, and is counted
    /// again over the day's range of the start index when it is not (a new day, or the clock set back to an
    /// earlier one): so it is right whichever way the clock moved, and constant-cost while the day lasts.
    ///
    /// `admission`, read just before in the same transaction, says whether the instance has a total yet; without
    /// it, the insert tries to update one and starts it if there is none.
    public func insert(_ backup: BackupRecord, after admission: BackupAdmission? = nil) throws -> BackupRecord {
        try connection.run(
            Self.insertBackup,
            [
                .text(backup.product.rawValue), .text(backup.instanceId), .text(backup.accountId), .text(backup.method),
                .text(backup.backupType), backup.strategy.map(SQLValue.text) ?? .null,
                backup.databaseNames.map(SQLValue.text) ?? .null, backup.retentionDays.map(SQLValue.int) ?? .null,
                .int(backup.startedAt), .int(backup.finishesAt), .int(backup.duration),
                backup.outcome.failStage.map(SQLValue.text) ?? .null, backup.outcome.holdStage.map(SQLValue.text) ?? .null,
                backup.outcome.holdUntil.map(SQLValue.int) ?? .null,
                backup.instanceDatabases.map { .text($0.joined(separator: ",")) } ?? .null,
                backup.expiresAt.map(SQLValue.int) ?? .null,
            ])
        var stored = backup
        stored.sequence = connection.lastInsertedRowID
        let dayStart = Self.startOfDay(backup.startedAt)
        let arguments: [SQLValue] = [.text(backup.instanceId), .int(dayStart), .int(Self.endOfDay(dayStart))]
        let counted =
            admission?.hasTotal == false
            ? 0 : try connection.run(Self.countBackup, arguments + [.int(backup.span), backup.expiresAt.map(SQLValue.int) ?? .null])
        if counted == 0 { try connection.run(Self.startTotal, arguments) }
        return stored
    }

    private static let insertBackup = SQLStatement(
        """
        INSERT OR ROLLBACK INTO backups (product, instance_id, account_id, method, backup_type, strategy,
                                         database_names, retention_days, started_at, finishes_at, duration, fail_stage,
                                         hold_stage, hold_until, instance_databases, expires_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
        """)

    /// Counts the backup just inserted, started in the day `[?2, ?3)`, taking `?4` and expiring at `?5`. The day's
    /// count goes on when the total counts that day, and is counted afresh otherwise (the CASE reads the range only
    /// then). A set that had expired by the total's `expired_by` (the clock set back, then forward) counts there.
    private static let countBackup = SQLStatement(
        """
        UPDATE OR ROLLBACK backup_totals
        SET undeleted = undeleted + 1,
            accepted = CASE WHEN day = ?2 THEN accepted + 1
                            ELSE (SELECT count(*) FROM backups WHERE instance_id = ?1 AND started_at >= ?2 AND started_at < ?3)
                       END,
            day = ?2, longest = max(longest, ?4),
            expired = expired + CASE WHEN ?5 <= expired_by THEN 1 ELSE 0 END
        WHERE instance_id = ?1
        """)

    /// An instance's first total, counted from its backups (the one just inserted included; there are others
    /// only when written behind the emulator's back, or after an upgrade that left the instance without a total).
    private static let startTotal = SQLStatement(
        """
        INSERT OR ROLLBACK INTO backup_totals (instance_id, undeleted, longest, day, accepted)
        VALUES (?1, (SELECT count(*) FROM backups WHERE instance_id = ?1 AND deleted_at IS NULL),
                coalesce((SELECT max(finishes_at - started_at) FROM backups WHERE instance_id = ?1), 0), ?2,
                (SELECT count(*) FROM backups WHERE instance_id = ?1 AND started_at >= ?2 AND started_at < ?3))
        """)

    /// How far back a running task is looked for when an instance has no total (and so no longest task): anywhere.
    static let unboundedSpan: Int64 = 1 << 62

    static let millisecondsPerDay: Int64 = 86_400_000

    /// The start of the UTC day of `instant` (milliseconds since the epoch; earlier instants too).
    static func startOfDay(_ instant: Int64) -> Int64 {
        let (start, overflow) = instant.subtractingReportingOverflow(
            ((instant % millisecondsPerDay) + millisecondsPerDay) % millisecondsPerDay)
        return overflow ? .min : start
    }

    /// The end (exclusive) of the day that starts at `dayStart`; the last day the clock can hold ends at `Int64.max`.
    static func endOfDay(_ dayStart: Int64) -> Int64 {
        let (end, overflow) = dayStart.addingReportingOverflow(millisecondsPerDay)
        return overflow ? .max : end
    }
}

extension BackupRecord {
    /// How long the task runs from its start to its end (holds included), as the total's `longest` keeps it.
    var span: Int64 {
        let (span, overflow) = finishesAt.subtractingReportingOverflow(startedAt)
        return overflow ? .max : span
    }
}
