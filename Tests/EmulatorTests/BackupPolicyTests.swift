import Emulator
import EmulatorTesting
import TestSupport
import Testing

/// DescribeBackupPolicy and ModifyBackupPolicy of both products through HTTP: golden replies, the rules and their
/// errors, and the policy as fixture entries show it.
@Suite struct BackupPolicyTests {
    static let rds = "Version=2014-08-15&DBInstanceId=rm-uf6wjk5xxxxxxx"
    static let dds = "Version=2015-12-01&DBInstanceId=dds-bpxxxxxxxx"

    func frozen<T>(_ body: (TestEmulator) throws -> T) throws -> T {
        try withEmulator { server in
            // A Monday: the next regular backups are Tuesday's (RDS) and Monday's (MongoDB).
            _ = try server.send("POST", "/_emulator/clock", json: #"{"set": "2024-01-01T00:00:00Z", "freeze": true}"#)
            return try body(server)
        }
    }

    @Test func repliesMatchTheirGoldenFiles() throws {
        try frozen { server in
            let cases: [(String, String)] = [
                ("rds-describe-backup-policy", "/?Action=DescribeBackupPolicy&\(Self.rds)"),
                ("mongodb-describe-backup-policy", "/?Action=DescribeBackupPolicy&\(Self.dds)"),
                ("rds-modify-backup-policy-data",
                 "/?Action=ModifyBackupPolicy&\(Self.rds)&BackupPolicyMode=DataBackupPolicy&PreferredBackupPeriod=Monday,Friday"
                    + "&PreferredBackupTime=15:00Z-16:00Z&BackupRetentionPeriod=10&CompressType=&ReleasedKeepPolicy=&Category="),
                ("rds-modify-backup-policy-log",
                 "/?Action=ModifyBackupPolicy&\(Self.rds)&BackupPolicyMode=LogBackupPolicy&EnableBackupLog=True"
                    + "&HighSpaceUsageProtection=Disable&LocalLogRetentionHours=24&LocalLogRetentionSpace=40"
                    + "&LogBackupRetentionPeriod=8&LogBackupLocalRetentionNumber=50"),
                ("rds-describe-backup-policy-modified", "/?Action=DescribeBackupPolicy&\(Self.rds)&BackupPolicyMode=LogBackupPolicy"),
                ("mongodb-modify-backup-policy",
                 "/?Action=ModifyBackupPolicy&\(Self.dds)&PreferredBackupPeriod=Saturday,Sunday&PreferredBackupTime=09:00Z-10:00Z"
                    + "&BackupRetentionPeriod=14&EnableBackupLog=1&SnapshotBackupType=Flash&BackupInterval=60"),
                ("mongodb-describe-backup-policy-modified", "/?Action=DescribeBackupPolicy&\(Self.dds)"),
            ]
            for (name, target) in cases {
                let json = try server.get(target + "&Format=JSON")
                #expect(json.status == 200, "\(name): \(json.body)")
                try expectGolden(json.body, "\(name).json")
                let xml = try server.get(target)
                #expect(xml.status == 200, "\(name): \(xml.body)")
                try expectGolden(xml.body, "\(name).xml")
            }
        }
    }

    @Test func aSettingLeftOutKeepsItsValue() throws {
        try frozen { server in
            let modify = "/?Action=ModifyBackupPolicy&\(Self.rds)&Format=JSON"
            #expect(try server.get(modify + "&PreferredBackupPeriod=Monday,Wednesday&BackupRetentionPeriod=20").status == 200)
            #expect(try server.get(modify + "&BackupPolicyMode=LogBackupPolicy&LogBackupRetentionPeriod=9").status == 200)
            // Without a mode: data mode, and the log settings sent are ignored (workflow-api.md §3.1).
            #expect(try server.get(modify + "&LocalLogRetentionHours=72").status == 200)
            let policy = try server.get("/?Action=DescribeBackupPolicy&\(Self.rds)&Format=JSON").body
            #expect(policy.contains(#""BackupRetentionPeriod":20,"PreferredBackupTime":"02:00Z-03:00Z","PreferredBackupPeriod":"Monday,Wednesday","PreferredNextBackupTime":"2024-01-01T02:15Z""#))
            #expect(policy.contains(#""LogBackupRetentionPeriod":9,"LocalLogRetentionHours":18,"#))
        }
    }

    @Test(arguments: [
        ("BackupPolicyMode=Everything", 400, "InvalidParameters"),
        ("PreferredBackupPeriod=Monday", 400, "InvalidPreferredBackupPeriod.Malformed"),
        ("PreferredBackupPeriod=Monday,Funday", 400, "InvalidPreferredBackupPeriod.Malformed"),
        ("PreferredBackupPeriod=Monday,Monday", 400, "InvalidPreferredBackupPeriod.Malformed"),
        ("PreferredBackupTime=02:00Z-04:00Z", 400, "InvalidPreferredBackupTime.Format"),
        ("PreferredBackupTime=02:30Z-03:30Z", 400, "InvalidPreferredBackupTime.Format"),
        ("PreferredBackupTime=23:00Z-24:00Z&BackupRetentionPeriod=6", 400, "InvalidBackupRetentionPeriod.Malformed"),
        ("BackupRetentionPeriod=731", 400, "InvalidBackupRetentionPeriod.Malformed"),
        ("BackupRetentionPeriod=9223372036854775808", 400, "InvalidBackupRetentionPeriod.Malformed"),
        ("LogBackupRetentionPeriod=8", 400, "InvalidLogBackupRetentionPeriod.Malformed"),
        ("BackupRetentionPeriod=8&LogBackupRetentionPeriod=9", 400, "InvalidLogBackupRetentionPeriod.Malformed"),
        ("BackupPolicyMode=LogBackupPolicy&LogBackupRetentionPeriod=6", 400, "InvalidLogBackupRetentionPeriod.Malformed"),
        ("BackupPolicyMode=LogBackupPolicy&LocalLogRetentionHours=169", 400, "InvalidParameters"),
        ("BackupPolicyMode=LogBackupPolicy&EnableBackupLog=yes", 400, "InvalidParameters"),
        ("LogBackupFrequency=Hourly", 400, "InvalidLogBackupFrequency.Malformed"),
        ("ReleasedKeepPolicy=Latest", 400, "InvalidReleasedKeepPolicy.Format"),
        ("BackupInterval=45", 400, "InvalidParameters"),
        ("Category=Flash", 403, "IncorrectCategory"),
    ])
    func rdsRefuses(_ query: String, _ status: Int, _ code: String) throws {
        try frozen { server in
            let reply = try server.get("/?Action=ModifyBackupPolicy&\(Self.rds)&Format=JSON&\(query)")
            #expect(reply.status == status, "\(query): \(reply.body)")
            #expect(reply.body.contains(#""Code":"\#(code)""#), "\(query): \(reply.body)")
        }
    }

    @Test func rdsChecksTheInstance() throws {
        try frozen { server in
            let missing = try server.get("/?Action=DescribeBackupPolicy&Version=2014-08-15&DBInstanceId=rm-none&Format=JSON")
            #expect(missing.status == 404)
            #expect(missing.body.contains(#""Code":"InvalidDBInstanceName.NotFound","Message":"Invalid DBInstanceId NotFound.""#))
            let modify = "/?Action=ModifyBackupPolicy&Version=2014-08-15&Format=JSON&BackupRetentionPeriod=8&DBInstanceId="
            let unknown = try server.get(modify + "rm-none")
            #expect(unknown.status == 400)
            #expect(unknown.body.contains(#""Code":"InvalidDBInstanceId.NotFound","Message":"The DBInstanceId provided does not exist in records.""#))
            #expect(try server.get(modify + "rm-other-account").status == 400)
            #expect(try server.get(modify + "rm-stopped").body.contains(#""Code":"IncorrectDBInstanceState""#))
            #expect(try server.get(modify + "rm-readonly").body.contains(#""Code":"ReadDBInstanceNotSupport""#))
            #expect(try server.get(modify + "rm-mysql-cloud&Category=Flash").status == 200)
            // Describing a stopped instance's policy is allowed.
            #expect(try server.get("/?Action=DescribeBackupPolicy&Version=2014-08-15&DBInstanceId=rm-stopped").status == 200)
        }
    }

    @Test(arguments: [
        ("PreferredBackupPeriod=Sunday", "InvalidPreferredBackupPeriod.Malformed"),
        ("PreferredBackupTime=9:00Z-10:00Z", "InvalidPreferredBackupTime.Malformed"),
        ("BackupRetentionPeriod=3", "InvalidBackupRetentionPeriod.Malformed"),
        ("LogBackupRetentionPeriod=31", "InvalidParameter"),
        ("BackupInterval=60", "InvalidParameter"),
        ("SnapshotBackupType=Fast", "InvalidParameter"),
        ("EnableBackupLog=2", "InvalidParameter"),
        ("InstanceType=cluster", "InvalidParameter"),
    ])
    func mongoDBRefuses(_ query: String, _ code: String) throws {
        try frozen { server in
            let reply = try server.get("/?Action=ModifyBackupPolicy&\(Self.dds)&Format=JSON&\(query)")
            #expect(reply.status == 400, "\(query): \(reply.body)")
            #expect(reply.body.contains(#""Code":"\#(code)""#), "\(query): \(reply.body)")
        }
    }

    @Test func mongoDBShardedClustersKeepTheirLogBackup() throws {
        try frozen { server in
            let target = "/?Action=ModifyBackupPolicy&Version=2015-12-01&DBInstanceId=dds-sharded&Format=JSON&EnableBackupLog="
            #expect(try server.get(target + "0").body.contains(#""Code":"InvalidParameter""#))
            #expect(try server.get(target + "1").status == 200)
            let restoring = "/?Action=ModifyBackupPolicy&Version=2015-12-01&DBInstanceId=dds-restoring&Format=JSON&BackupRetentionPeriod=8"
            #expect(try server.get(restoring).status == 403)
            let missing = try server.get("/?Action=DescribeBackupPolicy&Version=2015-12-01&DBInstanceId=dds-none&Format=JSON")
            #expect(missing.status == 404)
        }
    }

    @Test func fixtureEntriesAndTheControlAPICarryThePolicy() throws {
        try frozen { server in
            let put = try server.send(
                "PUT", "/_emulator/instances/rm-policy",
                json: #"{"Engine":"MySQL","BackupPolicy":{"BackupRetentionPeriod":14,"PreferredBackupPeriod":"Monday,Sunday","EnableBackupLog":"0"}}"#)
            #expect(put.status == 201, "\(put.body)")
            #expect(put.body.contains(#""BackupPolicy":{"BackupRetentionPeriod":14,"PreferredBackupTime":"02:00Z-03:00Z","PreferredBackupPeriod":"Monday,Sunday","EnableBackupLog":"0""#))
            let patch = try server.send("PATCH", "/_emulator/instances/rm-policy", json: #"{"BackupPolicy":{"PreferredBackupTime":"05:00Z-06:00Z"}}"#)
            #expect(patch.status == 200, "\(patch.body)")
            let policy = try server.get("/?Action=DescribeBackupPolicy&Version=2014-08-15&DBInstanceId=rm-policy&Format=JSON").body
            #expect(policy.contains(#""BackupRetentionPeriod":14,"PreferredBackupTime":"05:00Z-06:00Z","PreferredBackupPeriod":"Monday,Sunday","PreferredNextBackupTime":"2024-01-01T05:15Z","BackupLog":"Disabled","EnableBackupLog":"0""#))
            // PATCH without a policy keeps it; PUT without one goes back to the defaults.
            #expect(try server.send("PATCH", "/_emulator/instances/rm-policy", json: #"{"DBInstanceStatus":"Stopped"}"#).body.contains(#""BackupRetentionPeriod":14"#))
            #expect(try server.send("PUT", "/_emulator/instances/rm-policy", json: #"{"Engine":"MySQL"}"#).body.contains(#""BackupRetentionPeriod":7"#))
            let bad: [(String, String)] = [
                (#"{"Engine":"MySQL","BackupPolicy":{"BackupRetentionPeriod":3}}"#, "BackupRetentionPeriod"),
                (#"{"Engine":"MySQL","BackupPolicy":{"Retention":7}}"#, "is not a setting of RDS backup policies"),
                (#"{"Engine":"MySQL","BackupPolicy":{"LogBackupRetentionPeriod":30}}"#, "must not be longer than BackupRetentionPeriod"),
                (#"{"Engine":"MongoDB","BackupPolicy":{"BackupInterval":30}}"#, "BackupInterval"),
                (#"{"Engine":"MongoDB","BackupPolicy":[]}"#, "must be an object"),
            ]
            for (body, reason) in bad {
                let reply = try server.send("PUT", "/_emulator/instances/x-bad", json: body)
                #expect(reply.status == 400, "\(body)")
                #expect(reply.body.contains(reason), "\(reply.body)")
            }
        }
    }
}
