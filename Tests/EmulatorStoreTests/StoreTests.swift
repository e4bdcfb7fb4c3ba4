import Foundation
import Testing

@testable import EmulatorStore

@Suite struct StoreTests {
    static let instance = InstanceRecord(
        instanceId: "rm-1", product: .rds, accountId: "default", regionId: "cn-hangzhou", engine: "MySQL",
        engineVersion: "8.0", status: "Running", instanceType: "Primary", storageType: "local_ssd", lockMode: "Unlock",
        kindCode: nil, databases: ["a", "b"], attributes: ["ZoneId": .string("z"), "DBInstanceStorage": .integer(20)])

    static func backup(start: Int64, end: Int64, instance: String = "rm-1") -> BackupRecord {
        BackupRecord(
            product: .rds, instanceId: instance, accountId: "default", method: "Physical", backupType: "Auto",
            startedAt: start, finishesAt: end)
    }

    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString).db").path
    }

    @Test func keepsInstancesAsGiven() throws {
        let store = try Store(path: ":memory:")
        #expect(store.isNew)
        try store.transaction { try $0.put(Self.instance) }
        #expect(try store.transaction { try $0.instance("rm-1", product: .rds) } == Self.instance)
        #expect(try store.transaction { try $0.instance("rm-1", product: .mongodb) } == nil)
        var changed = Self.instance
        changed.status = "Stopped"
        changed.databases = []
        try store.transaction { try $0.put(changed) }
        #expect(try store.transaction { try $0.instances() } == [changed])
    }

    @Test func countsBackupsByDayAndKnowsWhichAreRunning() throws {
        let store = try Store(path: ":memory:")
        try store.transaction { state in
            try state.put(Self.instance)
            _ = try state.insert(Self.backup(start: 100, end: 200))
            _ = try state.insert(Self.backup(start: 300, end: 300))
            _ = try state.insert(Self.backup(start: 150, end: 999, instance: "rm-other"))
        }
        func admission(at now: Int64, day: Range<Int64> = 0..<1000) throws -> (Bool, Int, BackupOutcome?)? {
            try store.transaction { state in
                try state.backupAdmission("rm-1", product: .rds, at: now, day: day)
                    .map { ($0.hasTaskRunning, $0.acceptedToday, $0.scriptedOutcome) }
            }
        }
        #expect(try admission(at: 199)! == (true, 2, nil))
        #expect(try admission(at: 200)! == (false, 2, nil))
        #expect(try admission(at: 99)! == (false, 2, nil))  // not started yet
        #expect(try admission(at: 300, day: 101..<1000)! == (false, 1, nil))
        #expect(try admission(at: 300, day: 0..<100)! == (false, 0, nil))
        #expect(try store.transaction { try $0.backupAdmission("rm-1", product: .mongodb, at: 0, day: 0..<1) } == nil)
        #expect(try store.transaction { try $0.backupAdmission("rm-9", product: .rds, at: 0, day: 0..<1) } == nil)
        let admitted = try #require(try store.transaction { try $0.backupAdmission("rm-1", product: .rds, at: 0, day: 0..<1) })
        #expect(admitted.instance == BackupAdmission.Instance(Self.instance))
        try store.transaction { try $0.setNextOutcome(BackupOutcome(holdStage: "Uploading", holdUntil: 7), instanceId: "rm-1") }
        #expect(try admission(at: 300)!.2 == BackupOutcome(holdStage: "Uploading", holdUntil: 7))
        try store.transaction { try $0.forgetNextOutcome(instanceId: "rm-1") }
        #expect(try admission(at: 300)!.2 == nil)
    }

    @Test func numbersBackupsWithoutEverReusingANumber() throws {
        let store = try Store(path: ":memory:")
        let first = try store.transaction { try $0.insert(Self.backup(start: 1, end: 2)) }
        try store.transaction { try $0.deleteEverything() }
        let second = try store.transaction { try $0.insert(Self.backup(start: 1, end: 2)) }
        #expect(second.sequence == first.sequence + 1)
    }

    @Test func rollsBackWhenTheBodyThrows() throws {
        struct Refused: Error {}
        let store = try Store(path: ":memory:")
        #expect(throws: Refused.self) {
            try store.transaction { state in
                try state.put(Self.instance)
                throw Refused()
            }
        }
        #expect(try store.transaction { try $0.instances() }.isEmpty)
    }

    @Test func aNestedTransactionThatThrowsUndoesOnlyItsOwnWrites() throws {
        struct Refused: Error {}
        let store = try Store(path: ":memory:")
        try store.transaction { outer throws in
            try outer.setNextOutcome(BackupOutcome(failStage: "Checking"), instanceId: "rm-1")
            #expect(throws: Refused.self) {
                try store.transaction { inner in
                    try inner.put(Self.instance)
                    throw Refused()
                }
            }
        }
        #expect(try store.transaction { try $0.instances() }.isEmpty)
        #expect(try store.transaction { try $0.nextOutcome(instanceId: "rm-1") } == BackupOutcome(failStage: "Checking"))
    }

    @Test func anInMemoryStateIsPrivateJournalsInMemoryAndMayGrowToTwoGibibytes() throws {
        let first = try SQLiteConnection.inMemory()
        let second = try SQLiteConnection.inMemory()
        try first.execute("CREATE TABLE t (x); INSERT INTO t VALUES (1)")
        // Each in-memory state is its own database, though all are opened under the same memdb name.
        #expect(try second.query("SELECT count(*) FROM sqlite_master") { $0.int(0) } == [0])
        #expect(try first.query("PRAGMA journal_mode") { $0.text(0) } == ["memory"])
        #expect(first.sizeLimit == SQLiteConnection.inMemoryLimit)
        #expect(SQLiteConnection.inMemoryLimit > 1 << 30)  // memdb's own default would stop at 1 GiB
        // Whichever connection came first in this process, SQLite was configured before it started.
        #expect(SQLiteConnection.keepsNoMemoryStatistics)
        #expect(SQLiteConnection.allocatesFromMimalloc)
        // Settings made again once SQLite runs are refused, with a reason that start-up would report.
        let refusal = try #require(SQLiteSettings.make())
        #expect(refusal.description == "SQLite error 21: SQLite refused mimalloc as its allocator")
        #expect(SQLiteConnection.allocatesFromMimalloc)
        try first.execute("BEGIN; INSERT INTO t VALUES (2); ROLLBACK")
        #expect(try first.query("SELECT count(*) FROM t") { $0.int(0) } == [1])
        // A file has no such limit.
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try SQLiteConnection(path: path).sizeLimit == nil)
    }

    @Test func aFullInMemoryStateRefusesTheWriteAndKeepsWhatItHad() throws {
        let connection = try SQLiteConnection.inMemory(limit: 256 * 1024)
        try connection.execute("CREATE TABLE t (x TEXT)")
        try connection.execute("INSERT INTO t VALUES ('kept')")
        let full = #expect(throws: SQLiteError.self) {
            try connection.transaction {
                for _ in 0..<1_000 { try connection.run("INSERT INTO t VALUES (?1)", [.text(String(repeating: "x", count: 1_000))]) }
            }
        }
        #expect(full?.code == 13)  // SQLITE_FULL
        #expect(try connection.query("SELECT x FROM t") { $0.text(0) } == ["kept"])
    }

    @Test func countsSetsTheSameWithAndWithoutFilters() throws {
        let store = try Store(path: ":memory:")
        try store.transaction { state in
            for start in stride(from: Int64(0), to: 100, by: 10) { _ = try state.insert(Self.backup(start: start, end: start + 5)) }
            _ = try state.insert(Self.backup(start: 200, end: 400))  // still running at 300
            try state.markDeleted(sequence: 3, at: 300)
            try state.markDeleted(sequence: 3, at: 300)  // twice: counted once
        }
        try store.transaction { state in
            let unfiltered = try state.backupSets(BackupSetFilter(instanceId: "rm-1", endedBy: 300), limit: 5, offset: 0)
            let filtered = try state.backupSets(BackupSetFilter(instanceId: "rm-1", startedFrom: 0, endedBy: 300), limit: 5, offset: 0)
            #expect(unfiltered.total == 9)
            #expect(filtered.total == 9)
            #expect(unfiltered.page.map(\.sequence) == [10, 9, 8, 7, 6])
        }
        _ = try store.transaction { try $0.deleteInstance("rm-1") }
        #expect(try store.transaction { try $0.backupSets(BackupSetFilter(instanceId: "rm-1", endedBy: 300), limit: 5, offset: 0) }.total == 0)
    }

    /// Version 11: every insert keeps the instance's total and its count of the backups accepted in the day; a day
    /// other than the total's (a new one, or the clock set back to an earlier one) is counted once over the start
    /// index, so the quota's count is right whichever way the clock moved, and deleted backups still count for it.
    @Test func keepsTotalsAndTheDaysCountAcrossDaysDeletionsAndAClockSetBack() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try Store(path: path)
        let day: Int64 = 86_400_000
        let inspector = try SQLiteConnection(path: path)
        func totalsRow() throws -> [[Int64?]] {
            try inspector.query("SELECT undeleted, day, accepted FROM backup_totals WHERE instance_id = 'rm-1'") {
                [$0.int(0), $0.optionalInt(1), $0.int(2)]
            }
        }
        func total() throws -> Int {
            try store.transaction {
                try $0.backupSets(BackupSetFilter(instanceId: "rm-1", endedBy: 100 * day), limit: 1, offset: 0).total
            }
        }
        func wholeDay(_ now: Int64) -> Range<Int64> {
            let start = StoreTransaction.startOfDay(now)
            return start..<start + day
        }
        func accepted(at now: Int64, day range: Range<Int64>? = nil) throws -> Int {
            try store.transaction {
                try #require(try $0.backupAdmission("rm-1", product: .rds, at: now, day: range ?? wholeDay(now))).acceptedToday
            }
        }
        func create(at start: Int64) throws -> Int64 {
            try store.transaction { state in
                let admission = try state.backupAdmission("rm-1", product: .rds, at: start, day: wholeDay(start))
                return try state.insert(Self.backup(start: start, end: start + 5), after: admission).sequence
            }
        }
        try store.transaction { try $0.put(Self.instance) }
        #expect(try totalsRow() == [])
        #expect(try accepted(at: 10 * day) == 0)
        let first = try create(at: 10 * day + 10)  // the first backup starts the total
        #expect(try totalsRow() == [[1, 10 * day, 1]])
        _ = try create(at: 10 * day + 20)  // the same day: counted on
        #expect(try totalsRow() == [[2, 10 * day, 2]])
        #expect(try accepted(at: 10 * day + 30) == 2)
        #expect(try total() == 2)
        _ = try create(at: 11 * day + 5)  // a new day: counted afresh
        #expect(try totalsRow() == [[3, 11 * day, 1]])
        #expect(try accepted(at: 11 * day + 6) == 1)
        #expect(try accepted(at: 10 * day + 40) == 2)  // another day than the total's: counted over the index
        _ = try create(at: 10 * day + 30)  // the clock set back a day: that day counted afresh, the new one included
        #expect(try totalsRow() == [[4, 10 * day, 3]])
        #expect(try accepted(at: 10 * day + 40) == 3)
        #expect(try accepted(at: 11 * day + 6) == 1)
        _ = try create(at: 11 * day + 8)  // and forward again
        #expect(try totalsRow() == [[5, 11 * day, 2]])
        #expect(try total() == 5)
        try store.transaction { try $0.markDeleted(sequence: first, at: 11 * day + 10) }
        try store.transaction { try $0.markDeleted(sequence: first, at: 11 * day + 10) }  // twice: taken off once
        #expect(try totalsRow() == [[4, 11 * day, 2]])
        #expect(try total() == 4)
        #expect(try accepted(at: 10 * day + 50) == 3)  // a deleted backup still counts for its day's quota
        // Without the admission (callers that did not read it), the insert finds the total itself.
        _ = try store.transaction { try $0.insert(Self.backup(start: 12 * day, end: 12 * day + 1)) }
        #expect(try totalsRow() == [[5, 12 * day, 1]])
        // A range that is not the total's whole day is counted, not read from the total.
        #expect(try accepted(at: 12 * day + 1, day: 12 * day + 1..<13 * day) == 0)
        #expect(try accepted(at: 12 * day + 1, day: 10 * day..<13 * day) == 6)
        // Another instance's total does not mix with this one's.
        _ = try store.transaction { try $0.insert(Self.backup(start: 12 * day, end: 12 * day + 1, instance: "rm-other")) }
        #expect(try totalsRow() == [[5, 12 * day, 1]])
        // A clock before 1970 has days too, and the extreme instants have one.
        #expect(StoreTransaction.startOfDay(-1) == -day)
        #expect(StoreTransaction.startOfDay(-day) == -day)
        #expect(StoreTransaction.startOfDay(day - 1) == 0)
        #expect(StoreTransaction.startOfDay(.min) == .min)
        #expect(StoreTransaction.endOfDay(StoreTransaction.startOfDay(.max)) == .max)
    }

    /// Version 9: a running task is looked for only as far back as the instance's longest task, which is kept
    /// with its total and widened by any backup that takes longer (on the day's first backup or any other).
    @Test func findsRunningTasksWithinTheLongestTask() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try Store(path: path)
        let day: Int64 = 86_400_000
        let inspector = try SQLiteConnection(path: path)
        func longest() throws -> [Int64] {
            try inspector.query("SELECT longest FROM backup_totals WHERE instance_id = 'rm-1'") { $0.int(0) }
        }
        func running(at now: Int64) throws -> Bool {
            try store.transaction {
                try #require(try $0.backupAdmission("rm-1", product: .rds, at: now, day: now..<now + 1)).hasTaskRunning
            }
        }
        func runningSequences(at now: Int64) throws -> [Int64] {
            try store.transaction { try $0.runningBackups(instanceId: "rm-1", at: now) }.map(\.sequence)
        }
        func total(endedBy: Int64) throws -> Int {
            try store.transaction {
                try $0.backupSets(BackupSetFilter(instanceId: "rm-1", endedBy: endedBy), limit: 1, offset: 0).total
            }
        }
        func create(_ start: Int64, _ end: Int64) throws -> Int64 {
            try store.transaction { state in
                let admission = try state.backupAdmission("rm-1", product: .rds, at: start, day: start..<start + 1)
                return try state.insert(Self.backup(start: start, end: end), after: admission).sequence
            }
        }
        try store.transaction { try $0.put(Self.instance) }
        _ = try create(10 * day, 10 * day + 60_000)
        #expect(try longest() == [60_000])
        #expect(try running(at: 10 * day + 59_999))
        #expect(try !running(at: 10 * day + 60_000))
        let hour = try create(10 * day + 100_000, 10 * day + 100_000 + 3_600_000)  // the same day: widened alone
        #expect(try longest() == [3_600_000])
        #expect(try running(at: 10 * day + 3_000_000))
        #expect(try runningSequences(at: 10 * day + 3_000_000) == [hour])
        #expect(try total(endedBy: 10 * day + 3_000_000) == 1)  // the running task is no set yet
        _ = try create(11 * day, 11 * day + 1_000)  // a new day, shorter: kept
        #expect(try longest() == [3_600_000])
        // The clock set back: a task of two days, started before the others, is found while it runs.
        let long = try create(9 * day, 11 * day)
        #expect(try longest() == [2 * day])
        #expect(try running(at: 10 * day + day / 2))
        #expect(try runningSequences(at: 10 * day + day / 2) == [long])
        #expect(try runningSequences(at: 10 * day + 100_000) == [hour, long])
        #expect(try total(endedBy: 10 * day + day / 2) == 2)  // the minute and the hour
        #expect(try total(endedBy: 11 * day + 1_000) == 4)
        // A new day's first backup, longer than any: widened as the total moves on.
        let days = try create(12 * day, 15 * day)
        #expect(try longest() == [3 * day])
        #expect(try runningSequences(at: 14 * day) == [days])
        #expect(try total(endedBy: 14 * day) == 4)
        #expect(try total(endedBy: 15 * day) == 5)
        #expect(try !running(at: 15 * day))
    }

    @Test func upgradingAVersionEightFileKeepsEachInstancesLongestTaskAndDropsTheFinishIndex() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let connection = try SQLiteConnection(path: path)
            try connection.execute(
                """
                CREATE TABLE instances (instance_id TEXT PRIMARY KEY, product TEXT NOT NULL, account_id TEXT NOT NULL,
                    region_id TEXT NOT NULL, engine TEXT NOT NULL, engine_version TEXT NOT NULL, status TEXT NOT NULL,
                    instance_type TEXT NOT NULL, storage_type TEXT NOT NULL, lock_mode TEXT NOT NULL, kind_code TEXT,
                    databases TEXT NOT NULL, attributes TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE backups (sequence INTEGER PRIMARY KEY, product TEXT NOT NULL,
                    instance_id TEXT NOT NULL, account_id TEXT NOT NULL, method TEXT NOT NULL, backup_type TEXT NOT NULL,
                    strategy TEXT, database_names TEXT, retention_days INTEGER, started_at INTEGER NOT NULL,
                    finishes_at INTEGER NOT NULL, duration INTEGER NOT NULL DEFAULT 0, fail_stage TEXT, hold_stage TEXT,
                    hold_until INTEGER, deleted_at INTEGER);
                CREATE INDEX backups_by_start ON backups (instance_id, started_at);
                CREATE INDEX backups_by_finish ON backups (instance_id, finishes_at);
                CREATE TABLE next_backup_outcomes (instance_id TEXT PRIMARY KEY, fail_stage TEXT, hold_stage TEXT,
                    hold_until INTEGER) WITHOUT ROWID;
                CREATE TABLE backup_totals (instance_id TEXT PRIMARY KEY, undeleted INTEGER NOT NULL,
                    counted_before INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
                INSERT INTO instances VALUES ('rm-1', 'rds', 'default', 'cn-hangzhou', 'MySQL', '8.0', 'Running',
                    'Primary', 'local_ssd', 'Unlock', NULL, 'a,b', '{"DBInstanceStorage":20,"ZoneId":"z"}');
                INSERT INTO backups (product, instance_id, account_id, method, backup_type, started_at, finishes_at)
                    VALUES ('rds', 'rm-1', 'default', 'Physical', 'Auto', 1000, 9000),
                           ('rds', 'rm-1', 'default', 'Physical', 'Auto', 10000, 10500);
                INSERT INTO backup_totals VALUES ('rm-1', 0, 0);
                PRAGMA application_id = \(Store.applicationID);
                PRAGMA user_version = 8;
                """)
        }
        let upgraded = try Store(path: path)
        let inspector = try SQLiteConnection(path: path)
        #expect(try inspector.query("PRAGMA user_version") { $0.int(0) } == [Int64(Store.schemaVersion)])
        #expect(try inspector.query("SELECT longest FROM backup_totals") { $0.int(0) } == [8000])
        #expect(
            try inspector.query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'backups'") {
                $0.text(0)
            }.sorted() == ["backups_by_expiry", "backups_by_start"])
        func running(at now: Int64) throws -> Bool {
            try upgraded.transaction {
                try #require(try $0.backupAdmission("rm-1", product: .rds, at: now, day: 0..<1)).hasTaskRunning
            }
        }
        #expect(try running(at: 8999))
        #expect(try running(at: 10_499))
        #expect(try !running(at: 9500))
        #expect(
            try upgraded.transaction {
                try $0.backupSets(BackupSetFilter(instanceId: "rm-1", endedBy: 9000), limit: 5, offset: 0).total
            } == 1)
    }

    @Test func upgradingAVersionSevenFileCountsEveryBackupAndEachDaysBackups() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let day: Int64 = 86_400_000
        do {
            // A version-7 file: rm-1 has a total of its two backups; rm-2 has a backup but no total (written
            // behind the emulator's back, as bench/run.py's scale section does).
            let connection = try SQLiteConnection(path: path)
            try connection.execute(
                """
                CREATE TABLE instances (instance_id TEXT PRIMARY KEY, product TEXT NOT NULL, account_id TEXT NOT NULL,
                    region_id TEXT NOT NULL, engine TEXT NOT NULL, engine_version TEXT NOT NULL, status TEXT NOT NULL,
                    instance_type TEXT NOT NULL, storage_type TEXT NOT NULL, lock_mode TEXT NOT NULL, kind_code TEXT,
                    databases TEXT NOT NULL, attributes TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE backups (sequence INTEGER PRIMARY KEY, product TEXT NOT NULL,
                    instance_id TEXT NOT NULL, account_id TEXT NOT NULL, method TEXT NOT NULL, backup_type TEXT NOT NULL,
                    strategy TEXT, database_names TEXT, retention_days INTEGER, started_at INTEGER NOT NULL,
                    finishes_at INTEGER NOT NULL, duration INTEGER NOT NULL DEFAULT 0, fail_stage TEXT, hold_stage TEXT,
                    hold_until INTEGER, deleted_at INTEGER);
                CREATE INDEX backups_by_start ON backups (instance_id, started_at);
                CREATE INDEX backups_by_finish ON backups (instance_id, finishes_at);
                CREATE TABLE next_backup_outcomes (instance_id TEXT PRIMARY KEY, fail_stage TEXT, hold_stage TEXT,
                    hold_until INTEGER) WITHOUT ROWID;
                CREATE TABLE backup_totals (instance_id TEXT PRIMARY KEY, undeleted INTEGER NOT NULL) WITHOUT ROWID;
                INSERT INTO backups (product, instance_id, account_id, method, backup_type, started_at, finishes_at)
                    VALUES ('rds', 'rm-1', 'default', 'Physical', 'Auto', \(5 * day + 7), \(5 * day + 8)),
                           ('rds', 'rm-1', 'default', 'Physical', 'Auto', \(5 * day + 9), \(5 * day + 10)),
                           ('rds', 'rm-2', 'default', 'Physical', 'Auto', \(4 * day), \(4 * day + 1));
                INSERT INTO backup_totals VALUES ('rm-1', 2);
                PRAGMA application_id = \(Store.applicationID);
                PRAGMA user_version = 7;
                """)
        }
        let upgraded = try Store(path: path)
        let inspector = try SQLiteConnection(path: path)
        #expect(try inspector.query("PRAGMA user_version") { $0.int(0) } == [Int64(Store.schemaVersion)])
        func totals() throws -> [String] {
            try inspector.query("SELECT instance_id, undeleted, day, accepted FROM backup_totals ORDER BY instance_id") {
                "\($0.text(0)) \($0.int(1)) \($0.optionalInt(2).map(String.init) ?? "-") \($0.int(3))"
            }
        }
        #expect(try totals() == ["rm-1 2 - 0"])  // counted afresh; the day's count is read from the backups
        func total(_ instance: String) throws -> Int {
            try upgraded.transaction {
                try $0.backupSets(BackupSetFilter(instanceId: instance, endedBy: 10 * day), limit: 1, offset: 0).total
            }
        }
        // Upgraded sets expire by the default retention (no policy history: the file had no instances).
        #expect(try inspector.query("SELECT expires_at - finishes_at FROM backups") { $0.int(0) } == [7 * day, 7 * day, 7 * day])
        #expect(try total("rm-1") == 2)
        #expect(try total("rm-2") == 1)  // no total: every set is counted
        try upgraded.transaction { try $0.put(Self.instance) }  // the file had its backups, not its instance
        #expect(
            try upgraded.transaction {
                try $0.backupAdmission("rm-1", product: .rds, at: 5 * day + 11, day: 5 * day..<6 * day)?.acceptedToday
            } == 2)
        _ = try upgraded.transaction { try $0.insert(Self.backup(start: 5 * day + 20, end: 5 * day + 21)) }
        _ = try upgraded.transaction { try $0.insert(Self.backup(start: 6 * day, end: 6 * day + 1, instance: "rm-2")) }
        #expect(try totals() == ["rm-1 3 \(5 * day) 3", "rm-2 2 \(6 * day) 1"])
        #expect(try total("rm-1") == 3)
        #expect(try total("rm-2") == 2)
    }

    /// A statement per distinct SQL text, kept for good, let BackupId lists of growing length take the process from
    /// 17 to 872 MB: a list is now one bound value, and the cache of statements has a bound.
    @Test func keepsABoundedNumberOfStatements() throws {
        let store = try Store(path: ":memory:")
        try store.transaction { state in
            try state.put(Self.instance)
            for start in Int64(1)...5 { _ = try state.insert(Self.backup(start: start, end: start)) }
        }
        func sets(_ sequences: [Int64], failed: Bool? = nil) throws -> (page: [Int64], total: Int) {
            try store.transaction { state in
                var filter = BackupSetFilter(instanceId: "rm-1", endedBy: 100)
                filter.sequences = sequences
                filter.failed = failed
                let sets = try state.backupSets(filter, limit: 100, offset: 0)
                return (sets.page.map(\.sequence), sets.total)
            }
        }
        #expect(try sets([2, 4, 99]) == ([4, 2], 2))
        #expect(try sets([3], failed: false) == ([3], 1))
        #expect(try sets([3], failed: true) == ([], 0))
        #expect(try sets([]) == ([], 0))
        let before = store.cachedStatementCount
        for length in 1...300 { _ = try sets(Array(1...Int64(length))) }
        #expect(store.cachedStatementCount == before)  // one text, whatever the list's length
        // Whatever texts come, the cache keeps at most its bound, finalising the least recently used.
        let connection = try SQLiteConnection.inMemory()
        for value in 0..<500 { #expect(try connection.query("SELECT \(value)") { $0.int(0) } == [Int64(value)]) }
        #expect(connection.cachedStatementCount == SQLiteConnection.statementCacheLimit)
        #expect(try connection.query("SELECT 7") { $0.int(0) } == [7])  // an evicted one is prepared again
        #expect(connection.cachedStatementCount == SQLiteConnection.statementCacheLimit)
    }

    @Test func deletesAnInstanceWithItsBackups() throws {
        let store = try Store(path: ":memory:")
        try store.transaction { state in
            try state.put(Self.instance)
            _ = try state.insert(Self.backup(start: 1, end: 2))
        }
        #expect(try store.transaction { try $0.deleteInstance("rm-1") })
        #expect(try !store.transaction { try $0.deleteInstance("rm-1") })
        #expect(try store.transaction { try $0.backups(instanceId: "rm-1") }.isEmpty)
    }

    @Test func keepsAFilesStateAcrossOpens() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let store = try Store(path: path)
            #expect(store.isNew)
            try store.transaction { state in
                try state.put(Self.instance)
                _ = try state.insert(Self.backup(start: 5, end: 6))
            }
        }
        let reopened = try Store(path: path)
        #expect(!reopened.isNew)
        #expect(try reopened.transaction { try $0.backups(instanceId: "rm-1") }.map(\.startedAt) == [5])
    }

    @Test func refusesAFileWithANewerSchema() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let connection = try SQLiteConnection(path: path)
            try connection.execute(
                "CREATE TABLE t (x); PRAGMA application_id = \(Store.applicationID); PRAGMA user_version = 99")
        }
        #expect {
            try Store(path: path)
        } throws: { error in
            "\(error)" == "state file \(path) has schema version 99, newer than this emulator's \(Store.schemaVersion); "
                + "run a newer aliyun-db-emulator or start from a new state file"
        }
    }

    @Test func upgradesAVersionOneFile() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            // The schema exactly as version 1 wrote it, with one instance and one backup.
            let connection = try SQLiteConnection(path: path)
            try connection.execute(
                """
                CREATE TABLE instances (instance_id TEXT PRIMARY KEY, product TEXT NOT NULL, account_id TEXT NOT NULL,
                    region_id TEXT NOT NULL, engine TEXT NOT NULL, engine_version TEXT NOT NULL, status TEXT NOT NULL,
                    instance_type TEXT NOT NULL, storage_type TEXT NOT NULL, lock_mode TEXT NOT NULL, kind_code TEXT,
                    databases TEXT NOT NULL, attributes TEXT NOT NULL);
                CREATE TABLE backups (sequence INTEGER PRIMARY KEY AUTOINCREMENT, product TEXT NOT NULL,
                    instance_id TEXT NOT NULL, account_id TEXT NOT NULL, method TEXT NOT NULL, backup_type TEXT NOT NULL,
                    strategy TEXT, database_names TEXT, retention_days INTEGER, started_at INTEGER NOT NULL,
                    finishes_at INTEGER NOT NULL);
                CREATE INDEX backups_by_start ON backups (instance_id, started_at);
                CREATE INDEX backups_by_finish ON backups (instance_id, finishes_at);
                INSERT INTO instances VALUES ('rm-1', 'rds', 'default', 'cn-hangzhou', 'MySQL', '8.0', 'Running',
                    'Primary', 'local_ssd', 'Unlock', NULL, 'a,b', '{"DBInstanceStorage":20,"ZoneId":"z"}');
                INSERT INTO backups (product, instance_id, account_id, method, backup_type, started_at, finishes_at)
                    VALUES ('rds', 'rm-1', 'default', 'Physical', 'Auto', 1000, 6000);
                PRAGMA application_id = \(Store.applicationID);
                PRAGMA user_version = 1;
                """)
        }
        let upgraded = try Store(path: path)
        #expect(!upgraded.isNew)
        #expect(try upgraded.transaction { try $0.instances() } == [Self.instance])
        let backup = try #require(try upgraded.transaction { try $0.backups(instanceId: "rm-1") }.first)
        #expect(backup.duration == 5000)
        #expect(backup.outcome == BackupOutcome())
        // The per-instance totals of version 4 were computed from the existing rows.
        let sets = try upgraded.transaction { try $0.backupSets(BackupSetFilter(instanceId: "rm-1", endedBy: 10_000), limit: 30, offset: 0) }
        #expect(sets.total == 1)
        #expect(try SQLiteConnection(path: path).query("SELECT count(*) FROM sqlite_master WHERE name = 'nonces'") { $0.int(0) } == [0])
        let version = try SQLiteConnection(path: path).query("PRAGMA user_version") { $0.int(0) }
        #expect(version == [Int64(Store.schemaVersion)])
    }

    @Test func upgradingAVersionFourFileDropsItsNoncesRecountsItsTotalsAndKeepsNumbering() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            // A version-4 file: AUTOINCREMENT numbering (the highest number, 7, was deleted), a nonce table,
            // and a total that lost count.
            let connection = try SQLiteConnection(path: path)
            try connection.execute(
                """
                CREATE TABLE instances (instance_id TEXT PRIMARY KEY, product TEXT NOT NULL, account_id TEXT NOT NULL,
                    region_id TEXT NOT NULL, engine TEXT NOT NULL, engine_version TEXT NOT NULL, status TEXT NOT NULL,
                    instance_type TEXT NOT NULL, storage_type TEXT NOT NULL, lock_mode TEXT NOT NULL, kind_code TEXT,
                    databases TEXT NOT NULL, attributes TEXT NOT NULL);
                CREATE TABLE backups (sequence INTEGER PRIMARY KEY AUTOINCREMENT, product TEXT NOT NULL,
                    instance_id TEXT NOT NULL, account_id TEXT NOT NULL, method TEXT NOT NULL, backup_type TEXT NOT NULL,
                    strategy TEXT, database_names TEXT, retention_days INTEGER, started_at INTEGER NOT NULL,
                    finishes_at INTEGER NOT NULL, duration INTEGER NOT NULL DEFAULT 0, fail_stage TEXT, hold_stage TEXT,
                    hold_until INTEGER, deleted_at INTEGER);
                CREATE INDEX backups_by_start ON backups (instance_id, started_at);
                CREATE INDEX backups_by_finish ON backups (instance_id, finishes_at);
                CREATE TABLE nonces (access_key_id TEXT NOT NULL, nonce TEXT NOT NULL, expires_at INTEGER NOT NULL,
                    PRIMARY KEY (access_key_id, nonce)) WITHOUT ROWID;
                CREATE TABLE next_backup_outcomes (instance_id TEXT PRIMARY KEY, fail_stage TEXT, hold_stage TEXT, hold_until INTEGER);
                CREATE TABLE backup_totals (instance_id TEXT PRIMARY KEY, undeleted INTEGER NOT NULL) WITHOUT ROWID;
                INSERT INTO backups (sequence, product, instance_id, account_id, method, backup_type, started_at, finishes_at)
                    VALUES (1, 'rds', 'rm-1', 'default', 'Physical', 'Auto', 1, 1), (2, 'rds', 'rm-1', 'default', 'Physical', 'Auto', 2, 2),
                           (3, 'rds', 'rm-1', 'default', 'Physical', 'Auto', 3, 3), (7, 'rds', 'rm-1', 'default', 'Physical', 'Auto', 4, 4);
                DELETE FROM backups WHERE sequence = 7;
                INSERT INTO backup_totals VALUES ('rm-1', 1);
                INSERT INTO nonces VALUES ('k', 'n', 10);
                PRAGMA application_id = \(Store.applicationID);
                PRAGMA user_version = 4;
                """)
        }
        let upgraded = try Store(path: path)
        let sets = try upgraded.transaction { try $0.backupSets(BackupSetFilter(instanceId: "rm-1", endedBy: 10), limit: 30, offset: 0) }
        #expect(sets.total == 3)
        #expect(sets.page.map(\.sequence) == [3, 2, 1])
        #expect(try upgraded.transaction { try $0.insert(Self.backup(start: 5, end: 5)) }.sequence == 8)
        let connection = try SQLiteConnection(path: path)
        #expect(try connection.query("SELECT count(*) FROM sqlite_master WHERE name = 'nonces'") { $0.int(0) } == [0])
        #expect(try connection.query("SELECT sql LIKE '%AUTOINCREMENT%' FROM sqlite_master WHERE name = 'backups'") { $0.int(0) } == [0])
        #expect(try connection.query("PRAGMA user_version") { $0.int(0) } == [Int64(Store.schemaVersion)])
    }

    @Test func upgradingAVersionFiveFileKeepsInstancesAndOutcomesWithoutRowids() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            // A version-5 file: instances and scripted outcomes in rowid tables.
            let connection = try SQLiteConnection(path: path)
            try connection.execute(
                """
                CREATE TABLE instances (instance_id TEXT PRIMARY KEY, product TEXT NOT NULL, account_id TEXT NOT NULL,
                    region_id TEXT NOT NULL, engine TEXT NOT NULL, engine_version TEXT NOT NULL, status TEXT NOT NULL,
                    instance_type TEXT NOT NULL, storage_type TEXT NOT NULL, lock_mode TEXT NOT NULL, kind_code TEXT,
                    databases TEXT NOT NULL, attributes TEXT NOT NULL);
                CREATE TABLE backups (sequence INTEGER PRIMARY KEY, product TEXT NOT NULL,
                    instance_id TEXT NOT NULL, account_id TEXT NOT NULL, method TEXT NOT NULL, backup_type TEXT NOT NULL,
                    strategy TEXT, database_names TEXT, retention_days INTEGER, started_at INTEGER NOT NULL,
                    finishes_at INTEGER NOT NULL, duration INTEGER NOT NULL DEFAULT 0, fail_stage TEXT, hold_stage TEXT,
                    hold_until INTEGER, deleted_at INTEGER);
                CREATE INDEX backups_by_start ON backups (instance_id, started_at);
                CREATE INDEX backups_by_finish ON backups (instance_id, finishes_at);
                CREATE TABLE next_backup_outcomes (instance_id TEXT PRIMARY KEY, fail_stage TEXT, hold_stage TEXT, hold_until INTEGER);
                CREATE TABLE backup_totals (instance_id TEXT PRIMARY KEY, undeleted INTEGER NOT NULL) WITHOUT ROWID;
                CREATE TABLE backup_sequence (last INTEGER NOT NULL);
                INSERT INTO backup_sequence VALUES (41);
                INSERT INTO instances VALUES ('rm-1', 'rds', 'default', 'cn-hangzhou', 'MySQL', '8.0', 'Running', 'Primary',
                    'local_ssd', 'Unlock', NULL, 'a,b', '{"DBInstanceStorage":20,"ZoneId":"z"}');
                INSERT INTO next_backup_outcomes VALUES ('rm-1', NULL, 'Uploading', 7);
                PRAGMA application_id = \(Store.applicationID);
                PRAGMA user_version = 5;
                """)
        }
        let upgraded = try Store(path: path)
        #expect(!upgraded.isNew)
        #expect(try upgraded.transaction { try $0.instances() } == [Self.instance])
        #expect(try upgraded.transaction { try $0.nextOutcome(instanceId: "rm-1") } == BackupOutcome(holdStage: "Uploading", holdUntil: 7))
        let check = try SQLiteConnection(path: path)
        for table in ["instances", "next_backup_outcomes"] {
            let sql = try check.query("SELECT sql FROM sqlite_master WHERE name = ?1", [.text(table)]) { $0.text(0) }
            #expect(sql.first?.hasSuffix("WITHOUT ROWID") == true, "\(table)")
        }
        #expect(try check.query("PRAGMA user_version") { $0.int(0) } == [Int64(Store.schemaVersion)])
        // Version 7: the highest number ever given (41, all of its backups since deleted) stays taken.
        #expect(try check.query("SELECT count(*) FROM sqlite_master WHERE name = 'backup_sequence'") { $0.int(0) } == [0])
        #expect(try upgraded.transaction { try $0.insert(Self.backup(start: 1, end: 2)) }.sequence == 42)
        #expect(try upgraded.transaction { try $0.backups(instanceId: "rm-1") }.map(\.sequence) == [42])
    }

    @Test func numbersBackupsPastAResetAndKeepsOnePlaceholder() throws {
        let store = try Store(path: ":memory:")
        try store.transaction { try $0.put(Self.instance) }
        for start in Int64(1)...3 { _ = try store.transaction { try $0.insert(Self.backup(start: start, end: start)) } }
        try store.transaction { try $0.deleteEverything() }
        try store.transaction { try $0.put(Self.instance) }
        let next = try store.transaction { try $0.insert(Self.backup(start: 5, end: 5)) }
        #expect(next.sequence == 4)
        #expect(try store.transaction { try $0.backups(instanceId: "rm-1") }.map(\.sequence) == [4])
        // Deleting the holder of the highest number again and again leaves one placeholder, the highest.
        _ = try store.transaction { try $0.deleteInstance("rm-1") }
        _ = try store.transaction { try $0.insert(Self.backup(start: 6, end: 6, instance: "rm-2")) }
        _ = try store.transaction { try $0.deleteInstance("rm-2") }
        #expect(try store.transaction { try $0.backups(instanceId: "") }.map(\.sequence) == [5])
        #expect(try store.transaction { try $0.insert(Self.backup(start: 7, end: 7)) }.sequence == 6)
        // A placeholder is not a backup of any instance, and cannot be marked deleted.
        try store.transaction { try $0.markDeleted(sequence: 5, at: 9) }
        #expect(try store.transaction { try $0.backups(instanceId: "") }.first?.deletedAt == 0)
    }

    @Test func numbersBackupsPastDeletedInstances() throws {
        let store = try Store(path: ":memory:")
        let first = try store.transaction { try $0.insert(Self.backup(start: 1, end: 2, instance: "rm-2")) }
        #expect(try store.transaction { try $0.deleteInstance("rm-2") } == false)  // no instance row, but its backups go
        let second = try store.transaction { try $0.insert(Self.backup(start: 1, end: 2)) }
        #expect(second.sequence == first.sequence + 1)
    }

    @Test func refusesAnotherApplicationsDatabase() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do { try SQLiteConnection(path: path).execute("CREATE TABLE t (x)") }
        #expect {
            try Store(path: path)
        } throws: { error in
            "\(error)" == "\(path) is a SQLite file, but not an aliyun-db-emulator state file"
        }
    }

    @Test func refusesAFileThatIsNotSQLite() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        #expect {
            try Store(path: path)
        } throws: { error in
            "\(error)".contains("file is not a database")
        }
    }
}

