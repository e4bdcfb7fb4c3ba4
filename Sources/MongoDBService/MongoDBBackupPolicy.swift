import AlibabaRPC
import EmulatorStore
import ServiceKit

/// A MongoDB instance's backup policy (workflow-api.md §4, §5): its settings by the API's names, each with its JSON
/// type in DescribeBackupPolicy (they differ from RDS's: `BackupRetentionPeriod` is a string here, `EnableBackupLog`
/// and `BackupInterval` integers), its rule and its error. Stored as text; an instance's policy is the defaults
/// below with the settings given.
public enum MongoDBBackupPolicy {
    enum Kind { case string, integer, boolean }

    struct Setting: Sendable {
        let name: String
        let kind: Kind
        /// The value as stored, or nil when the API refuses it.
        let canonical: @Sendable (String) -> String?
        let error: APIError
    }

    static func oneOf(_ values: [String]) -> @Sendable (String) -> String? { { values.contains($0) ? $0 : nil } }
    static func whole(_ range: ClosedRange<Int64>, or extra: [Int64] = []) -> @Sendable (String) -> String? {
        { text in Int64(text).flatMap { range.contains($0) || extra.contains($0) ? String($0) : nil } }
    }
    static func invalid(_ name: String) -> APIError { MongoDBError.invalidPolicyParameter(name) }

    /// Both policy operations take an `InstanceType`, checked and not kept: the instance's own type decides.
    static func checkInstanceType(_ call: RPCCall) throws {
        if let type = call.optional("InstanceType"), !["replicate", "sharding"].contains(type) {
            throw invalid("InstanceType")
        }
    }
    static let anyText: @Sendable (String) -> String? = { $0.utf8.count <= 256 ? $0 : nil }

    /// In DescribeBackupPolicy's order (§4.2); `PreferredNextBackupTime` is added there.
    static let settings: [Setting] = [
        Setting(name: "PreferredBackupPeriod", kind: .string,
                canonical: { BackupSchedule.weekdays(fromPeriod: $0) != nil ? $0 : nil }, error: MongoDBError.invalidBackupPeriod),
        Setting(name: "PreferredBackupTime", kind: .string,
                canonical: { BackupSchedule.windowHour(from: $0) != nil ? $0 : nil }, error: MongoDBError.invalidBackupTime),
        Setting(name: "BackupRetentionPeriod", kind: .string, canonical: whole(7...730),
                error: MongoDBError.invalidBackupRetentionPeriod),
        Setting(name: "EnableBackupLog", kind: .integer, canonical: whole(0...1), error: invalid("EnableBackupLog")),
        Setting(name: "LogBackupRetentionPeriod", kind: .integer, canonical: whole(7...730), error: invalid("LogBackupRetentionPeriod")),
        Setting(name: "SnapshotBackupType", kind: .string, canonical: oneOf(["Flash", "Standard"]), error: invalid("SnapshotBackupType")),
        Setting(name: "BackupInterval", kind: .integer, canonical: whole(-1...(-1), or: [15, 30, 60, 120, 180, 240, 360, 480, 720]),
                error: invalid("BackupInterval")),
        Setting(name: "HighFrequencyBackupRetention", kind: .string, canonical: whole(1...730), error: invalid("HighFrequencyBackupRetention")),
        Setting(name: "BackupRetentionPolicyOnClusterDeletion", kind: .integer, canonical: whole(0...2),
                error: invalid("BackupRetentionPolicyOnClusterDeletion")),
        Setting(name: "SrcRegion", kind: .string, canonical: anyText, error: invalid("SrcRegion")),
        Setting(name: "DestRegion", kind: .string, canonical: anyText, error: invalid("DestRegion")),
        Setting(name: "CrossRetentionType", kind: .string, canonical: oneOf(["", "delay", "never"]), error: invalid("CrossRetentionType")),
        Setting(name: "CrossRetentionValue", kind: .integer, canonical: whole(3...1825, or: [0]), error: invalid("CrossRetentionValue")),
        Setting(name: "CrossBackupPeriod", kind: .string, canonical: anyText, error: invalid("CrossBackupPeriod")),
        Setting(name: "EnableCrossLogBackup", kind: .integer, canonical: whole(0...1), error: invalid("EnableCrossLogBackup")),
        Setting(name: "CrossLogRetentionType", kind: .string, canonical: oneOf(["", "delay", "never"]),
                error: invalid("CrossLogRetentionType")),
        Setting(name: "CrossLogRetentionValue", kind: .integer, canonical: whole(3...1825, or: [0]), error: invalid("CrossLogRetentionValue")),
        Setting(name: "PreserveOneEachHour", kind: .boolean,
                canonical: { ["true", "false"].contains($0.lowercased()) ? $0.lowercased() : nil }, error: invalid("PreserveOneEachHour")),
    ]

    /// The settings fixtures and the control API take.
    public static let settingNames: [String] = settings.map(\.name)

    /// A new instance's policy (§4.2 defaults; days and window are a documented choice). Sharded clusters always
    /// back up their logs.
    static func defaults(instanceType: String) -> [String: String] {
        [
            "PreferredBackupPeriod": "Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday",
            "PreferredBackupTime": "02:00Z-03:00Z", "BackupRetentionPeriod": "30",
            "EnableBackupLog": instanceType == "sharding" ? "1" : "0", "LogBackupRetentionPeriod": "7",
            "SnapshotBackupType": "Standard", "BackupInterval": "-1", "HighFrequencyBackupRetention": "1",
            "BackupRetentionPolicyOnClusterDeletion": "0", "SrcRegion": "", "DestRegion": "", "CrossRetentionType": "",
            "CrossRetentionValue": "0", "CrossBackupPeriod": "", "EnableCrossLogBackup": "0", "CrossLogRetentionType": "",
            "CrossLogRetentionValue": "0", "PreserveOneEachHour": "false",
        ]
    }

