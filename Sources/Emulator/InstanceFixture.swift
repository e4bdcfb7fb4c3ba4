import AlibabaRPC
import EmulatorStore
import ServiceKit

/// The instance fixture format: `instances.json` holds an array of entries written in the API's
/// own vocabulary (`DBInstanceId`, `Engine`, `DBInstanceStatus`, …). `Engine` picks the product
/// (`Products`), whose model reads the rest: `MongoDB` makes a MongoDB instance, any RDS engine an RDS
/// instance. The control API takes and returns the same entries. The format is described field by field in
/// the README.
package enum InstanceFixture {
    package typealias Problem = FixtureProblem

    /// Decodes a whole fixture file; `source` names it in error messages. `accounts` are the accounts
    /// an entry's `AccountId` may name.
    package static func decodeFile(_ bytes: [UInt8], source: String, accounts: Set<String>) throws(Problem)
        -> [InstanceRecord]
    {
        let entries = try topLevelArray(bytes, source: source, of: "instance entries")
        var records: [InstanceRecord] = []
        var seen: Set<String> = []
        for (index, entry) in entries.enumerated() {
            let record = try decodeEntry(entry, place: "\(source): entry \(index + 1)", accounts: accounts)
            guard seen.insert(record.instanceId).inserted else {
                throw Problem(
                    description:
                        "\(source): entry \(index + 1) (\(record.instanceId)): field \"DBInstanceId\": "
                        + "the id is used by an earlier entry too")
            }
            records.append(record)
        }
        return records
    }

    /// The array a fixture file holds.
    static func topLevelArray(_ bytes: [UInt8], source: String, of what: String) throws(Problem) -> [JSONValue] {
        let document: JSONValue
        do { document = try JSONValue.parse(bytes) } catch {
            throw Problem(description: "\(source): \((error as? JSONValue.ParseError)?.reason ?? "not valid JSON")")
        }
        guard case .array(let entries) = document else {
            throw Problem(description: "\(source): the top level must be an array of \(what)")
        }
        return entries
    }

    /// Decodes one entry. `place` starts error messages ("instances.json: entry 3", "request body").
    static func decodeEntry(_ entry: JSONValue, place: String, accounts: Set<String>) throws(Problem)
        -> InstanceRecord
    {
        guard case .object(let fields) = entry else {
            throw Problem(description: "\(place): an instance entry must be a JSON object, not \(entry.typeName)")
        }
        var reader = EntryReader(fields: fields, place: place)
        let instanceId = try reader.identifier()
        reader.place = "\(place) (\(instanceId))"
        let engine = try reader.string("Engine", oneOf: Products.engines)
        var record = try Products.model(forEngine: engine).instance(reading: &reader, id: instanceId, engine: engine)
        record.backupPolicy = try reader.backupPolicy(of: record)
        record.accountId = try reader.string("AccountId", default: Authenticator.defaultAccount)
        if !accounts.contains(record.accountId) {
            throw reader.problem(
                "AccountId", "\"\(record.accountId)\" is not an account of accounts.json (\(accounts.sorted().joined(separator: ", ")))")
        }
        try reader.rejectUnknownFields()
        return record
    }

    /// The entry for a stored instance: every field, defaults filled in.
    package static func encode(_ record: InstanceRecord) -> RPCValue {
        var fields: [RPCValue.Field] = [
            .init("DBInstanceId", .string(record.instanceId)), .init("AccountId", .string(record.accountId)),
            .init("Engine", .string(record.engine)),
            .init("EngineVersion", .string(record.engineVersion)), .init("RegionId", .string(record.regionId)),
            .init("DBInstanceStatus", .string(record.status)), .init("DBInstanceType", .string(record.instanceType)),
        ]
        fields += Products.model(of: record.product).ownFields(of: record)
        fields.append(.init("LockMode", .string(record.lockMode)))
        fields.append(.init("Databases", .array(record.databases.map(RPCValue.string))))
        fields += record.attributeFields
        if let given = record.backupPolicy {
            fields.append(.init("BackupPolicy", .object(Products.model(of: record.product).backupPolicyFields(given, of: record))))
        }
        return .object(fields)
    }

    /// A JSON entry as a plain dictionary, for merging (PATCH).
    static func fields(of record: InstanceRecord) -> [String: JSONValue] {
        guard case .object(let fields) = encode(record) else { return [:] }
        var result: [String: JSONValue] = [:]
        for field in fields { result[field.name] = JSONValue(field.value) }
        return result
    }
}

extension JSONValue {
    init(_ value: RPCValue) {
        switch value {
        case .string(let text): self = .string(text)
        case .integer(let number): self = .integer(number)
        case .boolean(let flag): self = .bool(flag)
        case .array(let items): self = .array(items.map(JSONValue.init))
        case .object(let fields):
            self = .object(Dictionary(fields.map { ($0.name, JSONValue($0.value)) }, uniquingKeysWith: { a, _ in a }))
        }
    }
}

