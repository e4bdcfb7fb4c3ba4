import AlibabaRPC
import Dispatch
import EmulatorStore
import EmulatorTLS
import EmulatorTransport
import FoundationEssentials
import Logging
import MongoDBService
import RDSService
import Synchronization

/// Why the emulator cannot start; the message is meant for the person who started it.
public struct EmulatorStartError: Error, CustomStringConvertible {
    public let description: String
}

public enum EmulatorVersion {
    public static let current = "0.1.0"
}

/// The emulator assembled: state, fixtures, product services, the RPC gateway and the control API.
/// Every worker thread of the server calls `handle` at once; what they share is immutable or locked
/// (the store, the clock, the nonce ledger).
public final class Emulator: Sendable {
    public let configuration: EmulatorConfiguration
    let store: Store
    let fixtures: [InstanceRecord]
    let accessKeys: [AccessKey]
    /// The accounts instances may belong to.
    let accounts: Set<String>
    /// The one clock everything reads: requests, task progress, timestamps, quotas, signatures.
    let clock: VirtualClock
    private let gateway: RPCGateway
    /// The requests answered lately; nil when `journalSize` is 0.
    let journal: RequestJournal?
    /// The product services, for `GET /_emulator/actions`.
    let services: [any RPCService]
    private let logger: Logger
    /// Whether request lines are logged (`info` or finer).
    private let logsRequests: Bool
    /// What the product services run with (quotas resolved from profiles and defaults).
    let serviceConfigurations: (rds: RDSConfiguration, mongodb: MongoDBConfiguration)
    /// The port actually listened on (the server sets it once bound), for `/_emulator/config`.
    var boundPort: Int? {
        get { listeningPort.withLock { $0 } }
        set { listeningPort.withLock { $0 = newValue } }
    }
    private let listeningPort = Mutex<Int?>(nil)
    /// The HTTPS port and the files it serves, once bound, for `/_emulator/config`.
    var https: (port: Int, files: TLSFiles)? {
        get { httpsListener.withLock { $0 } }
        set { httpsListener.withLock { $0 = newValue } }
    }
    private let httpsListener = Mutex<(port: Int, files: TLSFiles)?>(nil)

    public init(
        configuration: EmulatorConfiguration, clock base: any EmulatorClock = SystemClock(),
        logger: Logger = Logger(label: "aliyun-db-emulator")
    ) throws {
        // Process-wide, before anything touches SQLite: a refusal stops start-up with SQLite's reason.
        do {
            try SQLiteSettings.apply()
        } catch {
            throw EmulatorStartError(description: "cannot set up SQLite: \(error)")
        }
        self.configuration = configuration
        self.logger = logger
        logsRequests = logger.logLevel <= .info
        journal = configuration.journalSize > 0 ? RequestJournal(capacity: min(configuration.journalSize, EmulatorConfiguration.largestJournal)) : nil
        let clock = VirtualClock(base: base)
        self.clock = clock
        accessKeys = try Self.loadAccessKeys(from: configuration.fixturesDirectory)
        accounts = AccessKeyFixture.accounts(of: accessKeys)
        fixtures = try Self.loadFixtures(from: configuration.fixturesDirectory, accounts: accounts)
        do {
            store = try Store(path: configuration.statePath, groupCommit: true)
        } catch {
            throw EmulatorStartError(description: "\(error)")
        }
        let duration = configuration.backupDurationMilliseconds
        let rds = RDSService(
            configuration: RDSConfiguration(
                profile: configuration.rdsProfile, dailyQuota: configuration.rdsDailyQuota, backupDuration: duration,
                instanceDurations: configuration.instanceDurations.milliseconds),
            store: store)
        let mongodb = MongoDBService(
            configuration: MongoDBConfiguration(
                dailyQuota: configuration.mongodbDailyQuota ?? MongoDBConfiguration.defaultDailyQuota,
                backupDuration: duration, instanceDurations: configuration.instanceDurations.milliseconds),
            store: store)
        serviceConfigurations = (rds.configuration, mongodb.configuration)
        services = [rds, mongodb]
        gateway = RPCGateway(
            services: services, clock: clock,
            authenticator: Authenticator(
                mode: configuration.signatureMode, keys: accessKeys, nonces: NonceLedger(capacity: configuration.nonceCapacity)),
            internalFailure: { failure in
                Self.logInternalFailure(
                    failure.error, to: logger,
                    ["product": "\(failure.product ?? "-")", "action": "\(failure.action)", "request_id": "\(failure.requestId)"])
            })
        // A new state starts from the fixtures; an existing state file keeps what it holds.
        if store.isNew { try reset() }
        store.commitBatch()
    }

