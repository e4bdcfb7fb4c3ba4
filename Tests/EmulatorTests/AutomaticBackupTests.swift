import Emulator
import EmulatorTesting
import Foundation
import TestSupport
import Testing

/// Automatic backups through HTTP: made by the policy as the virtual clock passes each period day's window,
/// listed, paged and filtered with the manual ones, expired after their retention, deleted, scripted to fail.
@Suite struct AutomaticBackupTests {
    static let rds = "Version=2014-08-15&Format=JSON&DBInstanceId=rm-auto"

    /// A server whose clock stands at Monday 2024-01-01T00:00:00Z, with `rm-auto` (MySQL) and `dds-auto` created
    /// then: their lives, and their automatic backups, begin there.
    func instances<T>(_ body: (TestEmulator) throws -> T) throws -> T {
        try withEmulator({ $0.backupDuration = 0 }) { server in
            _ = try server.send("POST", "/_emulator/clock", json: #"{"set": "2024-01-01T00:00:00Z", "freeze": true}"#)
            let rds = #"{"Engine":"MySQL","BackupPolicy":{"PreferredBackupPeriod":"Monday,Wednesday,Friday","PreferredBackupTime":"01:00Z-02:00Z","BackupRetentionPeriod":10}}"#
            #expect(try server.send("PUT", "/_emulator/instances/rm-auto", json: rds).status == 201)
            #expect(try server.send("PUT", "/_emulator/instances/dds-auto", json: #"{"Engine":"MongoDB","KindCode":"18"}"#).status == 201)
            return try body(server)
        }
    }

    func advance(_ server: TestEmulator, _ span: String) throws {
        #expect(try server.send("POST", "/_emulator/clock", json: #"{"advance": "\#(span)"}"#).status == 200)
    }

    func object(_ reply: RawResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any], "\(reply.body)")
    }

    func rdsSets(_ server: TestEmulator, _ query: String = "") throws -> (total: String, sets: [[String: Any]]) {
        let reply = try object(try server.get("/?Action=DescribeBackups&\(Self.rds)\(query)"))
        let items = try #require(reply["Items"] as? [String: Any])
        return (reply["TotalRecordCount"] as? String ?? "", items["Backup"] as? [[String: Any]] ?? [])
    }

    @Test func aWeekPassesOnRDS() throws {
        try instances { server in
            #expect(try rdsSets(server).total == "0")
            try advance(server, "8d")  // to Tuesday 2024-01-09T00:00:00Z
            #expect(try server.get("/?Action=CreateBackup&\(Self.rds)").status == 200)
            let (total, sets) = try rdsSets(server)
            #expect(total == "5")
            #expect(sets.map { $0["BackupStartTime"] as? String } == [
                "2024-01-09T00:00:00Z", "2024-01-08T01:15:00Z", "2024-01-05T01:15:00Z", "2024-01-03T01:15:00Z",
                "2024-01-01T01:15:00Z",
            ])
            #expect(sets.map { $0["BackupMode"] as? String } == ["Manual", "Automated", "Automated", "Automated", "Automated"])
            let automatic = sets[1]
            #expect(automatic["BackupInitiator"] as? String == "System")
            #expect(automatic["BackupEndTime"] as? String == "2024-01-08T01:16:25Z")
            #expect(automatic["ExpectExpireTime"] as? String == "2024-01-18T01:16:25Z")
            #expect(automatic["BackupMethod"] as? String == "Physical" && automatic["BackupStatus"] as? String == "Success")
            #expect(automatic["StoreStatus"] as? String == "Disabled")
            // Filters work on automatic sets.
            #expect(try rdsSets(server, "&BackupMode=Automated").total == "4")
            #expect(try rdsSets(server, "&BackupMode=Manual").total == "1")
            #expect(try rdsSets(server, "&StartTime=2024-01-04T00:00Z&EndTime=2024-01-08T01:15Z").total == "2")
            #expect(try rdsSets(server, "&BackupStatus=Failed").total == "0")
            let id = try #require(automatic["BackupId"] as? String)
            #expect(try rdsSets(server, "&BackupId=\(id)").sets.first?["BackupStartTime"] as? String == "2024-01-08T01:15:00Z")
            // Its task, by the job id that goes with it.
            let jobId = String(Int64(id)! - 321_020_560 + 5_073_730)
            let task = try server.get("/?Action=DescribeBackupTasks&\(Self.rds)&BackupJobId=\(jobId)").body
            #expect(task.contains(#""BackupStatus":"Finished","BackupProgressStatus":"Finished","Process":"100","JobMode":"Automated","TaskAction":"NormalBackupTask","BackupId":"\#(id)""#))
            // Not deletable while log backup covers it.
            #expect(try server.get("/?Action=DeleteBackup&\(Self.rds)&BackupId=\(id)").body.contains("OperationDenied.BackupSetDeleteNotSupport"))
            // Three days on, Monday the 1st's set is past its 10 days; with log backup off, sets 7 days old can go.
            #expect(try server.get("/?Action=ModifyBackupPolicy&\(Self.rds)&BackupPolicyMode=LogBackupPolicy&EnableBackupLog=0").status == 200)
            try advance(server, "3d")
            let later = try rdsSets(server)
            #expect(later.sets.compactMap { $0["BackupStartTime"] as? String }.suffix(2) == ["2024-01-05T01:15:00Z", "2024-01-03T01:15:00Z"])
            #expect(later.total == "5")  // Wednesday the 10th's came
            let oldest = try #require(later.sets.last?["BackupId"] as? String)
            #expect(later.sets.last?["StoreStatus"] as? String == "Enabled")
            #expect(try server.get("/?Action=DeleteBackup&\(Self.rds)&BackupId=\(oldest)").status == 200)
            #expect(try rdsSets(server).total == "4")
            #expect(try server.get("/?Action=DeleteBackup&\(Self.rds)&BackupId=\(oldest)").body.contains("InvalidBackupSetID.NotFound"))
            let newest = try #require(later.sets.first?["BackupId"] as? String)
            #expect(try server.get("/?Action=DeleteBackup&\(Self.rds)&BackupId=\(newest)").body.contains("OperationDenied.BackupSetDeleteNotSupport"))
        }
    }

    @Test func aRunningAutomaticTaskIsListedAndCanBeScriptedToFail() throws {
        try instances { server in
            let scripted = try server.send("PUT", "/_emulator/instances/rm-auto/next-automatic-backup", json: #"{"fail": "Uploading"}"#)
            #expect(scripted.body == #"{"nextAutomaticBackup":{"fail":"Uploading","startTime":"2024-01-01T01:15:00Z"}}"#)
            try advance(server, "4530s")
            let running = try server.get("/?Action=DescribeBackupTasks&\(Self.rds)").body
            #expect(running.contains(#""JobMode":"Automated","TaskAction":"NormalBackupTask""#), "\(running)")
            #expect(try server.get("/?Action=DescribeBackupTasks&\(Self.rds)&BackupMode=Manual").body.contains("Automated") == false)
            try advance(server, "2m")
            let (total, sets) = try rdsSets(server, "&BackupStatus=Failed")
            #expect(total == "1")
            #expect(sets.first?["BackupStatus"] as? String == "Failed" && sets.first?["IsAvail"] as? Int == 0)
            #expect(try rdsSets(server, "&BackupStatus=Success").total == "0")
            #expect(try server.get("/_emulator/instances/rm-auto/next-automatic-backup").body == #"{"nextAutomaticBackup":{}}"#)
        }
    }

    @Test func pagesMergeManualAndAutomaticSetsNewestFirst() throws {
        try instances { server in
            // Every hour on three days a week, and a manual backup every 5 hours in between.
            #expect(try server.get("/?Action=ModifyBackupPolicy&\(Self.rds)&BackupInterval=60&BackupRetentionPeriod=30").status == 200)
            for _ in 0..<40 {
                try advance(server, "5h")
                #expect(try server.get("/?Action=CreateBackup&\(Self.rds)").status == 200)
            }
            let (total, _) = try rdsSets(server)
            var seen: [String] = []
            var number = 1
            while seen.count < Int(total)! {
                let page = try rdsSets(server, "&PageSize=30&PageNumber=\(number)").sets
                #expect(!page.isEmpty)
                if page.isEmpty { break }
                seen += page.compactMap { $0["BackupStartTime"] as? String }
                number += 1
            }
            // 200 hours from Monday 00:00, to Tuesday the 9th 08:00: Monday, Wednesday, Friday and Monday again, 24
            // a day; the full backup the policy change started; and the 40 manual ones.
            #expect(Int(total)! == 40 + 24 * 4 + 1)
            #expect(seen.count == Int(total)!)
            #expect(seen == seen.sorted(by: >))
            #expect(Set(seen).count == seen.count)
            #expect(try rdsSets(server, "&PageSize=30&PageNumber=\(number)").sets.isEmpty)
        }
    }

    @Test func aWeekPassesOnMongoDB() throws {
        try instances { server in
            try advance(server, "3d")
            let reply = try object(try server.get("/?Action=DescribeBackups&Version=2015-12-01&Format=JSON&DBInstanceId=dds-auto"))
            #expect(reply["TotalCount"] as? Int == 3)
            let sets = try #require((reply["Backups"] as? [String: Any])?["Backup"] as? [[String: Any]])
            #expect(sets.map { $0["BackupStartTime"] as? String } == ["2024-01-03T02:15:00Z", "2024-01-02T02:15:00Z", "2024-01-01T02:15:00Z"])
            #expect(sets[0]["BackupMode"] as? String == "Automated" && sets[0]["BackupMethod"] as? String == "Snapshot")
            #expect(sets[0]["BackupExpireTime"] as? String == "2024-02-02T02:16:25Z")
            let id = try #require(sets[1]["BackupId"] as? String)
            let one = try server.get("/?Action=DescribeBackups&Version=2015-12-01&Format=JSON&DBInstanceId=dds-auto&BackupId=\(id)").body
            #expect(one.contains(#""TotalCount":1,"#) && one.contains("2024-01-02T02:15:00Z"))
            let job = try #require(sets[1]["BackupJobId"] as? String)
            let task = try server.get("/?Action=DescribeBackupTasks&Version=2015-12-01&Format=JSON&DBInstanceId=dds-auto&BackupJobId=\(job)").body
            #expect(task.contains(#""BackupSetStatus":"Finished","BackupStartTime":"2024-01-02T02:15:00Z","JobMode":"Automated""#))
        }
    }

    @Test func aYearLaterTheListingCostsNoMore() throws {
        try instances { server in
            #expect(try server.get("/?Action=ModifyBackupPolicy&\(Self.rds)&BackupInterval=15&BackupRetentionPeriod=730").status == 200)
            try advance(server, "366d")
            let (total, sets) = try rdsSets(server, "&PageSize=100&PageNumber=150")
            // 3 days a week × 96 a day for 52 weeks and 2 days (Monday and Tuesday: one period day).
            #expect(Int(total)! == (52 * 3 + 1) * 96)
            #expect(sets.count == 100)
        }
    }

    func setClock(_ server: TestEmulator, _ instant: String) throws {
        #expect(try server.send("POST", "/_emulator/clock", json: #"{"set": "\#(instant)"}"#).status == 200)
    }

    /// A manual set is kept its own `BackupRetentionPeriod`, else the retention of the policy in force when it was
    /// made: then every operation that finds sets stops finding it. Its task, and the control API's record of it, stay.
    @Test func manualSetsExpireAfterTheirRetention() throws {
        try instances { server in
            let manual = "&BackupMode=Manual"
            #expect(try server.get("/?Action=CreateBackup&\(Self.rds)").status == 200)  // kept the policy's 10 days
            try advance(server, "1h")
            #expect(try server.get("/?Action=CreateBackup&\(Self.rds)&BackupRetentionPeriod=30").status == 200)
            try advance(server, "1h")
            #expect(try server.get("/?Action=CreateBackup&\(Self.rds)&BackupRetentionPeriod=-1").status == 200)
            // A later policy does not re-date the sets made before it.
            #expect(try server.get("/?Action=ModifyBackupPolicy&\(Self.rds)&BackupRetentionPeriod=20").status == 200)
            let sets = try rdsSets(server, manual).sets
            #expect(sets.map { $0["ExpectExpireTime"] as? String } == [
                "9999-01-01T00:00:00Z", "2024-01-31T01:00:00Z", "2024-01-11T00:00:00Z",
            ])
            let first = try #require(sets.last?["BackupId"] as? String)
            try setClock(server, "2024-01-10T23:59:59Z")
            #expect(try rdsSets(server, manual).total == "3")
            try setClock(server, "2024-01-11T00:00:00Z")
            #expect(try rdsSets(server, manual).total == "2")
            #expect(try rdsSets(server, manual).sets.count == 2)
            #expect(try rdsSets(server, "&BackupId=\(first)").total == "0")
            #expect(try rdsSets(server, "\(manual)&StartTime=2024-01-01T00:00Z&EndTime=2024-01-01T00:30Z").total == "0")
            #expect(try server.get("/?Action=DeleteBackup&\(Self.rds)&BackupId=\(first)").body.contains("InvalidBackupSetID.NotFound"))
            // The task is still found by its job id; the control API still lists the backup, with its expiry.
            let job = String(Int64(first)! - 321_020_560 + 5_073_730)
            #expect(try server.get("/?Action=DescribeBackupTasks&\(Self.rds)&BackupJobId=\(job)").body.contains(#""BackupStatus":"Finished""#))
            let control = try server.get("/_emulator/instances/rm-auto/backups")
            #expect(control.headers.first { $0.name == "X-Total-Count" }?.value == "3")
            #expect(control.body.contains(#""ExpireTime":"2024-01-11T00:00:00Z""#))
            // The clock set back shows it again; deleted then, it stays gone whichever way the clock goes.
            try setClock(server, "2024-01-10T12:00:00Z")
            #expect(try rdsSets(server, manual).total == "3")
            #expect(try server.get("/?Action=DeleteBackup&\(Self.rds)&BackupId=\(first)").status == 200)
            #expect(try rdsSets(server, manual).total == "2")
            try setClock(server, "2024-01-31T01:00:00Z")
            #expect(try rdsSets(server, manual).total == "1")
            try setClock(server, "2024-01-11T00:00:00Z")
            #expect(try rdsSets(server, manual).total == "2")
            try setClock(server, "2030-01-01T00:00:00Z")
            #expect(try rdsSets(server, manual).sets.map { $0["ExpectExpireTime"] as? String } == ["9999-01-01T00:00:00Z"])
        }
    }

    @Test func manualMongoDBSetsExpireByThePolicy() throws {
        try instances { server in
            let dds = "Version=2015-12-01&Format=JSON&DBInstanceId=dds-auto"
            let id = try #require(try object(try server.get("/?Action=CreateBackup&\(dds)&BackupMethod=Snapshot"))["BackupId"] as? String)
            func manual() throws -> [[String: Any]] {
                let reply = try object(try server.get("/?Action=DescribeBackups&\(dds)&BackupId=\(id)"))
                return (reply["Backups"] as? [String: Any])?["Backup"] as? [[String: Any]] ?? []
            }
            #expect(try manual().map { $0["BackupExpireTime"] as? String } == ["2024-01-31T00:00:00Z"])
            try setClock(server, "2024-01-31T00:00:00Z")
            #expect(try manual().isEmpty)
        }
    }

    /// MongoDB's high-frequency sets (the interval's, not the window's) are kept `HighFrequencyBackupRetention` days.
    @Test func highFrequencyMongoDBSetsAreKeptTheirOwnRetention() throws {
        try instances { server in
            let dds = "Version=2015-12-01&Format=JSON&DBInstanceId=dds-auto"
            let policy = "&SnapshotBackupType=Flash&BackupInterval=360&HighFrequencyBackupRetention=1&PreferredBackupTime=02:00Z-03:00Z"
            #expect(try server.get("/?Action=ModifyBackupPolicy&\(dds)\(policy)").status == 200)
            try advance(server, "3d")  // to Thursday 2024-01-04T00:00:00Z
            let reply = try object(try server.get("/?Action=DescribeBackups&\(dds)"))
            let sets = try #require((reply["Backups"] as? [String: Any])?["Backup"] as? [[String: Any]])
            // The window's at 02:15 every day; every 6 hours from it (20:15, 14:15, 08:15) only within the last day.
            #expect(sets.map { $0["BackupStartTime"] as? String } == [
                "2024-01-03T20:15:00Z", "2024-01-03T14:15:00Z", "2024-01-03T08:15:00Z", "2024-01-03T02:15:00Z",
                "2024-01-02T02:15:00Z", "2024-01-01T02:15:00Z",
            ])
            #expect(reply["TotalCount"] as? Int == 6)
            #expect(sets[0]["BackupExpireTime"] as? String == "2024-01-04T20:16:25Z")
            #expect(sets[3]["BackupExpireTime"] as? String == "2024-02-02T02:16:25Z")
        }
    }

    /// A hold scripted for the next automatic backup keeps its task at that stage that long (`for` counts from when
    /// it reaches the stage): its end, and so its listing and its expiry, move later by as much.
    @Test func theNextAutomaticBackupCanBeHeldAtAStage() throws {
        try instances { server in
            let scripted = try server.send(
                "PUT", "/_emulator/instances/rm-auto/next-automatic-backup", json: #"{"hold": "Uploading", "for": "1h"}"#)
            #expect(scripted.body == #"{"nextAutomaticBackup":{"hold":"Uploading","until":"2024-01-01T02:15:42Z","startTime":"2024-01-01T01:15:00Z"}}"#)
            try advance(server, "90m")
            func task() throws -> String { try server.get("/?Action=DescribeBackupTasks&\(Self.rds)").body }
            #expect(try task().contains(#""BackupStatus":"Uploading","BackupProgressStatus":"Uploading","Process":"50","JobMode":"Automated""#))
            #expect(try rdsSets(server, "&BackupMode=Automated").total == "0")
            try advance(server, "46m")  // 02:16: the hold is over, the rest of the work not yet
            #expect(try task().contains(#""JobMode":"Automated""#))
            try advance(server, "1m")
            #expect(try task().contains("Automated") == false)
            let held = try rdsSets(server, "&BackupMode=Automated").sets
            #expect(held.map { $0["BackupEndTime"] as? String } == ["2024-01-01T02:16:25Z"])
            #expect(held.first?["ExpectExpireTime"] as? String == "2024-01-11T02:16:25Z")
            #expect(try server.get("/_emulator/instances/rm-auto/next-automatic-backup").body == #"{"nextAutomaticBackup":{}}"#)
            // Ten days on, kept an hour longer than its schedule alone would keep it.
            try setClock(server, "2024-01-11T01:17:00Z")
            let later = try rdsSets(server, "&BackupMode=Automated")
            #expect(later.total == "5" && later.sets.count == 5)
            #expect(later.sets.last?["BackupStartTime"] as? String == "2024-01-01T01:15:00Z")
            try setClock(server, "2024-01-11T02:17:00Z")
            #expect(try rdsSets(server, "&BackupMode=Automated").total == "4")
        }
    }

    /// A change of a MySQL instance's data backup policy starts a full backup at once (at the next whole minute):
    /// an automatic one, kept as the new policy keeps its sets. A log policy change, a change that changes nothing
    /// and a MongoDB policy change start none.
    @Test func aDataPolicyChangeStartsAFullBackup() throws {
        try instances { server in
            try advance(server, "90s")
            #expect(try server.get("/?Action=ModifyBackupPolicy&\(Self.rds)&BackupRetentionPeriod=12").status == 200)
            try advance(server, "40s")
            let task = try server.get("/?Action=DescribeBackupTasks&\(Self.rds)").body
            #expect(task.contains(#""JobMode":"Automated","TaskAction":"NormalBackupTask""#), "\(task)")
            try advance(server, "2m")
            let sets = try rdsSets(server, "&BackupMode=Automated").sets
            #expect(sets.map { $0["BackupStartTime"] as? String } == ["2024-01-01T00:02:00Z"])
            #expect(sets.first?["ExpectExpireTime"] as? String == "2024-01-13T00:03:25Z")
            #expect(try server.get("/?Action=ModifyBackupPolicy&\(Self.rds)&BackupPolicyMode=LogBackupPolicy&LocalLogRetentionHours=20").status == 200)
            #expect(try server.get("/?Action=ModifyBackupPolicy&\(Self.rds)&BackupRetentionPeriod=12").status == 200)
            let dds = "Version=2015-12-01&Format=JSON&DBInstanceId=dds-auto"
            #expect(try server.get("/?Action=ModifyBackupPolicy&\(dds)&BackupRetentionPeriod=10").status == 200)
            try advance(server, "5m")
            #expect(try rdsSets(server, "&BackupMode=Automated").total == "1")
            #expect(try object(try server.get("/?Action=DescribeBackups&\(dds)"))["TotalCount"] as? Int == 0)
        }
    }
}

