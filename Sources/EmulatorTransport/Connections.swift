internal import CLibevent
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The count of open connections across every worker, against the limit; and the warnings about accepting,
/// at most one per `warningInterval`, however often the trouble recurs.
final class ConnectionGate: Sendable {
    let limit: Int
    private let count = Atomic<Int>(0)
    private let lastWarning = Atomic<Int>(Int.min)
    private let warn: @Sendable (String) -> Void
    static let warningInterval = 10

    init(limit: Int, warn: @escaping @Sendable (String) -> Void) {
        self.limit = max(1, limit)
        self.warn = warn
    }

    var open: Int { count.load(ordering: .relaxed) }
    var isFull: Bool { open >= limit }

    /// Counts a connection in; the count with it.
    func opened() -> Int { count.wrappingAdd(1, ordering: .relaxed).newValue }

    func closed() { count.wrappingSubtract(1, ordering: .relaxed) }

    func warnOccasionally(_ message: @autoclosure () -> String) {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let second = Int(now.tv_sec)
        let last = lastWarning.load(ordering: .relaxed)
        guard last == .min || second - last >= Self.warningInterval,
            lastWarning.compareExchange(expected: last, desired: second, ordering: .relaxed).exchanged
        else { return }
        warn(message())
    }
}

/// What a worker knows of one of its connections: whether a request has started arriving on it, and since
/// when (in the worker's ticks), for the request deadline.
final class Connection {
    /// Unowned: the worker outlives its connections (it frees them as it ends, having left the registry).
    unowned(unsafe) let worker: Worker
    let handle: OpaquePointer
    let events: OpaquePointer
    let descriptor: Int32
    var inRequest = false
    /// When the current request began arriving, or (between requests) when the last one arrived.
    var startedAt = 0
    /// A request has arrived and its reply is not yet queued.
    var busy = false
    /// The worker's count of requests when this connection last had one (or opened): the idle order.
    var lastActive = 0
    /// When it opened (in ticks), and whether a request has arrived on it: a connection just opened is not
    /// idle yet (its client is about to send), for two seconds.
    var openedAt = 0
    var hadRequest = false
    var inputWatch: OpaquePointer?

    init(worker: Worker, handle: OpaquePointer, events: OpaquePointer, descriptor: Int32) {
        self.worker = worker
        self.handle = handle
        self.events = events
        self.descriptor = descriptor
    }
}

extension Worker {
    /// How long accepting pauses when descriptors run out, or while the connection limit is reached.
    static let acceptPause = timeval(tv_sec: 0, tv_usec: 100_000)

    /// evhttp's request for a new connection's buffered socket: counted against the connection limit.
    func connectionAccepted(_ base: OpaquePointer) -> OpaquePointer? {
        // On the TLS port, should OpenSSL fail to make a session, a plain socket that is closed at once: returning
        // nil would have evhttp make a plain one of its own and speak HTTP in clear on the TLS port.
        var refused = false
        let made = tls.map { tls in
            tls.acceptingConnection(on: base) ?? {
                refused = true
                return bufferevent_socket_new(base, -1, 0)
            }()
        } ?? bufferevent_socket_new(base, -1, 0)
        guard let events = made else { return nil }
        // One over the limit: the connection idle longest makes room. At the limit with none idle, accepting
        // pauses (the next connection waits in the backlog).
        if gate.opened() > gate.limit, let idle = idleConnection() { close(idle) }
        if gate.isFull, idleConnection() == nil { pauseAccepting() }
        // evhttp sets the connection up after this returns: it is looked up once that is done, in this turn.
        // The extra reference keeps the buffered socket's memory valid should evhttp free it before that.
        bufferevent_incref(events)
        var now = timeval(tv_sec: 0, tv_usec: 0)
        let registration = Unmanaged.passRetained(Registration(worker: self, events: events, refused: refused)).toOpaque()
        event_base_once(
            base, -1, Int16(EV_TIMEOUT),
            { _, _, context in
                let registration = Unmanaged<Registration>.fromOpaque(context!).takeRetainedValue()
                registration.worker.track(registration.events, refused: registration.refused)
            }, registration, &now)
        return events
    }

    private final class Registration {
        let worker: Worker
        let events: OpaquePointer
        let refused: Bool
        init(worker: Worker, events: OpaquePointer, refused: Bool) {
            self.worker = worker
            self.events = events
            self.refused = refused
        }
    }

