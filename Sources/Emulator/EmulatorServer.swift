import AlibabaRPC
import EmulatorTLS
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
        var tls: HTTPServer.TLSListener?
        var tlsFiles: TLSFiles?
        if let httpsPort = configuration.httpsPort {
            let files = try Self.tlsFiles(configuration, logger: logger)
            tls = HTTPServer.TLSListener(port: httpsPort, certificateChain: files.certificateChain, privateKey: files.privateKey)
            tlsFiles = files
        }
        do {
            server = try HTTPServer(
                host: configuration.host, port: configuration.port, workers: configuration.workers,
                limits: HTTPServer.Limits(maxConnections: configuration.maxConnections, bodyLimit: configuration.transportBodyLimit),
                batching: HTTPServer.Batching(run: { emulator.runBatch(&$0, $1) }, replacement: { emulator.notSaved($0) }),
                tls: tls,
                malformed: { emulator.refusal($0) }, warn: { [logger] in logger.warning("\($0)") }
            ) { emulator.reply(to: $0) }
        } catch {
            throw EmulatorStartError(description: "\(error)")
        }
        emulator.boundPort = server.port
        if let port = server.tlsPort, let tlsFiles { emulator.https = (port, tlsFiles) }
    }

    /// The user's files, checked, or the server certificate of the emulator's authority (made or renewed as needed).
    private static func tlsFiles(_ configuration: EmulatorConfiguration, logger: Logger) throws -> TLSFiles {
        do {
            if let certificate = configuration.tlsCertificateFile, let key = configuration.tlsKeyFile {
                return try UserCertificate.check(certificate: certificate, key: key)
            }
            guard let directory = configuration.tlsDirectory else {
                throw TLSError("no folder for the certificate authority: set --tls-dir (ALIYUN_EMULATOR_TLS_DIR)")
            }
            let authority = try CertificateAuthority.open(in: directory)
            let (files, renewed) = try authority.serverFiles()
            if renewed { logger.notice("made the HTTPS certificate", metadata: ["file": "\(files.certificateChain)"]) }
            return files
        } catch {
            throw EmulatorStartError(description: "cannot serve HTTPS: \(error)")
        }
    }

    /// The address clients use, e.g. `http://127.0.0.1:8080`.
    public var baseURL: String {
        let host = server.host.contains(":") ? "[\(server.host)]" : server.host
        return "http://\(host):\(server.port)"
    }

    public var port: Int { server.port }

    /// The HTTPS address, e.g. `https://127.0.0.1:8443`, when the HTTPS port is open.
    public var httpsURL: String? {
        server.tlsPort.map { "https://\(server.host.contains(":") ? "[\(server.host)]" : server.host):\($0)" }
    }

    public var httpsPort: Int? { server.tlsPort }

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
