internal import CLibevent
internal import CMimalloc
#if canImport(Glibc)
import Glibc
#endif

public struct HTTPServerError: Error, CustomStringConvertible {
    public let description: String
}

/// What a handler gives back for a request.
public enum HTTPReply: Sendable {
    /// The reply, sent at once.
    case ready(HTTPResponse)
    /// Work run at the end of the loop's turn with the turn's other deferred work (inside `Batching.run`);
    /// what it returns finishes the reply after the batch, outside it (rendering needs no lock).
    case deferred(@Sendable () -> Finish)

    public typealias Finish = @Sendable () -> HTTPResponse
}

/// An HTTP/1.1 server on one or more libevent loops ("workers"), each on a thread of its own, each
/// accepting connections on the same port (`SO_REUSEPORT`: the kernel spreads connections across them).
/// The handler runs on the worker's thread; with several workers, on several threads at once.
///
/// A handler answers at once, or defers the part of its work that must take turns with other threads.
/// With `batching`, a worker collects the deferred work of the requests it read in one turn of its loop
/// and runs it all through `batching.run` (the emulator takes the store's lock once, runs it, and commits),
/// and only then sends those replies: one lock and one commit serve every request of the turn, and no
/// reply goes out before what it reports is durable.
///
/// Concurrency invariant (why `@unchecked Sendable`): each worker's base, HTTP server and pending replies
/// are used only by that worker's thread; other threads reach a worker only through `event_base_once`,
/// which is thread-safe once `evthread_use_pthreads()` has run.
public final class HTTPServer: @unchecked Sendable {
    public typealias Handler = @Sendable (HTTPRequest) -> HTTPReply

    /// What a worker does at the end of each turn of its loop that deferred work.
    public struct Batching: Sendable {
        /// Runs `work` (the turn's deferred work) and makes its effects durable; false when they could
        /// not be made durable: the deferred replies are then replaced by `replacement(request)`. The
        /// first argument is the worker's own mark, which `run` keeps to tell what happened since the
        /// worker's previous turn.
        public var run: @Sendable (_ mark: inout Int, _ work: () -> Void) -> Bool
        public var replacement: @Sendable (HTTPRequest) -> HTTPResponse

        public init(
            run: @escaping @Sendable (_ mark: inout Int, _ work: () -> Void) -> Bool,
            replacement: @escaping @Sendable (HTTPRequest) -> HTTPResponse
        ) {
            self.run = run
            self.replacement = replacement
        }
    }

    /// Bounds on what clients can make the server hold, and for how long.
    public struct Limits: Sendable {
        /// Open connections, across all workers. At the limit the server stops accepting until one closes
        /// (new connections wait in the listen backlog), so descriptors never run out for want of a bound.
        public var maxConnections: Int
        /// Bodies larger than this are refused with 413 as they arrive; keep it above the limit the handler
        /// enforces so that the handler, which knows the request, writes that reply.
        public var bodyLimit: Int
        /// The request line and header fields together.
        public var headerLimit: Int
        /// Seconds a request may take to arrive whole, from its first byte (a client sending a byte a second
        /// gets a 408 and the connection is closed).
        public var requestDeadline: Int
        /// Seconds a connection may stay idle between requests.
        public var idleTimeout: Int

        public init(
            maxConnections: Int = 1024, bodyLimit: Int = 16 << 20, headerLimit: Int = 64 << 10,
            requestDeadline: Int = 10, idleTimeout: Int = 120
        ) {
            self.maxConnections = maxConnections
            self.bodyLimit = bodyLimit
            self.headerLimit = headerLimit
            self.requestDeadline = requestDeadline
            self.idleTimeout = idleTimeout
        }
    }

    /// A second port that serves the same handler over TLS (1.2 and 1.3), with workers of its own.
    public struct TLSListener: Sendable {
        public var port: Int
        /// PEM files: the server's certificate followed by any that chain it to an authority, and its key.
        public var certificateChain: String
        public var privateKey: String

        public init(port: Int, certificateChain: String, privateKey: String) {
            self.port = port
            self.certificateChain = certificateChain
            self.privateKey = privateKey
        }
    }

