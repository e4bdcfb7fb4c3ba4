internal import CLibevent
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The workers by event base: libevent's error pages reach the transport through one C function for the whole
/// process (`refuseRequest`), which finds the worker from the base of the request's connection.
private let workersByBase = Mutex<[UInt: WeakWorker]>([:])

private final class WeakWorker: @unchecked Sendable {
    weak var worker: Worker?
    init(_ worker: Worker) { self.worker = worker }
}

/// libevent's `evhttp_send_error`, as CHTTPErrorPage takes its place (see http_error_page.h).
@_cdecl("emulator_transport_refuse")
func refuseRequest(_ request: OpaquePointer?, _ status: Int32) {
    Worker.refuse(request, status: Int(status))
}

extension Worker {
    private static func key(_ base: OpaquePointer) -> UInt { UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(base))) }

    static func register(_ worker: Worker) {
        workersByBase.withLock { $0[key(worker.base)] = WeakWorker(worker) }
    }

    static func unregister(_ worker: Worker) {
        _ = workersByBase.withLock { $0.removeValue(forKey: key(worker.base)) }
    }

    static func registered(_ base: OpaquePointer) -> Worker? {
        workersByBase.withLock { $0[key(base)]?.worker }
    }

    /// libevent refused `raw` with `status` (it calls `evhttp_send_error`): the reply is the server's own
    /// rendering of what was wrong, and the connection closes after it.
    static func refuse(_ raw: OpaquePointer?, status: Int) {
        guard let raw else { return }
        guard let handle = evhttp_request_get_connection(raw), let events = evhttp_connection_get_bufferevent(handle),
            let base = bufferevent_get_base(events), let worker = registered(base)
        else {
            // No server of ours (cannot happen while one runs): a bare reply, never libevent's page.
            evhttp_send_reply(raw, Int32(status), HTTPResponse.reasonPhrase(status), nil)
            return
        }
        worker.refuse(raw, status: status, waiting: evbuffer_get_length(bufferevent_get_input(events)))
    }

    /// - Parameter waiting: bytes read but not parsed (an over-long line is still there).
    private func refuse(_ raw: OpaquePointer, status: Int, waiting: Int) {
        let command = evhttp_request_get_command(raw)
        let known = command.rawValue != 0
        let headers = HTTPServer.headers(evhttp_request_get_input_headers(raw))
        let problem: MalformedRequest.Problem
        switch status {
        case 400 where !known:
            // The request line was not read: too long (still waiting whole), or not a request line.
            problem = waiting > limits.headerLimit ? .requestLineTooLong(limit: limits.headerLimit) : .badRequestLine
        case 400:
            // evhttp reports a header block past its limit as a bad header: the fields read so far and what
            // waits unparsed tell which (the request line, no longer known, counts too: hence the margin).
            let fields = headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
            problem = fields + waiting + limits.headerLimit / 8 > limits.headerLimit ? .headersTooLarge(limit: limits.headerLimit) : .badHeaders
        case 413:
            // evhttp reports a bad chunk size as a body too large: a chunked body still under the limit was bad.
            let chunked = headers.value(of: "transfer-encoding").map { ASCII.equalIgnoringCase($0, "chunked") } ?? false
            let received = evbuffer_get_length(evhttp_request_get_input_buffer(raw))
            problem = chunked && received + waiting < limits.bodyLimit ? .badChunkedBody : .bodyTooLarge(limit: limits.bodyLimit)
        case 417: problem = .expectationFailed
        case 501: problem = .methodNotImplemented
        default: problem = .badRequestLine
        }
        // The target is kept only where evhttp still has it (it frees it before reporting a parse error).
        let target = evhttp_request_get_uri(raw).map { uri in
            let length = strlen(uri)
            return uri.withMemoryRebound(to: UInt8.self, capacity: length) {
                HTTPRequest.split(target: UnsafeBufferPointer(start: $0, count: length))
            }
        }
        let refusal = MalformedRequest(
            problem: problem, method: known ? HTTPServer.methodName(command) : nil, path: target?.path,
            query: target?.query, headers: headers)
        send(closing(malformed(refusal)), to: raw)
    }
}
