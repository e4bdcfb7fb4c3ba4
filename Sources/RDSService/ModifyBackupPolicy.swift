import AlibabaRPC
import EmulatorStore
import ServiceKit

/// RDS `ModifyBackupPolicy` (workflow-api.md §3): one call changes one mode's settings (`DataBackupPolicy`, the
/// default, or `LogBackupPolicy`); a setting left out, or sent empty, keeps its value, and the other mode's settings
/// are ignored (§3.1). Checks, in order: the instance, the mode, each value, retention bounds, `Category`, read-only,
/// `Running`. The new policy applies to automatic backups from now on.
struct ModifyBackupPolicy: RDSOperation {
    static let action = "ModifyBackupPolicy"
    static let numericParameters: [NumericParameter] = [
        "BackupRetentionPeriod", "LogBackupRetentionPeriod", "LocalLogRetentionHours", "LocalLogRetentionSpace",
        "LogBackupLocalRetentionNumber", "BackupInterval", "ArchiveBackupRetentionPeriod", "ArchiveBackupKeepCount",
        "BackupPriority", "IncBackupInterval",
    ].map(NumericParameter.integer)

    let configuration: RDSConfiguration
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        return try store.transaction { state in
            // 1. The instance exists, for this account.
            let instance = try state.instance(of: call, product: .rds, notFound: RDSError.attributeInstanceNotFound)
            // 2. The mode is one of two.
            let mode = call.optional("BackupPolicyMode") ?? "DataBackupPolicy"
            guard ["DataBackupPolicy", "LogBackupPolicy"].contains(mode) else {
                throw RDSError.invalidPolicyParameter("BackupPolicyMode")
            }
            let isData = mode == "DataBackupPolicy"
            // 3. Each value the mode takes is one the API knows.
            let history = try state.policySegments(instanceId: instance.instanceId)
            var given = history.last?.settings ?? [:]
            for setting in RDSBackupPolicy.settings {
                let applies =
                    switch setting.mode {
                    case .data: isData
                    case .log: !isData
                    case .both: true
                    case .fixture: false
                    }
                guard applies, let text = call.optional(setting.name) else { continue }
                guard let value = setting.canonical(text) else { throw setting.error }
                given[setting.name] = value
            }
            if isData, let log = call.optional("BackupLog") {
                guard ["Enable", "Disabled"].contains(log) else { throw RDSError.invalidPolicyParameter("BackupLog") }
                given["EnableBackupLog"] = log == "Enable" ? "1" : "0"
            }
            // 4. Log backups are not kept longer than data backups: a log retention sent longer is refused; one
            // kept from before is shortened with the data retention (Terraform lowers data retention first).
            var policy = RDSBackupPolicy.effective(given, engine: instance.engine, storageType: instance.storageType)
            if let log = Int64(policy["LogBackupRetentionPeriod"] ?? ""), let data = Int64(policy["BackupRetentionPeriod"] ?? ""),
                log > data
            {
                if call.optional("LogBackupRetentionPeriod") != nil { throw RDSError.invalidLogBackupRetentionPeriod }
                given["LogBackupRetentionPeriod"] = String(data)
                policy["LogBackupRetentionPeriod"] = String(data)
            }
            // 5. Local-disk MySQL takes no Category (Terraform never sends it one).
            if isData, call.optional("Category") != nil, instance.engine == "MySQL",
                !RDSStorage.isCloudDisk(instance.storageType)
            {
                throw RDSError.incorrectCategory
            }
            // 6. Not read-only, 7. Running.
            if instance.instanceType == "Readonly" { throw RDSError.readOnlyInstance }
            if instance.status != "Running" { throw RDSError.incorrectState }
            // A change of the data backup policy of a MySQL instance starts a full backup at once (W§3.3).
            try state.changePolicy(
                instanceId: instance.instanceId, settings: given, at: call.now, startingBackup: isData && instance.engine == "MySQL")

            var reply: [RPCValue.Field] = [
                .init("DBInstanceID", .string(instance.instanceId)), .init("CompressType", .string(policy["CompressType"] ?? "")),
            ]
            if !isData {
                reply += [
                    .init("EnableBackupLog", .string(policy["EnableBackupLog"] ?? "")),
                    .init("LocalLogRetentionHours", RDSBackupPolicy.value(policy["LocalLogRetentionHours"] ?? "", .integer)),
                    .init("LocalLogRetentionSpace", .string(policy["LocalLogRetentionSpace"] ?? "")),
                    .init("HighSpaceUsageProtection", .string(policy["HighSpaceUsageProtection"] ?? "")),
                    .init(
                        "LogBackupLocalRetentionNumber",
                        RDSBackupPolicy.value(policy["LogBackupLocalRetentionNumber"] ?? "", .integer)),
                ]
            }
            return reply
        }
    }
}
