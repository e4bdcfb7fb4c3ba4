import EmulatorStore

/// A mistake in a fixture entry or a control-API body, said for the person who wrote it.
public struct FixtureProblem: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

/// The kind of value a descriptive attribute of a fixture entry holds.
public enum AttributeKind: Sendable {
    case string, integer
}

/// Reads the fields of one fixture entry by name, so that a product describes its vocabulary without seeing
/// the entry's format; the reader notes which fields were read, to catch misspelt ones.
public protocol InstanceFieldReader {
    /// A text field: nil when absent; a problem when it is not a non-empty string or not one of `allowed`.
    mutating func text(_ name: String, oneOf allowed: Set<String>?) throws(FixtureProblem) -> String?
    /// `Databases`: a list of names (none when absent).
    mutating func databases() throws(FixtureProblem) -> [String]
    /// The descriptive fields present, of the kinds given.
    mutating func attributes(_ known: [String: AttributeKind]) throws(FixtureProblem) -> [String: AttributeValue]
    /// A problem with one field, placed in the entry.
    func problem(_ field: String, _ reason: String) -> FixtureProblem
}

extension InstanceFieldReader {
    public mutating func optionalString(_ name: String, oneOf allowed: Set<String>? = nil) throws(FixtureProblem)
        -> String?
    {
        try text(name, oneOf: allowed)
    }

    /// A text field, or `fallback` when absent (a problem when there is none).
    public mutating func string(_ name: String, oneOf allowed: Set<String>? = nil, default fallback: String? = nil)
        throws(FixtureProblem) -> String
    {
        if let text = try text(name, oneOf: allowed) { return text }
        guard let fallback else { throw problem(name, "is required") }
        return fallback
    }
}
