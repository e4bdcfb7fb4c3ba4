import AlibabaRPC
import EmulatorStore
import ServiceKit

/// RDS `DescribeBackups` (alibaba-api.md §6.2): an instance's finished backup sets, filtered and paged.
/// Checks, in order: `DBInstanceId`, the instance (of the caller's account), the times, the page, the filters.
struct DescribeBackups: RDSOperation {
    static let action = "DescribeBackups"
    static let numericParameters: [NumericParameter] = [
        .time("StartTime"), .time("EndTime"), .integer("PageSize"), .integer("PageNumber"), .integer("BackupId"),
    ]

    let configuration: RDSConfiguration
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        try store.transaction { state in
            let instance = try state.instance(of: call, product: .rds, notFound: RDSError.instanceNotFound)
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
            let page = try call.page(
                size: (30, RDSError.invalidPageSize, { [30, 50, 100].contains($0) }),
                number: (RDSError.invalidPageNumber, { (1...1_000_000).contains($0) }))
            var listing = BackupListing(filter: BackupSetFilter(instanceId: instance.instanceId, startedFrom: from, until: until, endedBy: call.now))
            if let status = call.optional("BackupStatus") {
                guard ["Success", "Failed"].contains(status) else { throw RDSError.invalidParameters }
                listing.filter.failed = status == "Failed"
            }
            if let mode = call.optional("BackupMode") {
                guard ["Automated", "Manual"].contains(mode) else { throw RDSError.invalidParameters }
                listing.mode = mode == "Automated" ? .automated : .manual
            }
            let automatic = try RDSBackupPolicy.automaticSets(state, of: instance, now: call.now)
            if let id = call.optional("BackupId") {
                let sequence = BackupRecord.sequence(fromPublicId: id, offset: RDSIdentifiers.backupIdOffset)
                let slot = sequence.flatMap(automatic.slot(ofSequence:))
                listing.filter.sequences = sequence.map { slot == nil ? [$0] : [] } ?? []
                listing.automaticSlots = slot.map { [$0] } ?? []
            }
            let (sets, total) = try listing.page(state, automatic: automatic, limit: page.size, offset: page.offset)
            let deletable = sets.contains(where: \.isAutomatic)
                ? RDSBackupPolicy.deletableAfterDays(try state.policySegments(instanceId: instance.instanceId).last?.settings ?? [:], of: instance)
                : nil
            let snapshots = sets.filter { $0.method == "Snapshot" && $0.outcome.failStage == nil }
            return [
                .init("TotalRecordCount", .string(String(total))), .init("PageNumber", .string(String(page.number))),
                .init("PageRecordCount", .string(String(sets.count))),
                .init("TotalEcsSnapshotSize", .integer(snapshots.reduce(0) {
                    $0 + BackupSizes.bytes(method: $1.method, databases: instance.databases.count, sequence: $1.sequence)
                })),
                .init("Items", .object([.init("Backup", .array(sets.map { RDSLifecycle.backupSet($0, of: instance, now: call.now, deletableAfterDays: deletable) }))])),
            ]
        }
    }
}
