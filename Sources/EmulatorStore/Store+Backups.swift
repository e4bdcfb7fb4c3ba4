/// Accepting a backup: what CreateBackup checks about its instance, and the insert with its bookkeeping.
extension StoreTransaction {
    private static let admissionSQL = SQLStatement(
        """
        SELECT i.account_id, i.engine, i.status, i.instance_type, i.storage_type, i.lock_mode, i.kind_code, i.databases,
            EXISTS (SELECT 1 FROM backups b WHERE b.instance_id = ?1 AND b.started_at <= ?3
                    AND b.started_at > ?3 - coalesce(t.longest, ?6) AND b.finishes_at > ?3),
            (SELECT count(*) FROM backups b WHERE b.instance_id = ?1 AND b.started_at >= ?4 AND b.started_at < ?5),
            o.instance_id IS NOT NULL, o.fail_stage, o.hold_stage, o.hold_until, t.counted_before, t.longest
        FROM instances i LEFT JOIN next_backup_outcomes o USING (instance_id) LEFT JOIN backup_totals t USING (instance_id)
        WHERE i.instance_id = ?1 AND i.product = ?2
        """)

    /// The instance with what CreateBackup checks about it at `now`: a running task, the backups accepted
    /// in `day`, the scripted outcome; and where its total stands, for `insert`. One statement, over the primary
    /// keys and two ranges of the start index (a running task started within the instance's longest task).
    public func backupAdmission(_ instanceId: String, product: Product, at now: Int64, day: Range<Int64>) throws
        -> BackupAdmission?
    {
        try connection.query(
            Self.admissionSQL,
            [
                .text(instanceId), .text(product.rawValue), .int(now), .int(day.lowerBound), .int(day.upperBound),
                .int(Self.unboundedSpan),
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
                countedBefore: row.optionalInt(14), longest: row.optionalInt(15))
        }.first
    }

    /// Records an accepted backup and returns it with its sequence number: one past the highest in the table.
    ///
    /// The instance's total (`backup_totals`) counts its undeleted backups started before `counted_before`;
    /// those started since are counted when the total is read. So an insert writes the total only when the
    /// instance's first backup of a UTC day moves `counted_before` to that day's start (counting the backups
    /// started in between, at most a day's), or when the clock was set back before `counted_before`. What is
    /// counted when read is then at most the backups started since the day began: a range of the start index.
    ///
    /// The total also keeps the instance's longest task, which bounds where a running one can be (version 9): a
    /// backup that takes longer than any before it widens it.
    ///
    /// `admission`, read just before in the same transaction, says where the total stands; without it, it is read.
    public func insert(_ backup: BackupRecord, after admission: BackupAdmission? = nil) throws -> BackupRecord {
        let (countedBefore, longest) =
            if let admission { (admission.countedBefore, admission.longest) } else {
                try connection.query(Self.totalMark, [.text(backup.instanceId)]) {
                    (Optional($0.int(0)), Optional($0.int(1)))
                }.first ?? (nil, nil)
            }
        let span = backup.finishesAt - backup.startedAt
        let dayStart = Self.startOfDay(backup.startedAt)
        var mark = countedBefore ?? dayStart
        if countedBefore == nil {
            try connection.run(Self.startTotal, [.text(backup.instanceId), .int(dayStart), .int(span)])
        } else if mark < dayStart {
            try connection.run(Self.advanceTotal, [.text(backup.instanceId), .int(dayStart), .int(span)])
            mark = dayStart
        } else if span > longest ?? 0 {
            try connection.run(Self.widenLongest, [.text(backup.instanceId), .int(span)])
        }
        try connection.run(
            Self.insertBackup,
            [
                .text(backup.product.rawValue), .text(backup.instanceId), .text(backup.accountId), .text(backup.method),
                .text(backup.backupType), backup.strategy.map(SQLValue.text) ?? .null,
                backup.databaseNames.map(SQLValue.text) ?? .null, backup.retentionDays.map(SQLValue.int) ?? .null,
                .int(backup.startedAt), .int(backup.finishesAt), .int(backup.duration),
                backup.outcome.failStage.map(SQLValue.text) ?? .null, backup.outcome.holdStage.map(SQLValue.text) ?? .null,
                backup.outcome.holdUntil.map(SQLValue.int) ?? .null,
            ])
        var stored = backup
        stored.sequence = connection.lastInsertedRowID
        if backup.startedAt < mark {
            try connection.run(Self.countBackup, [.text(backup.instanceId)])
        }
        return stored
    }

    private static let insertBackup = SQLStatement(
        """
        INSERT OR ROLLBACK INTO backups (product, instance_id, account_id, method, backup_type, strategy,
                                         database_names, retention_days, started_at, finishes_at, duration, fail_stage,
                                         hold_stage, hold_until)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
        """)

    private static let totalMark = SQLStatement("SELECT counted_before, longest FROM backup_totals WHERE instance_id = ?1")

    /// An instance's first total: its undeleted backups started before `?2` and its longest task, the new one's
    /// (`?3`) included (none before it, unless written behind our back).
    private static let startTotal = SQLStatement(
        """
        INSERT OR ROLLBACK INTO backup_totals (instance_id, undeleted, counted_before, longest)
        VALUES (?1, (SELECT count(*) FROM backups WHERE instance_id = ?1 AND started_at < ?2 AND deleted_at IS NULL), ?2,
                max(?3, coalesce((SELECT max(finishes_at - started_at) FROM backups WHERE instance_id = ?1), 0)))
        """)

    /// Counts the undeleted backups started from `counted_before` to `?2`, moves `counted_before` to `?2`, and
    /// widens `longest` to the new backup's `?3`.
    private static let advanceTotal = SQLStatement(
        """
        UPDATE OR ROLLBACK backup_totals
        SET undeleted = undeleted + (SELECT count(*) FROM backups b WHERE b.instance_id = ?1
                                     AND b.started_at >= backup_totals.counted_before AND b.started_at < ?2
                                     AND b.deleted_at IS NULL),
            counted_before = ?2, longest = max(longest, ?3)
        WHERE instance_id = ?1
        """)

    private static let widenLongest = SQLStatement(
        "UPDATE OR ROLLBACK backup_totals SET longest = max(longest, ?2) WHERE instance_id = ?1")

    /// How far back a running task is looked for when an instance has no total (and so no longest task): anywhere.
    static let unboundedSpan: Int64 = 1 << 62

    private static let countBackup = SQLStatement(
        "UPDATE OR ROLLBACK backup_totals SET undeleted = undeleted + 1 WHERE instance_id = ?1")

    static let millisecondsPerDay: Int64 = 86_400_000

    /// The start of the UTC day of `instant` (milliseconds since the epoch; earlier instants too).
    static func startOfDay(_ instant: Int64) -> Int64 {
        instant - ((instant % millisecondsPerDay) + millisecondsPerDay) % millisecondsPerDay
    }

}
