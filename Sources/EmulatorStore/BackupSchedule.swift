/// When a backup policy takes automatic backups: on its period days, the first at a fixed point of its one-hour
/// window, and with an interval, one more every interval through the rest of those days (and before the window,
/// on the same grid). Slots are counted and found by arithmetic on whole days and weeks, never by walking
/// through the time that has passed, so a year-old instance costs no more than a new one.
public struct BackupSchedule: Sendable, Equatable {
    /// How far into its window an automatic backup starts, and how long it takes (docs/behaviour.md).
    public static let startInWindow: Int64 = 15 * 60_000
    public static let duration: Int64 = 85_000
    static let day: Int64 = 86_400_000

    /// Bit `n` set: backups on weekday `n` (0 Monday … 6 Sunday).
    public let weekdays: UInt8
    /// The slots of a period day, as milliseconds after its midnight (UTC), ascending.
    public let offsets: [Int64]
    /// How long the window's set is kept, in days; -1 keeps it for ever.
    public let retentionDays: Int64
    /// How long the interval's other (high-frequency) sets are kept, in days; -1 keeps them for ever.
    public let highFrequencyRetentionDays: Int64

    /// Which of a period day's slots: the window's (regular) one, or the interval's others (high-frequency).
    public enum Kind: Sendable { case regular, highFrequency }

    /// `windowHour` 0–23; `intervalMinutes` nil or positive; `highFrequencyRetentionDays` nil: as `retentionDays`.
    public init(weekdays: UInt8, windowHour: Int, intervalMinutes: Int?, retentionDays: Int64, highFrequencyRetentionDays: Int64? = nil) {
        self.weekdays = weekdays & 0x7F
        self.retentionDays = retentionDays
        self.highFrequencyRetentionDays = highFrequencyRetentionDays ?? retentionDays
        let first = Int64(windowHour) * 3_600_000 + Self.startInWindow
        if let intervalMinutes, intervalMinutes > 0 {
            let step = Int64(intervalMinutes) * 60_000
            offsets = Array(stride(from: first % step, to: Self.day, by: Int(step)))
        } else {
            offsets = [first]
        }
        windowOffset = first
    }

    /// The day's regular (window) backup, after midnight.
    public let windowOffset: Int64

    /// Whether the two kinds of slot are kept alike (then they are counted and walked as one).
    public var keepsAlike: Bool { offsets.count == 1 || highFrequencyRetentionDays == retentionDays }

    /// The slots of a period day of `kind` (nil: all), as offsets after its midnight, ascending.
    func offsets(_ kind: Kind?) -> [Int64] {
        switch kind {
        case nil: offsets
        case .regular: [windowOffset]
        case .highFrequency: offsets.filter { $0 != windowOffset }
        }
    }

    /// The kind of a slot of this schedule.
    public func kind(of slot: Int64) -> Kind {
        ((slot % Self.day) + Self.day) % Self.day == windowOffset ? .regular : .highFrequency
    }

    /// How long the sets of `kind` are kept, in days.
    public func retentionDays(_ kind: Kind) -> Int64 {
        kind == .regular ? retentionDays : highFrequencyRetentionDays
    }

    /// Monday-based weekday of a day counted from the epoch (1970-01-01 was a Thursday).
    static func weekday(ofDay day: Int64) -> Int { Int(((day + 3) % 7 + 7) % 7) }

    func isPeriodDay(_ day: Int64) -> Bool { weekdays & (1 << UInt8(Self.weekday(ofDay: day))) != 0 }

    /// Period days among the days `[0, days)` since the epoch.
    private func periodDays(before days: Int64) -> Int64 {
        let perWeek = Int64(weekdays.nonzeroBitCount)
        var count = days / 7 * perWeek
        var day = days - days % 7
        while day < days {
            if isPeriodDay(day) { count += 1 }
            day += 1
        }
        return count
    }

    /// Slots of `kind` that start before `instant` (from the epoch on).
    private func slots(before instant: Int64, _ kind: Kind?) -> Int64 {
        guard instant > 0 else { return 0 }
        let day = instant / Self.day
        let within = instant % Self.day
        let offsets = offsets(kind)
        var count = periodDays(before: day) * Int64(offsets.count)
        if isPeriodDay(day) { count += Int64(offsets.count { $0 < within }) }
        return count
    }

    /// How many slots (of `kind`; nil: all) start in `range`.
    public func count(in range: Range<Int64>, _ kind: Kind? = nil) -> Int64 {
        range.isEmpty ? 0 : slots(before: range.upperBound, kind) - slots(before: range.lowerBound, kind)
    }

