internal import CMimalloc
internal import CSQLite
import Synchronization

/// A failed SQLite call, with the result code, SQLite's message and the statement that failed (the shape of
/// GRDB's `DatabaseError`): what an internal failure's log line says.
public struct SQLiteError: Error, CustomStringConvertible {
    /// SQLite's extended result code (extended codes are on for every connection), e.g. 2067 for a UNIQUE constraint.
    public let code: Int32
    public let message: String
    /// The statement that failed; nil when no statement was involved (opening the file).
    public let sql: String?

    /// The primary result code, e.g. 19 (`SQLITE_CONSTRAINT`) for 2067.
    public var resultCode: Int32 { code & 0xff }

    /// The statement on one line, its runs of white space made single spaces, for a log line.
    public var statement: String? { sql.map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") } }

    public var description: String {
        statement.map { "SQLite error \(code): \(message) (in: \($0))" } ?? "SQLite error \(code): \(message)"
    }
}

/// A value bound to a statement parameter.
enum SQLValue {
    case int(Int64)
    case text(String)
    case null
}

/// SQLite's process-wide settings, made once before SQLite initialises (SQLite refuses them afterwards).
public enum SQLiteSettings {
    /// Applies the settings, or throws if SQLite refused one. `Emulator` calls it at start-up; every connection
    /// checks it before it opens, so the store's own users get the same.
    ///
    /// SQLite's allocations go straight to mimalloc (the process's malloc too, since it is linked): Debian's SQLite
    /// has no lookaside allocator, so each of its forty or so allocations a request is a malloc, and SQLite's own
    /// wrapper around malloc would add an 8-byte header to each. Allocation statistics are off: nothing reads
    /// them, and keeping them took a global mutex on every allocation.
    public static func apply() throws {
        if let refusal = sqliteSettingsRefusal { throw refusal }
    }

    /// Makes the settings; SQLite's refusal of one, or nil. Once SQLite has initialised, it refuses them all.
    static func make() -> SQLiteError? {
        var methods = sqlite3_mem_methods(
            xMalloc: { mi_malloc(Int($0)) },
            xFree: { mi_free($0) },
            xRealloc: { mi_realloc($0, Int($1)) },
            xSize: { Int32(truncatingIfNeeded: mi_usable_size($0)) },
            xRoundup: { Int32(truncatingIfNeeded: mi_good_size(Int($0))) },
            xInit: { _ in SQLITE_OK },
            xShutdown: { _ in },
            pAppData: nil)
        let allocator = csqlite_use_allocator(&methods)
        guard allocator == SQLITE_OK else {
            return SQLiteError(code: allocator, message: "SQLite refused mimalloc as its allocator", sql: nil)
        }
        let statistics = csqlite_disable_memory_statistics()
        guard statistics == SQLITE_OK else {
            return SQLiteError(code: statistics, message: "SQLite refused to turn its memory statistics off", sql: nil)
        }
        return nil
    }
}

/// Why SQLite refused its settings, or nil once they are made (a global `let` runs exactly once).
private let sqliteSettingsRefusal = SQLiteSettings.make()

/// A statement run often: each connection prepares it once and finds it again by its slot number, so
/// the hot path does not hash and compare its text (a few hundred bytes) on every call.
final class SQLStatement: Sendable {
    let sql: String
    let slot: Int

    init(_ sql: String) {
        self.sql = sql
        slot = Self.slots.add(1, ordering: .relaxed).oldValue
    }

    private static let slots = Atomic<Int>(0)
}

/// SQLite copies bound text at once with this destructor; the C macro does not import.
private let transientDestructor = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One SQLite connection and its prepared statements. Not thread-safe: its owner (the store) lets one
/// thread at a time use it.
final class SQLiteConnection {
    private let handle: OpaquePointer
    /// Statements prepared from SQL text, with when each was last used: at most `statementCacheLimit`, the least
    /// recently used finalised first. Texts are few (they never hold a client's values), but a bound keeps a text
    /// built from input, by mistake or by design, from holding memory for good.
    private var statements: [String: (statement: OpaquePointer, lastUse: UInt64)] = [:]
    private var uses: UInt64 = 0
    /// The most statements prepared from text kept at once (`SQLStatement`s have their own slots: a fixed set).
    static let statementCacheLimit = 64
    /// Prepared `SQLStatement`s, by slot.
    private var slots: [OpaquePointer?] = []
    /// How many `transaction` calls are open; nested ones are savepoints.
    private var depth = 0

    /// Opens the SQLite file at `path`, taken literally (not as a URI).
    convenience init(path: String) throws {
        try self.init(opening: path, flags: 0)
    }

