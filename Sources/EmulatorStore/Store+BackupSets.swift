/// Reading backups and backup sets (the Describe operations), and deleting a set.
extension StoreTransaction {
    static let backupColumns = """
        sequence, product, instance_id, account_id, method, backup_type, strategy, database_names,
        retention_days, started_at, finishes_at, duration, fail_stage, hold_stage, hold_until, deleted_at,
        instance_databases, expires_at
        """

    static func backup(_ row: SQLiteRow) -> BackupRecord {
        var backup = BackupRecord(
            sequence: row.int(0), product: Product(rawValue: row.text(1)) ?? .rds, instanceId: row.text(2),
            accountId: row.text(3), method: row.text(4), backupType: row.text(5), strategy: row.optionalText(6),
            databaseNames: row.optionalText(7), retentionDays: row.optionalInt(8), startedAt: row.int(9),
            finishesAt: row.int(10), duration: row.int(11),
            outcome: BackupOutcome(failStage: row.optionalText(12), holdStage: row.optionalText(13), holdUntil: row.optionalInt(14)),
            deletedAt: row.optionalInt(15))
        backup.instanceDatabases = row.optionalText(16).map(databaseList)
        backup.expiresAt = row.optionalInt(17)
        return backup
    }

    /// Every backup of the instance, deleted ones included, oldest first.
    public func backups(instanceId: String) throws -> [BackupRecord] {
        try connection.query(
            "SELECT \(Self.backupColumns) FROM backups WHERE instance_id = ?1 ORDER BY sequence", [.text(instanceId)],
            read: Self.backup)
    }

    /// One page of the instance's backups, deleted ones included, oldest first: at most `limit` after skipping
    /// `offset`; and how many the instance has in all.
    public func backups(instanceId: String, limit: Int, offset: Int) throws -> (page: [BackupRecord], total: Int) {
        let total = try connection.query(Self.countBackups, [.text(instanceId)]) { $0.int(0) }.first ?? 0
        let page = try connection.query(
            Self.backupPage, [.text(instanceId), .int(Int64(limit)), .int(Int64(offset))], read: Self.backup)
        return (page, Int(total))
    }

    private static let countBackups = SQLStatement("SELECT count(*) FROM backups WHERE instance_id = ?1")
    private static let backupPage = SQLStatement(
        "SELECT \(backupColumns) FROM backups WHERE instance_id = ?1 ORDER BY sequence LIMIT ?2 OFFSET ?3")

    /// The backup sets the filter selects, newest first, at most `limit` after skipping `offset`, and
    /// how many it selects in all (0 without `counting`: a count over a wide range costs a walk of it). A set is
    /// selected until it expires (`expires_at`, by the clock's reading `endedBy`).
    ///
    /// The statement's text depends only on which filters are set, never on their values: a list of sequence
    /// numbers is bound as one JSON array, so that the statement cache holds a handful of texts, whatever the
    /// lists clients send.
    public func backupSets(_ filter: BackupSetFilter, limit: Int, offset: Int, counting: Bool = true) throws
        -> (page: [BackupRecord], total: Int)
    {
        var conditions = """
            instance_id = ?1 AND deleted_at IS NULL AND started_at >= ?2 AND started_at <= ?3 AND finishes_at <= ?4
                AND (expires_at IS NULL OR expires_at > ?4)
            """
        var arguments: [SQLValue] = [
            .text(filter.instanceId), .int(filter.startedFrom), .int(filter.until), .int(filter.endedBy),
        ]
        if let failed = filter.failed { conditions += failed ? " AND fail_stage IS NOT NULL" : " AND fail_stage IS NULL" }
        if let sequences = filter.sequences {
            if sequences.isEmpty { return ([], 0) }
            conditions += " AND sequence IN (SELECT value FROM json_each(?5))"
            arguments.append(.text("[" + sequences.map(String.init).joined(separator: ",") + "]"))
        }
        let counted = !counting ? 0 : filter.isUnfiltered ? try unfilteredTotal(filter) : nil
        let total = try counted ?? connection.query("SELECT count(*) FROM backups WHERE \(conditions)", arguments) { $0.int(0) }.first ?? 0
        // With the total known, the walk stops at the last set there is, rather than going on through the expired
        // ones (older, as a rule) in search of more.
        let wanted = counting ? min(Int64(limit), max(0, total - Int64(offset))) : Int64(limit)
        if wanted == 0 { return ([], Int(total)) }
        let paging = arguments.count
        let page = try connection.query(
            "SELECT \(Self.backupColumns) FROM backups WHERE \(conditions) ORDER BY started_at DESC, sequence DESC "
                + "LIMIT ?\(paging + 1) OFFSET ?\(paging + 2)",
            arguments + [.int(wanted), .int(Int64(offset))], read: Self.backup)
        return (page, Int(total))
    }

