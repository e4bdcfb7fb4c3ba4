import AlibabaRPC
import EmulatorStore
import Testing

@testable import RDSService

extension RDSHarness {
    func call(_ action: String, _ query: String) -> Result<[RPCValue.Field], APIError> {
        var parameters = RPCParameters()
        try! parameters.parse(formEncoded: query)
        do {
            return .success(try service.perform(RPCCall(action: action, parameters: parameters, accountId: "default", now: now)))
        } catch let error as APIError {
            return .failure(error)
        } catch {
            fatalError("unexpected \(error)")
        }
    }
}

extension Result where Success == [RPCValue.Field] {
    /// The rendered JSON of a success, for compact assertions.
    var json: String {
        guard case .success(let fields) = self else { return "\(self)" }
        return ResponseRenderer.render(fields, root: "R", as: .json)
    }
}

@Suite struct RDSDescribeTests {
    @Test func followsATaskToItsBackupSet() throws {
        var harness = try RDSHarness(RDSConfiguration(backupDuration: 10_000))
        _ = harness.createBackup("DBInstanceId=mysql")
        #expect(
            harness.call("DescribeBackupTasks", "DBInstanceId=mysql").json
                == #"{"Items":{"BackupJob":[{"BackupJobId":"5073731","BackupStatus":"Preparing","BackupProgressStatus":"Preparing","Process":"0","JobMode":"Manual","TaskAction":"TempBackupTask"}]}}"#)
        harness.now += 6_000
        #expect(harness.call("DescribeBackupTasks", "DBInstanceId=mysql&BackupJobId=5073731").json.contains(#""BackupStatus":"Uploading","BackupProgressStatus":"Uploading","Process":"60""#))
        #expect(harness.call("DescribeBackups", "DBInstanceId=mysql").json.contains(#""TotalRecordCount":"0""#))
        harness.now += 4_000
        // Finished tasks leave the running list; BackupId only with BackupJobId.
        #expect(harness.call("DescribeBackupTasks", "DBInstanceId=mysql").json == #"{"Items":{"BackupJob":[]}}"#)
        #expect(harness.call("DescribeBackupTasks", "DBInstanceId=mysql&BackupJobId=5073731").json.contains(#""BackupStatus":"Finished","BackupProgressStatus":"Finished","Process":"100","JobMode":"Manual","TaskAction":"TempBackupTask","BackupId":"321020561""#))
        let sets = harness.call("DescribeBackups", "DBInstanceId=mysql").json
        #expect(sets.contains(#""TotalRecordCount":"1","PageNumber":"1","PageRecordCount":"1""#))
        #expect(sets.contains(#""BackupId":"321020561","DBInstanceId":"mysql","BackupStatus":"Success","BackupStartTime":"2024-01-01T00:00:00Z","BackupEndTime":"2024-01-01T00:00:10Z""#))
        #expect(sets.contains(#""BackupMode":"Manual","BackupMethod":"Physical","BackupInitiator":"User""#))
        #expect(sets.contains(#""IsAvail":1,"ConsistentTime":1704067210,"StoreStatus":"Enabled""#))
    }