@Suite struct GroupCommitTests {
    struct Refused: Error {}

    func count(_ store: Store) throws -> Int { try store.transaction { try $0.instances() }.count }

    @Test func commitsTransactionsTogetherWhenTheBatchEnds() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("group-\(UUID().uuidString).db").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try Store(path: path, groupCommit: true)
        try store.transaction { try $0.put(StoreTests.instance) }
        // Another connection sees nothing before the batch commits.
        #expect(try SQLiteConnection(path: path).query("SELECT count(*) FROM instances") { $0.int(0) } == [0])
        #expect(store.commitBatch() == 0)
        #expect(try SQLiteConnection(path: path).query("SELECT count(*) FROM instances") { $0.int(0) } == [1])
    }

    @Test func aTransactionThatThrowsBeforeWritingLeavesTheBatchAlone() throws {
        let store = try Store(path: ":memory:", groupCommit: true)
        try store.transaction { try $0.put(StoreTests.instance) }
        #expect(throws: Refused.self) { try store.transaction { _ = try $0.instances(); throw Refused() } }
        #expect(store.commitBatch() == 0)
        #expect(try count(store) == 1)
    }

    @Test func aTransactionThatThrowsAfterWritingFailsTheWholeBatch() throws {
        let store = try Store(path: ":memory:", groupCommit: true)
        try store.transaction { try $0.put(StoreTests.instance) }
        #expect(throws: Refused.self) {
            try store.transaction { state in
                var other = StoreTests.instance
                other.instanceId = "rm-2"
                try state.put(other)
                throw Refused()
            }
        }
        #expect(store.commitBatch() == 1)  // one failed batch: its replies must not report success
        #expect(try count(store) == 0)
        // The next batch starts afresh.
        try store.transaction { try $0.put(StoreTests.instance) }
        #expect(store.commitBatch() == 1)
        #expect(try count(store) == 1)
    }

    @Test func aNestedTransactionIsStillASavepoint() throws {
        let store = try Store(path: ":memory:", groupCommit: true)
        try store.transaction { outer in
            try outer.put(StoreTests.instance)
            #expect(throws: Refused.self) {
                try store.transaction { inner in
                    try inner.setNextOutcome(BackupOutcome(failStage: "Checking"), instanceId: "rm-1")
                    throw Refused()
                }
            }
        }
        #expect(store.commitBatch() == 0)
        #expect(try count(store) == 1)
        #expect(try store.transaction { try $0.nextOutcome(instanceId: "rm-1") } == nil)
    }
}

