import AlibabaRPC
import EmulatorStore

/// RDS's companion operations: DescribeBackupTasks, DescribeBackups, DeleteBackup,
/// DescribeDBInstanceAttribute, DescribeDBInstances (alibaba-api.md §6.1–§6.4). Each checks, in order:
/// mandatory parameters, the instance (of the caller's account), then the values of its filters.
struct RDSDescribe {
    let store: Store

    private func instance(_ call: RPCCall, _ state: StoreTransaction, notFound: APIError) throws -> InstanceRecord {
        let id = try call.required("DBInstanceId")
        guard let instance = try state.instance(id, product: .rds), instance.accountId == call.accountId else {
            throw notFound
        }
        return instance
    }

    func describeBackupTasks(_ call: RPCCall) throws -> [RPCValue.Field] {
        try store.transaction { state in
            let instance = try instance(call, state, notFound: RDSError.taskInstanceNotFound)
            if let mode = call.optional("BackupMode"), !["Automated", "Manual"].contains(mode) {
                throw RDSError.invalidParameters
            }
            if let status = call.optional("BackupJobStatus"), !["NoStart", "Progressing"].contains(status) {
                throw RDSError.invalidParameters
            }
            var jobs: [BackupRecord]
            let givenJob = call.optional("BackupJobId")
            if let givenJob {
                guard let number = BackupRecord.sequence(fromPublicId: givenJob, offset: RDSIdentifiers.backupJobIdOffset) else {
                    throw RDSError.invalidParameters
                }
                jobs = try state.backup(sequence: number, instanceId: instance.instanceId).map { [$0] } ?? []
            } else {
                jobs = try state.runningBackups(instanceId: instance.instanceId, at: call.now)
            }
            // Manual backups only; tasks start at Preparing, so none is ever NoStart.
            if call.optional("BackupMode") == "Automated" || call.optional("BackupJobStatus") == "NoStart" { jobs = [] }
            if call.optional("BackupJobStatus") == "Progressing" {
                jobs = jobs.filter { $0.state(at: call.now, stages: RDSLifecycle.stages).isRunning }
            }
            let items = jobs.map { RDSLifecycle.job($0, now: call.now, showBackupId: givenJob != nil) }
            return [.init("Items", .object([.init("BackupJob", .array(items))]))]
        }
    }

    func describeBackups(_ call: RPCCall) throws -> [RPCValue.Field] {
        try store.transaction { state in
            let instance = try instance(call, state, notFound: RDSError.instanceNotFound)
            var from = Int64.min
            var until = Int64.max
            if let start = call.optional("StartTime") {
                guard let instant = UTCTime.parseMinutes(start) else { throw RDSError.invalidStartTime }
                from = instant
            }
            if let end = call.optional("EndTime") {
                guard let instant = UTCTime.parseMinutes(end) else { throw RDSError.invalidEndTime }
                until = instant + 59_999  // the whole minute
            }
            if from != Int64.min, until != Int64.max, until - 59_999 <= from { throw RDSError.endBeforeStart }
            let pageSize = try call.integer("PageSize", default: 30, otherwise: RDSError.invalidPageSize) { [30, 50, 100].contains($0) }
            let pageNumber = try call.integer("PageNumber", default: 1, otherwise: RDSError.invalidPageNumber) {
                (1...1_000_000).contains($0)
            }
            var filter = BackupSetFilter(instanceId: instance.instanceId, startedFrom: from, until: until, endedBy: call.now)
            if let status = call.optional("BackupStatus") {
                guard ["Success", "Failed"].contains(status) else { throw RDSError.invalidParameters }
                filter.failed = status == "Failed"
            }
            if let mode = call.optional("BackupMode") {
                guard ["Automated", "Manual"].contains(mode) else { throw RDSError.invalidParameters }
                if mode == "Automated" { filter.sequences = [] }
            }
            if let id = call.optional("BackupId") {
                filter.sequences = BackupRecord.sequence(fromPublicId: id, offset: RDSIdentifiers.backupIdOffset).map { [$0] } ?? []
            }
            let (page, total) = try state.backupSets(filter, limit: pageSize, offset: (pageNumber - 1) * pageSize)
            let snapshots = page.filter { $0.method == "Snapshot" && $0.outcome.failStage == nil }
            return [
                .init("TotalRecordCount", .string(String(total))), .init("PageNumber", .string(String(pageNumber))),
                .init("PageRecordCount", .string(String(page.count))),
                .init("TotalEcsSnapshotSize", .integer(snapshots.reduce(0) {
                    $0 + BackupSizes.bytes(method: $1.method, databases: instance.databases.count, sequence: $1.sequence)
                })),
                .init("Items", .object([.init("Backup", .array(page.map { RDSLifecycle.backupSet($0, of: instance, now: call.now) }))])),
            ]
        }
    }