    /// A private database in this process's memory, on SQLite's `memdb` VFS rather than `:memory:`.
    ///
    /// With `:memory:` every page stays in the page cache, and SQLite 3.40 walks that cache's whole hash
    /// table on each commit that grows the database (the cache's highest key is then the 1 GiB pending-byte
    /// page, so the truncation at commit cannot take its short path): measured, inserts slowed from 176k to
    /// 80k a second as a table grew to 600k rows. On `memdb` the database is one buffer and the page cache
    /// keeps its usual bound, so that walk stays short and inserts held 270k a second. Its journal is kept
    /// in memory: a rollback still works, and nothing is written next to the working directory.
    static func inMemory(limit: Int64 = inMemoryLimit) throws -> SQLiteConnection {
        try SQLiteSettings.apply()  // before sqlite3_vfs_find, which initialises SQLite and so ends configuration
        guard sqlite3_vfs_find("memdb") != nil else {
            return try SQLiteConnection(opening: ":memory:", flags: 0)  // a SQLite built without memdb
        }
        let connection = try SQLiteConnection(opening: "file:aliyun-db-emulator?vfs=memdb", flags: SQLITE_OPEN_URI)
        try connection.execute("PRAGMA journal_mode = MEMORY")
        // memdb caps a database at 1 GiB unless told otherwise. Its buffer grows by doubling through
        // sqlite3_realloc, which refuses 2 GiB or more, so that is the most it can hold.
        var limit = limit
        _ = sqlite3_file_control(connection.handle, "main", SQLITE_FCNTL_SIZE_LIMIT, &limit)
        return connection
    }

    /// True when SQLite keeps no allocation statistics, as `SQLiteSettings` asked before SQLite started.
    static var keepsNoMemoryStatistics: Bool { sqlite3_memory_used() == 0 }

    /// True when SQLite allocates from mimalloc, as `SQLiteSettings` asked: its blocks are mimalloc's, and a block's
    /// size is mimalloc's usable size, not SQLite's own rounding (104 bytes for 100).
    static var allocatesFromMimalloc: Bool {
        guard let block = sqlite3_malloc(100) else { return false }
        defer { sqlite3_free(block) }
        return mi_is_in_heap_region(block) && sqlite3_msize(block) == UInt64(mi_usable_size(block))
    }

    /// The largest in-memory database, in bytes: just under 2 GiB (see `inMemory()`).
    static let inMemoryLimit: Int64 = 0x7fff_ff00

    /// The size limit SQLite applies to the main database (memdb only), or nil for other databases.
    var sizeLimit: Int64? {
        var limit: Int64 = -1  // negative: only report the current limit
        return sqlite3_file_control(handle, "main", SQLITE_FCNTL_SIZE_LIMIT, &limit) == SQLITE_OK ? limit : nil
    }

    private init(opening path: String, flags extraFlags: Int32) throws {
        try SQLiteSettings.apply()
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | extraFlags
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(handle)
            throw SQLiteError(code: status, message: message, sql: nil)
        }
        self.handle = handle
        sqlite3_extended_result_codes(handle, 1)
    }

    deinit {
        for cached in statements.values { sqlite3_finalize(cached.statement) }
        for case let statement? in slots { sqlite3_finalize(statement) }
        sqlite3_close(handle)
    }

