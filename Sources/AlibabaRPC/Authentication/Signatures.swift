import Crypto
import EmulatorTransport

/// Signature V1 ("RPC signature", `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`), alibaba-api.md §4.1.
public enum SignatureV1 {
    /// `METHOD&%2F&<encoded canonical query>` over every parameter but `Signature`, empty ones included,
    /// sorted by encoded name.
    public static func stringToSign(method: String, parameters: [(name: String, value: String)]) -> String {
        String(decoding: stringToSignBytes(method: method, parameters: parameters), as: UTF8.self)
    }

    /// `stringToSign` as the bytes that are signed (the authenticator makes text of it only for an error).
    static func stringToSignBytes(method: String, parameters: [(name: String, value: String)]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(1024)
        output.append(contentsOf: method.utf8)
        output.append(contentsOf: "&%2F&".utf8)
        PercentEncoding.CanonicalQuery.append(parameters, including: { $0 != "Signature" }, to: &output, encodedOnceMore: true)
        return output
    }

    /// Base64 of HMAC-SHA1 keyed with `secret&`.
    public static func signature(stringToSign: String, secret: String) -> String {
        Signer(secret: secret).signature(stringToSign: stringToSign)
    }

    /// HMAC-SHA1 keyed once per access key: the keyed state is copied for each request, so the key
    /// is not hashed into it again every time.
    public struct Signer: @unchecked Sendable {
        // @unchecked: an HMAC value is copied before each use and never shared mutably.
        private let keyed: HMAC<Insecure.SHA1>

        public init(secret: String) {
            keyed = HMAC(key: SymmetricKey(data: Array((secret + "&").utf8)))
        }

        public func signature(stringToSign: String) -> String {
            Base64.encode(Array(authenticate(stringToSign, with: keyed)))
        }

        /// Whether `signature` is the signature of `stringToSign`; compares bytes, makes no string.
        func verifies(_ signature: String, of stringToSign: [UInt8]) -> Bool {
            var mac = keyed
            stringToSign.withUnsafeBytes { mac.update(data: $0) }
            return mac.finalize().withUnsafeBytes { Base64.matches(signature, $0) }
        }
    }
}

/// The HMAC of `text` under a copy of the keyed state `keyed`.
private func authenticate<H: HashFunction>(_ text: String, with keyed: HMAC<H>) -> HashedAuthenticationCode<H> {
    var mac = keyed
    var text = text
    text.withUTF8 { mac.update(data: UnsafeRawBufferPointer($0)) }
    return mac.finalize()
}

/// Signature V3 (`ACS3-HMAC-SHA256`), alibaba-api.md §4.2.
public enum SignatureV3 {
    public static let algorithm = "ACS3-HMAC-SHA256"
    public static let emptyBodyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The parts of an `Authorization: ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…` header.
    public struct Authorization: Equatable, Sendable {
        public var algorithm: String
        public var credential: String
        public var signedHeaders: [String]
        public var signature: String

        /// nil when the header is not of that form (the caller says what is wrong). Scanned as UTF-8 bytes:
        /// every delimiter is ASCII, and Character-level splitting cost a seventh of a V3 request.
        public init?(_ header: String) {
            var header = header
            guard let parsed = header.withUTF8(Self.parse) else { return nil }
            self = parsed
        }

        private init(algorithm: String, credential: String, signedHeaders: [String], signature: String) {
            self.algorithm = algorithm
            self.credential = credential
            self.signedHeaders = signedHeaders
            self.signature = signature
        }

