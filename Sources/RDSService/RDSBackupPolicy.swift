import AlibabaRPC
import EmulatorStore
import ServiceKit

/// An RDS instance's backup policy (workflow-api.md §2, §3): its settings by the API's names, each with its JSON
/// type in DescribeBackupPolicy, the ModifyBackupPolicy mode that sets it, its rule and its error. Stored as text;
/// an instance's policy is the defaults below with the settings given (fixture, control API, ModifyBackupPolicy).
public enum RDSBackupPolicy {
    enum Kind { case string, integer, boolean }
    /// Which `BackupPolicyMode` sets a setting (`fixture`: only fixtures and the control API).
    enum Mode { case data, log, both, fixture }

    struct Setting: Sendable {
        let name: String
        let kind: Kind
        let mode: Mode
        /// The value as stored, or nil when the API refuses it.
        let canonical: @Sendable (String) -> String?
        let error: APIError
    }

    static func oneOf(_ values: [String]) -> @Sendable (String) -> String? { { values.contains($0) ? $0 : nil } }
    static func whole(_ range: ClosedRange<Int64>, or extra: [Int64] = []) -> @Sendable (String) -> String? {
        { text in Int64(text).flatMap { range.contains($0) || extra.contains($0) ? String($0) : nil } }
    }
    static let flag: @Sendable (String) -> String? = { ["true", "false"].contains($0.lowercased()) ? $0.lowercased() : nil }
    static func invalid(_ name: String) -> APIError { RDSError.invalidPolicyParameter(name) }

    /// In DescribeBackupPolicy's order (§2.2); derived fields are added there.
    static let settings: [Setting] = [
        Setting(name: "BackupRetentionPeriod", kind: .integer, mode: .data, canonical: whole(7...730),
                error: RDSError.invalidBackupRetentionPeriod),
        Setting(name: "PreferredBackupTime", kind: .string, mode: .data,
                canonical: { BackupSchedule.windowHour(from: $0) != nil ? $0 : nil }, error: RDSError.invalidPreferredBackupTime),
        Setting(name: "PreferredBackupPeriod", kind: .string, mode: .data,
                canonical: { BackupSchedule.weekdays(fromPeriod: $0) != nil ? $0 : nil },
                error: RDSError.invalidPreferredBackupPeriod),
        Setting(name: "EnableBackupLog", kind: .string, mode: .log,
                canonical: { ["1": "1", "0": "0", "True": "1", "False": "0", "true": "1", "false": "0"][$0] },
                error: invalid("EnableBackupLog")),
        Setting(name: "LogBackupRetentionPeriod", kind: .integer, mode: .both, canonical: whole(7...730),
                error: RDSError.invalidLogBackupRetentionPeriod),
        Setting(name: "LocalLogRetentionHours", kind: .integer, mode: .log, canonical: whole(0...168),
                error: invalid("LocalLogRetentionHours")),
        Setting(name: "LocalLogRetentionSpace", kind: .string, mode: .log, canonical: whole(0...50),
                error: invalid("LocalLogRetentionSpace")),
        Setting(name: "HighSpaceUsageProtection", kind: .string, mode: .log, canonical: oneOf(["Enable", "Disable"]),
                error: invalid("HighSpaceUsageProtection")),
        Setting(name: "LogBackupLocalRetentionNumber", kind: .integer, mode: .log, canonical: whole(6...100, or: [-1]),
                error: invalid("LogBackupLocalRetentionNumber")),
        Setting(name: "LogBackupFrequency", kind: .string, mode: .data, canonical: oneOf(["LogInterval", ""]),
                error: RDSError.invalidLogBackupFrequency),
        Setting(name: "CompressType", kind: .string, mode: .data, canonical: oneOf(["0", "1", "2", "4", "8"]),
                error: invalid("CompressType")),
        Setting(name: "BackupInterval", kind: .string, mode: .data,
                canonical: whole(-1...(-1), or: [15, 30, 60, 120, 180, 240, 360, 480, 720]), error: invalid("BackupInterval")),
        Setting(name: "Category", kind: .string, mode: .data, canonical: oneOf(["Flash", "Standard"]), error: invalid("Category")),
        Setting(name: "BackupMethod", kind: .string, mode: .data, canonical: oneOf(["Physical", "Snapshot"]),
                error: invalid("BackupMethod")),
        Setting(name: "ArchiveBackupRetentionPeriod", kind: .string, mode: .data, canonical: whole(30...1095, or: [0]),
                error: invalid("ArchiveBackupRetentionPeriod")),
        Setting(name: "ArchiveBackupKeepPolicy", kind: .string, mode: .data, canonical: oneOf(["ByMonth", "ByWeek", "KeepAll"]),
                error: invalid("ArchiveBackupKeepPolicy")),
        Setting(name: "ArchiveBackupKeepCount", kind: .string, mode: .data, canonical: whole(1...31),
                error: invalid("ArchiveBackupKeepCount")),
        Setting(name: "ReleasedKeepPolicy", kind: .string, mode: .data, canonical: oneOf(["None", "Lastest", "All"]),
                error: RDSError.invalidReleasedKeepPolicy),
        Setting(name: "EnableIncrementDataBackup", kind: .boolean, mode: .data, canonical: flag,
                error: invalid("EnableIncrementDataBackup")),
        Setting(name: "BackupPriority", kind: .integer, mode: .data, canonical: whole(1...2), error: invalid("BackupPriority")),
        Setting(name: "EnablePitrProtection", kind: .boolean, mode: .data, canonical: flag, error: invalid("EnablePitrProtection")),
        Setting(name: "PitrRetentionPeriod", kind: .integer, mode: .fixture, canonical: whole(0...730),
                error: invalid("PitrRetentionPeriod")),
        Setting(name: "IncBackupInterval", kind: .integer, mode: .data, canonical: whole(-1...(-1), or: [60, 120, 240, 360, 720]),
                error: invalid("IncBackupInterval")),
    ]

