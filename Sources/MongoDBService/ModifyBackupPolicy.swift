import AlibabaRPC
import EmulatorStore
import ServiceKit

/// MongoDB `ModifyBackupPolicy` (workflow-api.md §5): a setting left out, or sent empty, keeps its value. Checks, in
/// order: the instance, each value, the rules that tie settings together, `Running`. The new policy applies to
/// automatic backups from now on.
struct ModifyBackupPolicy: MongoDBOperation {
    static let action = "ModifyBackupPolicy"
    static let numericParameters: [NumericParameter] = [
        "BackupRetentionPeriod", "EnableBackupLog", "LogBackupRetentionPeriod", "BackupInterval",
        "HighFrequencyBackupRetention", "BackupRetentionPolicyOnClusterDeletion", "CrossRetentionValue",
        "EnableCrossLogBackup", "CrossLogRetentionValue",
    ].map(NumericParameter.integer)

    let configuration: MongoDBConfiguration
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        return try store.transaction { state in
            // 1. The instance exists, for this account.
            let instance = try state.instance(of: call, product: .mongodb, notFound: MongoDBError.instanceNotFound)
            // 2. Each value is one the API knows (InstanceType and CrossBackupType are checked, not kept).
            try MongoDBBackupPolicy.checkInstanceType(call)
            if let cross = call.optional("CrossBackupType"), !["update", "delete"].contains(cross) {
                throw MongoDBError.invalidPolicyParameter("CrossBackupType")
            }
            var given = try state.policySegments(instanceId: instance.instanceId).last?.settings ?? [:]
            for setting in MongoDBBackupPolicy.settings {
                guard let text = call.optional(setting.name) else { continue }
                guard let value = setting.canonical(text) else { throw setting.error }
                given[setting.name] = value
            }
            // 3. Log retention within data retention, log backup on sharded clusters, high frequency with Flash only.
            // A log retention kept from before is shortened with the data retention, as on RDS.
            var policy = MongoDBBackupPolicy.effective(given, instanceType: instance.instanceType)
            if call.optional("LogBackupRetentionPeriod") == nil, let log = Int64(policy["LogBackupRetentionPeriod"] ?? ""),
                let data = Int64(policy["BackupRetentionPeriod"] ?? ""), log > data
            {
                given["LogBackupRetentionPeriod"] = String(data)
                policy["LogBackupRetentionPeriod"] = String(data)
            }
            if let error = MongoDBBackupPolicy.conflict(in: policy, instanceType: instance.instanceType) { throw error }
            // 4. Running.
            if instance.status != "Running" { throw MongoDBError.incorrectState }
            try state.changePolicy(instanceId: instance.instanceId, settings: given, at: call.now)
            return []
        }
    }
}
