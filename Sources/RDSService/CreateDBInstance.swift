import AlibabaRPC
import EmulatorStore
import ServiceKit

/// RDS `CreateDBInstance` (workflow reference §7): a new instance, `Creating` for the configured time, then
/// `Running`. Checks, in order: the mandatory parameters, then each value, then `ClientToken` (a repeat gets the
/// first reply and creates nothing; other parameters with the same token are refused).
struct CreateDBInstance: RDSOperation {
    static let action = "CreateDBInstance"
    static let numericParameters: [NumericParameter] = [.integer("DBInstanceStorage"), .integer("Port"), .integer("Amount")]
    let configuration: RDSConfiguration
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        // 1. Mandatory parameters, in the documented order.
        let region = try call.required("RegionId")
        let engine = try call.required("Engine")
        let version = try call.required("EngineVersion")
        let instanceClass = try call.required("DBInstanceClass")
        let storage = try call.required("DBInstanceStorage")
        let netType = try call.required("DBInstanceNetType")
        let securityIPs = try call.required("SecurityIPList")
        let payType = try call.required("PayType")
        // 2. Values.
        guard let versions = RDSInstances.versions[engine] else { throw RDSError.invalidEngine }
        guard versions.contains(version) else { throw RDSError.invalidEngineVersion }
        guard Self.isInstanceClass(instanceClass) else { throw RDSError.invalidInstanceClass }
        guard let gigabytes = Int64(storage), (5...64_000).contains(gigabytes), gigabytes % 5 == 0 else {
            throw RDSError.invalidStorage
        }
        guard ["Intranet", "Internet"].contains(netType) else { throw RDSError.invalidNetType }
        try Self.checkSecurityIPList(securityIPs)
        guard RDSInstances.payTypes.contains(payType) else { throw RDSError.invalidPayType }
        let storageType = call.optional("DBInstanceStorageType") ?? "local_ssd"
        guard RDSVocabulary.storageTypes.contains(storageType) else { throw RDSError.invalidStorageType }
        let networkType = call.optional("InstanceNetworkType") ?? "Classic"
        guard ["VPC", "Classic"].contains(networkType) else { throw RDSError.invalidNetworkType }
        if networkType == "Classic", RDSStorage.isCloudDisk(storageType) { throw RDSError.classicWithCloudStorage }
        let category = call.optional("Category") ?? "HighAvailability"
        guard RDSInstances.categories.contains(category) else { throw RDSError.invalidCategory }
        guard let zone = Region.zone(call.optional("ZoneId"), in: region) else { throw RDSError.invalidZone }
        if let description = call.optional("DBInstanceDescription") { try Self.checkDescription(description) }
        let (_, defaultPort) = RDSInstances.endpoint(id: "", engine: engine)
        let port = try call.optional("Port").map { try Self.checkPort($0, engine: engine) } ?? defaultPort
        if let amount = call.optional("Amount"), amount != "1" {
            // Several instances in one call are not emulated; 1 to 20 is the documented range.
            guard let number = Int(amount), (1...20).contains(number) else { throw RDSError.invalidAmount }
            throw RDSError.amountNotEmulated
        }
        // 3. A dry run stops after the checks and creates nothing.
        switch call.optional("DryRun") {
        case nil, "false": break
        case "true": return [.init("DryRun", .boolean(true)), .init("DryRunResult", .boolean(true))]
        default: throw RDSError.invalidDryRun
        }

        return try store.transaction { state in
            try state.removeReleased(at: call.now)
            let reply = try RDSInstances.idempotent(call, state) {
                let id = RDSInstances.newId(engine: engine, region: region)
                let connectionString = call.optional("ConnectionString").map { "\($0).rds.aliyuncs.com" }
                    ?? RDSInstances.endpoint(id: id, engine: engine).connectionString
                var attributes: [String: AttributeValue] = [
                    "ZoneId": .string(zone), "DBInstanceClass": .string(instanceClass), "Category": .string(category),
                    "PayType": .string(payType), "DBInstanceStorage": .integer(gigabytes),
                    "CreationTime": .string(UTCTime.iso8601(call.now)), "ConnectionString": .string(connectionString),
                    "Port": .string(port), "InstanceNetworkType": .string(networkType),
                    "SecurityIPList": .string(securityIPs),
                ]
                for (parameter, attribute) in [
                    ("DBInstanceDescription", "DBInstanceDescription"), ("VPCId", "VpcId"), ("VSwitchId", "VSwitchId"),
                    ("ResourceGroupId", "ResourceGroupId"),
                ] {
                    if let value = call.optional(parameter) { attributes[attribute] = .string(value) }
                }
                var instance = InstanceRecord(
                    instanceId: id, product: .rds, accountId: call.accountId, regionId: region, engine: engine,
                    engineVersion: version, status: "Running", instanceType: "Primary", storageType: storageType,
                    lockMode: "Unlock", kindCode: nil, databases: [], attributes: attributes)
                instance.transition = InstanceTransition(
                    status: "Creating", action: call.action, startedAt: call.now,
                    endsAt: call.now + configuration.instanceDurations.create)
                try state.put(instance, at: call.now)  // its life, and its backup policy (the defaults), begin now
                return [
                    "DBInstanceId": .string(id), "OrderId": .string(Region.newOrderId()),
                    "ConnectionString": .string(connectionString), "Port": .string(port),
                ]
            }
            return replyFields(reply, ["DBInstanceId", "OrderId", "ConnectionString", "Port"])
        }
    }

    /// `mysql.n2.medium.2c`, `pg.n2.small.1`, `rds.mysql.s1.small`, `mssql.x4.medium.e2`: dot-separated words of
    /// letters and digits.
    static func isInstanceClass(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count >= 3 && text.utf8.count <= 64
            && parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "_") } }
    }

    static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
    }

    /// A comma list of at most 1000 IPv4 addresses or CIDR blocks, without duplicates.
    static func checkSecurityIPList(_ text: String) throws {
        let entries = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard entries.count <= 1000, Set(entries).count == entries.count, entries.allSatisfy(isIPv4OrCIDR) else {
            throw RDSError.invalidSecurityIPList
        }
    }

    static func isIPv4OrCIDR(_ entry: String) -> Bool {
        let parts = entry.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return false }
        if parts.count == 2 { guard let bits = Int(parts[1]), (0...32).contains(bits) else { return false } }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { $0.count <= 3 && Int($0).map { (0...255).contains($0) } == true }
    }

    /// 2 to 255 characters, beginning with a letter or a Chinese character, not a web address.
    static func checkDescription(_ text: String) throws {
        guard (2...255).contains(text.count), let first = text.unicodeScalars.first,
            first.properties.isAlphabetic, !text.hasPrefix("http://"), !text.hasPrefix("https://")
        else { throw RDSError.invalidDescription }
    }

    /// MySQL takes ports 1000–65534, the other engines 1000–5999.
    static func checkPort(_ text: String, engine: String) throws -> String {
        let range = engine == "MySQL" ? 1000...65534 : 1000...5999
        guard text.utf8.count <= 5, let port = Int(text), range.contains(port) else { throw RDSError.invalidPort }
        return String(port)
    }
}