    @Test func filtersBackups() throws {
        var harness = try RDSHarness(RDSConfiguration(backupDuration: 0))
        for _ in 0..<3 {
            _ = harness.createBackup("DBInstanceId=mysql")
            harness.now += 3_600_000
        }
        func count(_ query: String) -> String {
            let json = harness.call("DescribeBackups", "DBInstanceId=mysql&" + query).json
            return String(json.firstMatch(of: /"TotalRecordCount":"(\d+)","PageNumber":"(\d+)","PageRecordCount":"(\d+)"/).map { "\($0.1)/\($0.2)/\($0.3)" } ?? json)
        }
        #expect(count("") == "3/1/3")
        #expect(count("StartTime=2024-01-01T01:00Z") == "2/1/2")
        #expect(count("StartTime=2024-01-01T00:30Z&EndTime=2024-01-01T01:00Z") == "1/1/1")
        #expect(count("PageSize=30&PageNumber=2") == "3/2/0")
        #expect(count("BackupStatus=Failed") == "0/1/0")
        #expect(count("BackupMode=Automated") == "0/1/0")
        #expect(count("BackupId=321020562") == "1/1/1")
        #expect(count("BackupId=5") == "0/1/0")
        #expect(harness.call("DescribeBackups", "DBInstanceId=mysql").json.firstRange(of: #""BackupId":"321020563""#)!.lowerBound
            < harness.call("DescribeBackups", "DBInstanceId=mysql").json.firstRange(of: #""BackupId":"321020561""#)!.lowerBound)
    }

    static let refusals: [(action: String, query: String, error: APIError)] = [
        ("DescribeBackupTasks", "", .missing("DBInstanceId")),
        ("DescribeBackupTasks", "DBInstanceId=nope", RDSError.taskInstanceNotFound),
        ("DescribeBackupTasks", "DBInstanceId=mysql&BackupJobId=abc", RDSError.invalidParameters),
        ("DescribeBackupTasks", "DBInstanceId=mysql&BackupJobStatus=Done", RDSError.invalidParameters),
        ("DescribeBackups", "DBInstanceId=nope", RDSError.instanceNotFound),
        ("DescribeBackups", "DBInstanceId=mysql&StartTime=2024-01-01", RDSError.invalidStartTime),
        ("DescribeBackups", "DBInstanceId=mysql&StartTime=2024-01-01T00:00:00Z", RDSError.invalidStartTime),
        ("DescribeBackups", "DBInstanceId=mysql&EndTime=tomorrow", RDSError.invalidEndTime),
        ("DescribeBackups", "DBInstanceId=mysql&StartTime=2024-01-02T00:00Z&EndTime=2024-01-01T00:00Z", RDSError.endBeforeStart),
        ("DescribeBackups", "DBInstanceId=mysql&PageSize=20", RDSError.invalidPageSize),
        ("DescribeBackups", "DBInstanceId=mysql&PageNumber=0", RDSError.invalidPageNumber),
        ("DescribeBackups", "DBInstanceId=mysql&BackupStatus=Done", RDSError.invalidParameters),
        ("DeleteBackup", "DBInstanceId=mysql", .missing("BackupId")),
        ("DeleteBackup", "DBInstanceId=nope&BackupId=1", RDSError.taskInstanceNotFound),
        ("DeleteBackup", "DBInstanceId=mysql&BackupId=" + (1...101).map(String.init).joined(separator: ","), RDSError.tooManyBackupSets),
        ("DeleteBackup", "DBInstanceId=mysql&BackupId=321020999", RDSError.backupSetNotFound),
        ("DeleteBackup", "DBInstanceId=readonly&BackupId=1", RDSError.readOnlyInstance),
        ("DeleteBackup", "DBInstanceId=locked&BackupId=1", RDSError.deleteLocked),
        ("DeleteBackup", "DBInstanceId=stopped&BackupId=1", RDSError.incorrectState),
        ("DescribeDBInstanceAttribute", "DBInstanceId=nope", RDSError.attributeInstanceNotFound),
        ("DescribeDBInstanceAttribute", "DBInstanceId=dds-1", RDSError.attributeInstanceNotFound),
        ("DescribeDBInstances", "", .missing("RegionId")),
        ("DescribeDBInstances", "RegionId=cn-hangzhou&PageSize=101", .invalidParameter("PageSize")),
    ]

    @Test(arguments: refusals)
    func refuses(_ action: String, query: String, error: APIError) throws {
        #expect(try RDSHarness().call(action, query) == .failure(error))
    }

    @Test func deletesBackupSetsButTheyStillCountForTheQuota() throws {
        var harness = try RDSHarness(RDSConfiguration(dailyQuota: 2, backupDuration: 0))
        _ = harness.createBackup("DBInstanceId=mysql")
        _ = harness.createBackup("DBInstanceId=mysql")
        #expect(harness.call("DeleteBackup", "DBInstanceId=mysql&BackupId=321020561,321020562") == .success([]))
        #expect(harness.call("DescribeBackups", "DBInstanceId=mysql").json.contains(#""TotalRecordCount":"0""#))
        #expect(harness.call("DeleteBackup", "DBInstanceId=mysql&BackupId=321020561") == .failure(RDSError.backupSetNotFound))
        #expect(harness.createBackup("DBInstanceId=mysql") == .failure(RDSError.dailyQuotaExceeded))
        harness.now += 86_400_000
        #expect(harness.createBackup("DBInstanceId=mysql").json.contains("BackupJobId"))
    }

    @Test func aRunningTaskHasNoBackupSetToDelete() throws {
        let harness = try RDSHarness(RDSConfiguration(backupDuration: 5_000))
        _ = harness.createBackup("DBInstanceId=mysql")
        #expect(harness.call("DeleteBackup", "DBInstanceId=mysql&BackupId=321020561") == .failure(RDSError.backupSetNotFound))
    }

    @Test func failedTasksLeaveFailedSets() throws {
        var harness = try RDSHarness(RDSConfiguration(backupDuration: 10_000))
        try harness.store.transaction { try $0.setNextOutcome(BackupOutcome(failStage: "Uploading"), instanceId: "mysql") }
        _ = harness.createBackup("DBInstanceId=mysql")
        harness.now += 5_000
        #expect(harness.call("DescribeBackupTasks", "DBInstanceId=mysql&BackupJobId=5073731").json.contains(#""BackupStatus":"Failed","BackupProgressStatus":"Uploading","Process":"50""#))
        let sets = harness.call("DescribeBackups", "DBInstanceId=mysql&BackupStatus=Failed").json
        #expect(sets.contains(#""BackupStatus":"Failed""#) && sets.contains(#""BackupSize":0"#) && sets.contains(#""IsAvail":0"#))
        // The failure ended the task: a new backup is accepted.
        #expect(harness.createBackup("DBInstanceId=mysql").json.contains("BackupJobId"))
    }

    @Test func aScriptedOutcomeKeepsTheCountOfEarlierSets() throws {
        var harness = try RDSHarness(RDSConfiguration(backupDuration: 0))
        _ = harness.createBackup("DBInstanceId=mysql")
        _ = harness.createBackup("DBInstanceId=mysql")
        try harness.store.transaction { try $0.setNextOutcome(BackupOutcome(failStage: "Checking"), instanceId: "mysql") }
        _ = harness.createBackup("DBInstanceId=mysql")
        harness.now += 1_000
        // The unfiltered count comes from the per-instance total; the filtered one counts rows: they agree.
        #expect(harness.call("DescribeBackups", "DBInstanceId=mysql").json.contains(#""TotalRecordCount":"3","PageNumber":"1","PageRecordCount":"3""#))
        #expect(harness.call("DescribeBackups", "DBInstanceId=mysql&BackupStatus=Failed").json.contains(#""TotalRecordCount":"1""#))
    }

    @Test func describesInstances() throws {
        let harness = try RDSHarness()
        #expect(harness.call("DescribeDBInstanceAttribute", "DBInstanceId=pg").json == #"{"Items":{"DBInstanceAttribute":[{"DBInstanceId":"pg","RegionId":"cn-hangzhou","Engine":"PostgreSQL","EngineVersion":"1","DBInstanceStatus":"Running","DBInstanceType":"Primary","DBInstanceStorageType":"local_ssd","LockMode":"Unlock"}]}}"#)
        let all = harness.call("DescribeDBInstances", "RegionId=cn-hangzhou").json
        #expect(all.contains(#""TotalRecordCount":11,"PageNumber":1,"PageRecordCount":11"#))
        #expect(!all.contains("dds-1"))
        #expect(harness.call("DescribeDBInstances", "RegionId=cn-hangzhou&Engine=SQLServer").json.contains(#""TotalRecordCount":2"#))
        #expect(harness.call("DescribeDBInstances", "RegionId=cn-hangzhou&DBInstanceStatus=Stopped").json.contains(#""TotalRecordCount":1"#))
        #expect(harness.call("DescribeDBInstances", "RegionId=cn-hangzhou&DBInstanceId=pg,maria,nope").json.contains(#""TotalRecordCount":2"#))
        #expect(harness.call("DescribeDBInstances", "RegionId=cn-hangzhou&PageSize=5&PageNumber=3").json.contains(#""TotalRecordCount":11,"PageNumber":3,"PageRecordCount":1"#))
        #expect(harness.call("DescribeDBInstances", "RegionId=cn-beijing").json.contains(#""TotalRecordCount":0"#))
    }
}