    /// The latest slot (of `kind`; nil: any) that starts at or before `instant`, if any at or after `floor`.
    public func slot(atOrBefore instant: Int64, floor: Int64, _ kind: Kind? = nil) -> Int64? {
        guard instant >= max(floor, 0) else { return nil }
        var day = instant / Self.day
        var limit: Int64? = instant - day * Self.day
        let offsets = offsets(kind)
        guard !offsets.isEmpty else { return nil }
        // A period day comes at least once a week, unless the policy has none.
        for _ in 0..<8 {
            if isPeriodDay(day), let offset = offsets.last(where: { offset in limit.map { offset <= $0 } ?? true }) {
                let slot = day * Self.day + offset
                return slot >= floor ? slot : nil
            }
            day -= 1
            limit = nil
            if (day + 1) * Self.day <= floor { return nil }
        }
        return nil
    }

    /// The earliest slot that starts at or after `instant`.
    public func slot(atOrAfter instant: Int64, regularOnly: Bool = false) -> Int64? {
        let start = max(instant, 0)
        var day = start / Self.day
        var limit: Int64? = start - day * Self.day
        let candidates = regularOnly ? [windowOffset] : offsets
        for _ in 0..<8 {
            if isPeriodDay(day), let offset = candidates.first(where: { offset in limit.map { offset >= $0 } ?? true }) {
                return day * Self.day + offset
            }
            day += 1
            limit = nil
        }
        return nil
    }

    /// Whether `instant` is a slot of this schedule.
    public func isSlot(_ instant: Int64) -> Bool {
        guard instant >= 0 else { return false }
        let day = instant / Self.day
        return isPeriodDay(day) && offsets.contains(instant - day * Self.day)
    }
}

/// A stretch of an instance's policy history: the schedule in force from `from` until `to` (nil: still in force),
/// and the full backup the change that began it started, if any.
public struct ScheduleSegment: Sendable, Equatable {
    public var from: Int64
    public var to: Int64?
    public var schedule: BackupSchedule
    /// The start of the backup the change started (a whole minute), as asked: see `changeBackup`.
    public var backupAt: Int64?

    public init(from: Int64, to: Int64?, schedule: BackupSchedule, backupAt: Int64? = nil) {
        self.from = from
        self.to = to
        self.schedule = schedule
        self.backupAt = backupAt
    }

    /// The start of the backup the change started, when it falls within the segment (a change soon after, in the
    /// same minute, makes its own) and is not one of the schedule's slots (which is then that backup).
    public var changeBackup: Int64? {
        guard let backupAt, backupAt >= from, to.map({ backupAt < $0 }) ?? true, !schedule.isSlot(backupAt) else { return nil }
        return backupAt
    }
}

/// The automatic backups an instance's policy history makes, as seen at one instant: those that have ended and
/// not yet expired (a set is kept its segment's retention days for its kind after its end), started within a range.
public struct AutomaticBackups: Sendable {
    public let segments: [ScheduleSegment]
    public let now: Int64

    public init(segments: [ScheduleSegment], now: Int64) {
        self.segments = segments
        self.now = now
    }

    /// The ranges of `segment` whose slots are listed at `now`, within the start range `[from, until]`: one for all
    /// its slots when both kinds are kept alike, else one for each kind.
    func listedRanges(_ segment: ScheduleSegment, from: Int64, until: Int64) -> [(kind: BackupSchedule.Kind?, range: Range<Int64>)] {
        let schedule = segment.schedule
        if schedule.keepsAlike { return [(nil, listedRange(segment, from: from, until: until, retentionDays: schedule.retentionDays))] }
        return [BackupSchedule.Kind.regular, .highFrequency].map {
            ($0, listedRange(segment, from: from, until: until, retentionDays: schedule.retentionDays($0)))
        }
    }

    /// The part of `segment` whose slots kept `retentionDays` are listed at `now`, within the start range `[from, until]`.
    func listedRange(_ segment: ScheduleSegment, from: Int64, until: Int64, retentionDays: Int64) -> Range<Int64> {
        var low = max(segment.from, from)
        if retentionDays >= 0 {
            let (kept, overflow) = retentionDays.multipliedReportingOverflow(by: BackupSchedule.day)
            if !overflow { low = max(low, now - BackupSchedule.duration - kept + 1) }
        }
        var high = min(now - BackupSchedule.duration + 1, until == .max ? .max : until + 1)
        if let to = segment.to { high = min(high, to) }
        return low < high ? low..<high : low..<low
    }

    /// The slots listed at `now` that start within `[from, until]`.
    public func count(from: Int64 = .min, until: Int64 = .max) -> Int64 {
        segments.reduce(0) { total, segment in
            listedRanges(segment, from: from, until: until).reduce(total) { $0 + segment.schedule.count(in: $1.range, $1.kind) }
                + (listedChangeBackup(segment, from: from, until: until) == nil ? 0 : 1)
        }
    }

