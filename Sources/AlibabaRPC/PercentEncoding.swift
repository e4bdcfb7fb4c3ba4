/// Percent-encoding as Alibaba's RPC gateway reads and signs it.
public enum PercentEncoding {
    public struct DecodingError: Error, Equatable {
        /// What was wrong, for the error message (e.g. `"%ZZ" is not a valid percent-escape`).
        public let reason: String
    }

    /// Decodes one `application/x-www-form-urlencoded` component: `+` is a space, `%XY` a byte;
    /// the bytes must form UTF-8. A `%` not followed by two hex digits is an error, not a literal.
    public static func formDecode<S: StringProtocol>(_ text: S) throws(DecodingError) -> String {
        let utf8 = text.utf8
        if !utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) {
            return String(text)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                let first = utf8.index(after: index)
                guard first != utf8.endIndex, let high = hexValue(utf8[first]) else {
                    throw DecodingError(reason: "\"\(escapeSnippet(text, at: index))\" is not a valid percent-escape")
                }
                let second = utf8.index(after: first)
                guard second != utf8.endIndex, let low = hexValue(utf8[second]) else {
                    throw DecodingError(reason: "\"\(escapeSnippet(text, at: index))\" is not a valid percent-escape")
                }
                bytes.append(high << 4 | low)
                index = second
            } else {
                bytes.append(byte)
            }
            index = utf8.index(after: index)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw DecodingError(reason: "the percent-escapes do not form UTF-8 text")
        }
        return decoded
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
                output.append(upperHex[Int(byte >> 4)])
                output.append(upperHex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    static let upperHex = Array("0123456789ABCDEF".utf8)

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
            UInt8(ascii: "~"):
            true
        default: false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func escapeSnippet<S: StringProtocol>(_ text: S, at index: S.UTF8View.Index) -> String {
        String(decoding: text.utf8[index...].prefix(3), as: UTF8.self)
    }
}
