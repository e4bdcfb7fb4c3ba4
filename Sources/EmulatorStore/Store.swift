/// Why a state file cannot be used.
public struct StoreOpenError: Error, CustomStringConvertible {
    public let description: String
}

/// The emulator's state in SQLite. Every SQL statement of the emulator is in this module: the schema in
/// `Migrations.swift`, the reads and writes in the `StoreTransaction` extensions (`Store+Instances.swift`, ...).
///
/// State changes happen only inside `transaction { }`, which holds the store's lock and SQLite's write
/// lock from the first read to the end: a rule check and the write it guards are one atomic step, whichever
/// thread runs it.
///
/// With group commit, transactions are savepoints of one shared write transaction that `commitBatch()`
/// commits: the server calls it after each batch of requests, before it sends their replies, so that one
/// commit (one write to the WAL) serves many requests and no reply acknowledges an uncommitted write.
public final class Store: @unchecked Sendable {
    // @unchecked: `connection`, `batchOpen`, `failedBatches`, `runningBodies` and `commitFailure` are used only while
    // `lock` is held.

    /// The schema's version (its number of migrations); a file with a newer version is refused.
    public static let schemaVersion = Schema.version
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
    private var commitFailure: (any Error)?

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
        guard objects == 0 else {
            try Schema.migrate(connection, from: version)
            return false
        }
        // A new state: every migration from version 0, then the mark that says whose file it is.
        try connection.transaction {
            try Schema.migrate(connection, from: 0)
            try connection.execute("PRAGMA application_id = \(applicationID)")
        }
        return true
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

    /// Why the last `commitBatch()` failed to commit, once (then nil): for the log of the caller whose commit it was.
    public func takeCommitFailure() -> (any Error)? {
        lock.withLock {
            defer { commitFailure = nil }
            return commitFailure
        }
    }

    /// How many statements prepared from SQL text the connection keeps (bounded; see `SQLiteConnection`).
    var cachedStatementCount: Int { lock.withLock { connection.cachedStatementCount } }

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
                do { try connection.commitBatch() } catch {
                    failedBatches += 1
                    commitFailure = error
                }
            }
            return failedBatches
        }
    }
}

/// What can be read and written inside a transaction (`Store.transaction`). Its reads and writes are extensions
/// by concern: instances, backups (admission and insert), backup sets (the Describe reads), scripted outcomes.
public struct StoreTransaction {
    let connection: SQLiteConnection
}
