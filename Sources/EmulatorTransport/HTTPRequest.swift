/// One HTTP request as it arrived, before any interpretation by the protocol layer.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The path of the request target, still percent-encoded (`/` for RPC calls).
    public var path: String
    /// The raw query string after `?`, still percent-encoded; nil when the target has no `?`.
    public var query: String?
    /// Header fields in arrival order; names in lower case.
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(
        method: String, path: String, query: String? = nil,
        headers: HTTPHeaders = [], body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Splits a request target (`/path?query`, or absolute-form `http://host/path?query`).
    public init(method: String, target: String, headers: HTTPHeaders, body: [UInt8]) {
        var target = target
        let (path, query) = target.withUTF8 { Self.split(target: $0) }
        self.init(method: method, path: path, query: query, headers: headers, body: body)
    }

    /// Path and query of a request target's bytes. Scanned as bytes: `?`, `/` and `:` are ASCII, and
    /// Character-level searching was a visible share of every request.
    static func split(target: UnsafeBufferPointer<UInt8>) -> (path: String, query: String?) {
        var rest = target[...]
        // Origin-form (`/…`) is what clients send; only absolute-form needs the scheme searched for.
        if rest.first != UInt8(ascii: "/"), let scheme = schemeEnd(rest) {
            // Absolute-form: drop scheme and authority, keep the path.
            rest = rest[scheme...]
            guard let slash = rest.firstIndex(of: UInt8(ascii: "/")) else { return ("/", nil) }
            rest = rest[slash...]
        }
        guard let mark = rest.firstIndex(of: UInt8(ascii: "?")) else { return (String(decoding: rest, as: UTF8.self), nil) }
        return (
            String(decoding: rest[..<mark], as: UTF8.self),
            String(decoding: rest[(mark + 1)...], as: UTF8.self)
        )
    }

    /// Where the authority starts after `scheme://`, if the target has one.
    private static func schemeEnd(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Int? {
        var index = bytes.startIndex
        while index + 2 < bytes.endIndex {
            if bytes[index] == UInt8(ascii: ":") && bytes[index + 1] == UInt8(ascii: "/") && bytes[index + 2] == UInt8(ascii: "/") {
                return index + 3
            }
            index += 1
        }
        return nil
    }

    /// The first value of a header, matched case-insensitively.
    public func header(_ name: String) -> String? {
        headers.value(of: name)
    }

    /// Every value of a header, in arrival order.
    public func headerValues(_ name: String) -> [String] {
        headers.values(of: name)
    }
}
