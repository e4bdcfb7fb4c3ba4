import AlibabaRPC
import EmulatorStore
import MongoDBService
import RDSService

/// The instance fixture format: `instances.json` holds an array of entries written in the API's
/// own vocabulary (`DBInstanceId`, `Engine`, `DBInstanceStatus`, …). `Engine` picks the product:
/// `MongoDB` makes a MongoDB instance, any RDS engine an RDS instance. The control API takes and
/// returns the same entries. The format is described field by field in the README.
enum InstanceFixture {
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    /// Decodes a whole fixture file; `source` names it in error messages. `accounts` are the accounts
    /// an entry's `AccountId` may name.
    static func decodeFile(_ bytes: [UInt8], source: String, accounts: Set<String>) throws(Problem)
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
        let engine = try reader.string("Engine", oneOf: RDSVocabulary.engines.union(["MongoDB"]))
        var record =
            engine == "MongoDB"
            ? try mongoDB(&reader, instanceId: instanceId)
            : try rds(&reader, instanceId: instanceId, engine: engine)
        record.accountId = try reader.string("AccountId", default: Authenticator.defaultAccount)
        if !accounts.contains(record.accountId) {
            throw reader.problem(
                "AccountId", "\"\(record.accountId)\" is not an account of accounts.json (\(accounts.sorted().joined(separator: ", ")))")
        }
        try reader.rejectUnknownFields()
        return record
    }

    private static let defaultRegion = "cn-hangzhou"

    private static func rds(_ reader: inout EntryReader, instanceId: String, engine: String) throws(Problem)
        -> InstanceRecord
    {
        let defaultVersions = ["MySQL": "8.0", "PostgreSQL": "14.0", "SQLServer": "2019_std_ha", "MariaDB": "10.3"]
        return InstanceRecord(
            instanceId: instanceId, product: .rds, accountId: "default",
            regionId: try reader.string("RegionId", default: defaultRegion),
            engine: engine,
            engineVersion: try reader.string("EngineVersion", default: defaultVersions[engine] ?? ""),
            status: try reader.string("DBInstanceStatus", oneOf: RDSVocabulary.statuses, default: "Running"),
            instanceType: try reader.string("DBInstanceType", oneOf: RDSVocabulary.instanceTypes, default: "Primary"),
            storageType: try reader.string(
                "DBInstanceStorageType", oneOf: RDSVocabulary.storageTypes, default: "local_ssd"),
            lockMode: try reader.string("LockMode", oneOf: RDSVocabulary.lockModes, default: "Unlock"),
            kindCode: nil,
            databases: try reader.databases(),
            attributes: try reader.attributes(rdsAttributes))
    }

    private static func mongoDB(_ reader: inout EntryReader, instanceId: String) throws(Problem) -> InstanceRecord {
        let kindCode = try reader.optionalString("KindCode", oneOf: MongoDBVocabulary.kindCodes)
        let storageDefault = kindCode == MongoDBKind.cloudDisk ? "cloud_essd1" : "local_ssd"
        let storageType = try reader.string("StorageType", oneOf: MongoDBVocabulary.storageTypes, default: storageDefault)
        let isCloud = storageType.hasPrefix("cloud_")
        let kind = kindCode ?? (isCloud ? MongoDBKind.cloudDisk : MongoDBKind.localDisk)
        if kind == MongoDBKind.cloudDisk && !isCloud {
            throw reader.problem("StorageType", "KindCode 18 (cloud disk) needs a cloud_* storage type")
        }
        if kind == MongoDBKind.localDisk && isCloud {
            throw reader.problem("StorageType", "KindCode 0 (local disk) needs local_ssd storage")
        }
        let instanceType = try reader.string(
            "DBInstanceType", oneOf: MongoDBVocabulary.instanceTypes, default: "replicate")
        if kind == MongoDBKind.standalone && instanceType != "replicate" {
            throw reader.problem("DBInstanceType", "a standalone instance (KindCode 3) is of type replicate")
        }
        return InstanceRecord(
            instanceId: instanceId, product: .mongodb, accountId: "default",
            regionId: try reader.string("RegionId", default: defaultRegion),
            engine: "MongoDB",
            engineVersion: try reader.string("EngineVersion", default: "5.0"),
            status: try reader.string("DBInstanceStatus", oneOf: MongoDBVocabulary.statuses, default: "Running"),
            instanceType: instanceType, storageType: storageType,
            lockMode: try reader.string("LockMode", oneOf: MongoDBVocabulary.lockModes, default: "Unlock"),
            kindCode: kind,
            databases: try reader.databases(),
            attributes: try reader.attributes(mongoDBAttributes))
    }

    enum AttributeKind {
        case string, integer
    }

    /// Descriptive fields an entry may carry; the rules do not read them, replies will echo them.
    static let rdsAttributes: [String: AttributeKind] = [
        "ZoneId": .string, "DBInstanceClass": .string, "DBInstanceDescription": .string, "Category": .string,
        "PayType": .string, "DBInstanceStorage": .integer, "DBInstanceMemory": .integer, "DBInstanceCPU": .string,
        "CreationTime": .string, "ExpireTime": .string, "ConnectionString": .string, "Port": .string,
        "InstanceNetworkType": .string, "VpcId": .string, "VSwitchId": .string, "ResourceGroupId": .string,
        "MasterInstanceId": .string,
    ]
    static let mongoDBAttributes: [String: AttributeKind] = [
        "ZoneId": .string, "DBInstanceClass": .string, "DBInstanceDescription": .string, "ChargeType": .string,
        "DBInstanceStorage": .integer, "ReplicationFactor": .string, "StorageEngine": .string,
        "NetworkType": .string, "VPCId": .string, "VSwitchId": .string, "CreationTime": .string,
        "ExpireTime": .string, "ResourceGroupId": .string, "ReplicaSetName": .string,
    ]

    /// The entry for a stored instance: every field, defaults filled in.
    static func encode(_ record: InstanceRecord) -> RPCValue {
        var fields: [RPCValue.Field] = [
            .init("DBInstanceId", .string(record.instanceId)), .init("AccountId", .string(record.accountId)),
            .init("Engine", .string(record.engine)),
            .init("EngineVersion", .string(record.engineVersion)), .init("RegionId", .string(record.regionId)),
            .init("DBInstanceStatus", .string(record.status)), .init("DBInstanceType", .string(record.instanceType)),
        ]
        switch record.product {
        case .rds:
            fields.append(.init("DBInstanceStorageType", .string(record.storageType)))
        case .mongodb:
            fields.append(.init("KindCode", .string(record.kindCode ?? MongoDBKind.localDisk)))
            fields.append(.init("StorageType", .string(record.storageType)))
        }
        fields.append(.init("LockMode", .string(record.lockMode)))
        fields.append(.init("Databases", .array(record.databases.map(RPCValue.string))))
        for name in record.attributes.keys.sorted() {
            switch record.attributes[name] {
            case .string(let text)?: fields.append(.init(name, .string(text)))
            case .integer(let number)?: fields.append(.init(name, .integer(number)))
            case nil: break
            }
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
struct EntryReader {
    let fields: [String: JSONValue]
    var place: String
    private var used: Set<String> = []

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

    mutating func optionalString(_ name: String, oneOf allowed: Set<String>? = nil) throws(InstanceFixture.Problem)
        -> String?
    {
        used.insert(name)
        guard let value = fields[name] else { return nil }
        guard case .string(let text) = value else { throw problem(name, "must be a string, not \(value.typeName)") }
        guard !text.isEmpty else { throw problem(name, "must not be empty") }
        if let allowed, !allowed.contains(text) {
            throw problem(name, "\"\(text)\" is not one of \(allowed.sorted().joined(separator: ", "))")
        }
        return text
    }

    mutating func string(_ name: String, oneOf allowed: Set<String>? = nil, default fallback: String? = nil)
        throws(InstanceFixture.Problem) -> String
    {
        if let text = try optionalString(name, oneOf: allowed) { return text }
        guard let fallback else { throw problem(name, "is required") }
        return fallback
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
        var names: [String] = []
        for item in items {
            guard case .string(let name) = item, !name.isEmpty, !name.contains(",") else {
                throw problem("Databases", "each database name must be a non-empty string without commas")
            }
            names.append(name)
        }
        return names
    }

    /// The descriptive fields present.
    mutating func attributes(_ known: [String: InstanceFixture.AttributeKind]) throws(InstanceFixture.Problem)
        -> [String: AttributeValue]
    {
        var present: [String: AttributeValue] = [:]
        for name in known.keys.sorted() {
            used.insert(name)
            guard let value = fields[name] else { continue }
            switch (known[name], value) {
            case (.string, .string(let text)): present[name] = .string(text)
            case (.integer, .integer(let number)): present[name] = .integer(number)
            case (.string, _): throw problem(name, "must be a string, not \(value.typeName)")
            default: throw problem(name, "must be a whole number, not \(value.typeName)")
            }
        }
        return present
    }

    func rejectUnknownFields() throws(InstanceFixture.Problem) {
        if let unknown = fields.keys.sorted().first(where: { !used.contains($0) }) {
            throw problem(unknown, "is not a field of this product's instances (misspelt?)")
        }
    }
}
