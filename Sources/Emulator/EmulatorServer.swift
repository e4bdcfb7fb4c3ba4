import AlibabaRPC
import EmulatorTransport
import Logging

/// The emulator behind an HTTP server: what the executable runs, and what tests start in-process
/// on an ephemeral port.
public final class EmulatorServer: @unchecked Sendable {
    // @unchecked: `server` is started and stopped by its owner; everything else is Sendable.
    public let emulator: Emulator
    private let server: HTTPServer

    public init(
        configuration: EmulatorConfiguration, clock: any EmulatorClock = SystemClock(),
        logger: Logger = Logger(label: "aliyun-db-emulator")
    ) throws {
        let emulator = try Emulator(configuration: configuration, clock: clock, logger: logger)
        self.emulator = emulator
        do {
            server = try HTTPServer(
                host: configuration.host, port: configuration.port, workers: configuration.workers,
                limits: HTTPServer.Limits(maxConnections: configuration.maxConnections, bodyLimit: configuration.transportBodyLimit),
                batching: HTTPServer.Batching(run: { emulator.runBatch(&$0, $1) }, replacement: { emulator.notSaved($0) }),
                malformed: { emulator.refusal($0) }, warn: { [logger] in logger.warning("\($0)") }
            ) { emulator.reply(to: $0) }
        } catch {
            throw EmulatorStartError(description: "\(error)")
        }
        emulator.boundPort = server.port
    }

    /// The address clients use, e.g. `http://127.0.0.1:8080`.
    public var baseURL: String {
        let host = server.host.contains(":") ? "[\(server.host)]" : server.host
        return "http://\(host):\(server.port)"
    }

    public var port: Int { server.port }

    /// Serves on the calling thread until SIGTERM or SIGINT. `ready` runs once the signals are
    /// handled and the port accepts connections (the executable prints its listening line there).
    public func run(ready: () -> Void = {}) {
        server.stopOnTerminationSignals()
        ready()
        server.run()
    }

    /// Serves on a thread of its own until `stop()`.
    public func start() {
        server.start()
    }

    public func stop() {
        server.stopAndWait()
    }
}
