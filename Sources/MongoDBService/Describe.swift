import AlibabaRPC
import EmulatorStore

/// MongoDB's companion operations: DescribeBackups, DescribeBackupTasks, DescribeDBInstanceAttribute,
/// DescribeDBInstances (alibaba-api.md §6.5–§6.7). Each checks, in order: mandatory parameters, the
/// instance (of the caller's account), then the values of its filters.
struct MongoDBDescribe {
    let store: Store

    private func instance(_ call: RPCCall, _ state: StoreTransaction) throws -> InstanceRecord {
        let id = try call.required("DBInstanceId")
        guard let instance = try state.instance(id, product: .mongodb), instance.accountId == call.accountId else {
            throw MongoDBError.instanceNotFound
        }
        return instance
    }

    func describeBackups(_ call: RPCCall) throws -> [RPCValue.Field] {
        try store.transaction { state in
            let instance = try instance(call, state)
            var filter = BackupSetFilter(instanceId: instance.instanceId, endedBy: call.now)
            if let start = call.optional("StartTime") {
                guard let instant = UTCTime.parseMinutes(start) else { throw MongoDBError.invalidStartTime }
                filter.startedFrom = instant
            }
            if let end = call.optional("EndTime") {
                guard let instant = UTCTime.parseMinutes(end) else { throw MongoDBError.invalidEndTime }
                filter.until = instant + 59_999
            }
            if filter.startedFrom != .min, filter.until != .max, filter.until - 59_999 <= filter.startedFrom {
                throw MongoDBError.invalidTimeRange
            }
            let pageSize = try call.integer("PageSize", default: 30, otherwise: MongoDBError.invalidPageSize) {
                [30, 50, 100].contains($0)
            }
            let pageNumber = try call.integer("PageNumber", default: 1, otherwise: .invalidParameter("PageNumber")) {
                (1...1_000_000).contains($0)
            }
            if let ids = call.optional("BackupId") {
                filter.sequences = ids.split(separator: ",").compactMap {
                    BackupRecord.sequence(fromPublicId: String($0), offset: MongoDBIdentifiers.backupIdOffset)
                }
            }
            if let job = call.optional("BackupJobId") {
                let wanted = BackupRecord.sequence(fromPublicId: job, offset: MongoDBIdentifiers.backupJobIdOffset).map { [$0] } ?? []
                filter.sequences = filter.sequences.map { $0.filter(wanted.contains) } ?? wanted
            }
            let (page, total) = try state.backupSets(filter, limit: pageSize, offset: (pageNumber - 1) * pageSize)
            return [
                .init("TotalCount", .integer(Int64(total))), .init("PageSize", .integer(Int64(pageSize))),
                .init("PageNumber", .integer(Int64(pageNumber))),
                .init("Backups", .object([.init("Backup", .array(page.map { MongoDBLifecycle.backupSet($0, of: instance, now: call.now) }))])),
            ]
        }
    }

    func describeBackupTasks(_ call: RPCCall) throws -> [RPCValue.Field] {
        try store.transaction { state in
            let instance = try instance(call, state)
            let jobs: [BackupRecord]
            if let given = call.optional("BackupJobId") {
                guard let number = BackupRecord.sequence(fromPublicId: given, offset: MongoDBIdentifiers.backupJobIdOffset) else {
                    throw APIError.invalidParameter("BackupJobId")
                }
                jobs = try state.backup(sequence: number, instanceId: instance.instanceId).map { [$0] } ?? []
            } else {
                jobs = try state.runningBackups(instanceId: instance.instanceId, at: call.now)
            }
            return [.init("BackupJobs", .array(jobs.map { MongoDBLifecycle.job($0, now: call.now) }))]
        }
    }

    func describeDBInstanceAttribute(_ call: RPCCall) throws -> [RPCValue.Field] {
        try store.transaction { state in
            let instance = try instance(call, state)
            if let engine = call.optional("Engine"), engine != "MongoDB" { throw APIError.invalidParameter("Engine") }
            return [.init("DBInstances", .object([.init("DBInstance", .array([Self.describe(instance)]))]))]
        }
    }

    func describeDBInstances(_ call: RPCCall) throws -> [RPCValue.Field] {
        let region = try call.required("RegionId")
        let pageSize = try call.integer("PageSize", default: 30, otherwise: .invalidParameter("PageSize")) { (1...100).contains($0) }
        let pageNumber = try call.integer("PageNumber", default: 1, otherwise: .invalidParameter("PageNumber")) { $0 >= 1 }
        let filters: [(String, (InstanceRecord) -> String)] = [
            ("DBInstanceId", \.instanceId), ("DBInstanceStatus", \.status), ("DBInstanceType", \.instanceType),
            ("EngineVersion", \.engineVersion),
        ]
        let all = try store.transaction { try $0.instances(product: .mongodb, accountId: call.accountId) }
        let matching = all.filter { instance in
            instance.regionId == region
                && filters.allSatisfy { name, value in call.optional(name).map { $0 == value(instance) } ?? true }
        }
        let page = Array(matching.dropFirst((pageNumber - 1) * pageSize).prefix(pageSize))
        return [
            .init("TotalCount", .integer(Int64(matching.count))), .init("PageNumber", .integer(Int64(pageNumber))),
            .init("PageSize", .integer(Int64(pageSize))),
            .init("DBInstances", .object([.init("DBInstance", .array(page.map(Self.describe)))])),
        ]
    }

    /// An instance as the Describe operations show it: its fields, then its descriptive attributes.
    static func describe(_ instance: InstanceRecord) -> RPCValue {
        var fields: [RPCValue.Field] = [
            .init("DBInstanceId", .string(instance.instanceId)), .init("RegionId", .string(instance.regionId)),
            .init("Engine", .string(instance.engine)), .init("EngineVersion", .string(instance.engineVersion)),
            .init("DBInstanceStatus", .string(instance.status)), .init("DBInstanceType", .string(instance.instanceType)),
            .init("KindCode", .string(instance.kindCode ?? MongoDBKind.localDisk)),
            .init("StorageType", .string(instance.storageType)), .init("LockMode", .string(instance.lockMode)),
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
