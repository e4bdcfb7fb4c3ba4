/// Why a state file cannot be used.
public struct StoreOpenError: Error, CustomStringConvertible {
    public let description: String
}

/// The emulator's state in SQLite. Every SQL statement of the emulator is in this file.
///
/// State changes happen only inside `transaction { }`, which holds the store's lock and SQLite's write
/// lock from the first read to the end: a rule check and the write it guards are one atomic step, whichever
/// thread runs it.
///
/// With group commit, transactions are savepoints of one shared write transaction that `commitBatch()`
/// commits: the server calls it after each batch of requests, before it sends their replies, so that one
/// commit (one write to the WAL) serves many requests and no reply acknowledges an uncommitted write.
public final class Store: @unchecked Sendable {
    // @unchecked: `connection`, `batchOpen`, `failedBatches` and `runningBodies` are used only while `lock` is held.

    /// Bumped whenever the schema changes; a file with a newer version is refused.
    public static let schemaVersion = 9
    /// Marks a SQLite file as ours (`PRAGMA application_id`, "ADBE").
    static let applicationID: Int64 = 0x4144_4245

    public let path: String
    /// True when this open created the schema, i.e. the state is empty and wants seeding.
    public let isNew: Bool
    public let groupCommit: Bool
    private let connection: SQLiteConnection
    private let lock = RecursiveLock()
    private var batchOpen = false
    private var failedBatches = 0
    private var runningBodies = 0

    /// Opens (or creates) the state; `:memory:` keeps it in memory.
    public init(path: String, groupCommit: Bool = false) throws {
        self.path = path
        self.groupCommit = groupCommit
        let connection: SQLiteConnection
        do {
            connection = try path == ":memory:" ? SQLiteConnection.inMemory() : SQLiteConnection(path: path)
            try connection.execute("PRAGMA busy_timeout = 5000")
            if path != ":memory:" {
                // WAL + NORMAL: a commit reaches the OS before the reply is sent, so an acknowledged
                // write survives the process being killed (only a power cut could lose it).
                try connection.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL")
            }
        } catch let error as SQLiteError {
            throw StoreOpenError(description: "cannot open state file \(path): \(error.message)")
        }
        self.connection = connection
        self.isNew = try Self.prepareSchema(connection, path: path)
    }

    private static func prepareSchema(_ connection: SQLiteConnection, path: String) throws -> Bool {
        let version: Int64
        let application: Int64
        let objects: Int64
        do {
            version = try connection.query("PRAGMA user_version") { $0.int(0) }.first ?? 0
            application = try connection.query("PRAGMA application_id") { $0.int(0) }.first ?? 0
            objects = try connection.query("SELECT count(*) FROM sqlite_master") { $0.int(0) }.first ?? 0
        } catch let error as SQLiteError {
            throw StoreOpenError(description: "cannot read state file \(path): \(error.message)")
        }
        if objects > 0 && application != applicationID {
            throw StoreOpenError(description: "\(path) is a SQLite file, but not an aliyun-db-emulator state file")
        }
        if version > schemaVersion {
            throw StoreOpenError(
                description:
                    "state file \(path) has schema version \(version), newer than this emulator's \(schemaVersion); "
                    + "run a newer aliyun-db-emulator or start from a new state file")
        }
        if objects > 0 {
            try migrate(connection, from: version)
            return false
        }
        try connection.transaction {
            try connection.execute(
                """
                CREATE TABLE instances (
                    instance_id    TEXT PRIMARY KEY,
                    product        TEXT NOT NULL,
                    account_id     TEXT NOT NULL,
                    region_id      TEXT NOT NULL,
                    engine         TEXT NOT NULL,
                    engine_version TEXT NOT NULL,
                    status         TEXT NOT NULL,
                    instance_type  TEXT NOT NULL,
                    storage_type   TEXT NOT NULL,
                    lock_mode      TEXT NOT NULL,
                    kind_code      TEXT,
                    databases      TEXT NOT NULL,
                    attributes     TEXT NOT NULL
                );
                CREATE TABLE backups (
                    sequence       INTEGER PRIMARY KEY AUTOINCREMENT,
                    product        TEXT NOT NULL,
                    instance_id    TEXT NOT NULL,
                    account_id     TEXT NOT NULL,
                    method         TEXT NOT NULL,
                    backup_type    TEXT NOT NULL,
                    strategy       TEXT,
                    database_names TEXT,
                    retention_days INTEGER,
                    started_at     INTEGER NOT NULL,
                    finishes_at    INTEGER NOT NULL
                );
                CREATE INDEX backups_by_start ON backups (instance_id, started_at);
                CREATE INDEX backups_by_finish ON backups (instance_id, finishes_at);
                \(lifecycleColumns)
                \(backupTotals)
                \(version5)
                \(version6)
                \(version7)
                \(version8)
                \(version9)
                PRAGMA user_version = \(schemaVersion);
                PRAGMA application_id = \(applicationID);
                """)
        }
        return true
    }

