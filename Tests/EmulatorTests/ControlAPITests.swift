import Emulator
import Foundation
import MongoDBService
import RDSService
import TestSupport
import Testing

@Suite struct ControlAPITests {
    static let createRDS = "/?Action=CreateBackup&Version=2014-08-15&Format=JSON&DBInstanceId="

    @Test func reportsHealth() throws {
        try withEmulator { server in
            let reply = try server.get("/_emulator/health")
            #expect(reply.status == 200)
            #expect(reply.header("Content-Type") == "application/json;charset=utf-8")
            #expect(reply.body == #"{"status":"ok"}"#)
        }
    }

    @Test func listsTheActionsEmulatedAndNot() throws {
        try withEmulator { server in
            let reply = try server.get("/_emulator/actions")
            #expect(reply.status == 200)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any])
            let products = try #require(body["products"] as? [[String: Any]])
            #expect(products.map { $0["product"] as? String } == ["Rds", "Dds"])
            for (product, emulatedHere) in zip(products, [Set(RDSService.operations.actions), Set(MongoDBService.operations.actions)]) {
                let emulated = try #require(product["emulated"] as? [String])
                let notEmulated = try #require(product["notEmulated"] as? [String])
                // Every action the service emulates is a real one, so it is listed.
                #expect(Set(emulated) == emulatedHere)
                #expect(Set(notEmulated).isDisjoint(with: emulatedHere))
            }
            #expect(try server.send("POST", "/_emulator/actions").status == 405)
        }
    }

    @Test func listsTheBundledInstances() throws {
        try withEmulator { server in
            let reply = try server.get("/_emulator/instances")
            #expect(reply.status == 200)
            let list = try #require(try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [[String: Any]])
            let ids = list.compactMap { $0["DBInstanceId"] as? String }
            #expect(ids.contains("rm-uf6wjk5xxxxxxx"))
            #expect(ids.contains("dds-bpxxxxxxxx"))
            #expect(ids.count == 19)
        }
    }

