import Dispatch
import Emulator
import Foundation
import TestSupport
import Testing

/// Many clients at once: a rule check and the write it guards can never interleave.
@Suite struct ConcurrencyTests {
    func createBackups(_ server: EmulatorServer, target: String, callers: Int = 32) -> [Int] {
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