    /// What a backup needs for its lifecycle (version 3): its planned duration, a scripted outcome,
    /// deletion; and the outcome scripted for an instance's next backup.
    private static let lifecycleColumns = """
        ALTER TABLE backups ADD COLUMN duration INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE backups ADD COLUMN fail_stage TEXT;
        ALTER TABLE backups ADD COLUMN hold_stage TEXT;
        ALTER TABLE backups ADD COLUMN hold_until INTEGER;
        ALTER TABLE backups ADD COLUMN deleted_at INTEGER;
        UPDATE backups SET duration = finishes_at - started_at;
        CREATE TABLE next_backup_outcomes (
            instance_id TEXT PRIMARY KEY,
            fail_stage  TEXT,
            hold_stage  TEXT,
            hold_until  INTEGER
        );
        """

    /// How many undeleted backups each instance has (version 4), so that an unfiltered DescribeBackups
    /// counts its sets in constant time, whatever the history.
    private static let backupTotals = """
        CREATE TABLE backup_totals (
            instance_id TEXT PRIMARY KEY,
            undeleted   INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO backup_totals (instance_id, undeleted)
            SELECT instance_id, count(*) FROM backups WHERE deleted_at IS NULL GROUP BY instance_id;
        """

    /// Version 5: nonces live in memory (versions 2–4 kept them in a table). Backups are numbered without
    /// AUTOINCREMENT, whose bookkeeping row cost every insert a second write: the highest number ever
    /// used is read from the table itself, and `backup_sequence` keeps it across deletions. Totals are
    /// recounted, since version 4 lost an instance's total when a scripted outcome was taken.
    private static let version5 = """
        DROP TABLE IF EXISTS nonces;
        CREATE TABLE backup_sequence (last INTEGER NOT NULL);
        INSERT INTO backup_sequence (last) VALUES (coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'backups'), 0));
        CREATE TABLE backups_v5 (
            sequence       INTEGER PRIMARY KEY,
            product        TEXT NOT NULL,
            instance_id    TEXT NOT NULL,
            account_id     TEXT NOT NULL,
            method         TEXT NOT NULL,
            backup_type    TEXT NOT NULL,
            strategy       TEXT,
            database_names TEXT,
            retention_days INTEGER,
            started_at     INTEGER NOT NULL,
            finishes_at    INTEGER NOT NULL,
            duration       INTEGER NOT NULL DEFAULT 0,
            fail_stage     TEXT,
            hold_stage     TEXT,
            hold_until     INTEGER,
            deleted_at     INTEGER
        );
        INSERT INTO backups_v5
            SELECT sequence, product, instance_id, account_id, method, backup_type, strategy, database_names,
                   retention_days, started_at, finishes_at, duration, fail_stage, hold_stage, hold_until, deleted_at
            FROM backups;
        DROP TABLE backups;
        ALTER TABLE backups_v5 RENAME TO backups;
        CREATE INDEX backups_by_start ON backups (instance_id, started_at);
        CREATE INDEX backups_by_finish ON backups (instance_id, finishes_at);
        DELETE FROM backup_totals;
        INSERT INTO backup_totals (instance_id, undeleted)
            SELECT instance_id, count(*) FROM backups WHERE deleted_at IS NULL GROUP BY instance_id;
        """