    /// Runs one or more statements that take no parameters and return nothing of interest.
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &message)
        guard status == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw SQLiteError(code: status, message: text, sql: sql)
        }
    }

    /// Runs a statement and returns its rows, each read by `read` while the row is current.
    func query<T>(_ sql: String, _ arguments: [SQLValue] = [], read: (SQLiteRow) throws -> T) throws -> [T] {
        try query(try prepared(sql), sql: sql, arguments, read: read)
    }

    func query<T>(_ statement: SQLStatement, _ arguments: [SQLValue] = [], read: (SQLiteRow) throws -> T) throws -> [T] {
        try query(try prepared(statement), sql: statement.sql, arguments, read: read)
    }

    private func query<T>(_ statement: OpaquePointer, sql: String, _ arguments: [SQLValue], read: (SQLiteRow) throws -> T)
        throws -> [T]
    {
        // Bindings stay until the next call binds every parameter again (checked below): clearing them
        // would free the copies of bound text that the next call could reuse.
        defer { sqlite3_reset(statement) }
        assert(arguments.count == Int(sqlite3_bind_parameter_count(statement)), "every parameter is bound: \(sql)")
        try bind(arguments, to: statement, sql: sql)
        var rows: [T] = []
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { return rows }
            guard status == SQLITE_ROW else { throw error(status, sql) }
            rows.append(try read(SQLiteRow(statement: statement)))
        }
    }

    /// Runs a statement for its effect; returns the number of rows it changed.
    @discardableResult
    func run(_ sql: String, _ arguments: [SQLValue] = []) throws -> Int {
        _ = try query(sql, arguments) { _ in () }
        return Int(sqlite3_changes(handle))
    }

    @discardableResult
    func run(_ statement: SQLStatement, _ arguments: [SQLValue] = []) throws -> Int {
        _ = try query(statement, arguments) { _ in () }
        return Int(sqlite3_changes(handle))
    }

    var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows inserted, updated or deleted since the connection opened.
    var totalChanges: Int64 { Int64(sqlite3_total_changes(handle)) }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws. IMMEDIATE takes the
    /// write lock up front, so a check and the write it guards can never interleave with another writer.
    /// Inside another transaction it is a savepoint: its writes are undone if it throws, and committed
    /// (or not) with the outer transaction.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        let outermost = depth == 0
        try run(outermost ? "BEGIN IMMEDIATE" : "SAVEPOINT nested")
        depth += 1
        defer { depth -= 1 }
        do {
            let result = try body()
            try run(outermost ? "COMMIT" : "RELEASE nested")
            return result
        } catch {
            if outermost {
                _ = try? run("ROLLBACK")
            } else {
                _ = try? run("ROLLBACK TO nested")
                _ = try? run("RELEASE nested")
            }
            throw error
        }
    }

    private static let begin = SQLStatement("BEGIN IMMEDIATE")
    private static let commit = SQLStatement("COMMIT")

    /// Opens a write transaction that the next `transaction` calls join as savepoints (group commit).
    func beginBatch() throws {
        precondition(depth == 0, "a batch opens outside any transaction")
        try run(Self.begin)
        depth = 1
    }

    /// Whether SQLite has no transaction open (an `OR ROLLBACK` statement that failed ends it).
    var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    /// Undoes everything the batch wrote (unless a failed `OR ROLLBACK` statement already did).
    func rollbackBatch() {
        precondition(depth == 1, "a batch rolls back outside any transaction of its own")
        if !isAutocommit { _ = try? run("ROLLBACK") }
        depth = 0
    }

    /// Commits the batch; if that fails, rolls it back and rethrows.
    func commitBatch() throws {
        precondition(depth == 1, "a batch commits outside any transaction of its own")
        defer { depth = 0 }
        do {
            try run(Self.commit)
        } catch {
            _ = try? run("ROLLBACK")
            throw error
        }
    }

    private func prepared(_ sql: String) throws -> OpaquePointer {
        uses += 1
        if let index = statements.index(forKey: sql) {
            statements.values[index].lastUse = uses
            return statements.values[index].statement
        }
        if statements.count >= Self.statementCacheLimit { evictLeastRecentlyUsed() }
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(status, sql) }
        statements[sql] = (statement, uses)
        return statement
    }

    /// Finalises the cached statement used longest ago, unless it is running (a query inside another's row).
    private func evictLeastRecentlyUsed() {
        let idle = statements.filter { sqlite3_stmt_busy($0.value.statement) == 0 }
        guard let oldest = idle.min(by: { $0.value.lastUse < $1.value.lastUse }) else { return }
        sqlite3_finalize(oldest.value.statement)
        statements[oldest.key] = nil
    }

    /// How many statements prepared from text the connection keeps (bounded by `statementCacheLimit`).
    var cachedStatementCount: Int { statements.count }

    private func prepared(_ statement: SQLStatement) throws -> OpaquePointer {
        if statement.slot < slots.count, let prepared = slots[statement.slot] { return prepared }
        var prepared: OpaquePointer?
        let status = sqlite3_prepare_v3(handle, statement.sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil)
        guard status == SQLITE_OK, let prepared else { throw error(status, statement.sql) }
        if statement.slot >= slots.count { slots.append(contentsOf: repeatElement(nil, count: statement.slot + 1 - slots.count)) }
        slots[statement.slot] = prepared
        return prepared
    }

    private func bind(_ arguments: [SQLValue], to statement: OpaquePointer, sql: String) throws {
        let transientDestructor = transientDestructor  // read once, not through the global's lazy check each time
        for (offset, argument) in arguments.enumerated() {
            let index = Int32(offset + 1)
            let status =
                switch argument {
                case .int(let value): sqlite3_bind_int64(statement, index, value)
                case .text(var value):
                    // By length from the string's own bytes: the implicit C-string conversion would copy a
                    // short string to the heap, and SQLite would measure it again.
                    // (An empty buffer may have no address, and a null pointer would bind NULL, not ''.)
                    value.isEmpty
                        ? sqlite3_bind_text(statement, index, "", 0, transientDestructor)
                        : value.withUTF8 { sqlite3_bind_text(statement, index, $0.baseAddress, Int32($0.count), transientDestructor) }
                case .null: sqlite3_bind_null(statement, index)
                }
            guard status == SQLITE_OK else { throw error(status, sql) }
        }
    }

    private func error(_ status: Int32, _ sql: String) -> SQLiteError {
        SQLiteError(code: status, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
}

/// The current row of a running statement; valid only inside the `read` closure of `query`.
struct SQLiteRow {
    fileprivate let statement: OpaquePointer

    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

    func text(_ column: Int32) -> String {
        // By the length SQLite knows (after the text call, as its documentation asks), not by strlen.
        guard let text = sqlite3_column_text(statement, column) else { return "" }
        return String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, column))), as: UTF8.self)
    }

    func optionalText(_ column: Int32) -> String? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : text(column)
    }

    func optionalInt(_ column: Int32) -> Int64? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : int(column)
    }
}