    /// The reply to a request whose writes could not be committed.
    public func notSaved(_ request: HTTPRequest) -> HTTPResponse {
        ControlAPI.isControl(request) ? ControlAPI.notSaved() : gateway.failure(request, .internalError)
    }

    /// The reply to a request the transport refused before reading it whole: the control API's JSON error for
    /// its paths, else the API's error envelope (JSON where what was read of the request asks for it).
    public func refusal(_ refused: MalformedRequest) -> HTTPResponse {
        var error = APIError.refused(refused)
        // One limit for clients to know of, whichever layer saw the body first.
        if case .bodyTooLarge = refused.problem { error = .bodyTooLarge(limit: RPCGateway.bodyLimit) }
        let request = HTTPRequest(
            method: refused.method ?? "GET", path: refused.path ?? "/", query: refused.query, headers: refused.headers)
        if ControlAPI.isControl(request) {
            if case .bodyTooLarge = refused.problem { return ControlAPI.tooLarge() }
            return ControlAPI.failure(status: error.status, code: error.code, message: error.message)
        }
        return gateway.failure(request, error)
    }

    /// Answers a request at once: what the server does with `reply(to:)`, all in one go.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        switch reply(to: request) {
        case .ready(let response): response
        case .deferred(let work): store.exclusively(work)()
        }
    }

    /// The reply to a request: ready when no state is involved (a refusal by the gateway or by
    /// authentication), else deferred to the server's turn-end batch, which `runBatch` runs.
    public func reply(to request: HTTPRequest) -> HTTPReply {
        guard logsRequests || journal != nil || ControlAPI.isControl(request) else {
            // Nothing to log or record: no clock reading, no closure beyond the deferred work itself.
            switch gateway.prepare(request) {
            case .answered(let response, _): return .ready(response)
            case .ready(let call):
                return .deferred { [gateway] in
                    let executed = gateway.execute(call)
                    return { gateway.render(executed).response }
                }
            }
        }
        let started = DispatchTime.now().uptimeNanoseconds
        let logger = self.logger
        @Sendable func milliseconds() -> String {
            // Milliseconds with three decimals, rounded to the microsecond.
            let microseconds = (DispatchTime.now().uptimeNanoseconds &- started + 500) / 1000
            let fraction = String(microseconds % 1000)
            return "\(microseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
        }
        if ControlAPI.isControl(request) {
            // The page holds no data: open to anyone, and served without the store's lock.
            if Dashboard.serves(request) { return .ready(Dashboard.response(to: request)) }
            guard controlAllowed(request) else { return .ready(ControlAPI.unauthorized()) }
            // Refused before the store's lock: a large body would hold it while being parsed and stored.
            guard request.body.count <= ControlAPI.bodyLimit else { return .ready(ControlAPI.tooLarge()) }
            return .deferred { [self] in
                let response = ControlAPI(emulator: self).handle(request)
                logger.debug(
                    "control",
                    metadata: [
                        "method": "\(request.method)", "path": "\(request.path)", "status": "\(response.status)",
                        "latency_ms": "\(milliseconds())",
                    ])
                return { response }
            }
        }
        let journal = self.journal
        let logsRequests = self.logsRequests
        let clock = self.clock
        @Sendable func logged(_ response: HTTPResponse, _ outcome: RPCGateway.Outcome) -> HTTPResponse {
            if let journal {
                journal.record(
                    outcome, realTime: clock.systemNow,
                    latencyNanoseconds: DispatchTime.now().uptimeNanoseconds &- started)
            }
            guard logsRequests else { return response }
            logger.info(
                "request",
                metadata: [
                    "product": "\(outcome.product ?? "-")", "action": "\(outcome.action ?? "-")",
                    "account": "\(outcome.accountId ?? "-")", "status": "\(outcome.status)",
                    "code": "\(outcome.code ?? "-")", "latency_ms": "\(milliseconds())", "request_id": "\(outcome.requestId)",
                ])
            return response
        }
        switch gateway.prepare(request) {
        case .answered(let response, let outcome):
            return .ready(logged(response, outcome))
        case .ready(let call):
            return .deferred { [gateway] in
                let executed = gateway.execute(call)
                return {
                    let (response, outcome) = gateway.render(executed)
                    return logged(response, outcome)
                }
            }
        }
    }

    /// Runs a server turn's deferred work holding the store's lock once, and commits what it wrote
    /// (group commit). False when a commit failed since the caller's previous call (`mark` is the
    /// caller's own record of that): the replies of its requests must not report success.
    public func runBatch(_ mark: inout Int, _ work: () -> Void) -> Bool {
        let (failures, commitFailure) = store.exclusively {
            work()
            return (store.commitBatch(), store.takeCommitFailure())
        }
        defer { mark = failures }
        if let commitFailure { Self.logInternalFailure(commitFailure, to: logger, ["during": "commit"]) }
        return failures == mark
    }

    /// Logs, at error level, a failure a client sees only as `InternalError`: a store failure with SQLite's result
    /// code and the statement, anything else as it describes itself.
    static func logInternalFailure(_ error: any Error, to logger: Logger, _ context: Logger.Metadata) {
        var metadata = context
        if let failure = error as? SQLiteError {
            metadata["error"] = "\(failure.message)"
            metadata["sqlite_code"] = "\(failure.code)"
            metadata["statement"] = "\(failure.statement ?? "-")"
        } else {
            metadata["error"] = "\(error)"
        }
        logger.error("internal failure", metadata: metadata)
    }

    /// Logs a failure of the control API that its client sees as `InternalError`.
    func logInternalFailure(_ error: any Error, request: HTTPRequest) {
        Self.logInternalFailure(error, to: logger, ["method": "\(request.method)", "path": "\(request.path)"])
    }

    /// With a control token, only the health endpoint is open to anyone.
    private func controlAllowed(_ request: HTTPRequest) -> Bool {
        guard let token = configuration.controlToken, request.path != ControlAPI.prefix + "/health" else { return true }
        // The scheme's name is case-insensitive (RFC 7235 §2.1); one or more spaces follow it.
        guard let given = request.header("Authorization")?.utf8, given.count > 7,
            given.prefix(6).lazy.map({ $0 | 0x20 }).elementsEqual("bearer".utf8), given.dropFirst(6).first == 0x20
        else { return false }
        let presented = Array(given.dropFirst(6).drop { $0 == 0x20 })
        let expected = Array(token.utf8)
        // Compared in constant time: no early exit on the first differing byte.
        return presented.count == expected.count && zip(presented, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// Puts the state back to the fixtures: instances as listed, no backups.
    @discardableResult
    func reset() throws -> Int {
        try store.transaction { state in
            try state.deleteEverything()
            let now = clock.now
            for instance in fixtures { try state.put(instance, at: now) }
            return fixtures.count
        }
    }

    static func loadFixtures(from directory: String?, accounts: Set<String>) throws -> [InstanceRecord] {
        let (bytes, source) = try fixtureFile("instances.json", in: directory, bundled: BundledFixtures.instancesJSON)
        do {
            return try InstanceFixture.decodeFile(bytes, source: source, accounts: accounts)
        } catch {
            throw EmulatorStartError(description: error.description)
        }
    }

    /// `accounts.json` of the fixtures folder; the bundled keys when the folder has none.
    static func loadAccessKeys(from directory: String?) throws -> [AccessKey] {
        let folderHasKeys = directory.map { FileManager.default.fileExists(atPath: path($0, "accounts.json")) }
        let (bytes, source) = try fixtureFile(
            "accounts.json", in: folderHasKeys == true ? directory : nil, bundled: BundledFixtures.accountsJSON)
        do {
            return try AccessKeyFixture.decodeFile(bytes, source: source)
        } catch {
            throw EmulatorStartError(description: error.description)
        }
    }

    private static func fixtureFile(_ name: String, in directory: String?, bundled: String) throws
        -> (bytes: [UInt8], source: String)
    {
        guard let directory else { return (Array(bundled.utf8), "bundled \(name)") }
        let file = path(directory, name)
        guard let data = FileManager.default.contents(atPath: file) else {
            var isFolder = false
            _ = FileManager.default.fileExists(atPath: directory, isDirectory: &isFolder)
            throw EmulatorStartError(
                description: "fixtures folder \(directory): \(isFolder ? "no readable \(name) in it" : "no such folder")")
        }
        return (Array(data), file)
    }

    /// `name` in `directory`, joined as a path.
    private static func path(_ directory: String, _ name: String) -> String {
        directory.isEmpty || directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
