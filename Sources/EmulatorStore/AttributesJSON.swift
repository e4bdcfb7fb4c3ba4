/// The stored form of an instance's attributes: a flat JSON object of strings and whole numbers, keys
/// sorted. Written and read here byte by byte, so the store needs no JSON library (Foundation's would
/// load ICU into every process for a few small objects).
enum AttributesJSON {
    static func encode(_ attributes: [String: AttributeValue]) -> String {
        var output: [UInt8] = [UInt8(ascii: "{")]
        for (index, key) in attributes.keys.sorted().enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            writeString(key, to: &output)
            output.append(UInt8(ascii: ":"))
            switch attributes[key]! {
            case .string(let text): writeString(text, to: &output)
            case .integer(let number): output.append(contentsOf: String(number).utf8)
            }
        }
        output.append(UInt8(ascii: "}"))
        return String(decoding: output, as: UTF8.self)
    }

    private static func writeString(_ text: String, to output: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                output.append(UInt8(ascii: "\\"))
                output.append(byte)
            case 0..<0x20:
                output.append(contentsOf: Array("\\u00".utf8))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0xF)])
            default:
                output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// The object's string and whole-number members; other members (and text that is not such an
    /// object) are left out.
    static func decode(_ text: String) -> [String: AttributeValue] {
        var reader = Reader(bytes: Array(text.utf8))
        return reader.object() ?? [:]
    }

    private struct Reader {
        let bytes: [UInt8]
        var position = 0

        mutating func object() -> [String: AttributeValue]? {
            guard consume(UInt8(ascii: "{")) else { return nil }
            var members: [String: AttributeValue] = [:]
            if consume(UInt8(ascii: "}")) { return members }
            repeat {
                guard let key = string(), consume(UInt8(ascii: ":")) else { return nil }
                skipSpaces()
                guard position < bytes.count else { return nil }
                switch bytes[position] {
                case UInt8(ascii: "\""):
                    guard let value = string() else { return nil }
                    members[key] = .string(value)
                default:
                    guard let value = scalar() else { return nil }
                    if let number = Int64(value) { members[key] = .integer(number) }
                }
            } while consume(UInt8(ascii: ","))
            return consume(UInt8(ascii: "}")) ? members : nil
        }

        /// A number, `true`, `false` or `null`, as its text.
        private mutating func scalar() -> String? {
            let start = position
            while position < bytes.count, !",}] \t\r\n".utf8.contains(bytes[position]) { position += 1 }
            return position > start ? String(decoding: bytes[start..<position], as: UTF8.self) : nil
        }

        private mutating func string() -> String? {
            guard consume(UInt8(ascii: "\"")) else { return nil }
            var output: [UInt8] = []
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: output, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard position < bytes.count else { return nil }
                    let escape = bytes[position]
                    position += 1
                    switch escape {
                    case UInt8(ascii: "b"): output.append(0x08)
                    case UInt8(ascii: "f"): output.append(0x0C)
                    case UInt8(ascii: "n"): output.append(0x0A)
                    case UInt8(ascii: "r"): output.append(0x0D)
                    case UInt8(ascii: "t"): output.append(0x09)
                    case UInt8(ascii: "u"):
                        guard var scalar = hexQuad() else { return nil }
                        if (0xD800..<0xDC00).contains(scalar), consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")),
                            let low = hexQuad(), (0xDC00..<0xE000).contains(low)
                        {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        output.append(contentsOf: String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8)
                    default: output.append(escape)  // \" \\ \/
                    }
                default:
                    output.append(byte)
                }
            }
            return nil
        }

        private mutating func hexQuad() -> UInt32? {
            guard position + 4 <= bytes.count,
                let value = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16)
            else { return nil }
            position += 4
            return value
        }

        private mutating func consume(_ byte: UInt8) -> Bool {
            skipSpaces()
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
            return true
        }

        private mutating func skipSpaces() {
            while position < bytes.count, " \t\r\n".utf8.contains(bytes[position]) { position += 1 }
        }
    }
}
