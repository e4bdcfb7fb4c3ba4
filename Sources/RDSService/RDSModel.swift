import AlibabaRPC
import EmulatorStore
import ServiceKit

/// RDS as the emulator's fixtures and control API see it: its fixture vocabulary, defaults per engine, the
/// fields its instances show, its backup ids and task stages.
public enum RDSModel: ProductModel {
    public static let product = Product.rds
    public static let engines = RDSVocabulary.engines
    public static let stages = RDSLifecycle.stages
    static let defaultVersions = ["MySQL": "8.0", "PostgreSQL": "14.0", "SQLServer": "2019_std_ha", "MariaDB": "10.3"]

    /// Descriptive fields an entry may carry; the rules do not read them, replies echo them.
    static let attributes: [String: AttributeKind] = [
        "ZoneId": .string, "DBInstanceClass": .string, "DBInstanceDescription": .string, "Category": .string,
        "PayType": .string, "DBInstanceStorage": .integer, "DBInstanceMemory": .integer, "DBInstanceCPU": .string,
        "CreationTime": .string, "ExpireTime": .string, "ConnectionString": .string, "Port": .string,
        "InstanceNetworkType": .string, "VpcId": .string, "VSwitchId": .string, "ResourceGroupId": .string,
        "MasterInstanceId": .string, "SecurityIPList": .string,
    ]

    public static func instance(reading fields: inout some InstanceFieldReader, id: String, engine: String)
        throws(FixtureProblem) -> InstanceRecord
    {
        InstanceRecord(
            instanceId: id, product: .rds, accountId: "default",
            regionId: try fields.string("RegionId", default: RDSVocabulary.defaultRegion),
            engine: engine,
            engineVersion: try fields.string("EngineVersion", default: defaultVersions[engine] ?? ""),
            status: try fields.string("DBInstanceStatus", oneOf: RDSVocabulary.statuses, default: "Running"),
            instanceType: try fields.string("DBInstanceType", oneOf: RDSVocabulary.instanceTypes, default: "Primary"),
            storageType: try fields.string("DBInstanceStorageType", oneOf: RDSVocabulary.storageTypes, default: "local_ssd"),
            lockMode: try fields.string("LockMode", oneOf: RDSVocabulary.lockModes, default: "Unlock"),
            kindCode: nil,
            databases: try fields.databases(),
            attributes: try fields.attributes(attributes))
    }

    public static func ownFields(of instance: InstanceRecord) -> [RPCValue.Field] {
        [.init("DBInstanceStorageType", .string(instance.storageType))]
    }

    public static func backupJobId(_ sequence: Int64) -> String { RDSIdentifiers.backupJobId(sequence) }
    public static func backupId(_ sequence: Int64) -> String { RDSIdentifiers.backupId(sequence) }
}