@Suite struct AttributesJSONTests {
    @Test func writesSortedKeysAndEscapesWhatJSONRequires() {
        let attributes: [String: AttributeValue] = [
            "Zone": .string("cn-hangzhou-h"), "Size": .integer(-20), "Note": .string("a \"b\" \\ c/d\n\u{1}é"),
        ]
        let text = AttributesJSON.encode(attributes)
        #expect(text == #"{"Note":"a \"b\" \\ c/d\u000a\u0001é","Size":-20,"Zone":"cn-hangzhou-h"}"#)
        #expect(AttributesJSON.decode(text) == attributes)
        #expect(AttributesJSON.encode([:]) == "{}")
    }

    @Test func readsWhatEarlierVersionsWrote() {
        // Foundation's JSONSerialization escaped slashes; numbers, spaces and \u escapes as JSON allows.
        #expect(
            AttributesJSON.decode(#"{ "Url" : "https:\/\/x" , "N" : 7, "E":"\u00e9\ud83d\ude00\t", "B": true, "F": 1.5 }"#)
                == ["Url": .string("https://x"), "N": .integer(7), "E": .string("é😀\t")])
        #expect(AttributesJSON.decode("not json").isEmpty)
        #expect(AttributesJSON.decode(#"{"A":"unterminated}"#).isEmpty)
    }
}
