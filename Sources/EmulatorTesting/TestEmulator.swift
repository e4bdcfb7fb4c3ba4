import Emulator
import Logging
import Synchronization

/// An emulator serving in this process on an ephemeral port of its configured host, for tests.
///
/// Start one with a configuration value, point clients at `baseURL` (or `endpoint`, the `host:port` that the
/// Alibaba Cloud SDKs take), and stop it when done. `configuration.port` is not used: each emulator gets a free
/// port from the system, so tests may run side by side. Works the same from XCTest and Swift Testing; prefer
/// `withTestEmulator`, which always stops it.
///
/// ```swift
/// var configuration = EmulatorConfiguration()
/// configuration.signatureMode = .off
/// try withTestEmulator(configuration) { emulator in
///     // send requests to emulator.baseURL
/// }
/// ```
public final class TestEmulator: Sendable {
    /// What the emulator runs with, its port included.
    public let configuration: EmulatorConfiguration
    /// The address clients use, e.g. `http://127.0.0.1:41234`.
    public let baseURL: String
    /// The port it listens on.
    public let port: Int
    /// Nil once stopped: releasing the server closes its listening sockets and frees its state.
    private let server: Mutex<EmulatorServer?>

    /// Starts an emulator. Logs go to standard error at `configuration.logLevel`, in `configuration.logFormat`.
    public init(_ configuration: EmulatorConfiguration = EmulatorConfiguration()) throws {
        var configuration = configuration
        configuration.port = 0
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        let format = configuration.logFormat
        let logger = Logger(label: "aliyun-db-emulator") { _ in EmulatorLogHandler(level: level, format: format) }
        let server = try EmulatorServer(configuration: configuration, logger: logger)
        port = server.port
        baseURL = server.baseURL
        configuration.port = port
        self.configuration = configuration
        self.server = Mutex(server)
        server.start()
    }

    /// `host:port`, as an SDK's endpoint setting takes it (with the SDK told to use plain HTTP).
    public var endpoint: String { String(baseURL.dropFirst("http://".count)) }

    /// Stops serving, waits for the server's threads to end and closes its port. Calling it again does nothing.
    public func stop() {
        let running = server.withLock { server in
            defer { server = nil }
            return server
        }
        running?.stop()
    }

    deinit { stop() }
}

/// Runs `body` with an emulator started for it, and stops the emulator when `body` returns or throws.
public func withTestEmulator<Result>(
    _ configuration: EmulatorConfiguration = EmulatorConfiguration(), _ body: (TestEmulator) throws -> Result
) throws -> Result {
    let emulator = try TestEmulator(configuration)
    defer { emulator.stop() }
    return try body(emulator)
}

/// Runs `body` with an emulator started for it, and stops the emulator when `body` returns or throws.
public func withTestEmulator<Result>(
    _ configuration: EmulatorConfiguration = EmulatorConfiguration(), isolation: isolated (any Actor)? = #isolation,
    _ body: (TestEmulator) async throws -> Result
) async throws -> Result {
    let emulator = try TestEmulator(configuration)
    defer { emulator.stop() }
    return try await body(emulator)
}
