import AlibabaRPC
import ArgumentParser
import Emulator
import RDSService

#if canImport(Glibc)
import Glibc
#endif

extension RDSProfile: ExpressibleByArgument {}
extension SignatureMode: ExpressibleByArgument {}

@main
struct AliyunDBEmulator: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "aliyun-db-emulator",
        abstract: "A local emulator of Alibaba Cloud's ApsaraDB RDS and MongoDB OpenAPIs.",
        version: version)

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on; 0 picks a free one.")
    var port = 8080

    @Option(help: "Where state lives: ':memory:', or a SQLite file that keeps it across restarts.")
    var state = ":memory:"

    @Option(help: "A folder holding instances.json, and optionally accounts.json (default: the fixtures built into the binary).")
    var fixtures: String?

    @Option(help: "strict: check every request's signature (V1 or V3), time and nonce; off: check nothing, but still map a known access key to its account.")
    var signature: SignatureMode = .strict

    @Option(help: "Which RDS documentation to follow: current (20 backups a day, BackupJobId) or legacy (10, RequestId only).")
    var rdsProfile: RDSProfile = .current

    @Option(help: "Seconds a backup task stays in progress; 0 finishes it at once.")
    var backupDuration: Double = 5

    @Option(help: "Accepted RDS backups per instance per UTC day (default: 20, or 10 with the legacy profile).")
    var rdsDailyQuota: Int?

    @Option(help: "Accepted MongoDB backups per instance per UTC day (default: 20).")
    var mongodbDailyQuota: Int?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535, not \(port)") }
        guard backupDuration.isFinite, backupDuration >= 0, backupDuration <= 31_536_000 else {
            throw ValidationError("--backup-duration must be a number of seconds from 0 to 31536000")
        }
        if let quota = rdsDailyQuota, quota < 0 {
            throw ValidationError("--rds-daily-quota must be 0 or more, not \(quota)")
        }
        if let quota = mongodbDailyQuota, quota < 0 {
            throw ValidationError("--mongodb-daily-quota must be 0 or more, not \(quota)")
        }
        guard !state.isEmpty else { throw ValidationError("--state must be ':memory:' or a file path") }
    }

    func run() throws {
        // A parent may have blocked SIGTERM/SIGINT (test runners do); the server handles them itself.
        var signals = sigset_t()
        sigemptyset(&signals)
        pthread_sigmask(SIG_SETMASK, &signals, nil)

        var configuration = EmulatorConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.statePath = state
        configuration.fixturesDirectory = fixtures
        configuration.signatureMode = signature
        configuration.rdsProfile = rdsProfile
        configuration.backupDuration = backupDuration
        configuration.rdsDailyQuota = rdsDailyQuota
        configuration.mongodbDailyQuota = mongodbDailyQuota

        let server = try EmulatorServer(configuration: configuration)
        server.run {
            print("aliyun-db-emulator listening on \(server.baseURL)")
            fflush(nil)
        }
    }

    /// Like ArgumentParser's own `main`, but every failure is one line on standard error.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }  // --help, --version
            let message = error is EmulatorStartError ? "\(error)" : Self.message(for: error)
            let line = message.split(whereSeparator: \.isNewline).joined(separator: " ")
            let bytes = Array("aliyun-db-emulator: \(line)\n".utf8)
            _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
            Glibc.exit(error is EmulatorStartError ? 1 : exitCode(for: error).rawValue)
        }
    }
}
