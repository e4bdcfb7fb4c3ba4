import CBlockCache
import CLibevent
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

    public let host: String
    /// The bound port (the real one when 0 was asked for).
    public let port: Int
    private let workers: [Worker]
    private var signalEvents: [OpaquePointer] = []
    private var threads: [pthread_t] = []
    private var shuttingDown = false

    /// Binds at once, so that a busy port fails here rather than inside the loop.
    /// - Parameter bodyLimit: bodies larger than this are refused by libevent itself; keep it above the
    ///   limit the handler enforces so that the handler, not libevent, writes the error reply.
    public init(
        host: String, port: Int, workers count: Int = 1, bodyLimit: Int = 16 << 20, batching: Batching? = nil,
        handler: @escaping Handler
    ) throws {
        // A client that hangs up mid-reply must not kill the process.
        signal(SIGPIPE, SIG_IGN)
        guard libeventThreadingReady else { throw HTTPServerError(description: "cannot set up libevent for threads") }
        guard port >= 0, port <= 65535 else { throw HTTPServerError(description: "cannot listen on \(host):\(port): no such port") }
        let sockets = try ListeningSockets.open(host: host, port: port, count: max(1, count))
        var workers: [Worker] = []
        for (index, socket) in sockets.descriptors.enumerated() {
            do {
                workers.append(
                    try Worker(socket: socket, bodyLimit: bodyLimit, batching: batching, handler: handler))
            } catch {
                sockets.descriptors[index...].forEach { _ = close($0) }
                throw error
            }
        }
        self.host = host
        self.port = sockets.port
        self.workers = workers
    }

    deinit {
        for event in signalEvents { event_free(event) }
    }

    /// How long a graceful shutdown lets requests in flight finish and replies drain.
    public static let shutdownGrace = timeval(tv_sec: 0, tv_usec: 250_000)

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
}

/// libevent must know about pthreads before the first event base exists, so that other threads can
/// schedule work on a loop. A global `let` runs this exactly once.
///
/// Its allocations go to the block cache (see block_cache.h): evhttp makes and frees about thirty blocks a
/// request (each header's entry, name and value). The allocator is set first, as libevent requires, before it
/// has allocated anything: a block from malloc must never reach the cache's free.
private let libeventThreadingReady: Bool = {
    event_set_mem_functions(
        { block_cache_malloc($0) }, { block_cache_realloc($0, $1) }, { block_cache_free($0) })
    return evthread_use_pthreads() == 0
}()

/// One loop: an event base, its HTTP server on one listening socket, and the replies of the current turn.
private final class Worker: @unchecked Sendable {
    let base: OpaquePointer
    private let http: OpaquePointer
    private let handler: HTTPServer.Handler
    private let batching: HTTPServer.Batching?
    private var listener: OpaquePointer?
    /// Requests of this turn of the loop whose work was deferred (batching only).
    private var pending: [(raw: OpaquePointer, request: HTTPRequest, work: @Sendable () -> HTTPReply.Finish)] = []
    private var finishes: [HTTPReply.Finish] = []
    /// Replies of this turn that were ready at once (batching only).
    private var ready: [(raw: OpaquePointer, response: HTTPResponse)] = []
    private var batchMark = 0

    init(socket: Int32, bodyLimit: Int, batching: HTTPServer.Batching?, handler: @escaping HTTPServer.Handler) throws {
        // With a change list, the read/write interest evhttp flips several times per request is handed to
        // epoll once per turn (measured: 4 epoll_ctl calls per request without it, 2 with it). Safe here
        // because no descriptor is dup()ed while registered.
        let config = event_config_new()
        defer { event_config_free(config) }
        event_config_set_flag(config, Int32(EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST.rawValue))
        guard let base = event_base_new_with_config(config) else {
            close(socket)
            throw HTTPServerError(description: "cannot create a libevent event base")
        }
        guard let http = evhttp_new(base) else {
            close(socket)
            event_base_free(base)
            throw HTTPServerError(description: "cannot create a libevent HTTP server")
        }
        self.base = base
        self.http = http
        self.handler = handler
        self.batching = batching

        // Every method reaches the handler, so that each gets the API's own error reply
        // rather than libevent's HTML 405 page.
        let allMethods = EVHTTP_REQ_GET.rawValue | EVHTTP_REQ_POST.rawValue | EVHTTP_REQ_HEAD.rawValue
            | EVHTTP_REQ_PUT.rawValue | EVHTTP_REQ_DELETE.rawValue | EVHTTP_REQ_OPTIONS.rawValue
            | EVHTTP_REQ_TRACE.rawValue | EVHTTP_REQ_CONNECT.rawValue | EVHTTP_REQ_PATCH.rawValue
        evhttp_set_allowed_methods(http, UInt16(allMethods))
        evhttp_set_max_body_size(http, bodyLimit)
        evhttp_set_max_headers_size(http, 1 << 20)
        evhttp_set_timeout(http, 120)
        evhttp_set_gencb(
            http,
            { request, context in
                guard let request, let context else { return }
                Unmanaged<Worker>.fromOpaque(context).takeUnretainedValue().serve(request)
            }, Unmanaged.passUnretained(self).toOpaque())
        // The HTTP server owns the socket from here: it closes it when freed.
        guard let handle = evhttp_accept_socket_with_handle(http, socket) else {
            close(socket)
            throw HTTPServerError(description: "cannot accept connections: \(String(cString: strerror(errno)))")
        }
        listener = handle
    }

    deinit {
        evhttp_free(http)
        event_base_free(base)
    }

    /// Turns of the loop until it is told to stop; after each, the turn's replies go out.
    func loop() {
        while true {
            let status = event_base_loop(base, EVLOOP_ONCE)
            sendPending()
            if status != 0 || event_base_got_exit(base) != 0 || event_base_got_break(base) != 0 { break }
        }
    }