    static func effective(_ given: [String: String], instanceType: String) -> [String: String] {
        defaults(instanceType: instanceType).merging(given) { _, new in new }
    }

    /// The rules that tie settings together (§5.2); the error, or nil.
    static func conflict(in policy: [String: String], instanceType: String) -> APIError? {
        if instanceType == "sharding", policy["EnableBackupLog"] == "0" { return invalid("EnableBackupLog") }
        if Int64(policy["LogBackupRetentionPeriod"] ?? "") ?? 0 > Int64(policy["BackupRetentionPeriod"] ?? "") ?? 0 {
            return invalid("LogBackupRetentionPeriod")
        }
        if policy["SnapshotBackupType"] != "Flash", policy["BackupInterval"] != "-1" { return invalid("BackupInterval") }
        return nil
    }

    /// Why a fixture's or control API's settings cannot be a policy: (setting, reason); nil when they can.
    public static func problem(in given: [String: String], instanceType: String) -> (String, String)? {
        for (name, value) in given.sorted(by: { $0.key < $1.key }) {
            guard let setting = settings.first(where: { $0.name == name }) else {
                return (name, "is not a setting of MongoDB backup policies (misspelt?)")
            }
            if setting.canonical(value) != value { return (name, "\"\(value)\" is not valid: \(setting.error.message)") }
        }
        if let error = conflict(in: effective(given, instanceType: instanceType), instanceType: instanceType) {
            return ("BackupPolicy", error.message)
        }
        return nil
    }

    /// How long the policy keeps a full backup set, from the settings given (the default: 30 days).
    static func retentionDays(_ given: [String: String]) -> Int64 {
        Int64(given["BackupRetentionPeriod"] ?? "") ?? 30
    }

    /// The schedule of automatic backups a policy in force makes: high-frequency ones only with Flash backups, kept
    /// `HighFrequencyBackupRetention` days (the window's one `BackupRetentionPeriod` days).
    static func schedule(_ policy: [String: String]) -> BackupSchedule {
        BackupSchedule(
            weekdays: BackupSchedule.weekdays(fromPeriod: policy["PreferredBackupPeriod"] ?? "") ?? 0,
            windowHour: BackupSchedule.windowHour(from: policy["PreferredBackupTime"] ?? "") ?? 0,
            intervalMinutes: policy["SnapshotBackupType"] == "Flash" ? Int(policy["BackupInterval"] ?? "") : nil,
            retentionDays: retentionDays(policy),
            highFrequencyRetentionDays: Int64(policy["HighFrequencyBackupRetention"] ?? "") ?? 1)
    }

    static func segments(_ history: [PolicySegment], instanceType: String) -> [ScheduleSegment] {
        history.map {
            ScheduleSegment(from: $0.from, to: $0.to, schedule: schedule(effective($0.settings, instanceType: instanceType)))
        }
    }

    /// The method automatic backups use: snapshots for standalone and cloud-disk instances, physical otherwise
    /// (W§6.1).
    public static func automaticMethod(kindCode: String?) -> String {
        kindCode == MongoDBKind.standalone || kindCode == MongoDBKind.cloudDisk ? "Snapshot" : "Physical"
    }

    /// The instance's automatic backups at `now`, from its policy history.
    static func automaticSets(_ state: StoreTransaction, of instance: InstanceRecord, now: Int64) throws -> AutomaticBackupSets {
        let history = try state.policySegments(instanceId: instance.instanceId)
        return try AutomaticBackupSets(
            state, instance: instance, history: history, segments: segments(history, instanceType: instance.instanceType),
            method: automaticMethod(kindCode: instance.kindCode), stages: MongoDBLifecycle.stages, now: now)
    }

    static func value(_ text: String, _ kind: Kind) -> RPCValue {
        switch kind {
        case .string: .string(text)
        case .integer: .integer(Int64(text) ?? 0)
        case .boolean: .boolean(text == "true")
        }
    }

    /// Every setting, typed: the control API shows the policy with this.
    public static func typedSettings(_ given: [String: String], instanceType: String) -> [RPCValue.Field] {
        let policy = effective(given, instanceType: instanceType)
        return settings.map { .init($0.name, value(policy[$0.name] ?? "", $0.kind)) }
    }
}

extension MongoDBModel {
    public static func backupPolicyProblem(_ settings: [String: String], of instance: InstanceRecord) -> (String, String)? {
        MongoDBBackupPolicy.problem(in: settings, instanceType: instance.instanceType)
    }

    public static func backupPolicyFields(_ settings: [String: String], of instance: InstanceRecord) -> [RPCValue.Field] {
        MongoDBBackupPolicy.typedSettings(settings, instanceType: instance.instanceType)
    }

    public static func automaticSchedule(_ history: [PolicySegment], of instance: InstanceRecord) -> [ScheduleSegment] {
        MongoDBBackupPolicy.segments(history, instanceType: instance.instanceType)
    }

    public static func automaticSets(_ state: StoreTransaction, of instance: InstanceRecord, now: Int64) throws
        -> AutomaticBackupSets
    {
        try MongoDBBackupPolicy.automaticSets(state, of: instance, now: now)
    }
}
