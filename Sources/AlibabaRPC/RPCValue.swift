/// A reply body as a tree, rendered to JSON or XML with the same shape: an object's keys become
/// child elements, and an array under key `K` becomes repeated `<K>` elements in XML.
public indirect enum RPCValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case boolean(Bool)
    case object([Field])
    case array([RPCValue])

    public struct Field: Sendable, Equatable {
        public let name: String
        public let value: RPCValue

        public init(_ name: String, _ value: RPCValue) {
            self.name = name
            self.value = value
        }
    }
}

public enum ResponseFormat: String, Sendable {
    case json = "JSON"
    case xml = "XML"

    public var contentType: String {
        switch self {
        case .json: "application/json;charset=utf-8"
        case .xml: "text/xml;charset=utf-8"
        }
    }
}

/// Renders reply bodies byte for byte as the real gateway does: compact JSON in field order, XML
/// with a single-quoted declaration and no whitespace between elements. Bodies are written as UTF-8 bytes, which
/// is what goes on the wire: growing a `String` piece by piece cost three times as much.
public enum ResponseRenderer {
    static let xmlDeclaration = "<?xml version='1.0' encoding='UTF-8'?>"

    /// A success body: `{…}` in JSON, `<{root}>…</{root}>` in XML.
    public static func render(_ fields: [RPCValue.Field], root: String, as format: ResponseFormat) -> String {
        String(decoding: renderBytes(fields, root: root, as: format), as: UTF8.self)
    }

    static func renderBytes(_ fields: [RPCValue.Field], root: String, as format: ResponseFormat) -> [UInt8] {
        var output: [UInt8] = []
        // Most replies are a few hundred bytes: one allocation rather than a buffer grown step by step.
        output.reserveCapacity(512)
        switch format {
        case .json:
            writeJSON(.object(fields), to: &output)
        case .xml:
            output.append(contentsOf: xmlDeclaration.utf8)
            writeXML(element: root, .object(fields), to: &output)
        }
        return output
    }

    /// An error body. In XML the root is `<Error>` and `Recommend` is wrapped in CDATA, as on the wire.
    public static func renderError(_ fields: [RPCValue.Field], as format: ResponseFormat) -> String {
        String(decoding: renderErrorBytes(fields, as: format), as: UTF8.self)
    }

    static func renderErrorBytes(_ fields: [RPCValue.Field], as format: ResponseFormat) -> [UInt8] {
        guard format == .xml else { return renderBytes(fields, root: "Error", as: .json) }
        var output = Array((xmlDeclaration + "<Error>").utf8)
        for field in fields {
            if field.name == "Recommend", case .string(let url) = field.value, !url.contains("]]>") {
                output.append(contentsOf: "<Recommend><![CDATA[\(url)]]></Recommend>".utf8)
            } else {
                writeXML(element: field.name, field.value, to: &output)
            }
        }
        output.append(contentsOf: "</Error>".utf8)
        return output
    }

    // MARK: JSON

    /// `value` as compact JSON, appended to `output`.
    public static func writeJSON(_ value: RPCValue, to output: inout String) {
        var bytes: [UInt8] = []
        writeJSON(value, to: &bytes)
        output += String(decoding: bytes, as: UTF8.self)
    }

    static func writeJSON(_ value: RPCValue, to output: inout [UInt8]) {
        switch value {
        case .string(let text): writeJSONString(text, to: &output)
        case .integer(let number): output.append(contentsOf: String(number).utf8)
        case .boolean(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .object(let fields):
            output.append(UInt8(ascii: "{"))
            for (index, field) in fields.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                writeJSONString(field.name, to: &output)
                output.append(UInt8(ascii: ":"))
                writeJSON(field.value, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                writeJSON(item, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        }
    }

    /// A JSON string literal: `"` and `\` escaped, control characters as `\n`, `\r`, `\t` or `\u00XX`;
    /// everything else, non-ASCII included, as its UTF-8 bytes.
    static func writeJSONString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        // Most strings need no escape: copied whole.
        // Over contiguous bytes when the string has them (a native string does): `String.UTF8View`'s own
        // iterator costs several times as much a byte.
        let needsEscape = { (byte: UInt8) in byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") }
        if !(text.utf8.withContiguousStorageIfAvailable { $0.contains(where: needsEscape) } ?? text.utf8.contains(where: needsEscape)) {
            output.append(contentsOf: text.utf8)
            output.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                output.append(contentsOf: "\\u00".utf8)
                output.append(Hex.lowerDigit(byte >> 4))
                output.append(Hex.lowerDigit(byte & 0x0F))
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    // MARK: XML

    private static func writeXML(element name: String, _ value: RPCValue, to output: inout [UInt8]) {
        switch value {
        case .array(let items):
            for item in items { writeXML(element: name, item, to: &output) }
        case .object(let fields):
            open(name, &output)
            for field in fields { writeXML(element: field.name, field.value, to: &output) }
            close(name, &output)
        case .string(let text):
            open(name, &output)
            writeXMLText(text, to: &output)
            close(name, &output)
        case .integer(let number):
            open(name, &output)
            output.append(contentsOf: String(number).utf8)
            close(name, &output)
        case .boolean(let flag):
            open(name, &output)
            output.append(contentsOf: (flag ? "true" : "false").utf8)
            close(name, &output)
        }
    }

    private static func open(_ name: String, _ output: inout [UInt8]) {
        output.append(UInt8(ascii: "<"))
        output.append(contentsOf: name.utf8)
        output.append(UInt8(ascii: ">"))
    }

    private static func close(_ name: String, _ output: inout [UInt8]) {
        output.append(contentsOf: [UInt8(ascii: "<"), UInt8(ascii: "/")])
        output.append(contentsOf: name.utf8)
        output.append(UInt8(ascii: ">"))
    }

    /// Element text: `&`, `<` and `>` escaped, everything else as its UTF-8 bytes.
    private static func writeXMLText(_ text: String, to output: inout [UInt8]) {
        let needsEscape = { (byte: UInt8) in byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") }
        if !(text.utf8.withContiguousStorageIfAvailable { $0.contains(where: needsEscape) } ?? text.utf8.contains(where: needsEscape)) {
            output.append(contentsOf: text.utf8)
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): output.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): output.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): output.append(contentsOf: "&gt;".utf8)
            default: output.append(byte)
            }
        }
    }
}
