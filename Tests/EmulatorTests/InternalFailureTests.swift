import Emulator
import EmulatorTransport
import Foundation
import Logging
import Synchronization
import Testing

@testable import EmulatorStore

/// Log events kept in memory, for tests of what the emulator logs.
final class CapturedLog: Sendable {
    struct Event: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let stored = Mutex<[Event]>([])

    var events: [Event] { stored.withLock { $0 } }

    var logger: Logger {
        var logger = Logger(label: "test") { _ in Handler(log: self) }
        logger.logLevel = .warning
        return logger
    }

    struct Handler: LogHandler {
        let log: CapturedLog
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }.mapValues { "\($0)" }
            log.stored.withLock { $0.append(Event(level: event.level, message: "\(event.message)", metadata: merged)) }
        }
    }
}

@Suite struct InternalFailureTests {
    /// A store failure reaches the client as the API's `InternalError` and nothing more; its cause (SQLite's code,
    /// message and statement) goes to the log at error level, with the request it ended.
    @Test func aStoreFailureIsLoggedWithItsCodeAndStatementWhileTheClientGetsInternalError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("failure-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        var configuration = EmulatorConfiguration()
        configuration.signatureMode = .off
        configuration.statePath = path
        let log = CapturedLog()
        let emulator = try Emulator(configuration: configuration, logger: log.logger)
        // The state broken behind the emulator's back: a table that CreateBackup reads is gone.
        try SQLiteConnection(path: path).execute("DROP TABLE backup_totals")
        #expect(log.events.isEmpty)

        // Each request as the server runs it: in a batch, committed (or rolled back) before its reply goes.
        func send(_ target: String) -> HTTPResponse {
            var mark = 0
            var response = HTTPResponse(status: 0)
            _ = emulator.runBatch(&mark) {
                response = emulator.handle(HTTPRequest(method: "GET", target: target, headers: [("Host", "127.0.0.1")], body: []))
            }
            return response
        }
        let reply = send("/?Action=CreateBackup&Version=2014-08-15&DBInstanceId=rm-uf6wjk5xxxxxxx&Format=JSON")
        #expect(reply.status == 500)
        let body = String(decoding: reply.body, as: UTF8.self)
        #expect(body.contains(#""Code":"InternalError""#), "\(body)")
        #expect(!body.contains("backup_totals"))  // the cause is for the log, not for the client
        let failure = try #require(log.events.last)
        #expect(failure.level == .error)
        #expect(failure.message == "internal failure")
        #expect(failure.metadata["error"] == "no such table: backup_totals")
        #expect(failure.metadata["sqlite_code"] == "1")
        #expect(failure.metadata["statement"]?.hasPrefix("SELECT i.account_id, i.engine, CASE WHEN i.transition_ends") == true)
        #expect(failure.metadata["statement"]?.contains("\n") == false)  // one line
        #expect(failure.metadata["action"] == "CreateBackup")
        #expect(failure.metadata["product"] == "Rds")
        #expect(failure.metadata["request_id"].map { body.contains($0) } == true)

        // And one that the control API reads.
        try SQLiteConnection(path: path).execute("DROP TABLE next_backup_outcomes")
        let control = send("/_emulator/instances/rm-uf6wjk5xxxxxxx/next-backup")
        #expect(control.status == 500)
        #expect(String(decoding: control.body, as: UTF8.self).contains(#""code":"InternalError""#))
        #expect(log.events.count == 2)
        let controlFailure = try #require(log.events.last)
        #expect(controlFailure.level == .error)
        #expect(controlFailure.metadata["error"] == "no such table: next_backup_outcomes")
        #expect(controlFailure.metadata["path"] == "/_emulator/instances/rm-uf6wjk5xxxxxxx/next-backup")
    }
}
