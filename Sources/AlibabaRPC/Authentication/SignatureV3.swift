import Crypto
import EmulatorTransport

/// Signature V3 (`ACS3-HMAC-SHA256`), alibaba-api.md §4.2.
public enum SignatureV3 {
    public static let algorithm = "ACS3-HMAC-SHA256"
    public static let emptyBodyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// The most names `SignedHeaders` may list. SDKs sign the `x-acs-*` headers, `host` and `content-type`: about
    /// ten. The bound keeps the canonical request's cost (a scan of the header fields per name) linear in the request.
    public static let signedHeaderLimit = 64

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

        /// Why the `SignedHeaders` list is not one an SDK makes, if it is not: more names than the limit, or names
        /// not in strictly ascending byte order (SDKs sort them, so a name listed twice is never sent either).
        /// Checked before the canonical request is built, whose cost grows with the names.
        public var signedHeaderListProblem: String? {
            var list = signedHeaderList
            return list.withUTF8 { list in
                var count = 0
                var previous = 0..<0
                var start = 0
                for end in 0...list.count where end == list.count || list[end] == UInt8(ascii: ";") {
                    count += 1
                    if count > SignatureV3.signedHeaderLimit {
                        return "SignedHeaders may name at most \(SignatureV3.signedHeaderLimit) headers."
                    }
                    if count > 1, ASCII.order(list, previous, start..<end) >= 0 {
                        let name = { (range: Range<Int>) in String(decoding: UnsafeBufferPointer(rebasing: list[range]), as: UTF8.self) }
                        return previous.count == end - start && ASCII.equal(UnsafeBufferPointer(rebasing: list[previous]), at: start, in: list)
                            ? "SignedHeaders names \(name(previous)) twice."
                            : "SignedHeaders must list its names in ascending order: \(name(start..<end)) comes after \(name(previous))."
                    }
                    previous = start..<end
                    start = end + 1
                }
                return nil
            }
        }

        /// Whether `SignedHeaders` names `name` (lower case).
        func signs(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
            var list = signedHeaderList
            return list.withUTF8 { list in
                var start = 0
                for end in 0...list.count where end == list.count || list[end] == UInt8(ascii: ";") {
                    if end - start == name.count && ASCII.equal(name, at: start, in: list) { return true }
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
                let field = ASCII.trimmed(bytes, start..<end)
                guard let equals = bytes[field].firstIndex(of: UInt8(ascii: "=")) else { return nil }
                let value = (equals + 1)..<field.upperBound
                if ASCII.equal(bytes, field.lowerBound..<equals, "Credential") {
                    credential = String(decoding: UnsafeBufferPointer(rebasing: bytes[value]), as: UTF8.self)
                } else if ASCII.equal(bytes, field.lowerBound..<equals, "SignedHeaders") {
                    signed = value
                } else if ASCII.equal(bytes, field.lowerBound..<equals, "Signature") {
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

        /// Costs a scan of the header fields per signed name, and a copy of each signed value: the caller bounds
        /// both by checking `Authorization.signedHeaderListProblem` first (no name twice, at most the limit).
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
            // A name in upper case still finds its value here, but signs nothing. (A closure, not the function itself:
            // passed as a value, the function was called for every byte, 560 instructions a request.)
            let inUpperCase = name.contains { ASCII.isUpperCaseLetter($0) }
            if unfitName == nil && (inUpperCase || found.index == nil) {
                unfitName = (String(decoding: name, as: UTF8.self), inUpperCase)
            }
            switch found {
            case (nil, _): break
            case (let index?, false):  // the usual case: sent once
                if index < 64 && !inUpperCase { signedFields |= 1 << index }
                headers.withValueBytes(at: index) { bytes.append(contentsOf: ASCII.trimmed($0)) }
            case (_, true):
                let indices = headers.indices(of: String(decoding: name, as: UTF8.self))
                for index in indices where index < 64 && !inUpperCase { signedFields |= 1 << index }
                let values = indices.map { index in
                    headers.withValueBytes(at: index) { String(decoding: ASCII.trimmed($0), as: UTF8.self) }
                }
                bytes.append(contentsOf: values.sorted().joined(separator: ",").utf8)
            }
            bytes.append(UInt8(ascii: "\n"))
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
        SHA256.hash(data: canonicalRequest).withUnsafeBytes { Hex.appendLower($0, to: &output) }
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
            Hex.lower(Array(authenticate(stringToSign, with: keyed)))
        }

        /// Whether `signature` (hex, either case) is the signature of `stringToSign`, compared in constant time;
        /// makes no string.
        func verifies(_ signature: String, of stringToSign: [UInt8]) -> Bool {
            var mac = keyed
            stringToSign.withUnsafeBytes { mac.update(data: $0) }
            var expected: [UInt8] = []
            expected.reserveCapacity(64)
            mac.finalize().withUnsafeBytes { Hex.appendLower($0, to: &expected) }
            var signature = signature
            return signature.withUTF8 { received in
                expected.withUnsafeBufferPointer { ConstantTime.equalHex(received, $0) }
            }
        }
    }

    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        Hex.lower(Array(SHA256.hash(data: bytes)))
    }
}
