import AlibabaRPC
import FoundationEssentials

/// A parsed JSON document (fixtures, control API bodies).
enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let integer = try? container.decode(Int64.self) {
            self = .integer(integer)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let items = try? container.decode([JSONValue].self) {
            self = .array(items)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    struct ParseError: Error {
        let reason: String
    }

    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        // The decoder's errors name no position (its syntax errors carry no underlying error): one reason serves.
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw ParseError(reason: "not valid JSON")
        }
    }

    /// How a value's type is named in error messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// As a reply value; nil for types replies never carry (null, fractional numbers).
    var rpcValue: RPCValue? {
        switch self {
        case .bool(let flag): .boolean(flag)
        case .integer(let number): .integer(number)
        case .string(let text): .string(text)
        case .array(let items): .array(items.compactMap(\.rpcValue))
        case .object(let fields):
            .object(fields.keys.sorted().compactMap { key in fields[key]?.rpcValue.map { .init(key, $0) } })
        case .null, .number: nil
        }
    }
}

extension RPCValue {
    /// Compact JSON text, fields in their given order.
    package var jsonText: String {
        var output = ""
        ResponseRenderer.writeJSON(self, to: &output)
        return output
    }
}
