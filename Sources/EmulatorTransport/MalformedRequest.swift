/// A request the transport refuses before any handler sees it, described for the reply: what was wrong, and
/// what could be read of it (enough to answer in the format the client asked for, where it is known).
public struct MalformedRequest: Sendable {
    public enum Problem: Sendable, Equatable {
        /// The request line is not `METHOD target HTTP/1.x`.
        case badRequestLine
        /// The request line (method and target) is longer than the header limit.
        case requestLineTooLong(limit: Int)
        /// A header line cannot be parsed, or `Content-Length` is not a number.
        case badHeaders
        /// The request line and header fields together are longer than the limit.
        case headersTooLarge(limit: Int)
        /// The body (its `Content-Length`, or its chunks so far) is larger than the limit.
        case bodyTooLarge(limit: Int)
        /// A chunk size of a chunked body cannot be parsed.
        case badChunkedBody
        /// Two different `Content-Length`s, or one with `Transfer-Encoding`: where the body ends is ambiguous.
        case conflictingBodyLength
        /// A method this server does not know.
        case methodNotImplemented
        /// An `Expect` other than `100-continue`.
        case expectationFailed
        /// The request did not arrive whole within the request deadline.
        case incomplete(seconds: Int)
    }

    public var problem: Problem
    /// The method, when the request line could be read.
    public var method: String?
    /// The path and query, when they could be read.
    public var path: String?
    public var query: String?
    /// The header fields read before the problem (perhaps none).
    public var headers: HTTPHeaders

    public init(problem: Problem, method: String? = nil, path: String? = nil, query: String? = nil, headers: HTTPHeaders = []) {
        self.problem = problem
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
    }

    /// The status the reply carries.
    public var status: Int {
        switch problem {
        case .badRequestLine, .badHeaders, .badChunkedBody, .conflictingBodyLength: 400
        case .requestLineTooLong: 414
        case .headersTooLarge: 431
        case .bodyTooLarge: 413
        case .methodNotImplemented: 501
        case .expectationFailed: 417
        case .incomplete: 408
        }
    }

    /// What was wrong, in a sentence.
    public var reason: String {
        switch problem {
        case .badRequestLine: "The request line is not an HTTP/1.1 request line."
        case .requestLineTooLong(let limit): "The request line is longer than the limit of \(limit) bytes."
        case .badHeaders: "A header field of the request cannot be parsed."
        case .headersTooLarge(let limit): "The request's header fields are larger than the limit of \(limit) bytes."
        case .bodyTooLarge(let limit): "The request body is larger than the limit of \(limit) bytes."
        case .badChunkedBody: "The request's chunked body cannot be parsed."
        case .conflictingBodyLength:
            "The request gives its body's length more than once (Content-Length twice, or with Transfer-Encoding)."
        case .methodNotImplemented: "The request's method is not one this server implements."
        case .expectationFailed: "The request's Expect header can only be 100-continue."
        case .incomplete(let seconds): "The request did not arrive whole within \(seconds) seconds."
        }
    }

    /// A plain-text reply, for servers that render nothing of their own.
    public static func plainReply(_ request: MalformedRequest) -> HTTPResponse {
        HTTPResponse(status: request.status, contentType: "text/plain; charset=utf-8", body: request.reason + "\n")
    }
}
