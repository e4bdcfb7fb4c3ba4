import AlibabaRPC
import EmulatorStore
import RDSService
#if canImport(Glibc)
import Glibc
#endif

/// Everything the emulator is started with. A plain value, built by the command line (or by a
/// test) and passed in at the top; nothing below reads flags or the environment.
public struct EmulatorConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// Threads serving requests, each with its own loop and its own share of the connections.
    public var workers: Int = EmulatorConfiguration.defaultWorkers
    /// One per processor, at most 4: past that the store's lock, not the threads, sets the pace.
    public static let defaultWorkers = min(4, max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    /// `:memory:` for state that lives as long as the process; a file path for durable state.
    public var statePath: String = ":memory:"
    /// `strict` checks every request's signature, time and nonce; `off` checks nothing.
    public var signatureMode: SignatureMode = .strict
    /// A folder holding `instances.json` (and optionally `accounts.json`); nil for the fixtures built
    /// into the binary.
    public var fixturesDirectory: String?
    public var rdsProfile: RDSProfile = .current
    /// Seconds a backup task stays in progress; 0 finishes it at once.
    public var backupDuration: Double = 5
    /// Seconds an instance stays `Creating`, `Rebooting` and `Deleting`; 0 ends the phase at once.
    public var instanceDurations = InstancePhaseSeconds()
    /// Accepted RDS backups per instance per UTC day; nil for the profile's (20 current, 10 legacy).
    public var rdsDailyQuota: Int?
    /// Accepted MongoDB backups per instance per UTC day; nil for the default (20).
    public var mongodbDailyQuota: Int?

    /// Signature nonces remembered at most (each for 15 to 30 minutes); past it, signed requests are refused with
    /// `Throttling.User` until older nonces expire.
    public var nonceCapacity: Int = NonceLedger.defaultCapacity

    /// swift-log's level names: trace, debug, info, notice, warning, error, critical.
    public var logLevel: String = "info"
    public var logFormat: LogFormat = .text
    /// When set, the control API (but its health endpoint) wants `Authorization: Bearer <token>`.
    public var controlToken: String?
    /// Requests the request journal keeps (`GET /_emulator/requests`), the oldest dropped first; 0 keeps none.
    public var journalSize: Int = 10_000
    /// An entry takes about a kilobyte: a million is about a gigabyte, past what a test or a demo needs.
    public static let largestJournal = 1_000_000

    /// Open connections at most; past it, new ones wait in the listen backlog until one closes.
    public var maxConnections: Int = EmulatorConfiguration.defaultMaxConnections

    /// A second port serving the same API over TLS; nil for none.
    public var httpsPort: Int?
    /// The user's certificate chain and key (PEM files) for the HTTPS port; nil for a certificate signed by the
    /// emulator's own authority, kept in `tlsDirectory`.
    public var tlsCertificateFile: String?
    public var tlsKeyFile: String?
    /// Where the emulator's certificate authority is kept (see `TLSDirectory.default`).
    public var tlsDirectory: String?
    /// Descriptors kept free of connections: the state file, its journal, logs, and the health check's own.
    public static let reservedDescriptors = 64
    /// The descriptor limit (the soft one) less the reserve; never more than 1,024: a test suite or a demo opens
    /// far fewer, and each connection can hold a request body of up to 2 MiB while it arrives, so the default
    /// bounds that memory at about 2 GiB.
    public static var defaultMaxConnections: Int { min(1_024, connectionCeiling) }
    /// The most connections the process's descriptor limit allows, the reserve kept.
    public static var connectionCeiling: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1 << 20 }
        // No limit (RLIM_INFINITY, all ones) clamps to Int.max.
        return max(1, Int(clamping: limit.rlim_cur) - reservedDescriptors)
    }

    public init() {}

    /// Whether the host is a loopback address, where an unprotected control API is harmless.
    public var listensOnLoopbackOnly: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    var backupDurationMilliseconds: Int64 { Int64((backupDuration * 1000).rounded()) }

    /// The transport refuses bodies past this as they arrive: above the gateway's and the control API's
    /// limits, so that those, which know the request, answer bodies up to it.
    /// evhttp holds a body whole before handing it over, so this also bounds what one connection can hold.
    var transportBodyLimit: Int { 2 << 20 }
}

/// How long each phase of an instance's lifecycle lasts, in seconds (the command line's units).
public struct InstancePhaseSeconds: Sendable {
    public var create: Double = 10
    public var restart: Double = 5
    public var delete: Double = 5

    public init() {}

    var milliseconds: InstanceDurations {
        func ms(_ seconds: Double) -> Int64 { Int64((seconds * 1000).rounded()) }
        return InstanceDurations(create: ms(create), restart: ms(restart), delete: ms(delete))
    }
}
