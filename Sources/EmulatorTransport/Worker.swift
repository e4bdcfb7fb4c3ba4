internal import CLibevent
#if canImport(Glibc)
import Glibc
#endif

/// One loop: an event base, its HTTP server on one listening socket, its connections, and the replies of the
/// current turn.
final class Worker: @unchecked Sendable {
    let base: OpaquePointer
    let http: OpaquePointer
    let limits: HTTPServer.Limits
    let gate: ConnectionGate
    let malformed: HTTPServer.MalformedRenderer
    /// The TLS port's context; nil on the plain port.
    let tls: TLSContext?
    private let handler: HTTPServer.Handler
    private let batching: HTTPServer.Batching?
    /// The listening socket as evhttp holds it, and its listener (nil once closed).
    private var bound: OpaquePointer?
    var listener: OpaquePointer?
    /// Requests of this turn of the loop whose work was deferred (batching only).
    private var pending: [(raw: OpaquePointer, request: HTTPRequest, work: @Sendable () -> HTTPReply.Finish)] = []
    private var finishes: [HTTPReply.Finish] = []
    /// Replies of this turn that were ready at once (batching only).
    private var ready: [(raw: OpaquePointer, response: HTTPResponse)] = []
    private var batchMark = 0

    /// This worker's open connections, by descriptor (see Connections.swift).
    var connections: [Connection?] = []
    /// Seconds since the worker started, counted by the sweep.
    var tick = 0
    /// Requests that have arrived, for the order in which connections were last active.
    var requestsArrived = 0
    var acceptPaused = false
    var sweepEvent: OpaquePointer?
    var resumeEvent: OpaquePointer?

    init(
        socket: Int32, tls: TLSContext?, limits: HTTPServer.Limits, gate: ConnectionGate, batching: HTTPServer.Batching?,
        malformed: @escaping HTTPServer.MalformedRenderer, handler: @escaping HTTPServer.Handler
    ) throws {
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
        self.limits = limits
        self.gate = gate
        self.malformed = malformed
        self.tls = tls
        self.handler = handler
        self.batching = batching

        // Every method reaches the handler, so that each gets the API's own error reply
        // rather than libevent's 405 page.
        let allMethods = EVHTTP_REQ_GET.rawValue | EVHTTP_REQ_POST.rawValue | EVHTTP_REQ_HEAD.rawValue
            | EVHTTP_REQ_PUT.rawValue | EVHTTP_REQ_DELETE.rawValue | EVHTTP_REQ_OPTIONS.rawValue
            | EVHTTP_REQ_TRACE.rawValue | EVHTTP_REQ_CONNECT.rawValue | EVHTTP_REQ_PATCH.rawValue
        evhttp_set_allowed_methods(http, UInt16(allMethods))
        evhttp_set_max_body_size(http, limits.bodyLimit)
        evhttp_set_max_headers_size(http, limits.headerLimit)
        evhttp_set_timeout(http, Int32(clamping: limits.idleTimeout))
        let context = Unmanaged.passUnretained(self).toOpaque()
        evhttp_set_gencb(
            http,
            { request, context in
                guard let request, let context else { return }
                Unmanaged<Worker>.fromOpaque(context).takeUnretainedValue().serve(request)
            }, context)
        evhttp_set_bevcb(
            http,
            { base, context in
                guard let base, let context else { return nil }
                return Unmanaged<Worker>.fromOpaque(context).takeUnretainedValue().connectionAccepted(base)
            }, context)
        // The HTTP server owns the socket from here: it closes it when freed.
        guard let handle = evhttp_accept_socket_with_handle(http, socket) else {
            close(socket)
            throw HTTPServerError(description: "cannot accept connections: \(String(cString: strerror(errno)))")
        }
        bound = handle
        listener = evhttp_bound_socket_get_listener(handle)
        startWatching()
        Worker.register(self)
    }

