import EmulatorStore

/// DescribeBackups' listing: the stored (manual) sets and the computed automatic ones, merged newest first and
/// paged. Its cost does not grow with the time the instance has lived, only with the page: the automatic sets are
/// counted by arithmetic, and a page past the first is found by a binary search on time over both counts.
public struct BackupListing {
    public enum Mode: Sendable { case manual, automated }

    public var filter: BackupSetFilter
    /// `BackupMode`; nil lists both.
    public var mode: Mode?
    /// Automatic sets the ids asked for (nil: no id was asked for).
    public var automaticSlots: Set<Int64>?

    public init(filter: BackupSetFilter, mode: Mode? = nil, automaticSlots: Set<Int64>? = nil) {
        self.filter = filter
        self.mode = mode
        self.automaticSlots = automaticSlots
    }

    /// The page `offset..<offset + limit` of the merged listing, and its total.
    public func page(_ state: StoreTransaction, automatic: AutomaticBackupSets, limit: Int, offset: Int) throws
        -> (page: [BackupRecord], total: Int)
    {
        var manualFilter = filter
        if mode == .automated { manualFilter.sequences = [] }
        let withAutomatic = mode != .manual && automatic.key != nil && (filter.sequences == nil || automaticSlots != nil)
        let from = filter.startedFrom
        let until = min(filter.until, filter.endedBy)
        let autoTotal = withAutomatic ? automatic.count(from: from, until: until, failed: filter.failed, only: automaticSlots) : 0
        if autoTotal == 0 { return try state.backupSets(manualFilter, limit: limit, offset: offset) }
        let manualTotal = try state.backupSets(manualFilter, limit: 0, offset: 0).total
        let total = manualTotal + Int(autoTotal)
        guard offset < total, limit > 0 else { return ([], total) }

        /// Sets started in `[start, until]`.
        func count(from start: Int64) throws -> Int {
            var manual = manualFilter
            manual.startedFrom = max(from, start)
            let stored = manualTotal == 0 ? 0 : try state.backupSets(manual, limit: 0, offset: 0).total
            return stored + Int(automatic.count(from: max(from, start), until: until, failed: filter.failed, only: automaticSlots))
        }
        // The latest start `boundary` with more than `offset` sets at or after it: the page's first set starts there.
        var boundary = until
        if offset > 0 {
            var low = max(from, 0)
            var high = until
            while low < high {
                let middle = low + (high - low + 1) / 2
                if try count(from: middle) > offset { low = middle } else { high = middle - 1 }
            }
            boundary = low
        }
        let newer = boundary == until ? 0 : try count(from: boundary + 1)
        let wanted = offset - newer + limit
        var manual = manualFilter
        manual.until = boundary
        let stored = manualTotal == 0 ? [] : try state.backupSets(manual, limit: wanted, offset: 0, counting: false).page
        let computed = automatic.newest(from: from, until: boundary, failed: filter.failed, only: automaticSlots, limit: wanted)
            .map(automatic.record)
        let merged = (stored + computed).sorted { ($0.startedAt, $0.sequence) > ($1.startedAt, $1.sequence) }
        return (Array(merged.dropFirst(offset - newer).prefix(limit)), total)
    }
}
