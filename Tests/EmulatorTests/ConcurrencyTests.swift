import AlibabaRPC
import Dispatch
import Emulator
import EmulatorTesting
import EmulatorTransport
import Foundation
import Logging
import TestSupport
import Testing

/// Many clients at once: a rule check and the write it guards can never interleave.
@Suite struct ConcurrencyTests {
    func createBackups(_ server: TestEmulator, target: String, callers: Int = 32) -> [Int] {
        let statuses = Statuses(count: callers)
        DispatchQueue.concurrentPerform(iterations: callers) { index in
            statuses.set(index, (try? RawHTTPClient.send(port: server.port, target: target).status) ?? -1)
        }
        return statuses.values
    }

    @Test func oneTaskAtATimeUnderConcurrency() throws {
        try withEmulator { server in
            let statuses = createBackups(
                server, target: "/?Action=CreateBackup&Version=2014-08-15&DBInstanceId=rm-uf6wjk5xxxxxxx&Format=JSON")
            #expect(statuses.filter { $0 == 200 }.count == 1)
            #expect(statuses.filter { $0 == 400 }.count == 31)
            let listed = try server.get("/_emulator/instances/rm-uf6wjk5xxxxxxx/backups").body
            #expect(listed.matches(of: /"BackupJobId"/).count == 1)
        }
    }

    /// A call acts at the clock's reading when it runs, holding the store's lock, not when its request was read.
    /// Workers read a turn's requests before they take the lock, so one can read its request first and run it
    /// second: at the time it was read, a millisecond before the other's task started, it would not see that task
    /// and would be accepted too.
    @Test(arguments: ["info", "warning"])  // with and without request logs: two paths to the same work
    func aCallReadFirstButRunSecondSeesTheOthersTask(logLevel: String) throws {
        let clock = SteppingClock(now: 1_704_067_200_000)
        var configuration = EmulatorConfiguration()
        configuration.signatureMode = .off
        var logger = Logger(label: "test")
        logger.logLevel = logLevel == "info" ? .info : .warning
        let emulator = try Emulator(configuration: configuration, clock: clock, logger: logger)
        let request = HTTPRequest(
            method: "GET", target: "/?Action=CreateBackup&Version=2014-08-15&DBInstanceId=rm-uf6wjk5xxxxxxx&Format=JSON",
            headers: [("Host", "127.0.0.1")], body: [])
        guard case .deferred(let readFirst) = emulator.reply(to: request) else { Issue.record("answered at once"); return }
        clock.advance(1)
        guard case .deferred(let readSecond) = emulator.reply(to: request) else { Issue.record("answered at once"); return }
        var mark = 0
        var finishes: [HTTPReply.Finish] = []
        #expect(emulator.runBatch(&mark) { finishes = [readSecond(), readFirst()] })
        let replies = finishes.map { $0() }
        #expect(replies.map(\.status) == [200, 400])
        #expect(String(decoding: replies[1].body, as: UTF8.self).contains(#""Code":"BackupJobExists""#) == true)
    }

    @Test func theQuotaIsNeverOvershot() throws {
        try withEmulator({ $0.backupDuration = 0 }) { server in
            let statuses = createBackups(
                server, target: "/?Action=CreateBackup&Version=2015-12-01&DBInstanceId=dds-bpxxxxxxxx&Format=JSON")
            #expect(statuses.filter { $0 == 200 }.count == 20)
            #expect(statuses.filter { $0 == 400 }.count == 12)
            let listed = try server.get("/_emulator/instances/dds-bpxxxxxxxx/backups").body
            #expect(listed.matches(of: /"BackupJobId"/).count == 20)
        }
    }
}

/// Results written by concurrent callers, each into its own slot.
final class Statuses: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int]

    init(count: Int) { storage = Array(repeating: 0, count: count) }

    func set(_ index: Int, _ value: Int) {
        lock.lock()
        storage[index] = value
        lock.unlock()
    }

    var values: [Int] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}

/// A clock that moves only when told to.
final class SteppingClock: EmulatorClock, @unchecked Sendable {
    // @unchecked: a lock guards `reading`.
    private let lock = NSLock()
    private var reading: Int64

    init(now: Int64) { reading = now }

    var now: Int64 {
        lock.lock()
        defer { lock.unlock() }
        return reading
    }

    func advance(_ milliseconds: Int64) {
        lock.lock()
        reading += milliseconds
        lock.unlock()
    }
}
