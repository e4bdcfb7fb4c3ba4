/// Percent-encoding as Alibaba's RPC gateway reads and signs it.
public enum PercentEncoding {
    public struct DecodingError: Error, Equatable {
        /// What was wrong, for the error message (e.g. `"%ZZ" is not a valid percent-escape`).
        public let reason: String

        /// More pairs than the caller reads (`RPCParameters.parse(formEncoded:limit:)`).
        public static func tooManyParameters(_ limit: Int) -> DecodingError {
            DecodingError(reason: "it has more than \(limit) parameters")
        }
    }

    /// Decodes one `application/x-www-form-urlencoded` component: `+` is a space, `%XY` a byte;
    /// the bytes must form UTF-8. A `%` not followed by two hex digits is an error, not a literal.
    public static func formDecode<S: StringProtocol>(_ text: S) throws(DecodingError) -> String {
        var text = String(text)
        // withUTF8 rethrows untyped errors: the typed one is carried out by hand.
        var failure: DecodingError?
        let decoded = text.withUTF8 { bytes -> String? in
            do throws(DecodingError) { return try formDecode(bytes: bytes) } catch { failure = error }
            return nil
        }
        if let failure { throw failure }
        return decoded ?? ""
    }

    /// `formDecode` of one component's UTF-8 bytes.
    static func formDecode(bytes: UnsafeBufferPointer<UInt8>) throws(DecodingError) -> String {
        guard bytes.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else {
            return String(decoding: bytes, as: UTF8.self)
        }
        // Decoded in scratch memory: making an array of bytes here goes through the standard library's
        // unspecialised path (generic metadata looked up, about 500 instructions an array).
        var failure: DecodingError?
        let text = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count) { output -> String? in
            var index = 0
            var written = 0
            var ascii = true
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "+") {
                    output[written] = UInt8(ascii: " ")
                } else if byte == UInt8(ascii: "%") {
                    guard index + 2 < bytes.count, let high = Hex.value(bytes[index + 1]), let low = Hex.value(bytes[index + 2])
                    else {
                        let snippet = String(decoding: bytes[index..<min(index + 3, bytes.count)], as: UTF8.self)
                        failure = DecodingError(reason: "\"\(snippet)\" is not a valid percent-escape")
                        return nil
                    }
                    output[written] = high << 4 | low
                    index += 2
                } else {
                    output[written] = byte
                }
                ascii = ascii && output[written] < 0x80
                written += 1
                index += 1
            }
            let decoded = UnsafeBufferPointer(rebasing: output[..<written])
            // ASCII is UTF-8 as it stands; `String(validating:)` is generic and not specialised for us either.
            return ascii ? String(decoding: decoded, as: UTF8.self) : String(validating: decoded, as: UTF8.self)
        }
        if let failure { throw failure }
        guard let text else { throw DecodingError(reason: "the percent-escapes do not form UTF-8 text") }
        return text
    }

    /// RFC 3986 encoding as the signature algorithms use it: unreserved characters
    /// (`A–Z a–z 0–9 - _ . ~`) stay, every other byte becomes `%XY` with upper-case hex.
    public static func encode(_ text: String) -> String {
        if text.utf8.allSatisfy(isUnreserved) { return text }
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(Hex.upperDigit(byte >> 4))
                output.append(Hex.upperDigit(byte & 0x0F))
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `isUnreserved` by two 64-bit masks, one for the bytes 0–63 (`-`, `.`, digits) and one for 64–127
    /// (letters, `_`, `~`): no branch per range.
    @inline(__always)
    static func isUnreservedByMask(_ byte: UInt8) -> Bool {
        let low: UInt64 = 0x03FF_6000_0000_0000  // - . 0-9
        let high: UInt64 = 0x47FF_FFFE_87FF_FFFE  // A-Z _ a-z ~
        return byte < 64 ? (low >> UInt64(byte)) & 1 == 1 : byte < 128 && (high >> UInt64(byte - 64)) & 1 == 1
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
            UInt8(ascii: "~"):
            true
        default: false
        }
    }
}
