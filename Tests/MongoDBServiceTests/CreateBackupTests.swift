import AlibabaRPC
import EmulatorStore
import Testing

@testable import MongoDBService

struct MongoDBHarness {
    let store: Store
    let service: MongoDBService
    var now: Int64 = 1_704_067_200_000

    init(_ configuration: MongoDBConfiguration = MongoDBConfiguration()) throws {
        store = try Store(path: ":memory:")
        service = MongoDBService(configuration: configuration, store: store)
        try store.transaction { state in for instance in Self.instances { try state.put(instance) } }
    }

    static func dds(
        _ id: String, kind: String = "0", storage: String = "local_ssd", type: String = "replicate",
        status: String = "Running", databases: [String] = ["orders"]
    ) -> InstanceRecord {
        InstanceRecord(
            instanceId: id, product: .mongodb, accountId: "default", regionId: "cn-hangzhou", engine: "MongoDB",
            engineVersion: "5.0", status: status, instanceType: type, storageType: storage, lockMode: "Unlock",
            kindCode: kind, databases: databases)
    }

    static let instances: [InstanceRecord] = [
        dds("replica"), dds("nodb", databases: []), dds("standalone", kind: "3", storage: "cloud_essd1"),
        dds("cloud", kind: "18", storage: "cloud_essd1"), dds("sharded", type: "sharding"),
        dds("restoring", status: "Restoring"),
        InstanceRecord(
            instanceId: "rm-1", product: .rds, accountId: "default", regionId: "r", engine: "MySQL", engineVersion: "8.0",
            status: "Running", instanceType: "Primary", storageType: "local_ssd", lockMode: "Unlock", kindCode: nil,
            databases: []),
    ]

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

@Suite struct MongoDBCreateBackupTests {
    static let refusals: [(query: String, error: APIError)] = [
        ("BackupMethod=Logical", .missing("DBInstanceId")),
        ("DBInstanceId=nope", MongoDBError.instanceNotFound),
        ("DBInstanceId=rm-1", MongoDBError.instanceNotFound),
        ("DBInstanceId=replica&BackupMethod=logical", MongoDBError.backupMethodNotSupported),
        ("DBInstanceId=replica&BackupRetentionPeriod=5", .invalidParameter("BackupRetentionPeriod")),
        ("DBInstanceId=standalone&BackupMethod=Physical", MongoDBError.backupMethodNotSupported),
        ("DBInstanceId=standalone&BackupMethod=Logical", MongoDBError.backupMethodNotSupported),
        ("DBInstanceId=cloud", MongoDBError.backupMethodNotSupported),
        ("DBInstanceId=cloud&BackupMethod=Logical", MongoDBError.backupMethodNotSupported),
        ("DBInstanceId=replica&BackupMethod=Snapshot", MongoDBError.backupMethodNotSupported),
        ("DBInstanceId=replica&BackupRetentionPeriod=7", .invalidParameter("BackupRetentionPeriod")),
        ("DBInstanceId=nodb&BackupMethod=Logical", MongoDBError.noDatabase),
        ("DBInstanceId=restoring", MongoDBError.incorrectState),
    ]

    @Test(arguments: refusals)
    func refuses(_ query: String, error: APIError) throws {
        let harness = try MongoDBHarness()
        #expect(harness.createBackup(query) == .failure(error))
        for instance in MongoDBHarness.instances { #expect(try harness.backups(instance.instanceId).isEmpty) }
    }

    static let acceptances: [(query: String, method: String)] = [
        ("DBInstanceId=replica", "Physical"),
        ("DBInstanceId=replica&BackupMethod=Logical", "Logical"),
        ("DBInstanceId=nodb", "Physical"),
        ("DBInstanceId=standalone", "Snapshot"),
        ("DBInstanceId=standalone&BackupMethod=Snapshot", "Snapshot"),
        ("DBInstanceId=cloud&BackupMethod=Snapshot&BackupRetentionPeriod=-1", "Snapshot"),
        ("DBInstanceId=sharded&BackupMethod=Logical", "Logical"),
        ("DBInstanceId=sharded&RegionId=cn-hangzhou", "Physical"),
    ]

    @Test(arguments: acceptances)
    func accepts(_ query: String, method: String) throws {
        let harness = try MongoDBHarness()
        let result = harness.createBackup(query)
        let id = String(query.split(separator: "&")[0].dropFirst("DBInstanceId=".count))
        let backup = try #require(try harness.backups(id).first)
        #expect(backup.method == method)
        #expect(
            result
                == .success([
                    .init("BackupId", .string(MongoDBIdentifiers.backupId(backup.sequence))),
                    .init("BackupJobId", .string(MongoDBIdentifiers.backupJobId(backup.sequence))),
                ]))
    }

    @Test func allowsOneTaskAtATime() throws {
        var harness = try MongoDBHarness(MongoDBConfiguration(backupDuration: 1_000))
        _ = harness.createBackup("DBInstanceId=replica")
        #expect(harness.createBackup("DBInstanceId=replica") == .failure(MongoDBError.backupJobExists))
        harness.now += 1_000
        #expect(try harness.createBackup("DBInstanceId=replica").get().count == 2)
    }

    @Test func allowsTwentyBackupsPerDayByDefault() throws {
        var harness = try MongoDBHarness(MongoDBConfiguration(backupDuration: 0))
        for _ in 0..<20 { _ = harness.createBackup("DBInstanceId=replica") }
        #expect(harness.createBackup("DBInstanceId=replica") == .failure(MongoDBError.dailyQuotaExceeded))
        harness.now += 86_400_000
        #expect(try harness.createBackup("DBInstanceId=replica").get().count == 2)
        let two = try MongoDBHarness(MongoDBConfiguration(dailyQuota: 2, backupDuration: 0))
        _ = two.createBackup("DBInstanceId=replica")
        _ = two.createBackup("DBInstanceId=replica")
        #expect(two.createBackup("DBInstanceId=replica") == .failure(MongoDBError.dailyQuotaExceeded))
    }
}