    /// Finds the connection evhttp made around `events` (the argument of its callbacks) and follows it until
    /// it closes.
    private func track(_ events: OpaquePointer, refused: Bool) {
        defer { bufferevent_decref(events) }
        var eventCallback: bufferevent_event_cb?
        var argument: UnsafeMutableRawPointer?
        bufferevent_getcb(events, nil, nil, &eventCallback, &argument)
        let descriptor = bufferevent_getfd(events)
        guard eventCallback != nil, let argument, descriptor >= 0 else {
            // evhttp could not set the connection up, and has freed it already.
            connectionClosed()
            return
        }
        let connection = Connection(worker: self, handle: OpaquePointer(argument), events: events, descriptor: descriptor)
        let index = Int(descriptor)
        if index >= connections.count { connections.append(contentsOf: repeatElement(nil, count: index + 1 - connections.count)) }
        connections[index] = connection
        connection.lastActive = requestsArrived
        connection.openedAt = tick
        let context = Unmanaged.passUnretained(connection).toOpaque()
        evhttp_connection_set_closecb(
            connection.handle,
            { _, context in
                let connection = Unmanaged<Connection>.fromOpaque(context!).takeUnretainedValue()
                // Not while the worker ends (it has left the registry): its listener and timers are going.
                guard Worker.registered(connection.worker.base) != nil else { return }
                connection.worker.untrack(connection)
            }, context)
        // Notes when a request's first bytes arrive: the deadline runs from there.
        connection.inputWatch = evbuffer_add_cb(
            bufferevent_get_input(events),
            { _, change, context in
                guard let change, change.pointee.n_added > 0 else { return }
                let connection = Unmanaged<Connection>.fromOpaque(context!).takeUnretainedValue()
                guard !connection.inRequest else { return }
                connection.inRequest = true
                connection.startedAt = connection.worker.tick
            }, context)
        if refused { close(connection) }
    }

    /// evhttp is closing the connection (its close callback, before it frees anything).
    private func untrack(_ connection: Connection) {
        if let watch = connection.inputWatch {
            evbuffer_remove_cb_entry(bufferevent_get_input(connection.events), watch)
            connection.inputWatch = nil
        }
        let index = Int(connection.descriptor)
        if index < connections.count, connections[index] === connection { connections[index] = nil }
        connectionClosed()
    }

    private func connectionClosed() {
        gate.closed()
        if acceptPaused, !gate.isFull { resumeAccepting() }
    }

    /// A request has arrived whole: its deadline is met. Bytes already waiting belong to the next one.
    func requestArrived(_ raw: OpaquePointer) {
        guard let handle = evhttp_request_get_connection(raw), let events = evhttp_connection_get_bufferevent(handle),
            let connection = connection(of: events)
        else { return }
        connection.inRequest = evbuffer_get_length(bufferevent_get_input(events)) > 0
        connection.startedAt = tick
        connection.busy = true
        connection.hadRequest = true
        requestsArrived &+= 1
        connection.lastActive = requestsArrived
    }

    func connection(of events: OpaquePointer) -> Connection? {
        let index = Int(bufferevent_getfd(events))
        guard index >= 0, index < connections.count else { return nil }
        return connections[index]
    }

    /// The connection idle longest: no request arriving or being served, no reply being written. At the limit
    /// it is closed to make room, as HTTP lets a server close an idle kept-alive connection: so a health check
    /// still gets through when idle clients hold every connection.
    private func idleConnection() -> Connection? {
        var oldest: Connection?
        for case let connection? in connections
        where !connection.inRequest && !connection.busy && (connection.hadRequest || tick - connection.openedAt >= 2)
            && connection.lastActive < (oldest?.lastActive ?? .max)
            && evbuffer_get_length(bufferevent_get_output(connection.events)) == 0
            && evbuffer_get_length(bufferevent_get_input(connection.events)) == 0
        {
            oldest = connection
        }
        return oldest
    }

    /// As if the client had closed it: evhttp frees it, and its close callback counts it out.
    private func close(_ idle: Connection) {
        bufferevent_trigger_event(idle.events, Int16(BEV_EVENT_EOF | BEV_EVENT_READING), 0)
    }

    // MARK: Accepting