        /// One pass over the bytes, fields found by index: splitting into arrays of slices and comparing names
        /// through generic `elementsEqual` cost about 10,000 instructions a V3 request.
        private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Authorization? {
            guard let space = bytes.firstIndex(of: UInt8(ascii: " ")) else { return nil }
            var credential: String?
            var signed: Range<Int>?
            var signature: String?
            // `,`-separated `name=value` fields, spaces and tabs around each ignored, empty ones skipped; a later
            // field wins.
            var start = space + 1
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: ",") { end += 1 }
                defer { start = end + 1 }
                if end == start { continue }
                var low = start
                var high = end
                while low < high && isSpace(bytes[low]) { low += 1 }
                while high > low && isSpace(bytes[high - 1]) { high -= 1 }
                var equals = low
                while equals < high && bytes[equals] != UInt8(ascii: "=") { equals += 1 }
                guard equals < high else { return nil }
                let value = (equals + 1)..<high
                if matches(bytes, low..<equals, "Credential") {
                    credential = String(decoding: UnsafeBufferPointer(rebasing: bytes[value]), as: UTF8.self)
                } else if matches(bytes, low..<equals, "SignedHeaders") {
                    signed = value
                } else if matches(bytes, low..<equals, "Signature") {
                    signature = String(decoding: UnsafeBufferPointer(rebasing: bytes[value]), as: UTF8.self)
                }
            }
            guard let credential, !credential.isEmpty, let signed, !signed.isEmpty, let signature, !signature.isEmpty
            else { return nil }
            // `;`-separated names, empty ones skipped.
            var signedHeaders: [String] = []
            signedHeaders.reserveCapacity(12)
            var name = signed.lowerBound
            for index in signed.lowerBound...signed.upperBound where index == signed.upperBound || bytes[index] == UInt8(ascii: ";") {
                if index > name {
                    signedHeaders.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[name..<index]), as: UTF8.self))
                }
                name = index + 1
            }
            return Authorization(
                algorithm: String(decoding: UnsafeBufferPointer(rebasing: bytes[..<space]), as: UTF8.self),
                credential: credential, signedHeaders: signedHeaders, signature: signature)
        }

        private static func isSpace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

        /// Whether `bytes[range]` is `name` (ASCII), compared byte by byte.
        private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ name: StaticString) -> Bool {
            guard range.count == name.utf8CodeUnitCount else { return false }
            let expected = name.utf8Start
            for offset in 0..<range.count where bytes[range.lowerBound + offset] != expected[offset] { return false }
            return true
        }
    }

    /// The canonical request, rebuilt from exactly the headers `signedHeaders` names.
    public static func canonicalRequest(
        method: String, path: String, query: [(name: String, value: String)],
        headers: [(name: String, value: String)], signedHeaders: [String], payloadHash: String
    ) -> String {
        String(
            decoding: canonicalRequestBytes(
                method: method, path: path, query: query, headers: LowerCaseHeaders(headers),
                signedHeaders: signedHeaders, payloadHash: payloadHash),
            as: UTF8.self)
    }

    /// `canonicalRequest` as the bytes that are hashed, built in one buffer (no string per header).
    static func canonicalRequestBytes(
        method: String, path: String, query: [(name: String, value: String)], headers: LowerCaseHeaders,
        signedHeaders: [String], payloadHash: String
    ) -> [UInt8] {
        let newline = UInt8(ascii: "\n")
        var output: [UInt8] = []
        output.reserveCapacity(1024)
        output.append(contentsOf: method.utf8)
        output.append(newline)
        if path.isEmpty { output.append(UInt8(ascii: "/")) } else { output.append(contentsOf: path.utf8) }
        output.append(newline)
        PercentEncoding.CanonicalQuery.append(query, including: { _ in true }, to: &output, encodedOnceMore: false)
        output.append(newline)
        for name in signedHeaders {
            output.append(contentsOf: name.utf8)
            output.append(UInt8(ascii: ":"))
            let name = LowerCaseHeaders.lowerCased(name)
            switch headers.firstValue(of: name) {
            case (nil, _): break
            case (let value?, false): appendTrimmed(value, to: &output)  // the usual case: sent once
            case (_, true):
                // Sent more than once: the trimmed values, sorted, joined with commas.
                let values = headers.values(of: name).map { value in
                    var trimmed: [UInt8] = []
                    appendTrimmed(value, to: &trimmed)
                    return String(decoding: trimmed, as: UTF8.self)
                }
                output.append(contentsOf: values.sorted().joined(separator: ",").utf8)
            }
            output.append(newline)
        }
        output.append(newline)
        for (index, name) in signedHeaders.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ";")) }
            output.append(contentsOf: name.utf8)
        }
        output.append(newline)
        output.append(contentsOf: payloadHash.utf8)
        return output
    }

    /// Appends `value` without its leading and trailing spaces and tabs.
    private static func appendTrimmed(_ value: String, to output: inout [UInt8]) {
        var value = value
        value.withUTF8 { bytes in
            let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
            guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
            else { return }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[first...last]))
        }
    }

    public static func stringToSign(canonicalRequest: String) -> String {
        String(decoding: stringToSignBytes(canonicalRequest: Array(canonicalRequest.utf8)), as: UTF8.self)
    }

    /// `ACS3-HMAC-SHA256`, a newline and the lower-case hex SHA-256 of the canonical request.
    static func stringToSignBytes(canonicalRequest: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(algorithm.utf8.count + 1 + 64)
        output.append(contentsOf: algorithm.utf8)
        output.append(UInt8(ascii: "\n"))
        SHA256.hash(data: canonicalRequest).withUnsafeBytes { appendHex($0, to: &output) }
        return output
    }

    /// Lower-case hex of HMAC-SHA256 keyed with the secret itself.
    public static func signature(stringToSign: String, secret: String) -> String {
        Signer(secret: secret).signature(stringToSign: stringToSign)
    }

    /// HMAC-SHA256 keyed once per access key (see `SignatureV1.Signer`).
    public struct Signer: @unchecked Sendable {
        // @unchecked: an HMAC value is copied before each use and never shared mutably.
        private let keyed: HMAC<SHA256>

        public init(secret: String) {
            keyed = HMAC(key: SymmetricKey(data: Array(secret.utf8)))
        }

        public func signature(stringToSign: String) -> String {
            hex(Array(authenticate(stringToSign, with: keyed)))
        }

        /// Whether `signature` (hex, either case) is the signature of `stringToSign`; makes no string.
        func verifies(_ signature: String, of stringToSign: [UInt8]) -> Bool {
            var mac = keyed
            stringToSign.withUnsafeBytes { mac.update(data: $0) }
            var expected: [UInt8] = []
            expected.reserveCapacity(64)
            mac.finalize().withUnsafeBytes { appendHex($0, to: &expected) }
            var signature = signature
            return signature.withUTF8 { received in
                guard received.count == expected.count else { return false }
                for index in 0..<received.count where received[index] != expected[index] {
                    // Upper-case hex is the same signature.
                    let byte = received[index]
                    guard byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "F"), byte | 0x20 == expected[index] else { return false }
                }
                return true
            }
        }
    }

    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        hex(Array(SHA256.hash(data: bytes)))
    }

    private static let digits = Array("0123456789abcdef".utf8)

    static func hex(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2)
        bytes.withUnsafeBytes { appendHex($0, to: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Over raw bytes: iterating a CryptoKit digest as a `Sequence` costs a hundred instructions a byte.
    private static func appendHex(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
    }
}

extension PercentEncoding {
    /// `name=value` pairs, each side encoded, sorted by encoded name (then value), joined with `&`:
    /// the canonical query of both signature versions.
    static func canonicalQuery(_ pairs: [(name: String, value: String)]) -> String {
        var output: [UInt8] = []
        CanonicalQuery.append(pairs, including: { _ in true }, to: &output, encodedOnceMore: false)
        return String(decoding: output, as: UTF8.self)
    }

    /// The canonical query, built in scratch memory (no string per pair, no array to allocate) and appended to a
    /// buffer. Bytes are written through buffer pointers, within sizes computed first: appending to an array byte
    /// by byte cost three times as much, and making an array of bytes in this module goes through the standard
    /// library's unspecialised path (generic metadata looked up, about 500 instructions an array). V1 signs a
    /// dozen pairs on every request.
    enum CanonicalQuery {
        /// Where a pair's encoded name and value are in the scratch bytes (its value starts where its name ends).
        private struct Entry {
            var nameStart: Int
            var nameEnd: Int
            var valueEnd: Int
        }

        /// Appends `name=value&…` for the pairs `including` accepts. `encodedOnceMore` (V1's string to sign)
        /// percent-encodes it all again: `%` becomes `%25`, `=` `%3D` and `&` `%26` (no other byte of an encoded
        /// query needs it).
        static func append(
            _ pairs: [(name: String, value: String)], including: (String) -> Bool, to output: inout [UInt8],
            encodedOnceMore: Bool
        ) {
            var capacity = 0
            for pair in pairs { capacity += (pair.name.utf8.count + pair.value.utf8.count) * 3 }
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, capacity)) { scratch in
                withUnsafeTemporaryAllocation(of: Entry.self, capacity: max(1, pairs.count)) { entries in
                    var count = 0
                    var used = 0
                    for pair in pairs where including(pair.name) {
                        let start = used
                        used = encode(pair.name, into: scratch, at: used)
                        let middle = used
                        used = encode(pair.value, into: scratch, at: used)
                        entries.initializeElement(at: count, to: Entry(nameStart: start, nameEnd: middle, valueEnd: used))
                        count += 1
                    }
                    let bytes = UnsafeBufferPointer(rebasing: scratch[..<used])
                    // Insertion sort: a dozen entries, most of them already in order as SDKs send them.
                    for index in 1..<max(1, count) {
                        let entry = entries[index]
                        var position = index
                        while position > 0, precedes(entry, entries[position - 1], in: bytes) {
                            entries[position] = entries[position - 1]
                            position -= 1
                        }
                        entries[position] = entry
                    }
                    write(UnsafeBufferPointer(rebasing: entries[..<count]), of: bytes, to: &output, encodedOnceMore: encodedOnceMore)
                }
            }
        }

        /// Writes `text` percent-encoded at `offset`; returns the offset after it. `buffer` has room for three
        /// bytes per byte of text.
        private static func encode(_ text: String, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) -> Int {
            var text = text
            return text.withUTF8 { source in
                var end = offset
                for byte in source {
                    if PercentEncoding.isUnreservedByMask(byte) {
                        buffer[end] = byte
                        end += 1
                    } else {
                        buffer[end] = UInt8(ascii: "%")
                        buffer[end + 1] = PercentEncoding.upperHexDigit(byte >> 4)
                        buffer[end + 2] = PercentEncoding.upperHexDigit(byte & 0x0F)
                        end += 3
                    }
                }
                return end
            }
        }

        /// Canonical order: by encoded name, then encoded value, byte-wise.
        private static func precedes(_ left: Entry, _ right: Entry, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            let byName = order(bytes, left.nameStart..<left.nameEnd, right.nameStart..<right.nameEnd)
            if byName != 0 { return byName < 0 }
            return order(bytes, left.nameEnd..<left.valueEnd, right.nameEnd..<right.valueEnd) < 0
        }

        /// Byte-wise order of two ranges of `bytes`: negative, zero or positive.
        private static func order(_ bytes: UnsafeBufferPointer<UInt8>, _ left: Range<Int>, _ right: Range<Int>) -> Int {
            for offset in 0..<min(left.count, right.count) {
                let a = bytes[left.lowerBound + offset]
                let b = bytes[right.lowerBound + offset]
                if a != b { return Int(a) - Int(b) }
            }
            return left.count - right.count
        }

        private static func write(
            _ entries: UnsafeBufferPointer<Entry>, of bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8],
            encodedOnceMore: Bool
        ) {
            // Written in scratch memory with room for every byte escaped once more, then copied whole: zeroing
            // room at the end of `output` went byte by byte.
            let room = (bytes.count + entries.count * 2) * 3
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, room)) { buffer in
                var count = 0
                for (index, entry) in entries.enumerated() {
                    if index > 0 { count = put(UInt8(ascii: "&"), encoded: encodedOnceMore, into: buffer, at: count) }
                    count = copy(bytes, entry.nameStart..<entry.nameEnd, encoded: encodedOnceMore, into: buffer, at: count)
                    count = put(UInt8(ascii: "="), encoded: encodedOnceMore, into: buffer, at: count)
                    count = copy(bytes, entry.nameEnd..<entry.valueEnd, encoded: encodedOnceMore, into: buffer, at: count)
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<count]))
            }
        }

        private static func put(_ byte: UInt8, encoded: Bool, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int)
            -> Int
        {
            guard encoded else {
                buffer[offset] = byte
                return offset + 1
            }
            buffer[offset] = UInt8(ascii: "%")
            buffer[offset + 1] = PercentEncoding.upperHexDigit(byte >> 4)
            buffer[offset + 2] = PercentEncoding.upperHexDigit(byte & 0x0F)
            return offset + 3
        }

        private static func copy(
            _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, encoded: Bool, into buffer: UnsafeMutableBufferPointer<UInt8>,
            at offset: Int
        ) -> Int {
            var end = offset
            for index in range {
                let byte = bytes[index]
                if encoded && byte == UInt8(ascii: "%") {
                    buffer[end] = UInt8(ascii: "%")
                    buffer[end + 1] = UInt8(ascii: "2")
                    buffer[end + 2] = UInt8(ascii: "5")
                    end += 3
                } else {
                    buffer[end] = byte
                    end += 1
                }
            }
            return end
        }
    }
}