    /// The settings fixtures and the control API take, by name.
    public static let settingNames: [String] = settings.map(\.name)

    /// A new instance's policy (§2.4: Terraform's reset values, the legacy log defaults; the rest documented
    /// choices in docs/behaviour.md).
    static func defaults(engine: String, storageType: String) -> [String: String] {
        [
            "BackupRetentionPeriod": "7", "PreferredBackupTime": "02:00Z-03:00Z",
            "PreferredBackupPeriod": "Tuesday,Thursday,Saturday", "EnableBackupLog": "1", "LogBackupRetentionPeriod": "7",
            "LocalLogRetentionHours": "18", "LocalLogRetentionSpace": "30", "HighSpaceUsageProtection": "Enable",
            "LogBackupLocalRetentionNumber": "60", "LogBackupFrequency": engine == "SQLServer" ? "LogInterval" : "",
            "CompressType": "1", "BackupInterval": "-1", "Category": "Standard",
            "BackupMethod": automaticMethod(engine: engine, storageType: storageType), "ArchiveBackupRetentionPeriod": "0",
            "ArchiveBackupKeepPolicy": "ByMonth", "ArchiveBackupKeepCount": "1", "ReleasedKeepPolicy": "None",
            "EnableIncrementDataBackup": "false", "BackupPriority": "1", "EnablePitrProtection": "false",
            "PitrRetentionPeriod": "0", "IncBackupInterval": "-1",
        ]
    }

    /// The method automatic backups use: snapshots on cloud disks (MariaDB has none), physical backups otherwise.
    public static func automaticMethod(engine: String, storageType: String) -> String {
        RDSStorage.isCloudDisk(storageType) && engine != "MariaDB" ? "Snapshot" : "Physical"
    }

    /// The policy in force: the defaults, overridden by what was given.
    static func effective(_ given: [String: String], engine: String, storageType: String) -> [String: String] {
        defaults(engine: engine, storageType: storageType).merging(given) { _, new in new }
    }

    /// Why a fixture's or control API's settings cannot be a policy: (setting, reason); nil when they can.
    public static func problem(in given: [String: String], engine: String, storageType: String) -> (String, String)? {
        for (name, value) in given.sorted(by: { $0.key < $1.key }) {
            guard let setting = settings.first(where: { $0.name == name }) else {
                return (name, "is not a setting of RDS backup policies (misspelt?)")
            }
            if setting.canonical(value) != value { return (name, "\"\(value)\" is not valid: \(setting.error.message)") }
        }
        let policy = effective(given, engine: engine, storageType: storageType)
        if Int64(policy["LogBackupRetentionPeriod"] ?? "") ?? 0 > Int64(policy["BackupRetentionPeriod"] ?? "") ?? 0 {
            return ("LogBackupRetentionPeriod", "must not be longer than BackupRetentionPeriod")
        }
        return nil
    }