    func pauseAccepting() {
        guard let listener, !acceptPaused else { return }
        evconnlistener_disable(listener)
        acceptPaused = true
        var pause = Self.acceptPause
        event_add(resumeEvent, &pause)
    }

    private func resumeAccepting() {
        guard let listener else { return }
        event_del(resumeEvent)
        evconnlistener_enable(listener)
        acceptPaused = false
    }

    /// accept() failed for another reason than a client gone: most often descriptors ran out (EMFILE,
    /// ENFILE), which would make the listener fail again at once, forever. It pauses instead, and says so.
    private func acceptFailed(_ error: Int32) {
        let open = gate.open
        pauseAccepting()
        gate.warnOccasionally(
            "cannot accept connections: \(String(cString: strerror(error))) (\(open) open, at most \(gate.limit)); "
                + "pausing accepts for 100 ms at a time (this warning at most every \(ConnectionGate.warningInterval) s)")
    }

    /// The timers of accepting and of the request deadline, and the listener's error callback.
    func startWatching() {
        let context = Unmanaged.passUnretained(self).toOpaque()
        resumeEvent = event_new(
            base, -1, 0,
            { _, _, context in
                let worker = Unmanaged<Worker>.fromOpaque(context!).takeUnretainedValue()
                guard worker.acceptPaused else { return }
                if worker.gate.isFull, worker.idleConnection() == nil {
                    var pause = Worker.acceptPause
                    event_add(worker.resumeEvent, &pause)
                } else {
                    worker.resumeAccepting()
                }
            }, context)
        sweepEvent = event_new(
            base, -1, Int16(EV_PERSIST),
            { _, _, context in Unmanaged<Worker>.fromOpaque(context!).takeUnretainedValue().sweep() }, context)
        var second = timeval(tv_sec: 1, tv_usec: 0)
        event_add(sweepEvent, &second)
        if let listener {
            evconnlistener_set_error_cb(listener) { listener, context in
                let error = errno
                guard let listener, let base = evconnlistener_get_base(listener), let worker = Worker.registered(base) else {
                    return
                }
                worker.acceptFailed(error)
            }
        }
    }

    /// Once a second: requests that have taken longer than the deadline to arrive get a 408 and are closed. On the
    /// TLS port the handshake is held to the same deadline, from the connection's opening (its bytes are not the
    /// request's, which the deadline otherwise follows): a client that starts one and stalls is closed.
    private func sweep() {
        tick += 1
        let deadline = limits.requestDeadline
        let late = connections.compactMap { connection in
            connection.flatMap {
                ($0.inRequest && tick - $0.startedAt > deadline)
                    || (tls != nil && !$0.hadRequest && !$0.inRequest && tick - $0.openedAt > deadline
                        && !TLSContext.handshakeDone($0.events)) ? $0 : nil
            }
        }
        for connection in late { timeOut(connection) }
    }

    /// Writes the 408 straight to the socket (evhttp is reading: nothing of its own is waiting to be written,
    /// else nothing is written), then has evhttp close the connection as on its own timeout.
    private func timeOut(_ connection: Connection) {
        if evbuffer_get_length(bufferevent_get_output(connection.events)) == 0 {
            var response = closing(malformed(MalformedRequest(problem: .incomplete(seconds: limits.requestDeadline))))
            response.headers.append(("Content-Length", String(response.body.count)))
            var head = "HTTP/1.1 \(response.status) \(HTTPResponse.reasonPhrase(response.status))\r\n"
            for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
            let bytes = Array(head.utf8) + [13, 10] + response.body
            if tls != nil {
                // Through the TLS session, when its handshake is done; a stalled handshake is only closed.
                TLSContext.writeNow(bytes, to: connection.events)
            } else {
                _ = bytes.withUnsafeBytes { Glibc.send(connection.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            }
            // What the client sent is read and dropped: closing with unread bytes would reset the connection,
            // and the reset could destroy the reply before the client reads it.
            var sink = [UInt8](repeating: 0, count: 4096)
            for _ in 0..<64 {
                guard sink.withUnsafeMutableBytes({ recv(connection.descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }) > 0
                else { break }
            }
        }
        bufferevent_trigger_event(connection.events, Int16(BEV_EVENT_TIMEOUT | BEV_EVENT_READING), 0)
    }
}
