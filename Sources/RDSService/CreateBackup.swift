import AlibabaRPC
import EmulatorStore
import ServiceKit

/// RDS `CreateBackup` (2014-08-15): every rule, checked in the order written here and in
/// docs/behaviour.md. The checks and the write they guard run in one store transaction.
struct CreateBackup: RDSOperation {
    static let action = "CreateBackup"
    static let numericParameters: [NumericParameter] = [.integer("BackupRetentionPeriod")]

    let configuration: RDSConfiguration
    let store: Store

    /// The parameters after their values were checked; nil where the caller did not pass one.
    struct Request {
        var instanceId: String
        var method: String?
        var backupType: String?
        var strategy: String?
        var databaseNames: [String]?
        var retentionDays: Int64?
    }

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        // 1. The instance id is mandatory.
        let instanceId = try call.required("DBInstanceId")
        return try store.transaction { state in
            // 2. The instance exists, for this account.
            let admission = try state.backupAdmission(
                for: call, instanceId: instanceId, product: .rds, notFound: RDSError.instanceNotFound)
            let instance = admission.instance
            // 3. Each value is one the API knows.
            let request = try checkValues(call, instanceId: instanceId)
            // 4. Read-only instances take no backups.
            if instance.instanceType == "Readonly" { throw RDSError.readOnlyInstance }
            // 5. The method, type, strategy, databases and retention suit the engine and storage.
            let method = try checkEngineRules(request, on: instance)
            // 6. Databases: a logical backup needs some; named ones must exist.
            try checkDatabases(request, method: method, on: instance)
            // 7. The instance is unlocked, 8. Running, 9. not already backing up,
            // 10. and under its daily quota.
            if instance.lockMode != "Unlock" { throw RDSError.instanceLocked }
            if instance.status != "Running" { throw RDSError.incorrectState }
            if admission.hasTaskRunning { throw RDSError.backupJobExists }
            if admission.acceptedToday >= configuration.dailyQuota { throw RDSError.dailyQuotaExceeded }

            let backup = try state.startBackup(
                BackupRecord(
                    product: .rds, instanceId: instanceId, accountId: call.accountId, method: method,
                    backupType: request.backupType ?? "Auto", strategy: request.strategy,
                    databaseNames: request.databaseNames?.joined(separator: ","), retentionDays: request.retentionDays,
                    startedAt: call.now, finishesAt: call.now),
                after: admission, duration: configuration.backupDuration, stages: RDSLifecycle.stages,
                policyRetentionDays: RDSBackupPolicy.retentionDays(admission.policySettings))
            switch configuration.profile {
            case .current: return [.init("BackupJobId", .string(RDSIdentifiers.backupJobId(backup.sequence)))]
            case .legacy: return []
            }
        }
    }

    // MARK: 3. Values

    private func checkValues(_ call: RPCCall, instanceId: String) throws -> Request {
        var request = Request(instanceId: instanceId)
        if let method = call.optional("BackupMethod") {
            let known = configuration.profile == .legacy ? ["Logical", "Physical"] : ["Logical", "Physical", "Snapshot"]
            guard known.contains(method) else { throw RDSError.backupMethodNotSupported }
            request.method = method
        }
        if let type = call.optional("BackupType") {
            guard type == "Auto" || type == "FullBackup" else { throw RDSError.backupTypeNotSupported }
            request.backupType = type
        }
        if let strategy = call.optional("BackupStrategy") {
            guard strategy == "db" || strategy == "instance" else { throw RDSError.invalidBackupStrategy }
            request.strategy = strategy
        }
        if let names = call.optional("DBName") {
            let list = names.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard list.allSatisfy(Self.isDatabaseName) else { throw RDSError.invalidDBNameFormat }
            request.databaseNames = list
        }
        if let retention = call.optional("BackupRetentionPeriod") {
            guard let days = Int64(retention), days == -1 || (7...730).contains(days) else {
                throw RDSError.invalidRetentionPeriod
            }
            request.retentionDays = days
        }
        return request
    }

    /// 1–64 letters, digits, `_` or `-`, starting with a letter.
    static func isDatabaseName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 64,
            ("a"..."z").contains(first) || ("A"..."Z").contains(first)
        else { return false }
        return name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
        }
    }

    // MARK: 5. Engine and storage

    /// Returns the backup method that will run.
    private func checkEngineRules(_ request: Request, on instance: BackupAdmission.Instance) throws -> String {
        let method = request.method ?? "Physical"
        guard allowedMethods(instance).contains(method) else { throw RDSError.backupMethodNotSupported }

        let isSQLServer = instance.engine == "SQLServer"
        if request.backupType != nil, configuration.profile == .current, !isSQLServer || method != "Physical" {
            // BackupType applies to SQL Server physical backups only.
            throw RDSError.backupTypeNotSupported
        }
        let fullPhysical = isSQLServer && method == "Physical" && request.backupType == "FullBackup"
        if request.strategy != nil {
            let applies =
                switch configuration.profile {
                case .current: (instance.engine == "MySQL" && method == "Logical") || fullPhysical
                case .legacy: method == "Logical"
                }
            if !applies { throw RDSError.invalidBackupStrategy }
        }
        if request.strategy == "db", request.databaseNames == nil { throw RDSError.missingDBName }
        if request.databaseNames != nil, request.strategy != "db" { throw RDSError.dbNameWithoutDatabaseStrategy }
        if request.retentionDays != nil {
            let applies = instance.engine == "MySQL" || (fullPhysical && request.strategy == "db")
            if !applies { throw RDSError.invalidRetentionPeriod }
        }
        return method
    }

    /// The methods each engine offers on each kind of storage (alibaba-api.md §8, §9).
    func allowedMethods(_ instance: BackupAdmission.Instance) -> [String] {
        let cloud = RDSStorage.isCloudDisk(instance.storageType)
        switch (configuration.profile, instance.engine) {
        case (.legacy, "SQLServer"): return ["Physical"]
        case (.legacy, _): return ["Logical", "Physical"]
        case (.current, "MySQL"): return cloud ? ["Snapshot"] : ["Logical", "Physical"]
        case (.current, "PostgreSQL"): return cloud ? ["Physical", "Snapshot"] : ["Physical"]
        case (.current, "SQLServer"): return cloud ? ["Snapshot"] : ["Physical"]
        case (.current, "MariaDB"): return ["Physical"]
        default: return []
        }
    }

    // MARK: 6. Databases

    private func checkDatabases(_ request: Request, method: String, on instance: BackupAdmission.Instance) throws {
        if method == "Logical", instance.databases.isEmpty { throw RDSError.databaseNotFound }
        for name in request.databaseNames ?? [] where !instance.databases.contains(name) {
            throw RDSError.databaseNotFound
        }
    }
}