    /// Writes the reply to a request the transport refused before any handler saw it.
    public typealias MalformedRenderer = @Sendable (MalformedRequest) -> HTTPResponse

    public let host: String
    /// The bound port (the real one when 0 was asked for).
    public let port: Int
    /// The bound TLS port, when there is one.
    public let tlsPort: Int?
    /// The plain port's workers first (the first one handles signals), then the TLS port's.
    private let workers: [Worker]
    private var signalEvents: [OpaquePointer] = []
    private var threads: [pthread_t] = []
    private var shuttingDown = false

    /// Binds at once, so that a busy port fails here rather than inside the loop.
    /// - Parameters:
    ///   - malformed: the reply to a request refused before the handler (bad syntax, a limit, a deadline).
    ///   - warn: where the transport reports trouble it works around (e.g. descriptors running out).
    ///   - tls: a TLS port beside the plain one, on the same host, with as many workers; the connection limit
    ///     counts both ports' connections.
    public init(
        host: String, port: Int, workers count: Int = 1, limits: Limits = Limits(), batching: Batching? = nil,
        tls: TLSListener? = nil, malformed: @escaping MalformedRenderer = MalformedRequest.plainReply,
        warn: @escaping @Sendable (String) -> Void = { _ in }, handler: @escaping Handler
    ) throws {
        // A client that hangs up mid-reply must not kill the process.
        signal(SIGPIPE, SIG_IGN)
        guard libeventThreadingReady else { throw HTTPServerError(description: "cannot set up libevent for threads") }
        guard port >= 0, port <= 65535 else { throw HTTPServerError(description: "cannot listen on \(host):\(port): no such port") }
        if let tls, !(0...65535).contains(tls.port) {
            throw HTTPServerError(description: "cannot listen on \(host):\(tls.port): no such port")
        }
        // Loaded before any socket is bound: a bad file fails start-up with OpenSSL's reason.
        let context = try tls.map { try TLSContext(certificateChain: $0.certificateChain, privateKey: $0.privateKey) }
        let sockets = try ListeningSockets.open(host: host, port: port, count: max(1, count))
        let secureSockets: ListeningSockets?
        do {
            secureSockets = try tls.map { try ListeningSockets.open(host: host, port: $0.port, count: max(1, count)) }
        } catch {
            sockets.descriptors.forEach { _ = close($0) }
            throw error
        }
        let gate = ConnectionGate(limit: limits.maxConnections, warn: warn)
        let descriptors = sockets.descriptors.map { ($0, nil as TLSContext?) } + (secureSockets?.descriptors ?? []).map { ($0, context) }
        var workers: [Worker] = []
        for (index, (socket, context)) in descriptors.enumerated() {
            do {
                workers.append(
                    try Worker(
                        socket: socket, tls: context, limits: limits, gate: gate, batching: batching, malformed: malformed,
                        handler: handler))
            } catch {
                descriptors[(index + 1)...].forEach { _ = close($0.0) }
                throw error
            }
        }
        self.host = host
        self.port = sockets.port
        self.tlsPort = secureSockets?.port
        self.workers = workers
    }

    deinit {
        for event in signalEvents { event_free(event) }
    }

    /// How long a graceful shutdown lets requests in flight finish and replies drain.
    static let shutdownGrace = timeval(tv_sec: 0, tv_usec: 250_000)

    /// Makes SIGTERM and SIGINT shut the server down gracefully: it stops accepting connections,
    /// lets requests in flight finish for `shutdownGrace`, and `run()` returns. A second signal
    /// exits the process at once (status 128 + the signal). Call it before announcing readiness, so
    /// that a signal sent right after the announcement is handled rather than killing the process.
    public func stopOnTerminationSignals() {
        guard signalEvents.isEmpty else { return }
        for signal in [SIGTERM, SIGINT] {
            guard
                let event = event_new(
                    workers[0].base, signal, Int16(EV_SIGNAL | EV_PERSIST),
                    { signal, _, context in
                        Unmanaged<HTTPServer>.fromOpaque(context!).takeUnretainedValue().terminate(by: signal)
                    },
                    Unmanaged.passUnretained(self).toOpaque())
            else { continue }
            event_add(event, nil)
            signalEvents.append(event)
        }
    }