    @Test func showsOneInstanceWithItsDefaultsFilledIn() throws {
        try withEmulator { server in
            let reply = try server.get("/_emulator/instances/rm-mysql-nodb")
            #expect(reply.status == 200)
            #expect(
                reply.body
                    == #"{"DBInstanceId":"rm-mysql-nodb","AccountId":"default","Engine":"MySQL","EngineVersion":"8.0","RegionId":"cn-hangzhou","DBInstanceStatus":"Running","DBInstanceType":"Primary","DBInstanceStorageType":"local_ssd","LockMode":"Unlock","Databases":[],"DBInstanceDescription":"MySQL on local disk without databases: Logical backups fail","BackupPolicy":{"BackupRetentionPeriod":7,"PreferredBackupTime":"02:00Z-03:00Z","PreferredBackupPeriod":"Tuesday,Thursday,Saturday","EnableBackupLog":"1","LogBackupRetentionPeriod":7,"LocalLogRetentionHours":18,"LocalLogRetentionSpace":"30","HighSpaceUsageProtection":"Enable","LogBackupLocalRetentionNumber":60,"LogBackupFrequency":"","CompressType":"1","BackupInterval":"-1","Category":"Standard","BackupMethod":"Physical","ArchiveBackupRetentionPeriod":"0","ArchiveBackupKeepPolicy":"ByMonth","ArchiveBackupKeepCount":"1","ReleasedKeepPolicy":"None","EnableIncrementDataBackup":false,"BackupPriority":1,"EnablePitrProtection":false,"PitrRetentionPeriod":0,"IncBackupInterval":-1}}"#
            )
            #expect(try server.get("/_emulator/instances/rm-none").status == 404)
        }
    }

    @Test func createsChangesAndDeletesInstances() throws {
        try withEmulator({ $0.backupDuration = 0 }) { server in
            let created = try server.send("PUT", "/_emulator/instances/rm-new", json: #"{"Engine":"PostgreSQL","DBInstanceStatus":"Creating"}"#)
            #expect(created.status == 201)
            #expect(try server.get(Self.createRDS + "rm-new").body.contains("IncorrectDBInstanceState"))

            let changed = try server.send("PATCH", "/_emulator/instances/rm-new", json: #"{"DBInstanceStatus":"Running"}"#)
            #expect(changed.status == 200)
            #expect(changed.body.contains(#""DBInstanceStatus":"Running""#))
            #expect(changed.body.contains(#""Engine":"PostgreSQL""#))
            #expect(try server.get(Self.createRDS + "rm-new").status == 200)

            let replaced = try server.send("PUT", "/_emulator/instances/rm-new", json: #"{"DBInstanceId":"rm-new","Engine":"MySQL"}"#)
            #expect(replaced.status == 200)
            let backups = try server.get("/_emulator/instances/rm-new/backups")
            #expect(backups.body.contains(#""BackupMethod":"Physical""#))

            #expect(try server.send("DELETE", "/_emulator/instances/rm-new").status == 204)
            #expect(try server.send("DELETE", "/_emulator/instances/rm-new").status == 404)
            #expect(try server.get(Self.createRDS + "rm-new").status == 404)
        }
    }

    @Test func resetsToTheFixtures() throws {
        try withEmulator { server in
            _ = try server.get(Self.createRDS + "rm-uf6wjk5xxxxxxx")
            _ = try server.send("DELETE", "/_emulator/instances/rm-stopped")
            _ = try server.send("PUT", "/_emulator/instances/rm-extra", json: #"{"Engine":"MySQL"}"#)
            let reply = try server.send("POST", "/_emulator/reset")
            #expect(reply.status == 200)
            #expect(reply.body == #"{"status":"reset","instances":19}"#)
            #expect(try server.get("/_emulator/instances/rm-stopped").status == 200)
            #expect(try server.get("/_emulator/instances/rm-extra").status == 404)
            #expect(try server.get("/_emulator/instances/rm-uf6wjk5xxxxxxx/backups").body == "[]")
            #expect(try server.get(Self.createRDS + "rm-uf6wjk5xxxxxxx").status == 200)
        }
    }

    @Test func pagesAnInstancesBackupsOldestFirstWithTheTotalInAHeader() throws {
        try withEmulator({ $0.backupDuration = 0 }) { server in
            var jobs: [String] = []
            for _ in 0..<5 {
                let created = try server.get(Self.createRDS + "rm-uf6wjk5xxxxxxx")
                #expect(created.status == 200)
                jobs.append(try #require(created.body.firstMatch(of: /"BackupJobId":"([0-9]+)"/)).1.description)
            }
            func page(_ query: String) throws -> (jobs: [String], total: String?) {
                let reply = try server.get("/_emulator/instances/rm-uf6wjk5xxxxxxx/backups" + query)
                #expect(reply.status == 200, "\(reply.body)")
                return (reply.body.matches(of: /"BackupJobId":"([0-9]+)"/).map { $0.1.description }, reply.header("X-Total-Count"))
            }
            #expect(try page("") == (jobs, "5"))
            #expect(try page("?limit=2") == (Array(jobs[0..<2]), "5"))
            #expect(try page("?limit=2&offset=2") == (Array(jobs[2..<4]), "5"))
            #expect(try page("?offset=4&limit=1000") == ([jobs[4]], "5"))
            #expect(try page("?offset=5") == ([], "5"))
            #expect(try page("?offset=9223372036854775807") == ([], "5"))
            // Deleted backups stay listed, and counted.
            let listing = try server.get("/_emulator/instances/rm-uf6wjk5xxxxxxx/backups?limit=1").body
            let oldest = try #require(listing.firstMatch(of: /"BackupId":"([0-9]+)"/)).1
            let deleted = try server.get(
                "/?Action=DeleteBackup&Version=2014-08-15&Format=JSON&DBInstanceId=rm-uf6wjk5xxxxxxx&BackupId=\(oldest)")
            #expect(deleted.status == 200, "\(deleted.body)")
            #expect(try page("?limit=1") == ([jobs[0]], "5"))
            #expect(try page("") == (jobs, "5"))
            #expect(try server.get("/_emulator/instances/rm-uf6wjk5xxxxxxx/backups").body.contains("DeletedTime"))
            // Another instance's list is its own.
            let other = try server.get("/_emulator/instances/rm-stopped/backups")
            #expect(other.body == "[]")
            #expect(other.header("X-Total-Count") == "0")
        }
    }

    struct BadInput: Sendable, CustomTestStringConvertible {
        let method: String
        let path: String
        let body: String?
        let status: Int
        let message: String
        var testDescription: String { "\(method) \(path) \((body ?? "").prefix(100))" }
    }

    static let badInputs: [BadInput] = [
        .init(method: "PUT", path: "/_emulator/instances/rm-x", body: "{", status: 400, message: "request body: not valid JSON"),
        .init(method: "PUT", path: "/_emulator/instances/rm-x", body: nil, status: 400, message: "request body: a JSON body is required"),
        .init(method: "PUT", path: "/_emulator/instances/rm-x", body: "[]", status: 400,
              message: "request body: an instance entry must be a JSON object, not an array"),
        .init(method: "PUT", path: "/_emulator/instances/rm-x", body: #"{"Engine":"Oracle"}"#, status: 400,
              message: #"request body (rm-x): field \"Engine\": \"Oracle\" is not one of MariaDB, MongoDB, MySQL, PostgreSQL, SQLServer"#),
        .init(method: "PUT", path: "/_emulator/instances/rm-x", body: #"{"Engine":"MySQL","DBInstanceStatus":5}"#, status: 400,
              message: #"request body (rm-x): field \"DBInstanceStatus\": must be a string, not a number"#),
        .init(method: "PUT", path: "/_emulator/instances/rm-x", body: #"{"Engine":"MySQL","Status":"Running"}"#, status: 400,
              message: #"request body (rm-x): field \"Status\": is not a field of this product's instances (misspelt?)"#),
        .init(method: "PUT", path: "/_emulator/instances/rm-x", body: #"{"DBInstanceId":"rm-y","Engine":"MySQL"}"#, status: 400,
              message: #"request body: field \"DBInstanceId\": \"rm-y\" differs from the id in the path, \"rm-x\""#),
        .init(method: "PUT", path: "/_emulator/instances/dds-x", body: #"{"Engine":"MongoDB","KindCode":"18","StorageType":"local_ssd"}"#,
              status: 400, message: #"request body (dds-x): field \"StorageType\": KindCode 18 (cloud disk) needs a cloud_* storage type"#),
        .init(method: "PATCH", path: "/_emulator/instances/rm-none", body: "{}", status: 404, message: "no instance rm-none"),
        .init(method: "PATCH", path: "/_emulator/instances/rm-stopped", body: "[1]", status: 400,
              message: "request body: a PATCH body must be a JSON object of fields to change"),
        // Bounded entries: a control request cannot make the store hold (or its lock wait on) megabytes.
        .init(method: "PUT", path: "/_emulator/instances/rm-x",
              body: #"{"Engine":"MySQL","DBInstanceDescription":"\#(String(repeating: "d", count: 257))"}"#, status: 400,
              message: #"request body (rm-x): field \"DBInstanceDescription\": must be at most 256 bytes long"#),
        .init(method: "PUT", path: "/_emulator/instances/rm-x",
              body: #"{"Engine":"MySQL","Databases":[\#((0...256).map { "\"db\($0)\"" }.joined(separator: ","))]}"#, status: 400,
              message: #"request body (rm-x): field \"Databases\": at most 256 databases, not 257"#),
        .init(method: "PUT", path: "/_emulator/instances/rm-x",
              body: #"{"Engine":"MySQL","Databases":["\#(String(repeating: "n", count: 65))"]}"#, status: 400,
              message: #"request body (rm-x): field \"Databases\": each database name must be at most 64 bytes long"#),
        .init(method: "PUT", path: "/_emulator/instances/rm-x",
              body: #"{"Engine":"MySQL","DBInstanceDescription":"\#(String(repeating: "d", count: 1 << 20))"}"#, status: 413,
              message: "request body: larger than the limit of 1048576 bytes (1 MiB)"),
        .init(method: "POST", path: "/_emulator/health", body: nil, status: 405, message: "POST is not allowed here; use GET, HEAD"),
        .init(method: "GET", path: "/_emulator/reset", body: nil, status: 405, message: "GET is not allowed here; use POST"),
        .init(method: "GET", path: "/_emulator/nothing", body: nil, status: 404,
              message: "no control endpoint /_emulator/nothing; see the README for the control API"),
        .init(method: "GET", path: "/_emulator/instances/rm-uf6wjk5xxxxxxx/backups?limit=0", body: nil, status: 400,
              message: #"query: \"limit\" must be a whole number from 1 to 1000"#),
        .init(method: "GET", path: "/_emulator/instances/rm-uf6wjk5xxxxxxx/backups?limit=1001", body: nil, status: 400,
              message: #"query: \"limit\" must be a whole number from 1 to 1000"#),
        .init(method: "GET", path: "/_emulator/instances/rm-uf6wjk5xxxxxxx/backups?limit=-1", body: nil, status: 400,
              message: #"query: \"limit\" must be a whole number from 1 to 1000"#),
        .init(method: "GET", path: "/_emulator/instances/rm-uf6wjk5xxxxxxx/backups?limit=%2B5", body: nil, status: 400,
              message: #"query: \"limit\" must be a whole number from 1 to 1000"#),
        .init(method: "GET", path: "/_emulator/instances/rm-uf6wjk5xxxxxxx/backups?limit", body: nil, status: 400,
              message: #"query: \"limit\" must be a whole number from 1 to 1000"#),
        .init(method: "GET", path: "/_emulator/instances/rm-uf6wjk5xxxxxxx/backups?limit=99999999999999999999999", body: nil, status: 400,
              message: #"query: \"limit\" must be a whole number from 1 to 1000"#),
        .init(method: "GET", path: "/_emulator/instances/rm-uf6wjk5xxxxxxx/backups?offset=-1", body: nil, status: 400,
              message: #"query: \"offset\" must be a whole number, 0 or more"#),
        .init(method: "GET", path: "/_emulator/instances/rm-uf6wjk5xxxxxxx/backups?offset=1e3", body: nil, status: 400,
              message: #"query: \"offset\" must be a whole number, 0 or more"#),
        .init(method: "GET", path: "/_emulator/instances/rm-uf6wjk5xxxxxxx/backups?offset=99999999999999999999999", body: nil, status: 400,
              message: #"query: \"offset\" must be a whole number, 0 or more"#),
        .init(method: "GET", path: "/_emulator/instances/rm-uf6wjk5xxxxxxx/backups?limit=5&limit=6", body: nil, status: 400,
              message: #"query: \"limit\" is given more than once"#),
        .init(method: "GET", path: "/_emulator/instances/rm-uf6wjk5xxxxxxx/backups?page=2", body: nil, status: 400,
              message: #"query: \"page\" is not a parameter of this listing; use limit and offset"#),
    ]

    /// RFC 7235: the scheme's name is case-insensitive, and any number of spaces may follow it.
    @Test func takesTheBearerSchemeInAnyCase() throws {
        try withEmulator({ $0.controlToken = "s3cret" }) { server in
            for accepted in ["Bearer s3cret", "bearer s3cret", "BEARER   s3cret"] {
                #expect(try server.get("/_emulator/config", headers: [("Authorization", accepted)]).status == 200, "\(accepted)")
            }
            for refused in ["Bearer s3cre", "Bearer s3cret2", "Basic s3cret", "Bearers3cret", "Bearer", ""] {
                let reply = try server.get("/_emulator/config", headers: [("Authorization", refused)])
                #expect(reply.status == 401, "\(refused)")
                #expect(reply.body.contains(#""code":"Unauthorized""#))
            }
        }
    }

    @Test(arguments: badInputs)
    func refusesBadInputWithAMessage(_ input: BadInput) throws {
        try withEmulator { server in
            let reply = try server.send(input.method, input.path, json: input.body)
            #expect(reply.status == input.status)
            #expect(reply.header("Content-Type") == "application/json;charset=utf-8")
            #expect(reply.body.contains(#""message":"\#(input.message)""#), "\(reply.body)")
            #expect(try server.get("/_emulator/instances/rm-x").status == 404)
        }
    }
}