    /// Version 6: instances and scripted outcomes are `WITHOUT ROWID` tables, kept in the order of their
    /// instance id. CreateBackup's admission then finds an instance in one B-tree search instead of two (its
    /// primary-key index, then the table by rowid).
    private static let version6 = """
        CREATE TABLE instances_v6 (
            instance_id    TEXT PRIMARY KEY,
            product        TEXT NOT NULL,
            account_id     TEXT NOT NULL,
            region_id      TEXT NOT NULL,
            engine         TEXT NOT NULL,
            engine_version TEXT NOT NULL,
            status         TEXT NOT NULL,
            instance_type  TEXT NOT NULL,
            storage_type   TEXT NOT NULL,
            lock_mode      TEXT NOT NULL,
            kind_code      TEXT,
            databases      TEXT NOT NULL,
            attributes     TEXT NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO instances_v6
            SELECT instance_id, product, account_id, region_id, engine, engine_version, status, instance_type,
                   storage_type, lock_mode, kind_code, databases, attributes
            FROM instances;
        DROP TABLE instances;
        ALTER TABLE instances_v6 RENAME TO instances;
        CREATE TABLE next_backup_outcomes_v6 (
            instance_id TEXT PRIMARY KEY,
            fail_stage  TEXT,
            hold_stage  TEXT,
            hold_until  INTEGER
        ) WITHOUT ROWID;
        INSERT INTO next_backup_outcomes_v6
            SELECT instance_id, fail_stage, hold_stage, hold_until FROM next_backup_outcomes;
        DROP TABLE next_backup_outcomes;
        ALTER TABLE next_backup_outcomes_v6 RENAME TO next_backup_outcomes;
        """

    /// Version 7: SQLite numbers backups itself (the highest number in the table, plus one), so an insert reads
    /// nothing else to number its row (`backup_sequence` cost every insert two more cursors and B-tree searches).
    /// Deletions keep numbers from being given again by leaving the highest in the table, as a placeholder row
    /// that belongs to no instance (see `keepingHighestSequence`).
    private static let version7 = """
        INSERT INTO backups (sequence, product, instance_id, account_id, method, backup_type, started_at, finishes_at,
                             deleted_at)
            SELECT last, '', '', '', '', '', 0, 0, 0 FROM backup_sequence
            WHERE last > coalesce((SELECT max(sequence) FROM backups), 0);
        DROP TABLE backup_sequence;
        """

    /// Version 8: an instance's total counts the backups started before `counted_before`; later ones are counted
    /// when the total is read, over the start index (see `insert`). An insert so no longer writes the total: only
    /// an instance's first backup of a UTC day does, moving `counted_before` to that day's start. Upgraded rows
    /// count every backup they counted before.
    private static let version8 = """
        ALTER TABLE backup_totals ADD COLUMN counted_before INTEGER NOT NULL DEFAULT 0;
        UPDATE backup_totals SET counted_before =
            coalesce((SELECT max(started_at) + 1 FROM backups b WHERE b.instance_id = backup_totals.instance_id), 0);
        """

    /// Version 9: no index by finish. A task runs from its start until its finish, so one running at `t` started
    /// after `t` minus the instance's longest task (`longest`: the most any of its backups took from start to
    /// finish, kept with its total): the index by start finds it in that short range, and each accepted backup
    /// has one index entry to write instead of two. The index by start carries each backup's finish, so that the
    /// range is read from the index alone: with a raised quota it can hold thousands of short backups. An instance
    /// without a total has no bound (its whole range).
    private static let version9 = """
        ALTER TABLE backup_totals ADD COLUMN longest INTEGER NOT NULL DEFAULT 0;
        UPDATE backup_totals SET longest = coalesce(
            (SELECT max(finishes_at - started_at) FROM backups b WHERE b.instance_id = backup_totals.instance_id), 0);
        DROP INDEX IF EXISTS backups_by_finish;
        DROP INDEX IF EXISTS backups_by_start;
        CREATE INDEX backups_by_start ON backups (instance_id, started_at, finishes_at);
        """

    /// Brings an older state file up to the current schema, in one transaction.
    private static func migrate(_ connection: SQLiteConnection, from version: Int64) throws {
        guard version < schemaVersion else { return }
        try connection.transaction {
            if version < 3 { try connection.execute(lifecycleColumns) }
            if version < 4 { try connection.execute(backupTotals) }
            if version < 5 { try connection.execute(version5) }
            if version < 6 { try connection.execute(version6) }
            if version < 7 { try connection.execute(version7) }
            if version < 8 { try connection.execute(version8) }
            if version < 9 { try connection.execute(version9) }
            try connection.execute("PRAGMA user_version = \(schemaVersion)")
        }
    }

