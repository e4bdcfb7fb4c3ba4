import Emulator
import Foundation
import TestSupport
import Testing

/// The dashboard's files as served, and the control endpoints only it needed (accounts, running tasks, backup sets).
@Suite struct DashboardTests {
    static let createRDS = "/?Action=CreateBackup&Version=2014-08-15&Format=JSON&DBInstanceId="
    static let files = [
        ("/_emulator/", "index.html", "text/html; charset=utf-8"),
        ("/_emulator/assets/dashboard.js", "dashboard.js", "text/javascript; charset=utf-8"),
        ("/_emulator/assets/dashboard.css", "dashboard.css", "text/css; charset=utf-8"),
    ]

    @Test func servesThePageAndItsFilesFromTheBinary() throws {
        try withEmulator { server in
            for (path, file, contentType) in Self.files {
                let reply = try server.get(path)
                #expect(reply.status == 200, "\(path)")
                #expect(reply.header("Content-Type") == contentType, "\(path)")
                #expect(reply.header("Cache-Control") == "no-store", "\(path)")
                #expect(reply.header("X-Content-Type-Options") == "nosniff", "\(path)")
                let policy = try #require(reply.header("Content-Security-Policy"), "\(path)")
                // Nothing from elsewhere, no inline script.
                #expect(policy.hasPrefix("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"))
                #expect(!policy.contains("http") && !policy.contains("unsafe") && !policy.contains("*"))
                let source = try String(
                    contentsOf: repositoryRoot.appendingPathComponent("Sources/Emulator/Dashboard/\(file)"), encoding: .utf8)
                #expect(reply.body == source, "\(path) is not the file \(file)")
            }
            let page = try server.get("/_emulator/").body
            #expect(page.contains(#"<script src="assets/dashboard.js" defer></script>"#))
            #expect(!page.contains("http://") && !page.contains("https://"), "the page loads nothing from elsewhere")
        }
    }

    @Test func leadsFromThePrefixWithoutTheSlashToThePage() throws {
        try withEmulator { server in
            let reply = try server.get("/_emulator")
            #expect(reply.status == 308)
            #expect(reply.header("Location") == "/_emulator/")
            #expect(reply.body.isEmpty)
        }
    }

    @Test func refusesOtherMethodsAndUnknownFiles() throws {
        try withEmulator { server in
            let post = try server.send("POST", "/_emulator/", json: "{}")
            #expect(post.status == 405)
            #expect(post.header("Allow") == "GET, HEAD")
            #expect(post.body == #"{"code":"MethodNotAllowed","message":"POST is not allowed here; use GET, HEAD"}"#)
            let unknown = try server.get("/_emulator/assets/other.js")
            #expect(unknown.status == 404)
            #expect(unknown.header("Content-Type") == "application/json;charset=utf-8")
        }
    }

    /// The page holds no data, so it is open; what it reads is not.
    @Test func servesThePageWithoutTheControlTokenButNotTheData() throws {
        try withEmulator({ $0.controlToken = "s3cret" }) { (server) throws in
            for (path, _, _) in Self.files { #expect(try server.get(path).status == 200, "\(path)") }
            #expect(try server.get("/_emulator").status == 308)
            for path in ["/_emulator/accounts", "/_emulator/tasks", "/_emulator/instances/rm-uf6wjk5xxxxxxx/backup-sets"] {
                #expect(try server.get(path).status == 401, "\(path)")
                #expect(try server.get(path, headers: [("Authorization", "Bearer wrong")]).status == 401, "\(path)")
                #expect(try server.get(path, headers: [("Authorization", "Bearer s3cret")]).status == 200, "\(path)")
            }
        }
    }

    @Test func listsTheAccountsWithTheirKeyIdsOnly() throws {
        try withEmulator { server in
            let reply = try server.get("/_emulator/accounts")
            #expect(reply.status == 200)
            #expect(
                reply.body
                    == #"{"accounts":[{"account":"default","accessKeys":["testid","STS.testid","disabledid"]},{"account":"other","accessKeys":["otherid"]}]}"#
            )
            #expect(!reply.body.contains("secret"))
            #expect(try server.send("POST", "/_emulator/accounts", json: "{}").status == 405)
        }
    }

    @Test func showsTheRunningTasksThenTheSetsTheyMake() throws {
        try withEmulator { server in
            _ = try server.send("POST", "/_emulator/clock", json: #"{"freeze": true}"#)
            #expect(try server.get(Self.createRDS + "rm-uf6wjk5xxxxxxx").status == 200)
            let running = try json(server.get("/_emulator/tasks?account=default"))
            let tasks = try #require(running["tasks"] as? [[String: Any]])
            #expect(tasks.count == 1)
            #expect(tasks.first?["DBInstanceId"] as? String == "rm-uf6wjk5xxxxxxx")
            #expect(tasks.first?["BackupMode"] as? String == "Manual")
            #expect(tasks.first?["InProgress"] as? Bool == true)
            #expect(tasks.first?["Status"] as? String == "Preparing")
            #expect(try server.get("/_emulator/tasks?account=other").body == #"{"tasks":[]}"#)
            // Not listed as a set while it runs.
            var sets = try json(server.get("/_emulator/instances/rm-uf6wjk5xxxxxxx/backup-sets"))
            #expect(sets["total"] as? Int == 0)
            #expect(sets["stages"] as? [String] == ["Preparing", "Waiting", "Uploading", "Checking"])

            // A week later: the manual set, and the automatic ones of the windows passed.
            _ = try server.send("POST", "/_emulator/clock", json: #"{"advance": "7d"}"#)
            #expect(try server.get("/_emulator/tasks").body == #"{"tasks":[]}"#)
            sets = try json(server.get("/_emulator/instances/rm-uf6wjk5xxxxxxx/backup-sets?limit=100"))
            let listed = try #require(sets["sets"] as? [[String: Any]])
            // A week of Tuesday, Thursday and Saturday windows: three automatic sets, newest first, then the manual one.
            #expect(sets["total"] as? Int == 4)
            #expect(listed.map { $0["BackupMode"] as? String } == ["Automated", "Automated", "Automated", "Manual"])
            #expect(listed.allSatisfy { $0["Status"] as? String == "Finished" })
            let mongo = try json(server.get("/_emulator/instances/dds-bpxxxxxxxx/backup-sets?limit=1"))
            #expect(mongo["stages"] as? [String] == ["Scheduled", "Checking", "Backuping"])
            #expect((mongo["sets"] as? [Any])?.count == 1)
        }
    }

    @Test func refusesBadQueries() throws {
        try withEmulator { server in
            for query in ["x=1", "account=a&account=b", "account=", "account"] {
                let reply = try server.get("/_emulator/tasks?" + query)
                #expect(reply.status == 400, "\(query)")
                #expect(reply.body.contains("the only parameter is account"), "\(query)")
            }
            #expect(try server.get("/_emulator/instances/rm-uf6wjk5xxxxxxx/backup-sets?limit=0").status == 400)
            #expect(try server.get("/_emulator/instances/rm-none/backup-sets").status == 404)
            #expect(try server.send("DELETE", "/_emulator/tasks").status == 405)
        }
    }

    private func json(_ reply: RawResponse) throws -> [String: Any] {
        #expect(reply.status == 200, "\(reply.body)")
        return try #require(try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any])
    }
}
