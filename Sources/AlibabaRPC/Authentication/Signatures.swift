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
        /// The `SignedHeaders` names joined with `;`, empty names dropped: as the canonical request lists them.
        public var signedHeaderList: String
        public var signature: String

        /// The `SignedHeaders` names, in order.
        public var signedHeaders: [String] {
            signedHeaderList.split(separator: ";").map(String.init)
        }

        /// nil when the header is not of that form (the caller says what is wrong). Scanned as UTF-8 bytes:
        /// every delimiter is ASCII, and Character-level splitting cost a seventh of a V3 request.
        public init?(_ header: String) {
            var header = header
            guard let parsed = header.withUTF8(Self.parse) else { return nil }
            self = parsed
        }

        private init(algorithm: String, credential: String, signedHeaderList: String, signature: String) {
            self.algorithm = algorithm
            self.credential = credential
            self.signedHeaderList = signedHeaderList
            self.signature = signature
        }

        /// Whether `SignedHeaders` names `name` (lower case).
        func signs(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
            var list = signedHeaderList
            return list.withUTF8 { list in
                var start = 0
                for end in 0...list.count where end == list.count || list[end] == UInt8(ascii: ";") {
                    if end - start == name.count && SignatureV3.equal(name, at: start, in: list) { return true }
                    start = end + 1
                }
                return false
            }
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
            // `;`-separated names, empty ones skipped: the list is kept as sent unless it has any.
            let names = UnsafeBufferPointer(rebasing: bytes[signed])
            let hasEmptyName =
                names.first == UInt8(ascii: ";") || names.last == UInt8(ascii: ";")
                || zip(names, names.dropFirst()).contains { $0 == UInt8(ascii: ";") && $1 == UInt8(ascii: ";") }
            let list =
                hasEmptyName
                ? names.split(separator: UInt8(ascii: ";")).map { String(decoding: $0, as: UTF8.self) }.joined(separator: ";")
                : String(decoding: names, as: UTF8.self)
            guard !list.isEmpty else { return nil }
            return Authorization(
                algorithm: String(decoding: UnsafeBufferPointer(rebasing: bytes[..<space]), as: UTF8.self),
                credential: credential, signedHeaderList: list, signature: signature)
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
            decoding: CanonicalRequest(
                method: method, path: path, query: query, headers: HTTPHeaders(headers),
                signedHeaderList: signedHeaders.joined(separator: ";"), payloadHash: payloadHash
            ).bytes,
            as: UTF8.self)
    }

    /// The canonical request as the bytes that are hashed, built in one buffer, and what the pass over the signed
    /// names found on the way: which header fields are signed, and the first name that is not fit to be.
    struct CanonicalRequest {
        var bytes: [UInt8] = []
        /// Bit `i`: header field `i` is named in `SignedHeaders` (fields past the 64th are never marked).
        var signedFields: UInt64 = 0
        /// The first signed name in upper case or naming no header field.
        var unfitName: (name: String, inUpperCase: Bool)?

        init(
            method: String, path: String, query: [(name: String, value: String)], headers: HTTPHeaders,
            signedHeaderList: String, payloadHash: String
        ) {
            let newline = UInt8(ascii: "\n")
            bytes.reserveCapacity(1024)
            bytes.append(contentsOf: method.utf8)
            bytes.append(newline)
            if path.isEmpty { bytes.append(UInt8(ascii: "/")) } else { bytes.append(contentsOf: path.utf8) }
            bytes.append(newline)
            PercentEncoding.CanonicalQuery.append(query, including: { _ in true }, to: &bytes, encodedOnceMore: false)
            bytes.append(newline)
            var list = signedHeaderList
            list.withUTF8 { list in
                guard !list.isEmpty else { return }
                var start = 0
                for end in 0...list.count where end == list.count || list[end] == UInt8(ascii: ";") {
                    appendHeader(UnsafeBufferPointer(rebasing: list[start..<end]), of: headers)
                    start = end + 1
                }
            }
            bytes.append(newline)
            bytes.append(contentsOf: signedHeaderList.utf8)
            bytes.append(newline)
            bytes.append(contentsOf: payloadHash.utf8)
        }

        /// `name:value` and a newline; a value sent more than once is its trimmed values, sorted, joined with commas.
        private mutating func appendHeader(_ name: UnsafeBufferPointer<UInt8>, of headers: HTTPHeaders) {
            bytes.append(contentsOf: name)
            bytes.append(UInt8(ascii: ":"))
            let found = headers.find(name)
            // A name in upper case still finds its value here, but signs nothing.
            let inUpperCase = name.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
            if unfitName == nil && (inUpperCase || found.index == nil) {
                unfitName = (String(decoding: name, as: UTF8.self), inUpperCase)
            }
            switch found {
            case (nil, _): break
            case (let index?, false):  // the usual case: sent once
                if index < 64 && !inUpperCase { signedFields |= 1 << index }
                headers.withValueBytes(at: index) { appendTrimmed($0, to: &bytes) }
            case (_, true):
                let indices = headers.indices(of: String(decoding: name, as: UTF8.self))
                for index in indices where index < 64 && !inUpperCase { signedFields |= 1 << index }
                let values = indices.map { index in
                    var trimmed: [UInt8] = []
                    headers.withValueBytes(at: index) { appendTrimmed($0, to: &trimmed) }
                    return String(decoding: trimmed, as: UTF8.self)
                }
                bytes.append(contentsOf: values.sorted().joined(separator: ",").utf8)
            }
            bytes.append(UInt8(ascii: "\n"))
        }
    }

    /// Whether `name` is the bytes at `start` in `bytes` (the lengths are known to be enough).
    static func equal(_ name: UnsafeBufferPointer<UInt8>, at start: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var offset = 0
        while offset < name.count {
            if name[offset] != bytes[start + offset] { return false }
            offset += 1
        }
        return true
    }

    /// Appends `value` without its leading and trailing spaces and tabs.
    private static func appendTrimmed(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[first...last]))
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


    static func hex(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2)
        bytes.withUnsafeBytes { appendHex($0, to: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Over raw bytes: iterating a CryptoKit digest as a `Sequence` costs a hundred instructions a byte.
    /// Written into scratch memory and appended once: appended a digit at a time (with the digits in a global
    /// table) it cost 50 instructions a byte, 3,400 a V3 request.
    private static func appendHex(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count * 2) { digits in
            for index in 0..<bytes.count {
                digits[2 * index] = hexDigit(bytes[index] >> 4)
                digits[2 * index + 1] = hexDigit(bytes[index] & 0x0F)
            }
            output.append(contentsOf: UnsafeBufferPointer(digits))
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") - 10 + value
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