    /// Runs `body` as one write transaction: committed if it returns (with group commit, by the next
    /// `commitBatch()`), rolled back if it throws.
    ///
    /// With group commit, a transaction is not a savepoint of its own (two statements and a page journal
    /// per request): the operations check their rules before they write, so one that throws has, as a rule,
    /// written nothing. If it had (a storage error midway), the whole batch is rolled back and counted as
    /// failed, so that no reply of the batch reports success. For the same reason the hot writes are
    /// `OR ROLLBACK`: SQLite then keeps no statement journal for them.
    public func transaction<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        try lock.withLock {
            // Nested inside another transaction: a savepoint, as without group commit.
            guard groupCommit, runningBodies == 0 else {
                return try connection.transaction { try body(StoreTransaction(connection: connection)) }
            }
            if !batchOpen {
                try connection.beginBatch()
                batchOpen = true
            }
            let changesBefore = connection.totalChanges
            runningBodies += 1
            defer { runningBodies -= 1 }
            do {
                return try body(StoreTransaction(connection: connection))
            } catch {
                if connection.totalChanges != changesBefore || connection.isAutocommit {
                    connection.rollbackBatch()
                    batchOpen = false
                    failedBatches += 1
                }
                throw error
            }
        }
    }

    /// Runs `body` holding the store's lock: its transactions do not wait on other threads one by one.
    public func exclusively<T>(_ body: () throws -> T) rethrows -> T {
        try lock.withLock(body)
    }

    /// Commits what the transactions since the last call wrote (group commit). Returns how many batches
    /// have failed to commit since the store opened: a caller that sees the number change since its
    /// previous call must not acknowledge what it wrote in between.
    @discardableResult
    public func commitBatch() -> Int {
        lock.withLock {
            if batchOpen {
                batchOpen = false
                do { try connection.commitBatch() } catch { failedBatches += 1 }
            }
            return failedBatches
        }
    }
}

/// What can be read and written inside a transaction.
public struct StoreTransaction {
    fileprivate let connection: SQLiteConnection

    // MARK: Instances

    private static let instanceColumns = """
        instance_id, product, account_id, region_id, engine, engine_version, status, instance_type,
        storage_type, lock_mode, kind_code, databases, attributes
        """

    public func instance(_ instanceId: String, product: Product) throws -> InstanceRecord? {
        try connection.query(
            "SELECT \(Self.instanceColumns) FROM instances WHERE instance_id = ?1 AND product = ?2",
            [.text(instanceId), .text(product.rawValue)], read: Self.instance
        ).first
    }

    public func instance(_ instanceId: String) throws -> InstanceRecord? {
        try connection.query(
            "SELECT \(Self.instanceColumns) FROM instances WHERE instance_id = ?1", [.text(instanceId)],
            read: Self.instance
        ).first
    }

    public func instances() throws -> [InstanceRecord] {
        try connection.query("SELECT \(Self.instanceColumns) FROM instances ORDER BY instance_id", read: Self.instance)
    }

    /// The instances of one product and account, in id order.
    public func instances(product: Product, accountId: String) throws -> [InstanceRecord] {
        try connection.query(
            "SELECT \(Self.instanceColumns) FROM instances WHERE product = ?1 AND account_id = ?2 ORDER BY instance_id",
            [.text(product.rawValue), .text(accountId)], read: Self.instance)
    }

