import Emulator
import EmulatorTesting
import Foundation
import TestSupport
import Testing

/// The backup lifecycle through HTTP: the virtual clock, scripted outcomes, and golden replies of
/// every companion operation in JSON and XML.
@Suite struct LifecycleTests {
    func clock(_ server: TestEmulator, _ body: String) throws -> RawResponse {
        try server.send("POST", "/_emulator/clock", json: body)
    }

    @Test func everyOperationMatchesItsGoldenFiles() throws {
        try withEmulator { server in
            _ = try clock(server, #"{"set": "2024-01-01T00:00:00Z", "freeze": true}"#)
            let rds = "Version=2014-08-15&DBInstanceId=rm-uf6wjk5xxxxxxx"
            let dds = "Version=2015-12-01&DBInstanceId=dds-bpxxxxxxxx"
            #expect(try server.get("/?Action=CreateBackup&\(rds)&BackupMethod=Logical&BackupStrategy=db&DBName=rds_mysql").status == 200)
            #expect(try server.get("/?Action=CreateBackup&\(dds)&BackupMethod=Logical").status == 200)
            let running: [(String, String)] = [
                ("rds-describe-backup-tasks-running", "/?Action=DescribeBackupTasks&\(rds)"),
                ("mongodb-describe-backup-tasks-running", "/?Action=DescribeBackupTasks&\(dds)"),
                ("rds-describe-backups-empty", "/?Action=DescribeBackups&\(rds)"),
            ]
            let finished: [(String, String)] = [
                ("rds-describe-backup-tasks-finished", "/?Action=DescribeBackupTasks&\(rds)&BackupJobId=5073731"),
                ("rds-describe-backups", "/?Action=DescribeBackups&\(rds)&StartTime=2024-01-01T00:00Z&EndTime=2024-01-01T00:10Z"),
                ("mongodb-describe-backup-tasks-finished", "/?Action=DescribeBackupTasks&\(dds)&BackupJobId=11230002"),
                ("mongodb-describe-backups", "/?Action=DescribeBackups&\(dds)"),
                ("rds-describe-db-instance-attribute", "/?Action=DescribeDBInstanceAttribute&\(rds)"),
                ("rds-describe-db-instances", "/?Action=DescribeDBInstances&Version=2014-08-15&RegionId=cn-hangzhou&PageSize=2&PageNumber=2"),
                ("mongodb-describe-db-instance-attribute", "/?Action=DescribeDBInstanceAttribute&\(dds)"),
                ("mongodb-describe-db-instances", "/?Action=DescribeDBInstances&Version=2015-12-01&RegionId=cn-hangzhou&DBInstanceType=sharding"),
                ("rds-delete-backup", "/?Action=DeleteBackup&\(rds)&BackupId=321020561"),
                ("rds-describe-backups-after-delete", "/?Action=DescribeBackups&\(rds)"),
            ]
            // The clock is frozen: JSON and XML of each reply are taken at the same instant, 2 s after the
            // backups started (tasks running), then 5 s after (tasks finished).
            for (index, (name, target)) in (running + finished).enumerated() {
                if index == running.count { _ = try clock(server, #"{"set": "2024-01-01T00:00:05Z"}"#) }
                if index < running.count { _ = try clock(server, #"{"set": "2024-01-01T00:00:02Z"}"#) }
                let isDelete = name == "rds-delete-backup"
                let json = try server.get(target + "&Format=JSON")
                #expect(json.status == 200, "\(name): \(json.body)")
                #expect(json.header("Date") == (index < running.count ? "Mon, 01 Jan 2024 00:00:02 GMT" : "Mon, 01 Jan 2024 00:00:05 GMT"))
                try expectGolden(json.body, "\(name).json")
                if isDelete { continue }  // a second delete would fail: the set is gone
                let xml = try server.get(target)
                #expect(xml.status == 200, "\(name): \(xml.body)")
                try expectGolden(xml.body, "\(name).xml")
            }
        }
    }

    @Test func theClockCanBeReadSetAdvancedFrozenReleasedAndReset() throws {
        try withEmulator { server in
            let initial = try server.get("/_emulator/clock")
            #expect(initial.status == 200)
            #expect(initial.body.contains(#""frozen":false,"offsetSeconds":0"#))
            #expect(try clock(server, #"{"set": "2024-03-01T12:00:00Z", "freeze": true}"#).body.hasPrefix(#"{"now":"2024-03-01T12:00:00Z","nowMilliseconds":1709294400000,"frozen":true"#))
            #expect(try clock(server, #"{"advance": "1d"}"#).body.hasPrefix(#"{"now":"2024-03-02T12:00:00Z""#))
            #expect(try clock(server, #"{"advance": "90m"}"#).body.hasPrefix(#"{"now":"2024-03-02T13:30:00Z""#))
            #expect(try clock(server, #"{"advance": 30.5}"#).body.hasPrefix(#"{"now":"2024-03-02T13:30:30Z""#))
            let released = try clock(server, #"{"release": true}"#)
            #expect(released.body.contains(#""frozen":false"#))
            #expect(try clock(server, #"{"reset": true}"#).body.contains(#""frozen":false,"offsetSeconds":0"#))
        }
    }

    @Test(arguments: [
        (#"{}"#, "request body: a JSON object with set, advance, freeze, release or reset"),
        (#"{"travel": 1}"#, #"request body: \"travel\" is not a clock setting; use set, advance, freeze, release or reset"#),
        (#"{"set": "yesterday"}"#, #"request body: \"set\" must be a time like 2024-01-01T00:00:00Z"#),
        (#"{"advance": "3 weeks"}"#, Self.badDuration),
        (#"{"advance": -5}"#, Self.badDuration),
        // Only decimal digits: Swift's Double(String) alone would read these as 16, 1000 and infinity.
        (#"{"advance": "0x10s"}"#, Self.badDuration),
        (#"{"advance": "1e3"}"#, Self.badDuration),
        (#"{"advance": "inf"}"#, Self.badDuration),
        (#"{"advance": "3651d"}"#, Self.badDuration),
        (#"{"advance": 1e300}"#, Self.badDuration),
        // The API's times have four-digit years from 1970.
        (#"{"set": "9999-12-31T23:00:00Z", "advance": "2h"}"#,
         "request body: the clock would stand at a time after 9999; it shows 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z"),
        (#"{"set": "1969-12-31T23:59:59Z"}"#,
         "request body: the clock would stand at a time before 1970; it shows 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z"),
        (#"{"freeze": false}"#, #"request body: \"freeze\" takes true"#),
    ])
    func refusesBadClockSettings(_ body: String, message: String) throws {
        try withEmulator { server in
            let reply = try clock(server, body)
            #expect(reply.status == 400)
            #expect(reply.body.contains(#""message":"\#(message)""#), "\(reply.body)")
            // Nothing of a refused change is applied.
            #expect(try server.get("/_emulator/clock").body.contains(#""frozen":false,"offsetSeconds":0"#))
        }
    }

    static let badDuration =
        #"request body: \"advance\" must be a duration of at most ten years: seconds, or a number with s, m, h or d (e.g. \"25h\")"#

    @Test func theClockStopsAtTheLastInstantTheAPICanShow() throws {
        try withEmulator { server in
            let reply = try clock(server, #"{"set": "9999-12-31T23:59:59Z"}"#)
            #expect(reply.status == 200)
            Thread.sleep(forTimeInterval: 1.1)  // the running clock would now be in year 10000
            #expect(try server.get("/_emulator/clock").body.hasPrefix(#"{"now":"9999-12-31T23:59:59Z""#))
        }
    }

    @Test func advancingPastMidnightFreesTheQuota() throws {
        try withEmulator({
            $0.backupDuration = 0
            $0.rdsDailyQuota = 1
        }) { server in
            _ = try clock(server, #"{"set": "2024-01-01T23:59:00Z"}"#)
            let create = "/?Action=CreateBackup&Version=2014-08-15&DBInstanceId=rm-uf6wjk5xxxxxxx&Format=JSON"
            #expect(try server.get(create).status == 200)
            #expect(try server.get(create).body.contains("Exceeded.BackupTimes"))
            _ = try clock(server, #"{"advance": "60s"}"#)
            #expect(try server.get(create).status == 200)
        }
    }

    @Test func scriptsTheNextBackup() throws {
        try withEmulator { server in
            _ = try clock(server, #"{"set": "2024-01-01T00:00:00Z", "freeze": true}"#)
            let script = "/_emulator/instances/rm-uf6wjk5xxxxxxx/next-backup"
            #expect(try server.get(script).body == #"{"nextBackup":{}}"#)
            #expect(try server.send("PUT", script, json: #"{"hold": "Waiting", "for": "10m"}"#).body == #"{"nextBackup":{"hold":"Waiting","until":"2024-01-01T00:10:00Z"}}"#)
            #expect(try server.send("PUT", script, json: #"{"fail": "Checking"}"#).body == #"{"nextBackup":{"fail":"Checking"}}"#)
            #expect(try server.get("/?Action=CreateBackup&Version=2014-08-15&DBInstanceId=rm-uf6wjk5xxxxxxx").status == 200)
            #expect(try server.get(script).body == #"{"nextBackup":{}}"#)  // used up by that backup
            _ = try clock(server, #"{"advance": "4.5s"}"#)
            let backups = try server.get("/_emulator/instances/rm-uf6wjk5xxxxxxx/backups").body
            #expect(backups.contains(#""InProgress":false,"Status":"Failed at Checking","Progress":90"#), "\(backups)")
            #expect(try server.send("PUT", script, json: #"{"fail": "Backuping"}"#).body.contains(
                #"\"fail\" must be a stage of MySQL backups: Preparing, Waiting, Uploading, Checking"#))
            #expect(try server.send("PUT", "/_emulator/instances/dds-bpxxxxxxxx/next-backup", json: #"{"hold": "Backuping"}"#).body.contains(
                #"\"hold\" needs \"until\""#))
            #expect(try server.send("DELETE", "/_emulator/instances/rm-none/next-backup").status == 404)
        }
    }
}
