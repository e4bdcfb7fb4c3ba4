import EmulatorTransport

/// What a request's `Host` says about the product it is for, read as Alibaba Cloud's gateways read it: an endpoint
/// name of a product (`rds.aliyuncs.com`, `mongodb.cn-shanghai.aliyuncs.com`, `rds-vpc.cn-hangzhou-finance.aliyuncs.com`)
/// serves that product only. Any other name (an IP address, `localhost`, a container's name) says nothing, and
/// `Version` alone decides (docs/behaviour.md §1).
struct Endpoints: Sendable {
    /// What the host names.
    enum Match {
        /// Not an Alibaba Cloud endpoint name.
        case none
        /// An endpoint of an emulated product.
        case service(any RPCService)
        /// An endpoint of another product; its code (`Ecs`) is read from the host when a reply needs it.
        case otherProduct
    }

    private struct Entry: Sendable {
        /// A first label of the product's endpoint names, in lower case (`rds`, `mongodb`, `dds`).
        let label: [UInt8]
        let service: any RPCService
    }

    private let entries: [Entry]

    /// Every Alibaba Cloud endpoint name ends so (`rds.aliyuncs.com`, `rds.cn-hangzhou.aliyuncs.com`).
    private static let domain: StaticString = ".aliyuncs.com"
    /// A DNS label is at most 63 bytes: a longer first label is no endpoint's.
    private static let longestLabel = 63

    init(services: some Sequence<any RPCService>) {
        entries = services.flatMap { service in
            service.endpointLabels.map { Entry(label: Array($0.lowercased().utf8), service: service) }
        }
    }

    /// What `host` (a `Host` header's value) names. Over bytes and allocation-free: every request asks.
    func match(_ host: UnsafeBufferPointer<UInt8>) -> Match {
        guard let label = Self.firstLabel(of: host) else { return .none }
        for entry in entries {
            // The label itself, or the label and a network (`rds-vpc`, `mongodb-share`), as the SDKs form names.
            let count = entry.label.count
            guard label.count == count || (label.count > count && host[count] == UInt8(ascii: "-")) else { continue }
            let same = entry.label.withUnsafeBufferPointer { ASCII.equalFolded(UnsafeBufferPointer(rebasing: host[..<count]), at: 0, in: $0) }
            if same { return .service(entry.service) }
        }
        return .otherProduct
    }

    /// The product code a reply names for an endpoint of a product the emulator lacks: the host's first label in
    /// lower case without a `-vpc` network, first letter capitalised, the form of product codes (`Ecs`,
    /// `R-kvstore`).
    static func productCode(ofHost host: String) -> String {
        var host = host
        let label = host.withUTF8 { firstLabel(of: $0).map { String(decoding: $0, as: UTF8.self) } } ?? host
        var code = label.lowercased()
        if code.hasSuffix("-vpc"), code.utf8.count > 4 { code.removeLast(4) }
        return code.prefix(1).uppercased() + code.dropFirst()
    }

    /// The first label of an Alibaba Cloud endpoint name (`rds` of `rds.cn-hangzhou.aliyuncs.com:443`); nil when
    /// `host` is no such name. The port and a final dot are not part of the name; an IP literal (`[::1]`) is not one.
    private static func firstLabel(of host: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        var end = 0
        while end < host.count && host[end] != UInt8(ascii: ":") { end += 1 }
        if end > 0 && host[end - 1] == UInt8(ascii: ".") { end -= 1 }
        let suffix = domain.utf8CodeUnitCount
        guard end > suffix else { return nil }
        let isEndpoint = domain.withUTF8Buffer { ASCII.equalFolded(UnsafeBufferPointer(rebasing: host[(end - suffix)..<end]), at: 0, in: $0) }
        guard isEndpoint else { return nil }
        var labelEnd = 0
        while labelEnd < end && host[labelEnd] != UInt8(ascii: ".") {
            // Letters, digits and hyphens only: anything else is not a host name (a `[` starts an IPv6 literal).
            let byte = ASCII.lowercased(host[labelEnd])
            guard (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-")
            else { return nil }
            labelEnd += 1
        }
        guard labelEnd > 0, labelEnd <= longestLabel else { return nil }
        return UnsafeBufferPointer(rebasing: host[..<labelEnd])
    }
}
