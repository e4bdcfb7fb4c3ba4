import AlibabaRPC
import EmulatorStore
import Testing

@testable import RDSService

/// An RDS service over an in-memory store holding the given instances.
struct RDSHarness {
    let store: Store
    let service: RDSService
    var now: Int64 = 1_704_067_200_000  // 2024-01-01T00:00:00Z

    init(_ configuration: RDSConfiguration = RDSConfiguration(), instances: [InstanceRecord] = RDSHarness.instances) throws {
        store = try Store(path: ":memory:")
        service = RDSService(configuration: configuration, store: store)
        try store.transaction { state in for instance in instances { try state.put(instance) } }
    }

    static func rds(
        _ id: String, engine: String = "MySQL", storage: String = "local_ssd", status: String = "Running",
        type: String = "Primary", lock: String = "Unlock", databases: [String] = ["db1", "db2"]
    ) -> InstanceRecord {
        InstanceRecord(
            instanceId: id, product: .rds, accountId: "default", regionId: "cn-hangzhou", engine: engine,
            engineVersion: "1", status: status, instanceType: type, storageType: storage, lockMode: lock, kindCode: nil,
            databases: databases)
    }

    static let instances: [InstanceRecord] = [
        rds("mysql"), rds("mysql-nodb", databases: []), rds("mysql-cloud", storage: "cloud_essd"),
        rds("pg", engine: "PostgreSQL"), rds("pg-cloud", engine: "PostgreSQL", storage: "cloud_essd"),
        rds("mssql", engine: "SQLServer"), rds("mssql-cloud", engine: "SQLServer", storage: "cloud_essd"),
        rds("maria", engine: "MariaDB", storage: "cloud_essd"), rds("readonly", type: "Readonly"),
        rds("locked", lock: "ManualLock"), rds("stopped", status: "Stopped"),
        InstanceRecord(
            instanceId: "dds-1", product: .mongodb, accountId: "default", regionId: "r", engine: "MongoDB",
            engineVersion: "5.0", status: "Running", instanceType: "replicate", storageType: "local_ssd",
            lockMode: "Unlock", kindCode: "0", databases: ["x"]),
    ]

    /// Calls CreateBackup with `query` (`A=1&B=2`); returns the reply fields or the error.
    func createBackup(_ query: String) -> Result<[RPCValue.Field], APIError> {
        var parameters = RPCParameters()
        try! parameters.parse(formEncoded: query)
        do {
            return .success(
                try service.perform(RPCCall(action: "CreateBackup", parameters: parameters, accountId: "default", now: now)))
        } catch let error as APIError {
            return .failure(error)
        } catch {
            fatalError("unexpected \(error)")
        }
    }

    func backups(_ id: String) throws -> [BackupRecord] {
        try store.transaction { try $0.backups(instanceId: id) }
    }
}

@Suite struct RDSCreateBackupTests {
    struct Refusal: Sendable, CustomTestStringConvertible {
        let query: String
        let error: APIError
        var testDescription: String { "\(query) → \(error.code)" }
        init(_ query: String, _ error: APIError) {
            self.query = query
            self.error = error
        }
    }

