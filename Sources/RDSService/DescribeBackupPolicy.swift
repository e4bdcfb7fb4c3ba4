import AlibabaRPC
import EmulatorStore
import ServiceKit

/// RDS `DescribeBackupPolicy` (workflow-api.md §2): the policy in force, every field whatever the mode (no source
/// says which fields a mode leaves out, and Terraform reads both groups from one reply without a mode).
struct DescribeBackupPolicy: RDSOperation {
    static let action = "DescribeBackupPolicy"

    let configuration: RDSConfiguration
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        return try store.transaction { state in
            let instance = try state.instance(of: call, product: .rds, notFound: RDSError.taskInstanceNotFound)
            if let mode = call.optional("BackupPolicyMode"), !["DataBackupPolicy", "LogBackupPolicy"].contains(mode) {
                throw RDSError.invalidPolicyParameter("BackupPolicyMode")
            }
            let history = try state.policySegments(instanceId: instance.instanceId)
            return Self.reply(history.last?.settings ?? [:], of: instance, now: call.now)
        }
    }

    /// Every field of §2.2, in its order and with its JSON type.
    static func reply(_ given: [String: String], of instance: InstanceRecord, now: Int64) -> [RPCValue.Field] {
        let policy = RDSBackupPolicy.effective(given, engine: instance.engine, storageType: instance.storageType)
        let next = RDSBackupPolicy.schedule(policy).slot(atOrAfter: now, regularOnly: true) ?? now
        let sqlServer = instance.engine == "SQLServer"
        let cloud = RDSStorage.isCloudDisk(instance.storageType)
        var fields: [RPCValue.Field] = []
        for setting in RDSBackupPolicy.settings {
            fields.append(.init(setting.name, RDSBackupPolicy.value(policy[setting.name] ?? "", setting.kind)))
            switch setting.name {
            case "PreferredBackupPeriod":
                fields.append(.init("PreferredNextBackupTime", .string(String(UTCTime.iso8601(next).prefix(16)) + "Z")))
                fields.append(.init("BackupLog", .string(policy["EnableBackupLog"] == "1" ? "Enable" : "Disabled")))
            case "ReleasedKeepPolicy":
                fields.append(.init("SupportReleasedKeep", .integer(0)))
                fields.append(.init("SupportVolumeShadowCopy", .integer(sqlServer && cloud ? 1 : 0)))
            case "EnableIncrementDataBackup":
                fields.append(.init("SupportModifyBackupPriority", .boolean(sqlServer)))
            default: break
            }
        }
        fields.append(.init("SupportsHighFrequencyBackup", .integer(0)))
        fields.append(.init("AdvancedBackupPolicyEnabled", .boolean(false)))
        fields.append(.init("AdvancedDataPolicies", .object([.init("AdvancedDataPolicy", .array([]))])))
        fields.append(.init("AdvancedLogPolicies", .object([.init("AdvancedLogPolicy", .array([]))])))
        return fields
    }
}
