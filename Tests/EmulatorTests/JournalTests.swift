import Dispatch
import Emulator
import EmulatorTesting
import Foundation
import TestSupport
import Testing

/// The request journal (`/_emulator/requests`): what tests verify their client sent.
@Suite struct JournalTests {
    static let rds = "/?Version=2014-08-15&Format=JSON"
    static let createRDS = rds + "&Action=CreateBackup&DBInstanceId=rm-uf6wjk5xxxxxxx"

    func listing(_ server: TestEmulator, _ query: String = "") throws -> (requests: [[String: Any]], total: Int) {
        let reply = try server.get("/_emulator/requests" + query)
        #expect(reply.status == 200, "\(reply.body)")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any])
        return (try #require(body["requests"] as? [[String: Any]]), try #require(body["total"] as? Int))
    }

    func count(_ server: TestEmulator, _ query: String = "") throws -> Int {
        let reply = try server.get("/_emulator/requests/count" + query)
        #expect(reply.status == 200, "\(reply.body)")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any])
        return try #require(body["count"] as? Int)
    }

    @Test func recordsEachFieldAndNeverTheSecrets() throws {
        try withEmulator { server throws in
            _ = try server.send("POST", "/_emulator/clock", json: #"{"set": "2030-05-06T07:08:09Z", "freeze": true}"#)
            let reply = try server.get(
                Self.createRDS
                    + "&BackupMethod=Physical&AccessKeyId=testid&SignatureVersion=1.0&Signature=c2lnbmF0dXJl"
                    + "&SecurityToken=sts-token-value")
            #expect(reply.status == 200)
            let (entries, total) = try listing(server)
            #expect(total == 1 && entries.count == 1)
            let entry = try #require(entries.first)
            #expect(entry["requestId"] as? String == reply.header("x-acs-request-id"))
            #expect(entry["time"] as? String == "2030-05-06T07:08:09.000Z")
            #expect((entry["realTime"] as? String)?.hasPrefix("2030") == false)
            #expect(entry["product"] as? String == "Rds")
            #expect(entry["action"] as? String == "CreateBackup")
            #expect(entry["version"] as? String == "2014-08-15")
            #expect(entry["account"] as? String == "default")
            #expect(entry["accessKeyId"] as? String == "testid")
            #expect(entry["signatureVersion"] as? String == "V1")
            #expect(entry["instance"] as? String == "rm-uf6wjk5xxxxxxx")
            #expect(entry["status"] as? Int == 200)
            #expect(entry["code"] == nil && entry["message"] == nil && entry["rule"] == nil)
            #expect((entry["latencyMicroseconds"] as? Int).map { $0 >= 0 } == true)
            let parameters = try #require(entry["parameters"] as? [String: String])
            #expect(parameters["BackupMethod"] == "Physical")
            #expect(parameters["Signature"] == "(redacted)")
            #expect(parameters["SecurityToken"] == "(redacted)")
            let whole = try server.get("/_emulator/requests").body
            #expect(!whole.contains("sts-token-value") && !whole.contains("c2lnbmF0dXJl"))
            // Control API calls are not API requests: listing the journal did not add to it.
            #expect(try count(server) == 1)
        }
    }

    @Test func recordsARefusalWithItsCodeMessageAndRule() throws {
        try withEmulator { server throws in
            #expect(try server.get(Self.rds + "&Action=CreateBackup&DBInstanceId=rm-none").status == 404)
            #expect(try server.get("/?Action=CreateBackup&Version=1999-01-01").status == 400)
            let (entries, _) = try listing(server)
            #expect(entries.count == 2)
            #expect(entries[0]["code"] as? String == "InvalidDBInstanceName.NotFound")
            #expect(entries[0]["rule"] as? String == "InvalidDBInstanceName.NotFound")
            #expect((entries[0]["message"] as? String)?.isEmpty == false)
            #expect(entries[0]["status"] as? Int == 404)
            #expect(entries[1]["code"] as? String == "InvalidVersion")
            #expect(entries[1]["version"] as? String == "1999-01-01")
            #expect(entries[1]["product"] == nil)
            #expect(entries[1]["signatureVersion"] as? String == "none")
        }
    }

    @Test func filtersAndCounts() throws {
        try withEmulator({ $0.backupDuration = 0 }) { server throws in
            _ = try server.send("POST", "/_emulator/clock", json: #"{"set": "2030-01-01T00:00:00Z", "freeze": true}"#)
            let first = try server.get(Self.createRDS)
            _ = try server.send("POST", "/_emulator/clock", json: #"{"advance": 60}"#)
            _ = try server.get(Self.rds + "&Action=DescribeBackups&DBInstanceId=rm-uf6wjk5xxxxxxx")
            _ = try server.get(Self.rds + "&Action=CreateBackup&DBInstanceId=rm-none")
            _ = try server.get("/?Version=2015-12-01&Format=JSON&Action=CreateBackup&DBInstanceId=dds-bpxxxxxxxx")
            #expect(try count(server) == 4)
            #expect(try count(server, "?product=Rds") == 3)
            #expect(try count(server, "?product=dds") == 1)
            #expect(try count(server, "?action=CreateBackup") == 3)
            #expect(try count(server, "?action=CreateBackup&status=200") == 2)
            #expect(try count(server, "?code=InvalidDBInstanceName.NotFound") == 1)
            #expect(try count(server, "?status=404") == 1)
            #expect(try count(server, "?instance=rm-uf6wjk5xxxxxxx") == 2)
            #expect(try count(server, "?instance=rm-uf6wjk5xxxxxxx&action=DescribeBackups") == 1)
            #expect(try count(server, "?account=default") == 4)
            #expect(try count(server, "?account=other") == 0)
            #expect(try count(server, "?since=2030-01-01T00:01:00Z") == 3)
            #expect(try count(server, "?since=2030-01-01T00:00:00.001Z") == 3)
            let requestId = try #require(first.header("x-acs-request-id"))
            #expect(try count(server, "?after=\(requestId)") == 3)
            #expect(try count(server, "?after=\(requestId)&product=Rds") == 2)
            // An id no longer in the journal (cleared or aged out): everything there is newer.
            #expect(try count(server, "?after=gone") == 4)

            let limited = try listing(server, "?action=CreateBackup&limit=2")
            #expect(limited.total == 3)
            #expect(limited.requests.map { $0["instance"] as? String } == ["rm-uf6wjk5xxxxxxx", "rm-none"])
            let all = try listing(server)
            #expect(all.requests.map { $0["action"] as? String } == ["CreateBackup", "DescribeBackups", "CreateBackup", "CreateBackup"])
        }
    }

    @Test(arguments: [
        ("?colour=red", #"query: \"colour\" is not a parameter here; use product, action, code, status, instance, account, since, after, limit"#),
        ("?status=abc", #"query: \"status\" must be an HTTP status, a whole number from 100 to 599"#),
        ("?status=99999999999999999999999", #"query: \"status\" must be an HTTP status, a whole number from 100 to 599"#),
        ("?since=yesterday", #"query: \"since\" must be a UTC time like 2024-01-01T00:00:00Z or 2024-01-01T00:00:00.250Z"#),
        ("?limit=0", #"query: \"limit\" must be a whole number, 1 or more"#),
        ("?limit=-1", #"query: \"limit\" must be a whole number, 1 or more"#),
        ("?action=A&action=B", #"query: \"action\" is given more than once"#),
        ("?action=", #"query: \"action\" needs a value"#),
        ("?action=%zz", #"query: \"action=%zz\" is not form-encoded (a % must start an escape such as %2B)"#),
    ])
    func refusesABadQuery(query: String, message: String) throws {
        try withEmulator { server throws in
            let reply = try server.get("/_emulator/requests" + query)
            #expect(reply.status == 400)
            #expect(reply.body == #"{"code":"InvalidRequest","message":"\#(message)"}"#)
        }
    }

    @Test func theCountTakesNoLimitAndTheEndpointsTheirMethods() throws {
        try withEmulator { server throws in
            #expect(try server.get("/_emulator/requests/count?limit=3").status == 400)
            #expect(try server.send("POST", "/_emulator/requests").status == 405)
            #expect(try server.send("DELETE", "/_emulator/requests/count").status == 405)
            #expect(try server.get("/_emulator/requests/other").status == 404)
        }
    }

    @Test func clearsOnDeleteAndOnReset() throws {
        try withEmulator { server throws in
            _ = try server.get(Self.createRDS)
            #expect(try count(server) == 1)
            #expect(try server.send("DELETE", "/_emulator/requests").status == 204)
            #expect(try count(server) == 0)
            _ = try server.get(Self.createRDS)
            #expect(try server.send("POST", "/_emulator/reset").status == 200)
            #expect(try count(server) == 0)
        }
    }

    @Test func keepsTheNewestUpToItsSize() throws {
        try withEmulator({ $0.journalSize = 3 }) { server throws in
            var ids: [String] = []
            for _ in 0..<7 {
                ids.append(try #require(try server.get(Self.rds + "&Action=DescribeBackups&DBInstanceId=rm-none").header("x-acs-request-id")))
            }
            let (entries, total) = try listing(server)
            #expect(total == 3)
            #expect(entries.map { $0["requestId"] as? String } == ids.suffix(3).map(Optional.some))
            #expect(try server.get("/_emulator/config").body.contains(#""journalSize":3"#))
        }
    }

    @Test func sizeZeroTurnsItOff() throws {
        try withEmulator({ $0.journalSize = 0 }) { server throws in
            #expect(try server.get(Self.createRDS).status == 200)
            #expect(try count(server) == 0)
            #expect(try listing(server).total == 0)
            #expect(try server.send("DELETE", "/_emulator/requests").status == 204)
            #expect(try server.get("/_emulator/config").body.contains(#""journalSize":0"#))
        }
    }

    @Test func loseNoEntryUnderConcurrency() throws {
        try withEmulator({ $0.journalSize = 1_000 }) { server throws in
            let clients = 32
            let perClient = 10
            DispatchQueue.concurrentPerform(iterations: clients) { index in
                for _ in 0..<perClient {
                    _ = try? RawHTTPClient.send(
                        port: server.port, target: Self.rds + "&Action=DescribeBackups&DBInstanceId=client-\(index)")
                }
            }
            #expect(try count(server) == clients * perClient)
            for index in [0, 17, 31] { #expect(try count(server, "?instance=client-\(index)") == perClient) }
            let ids = try listing(server).requests.compactMap { $0["requestId"] as? String }
            #expect(Set(ids).count == clients * perClient)
        }
    }

    /// A V3 request's `Authorization` header is no parameter: its signature is never recorded.
    @Test func recordsAV3RequestWithoutItsAuthorizationHeader() throws {
        try withEmulator({ $0.signatureMode = .strict }) { server throws in
            let reply = try server.get(
                "/?DBInstanceId=rm-uf6wjk5xxxxxxx",
                headers: [
                    ("x-acs-action", "CreateBackup"), ("x-acs-version", "2014-08-15"),
                    ("Authorization", "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host,Signature=deadbeefcafe"),
                ])
            #expect(reply.status >= 400)
            let whole = try server.get("/_emulator/requests").body
            #expect(!whole.contains("deadbeefcafe"))
            let entry = try #require(try listing(server).requests.first)
            #expect(entry["signatureVersion"] as? String == "V3")
            #expect(entry["accessKeyId"] as? String == "testid")
            #expect(entry["action"] as? String == "CreateBackup")
            #expect(entry["instance"] as? String == "rm-uf6wjk5xxxxxxx")
            #expect(entry["code"] != nil && entry["rule"] as? String == entry["code"] as? String)
        }
    }
}
