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
/// with a single-quoted declaration and no whitespace between elements.
public enum ResponseRenderer {
    static let xmlDeclaration = "<?xml version='1.0' encoding='UTF-8'?>"

    /// A success body: `{…}` in JSON, `<{root}>…</{root}>` in XML.
    public static func render(_ fields: [RPCValue.Field], root: String, as format: ResponseFormat) -> String {
        var output = ""
        // Most replies are a few hundred bytes: one allocation rather than a string grown step by step.
        output.reserveCapacity(512)
        switch format {
        case .json:
            writeJSON(.object(fields), to: &output)
        case .xml:
            output += xmlDeclaration
            writeXML(element: root, .object(fields), to: &output)
        }
        return output
    }

    /// An error body. In XML the root is `<Error>` and `Recommend` is wrapped in CDATA, as on the wire.
    public static func renderError(_ fields: [RPCValue.Field], as format: ResponseFormat) -> String {
        guard format == .xml else { return render(fields, root: "Error", as: .json) }
        var output = xmlDeclaration + "<Error>"
        for field in fields {
            if field.name == "Recommend", case .string(let url) = field.value, !url.contains("]]>") {
                output += "<Recommend><![CDATA[\(url)]]></Recommend>"
            } else {
                writeXML(element: field.name, field.value, to: &output)
            }
        }
        return output + "</Error>"
    }

    // MARK: JSON

    public static func writeJSON(_ value: RPCValue, to output: inout String) {
        switch value {
        case .string(let text): writeJSONString(text, to: &output)
        case .integer(let number): output += String(number)
        case .boolean(let flag): output += flag ? "true" : "false"
        case .object(let fields):
            output += "{"
            for (index, field) in fields.enumerated() {
                if index > 0 { output += "," }
                writeJSONString(field.name, to: &output)
                output += ":"
                writeJSON(field.value, to: &output)
            }
            output += "}"
        case .array(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                writeJSON(item, to: &output)
            }
            output += "]"
        }
    }

    public static func writeJSONString(_ text: String, to output: inout String) {
        // Most strings need no escaping: append them whole.
        let plain =
            text.utf8.withContiguousStorageIfAvailable { bytes in
                !bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
            } ?? !text.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        if plain {
            output += "\""
            output += text
            output += "\""
            return
        }
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16, uppercase: false)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }

    // MARK: XML

    private static func writeXML(element name: String, _ value: RPCValue, to output: inout String) {
        switch value {
        case .array(let items):
            for item in items { writeXML(element: name, item, to: &output) }
        case .object(let fields):
            output += "<\(name)>"
            for field in fields { writeXML(element: field.name, field.value, to: &output) }
            output += "</\(name)>"
        case .string(let text):
            output += "<\(name)>"
            writeXMLText(text, to: &output)
            output += "</\(name)>"
        case .integer(let number):
            output += "<\(name)>\(number)</\(name)>"
        case .boolean(let flag):
            output += "<\(name)>\(flag)</\(name)>"
        }
    }

    private static func writeXMLText(_ text: String, to output: inout String) {
        if !text.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }) {
            output += text
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            default: output.unicodeScalars.append(scalar)
            }
        }
    }
}