    /// Every undeleted set of the instance but those whose task has not ended at `endedBy` and those expired by then,
    /// from its total: constant cost, however many backups it has. A set not ended at `endedBy` started after
    /// `endedBy` minus the instance's longest task, so those are a short range of the start index (one task at a time
    /// per instance: few). The expired ones are the total's `expired` count, which holds for its `expired_by`
    /// instant: the sets whose expiry lies between that instant and `endedBy` are counted over the expiry index
    /// and the count moved to `endedBy` (written only when it changes), so each set's expiry is counted about
    /// once while the clock goes forward, and the count follows a clock set back the same way. Nil for an
    /// instance without a total (its backups are then counted).
    private func unfilteredTotal(_ filter: BackupSetFilter) throws -> Int64? {
        guard
            let (undeleted, longest, expired, expiredBy) = try connection.query(Self.totalRow, [.text(filter.instanceId)], read: {
                ($0.int(0), $0.int(1), $0.int(2), $0.int(3))
            }).first
        else { return nil }
        let now = filter.endedBy
        let unended = try connection.query(Self.unendedSets, [.text(filter.instanceId), .int(now), .int(longest)]) {
            $0.int(0)
        }.first ?? 0
        var expiredNow = expired
        if now != expiredBy {
            let (low, high) = now > expiredBy ? (expiredBy, now) : (now, expiredBy)
            let between = try connection.query(Self.expiringBetween, [.text(filter.instanceId), .int(low), .int(high)]) {
                $0.int(0)
            }.first ?? 0
            if between != 0 {
                expiredNow += now > expiredBy ? between : -between
                try connection.run(Self.moveExpired, [.text(filter.instanceId), .int(expiredNow), .int(now)])
            }
        }
        return undeleted - unended - expiredNow
    }

    private static let totalRow = SQLStatement(
        "SELECT undeleted, longest, expired, expired_by FROM backup_totals WHERE instance_id = ?1")
    private static let unendedSets = SQLStatement(
        """
        SELECT count(*) FROM backups
        WHERE instance_id = ?1 AND started_at > ?2 - ?3 AND finishes_at > ?2 AND deleted_at IS NULL
        """)
    /// Undeleted sets expiring in `(?2, ?3]`, over the expiry index.
    private static let expiringBetween = SQLStatement(
        """
        SELECT count(*) FROM backups
        WHERE instance_id = ?1 AND expires_at > ?2 AND expires_at <= ?3 AND deleted_at IS NULL
        """)
    private static let moveExpired = SQLStatement(
        "UPDATE OR ROLLBACK backup_totals SET expired = ?2, expired_by = ?3 WHERE instance_id = ?1")

    /// One backup by sequence number, if it belongs to the instance.
    public func backup(sequence: Int64, instanceId: String) throws -> BackupRecord? {
        try connection.query(
            "SELECT \(Self.backupColumns) FROM backups WHERE sequence = ?1 AND instance_id = ?2",
            [.int(sequence), .text(instanceId)], read: Self.backup
        ).first
    }

    /// The instance's tasks still running at `now`, oldest first.
    public func runningBackups(instanceId: String, at now: Int64) throws -> [BackupRecord] {
        try connection.query(
            """
            SELECT \(Self.backupColumns) FROM backups
            WHERE instance_id = ?1 AND started_at <= ?2 AND finishes_at > ?2
                AND started_at > ?2 - coalesce((SELECT longest FROM backup_totals WHERE instance_id = ?1), ?3)
            ORDER BY sequence
            """,
            [.text(instanceId), .int(now), .int(Self.unboundedSpan)], read: Self.backup)
    }

    /// Marks a set deleted (its task still counts for the daily quota) and takes it off its instance's total (and
    /// off the total's expired count, if counted there).
    public func markDeleted(sequence: Int64, at now: Int64) throws {
        let deleted = try connection.query(
            "UPDATE backups SET deleted_at = ?2 WHERE sequence = ?1 AND deleted_at IS NULL RETURNING instance_id, expires_at",
            [.int(sequence), .int(now)]
        ) { ($0.text(0), $0.optionalInt(1)) }
        for (id, expiresAt) in deleted {
            try connection.run(
                """
                UPDATE backup_totals SET undeleted = undeleted - 1,
                    expired = expired - CASE WHEN ?2 <= expired_by THEN 1 ELSE 0 END
                WHERE instance_id = ?1
                """, [.text(id), expiresAt.map(SQLValue.int) ?? .null])
        }
    }
}