/// Reads an entry's fields one by one, remembering which it used, so that misspelt ones are caught.
struct EntryReader: InstanceFieldReader {
    let fields: [String: JSONValue]
    var place: String
    private var used: Set<String> = []

    /// Bounds on what an entry holds (the API's own: descriptions up to 256 characters, names up to 64).
    static let longestString = 256
    static let mostDatabases = 256
    static let longestDatabaseName = 64

    init(fields: [String: JSONValue], place: String) {
        self.fields = fields
        self.place = place
    }

    func problem(_ field: String, _ reason: String) -> InstanceFixture.Problem {
        InstanceFixture.Problem(description: "\(place): field \"\(field)\": \(reason)")
    }

    mutating func identifier() throws(InstanceFixture.Problem) -> String {
        guard let id = try optionalString("DBInstanceId") else { throw problem("DBInstanceId", "is required") }
        let allowed = id.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
        guard allowed, (1...64).contains(id.count) else {
            throw problem("DBInstanceId", "must be 1 to 64 letters, digits, '-' or '_'")
        }
        return id
    }

    mutating func text(_ name: String, oneOf allowed: Set<String>?) throws(InstanceFixture.Problem) -> String? {
        used.insert(name)
        guard let value = fields[name] else { return nil }
        guard case .string(let text) = value else { throw problem(name, "must be a string, not \(value.typeName)") }
        guard !text.isEmpty else { throw problem(name, "must not be empty") }
        guard text.utf8.count <= Self.longestString else {
            throw problem(name, "must be at most \(Self.longestString) bytes long")
        }
        if let allowed, !allowed.contains(text) {
            throw problem(name, "\"\(text)\" is not one of \(allowed.sorted().joined(separator: ", "))")
        }
        return text
    }

    mutating func bool(_ name: String, default fallback: Bool) throws(InstanceFixture.Problem) -> Bool {
        used.insert(name)
        guard let value = fields[name] else { return fallback }
        guard case .bool(let flag) = value else { throw problem(name, "must be true or false, not \(value.typeName)") }
        return flag
    }

    mutating func databases() throws(InstanceFixture.Problem) -> [String] {
        used.insert("Databases")
        guard let value = fields["Databases"] else { return [] }
        guard case .array(let items) = value else {
            throw problem("Databases", "must be an array of database names, not \(value.typeName)")
        }
        guard items.count <= Self.mostDatabases else {
            throw problem("Databases", "at most \(Self.mostDatabases) databases, not \(items.count)")
        }
        var names: [String] = []
        for item in items {
            guard case .string(let name) = item, !name.isEmpty, !name.contains(",") else {
                throw problem("Databases", "each database name must be a non-empty string without commas")
            }
            guard name.utf8.count <= Self.longestDatabaseName else {
                throw problem("Databases", "each database name must be at most \(Self.longestDatabaseName) bytes long")
            }
            names.append(name)
        }
        return names
    }

    /// The descriptive fields present.
    mutating func attributes(_ known: [String: AttributeKind]) throws(InstanceFixture.Problem)
        -> [String: AttributeValue]
    {
        var present: [String: AttributeValue] = [:]
        for name in known.keys.sorted() {
            used.insert(name)
            guard let value = fields[name] else { continue }
            switch (known[name], value) {
            case (.string, .string(let text)):
                guard text.utf8.count <= Self.longestString else {
                    throw problem(name, "must be at most \(Self.longestString) bytes long")
                }
                present[name] = .string(text)
            case (.integer, .integer(let number)): present[name] = .integer(number)
            case (.string, _): throw problem(name, "must be a string, not \(value.typeName)")
            default: throw problem(name, "must be a whole number, not \(value.typeName)")
            }
        }
        return present
    }

    /// `BackupPolicy`: an object of the product's policy settings by their API names (strings, numbers or
    /// booleans, as the API's replies type them), checked as ModifyBackupPolicy checks them; nil when absent.
    mutating func backupPolicy(of record: InstanceRecord) throws(InstanceFixture.Problem) -> [String: String]? {
        used.insert("BackupPolicy")
        guard let value = fields["BackupPolicy"] else { return nil }
        guard case .object(let members) = value else {
            throw problem("BackupPolicy", "must be an object of backup policy settings, not \(value.typeName)")
        }
        var settings: [String: String] = [:]
        for (name, member) in members {
            switch member {
            case .string(let text): settings[name] = text
            case .integer(let number): settings[name] = String(number)
            case .bool(let flag): settings[name] = flag ? "true" : "false"
            default: throw problem("BackupPolicy", "\"\(name)\" must be a string, a whole number or a boolean")
            }
        }
        if let (name, reason) = Products.model(of: record.product).backupPolicyProblem(settings, of: record) { throw problem("BackupPolicy", "\"\(name)\" \(reason)") }
        return settings
    }

    func rejectUnknownFields() throws(InstanceFixture.Problem) {
        if let unknown = fields.keys.sorted().first(where: { !used.contains($0) }) {
            throw problem(unknown, "is not a field of this product's instances (misspelt?)")
        }
    }
}