    /// One case per check of docs/behaviour.md §3, in its order.
    static let refusals: [Refusal] = [
        .init("BackupMethod=Physical", .missing("DBInstanceId")),
        .init("DBInstanceId=", .missing("DBInstanceId")),
        .init("DBInstanceId=nope", RDSError.instanceNotFound),
        .init("DBInstanceId=dds-1", RDSError.instanceNotFound),
        .init("DBInstanceId=nope&BackupMethod=Bogus", RDSError.instanceNotFound),
        .init("DBInstanceId=mysql&BackupMethod=physical", RDSError.backupMethodNotSupported),
        .init("DBInstanceId=mysql&BackupType=Full", RDSError.backupTypeNotSupported),
        .init("DBInstanceId=mysql&BackupMethod=Logical&BackupStrategy=table", .invalidParameter("BackupStrategy")),
        .init("DBInstanceId=mysql&BackupMethod=Logical&BackupStrategy=db&DBName=1abc", RDSError.invalidDBNameFormat),
        .init("DBInstanceId=mysql&BackupMethod=Logical&BackupStrategy=db&DBName=db1,,db2", RDSError.invalidDBNameFormat),
        .init("DBInstanceId=mysql&BackupRetentionPeriod=6", .invalidParameter("BackupRetentionPeriod")),
        .init("DBInstanceId=mysql&BackupRetentionPeriod=731", .invalidParameter("BackupRetentionPeriod")),
        .init("DBInstanceId=mysql&BackupRetentionPeriod=x", .invalidParameter("BackupRetentionPeriod")),
        .init("DBInstanceId=readonly", RDSError.readOnlyInstance),
        .init("DBInstanceId=readonly&BackupMethod=Snapshot", RDSError.readOnlyInstance),
        .init("DBInstanceId=mysql&BackupMethod=Snapshot", RDSError.backupMethodNotSupported),
        .init("DBInstanceId=mysql-cloud", RDSError.backupMethodNotSupported),
        .init("DBInstanceId=mysql-cloud&BackupMethod=Logical", RDSError.backupMethodNotSupported),
        .init("DBInstanceId=pg&BackupMethod=Logical", RDSError.backupMethodNotSupported),
        .init("DBInstanceId=pg&BackupMethod=Snapshot", RDSError.backupMethodNotSupported),
        .init("DBInstanceId=mssql&BackupMethod=Logical", RDSError.backupMethodNotSupported),
        .init("DBInstanceId=mssql-cloud", RDSError.backupMethodNotSupported),
        .init("DBInstanceId=maria&BackupMethod=Snapshot", RDSError.backupMethodNotSupported),
        .init("DBInstanceId=mysql&BackupType=Auto", RDSError.backupTypeNotSupported),
        .init("DBInstanceId=mssql-cloud&BackupMethod=Snapshot&BackupType=FullBackup", RDSError.backupTypeNotSupported),
        .init("DBInstanceId=mysql&BackupStrategy=db&DBName=db1", .invalidParameter("BackupStrategy")),
        .init("DBInstanceId=mssql&BackupStrategy=db&DBName=db1", .invalidParameter("BackupStrategy")),
        .init("DBInstanceId=mssql&BackupType=Auto&BackupStrategy=db&DBName=db1", .invalidParameter("BackupStrategy")),
        .init("DBInstanceId=mysql&BackupMethod=Logical&BackupStrategy=db", .missing("DBName")),
        .init("DBInstanceId=mysql&BackupMethod=Logical&DBName=db1", .invalidParameter("DBName")),
        .init("DBInstanceId=mysql&BackupMethod=Logical&BackupStrategy=instance&DBName=db1", .invalidParameter("DBName")),
        .init("DBInstanceId=pg&BackupRetentionPeriod=7", .invalidParameter("BackupRetentionPeriod")),
        .init("DBInstanceId=mssql&BackupType=FullBackup&BackupRetentionPeriod=7", .invalidParameter("BackupRetentionPeriod")),
        .init("DBInstanceId=mysql-nodb&BackupMethod=Logical", RDSError.databaseNotFound),
        .init("DBInstanceId=mysql&BackupMethod=Logical&BackupStrategy=db&DBName=db1,missing", RDSError.databaseNotFound),
        .init("DBInstanceId=locked", RDSError.instanceLocked),
        .init("DBInstanceId=stopped", RDSError.incorrectState),
    ]

