/// One HTTP request as it arrived, before any interpretation by the protocol layer.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The path of the request target, still percent-encoded (`/` for RPC calls).
    public var path: String
    /// The raw query string after `?`, still percent-encoded; nil when the target has no `?`.
    public var query: String?
    /// Header fields in arrival order; names as sent.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(
        method: String, path: String, query: String? = nil,
        headers: [(name: String, value: String)] = [], body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Splits a request target (`/path?query`, or absolute-form `http://host/path?query`).
    public init(method: String, target: String, headers: [(name: String, value: String)], body: [UInt8]) {
        var rest = Substring(target)
        // Origin-form (`/…`) is what clients send; only absolute-form needs the scheme searched for.
        if !target.hasPrefix("/"), let scheme = rest.firstRange(of: "://") {
            // Absolute-form: drop scheme and authority, keep the path.
            rest = rest[scheme.upperBound...]
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        if let mark = rest.firstIndex(of: "?") {
            self.init(
                method: method, path: String(rest[..<mark]), query: String(rest[rest.index(after: mark)...]),
                headers: headers, body: body)
        } else {
            self.init(method: method, path: String(rest), query: nil, headers: headers, body: body)
        }
    }

    /// The first value of a header, matched case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { Self.sameName($0.name, name) }?.value
    }

    /// Every value of a header, in arrival order.
    public func headerValues(_ name: String) -> [String] {
        headers.filter { Self.sameName($0.name, name) }.map(\.value)
    }

    /// ASCII case-insensitive equality, without allocating (header names are ASCII).
    public static func sameName(_ left: String, _ right: String) -> Bool {
        var leftBytes = left.utf8.makeIterator()
        var rightBytes = right.utf8.makeIterator()
        while true {
            switch (leftBytes.next(), rightBytes.next()) {
            case (nil, nil): return true
            case (let a?, let b?) where a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7A): continue
            default: return false
            }
        }
    }
}