    func deleteBackup(_ call: RPCCall) throws -> [RPCValue.Field] {
        try store.transaction { state in
            let instance = try instance(call, state, notFound: RDSError.taskInstanceNotFound)
            let ids = try call.required("BackupId").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard ids.count <= 100 else { throw RDSError.tooManyBackupSets }
            if instance.instanceType == "Readonly" { throw RDSError.readOnlyInstance }
            if instance.lockMode != "Unlock" { throw RDSError.deleteLocked }
            if instance.status != "Running" { throw RDSError.incorrectState }
            var found: [BackupRecord] = []
            for id in ids {
                guard let number = BackupRecord.sequence(fromPublicId: id, offset: RDSIdentifiers.backupIdOffset),
                    let backup = try state.backup(sequence: number, instanceId: instance.instanceId),
                    backup.deletedAt == nil, backup.finishesAt <= call.now
                else { throw RDSError.backupSetNotFound }
                found.append(backup)
            }
            for backup in found { try state.markDeleted(sequence: backup.sequence, at: call.now) }
            return []
        }
    }

    func describeDBInstanceAttribute(_ call: RPCCall) throws -> [RPCValue.Field] {
        try store.transaction { state in
            let instance = try instance(call, state, notFound: RDSError.attributeInstanceNotFound)
            if let expired = call.optional("Expired"), !["True", "False"].contains(expired) {
                throw APIError.invalidParameter("Expired")
            }
            return [.init("Items", .object([.init("DBInstanceAttribute", .array([Self.describe(instance)]))]))]
        }
    }

    func describeDBInstances(_ call: RPCCall) throws -> [RPCValue.Field] {
        let region = try call.required("RegionId")
        let pageSize = try call.integer("PageSize", default: 30, otherwise: .invalidParameter("PageSize")) { (1...100).contains($0) }
        let pageNumber = try call.integer("PageNumber", default: 1, otherwise: .invalidParameter("PageNumber")) { $0 >= 1 }
        let ids = call.optional("DBInstanceId").map { Set($0.split(separator: ",").map(String.init)) }
        let filters: [(String, (InstanceRecord) -> String)] = [
            ("Engine", \.engine), ("DBInstanceStatus", \.status), ("DBInstanceType", \.instanceType),
        ]
        let all = try store.transaction { try $0.instances(product: .rds, accountId: call.accountId) }
        let matching = all.filter { instance in
            instance.regionId == region && (ids?.contains(instance.instanceId) ?? true)
                && filters.allSatisfy { name, value in call.optional(name).map { $0 == value(instance) } ?? true }
        }
        let page = Array(matching.dropFirst((pageNumber - 1) * pageSize).prefix(pageSize))
        return [
            .init("TotalRecordCount", .integer(Int64(matching.count))), .init("PageNumber", .integer(Int64(pageNumber))),
            .init("PageRecordCount", .integer(Int64(page.count))),
            .init("Items", .object([.init("DBInstance", .array(page.map(Self.describe)))])),
        ]
    }

    /// An instance as the Describe operations show it: its fields, then its descriptive attributes.
    static func describe(_ instance: InstanceRecord) -> RPCValue {
        var fields: [RPCValue.Field] = [
            .init("DBInstanceId", .string(instance.instanceId)), .init("RegionId", .string(instance.regionId)),
            .init("Engine", .string(instance.engine)), .init("EngineVersion", .string(instance.engineVersion)),
            .init("DBInstanceStatus", .string(instance.status)), .init("DBInstanceType", .string(instance.instanceType)),
            .init("DBInstanceStorageType", .string(instance.storageType)), .init("LockMode", .string(instance.lockMode)),
        ]
        for (name, value) in instance.sortedAttributes {
            switch value {
            case .string(let text): fields.append(.init(name, .string(text)))
            case .integer(let number): fields.append(.init(name, .integer(number)))
            }
        }
        return .object(fields)
    }
}