    @Test(arguments: refusals)
    func refuses(_ refusal: Refusal) throws {
        let harness = try RDSHarness()
        #expect(harness.createBackup(refusal.query) == .failure(refusal.error))
        for instance in RDSHarness.instances { #expect(try harness.backups(instance.instanceId).isEmpty) }
    }

    static let acceptances: [(query: String, method: String)] = [
        ("DBInstanceId=mysql", "Physical"),
        ("DBInstanceId=mysql&BackupMethod=Logical", "Logical"),
        ("DBInstanceId=mysql&BackupMethod=Logical&BackupStrategy=instance", "Logical"),
        ("DBInstanceId=mysql&BackupMethod=Logical&BackupStrategy=db&DBName=db1,db2&BackupRetentionPeriod=-1", "Logical"),
        ("DBInstanceId=mysql&BackupRetentionPeriod=730", "Physical"),
        ("DBInstanceId=mysql-nodb", "Physical"),
        ("DBInstanceId=mysql-cloud&BackupMethod=Snapshot", "Snapshot"),
        ("DBInstanceId=pg", "Physical"),
        ("DBInstanceId=pg-cloud&BackupMethod=Snapshot", "Snapshot"),
        ("DBInstanceId=pg-cloud", "Physical"),
        ("DBInstanceId=mssql&BackupType=Auto", "Physical"),
        ("DBInstanceId=mssql&BackupType=FullBackup&BackupStrategy=db&DBName=db2&BackupRetentionPeriod=30", "Physical"),
        ("DBInstanceId=mssql&BackupType=FullBackup&BackupStrategy=instance", "Physical"),
        ("DBInstanceId=mssql-cloud&BackupMethod=Snapshot", "Snapshot"),
        ("DBInstanceId=maria&BackupMethod=Physical", "Physical"),
        ("DBInstanceId=mysql&RegionId=cn-shanghai&OwnerId=1&ResourceOwnerAccount=x&Format=JSON", "Physical"),
    ]

    @Test(arguments: acceptances)
    func accepts(_ query: String, method: String) throws {
        let harness = try RDSHarness()
        let result = harness.createBackup(query)
        let id = String(query.split(separator: "&")[0].dropFirst("DBInstanceId=".count))
        let backups = try harness.backups(id)
        #expect(backups.count == 1)
        #expect(backups.first?.method == method)
        #expect(result == .success([.init("BackupJobId", .string(RDSIdentifiers.backupJobId(backups[0].sequence)))]))
    }

    @Test func recordsWhatWasAsked() throws {
        let harness = try RDSHarness(RDSConfiguration(backupDuration: 7_000))
        _ = harness.createBackup("DBInstanceId=mssql&BackupType=FullBackup&BackupStrategy=db&DBName=db2,db1&BackupRetentionPeriod=30")
        let backup = try #require(try harness.backups("mssql").first)
        #expect(backup.backupType == "FullBackup")
        #expect(backup.strategy == "db")
        #expect(backup.databaseNames == "db2,db1")
        #expect(backup.retentionDays == 30)
        #expect(backup.startedAt == harness.now)
        #expect(backup.finishesAt == harness.now + 7_000)
    }

    @Test func allowsOneTaskAtATime() throws {
        var harness = try RDSHarness(RDSConfiguration(backupDuration: 5_000))
        #expect(try harness.createBackup("DBInstanceId=mysql").get().count == 1)
        harness.now += 4_999
        #expect(harness.createBackup("DBInstanceId=mysql") == .failure(RDSError.backupJobExists))
        #expect(try harness.createBackup("DBInstanceId=pg").get().count == 1)
        harness.now += 1
        #expect(try harness.createBackup("DBInstanceId=mysql").get().count == 1)
    }

    @Test func stateIsCheckedBeforeTheRunningTaskAndTheTaskBeforeTheQuota() throws {
        let harness = try RDSHarness(RDSConfiguration(dailyQuota: 1, backupDuration: 60_000))
        _ = harness.createBackup("DBInstanceId=mysql")
        #expect(harness.createBackup("DBInstanceId=mysql") == .failure(RDSError.backupJobExists))
        try harness.store.transaction { state in
            var instance = try #require(try state.instance("mysql"))
            instance.status = "Rebooting"
            try state.put(instance)
        }
        #expect(harness.createBackup("DBInstanceId=mysql") == .failure(RDSError.incorrectState))
    }

    @Test func allowsTwentyBackupsPerUTCDay() throws {
        var harness = try RDSHarness(RDSConfiguration(backupDuration: 0))
        harness.now = 1_704_067_200_000 + 86_400_000 - 20  // 20 ms before midnight
        for _ in 0..<20 {
            #expect(try harness.createBackup("DBInstanceId=mysql").get().count == 1)
        }
        #expect(harness.createBackup("DBInstanceId=mysql") == .failure(RDSError.dailyQuotaExceeded))
        #expect(try harness.createBackup("DBInstanceId=pg").get().count == 1)
        harness.now += 20  // midnight: a new day
        #expect(try harness.createBackup("DBInstanceId=mysql").get().count == 1)
        #expect(try harness.backups("mysql").count == 21)
    }

    @Test func takesTheQuotaFromTheConfiguration() throws {
        let harness = try RDSHarness(RDSConfiguration(dailyQuota: 2, backupDuration: 0))
        _ = harness.createBackup("DBInstanceId=mysql")
        _ = harness.createBackup("DBInstanceId=mysql")
        #expect(harness.createBackup("DBInstanceId=mysql") == .failure(RDSError.dailyQuotaExceeded))
        let none = try RDSHarness(RDSConfiguration(dailyQuota: 0, backupDuration: 0))
        #expect(none.createBackup("DBInstanceId=mysql") == .failure(RDSError.dailyQuotaExceeded))
    }

    @Test func legacyProfileFollowsTheOldDocumentation() throws {
        let harness = try RDSHarness(RDSConfiguration(profile: .legacy, backupDuration: 0))
        #expect(harness.service.configuration.dailyQuota == 10)
        #expect(harness.createBackup("DBInstanceId=mysql") == .success([]))
        #expect(harness.createBackup("DBInstanceId=mysql-cloud&BackupMethod=Snapshot") == .failure(RDSError.backupMethodNotSupported))
        #expect(harness.createBackup("DBInstanceId=mysql-cloud&BackupMethod=Logical") == .success([]))
        #expect(harness.createBackup("DBInstanceId=mssql&BackupMethod=Logical") == .failure(RDSError.backupMethodNotSupported))
        #expect(harness.createBackup("DBInstanceId=pg&BackupType=FullBackup") == .success([]))
        #expect(harness.createBackup("DBInstanceId=mssql&BackupType=FullBackup&BackupStrategy=db&DBName=db1") == .failure(.invalidParameter("BackupStrategy")))
        #expect(harness.createBackup("DBInstanceId=mysql&BackupMethod=Logical&BackupStrategy=db&DBName=db1") == .success([]))
        for _ in 0..<8 { _ = harness.createBackup("DBInstanceId=mysql") }
        #expect(try harness.backups("mysql").count == 10)
        #expect(harness.createBackup("DBInstanceId=mysql") == .failure(RDSError.dailyQuotaExceeded))
    }

    @Test func jobIdsAreDigitStrings() throws {
        let harness = try RDSHarness()
        let fields = try harness.createBackup("DBInstanceId=mysql").get()
        guard case .string(let id) = fields[0].value else { Issue.record("not a string"); return }
        #expect(!id.isEmpty && id.allSatisfy(\.isNumber))
    }
}