    /// How long the policy keeps a data backup set, from the settings given (the default: 7 days).
    static func retentionDays(_ given: [String: String]) -> Int64 {
        Int64(given["BackupRetentionPeriod"] ?? "") ?? 7
    }

    /// The schedule of automatic backups a policy in force makes.
    static func schedule(_ policy: [String: String]) -> BackupSchedule {
        BackupSchedule(
            weekdays: BackupSchedule.weekdays(fromPeriod: policy["PreferredBackupPeriod"] ?? "") ?? 0,
            windowHour: BackupSchedule.windowHour(from: policy["PreferredBackupTime"] ?? "") ?? 0,
            intervalMinutes: Int(policy["BackupInterval"] ?? ""),
            retentionDays: retentionDays(policy))
    }

    /// The history as schedules, for an instance of `engine` on `storageType`, with the full backups its changes
    /// started.
    static func segments(_ history: [PolicySegment], engine: String, storageType: String) -> [ScheduleSegment] {
        history.map {
            ScheduleSegment(
                from: $0.from, to: $0.to, schedule: schedule(effective($0.settings, engine: engine, storageType: storageType)),
                backupAt: $0.backupAt)
        }
    }

    /// The instance's automatic backups at `now`, from its policy history.
    static func automaticSets(_ state: StoreTransaction, of instance: InstanceRecord, now: Int64) throws -> AutomaticBackupSets {
        let history = try state.policySegments(instanceId: instance.instanceId)
        return try AutomaticBackupSets(
            state, instance: instance, history: history,
            segments: segments(history, engine: instance.engine, storageType: instance.storageType),
            method: automaticMethod(engine: instance.engine, storageType: instance.storageType), stages: RDSLifecycle.stages,
            now: now)
    }

    /// How many days after its end an automatic set may be deleted under the policy in force (`StoreStatus`
    /// `Enabled`): 7 with log backup off, the log retention when it is shorter than the data retention; nil: never
    /// (W§6.2, the DeleteBackup precondition).
    static func deletableAfterDays(_ given: [String: String], of instance: InstanceRecord) -> Int64? {
        let policy = effective(given, engine: instance.engine, storageType: instance.storageType)
        if policy["EnableBackupLog"] == "0" { return 7 }
        let log = Int64(policy["LogBackupRetentionPeriod"] ?? "") ?? 7
        return log < Int64(policy["BackupRetentionPeriod"] ?? "") ?? 7 ? log : nil
    }

    /// A setting's value as DescribeBackupPolicy types it.
    static func value(_ text: String, _ kind: Kind) -> RPCValue {
        switch kind {
        case .string: .string(text)
        case .integer: .integer(Int64(text) ?? 0)
        case .boolean: .boolean(text == "true")
        }
    }

    /// Every setting, typed: the control API shows the policy with this.
    public static func typedSettings(_ given: [String: String], engine: String, storageType: String) -> [RPCValue.Field] {
        let policy = effective(given, engine: engine, storageType: storageType)
        return settings.map { .init($0.name, value(policy[$0.name] ?? "", $0.kind)) }
    }
}

extension RDSModel {
    public static func backupPolicyProblem(_ settings: [String: String], of instance: InstanceRecord) -> (String, String)? {
        RDSBackupPolicy.problem(in: settings, engine: instance.engine, storageType: instance.storageType)
    }

    public static func backupPolicyFields(_ settings: [String: String], of instance: InstanceRecord) -> [RPCValue.Field] {
        RDSBackupPolicy.typedSettings(settings, engine: instance.engine, storageType: instance.storageType)
    }

    public static func automaticSchedule(_ history: [PolicySegment], of instance: InstanceRecord) -> [ScheduleSegment] {
        RDSBackupPolicy.segments(history, engine: instance.engine, storageType: instance.storageType)
    }

    public static func automaticSets(_ state: StoreTransaction, of instance: InstanceRecord, now: Int64) throws
        -> AutomaticBackupSets
    {
        try RDSBackupPolicy.automaticSets(state, of: instance, now: now)
    }
}
