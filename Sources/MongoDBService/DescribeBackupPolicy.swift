import AlibabaRPC
import EmulatorStore
import ServiceKit

/// MongoDB `DescribeBackupPolicy` (workflow-api.md §4): the policy in force, with the next regular backup.
struct DescribeBackupPolicy: MongoDBOperation {
    static let action = "DescribeBackupPolicy"

    let configuration: MongoDBConfiguration
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        return try store.transaction { state in
            let instance = try state.instance(of: call, product: .mongodb, notFound: MongoDBError.instanceNotFound)
            try MongoDBBackupPolicy.checkInstanceType(call)
            let given = try state.policySegments(instanceId: instance.instanceId).last?.settings ?? [:]
            let policy = MongoDBBackupPolicy.effective(given, instanceType: instance.instanceType)
            let next = MongoDBBackupPolicy.schedule(policy).slot(atOrAfter: call.now, regularOnly: true) ?? call.now
            var fields: [RPCValue.Field] = []
            for setting in MongoDBBackupPolicy.settings {
                fields.append(.init(setting.name, MongoDBBackupPolicy.value(policy[setting.name] ?? "", setting.kind)))
                if setting.name == "PreferredBackupTime" {
                    fields.append(.init("PreferredNextBackupTime", .string(String(UTCTime.iso8601(next).prefix(16)) + "Z")))
                }
            }
            return fields
        }
    }
}
