/// The parameters of one RPC call: the query string's, then the form body's, in arrival order.
public struct RPCParameters: Sendable {
    /// Every pair as received (decoded), duplicates included; signature V1 signs exactly these.
    public private(set) var pairs: [(name: String, value: String)] = []
    private var firstValue: [String: String] = [:]

    public init() {}

    public init(_ pairs: [(name: String, value: String)]) {
        for pair in pairs { append(pair.name, pair.value) }
    }

    /// Parses `a=1&b=2` (form encoding). Empty segments (`&&`) are skipped; a name without `=`
    /// has an empty value.
    public mutating func parse<S: StringProtocol>(formEncoded text: S) throws(PercentEncoding.DecodingError) {
        for segment in text.split(separator: "&", omittingEmptySubsequences: true) {
            if let equals = segment.firstIndex(of: "=") {
                append(
                    try PercentEncoding.formDecode(segment[..<equals]),
                    try PercentEncoding.formDecode(segment[segment.index(after: equals)...]))
            } else {
                append(try PercentEncoding.formDecode(segment), "")
            }
        }
    }

    public mutating func append(_ name: String, _ value: String) {
        pairs.append((name, value))
        if firstValue[name] == nil { firstValue[name] = value }
    }

    /// The value of a parameter; when it was sent twice, the first (the query string's) wins.
    public subscript(name: String) -> String? { firstValue[name] }

    /// The value, or nil when absent or empty: an empty optional parameter means "not given".
    public func nonEmpty(_ name: String) -> String? {
        guard let value = firstValue[name], !value.isEmpty else { return nil }
        return value
    }
}
