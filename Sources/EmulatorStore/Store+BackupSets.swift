/// Reading backups and backup sets (the Describe operations), and deleting a set.
extension StoreTransaction {
    static let backupColumns = """
        sequence, product, instance_id, account_id, method, backup_type, strategy, database_names,
        retention_days, started_at, finishes_at, duration, fail_stage, hold_stage, hold_until, deleted_at
        """

    static func backup(_ row: SQLiteRow) -> BackupRecord {
        BackupRecord(
            sequence: row.int(0), product: Product(rawValue: row.text(1)) ?? .rds, instanceId: row.text(2),
            accountId: row.text(3), method: row.text(4), backupType: row.text(5), strategy: row.optionalText(6),
            databaseNames: row.optionalText(7), retentionDays: row.optionalInt(8), startedAt: row.int(9),
            finishesAt: row.int(10), duration: row.int(11),
            outcome: BackupOutcome(failStage: row.optionalText(12), holdStage: row.optionalText(13), holdUntil: row.optionalInt(14)),
            deletedAt: row.optionalInt(15))
    }

    /// Every backup of the instance, deleted ones included, oldest first.
    public func backups(instanceId: String) throws -> [BackupRecord] {
        try connection.query(
            "SELECT \(Self.backupColumns) FROM backups WHERE instance_id = ?1 ORDER BY sequence", [.text(instanceId)],
            read: Self.backup)
    }

    /// The backup sets the filter selects, newest first, at most `limit` after skipping `offset`, and
    /// how many it selects in all.
    public func backupSets(_ filter: BackupSetFilter, limit: Int, offset: Int) throws
        -> (page: [BackupRecord], total: Int)
    {
        var conditions =
            "instance_id = ?1 AND deleted_at IS NULL AND started_at >= ?2 AND started_at <= ?3 AND finishes_at <= ?4"
        var arguments: [SQLValue] = [
            .text(filter.instanceId), .int(filter.startedFrom), .int(filter.until), .int(filter.endedBy),
        ]
        if let failed = filter.failed { conditions += failed ? " AND fail_stage IS NOT NULL" : " AND fail_stage IS NULL" }
        if let sequences = filter.sequences {
            let first = arguments.count + 1
            conditions += " AND sequence IN (\((0..<sequences.count).map { "?\(first + $0)" }.joined(separator: ", ")))"
            arguments += sequences.map(SQLValue.int)
            if sequences.isEmpty { return ([], 0) }
        }
        let total: Int64
        if filter.isUnfiltered {
            // Every undeleted set but those whose task has not ended (one at a time per instance: few). The total
            // counts those started before its mark; the others started since a day began, at most (see `insert`).
            let (counted, mark, longest) = try connection.query(
                "SELECT undeleted, counted_before, longest FROM backup_totals WHERE instance_id = ?1",
                [.text(filter.instanceId)]
            ) { ($0.int(0), $0.int(1), $0.int(2)) }.first ?? (0, Int64.min, Self.unboundedSpan)
            let since = try connection.query(
                "SELECT count(*) FROM backups WHERE instance_id = ?1 AND started_at >= ?2 AND deleted_at IS NULL",
                [.text(filter.instanceId), .int(mark)]
            ) { $0.int(0) }.first ?? 0
            let undeleted = counted + since
            // A set not ended at `endedBy` started after `endedBy` minus the longest task (see `version9`).
            let unended = try connection.query(
                """
                SELECT count(*) FROM backups
                WHERE instance_id = ?1 AND started_at > ?2 - ?3 AND finishes_at > ?2 AND deleted_at IS NULL
                """,
                [.text(filter.instanceId), .int(filter.endedBy), .int(longest)]
            ) { $0.int(0) }.first ?? 0
            total = undeleted - unended
        } else {
            total = try connection.query("SELECT count(*) FROM backups WHERE \(conditions)", arguments) { $0.int(0) }.first ?? 0
        }
        let paging = arguments.count
        let page = try connection.query(
            "SELECT \(Self.backupColumns) FROM backups WHERE \(conditions) ORDER BY started_at DESC, sequence DESC "
                + "LIMIT ?\(paging + 1) OFFSET ?\(paging + 2)",
            arguments + [.int(Int64(limit)), .int(Int64(offset))], read: Self.backup)
        return (page, Int(total))
    }

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

    public func markDeleted(sequence: Int64, at now: Int64) throws {
        let deleted = try connection.query(
            "UPDATE backups SET deleted_at = ?2 WHERE sequence = ?1 AND deleted_at IS NULL RETURNING instance_id, started_at",
            [.int(sequence), .int(now)]
        ) { ($0.text(0), $0.int(1)) }
        for (id, startedAt) in deleted {
            // Only a backup the total counts: one started since its mark is counted when the total is read.
            try connection.run(
                "UPDATE backup_totals SET undeleted = undeleted - 1 WHERE instance_id = ?1 AND counted_before > ?2",
                [.text(id), .int(startedAt)])
        }
    }
}
