import AlibabaRPC
import EmulatorStore

/// What the `Emulator` module needs to know of a product beyond its API: how its fixture entries read, which
/// fields its instances show, and how its backup tasks are named and progress. Each product module has one
/// conforming type, and `Emulator` lists them in one table; nothing there switches on the product.
public protocol ProductModel: Sendable {
    /// The store's tag for this product's instances and backups.
    static var product: Product { get }
    /// The `Engine` values of fixture entries that make an instance of this product.
    static var engines: Set<String> { get }
    /// The stages a backup task passes through.
    static var stages: TaskStages { get }

    /// Reads a fixture entry's fields (all but `DBInstanceId`, `Engine` and `AccountId`, which the caller
    /// reads) into an instance of this product, with its defaults and allowed values.
    static func instance(reading fields: inout some InstanceFieldReader, id: String, engine: String)
        throws(FixtureProblem) -> InstanceRecord
    /// The fields only this product's instances have, as entries and replies list them: after
    /// `DBInstanceType`, before `LockMode`.
    static func ownFields(of instance: InstanceRecord) -> [RPCValue.Field]
    /// The public ids of the backup task and the backup set with this store sequence number.
    static func backupJobId(_ sequence: Int64) -> String
    static func backupId(_ sequence: Int64) -> String
    /// Why these backup policy settings (by the API's names) cannot be the instance's policy: the setting and the
    /// reason; nil when they can.
    static func backupPolicyProblem(_ settings: [String: String], of instance: InstanceRecord) -> (String, String)?
    /// The instance's policy with these settings given and the product's defaults for the others, every setting
    /// typed as DescribeBackupPolicy types it.
    static func backupPolicyFields(_ settings: [String: String], of instance: InstanceRecord) -> [RPCValue.Field]
    /// The instance's policy history as the schedules of its automatic backups.
    static func automaticSchedule(_ history: [PolicySegment], of instance: InstanceRecord) -> [ScheduleSegment]
    /// The instance's automatic backups at `now`, from its policy history in the store.
    static func automaticSets(_ state: StoreTransaction, of instance: InstanceRecord, now: Int64) throws
        -> AutomaticBackupSets
}

extension ProductModel {
    /// An instance as the Describe operations show it: its fields, then its descriptive attributes.
    public static func describe(_ instance: InstanceRecord) -> RPCValue {
        var fields: [RPCValue.Field] = [
            .init("DBInstanceId", .string(instance.instanceId)), .init("RegionId", .string(instance.regionId)),
            .init("Engine", .string(instance.engine)), .init("EngineVersion", .string(instance.engineVersion)),
            .init("DBInstanceStatus", .string(instance.status)), .init("DBInstanceType", .string(instance.instanceType)),
        ]
        fields += ownFields(of: instance)
        fields.append(.init("LockMode", .string(instance.lockMode)))
        fields += instance.attributeFields
        return .object(fields)
    }
}

extension InstanceRecord {
    /// The descriptive attributes as reply fields, in name order.
    public var attributeFields: [RPCValue.Field] {
        sortedAttributes.map { name, value in
            switch value {
            case .string(let text): .init(name, .string(text))
            case .integer(let number): .init(name, .integer(number))
            }
        }
    }
}
