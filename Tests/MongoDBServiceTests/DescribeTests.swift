import AlibabaRPC
import EmulatorStore
import Testing

@testable import MongoDBService

extension MongoDBHarness {
    func call(_ action: String, _ query: String) -> String {
        var parameters = RPCParameters()
        try! parameters.parse(formEncoded: query)
        do {
            let fields = try service.perform(RPCCall(action: action, parameters: parameters, accountId: "default", now: now))
            return ResponseRenderer.render(fields, root: "R", as: .json)
        } catch let error as APIError {
            return "\(error.status) \(error.code): \(error.message)"
        } catch {
            fatalError("unexpected \(error)")
        }
    }
}

@Suite struct MongoDBDescribeTests {
    @Test func followsATaskToItsBackupSet() throws {
        var harness = try MongoDBHarness(MongoDBConfiguration(backupDuration: 10_000))
        _ = harness.createBackup("DBInstanceId=replica")
        #expect(
            harness.call("DescribeBackupTasks", "DBInstanceId=replica")
                == #"{"BackupJobs":[{"BackupjobId":"11230001","BackupSetStatus":"Scheduled","BackupStartTime":"2024-01-01T00:00:00Z","Progress":"0%","JobMode":"Manual"}]}"#)
        harness.now += 1_500
        #expect(harness.call("DescribeBackupTasks", "DBInstanceId=replica").contains(#""BackupSetStatus":"Checking","BackupStartTime":"2024-01-01T00:00:00Z","Progress":"15%""#))
        harness.now += 3_000
        #expect(harness.call("DescribeBackupTasks", "DBInstanceId=replica").contains(#""BackupSetStatus":"Backuping""#))
        harness.now += 5_500
        #expect(harness.call("DescribeBackupTasks", "DBInstanceId=replica") == #"{"BackupJobs":[]}"#)
        #expect(
            harness.call("DescribeBackupTasks", "DBInstanceId=replica&BackupJobId=11230001")
                == #"{"BackupJobs":[{"BackupjobId":"11230001","BackupSetStatus":"Finished","BackupStartTime":"2024-01-01T00:00:00Z","JobMode":"Manual"}]}"#)
        let sets = harness.call("DescribeBackups", "DBInstanceId=replica")
        #expect(sets.hasPrefix(#"{"TotalCount":1,"PageSize":30,"PageNumber":1,"Backups":{"Backup":[{"BackupId":"56640001","BackupJobId":"11230001","BackupStatus":"Success""#))
        #expect(sets.contains(#""BackupEndTime":"2024-01-01T00:00:10Z""#) && sets.contains(#""IsAvail":true"#))
    }

