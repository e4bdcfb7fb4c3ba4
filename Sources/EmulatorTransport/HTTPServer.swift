import CLibevent
#if canImport(Glibc)
import Glibc
#endif

public struct HTTPServerError: Error, CustomStringConvertible {
    public let description: String
}

/// libevent must know about pthreads before the first event base exists, so that `stop()`
/// can wake a loop from another thread. A global `let` runs this exactly once.
private let libeventThreadingReady: Bool = evthread_use_pthreads() == 0

/// An HTTP/1.1 server on one libevent loop. The handler runs on the loop thread, one request at
/// a time, which is what lets the layers above it stay single-threaded.
///
/// Concurrency invariant (why `@unchecked Sendable`): `base`, `http` and `handler` are used only by
/// the thread running the loop, except in `stop()`, which only calls `event_base_once`, thread-safe
/// once `evthread_use_pthreads()` has run.
public final class HTTPServer: @unchecked Sendable {
    public typealias Handler = (HTTPRequest) -> HTTPResponse

    public let host: String
    /// The bound port (the real one when 0 was asked for).
    public private(set) var port: Int = 0
    private let base: OpaquePointer
    private let http: OpaquePointer
    private let handler: Handler
    private var signalEvents: [OpaquePointer] = []
    private var loopThread: pthread_t?
    private var listener: OpaquePointer?
    private var shuttingDown = false

    /// Binds at once, so that a busy port fails here rather than inside the loop.
    /// - Parameter bodyLimit: bodies larger than this are refused by libevent itself; keep it above the
    ///   limit the handler enforces so that the handler, not libevent, writes the error reply.
    public init(host: String, port: Int, bodyLimit: Int = 16 << 20, handler: @escaping Handler) throws {
        // A client that hangs up mid-reply must not kill the process.
        signal(SIGPIPE, SIG_IGN)
        guard libeventThreadingReady, let base = event_base_new() else {
            throw HTTPServerError(description: "cannot create a libevent event base")
        }
        guard let http = evhttp_new(base) else {
            event_base_free(base)
            throw HTTPServerError(description: "cannot create a libevent HTTP server")
        }
        self.host = host
        self.base = base
        self.http = http
        self.handler = handler

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
                Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue().serve(request)
            }, Unmanaged.passUnretained(self).toOpaque())

        guard port >= 0, port <= 65535, let handle = evhttp_bind_socket_with_handle(http, host, UInt16(port)) else {
            // Every stored property is set, so `deinit` runs and frees `http` and `base`.
            throw HTTPServerError(description: "cannot listen on \(host):\(port): \(String(cString: strerror(errno)))")
        }
        let socket = evhttp_bound_socket_get_fd(handle)
        // Replies go out whole, at once: without this, a reply of several segments waits on the
        // client's delayed ACK (40 ms). Accepted sockets inherit the option from the listener.
        var noDelay: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        self.port = Self.boundPort(of: socket) ?? port
        listener = handle
    }

    deinit {
        for event in signalEvents { event_free(event) }
        evhttp_free(http)
        event_base_free(base)
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
                    base, signal, Int16(EV_SIGNAL | EV_PERSIST),
                    { signal, _, context in
                        Unmanaged<HTTPServer>.fromOpaque(context!).takeUnretainedValue().terminate(by: signal)
                    },
                    Unmanaged.passUnretained(self).toOpaque())
            else { continue }
            event_add(event, nil)
            signalEvents.append(event)
        }
    }

    private func terminate(by signal: Int32) {
        guard !shuttingDown else { _exit(128 + signal) }
        shuttingDown = true
        if let listener {
            evhttp_del_accept_socket(http, listener)
            self.listener = nil
        }
        var grace = Self.shutdownGrace
        event_base_loopexit(base, &grace)
    }

    /// Runs the loop on the calling thread until `stop()` (or a signal, see `stopOnTerminationSignals`).
    public func run() {
        event_base_dispatch(base)
    }

    /// Runs the loop on a thread of its own (tests, embedding).
    public func start() {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        pthread_create(
            &thread, nil,
            { context in
                let server = Unmanaged<HTTPServer>.fromOpaque(context!).takeRetainedValue()
                event_base_dispatch(server.base)
                return nil
            }, context)
        loopThread = thread
    }

    /// Asks the loop to stop; safe from any thread, even before the loop has started (a bare
    /// `event_base_loopbreak` would be lost then, because the loop clears the flag on entry).
    public func stop() {
        var now = timeval(tv_sec: 0, tv_usec: 0)
        event_base_once(
            base, -1, Int16(EV_TIMEOUT),
            { _, _, base in
                event_base_loopbreak(OpaquePointer(base))
            }, UnsafeMutableRawPointer(base), &now)
    }

    /// Stops a loop started with `start()` and waits for its thread to end.
    public func stopAndWait() {
        stop()
        if let thread = loopThread {
            pthread_join(thread, nil)
            loopThread = nil
        }
    }

    // MARK: - Loop thread

    private func serve(_ raw: OpaquePointer) {
        let request = HTTPRequest(
            method: Self.methodName(evhttp_request_get_command(raw)),
            target: evhttp_request_get_uri(raw).map { String(cString: $0) } ?? "/",
            headers: Self.headers(evhttp_request_get_input_headers(raw)),
            body: Self.drain(evhttp_request_get_input_buffer(raw)))
        let response = handler(request)

        let output = evhttp_request_get_output_headers(raw)
        for (name, value) in response.headers {
            evhttp_add_header(output, name, value)
        }
        let buffer = evbuffer_new()
        response.body.withUnsafeBytes { bytes in
            if let start = bytes.baseAddress, bytes.count > 0 {
                evbuffer_add(buffer, start, bytes.count)
            }
        }
        evhttp_send_reply(raw, Int32(response.status), HTTPResponse.reasonPhrase(response.status), buffer)
        evbuffer_free(buffer)
    }

    private static func headers(_ list: UnsafeMutablePointer<evkeyvalq>?) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        var entry = list?.pointee.tqh_first
        while let field = entry {
            fields.append((String(cString: field.pointee.key), String(cString: field.pointee.value)))
            entry = field.pointee.next.tqe_next
        }
        return fields
    }

    private static func drain(_ buffer: OpaquePointer?) -> [UInt8] {
        guard let buffer else { return [] }
        let length = evbuffer_get_length(buffer)
        guard length > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: length) { storage, count in
            count = max(0, Int(evbuffer_remove(buffer, storage.baseAddress, length)))
        }
    }

    private static func methodName(_ command: evhttp_cmd_type) -> String {
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

    private static func boundPort(of socket: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        guard status == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
        default:
            return nil
        }
    }
}
