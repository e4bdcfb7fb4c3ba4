import AlibabaRPC
import ArgumentParser
import Emulator
import EmulatorTLS
import EmulatorTransport
import FoundationEssentials
import Glibc
import Logging
import RDSService

@main
struct AliyunDBEmulator: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aliyun-db-emulator",
        abstract: "A local emulator of Alibaba Cloud's ApsaraDB RDS and MongoDB OpenAPIs.",
        discussion: """
            Every option has an environment twin, ALIYUN_EMULATOR_<OPTION> (e.g. ALIYUN_EMULATOR_PORT); \
            an option given on the command line wins over its variable.
            """,
        version: EmulatorVersion.current,
        subcommands: [Serve.self, Healthcheck.self, PrintCA.self],
        defaultSubcommand: Serve.self)

    /// Like ArgumentParser's own `main`, but every failure is one line on standard error.
    static func main() {
        // `serve` is the default, so the root's help documents its options as well.
        if ["--help", "-h", "help"].contains(CommandLine.arguments.dropFirst().first ?? ""), CommandLine.arguments.count == 2 {
            print(helpMessage())
            print("\nOPTIONS OF serve (the default subcommand):")
            let serveHelp = Serve.helpMessage()
            print(serveHelp.ranges(of: "OPTIONS:").last.map { serveHelp[$0.upperBound...] } ?? serveHelp[...])
            return
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }  // --help, --version
            if let code = error as? ExitCode { Glibc.exit(code.rawValue) }  // already explained
            let message = error is EmulatorStartError || error is SettingError ? "\(error)" : Self.message(for: error)
            let line = message.split(whereSeparator: \.isNewline).joined(separator: " ")
            StandardError.write("aliyun-db-emulator: \(line)\n")
            Glibc.exit(
                error is EmulatorStartError ? 1 : error is SettingError ? ExitCode.validationFailure.rawValue
                    : exitCode(for: error).rawValue)
        }
    }
}

/// Runs the emulator (the default subcommand).
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the emulator (the default).")

    @Option(help: help("The address to listen on (0.0.0.0 in a container).", "127.0.0.1", "HOST"))
    var host: String?

    @Option(help: help("The port to listen on; 0 picks a free one.", "8080", "PORT"))
    var port: String?

    @Option(help: help("Threads that serve requests.", "one per processor, at most 4", "WORKERS"))
    var workers: String?

    @Option(help: help("Open connections at most; past it, new ones wait until one closes.", "the descriptor limit less 64, at most 1024", "MAX_CONNECTIONS"))
    var maxConnections: String?

    @Option(help: help("':memory:', or a SQLite file that keeps state across restarts.", ":memory:", "STATE"))
    var state: String?

    @Option(help: help("A folder holding instances.json, and optionally accounts.json.", "the bundled fixtures", "FIXTURES"))
    var fixtures: String?

    @Option(help: help("strict: check every request's signature, time and nonce; off: check nothing.", "strict", "SIGNATURE"))
    var signature: String?

    @Option(help: help("current (20 backups a day, BackupJobId) or legacy (10, RequestId only).", "current", "RDS_PROFILE"))
    var rdsProfile: String?

    @Option(help: help("Seconds a backup task stays in progress; 0 finishes it at once.", "5", "BACKUP_DURATION"))
    var backupDuration: String?

    @Option(help: help("Seconds a new or cloned instance stays Creating; 0 makes it Running at once.", "10", "INSTANCE_CREATE_DURATION"))
    var instanceCreateDuration: String?

    @Option(help: help("Seconds a restarted instance stays Rebooting; 0 makes it Running at once.", "5", "INSTANCE_RESTART_DURATION"))
    var instanceRestartDuration: String?

    @Option(help: help("Seconds a deleted instance stays Deleting before it is gone; 0 removes it at once.", "5", "INSTANCE_DELETE_DURATION"))
    var instanceDeleteDuration: String?

    @Option(help: help("Accepted RDS backups per instance per UTC day.", "20, or 10 with the legacy profile", "RDS_DAILY_QUOTA"))
    var rdsDailyQuota: String?

    @Option(help: help("Accepted MongoDB backups per instance per UTC day.", "20", "MONGODB_DAILY_QUOTA"))
    var mongodbDailyQuota: String?

    @Option(
        help: help(
            "Signature nonces remembered at most (15 to 30 minutes each); past it, signed requests get Throttling.User.",
            "2000000", "NONCE_CAPACITY"))
    var nonceCapacity: String?

    @Option(help: help("trace, debug, info (one line per request), notice, warning, error or critical.", "info", "LOG_LEVEL"))
    var logLevel: String?

    @Option(help: help("text or json (one object per line).", "text", "LOG_FORMAT"))
    var logFormat: String?

    @Option(help: help("Protect the control API: clients send Authorization: Bearer <token>.", "none", "CONTROL_TOKEN"))
    var controlToken: String?

    @Option(help: help("Requests the journal (GET /_emulator/requests) keeps, oldest dropped first; 0 turns it off.", "10000", "JOURNAL_SIZE"))
    var journalSize: String?

    @Option(help: help("Also serve the API over TLS (1.2, 1.3) on this port; 0 picks a free one.", "off", "HTTPS_PORT"))
    var httpsPort: String?

    @Option(help: help("The HTTPS port's certificate chain (PEM), with --tls-key.", "one signed by the emulator's own authority", "TLS_CERT"))
    var tlsCert: String?

    @Option(help: help("The private key (PEM) of --tls-cert.", "none", "TLS_KEY"))
    var tlsKey: String?

    @Option(
        help: help(
            "Where the emulator's certificate authority and server certificate are kept.",
            "aliyun-db-emulator-tls beside a --state file, else $XDG_DATA_HOME/aliyun-db-emulator/tls or ~/.local/share/aliyun-db-emulator/tls",
            "TLS_DIR"))
    var tlsDir: String?

    static func help(_ text: String, _ fallback: String, _ variable: String) -> ArgumentHelp {
        ArgumentHelp("\(text) (default: \(fallback); env: ALIYUN_EMULATOR_\(variable))")
    }

    func run() throws {
        // A parent may have blocked SIGTERM/SIGINT (test runners do); the server handles them itself.
        var signals = sigset_t()
        sigemptyset(&signals)
        pthread_sigmask(SIG_SETMASK, &signals, nil)

        let settings = Settings(
            given: [
                "host": host, "port": port, "workers": workers, "max-connections": maxConnections, "state": state, "fixtures": fixtures, "signature": signature,
                "rds-profile": rdsProfile, "backup-duration": backupDuration, "rds-daily-quota": rdsDailyQuota,
                "mongodb-daily-quota": mongodbDailyQuota, "nonce-capacity": nonceCapacity,
                "instance-create-duration": instanceCreateDuration, "instance-restart-duration": instanceRestartDuration,
                "instance-delete-duration": instanceDeleteDuration, "log-level": logLevel, "log-format": logFormat,
                "control-token": controlToken, "journal-size": journalSize, "https-port": httpsPort, "tls-cert": tlsCert,
                "tls-key": tlsKey, "tls-dir": tlsDir,
            ], environment: ProcessInfo.processInfo.environment)
        let configuration = try settings.configuration()
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        let format = configuration.logFormat
        LoggingSystem.bootstrap { _ in EmulatorLogHandler(level: level, format: format) }
        let logger = Logger(label: "aliyun-db-emulator")

        let server = try EmulatorServer(configuration: configuration, logger: logger)
        server.run {
            // The first line stays as it is (scripts read the port from it); the HTTPS address follows on its own.
            print("aliyun-db-emulator listening on \(server.baseURL)")
            if let https = server.httpsURL { print("aliyun-db-emulator listening on \(https)") }
            fflush(nil)
            logger.notice(
                "started",
                metadata: [
                    "version": "\(EmulatorVersion.current)", "listen": "\(server.baseURL)",
                    "state": "\(configuration.statePath)", "fixtures": "\(configuration.fixturesDirectory ?? "bundled")",
                    "signature": "\(configuration.signatureMode.rawValue)",
                ].merging(server.httpsURL.map { ["https": "\($0)"] } ?? [:]) { $1 })
            if configuration.controlToken == nil && !configuration.listensOnLoopbackOnly {
                logger.warning(
                    "the control API is open to anyone who can reach \(server.baseURL); set --control-token (ALIYUN_EMULATOR_CONTROL_TOKEN) to protect it")
            }
        }
        logger.notice("stopped")
    }
}