    @Test func filtersAndRefuses() throws {
        var harness = try MongoDBHarness(MongoDBConfiguration(backupDuration: 0))
        for _ in 0..<3 {
            _ = harness.createBackup("DBInstanceId=replica")
            harness.now += 3_600_000
        }
        #expect(harness.call("DescribeBackups", "DBInstanceId=replica&BackupId=56640001,56640003").contains(#""TotalCount":2"#))
        #expect(harness.call("DescribeBackups", "DBInstanceId=replica&StartTime=2024-01-01T01:00Z").contains(#""TotalCount":2"#))
        #expect(harness.call("DescribeBackups", "DBInstanceId=replica&PageSize=50&PageNumber=2").contains(#""TotalCount":3,"PageSize":50,"PageNumber":2,"Backups":{"Backup":[]}"#))
        let refusals: [(String, String, String)] = [
            ("DescribeBackups", "", "400 MissingDBInstanceId: DBInstanceId is mandatory for this action."),
            ("DescribeBackups", "DBInstanceId=rm-1", "404 InvalidDBInstanceId.NotFound: The DBInstanceId provided does not exist in our records."),
            ("DescribeBackups", "DBInstanceId=replica&StartTime=x", "400 InvalidStartTime.Malformed: The Specified parameter StartTime is not valid."),
            ("DescribeBackups", "DBInstanceId=replica&EndTime=2024-01-01T00:00:00Z", "400 InvalidEndTime.Malformed: The Specified parameter EndTime is not valid."),
            ("DescribeBackups", "DBInstanceId=replica&StartTime=2024-01-02T00:00Z&EndTime=2024-01-01T00:00Z",
             "400 InvalidStartTimeAndEndTime.Malformed: The Specified parameter StartTime or EndTime is not valid."),
            ("DescribeBackups", "DBInstanceId=replica&PageSize=10", "400 InvalidPageSize.Malformed: The specified  parameter PageSize is not valid."),
            ("DescribeBackupTasks", "DBInstanceId=nope", "404 InvalidDBInstanceId.NotFound: The DBInstanceId provided does not exist in our records."),
            ("DescribeBackupTasks", "DBInstanceId=replica&BackupJobId=x1", #"400 InvalidParameter: The specified parameter "BackupJobId" is not valid."#),
            ("DescribeDBInstanceAttribute", "DBInstanceId=rm-1", "404 InvalidDBInstanceId.NotFound: The DBInstanceId provided does not exist in our records."),
            ("DescribeDBInstances", "", "400 MissingRegionId: RegionId is mandatory for this action."),
        ]
        for (action, query, expected) in refusals { #expect(harness.call(action, query) == expected, "\(action) \(query)") }
    }

    @Test func failedAndHeldTasks() throws {
        var harness = try MongoDBHarness(MongoDBConfiguration(backupDuration: 10_000))
        try harness.store.transaction {
            try $0.setNextOutcome(BackupOutcome(holdStage: "Backuping", holdUntil: harness.now + 60_000), instanceId: "replica")
        }
        _ = harness.createBackup("DBInstanceId=replica")
        harness.now += 30_000
        #expect(harness.call("DescribeBackupTasks", "DBInstanceId=replica").contains(#""BackupSetStatus":"Backuping","BackupStartTime":"2024-01-01T00:00:00Z","Progress":"20%""#))
        #expect(harness.createBackup("DBInstanceId=replica") == .failure(MongoDBError.backupJobExists))
        harness.now += 38_000  // held until 60 s, then 8 s of the remaining work: done at 68 s
        #expect(harness.call("DescribeBackupTasks", "DBInstanceId=replica&BackupJobId=11230001").contains(#""BackupSetStatus":"Finished""#))
        try harness.store.transaction { try $0.setNextOutcome(BackupOutcome(failStage: "Checking"), instanceId: "replica") }
        _ = harness.createBackup("DBInstanceId=replica")
        harness.now += 1_000
        #expect(harness.call("DescribeBackupTasks", "DBInstanceId=replica&BackupJobId=11230002").contains(#""BackupSetStatus":"Failed""#))
        #expect(harness.call("DescribeBackups", "DBInstanceId=replica&BackupId=56640002").contains(#""BackupStatus":"Failed""#))
    }

    @Test func describesInstances() throws {
        let harness = try MongoDBHarness()
        #expect(harness.call("DescribeDBInstanceAttribute", "DBInstanceId=cloud") == #"{"DBInstances":{"DBInstance":[{"DBInstanceId":"cloud","RegionId":"cn-hangzhou","Engine":"MongoDB","EngineVersion":"5.0","DBInstanceStatus":"Running","DBInstanceType":"replicate","KindCode":"18","StorageType":"cloud_essd1","LockMode":"Unlock"}]}}"#)
        #expect(harness.call("DescribeDBInstances", "RegionId=cn-hangzhou").hasPrefix(#"{"TotalCount":6,"PageNumber":1,"PageSize":30"#))
        #expect(harness.call("DescribeDBInstances", "RegionId=cn-hangzhou&DBInstanceType=sharding").hasPrefix(#"{"TotalCount":1,"#))
    }
}
