import Synchronization

/// One call as a product service sees it: no HTTP, only the action, its parameters, who is
/// calling and when.
public struct RPCCall: Sendable {
    public let action: String
    public let parameters: RPCParameters
    /// The access key the request names (`AccessKeyId`, or the V3 `Credential`); not verified yet.
    public let accessKeyId: String?
    /// The account the access key maps to.
    public let accountId: String
    /// The clock's reading for this request (ms since the epoch, UTC): when the call takes effect (see
    /// `RPCGateway.execute`).
    public internal(set) var now: Int64

    public init(action: String, parameters: RPCParameters, accessKeyId: String? = nil, accountId: String, now: Int64) {
        self.action = action
        self.parameters = parameters
        self.accessKeyId = accessKeyId
        self.accountId = accountId
        self.now = now
    }

    /// A mandatory parameter, or `Missing<Name>`; an empty value counts as absent.
    public func required(_ name: String) throws(APIError) -> String {
        guard let value = parameters.nonEmpty(name) else { throw APIError.missing(name) }
        return value
    }

    /// An optional parameter; nil when absent or empty.
    public func optional(_ name: String) -> String? { parameters.nonEmpty(name) }

    /// An optional whole-number parameter (paging and the like): `fallback` when absent, `error` when it
    /// is not a number that `isValid` accepts.
    public func integer(
        _ name: String, default fallback: Int, otherwise error: APIError, isValid: (Int) -> Bool
    ) throws(APIError) -> Int {
        guard let text = optional(name) else { return fallback }
        guard let number = Int(text), isValid(number) else { throw error }
        return number
    }
}

/// A product's API (one `Version`): the actions it implements. Its replies are the fields after
/// `RequestId`, which the gateway adds.
public protocol RPCService: AnyObject, Sendable {
    /// The product code of error `Recommend` links (`Rds`, `Dds`).
    var productCode: String { get }
    var version: String { get }
    /// The public endpoint, named as `HostId` when a request carries no `Host` header.
    var endpoint: String { get }
    /// The first labels of the product's endpoint names in the SDKs' endpoint tables (`rds` of
    /// `rds.cn-hangzhou.aliyuncs.com`; each also with a network, `rds-vpc`): a request for such a host is for this
    /// product, whatever its `Version`.
    var endpointLabels: [String] { get }
    func implements(_ action: String) -> Bool
    /// Every action of the product's real API, emulated or not, in byte order: an action here that `implements`
    /// refuses answers 501 `NotImplemented.ByEmulator`, any other name `InvalidAction.NotFound`.
    var apiActions: [String] { get }
    func perform(_ call: RPCCall) throws -> [RPCValue.Field]
}

/// Request ids in the API's form: an upper-case UUID (version 4). They need to be unique, not secret, so a
/// fast generator seeded once from the system's stands in for a system call per request.
public enum RequestID {
    private static let hex = Array("0123456789ABCDEF".utf8)
    /// One generator per thread: request ids are made on the loop thread (and by tests, on others).
    private static let generator = Mutex(Xoshiro256())

    public static func make() -> String {
        var (high, low) = generator.withLock { ($0.next(), $0.next()) }
        high = (high & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000  // version 4
        low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000  // RFC 4122 variant
        // Written straight into the string's storage: 32 hex digits and 4 dashes.
        let hex = Self.hex
        return String(unsafeUninitializedCapacity: 36) { bytes in
            var count = 0
            func put(_ byte: UInt8) {
                bytes[count] = byte
                count += 1
            }
            for (index, shift) in stride(from: 60, through: 0, by: -4).enumerated() {
                if index == 8 || index == 12 { put(UInt8(ascii: "-")) }
                put(hex[Int((high >> UInt64(shift)) & 0xF)])
            }
            for (index, shift) in stride(from: 60, through: 0, by: -4).enumerated() {
                if index == 0 || index == 4 { put(UInt8(ascii: "-")) }
                put(hex[Int((low >> UInt64(shift)) & 0xF)])
            }
            return count
        }
    }
}

/// xoshiro256**: fast, well-distributed, seeded once from the system's generator.
struct Xoshiro256: RandomNumberGenerator {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    init() {
        var system = SystemRandomNumberGenerator()
        state = (system.next() | 1, system.next(), system.next(), system.next())
    }

    mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 { (value << count) | (value >> (64 - count)) }
}
