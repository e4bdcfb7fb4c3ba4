import AlibabaRPC
import EmulatorStore
import ServiceKit

/// MongoDB as the emulator's fixtures and control API see it: its fixture vocabulary and `KindCode` rules,
/// the fields its instances show, its backup ids and task stages.
public enum MongoDBModel: ProductModel {
    public static let product = Product.mongodb
    public static let engines: Set<String> = ["MongoDB"]
    public static let stages = MongoDBLifecycle.stages

    /// Descriptive fields an entry may carry; the rules do not read them, replies echo them.
    static let attributes: [String: AttributeKind] = [
        "ZoneId": .string, "DBInstanceClass": .string, "DBInstanceDescription": .string, "ChargeType": .string,
        "DBInstanceStorage": .integer, "ReplicationFactor": .string, "StorageEngine": .string,
        "NetworkType": .string, "VPCId": .string, "VSwitchId": .string, "CreationTime": .string,
        "ExpireTime": .string, "ResourceGroupId": .string, "ReplicaSetName": .string,
    ]

    /// `KindCode` and `StorageType` default from each other and must agree: a cloud-disk instance (18) is on
    /// a `cloud_*` storage, a local-disk one (0) on `local_ssd`; a standalone one (3) is a replica set.
    public static func instance(reading fields: inout some InstanceFieldReader, id: String, engine: String)
        throws(FixtureProblem) -> InstanceRecord
    {
        let kindCode = try fields.optionalString("KindCode", oneOf: MongoDBVocabulary.kindCodes)
        let storageDefault = kindCode == MongoDBKind.cloudDisk ? "cloud_essd1" : "local_ssd"
        let storageType = try fields.string("StorageType", oneOf: MongoDBVocabulary.storageTypes, default: storageDefault)
        let isCloud = storageType.hasPrefix("cloud_")
        let kind = kindCode ?? (isCloud ? MongoDBKind.cloudDisk : MongoDBKind.localDisk)
        if kind == MongoDBKind.cloudDisk && !isCloud {
            throw fields.problem("StorageType", "KindCode 18 (cloud disk) needs a cloud_* storage type")
        }
        if kind == MongoDBKind.localDisk && isCloud {
            throw fields.problem("StorageType", "KindCode 0 (local disk) needs local_ssd storage")
        }
        let instanceType = try fields.string("DBInstanceType", oneOf: MongoDBVocabulary.instanceTypes, default: "replicate")
        if kind == MongoDBKind.standalone && instanceType != "replicate" {
            throw fields.problem("DBInstanceType", "a standalone instance (KindCode 3) is of type replicate")
        }
        return InstanceRecord(
            instanceId: id, product: .mongodb, accountId: "default",
            regionId: try fields.string("RegionId", default: MongoDBVocabulary.defaultRegion),
            engine: engine,
            engineVersion: try fields.string("EngineVersion", default: "5.0"),
            status: try fields.string("DBInstanceStatus", oneOf: MongoDBVocabulary.statuses, default: "Running"),
            instanceType: instanceType, storageType: storageType,
            lockMode: try fields.string("LockMode", oneOf: MongoDBVocabulary.lockModes, default: "Unlock"),
            kindCode: kind,
            databases: try fields.databases(),
            attributes: try fields.attributes(attributes))
    }

    public static func ownFields(of instance: InstanceRecord) -> [RPCValue.Field] {
        [
            .init("KindCode", .string(instance.kindCode ?? MongoDBKind.localDisk)),
            .init("StorageType", .string(instance.storageType)),
        ]
    }

    public static func backupJobId(_ sequence: Int64) -> String { MongoDBIdentifiers.backupJobId(sequence) }
    public static func backupId(_ sequence: Int64) -> String { MongoDBIdentifiers.backupId(sequence) }
}
