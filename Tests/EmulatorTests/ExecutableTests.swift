import Foundation
import Emulator
import TestSupport
import Testing

/// The built executable, run as users run it.
@Suite(.serialized) struct ExecutableTests {
    @Test func printsOneListeningLineWithTheRealPort() throws {
        let server = try ServerProcess(arguments: ["--port", "0"])
        defer { server.stop() }
        #expect(server.listeningLine == "aliyun-db-emulator listening on http://127.0.0.1:\(server.port)")
        #expect(try RawHTTPClient.send(port: server.port, target: "/_emulator/health").status == 200)
    }

    @Test func exitsCleanlyOnSIGTERM() throws {
        let server = try ServerProcess(arguments: ["--port", "0"])
        server.stop()
        #expect(server.process.terminationStatus == 0)
        #expect(server.process.terminationReason == .exit)
    }

    static let badFlags: [(arguments: [String], message: String)] = [
        (["--port", "70000"], #"aliyun-db-emulator: --port: "70000" is not a port from 0 to 65535"# + "\n"),
        (["--port", "x"], #"aliyun-db-emulator: --port: "x" is not a port from 0 to 65535"# + "\n"),
        (["--workers", "65"], #"aliyun-db-emulator: --workers: "65" is not a number of threads from 1 to 64"# + "\n"),
        (["--backup-duration=-1"], #"aliyun-db-emulator: --backup-duration: "-1" is not a number of seconds from 0 to 31536000"# + "\n"),
        (["--backup-duration", "0x10"], #"aliyun-db-emulator: --backup-duration: "0x10" is not a number of seconds from 0 to 31536000"# + "\n"),
        (["--max-connections", "0"],
         #"aliyun-db-emulator: --max-connections: "0" is not a number of connections from 1 to \#(EmulatorConfiguration.connectionCeiling) (the descriptor limit less 64 kept free)"# + "\n"),
        (["--rds-daily-quota=-2"], #"aliyun-db-emulator: --rds-daily-quota: "-2" is not a whole number, 0 or more"# + "\n"),
        (["--rds-profile", "old"], #"aliyun-db-emulator: --rds-profile: "old" is not one of current, legacy"# + "\n"),
        (["--signature", "loose"], #"aliyun-db-emulator: --signature: "loose" is not one of strict, off"# + "\n"),
        (["--log-level", "loud"],
         #"aliyun-db-emulator: --log-level: "loud" is not one of trace, debug, info, notice, warning, error, critical"# + "\n"),
        (["--log-format", "xml"], #"aliyun-db-emulator: --log-format: "xml" is not one of text, json"# + "\n"),
        (["--fixtures", "/nonexistent"], "aliyun-db-emulator: fixtures folder /nonexistent: no such folder\n"),
        (["--state", "/nonexistent/state.db"],
         "aliyun-db-emulator: cannot open state file /nonexistent/state.db: unable to open database file\n"),
        (["--https-port", "65536"], #"aliyun-db-emulator: --https-port: "65536" is not a port from 0 to 65535"# + "\n"),
        (["--https-port", "0", "--tls-key", "/k.pem"],
         "aliyun-db-emulator: --tls-key needs --tls-cert (ALIYUN_EMULATOR_TLS_CERT) too\n"),
        (["--https-port", "0", "--tls-cert", "/nonexistent/c.pem", "--tls-key", "/nonexistent/k.pem"],
         "aliyun-db-emulator: cannot serve HTTPS: /nonexistent/c.pem: no such file\n"),
    ]

    @Test(arguments: badFlags)
    func refusesBadFlagsWithOneLine(_ arguments: [String], message: String) throws {
        let result = try ServerProcess.runToExit(arguments: arguments + ["--port", "0"].filter { _ in !arguments.contains("--port") })
        #expect(result.status != 0)
        #expect(result.standardError == message)
        #expect(result.standardOutput.isEmpty)
    }

    @Test func refusesABusyPort() throws {
        let first = try ServerProcess(arguments: ["--port", "0"])
        defer { first.stop() }
        let result = try ServerProcess.runToExit(arguments: ["--port", "\(first.port)"])
        #expect(result.status == 1)
        #expect(result.standardError == "aliyun-db-emulator: cannot listen on 127.0.0.1:\(first.port): Address already in use\n")
    }

    @Test func runsWhenCopiedElsewhereAlone() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("alone-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let copy = folder.appendingPathComponent("aliyun-db-emulator")
        try FileManager.default.copyItem(at: ServerProcess.executableURL, to: copy)
        let server = try ServerProcess(arguments: ["--port", "0", "--signature", "off"], executable: copy)
        defer { server.stop() }
        let reply = try RawHTTPClient.send(
            port: server.port, target: "/?Action=CreateBackup&Version=2015-12-01&DBInstanceId=dds-bpxxxxxxxx&Format=JSON")
        #expect(reply.status == 200)
    }

    @Test func keepsAcknowledgedBackupsThroughKillDashNine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let state = folder.appendingPathComponent("state.db").path
        var acknowledged: [String] = []
        do {
            let server = try ServerProcess(
                arguments: ["--port", "0", "--state", state, "--backup-duration", "0", "--signature", "off"])
            for _ in 0..<5 {
                let reply = try RawHTTPClient.send(
                    port: server.port,
                    target: "/?Action=CreateBackup&Version=2014-08-15&DBInstanceId=rm-uf6wjk5xxxxxxx&Format=JSON")
                #expect(reply.status == 200)
                if let id = reply.body.firstMatch(of: /"BackupJobId":"([0-9]+)"/)?.1 { acknowledged.append(String(id)) }
            }
            server.killHard()
        }
        let restarted = try ServerProcess(arguments: ["--port", "0", "--state", state])
        defer { restarted.stop() }
        let listed = try RawHTTPClient.send(port: restarted.port, target: "/_emulator/instances/rm-uf6wjk5xxxxxxx/backups").body
        #expect(acknowledged.count == 5)
        for id in acknowledged { #expect(listed.contains(#""BackupJobId":"\#(id)""#)) }
    }
}