    deinit {
        Worker.unregister(self)
        if let sweepEvent { event_free(sweepEvent) }
        if let resumeEvent { event_free(resumeEvent) }
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
        if let bound {
            evhttp_del_accept_socket(http, bound)
            self.bound = nil
            listener = nil
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
        requestArrived(raw)
        if let problem = Self.framingProblem(request.headers) {
            // evhttp read the body by one of the lengths; what follows may be the rest of it: close after the reply.
            let refusal = MalformedRequest(
                problem: problem, method: request.method, path: path, query: query, headers: request.headers)
            return send(closing(malformed(refusal)), to: raw)
        }
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

    /// Two different `Content-Length`s, or one beside `Transfer-Encoding` (RFC 9112 §6.3): refused, since
    /// another reader of the same bytes could find the body's end elsewhere (request smuggling).
    private static func framingProblem(_ headers: HTTPHeaders) -> MalformedRequest.Problem? {
        let lengths = headers.find("content-length")
        guard let first = lengths.index else { return nil }
        if headers.contains("transfer-encoding") { return .conflictingBodyLength }
        guard lengths.repeated else { return nil }
        let value = headers.value(at: first)
        return headers.values(of: "content-length").allSatisfy { $0 == value } ? nil : .conflictingBodyLength
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

    func closing(_ response: HTTPResponse) -> HTTPResponse {
        var response = response
        response.headers.removeAll { ASCII.equalIgnoringCase($0.name, "Connection") }
        response.headers.append(("Connection", "close"))
        return response
    }

    /// - Parameter writingNow: write the reply to the socket here rather than when the socket is next
    ///   reported writable, as evhttp does. evhttp asks epoll to watch for writability, and stops once all
    ///   is written: two `epoll_ctl` calls and one more turn of the loop a reply. Written here, the request
    ///   is finished in this turn, and libevent's change list makes one call of the two (the one left
    ///   re-enables reading, which evhttp turned off while the request was served). Only outside the loop's
    ///   dispatch: evhttp's "written" callback runs from here and may free the request and its connection.
    func send(_ response: HTTPResponse, to raw: OpaquePointer, writingNow: Bool = false) {
        let headers = evhttp_request_get_output_headers(raw)
        // withCString, not the implicit conversion: that one copies a short string to the heap first.
        for (name, value) in response.headers {
            name.withCString { name in value.withCString { value in _ = evhttp_add_header(headers, name, value) } }
        }
        let command = evhttp_request_get_command(raw)
        // evhttp gives HEAD and CONNECT replies no Content-Length of their own, yet writes any body it is given.
        let bodyless = command == EVHTTP_REQ_HEAD
        if bodyless || command == EVHTTP_REQ_CONNECT {
            String(response.body.count).withCString { _ = evhttp_add_header(headers, "Content-Length", $0) }
        }
        if command == EVHTTP_REQ_CONNECT { closeAfterReply(raw) }
        // Straight into the request's own output buffer: no buffer of our own to allocate, move and free.
        if !bodyless {
            let body = evhttp_request_get_output_buffer(raw)
            response.body.withUnsafeBytes { bytes in
                if let start = bytes.baseAddress, bytes.count > 0 {
                    evbuffer_add(body, start, bytes.count)
                }
            }
        }
        // Taken before the reply: without a connection (the client has gone) evhttp frees the request.
        let connection = evhttp_request_get_connection(raw)
        HTTPResponse.reasonPhrase(response.status).withCString { evhttp_send_reply(raw, Int32(response.status), $0, nil) }
        guard let connection, let events = evhttp_connection_get_bufferevent(connection) else { return }
        self.connection(of: events)?.busy = false
        let output = bufferevent_get_output(events)
        // A short write or an error leaves the rest to the usual path, which reports errors too. On the TLS port
        // the bytes go through the session, on the usual path.
        if writingNow, tls == nil, evbuffer_write(output, bufferevent_getfd(events)) > 0, evbuffer_get_length(output) == 0 {
            // What the usual path does once all is written: evhttp finishes the request, and stops
            // watching for writability before the change list reaches epoll.
            bufferevent_trigger(events, Int16(EV_WRITE), 0)
        } else {
            // On the TLS port each piece of the output (evhttp adds the head, then the body) would go out as a TLS
            // record and a write of its own: the first 16 KiB (a record's most) are joined into one.
            if tls != nil { evbuffer_pullup(output, min(Int(evbuffer_get_length(output)), 16_384)) }
            // While a reply is being written evhttp keeps reading, only to notice a close, into a buffer
            // nothing drains: a client sending requests without reading replies would grow it without bound.
            // Reading stops until the reply is out (evhttp turns it on again for the next request); a closed
            // client is still noticed, by the write failing.
            bufferevent_disable(events, Int16(EV_READ))
        }
    }

    /// evhttp keeps a CONNECT request's connection open whatever it asked (it expects a tunnel); the emulator
    /// is no proxy, so the connection ends with the reply. The end comes as the client's EOF would, once the
    /// reply is written and evhttp has moved on to the next request (deferred: not inside its own callback).
    private func closeAfterReply(_ raw: OpaquePointer) {
        evhttp_request_set_on_complete_cb(
            raw,
            { request, _ in
                guard let request, let connection = evhttp_request_get_connection(request),
                    let events = evhttp_connection_get_bufferevent(connection)
                else { return }
                bufferevent_trigger_event(
                    events, Int16(BEV_EVENT_EOF | BEV_EVENT_READING), Int32(BEV_TRIG_DEFER_CALLBACKS.rawValue))
            }, nil)
    }
}
