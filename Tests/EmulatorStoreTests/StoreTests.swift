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
        try store.transaction { state throws in
            #expect(try state.hasBackupInProgress(instanceId: "rm-1", at: 199))
            #expect(try !state.hasBackupInProgress(instanceId: "rm-1", at: 200))
            #expect(try !state.hasBackupInProgress(instanceId: "rm-1", at: 99))  // not started yet
            #expect(try !state.hasBackupInProgress(instanceId: "rm-1", at: 300))
            #expect(try state.backupCount(instanceId: "rm-1", from: 0, until: 1000) == 2)
            #expect(try state.backupCount(instanceId: "rm-1", from: 101, until: 1000) == 1)
            #expect(try state.backupCount(instanceId: "rm-1", from: 0, until: 100) == 0)
        }
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
            #expect(try outer.recordNonce("n", accessKeyId: "k", expiresAt: 10, now: 0))
            #expect(throws: Refused.self) {
                try store.transaction { inner in
                    try inner.put(Self.instance)
                    throw Refused()
                }
            }
        }
        #expect(try store.transaction { try $0.instances() }.isEmpty)
        #expect(try store.transaction { try $0.nonceCount() } == 1)
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
        #expect(try upgraded.transaction { try $0.recordNonce("n", accessKeyId: "k", expiresAt: 10, now: 0) })
        let version = try SQLiteConnection(path: path).query("PRAGMA user_version") { $0.int(0) }
        #expect(version == [Int64(Store.schemaVersion)])
    }

    @Test func remembersNoncesUntilTheyExpireAndForgetsThemAfter() throws {
        let store = try Store(path: ":memory:")
        try store.transaction { state throws in
            #expect(try state.recordNonce("a", accessKeyId: "k1", expiresAt: 100, now: 0))
            #expect(try !state.recordNonce("a", accessKeyId: "k1", expiresAt: 200, now: 50))
            #expect(try state.recordNonce("a", accessKeyId: "k2", expiresAt: 100, now: 50))  // per access key
            #expect(try state.recordNonce("b", accessKeyId: "k1", expiresAt: 300, now: 60))
            #expect(try state.nonceCount() == 3)
            #expect(try state.recordNonce("a", accessKeyId: "k1", expiresAt: 400, now: 100))  // expired: usable again
            #expect(try state.nonceCount() == 2)  // k1/a again and k1/b; k2/a pruned
        }
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