    /// Inserts the instance, or replaces the one with the same id (its backups stay).
    public func put(_ instance: InstanceRecord) throws {
        try connection.run(
            "INSERT OR REPLACE INTO instances (\(Self.instanceColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            [
                .text(instance.instanceId), .text(instance.product.rawValue), .text(instance.accountId),
                .text(instance.regionId), .text(instance.engine), .text(instance.engineVersion), .text(instance.status),
                .text(instance.instanceType), .text(instance.storageType), .text(instance.lockMode),
                instance.kindCode.map(SQLValue.text) ?? .null, .text(instance.databases.joined(separator: ",")),
                .text(instance.attributesJSON),
            ])
    }

    /// Deletes the instance and its backups; false when there was no such instance.
    public func deleteInstance(_ instanceId: String) throws -> Bool {
        try keepingHighestSequence {
            try connection.run("DELETE FROM backups WHERE instance_id = ?1", [.text(instanceId)])
        }
        try connection.run("DELETE FROM next_backup_outcomes WHERE instance_id = ?1", [.text(instanceId)])
        try connection.run("DELETE FROM backup_totals WHERE instance_id = ?1", [.text(instanceId)])
        return try connection.run("DELETE FROM instances WHERE instance_id = ?1", [.text(instanceId)]) > 0
    }

    /// Empties the state (backup sequence numbers keep counting, so ids are never reused).
    public func deleteEverything() throws {
        try keepingHighestSequence { try connection.run("DELETE FROM backups") }
        try connection.run("DELETE FROM next_backup_outcomes")
        try connection.run("DELETE FROM backup_totals")
        try connection.run("DELETE FROM instances")
    }

    /// Runs `deletion`, then puts back the highest sequence number it removed as a placeholder row: SQLite numbers
    /// a new backup one past the highest number in the table, and a number must never be given twice. The
    /// placeholder has an empty instance id and product, which no instance has, so no query of an instance's
    /// backups sees it; older placeholders go.
    private func keepingHighestSequence(_ deletion: () throws -> Void) throws {
        let highest = try connection.query(Self.highestSequence) { $0.optionalInt(0) }.first ?? nil
        try deletion()
        guard let highest else { return }
        try connection.run(
            """
            INSERT INTO backups (sequence, product, instance_id, account_id, method, backup_type, started_at,
                                 finishes_at, deleted_at)
            SELECT ?1, '', '', '', '', '', 0, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM backups WHERE sequence >= ?1)
            """, [.int(highest)])
        try connection.run("DELETE FROM backups WHERE instance_id = '' AND sequence < ?1", [.int(highest)])
    }

    private static let highestSequence = SQLStatement("SELECT max(sequence) FROM backups")

    private static func instance(_ row: SQLiteRow) -> InstanceRecord {
        var record = InstanceRecord(
            instanceId: row.text(0), product: Product(rawValue: row.text(1)) ?? .rds, accountId: row.text(2),
            regionId: row.text(3), engine: row.text(4), engineVersion: row.text(5), status: row.text(6),
            instanceType: row.text(7), storageType: row.text(8), lockMode: row.text(9), kindCode: row.optionalText(10),
            databases: databaseList(row.text(11)))
        record.attributesJSON = row.text(12)
        return record
    }

    /// Database names as stored: comma-separated.
    private static func databaseList(_ stored: String) -> [String] {
        stored.isEmpty ? [] : stored.utf8.split(separator: UInt8(ascii: ",")).map { String(Substring($0)) }
    }

    // MARK: Backups

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

    private static let backupColumns = """
        sequence, product, instance_id, account_id, method, backup_type, strategy, database_names,
        retention_days, started_at, finishes_at, duration, fail_stage, hold_stage, hold_until, deleted_at
        """

    private static func backup(_ row: SQLiteRow) -> BackupRecord {
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

    // MARK: Scripted outcomes

    /// What the instance's next backup will do; replaces any earlier script.
    public func setNextOutcome(_ outcome: BackupOutcome, instanceId: String) throws {
        try connection.run(
            "INSERT OR REPLACE INTO next_backup_outcomes (instance_id, fail_stage, hold_stage, hold_until) VALUES (?1, ?2, ?3, ?4)",
            [
                .text(instanceId), outcome.failStage.map(SQLValue.text) ?? .null,
                outcome.holdStage.map(SQLValue.text) ?? .null, outcome.holdUntil.map(SQLValue.int) ?? .null,
            ])
    }

    public func nextOutcome(instanceId: String) throws -> BackupOutcome? {
        try connection.query(
            "SELECT fail_stage, hold_stage, hold_until FROM next_backup_outcomes WHERE instance_id = ?1",
            [.text(instanceId)]
        ) { BackupOutcome(failStage: $0.optionalText(0), holdStage: $0.optionalText(1), holdUntil: $0.optionalInt(2)) }
        .first
    }

    /// Forgets what was scripted for the instance's next backup (it was used, or withdrawn).
    public func forgetNextOutcome(instanceId: String) throws {
        try connection.run("DELETE FROM next_backup_outcomes WHERE instance_id = ?1", [.text(instanceId)])
    }
}
