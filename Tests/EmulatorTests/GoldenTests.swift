import Emulator
import TestSupport
import Testing

/// Whole reply bodies, byte for byte, against the files in Fixtures/golden.
@Suite struct GoldenTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let golden: String
        let target: String
        let status: Int
        var legacy = false
        var method = "GET"
        /// The `Host` header; nil: `127.0.0.1:<port>`.
        var host: String?
        var testDescription: String { golden }
    }

    static let rds = "Action=CreateBackup&Version=2014-08-15"
    static let dds = "Action=CreateBackup&Version=2015-12-01"

    static let cases: [Case] = [
        .init(golden: "rds-create-backup.json", target: "/?\(rds)&DBInstanceId=rm-uf6wjk5xxxxxxx&Format=JSON", status: 200),
        .init(golden: "rds-create-backup.xml", target: "/?\(rds)&DBInstanceId=rm-uf6wjk5xxxxxxx", status: 200),
        .init(golden: "rds-create-backup-legacy.json", target: "/?\(rds)&DBInstanceId=rm-uf6wjk5xxxxxxx&Format=JSON", status: 200, legacy: true),
        .init(golden: "rds-create-backup-legacy.xml", target: "/?\(rds)&DBInstanceId=rm-uf6wjk5xxxxxxx", status: 200, legacy: true),
        .init(golden: "rds-instance-not-found.json", target: "/?\(rds)&DBInstanceId=rm-missing&Format=json", status: 404),
        .init(golden: "rds-instance-not-found.xml", target: "/?\(rds)&DBInstanceId=rm-missing", status: 404),
        .init(golden: "rds-backup-method-not-supported.json", target: "/?\(rds)&DBInstanceId=rm-mysql-cloud&Format=JSON", status: 400),
        .init(golden: "rds-incorrect-state.xml", target: "/?\(rds)&DBInstanceId=rm-stopped", status: 403),
        .init(golden: "rds-missing-instance-id.json", target: "/?\(rds)&Format=JSON", status: 400),
        .init(golden: "mongodb-create-backup.json", target: "/?\(dds)&DBInstanceId=dds-bpxxxxxxxx&Format=JSON", status: 200),
        .init(golden: "mongodb-create-backup.xml", target: "/?\(dds)&DBInstanceId=dds-bpxxxxxxxx&BackupMethod=Logical", status: 200),
        .init(golden: "mongodb-instance-not-found.json", target: "/?\(dds)&DBInstanceId=dds-missing&Format=JSON", status: 404),
        .init(golden: "mongodb-no-database.xml", target: "/?\(dds)&DBInstanceId=dds-nodb&BackupMethod=Logical", status: 403),
        .init(golden: "gateway-invalid-version.xml", target: "/?Action=CreateBackup&Version=2020-01-01", status: 400),
        .init(golden: "gateway-missing-action.json", target: "/?Version=2014-08-15&Format=JSON", status: 400),
        .init(golden: "gateway-action-not-found.json", target: "/?Action=DescribeNothing&Version=2015-12-01&Format=JSON", status: 404),
        .init(golden: "gateway-not-emulated.json", target: "/?Action=DescribeSlowLogs&Version=2014-08-15&Format=JSON", status: 501),
        .init(golden: "gateway-not-emulated.xml", target: "/?Action=DescribeAuditRecords&Version=2015-12-01", status: 501),
        .init(golden: "gateway-malformed-query.xml", target: "/?Action=CreateBackup&Version=2014-08-15&DBInstanceId=%E4%B8", status: 400),
        .init(golden: "gateway-wrong-path.json", target: "/v1/backups?\(rds)&Format=JSON", status: 404),
        .init(
            golden: "gateway-endpoint-not-emulated.json", target: "/?Action=DescribeInstances&Version=2014-05-26&Format=JSON",
            status: 501, host: "ecs.cn-hangzhou.aliyuncs.com:8443"),
        .init(
            golden: "gateway-endpoint-not-emulated.xml", target: "/?Action=DescribeInstances&Version=2014-05-26", status: 501,
            host: "ecs.aliyuncs.com"),
        .init(
            golden: "gateway-endpoint-invalid-version.json", target: "/?\(dds)&DBInstanceId=dds-bpxxxxxxxx&Format=JSON",
            status: 400, host: "rds.cn-hangzhou.aliyuncs.com"),
        .init(
            golden: "gateway-endpoint-invalid-version.xml", target: "/?\(rds)&DBInstanceId=rm-uf6wjk5xxxxxxx", status: 400,
            host: "mongodb.aliyuncs.com"),
    ]

    @Test(arguments: cases)
    func matchesTheGoldenFile(_ test: Case) throws {
        try withEmulator({ $0.rdsProfile = test.legacy ? .legacy : .current }) { server in
            let reply = try RawHTTPClient.send(port: server.port, target: test.target, host: test.host)
            #expect(reply.status == test.status)
            let format = test.golden.hasSuffix(".json") ? "application/json;charset=utf-8" : "text/xml;charset=utf-8"
            #expect(reply.header("Content-Type") == format)
            #expect(reply.body.contains(reply.header("x-acs-request-id") ?? "no id"))
            try expectGolden(reply.body, test.golden)
        }
    }

    @Test func backupJobExistsAfterASecondCall() throws {
        try withEmulator { server in
            let target = "/?\(Self.dds)&DBInstanceId=dds-bpxxxxxxxx&Format=JSON"
            #expect(try server.get(target).status == 200)
            let reply = try server.get(target)
            #expect(reply.status == 403)
            try expectGolden(reply.body, "mongodb-backup-job-exists.json")
        }
    }

    @Test func quotaExceeded() throws {
        try withEmulator({
            $0.backupDuration = 0
            $0.rdsDailyQuota = 1
        }) { server in
            let target = "/?\(Self.rds)&DBInstanceId=rm-uf6wjk5xxxxxxx&Format=JSON"
            #expect(try server.get(target).status == 200)
            let reply = try server.get(target)
            #expect(reply.status == 403)
            try expectGolden(reply.body, "rds-quota-exceeded.json")
        }
    }

    @Test func oversizedBody() throws {
        try withEmulator { server in
            let reply = try RawHTTPClient.send(
                port: server.port, method: "POST", target: "/", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: Array(repeating: UInt8(ascii: "a"), count: (1 << 20) + 1))
            #expect(reply.status == 413)
            try expectGolden(reply.body, "gateway-body-too-large.xml")
        }
    }

    @Test func formBodyPost() throws {
        try withEmulator { server in
            let reply = try RawHTTPClient.send(
                port: server.port, method: "POST", target: "/",
                headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: Array("Action=CreateBackup&Version=2015-12-01&DBInstanceId=dds-cloud&BackupMethod=Snapshot&Format=JSON".utf8))
            #expect(reply.status == 200)
            try expectGolden(reply.body, "mongodb-create-backup.json")
        }
    }

    @Test func v3StyleRequestsGetJSON() throws {
        try withEmulator { server in
            let reply = try RawHTTPClient.send(
                port: server.port, method: "POST", target: "/?DBInstanceId=rm-uf6wjk5xxxxxxx",
                headers: [("x-acs-action", "CreateBackup"), ("x-acs-version", "2014-08-15")])
            #expect(reply.status == 200)
            try expectGolden(reply.body, "rds-create-backup.json")
        }
    }
}
