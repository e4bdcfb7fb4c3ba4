import Emulator
import EmulatorTesting
import Foundation
import TestSupport
import Testing

/// The instance lifecycle through HTTP: golden replies of every lifecycle operation in JSON and XML, each
/// operation's own "not found", and statuses that follow the clock.
@Suite struct InstanceLifecycleTests {
    static let rds = "Version=2014-08-15"
    static let dds = "Version=2015-12-01"
    static let createRDS =
        "Action=CreateDBInstance&\(rds)&RegionId=cn-hangzhou&Engine=MySQL&EngineVersion=8.0&DBInstanceClass=mysql.n2.medium.2c"
        + "&DBInstanceStorage=20&DBInstanceNetType=Intranet&SecurityIPList=127.0.0.1&PayType=Postpaid"
    static let createDDS =
        "Action=CreateDBInstance&\(dds)&RegionId=cn-hangzhou&EngineVersion=5.0&DBInstanceClass=dds.mongo.standard&DBInstanceStorage=20"

    struct Case: Sendable, CustomTestStringConvertible {
        let golden: String
        /// Requests made first (each must succeed), then the one whose reply is compared.
        var setup: [String] = []
        let target: String
        let status: Int
        var testDescription: String { golden }
    }

    static let cases: [Case] = [
        .init(golden: "rds-create-db-instance", target: "/?\(createRDS)", status: 200),
        .init(golden: "rds-delete-db-instance", target: "/?Action=DeleteDBInstance&\(rds)&DBInstanceId=rm-uf6wjk5xxxxxxx", status: 200),
        .init(golden: "rds-restart-db-instance", target: "/?Action=RestartDBInstance&\(rds)&DBInstanceId=rm-uf6wjk5xxxxxxx", status: 200),
        .init(
            golden: "rds-clone-db-instance", setup: ["/?Action=CreateBackup&\(rds)&DBInstanceId=rm-uf6wjk5xxxxxxx"],
            target: "/?Action=CloneDBInstance&\(rds)&DBInstanceId=rm-uf6wjk5xxxxxxx&BackupId=321020561&PayType=Postpaid",
            status: 200),
        .init(
            golden: "rds-describe-tasks", setup: ["/?Action=RestartDBInstance&\(rds)&DBInstanceId=rm-uf6wjk5xxxxxxx"],
            target: "/?Action=DescribeTasks&\(rds)&DBInstanceId=rm-uf6wjk5xxxxxxx", status: 200),
        .init(golden: "rds-describe-regions", target: "/?Action=DescribeRegions&\(rds)", status: 200),
        .init(
            golden: "rds-describe-db-instance-net-info",
            target: "/?Action=DescribeDBInstanceNetInfo&\(rds)&DBInstanceId=rm-uf6wjk5xxxxxxx", status: 200),
        .init(
            golden: "rds-restart-incorrect-state", setup: ["/?Action=RestartDBInstance&\(rds)&DBInstanceId=rm-uf6wjk5xxxxxxx"],
            target: "/?Action=RestartDBInstance&\(rds)&DBInstanceId=rm-uf6wjk5xxxxxxx", status: 403),
        .init(golden: "mongodb-create-db-instance", target: "/?\(createDDS)", status: 200),
        .init(
            golden: "mongodb-clone-db-instance", setup: ["/?Action=CreateBackup&\(dds)&DBInstanceId=dds-bpxxxxxxxx"],
            target: "/?\(createDDS)&SrcDBInstanceId=dds-bpxxxxxxxx&BackupId=56640001", status: 200),
        .init(golden: "mongodb-delete-db-instance", target: "/?Action=DeleteDBInstance&\(dds)&DBInstanceId=dds-bpxxxxxxxx", status: 200),
        .init(golden: "mongodb-restart-db-instance", target: "/?Action=RestartDBInstance&\(dds)&DBInstanceId=dds-bpxxxxxxxx", status: 200),
        .init(golden: "mongodb-describe-regions", target: "/?Action=DescribeRegions&\(dds)&RegionId=cn-hangzhou&AcceptLanguage=en", status: 200),
    ]

    /// A server with a frozen clock, instant phases for backups, and the default instance phases.
    func withFrozenEmulator<T>(_ body: (TestEmulator) throws -> T) throws -> T {
        try withEmulator({ $0.backupDuration = 0 }) { server in
            #expect(try server.send("POST", "/_emulator/clock", json: #"{"set": "2024-06-01T10:00:00Z", "freeze": true}"#).status == 200)
            return try body(server)
        }
    }

    @Test(arguments: cases)
    func matchesTheGoldenFiles(_ test: Case) throws {
        for format in ["json", "xml"] {
            try withFrozenEmulator { server in
                for target in test.setup { #expect(try server.get(target + "&Format=JSON").status == 200, "\(target)") }
                let reply = try server.get(test.target + "&Format=\(format.uppercased())")
                #expect(reply.status == test.status)
                try expectGolden(reply.body, "\(test.golden).\(format)")
            }
        }
    }

    /// Each operation answers an unknown (or gone) instance with its own code and message (workflow reference §1.1).
    static let notFound: [(action: String, extra: String, golden: String)] = [
        ("DeleteDBInstance", "", "rds-delete-not-found"), ("RestartDBInstance", "", "rds-restart-not-found"),
        ("CloneDBInstance", "&PayType=Postpaid&BackupId=1", "rds-clone-not-found"),
        ("DescribeTasks", "", "rds-describe-tasks-not-found"),
        ("DescribeDBInstanceNetInfo", "", "rds-net-info-not-found"),
    ]

    @Test func everyNotFoundVariant() throws {
        try withFrozenEmulator { server in
            // Gone after its deletion: no different from one that never was.
            #expect(try server.get("/?Action=DeleteDBInstance&\(Self.rds)&DBInstanceId=rm-mysql-nodb").status == 200)
            _ = try server.send("POST", "/_emulator/clock", json: #"{"advance": "5s"}"#)
            for id in ["rm-missing", "rm-mysql-nodb", "rm-other-account"] {
                for (action, extra, golden) in Self.notFound {
                    let reply = try server.get("/?Action=\(action)&\(Self.rds)&DBInstanceId=\(id)\(extra)&Format=JSON")
                    try expectGolden(reply.body.replacing(id, with: "rm-missing"), "\(golden).json")
                }
            }
            let reply = try server.get("/?Action=DeleteDBInstance&\(Self.dds)&DBInstanceId=dds-missing&Format=JSON")
            #expect(reply.status == 404)
            try expectGolden(reply.body, "mongodb-instance-not-found.json")
        }
    }

    @Test func statusesFollowTheClock() throws {
        try withFrozenEmulator { server in
            let created = try server.get("/?\(Self.createRDS)&Format=JSON")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(created.body.utf8)) as? [String: Any])
            let id = try #require(object["DBInstanceId"] as? String)
            func status() throws -> String? {
                let reply = try server.get("/_emulator/instances/\(id)")
                let entry = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any]
                return entry?["DBInstanceStatus"] as? String
            }
            func advance(_ by: String) throws { _ = try server.send("POST", "/_emulator/clock", json: #"{"advance": "\#(by)"}"#) }
            #expect(try status() == "Creating")
            try advance("9.999s")
            #expect(try status() == "Creating")
            try advance("0.001s")
            #expect(try status() == "Running")
            #expect(try server.get("/?Action=DeleteDBInstance&\(Self.rds)&DBInstanceId=\(id)").status == 200)
            try advance("4.999s")
            #expect(try status() == "Deleting")
            try advance("0.001s")
            #expect(try server.get("/_emulator/instances/\(id)").status == 404)
        }
    }
}