/// Standard Base64 with padding (RFC 4648 §4), for V1 signatures.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Whether `text` is the encoding of `bytes`, checked without building it.
    static func matches(_ text: String, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard text.utf8.count == (bytes.count + 2) / 3 * 4 else { return false }
        var text = text
        // Over the text's contiguous bytes: `String.UTF8View`'s iterator cost sixty instructions a symbol.
        return text.withUTF8 { expected in
            alphabet.withUnsafeBufferPointer { alphabet in
                var index = 0
                var offset = 0
                while index < bytes.count {
                    let count = min(3, bytes.count - index)
                    var value = UInt32(bytes[index]) << 16
                    if count > 1 { value |= UInt32(bytes[index + 1]) << 8 }
                    if count > 2 { value |= UInt32(bytes[index + 2]) }
                    for position in 0..<4 {
                        let symbol =
                            position <= count ? alphabet[Int((value >> (18 - 6 * UInt32(position))) & 0x3F)] : UInt8(ascii: "=")
                        guard expected[offset] == symbol else { return false }
                        offset += 1
                    }
                    index += 3
                }
                return true
            }
        }
    }

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
            for position in 0..<4 {
                output.append(
                    position <= chunk.count ? alphabet[Int((value >> (18 - 6 * UInt32(position))) & 0x3F)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// A request's headers with their names in lower case, made once per V3 request: V3 looks a dozen headers up,
/// and lower-case names compare as bytes.
struct LowerCaseHeaders {
    private let entries: [(name: String, value: String)]

    init(_ headers: [(name: String, value: String)]) {
        entries = headers.map { (Self.lowerCased($0.name), $0.value) }
    }

    /// The name in lower case; the same string, not a copy, when it already is (as SDKs send `x-acs-*` names).
    static func lowerCased(_ name: String) -> String {
        name.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") } ? name.lowercased() : name
    }

    /// The first value of the header named `name` (lower case).
    func value(of name: String) -> String? {
        entries.first { Self.same($0.name, name) }?.value
    }

    /// The first value of the header named `name` (lower case), and whether it was sent more than once: one pass.
    func firstValue(of name: String) -> (value: String?, repeated: Bool) {
        var first: String?
        for entry in entries where Self.same(entry.name, name) {
            if first != nil { return (first, true) }
            first = entry.value
        }
        return (first, false)
    }

    func values(of name: String) -> [String] {
        entries.filter { Self.same($0.name, name) }.map(\.value)
    }

    /// String equality, told apart by length first: most names compared differ in length, and `==` on two
    /// strings of over 15 bytes otherwise takes the general comparison path (measured: 50 instructions a call).
    static func same(_ left: String, _ right: String) -> Bool {
        left.utf8.count == right.utf8.count && left == right
    }
}