/// Prints the emulator's certificate authority (PEM), making it when there is none, so that users can trust it:
/// `aliyun-db-emulator ca > ca.pem`.
struct PrintCA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ca",
        abstract: "Print the certificate authority that signs the HTTPS port's certificate (PEM), making it if needed.")

    @Option(help: Serve.help("Where the authority is kept.", "as for serve", "TLS_DIR"))
    var tlsDir: String?

    @Option(help: Serve.help("The state file, beside which the authority is kept by default.", ":memory:", "STATE"))
    var state: String?

    func run() throws {
        let settings = Settings(given: ["tls-dir": tlsDir, "state": state], environment: ProcessInfo.processInfo.environment)
        let statePath = try settings.configuration().statePath
        guard let directory = try settings.tlsDirectory(statePath: statePath) else {
            throw SettingError(description: "no folder for the certificate authority: set --tls-dir (ALIYUN_EMULATOR_TLS_DIR)")
        }
        do {
            print(try CertificateAuthority.open(in: directory).certificatePEM, terminator: "")
        } catch {
            StandardError.write("aliyun-db-emulator ca: \(error)\n")
            throw ExitCode.failure
        }
    }
}

/// Exits 0 when the emulator answers its health endpoint, 1 otherwise: a container health check that
/// needs no curl.
struct Healthcheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Exit 0 if the emulator answers GET /_emulator/health with 200, 1 otherwise.")

    @Option(help: "The health URL (default: http://127.0.0.1:<ALIYUN_EMULATOR_PORT or 8080>/_emulator/health).")
    var url: String?

    func run() throws {
        let port = ProcessInfo.processInfo.environment["ALIYUN_EMULATOR_PORT"].flatMap(Int.init) ?? 8080
        let target = url ?? "http://127.0.0.1:\(port)/_emulator/health"
        guard let (host, port, path) = Self.split(target) else {
            throw SettingError(description: "--url: \"\(target)\" is not an http://host:port/path URL")
        }
        let status = HTTPProbe.status(host: host, port: port, path: path)
        guard status == 200 else {
            StandardError.write(
                "aliyun-db-emulator healthcheck: \(target): \(status.map { "HTTP \($0)" } ?? "no answer")\n")
            throw ExitCode.failure
        }
    }

    static func split(_ url: String) -> (host: String, port: Int, path: String)? {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        var host = String(authority)
        var port = 80
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let number = Int(authority[authority.index(after: colon)...]) else { return nil }
            host = String(authority[..<colon])
            port = number
        }
        // An IPv6 address in brackets: the address without them.
        let isBracket = { (character: Character) in character == "[" || character == "]" }
        host = String(host.drop(while: isBracket).reversed().drop(while: isBracket).reversed())
        guard !host.isEmpty else { return nil }
        return (host, port, path.isEmpty ? "/" : String(path))
    }
}