    /// The segment's change backup, if listed at `now` and started within `[from, until]` (kept as a regular set).
    func listedChangeBackup(_ segment: ScheduleSegment, from: Int64, until: Int64) -> Int64? {
        guard let slot = segment.changeBackup else { return nil }
        let range = listedRange(segment, from: from, until: until, retentionDays: segment.schedule.retentionDays)
        return range.contains(slot) ? slot : nil
    }

    /// Listed slots, newest first, starting at or before `until` and at or after `from`, at most `limit`. A segment
    /// whose kinds are kept apart is walked once for each kind, and the two walks merged.
    public func newest(from: Int64 = .min, until: Int64 = .max, limit: Int) -> [Int64] {
        var result: [Int64] = []
        for segment in segments.reversed() where result.count < limit {
            var found = listedChangeBackup(segment, from: from, until: until).map { [$0] } ?? []
            for (kind, range) in listedRanges(segment, from: from, until: until) where !range.isEmpty {
                var cursor = range.upperBound - 1
                var taken = 0
                while taken < limit - result.count,
                    let slot = segment.schedule.slot(atOrBefore: cursor, floor: range.lowerBound, kind)
                {
                    found.append(slot)
                    taken += 1
                    cursor = slot - 1
                }
            }
            result += found.sorted(by: >).prefix(limit - result.count)
        }
        return result
    }

    /// The segment whose schedule made `slot`, if `slot` is one of its slots (listed or not).
    public func segment(making slot: Int64) -> ScheduleSegment? {
        segments.last {
            $0.from <= slot && ($0.to.map { slot < $0 } ?? true) && ($0.schedule.isSlot(slot) || $0.changeBackup == slot)
        }
    }

    /// How long the set of `slot`, made by `segment`, is kept: a change backup is a regular (full) one.
    public func retentionDays(_ slot: Int64, of segment: ScheduleSegment) -> Int64 {
        segment.changeBackup == slot ? segment.schedule.retentionDays : segment.schedule.retentionDays(segment.schedule.kind(of: slot))
    }

    /// The latest slot (the change backups included) started at or before `instant`, in the segments in force then.
    public func latestSlot(atOrBefore instant: Int64) -> Int64? {
        guard let segment = segments.last(where: { $0.from <= instant }) else { return nil }
        let scheduled = segment.schedule.slot(atOrBefore: instant, floor: segment.from)
        let change = segment.changeBackup.flatMap { $0 <= instant ? $0 : nil }
        return [scheduled, change].compactMap { $0 }.max()
    }

    /// Whether `slot` is listed at `now`.
    public func isListed(_ slot: Int64) -> Bool {
        guard let segment = segment(making: slot) else { return false }
        let retention = retentionDays(slot, of: segment)
        return listedRange(segment, from: .min, until: .max, retentionDays: retention).contains(slot)
    }
}

/// The two settings both products write the same way.
extension BackupSchedule {
    public static let dayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// `PreferredBackupPeriod`: a comma list of distinct day names, at least two (a policy backs up at least
    /// twice a week); nil when it is anything else.
    public static func weekdays(fromPeriod text: String) -> UInt8? {
        var mask: UInt8 = 0
        var count = 0
        for name in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let index = dayNames.firstIndex(of: String(name)), mask & (1 << UInt8(index)) == 0 else { return nil }
            mask |= 1 << UInt8(index)
            count += 1
        }
        return count >= 2 ? mask : nil
    }

    /// `PreferredBackupTime`: a one-hour UTC window starting on the hour, `00:00Z-01:00Z` … `23:00Z-24:00Z`;
    /// its first hour, or nil.
    public static func windowHour(from text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 13, bytes[2] == UInt8(ascii: ":"), bytes[5] == UInt8(ascii: "Z"), bytes[6] == UInt8(ascii: "-"),
            bytes[9] == UInt8(ascii: ":"), bytes[12] == UInt8(ascii: "Z"),
            let start = Int(String(decoding: bytes[0..<2], as: UTF8.self)),
            let end = Int(String(decoding: bytes[7..<9], as: UTF8.self)),
            String(decoding: bytes[3..<5], as: UTF8.self) == "00", String(decoding: bytes[10..<12], as: UTF8.self) == "00",
            bytes[0..<2].allSatisfy({ (0x30...0x39).contains($0) }), bytes[7..<9].allSatisfy({ (0x30...0x39).contains($0) }),
            (0...23).contains(start), end == start + 1
        else { return nil }
        return start
    }
}
