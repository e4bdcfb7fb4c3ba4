import AlibabaRPC
import EmulatorStore
import EmulatorTransport
import Foundation
import MongoDBService
import RDSService

/// Why the emulator cannot start; the message is meant for the person who started it.
public struct EmulatorStartError: Error, CustomStringConvertible {
    public let description: String
}

/// The emulator assembled: state, fixtures, product services, the RPC gateway and the control API.
/// It answers one request at a time on the server's loop thread and is confined to that thread.
public final class Emulator {
    public let configuration: EmulatorConfiguration
    let store: Store
    let fixtures: [InstanceRecord]
    let clock: any Clock
    private let gateway: RPCGateway
    private lazy var control = ControlAPI(emulator: self)

    public init(configuration: EmulatorConfiguration, clock: any Clock = SystemClock()) throws {
        self.configuration = configuration
        self.clock = clock
        fixtures = try Self.loadFixtures(from: configuration.fixturesDirectory)
        do {
            store = try Store(path: configuration.statePath)
        } catch {
            throw EmulatorStartError(description: "\(error)")
        }
        let duration = configuration.backupDurationMilliseconds
        let rds = RDSService(
            configuration: RDSConfiguration(
                profile: configuration.rdsProfile, dailyQuota: configuration.rdsDailyQuota, backupDuration: duration),
            store: store)
        let mongodb = MongoDBService(
            configuration: MongoDBConfiguration(
                dailyQuota: configuration.mongodbDailyQuota ?? MongoDBConfiguration.defaultDailyQuota,
                backupDuration: duration),
            store: store)
        gateway = RPCGateway(services: [rds, mongodb], clock: clock)
        // A new state starts from the fixtures; an existing state file keeps what it holds.
        if store.isNew { try reset() }
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        if request.path == ControlAPI.prefix || request.path.hasPrefix(ControlAPI.prefix + "/") {
            return control.handle(request)
        }
        return gateway.handle(request)
    }

    /// Puts the state back to the fixtures: instances as listed, no backups.
    @discardableResult
    func reset() throws -> Int {
        try store.transaction { state in
            try state.deleteEverything()
            for instance in fixtures { try state.put(instance) }
            return fixtures.count
        }
    }

    static func loadFixtures(from directory: String?) throws -> [InstanceRecord] {
        guard let directory else {
            return try decodeFixtures(Array(BundledFixtures.instancesJSON.utf8), source: "bundled instances.json")
        }
        let path = (directory as NSString).appendingPathComponent("instances.json")
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let reason =
                FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) && isDirectory.boolValue
                ? "no readable instances.json in it" : "no such folder"
            throw EmulatorStartError(description: "fixtures folder \(directory): \(reason)")
        }
        return try decodeFixtures(Array(data), source: path)
    }

    private static func decodeFixtures(_ bytes: [UInt8], source: String) throws -> [InstanceRecord] {
        do {
            return try InstanceFixture.decodeFile(bytes, source: source)
        } catch {
            throw EmulatorStartError(description: error.description)
        }
    }
}
