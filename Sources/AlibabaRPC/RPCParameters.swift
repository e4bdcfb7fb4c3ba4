/// The parameters of one RPC call: the query string's, then the form body's, in arrival order.
public struct RPCParameters: Sendable {
    /// Every pair as received (decoded), duplicates included; signature V1 signs exactly these.
    /// A request has a dozen or so: a linear search beats hashing every name into a dictionary.
    public private(set) var pairs: [(name: String, value: String)] = []
    /// How many of `pairs` came from the query string (the gateway marks it before reading a form body):
    /// signature V3 signs the query string only.
    public private(set) var queryPairCount: Int?

    public mutating func markEndOfQuery() { queryPairCount = pairs.count }

    public init() {}

    public init(_ pairs: [(name: String, value: String)]) {
        for pair in pairs { append(pair.name, pair.value) }
    }

    /// Parses `a=1&b=2` (form encoding). Empty segments (`&&`) are skipped; a name without `=`
    /// has an empty value.
    public mutating func parse(formEncoded text: String) throws(PercentEncoding.DecodingError) {
        // Scanned as contiguous UTF-8 bytes: `&` and `=` are ASCII, and neither Character-level splitting
        // nor String index arithmetic is needed to find them.
        var text = text
        var failure: PercentEncoding.DecodingError?
        text.withUTF8 { bytes in
            do throws(PercentEncoding.DecodingError) { try parse(formEncoded: bytes) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    private mutating func parse(formEncoded bytes: UnsafeBufferPointer<UInt8>) throws(PercentEncoding.DecodingError) {
        pairs.reserveCapacity(pairs.count + bytes.count(where: { $0 == UInt8(ascii: "&") }) + 1)
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "&")) ?? bytes.count
            if start != end {
                let segment = UnsafeBufferPointer(rebasing: bytes[start..<end])
                if let equals = segment.firstIndex(of: UInt8(ascii: "=")) {
                    append(
                        try PercentEncoding.formDecode(bytes: UnsafeBufferPointer(rebasing: segment[..<equals])),
                        try PercentEncoding.formDecode(bytes: UnsafeBufferPointer(rebasing: segment[(equals + 1)...])))
                } else {
                    append(try PercentEncoding.formDecode(bytes: segment), "")
                }
            }
            start = end + 1
        }
    }

    public mutating func append(_ name: String, _ value: String) {
        pairs.append((name, value))
    }

    /// The value of a parameter; when it was sent twice, the first (the query string's) wins.
    public subscript(name: String) -> String? { pairs.first { $0.name == name }?.value }

    /// The value, or nil when absent or empty: an empty optional parameter means "not given".
    public func nonEmpty(_ name: String) -> String? {
        guard let value = self[name], !value.isEmpty else { return nil }
        return value
    }
}
