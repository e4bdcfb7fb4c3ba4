import Crypto

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
            authenticate(stringToSign, with: keyed).withUnsafeBytes { Base64.encode($0) }
        }

        /// Whether `signature` is the signature of `stringToSign`, compared in constant time; makes no string.
        func verifies(_ signature: String, of stringToSign: [UInt8]) -> Bool {
            var mac = keyed
            stringToSign.withUnsafeBytes { mac.update(data: $0) }
            return mac.finalize().withUnsafeBytes { Base64.matches(signature, $0) }
        }
    }
}

/// The HMAC of `text` under a copy of the keyed state `keyed` (both versions sign this way).
func authenticate<H: HashFunction>(_ text: String, with keyed: HMAC<H>) -> HashedAuthenticationCode<H> {
    var mac = keyed
    var text = text
    text.withUTF8 { mac.update(data: UnsafeRawBufferPointer($0)) }
    return mac.finalize()
}
