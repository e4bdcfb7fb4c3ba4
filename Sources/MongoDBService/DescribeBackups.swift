import AlibabaRPC
import EmulatorStore
import ServiceKit

/// MongoDB `DescribeBackups` (alibaba-api.md §6.5): an instance's finished backup sets, filtered and paged.
/// Checks, in order: `DBInstanceId`, the instance (of the caller's account), the times, the page, the ids.
struct DescribeBackups: MongoDBOperation {
    static let action = "DescribeBackups"
    static let numericParameters: [NumericParameter] = [
        .time("StartTime"), .time("EndTime"), .integer("PageSize"), .integer("PageNumber"), .integer("BackupId"),
        .integer("BackupJobId"),
    ]

    let configuration: MongoDBConfiguration
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        try store.transaction { state in
            let instance = try state.instance(of: call, product: .mongodb, notFound: MongoDBError.instanceNotFound)
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
            let page = try call.page(
                size: (30, MongoDBError.invalidPageSize, { [30, 50, 100].contains($0) }),
                number: (MongoDBError.invalidPageNumber, { (1...1_000_000).contains($0) }))
            let automatic = try MongoDBBackupPolicy.automaticSets(state, of: instance, now: call.now)
            var slots: Set<Int64>?
            /// Ids are split between the stored sets and the computed ones.
            func select(_ sequences: [Int64]) -> (stored: [Int64], computed: Set<Int64>) {
                var stored: [Int64] = []
                var computed: Set<Int64> = []
                for sequence in sequences {
                    if let slot = automatic.slot(ofSequence: sequence) { computed.insert(slot) } else { stored.append(sequence) }
                }
                return (stored, computed)
            }
            if let ids = call.optional("BackupId") {
                let chosen = select(ids.split(separator: ",").compactMap {
                    BackupRecord.sequence(fromPublicId: String($0), offset: MongoDBIdentifiers.backupIdOffset)
                })
                filter.sequences = chosen.stored
                slots = chosen.computed
            }
            if let job = call.optional("BackupJobId") {
                let chosen = select(BackupRecord.sequence(fromPublicId: job, offset: MongoDBIdentifiers.backupJobIdOffset).map { [$0] } ?? [])
                filter.sequences = filter.sequences.map { $0.filter(chosen.stored.contains) } ?? chosen.stored
                slots = slots.map { $0.intersection(chosen.computed) } ?? chosen.computed
            }
            let (sets, total) = try BackupListing(filter: filter, automaticSlots: slots)
                .page(state, automatic: automatic, limit: page.size, offset: page.offset)
            return [
                .init("TotalCount", .integer(Int64(total))), .init("PageSize", .integer(Int64(page.size))),
                .init("PageNumber", .integer(Int64(page.number))),
                .init("Backups", .object([.init("Backup", .array(sets.map { MongoDBLifecycle.backupSet($0, of: instance, now: call.now) }))])),
            ]
        }
    }
}