    /// Runs `work` on this worker's thread, inside its loop; callable from any thread.
    func schedule(_ work: @escaping @Sendable (Worker) -> Void) {
        let job = Unmanaged.passRetained(Job(worker: self, work: work)).toOpaque()
        var now = timeval(tv_sec: 0, tv_usec: 0)
        event_base_once(
            base, -1, Int16(EV_TIMEOUT),
            { _, _, context in
                let job = Unmanaged<Job>.fromOpaque(context!).takeRetainedValue()
                job.work(job.worker)
            }, job, &now)
    }

    private final class Job: @unchecked Sendable {
        let worker: Worker
        let work: @Sendable (Worker) -> Void
        init(worker: Worker, work: @escaping @Sendable (Worker) -> Void) {
            self.worker = worker
            self.work = work
        }
    }

    func breakLoop() { event_base_loopbreak(base) }

    /// Stops accepting; requests in flight get `shutdownGrace` to finish.
    func closeGracefully() {
        if let listener {
            evhttp_del_accept_socket(http, listener)
            self.listener = nil
        }
        var grace = HTTPServer.shutdownGrace
        event_base_loopexit(base, &grace)
    }

    private func serve(_ raw: OpaquePointer) {
        // The target is split straight from libevent's bytes: no intermediate copy of the whole of it.
        let (path, query) =
            evhttp_request_get_uri(raw).map { uri in
                let length = strlen(uri)
                return uri.withMemoryRebound(to: UInt8.self, capacity: length) {
                    HTTPRequest.split(target: UnsafeBufferPointer(start: $0, count: length))
                }
            } ?? ("/", nil)
        let request = HTTPRequest(
            method: HTTPServer.methodName(evhttp_request_get_command(raw)), path: path, query: query,
            headers: HTTPServer.headers(evhttp_request_get_input_headers(raw)),
            body: HTTPServer.drain(evhttp_request_get_input_buffer(raw)))
        switch handler(request) {
        case .ready(let response):
            if batching == nil {
                send(response, to: raw)
            } else {
                // Sent after the turn, with the deferred ones: written there at once (see `send`).
                ready.append((raw, response))
            }
        case .deferred(let work):
            if batching == nil {
                send(work()(), to: raw)
            } else {
                // libevent keeps a request whose client has gone until it is answered, so holding it is safe.
                pending.append((raw, request, work))
            }
        }
    }

    /// Outside the loop's dispatch: libevent's callbacks may run from here (see `send`).
    private func sendPending() {
        guard let batching else { return }
        for (raw, response) in ready { send(response, to: raw, writingNow: true) }
        ready.removeAll(keepingCapacity: true)
        guard !pending.isEmpty else { return }
        let durable = batching.run(&batchMark) {
            for item in pending { finishes.append(item.work()) }
        }
        for (item, finish) in zip(pending, finishes) {
            send(durable ? finish() : batching.replacement(item.request), to: item.raw, writingNow: true)
        }
        pending.removeAll(keepingCapacity: true)
        finishes.removeAll(keepingCapacity: true)
    }

    /// - Parameter writingNow: write the reply to the socket here rather than when the socket is next
    ///   reported writable, as evhttp does. evhttp asks epoll to watch for writability, and stops once all
    ///   is written: two `epoll_ctl` calls and one more turn of the loop a reply. Written here, the request
    ///   is finished in this turn, and libevent's change list makes one call of the two (the one left
    ///   re-enables reading, which evhttp turned off while the request was served). Only outside the loop's
    ///   dispatch: evhttp's "written" callback runs from here and may free the request and its connection.
    private func send(_ response: HTTPResponse, to raw: OpaquePointer, writingNow: Bool = false) {
        let headers = evhttp_request_get_output_headers(raw)
        // withCString, not the implicit conversion: that one copies a short string to the heap first.
        for (name, value) in response.headers {
            name.withCString { name in value.withCString { value in _ = evhttp_add_header(headers, name, value) } }
        }
        // Straight into the request's own output buffer: no buffer of our own to allocate, move and free.
        let output = evhttp_request_get_output_buffer(raw)
        response.body.withUnsafeBytes { bytes in
            if let start = bytes.baseAddress, bytes.count > 0 {
                evbuffer_add(output, start, bytes.count)
            }
        }
        // Taken before the reply: without a connection (the client has gone) evhttp frees the request.
        let connection = writingNow ? evhttp_request_get_connection(raw) : nil
        HTTPResponse.reasonPhrase(response.status).withCString { evhttp_send_reply(raw, Int32(response.status), $0, nil) }
        if let connection, let events = evhttp_connection_get_bufferevent(connection) {
            let output = bufferevent_get_output(events)
            // A short write or an error leaves the rest to the usual path, which reports errors too.
            if evbuffer_write(output, bufferevent_getfd(events)) > 0, evbuffer_get_length(output) == 0 {
                // What the usual path does once all is written: evhttp finishes the request, and stops
                // watching for writability before the change list reaches epoll.
                bufferevent_trigger(events, Int16(EV_WRITE), 0)
            }
        }
    }
}

extension HTTPServer {
    fileprivate static func headers(_ list: UnsafeMutablePointer<evkeyvalq>?) -> HTTPHeaders {
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

    fileprivate static func drain(_ buffer: OpaquePointer?) -> [UInt8] {
        guard let buffer else { return [] }
        let length = evbuffer_get_length(buffer)
        guard length > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: length) { storage, count in
            count = max(0, Int(evbuffer_remove(buffer, storage.baseAddress, length)))
        }
    }

    fileprivate static func methodName(_ command: evhttp_cmd_type) -> String {
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