    /// On the first worker's thread (signal events live on its loop).
    private func terminate(by signal: Int32) {
        guard !shuttingDown else { _exit(128 + signal) }
        shuttingDown = true
        for worker in workers { worker.schedule { $0.closeGracefully() } }
    }

    /// Runs the loops until `stop()` (or a signal, see `stopOnTerminationSignals`): the first on the
    /// calling thread, the others on threads of their own, which have ended when it returns.
    public func run() {
        let others = workers.dropFirst().map(Self.spawn)
        workers[0].loop()
        others.forEach { pthread_join($0, nil) }
    }

    /// Runs every loop on a thread of its own (tests, embedding).
    public func start() {
        threads = workers.map(Self.spawn)
    }

    private static func spawn(_ worker: Worker) -> pthread_t {
        var thread = pthread_t()
        pthread_create(
            &thread, nil,
            { context in
                Unmanaged<Worker>.fromOpaque(context!).takeRetainedValue().loop()
                return nil
            }, Unmanaged.passRetained(worker).toOpaque())
        return thread
    }

    /// Asks every loop to stop; safe from any thread, even before the loops have started.
    public func stop() {
        for worker in workers { worker.schedule { $0.breakLoop() } }
    }

    /// Stops loops started with `start()` and waits for their threads to end.
    public func stopAndWait() {
        stop()
        threads.forEach { pthread_join($0, nil) }
        threads = []
    }

    /// Open connections, across all workers.
    public var openConnections: Int { workers.first?.gate.open ?? 0 }
}

/// libevent must know about pthreads before the first event base exists, so that other threads can
/// schedule work on a loop. A global `let` runs this exactly once; `HTTPServer.init` checks its outcome.
///
/// Its allocations (evhttp makes and frees about thirty blocks a request: each header's entry, name and value) go
/// to mimalloc's functions, set first, as libevent requires, before it has allocated anything. libevent reports
/// nothing from `event_set_mem_functions`.
let libeventThreadingReady: Bool = {
    event_set_mem_functions({ mi_malloc($0) }, { mi_realloc($0, $1) }, { mi_free($0) })
    return evthread_use_pthreads() == 0
}()

extension HTTPServer {
    static func headers(_ list: UnsafeMutablePointer<evkeyvalq>?) -> HTTPHeaders {
        var count = 0
        var length = 0
        var entry = list?.pointee.tqh_first
        while let field = entry {
            count += 1
            length += strlen(field.pointee.key) + strlen(field.pointee.value)
            entry = field.pointee.next.tqe_next
        }
        // Sized once: a V3 request's ten fields would otherwise grow both buffers several times.
        var headers = HTTPHeaders()
        headers.reserveCapacity(fields: count, bytes: length)
        entry = list?.pointee.tqh_first
        while let field = entry {
            headers.append(name: bytes(field.pointee.key), value: bytes(field.pointee.value))
            entry = field.pointee.next.tqe_next
        }
        return headers
    }

    private static func bytes(_ text: UnsafeMutablePointer<CChar>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self), count: strlen(text))
    }

    static func drain(_ buffer: OpaquePointer?) -> [UInt8] {
        guard let buffer else { return [] }
        let length = evbuffer_get_length(buffer)
        guard length > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: length) { storage, count in
            count = max(0, Int(evbuffer_remove(buffer, storage.baseAddress, length)))
        }
    }

    static func methodName(_ command: evhttp_cmd_type) -> String {
        switch command {
        case EVHTTP_REQ_GET: "GET"
        case EVHTTP_REQ_POST: "POST"
        case EVHTTP_REQ_HEAD: "HEAD"
        case EVHTTP_REQ_PUT: "PUT"
        case EVHTTP_REQ_DELETE: "DELETE"
        case EVHTTP_REQ_OPTIONS: "OPTIONS"
        case EVHTTP_REQ_TRACE: "TRACE"
        case EVHTTP_REQ_CONNECT: "CONNECT"
        case EVHTTP_REQ_PATCH: "PATCH"
        default: "UNKNOWN"
        }
    }
}
