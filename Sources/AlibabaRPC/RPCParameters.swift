/// The parameters of one RPC call: the query string's, then the form body's, in arrival order.
public struct RPCParameters: Sendable {
    /// Every pair as received (decoded), duplicates included; signature V1 signs exactly these.
    /// A request has a dozen or so: a linear search beats hashing every name into a dictionary.
    public private(set) var pairs: [(name: String, value: String)] = []
    /// Each pair's name as its length and first byte, for lookups to skip most pairs without comparing strings.
    private var keys: [Int] = []
    /// How many of `pairs` came from the query string (the gateway marks it before reading a form body):
    /// signature V3 signs the query string only.
    public private(set) var queryPairCount: Int?

    public mutating func markEndOfQuery() { queryPairCount = pairs.count }

    public init() {}

    public init(_ pairs: [(name: String, value: String)]) {
        for pair in pairs { append(pair.name, pair.value) }
    }

    /// Parses `a=1&b=2` (form encoding). Empty segments (`&&`) are skipped; a name without `=`
    /// has an empty value. Stops with `DecodingError.tooManyParameters` before holding more than `limit` pairs in
    /// all, so that the work and memory a request costs are bounded before anything else looks at it.
    public mutating func parse(formEncoded text: String, limit: Int = .max) throws(PercentEncoding.DecodingError) {
        // Scanned as contiguous UTF-8 bytes: `&` and `=` are ASCII, and neither Character-level splitting
        // nor String index arithmetic is needed to find them.
        var text = text
        var failure: PercentEncoding.DecodingError?
        text.withUTF8 { bytes in
            do throws(PercentEncoding.DecodingError) { try parse(formEncoded: bytes, limit: limit) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// One pass over the bytes: each segment's `=` and whether it has escapes are noted on the way.
    private mutating func parse(formEncoded bytes: UnsafeBufferPointer<UInt8>, limit: Int) throws(PercentEncoding.DecodingError) {
        pairs.reserveCapacity(pairs.count + 16)
        keys.reserveCapacity(keys.count + 16)
        var start = 0
        var equals: Int?
        var escaped = false
        for index in 0...bytes.count {
            let byte = index < bytes.count ? bytes[index] : UInt8(ascii: "&")
            switch byte {
            case UInt8(ascii: "&"):
                if start != index {
                    guard pairs.count < limit else { throw .tooManyParameters(limit) }
                    let split = equals ?? index
                    let name = UnsafeBufferPointer(rebasing: bytes[start..<split])
                    let value = UnsafeBufferPointer(rebasing: bytes[min(split + 1, index)..<index])
                    let decodedName = try Self.component(name, escaped: escaped)
                    pairs.append((decodedName, equals == nil ? "" : try Self.component(value, escaped: escaped)))
                    // The key from the bytes at hand, unless escapes make the name's bytes differ from them.
                    keys.append(escaped ? Self.key(decodedName) : name.count << 8 | Int(name.first ?? 0))
                }
                start = index + 1
                equals = nil
                escaped = false
            case UInt8(ascii: "="):
                if equals == nil { equals = index }
            case UInt8(ascii: "%"), UInt8(ascii: "+"):
                escaped = true
            default:
                break
            }
        }
    }

    private static func component(_ bytes: UnsafeBufferPointer<UInt8>, escaped: Bool) throws(PercentEncoding.DecodingError)
        -> String
    {
        escaped ? try PercentEncoding.formDecode(bytes: bytes) : String(decoding: bytes, as: UTF8.self)
    }

    public mutating func append(_ name: String, _ value: String) {
        pairs.append((name, value))
        keys.append(Self.key(name))
    }

    /// The value of a parameter; when it was sent twice, the first (the query string's) wins.
    public subscript(name: String) -> String? {
        // Keys first: a request's names nearly all differ in length or first byte, and comparing keys costs no
        // look at the text (a service and the authenticator look up about twenty names a request).
        let key = Self.key(name)
        for index in keys.indices where keys[index] == key && pairs[index].name == name {
            return pairs[index].value
        }
        return nil
    }

    private static func key(_ name: String) -> Int {
        name.utf8.count << 8 | Int(name.utf8.first ?? 0)
    }

    /// The value, or nil when absent or empty: an empty optional parameter means "not given".
    public func nonEmpty(_ name: String) -> String? {
        guard let value = self[name], !value.isEmpty else { return nil }
        return value
    }
}
