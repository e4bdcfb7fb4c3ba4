import EmulatorStore
import Testing

/// The schedule arithmetic of automatic backups, against a brute-force walk over every minute.
@Suite struct BackupScheduleTests {
    static let day: Int64 = 86_400_000
    /// 2024-01-01T00:00:00Z, a Monday.
    static let monday: Int64 = 1_704_067_200_000

    /// Every slot in `range`, minute by minute (slots fall on whole minutes).
    func bruteForce(_ schedule: BackupSchedule, _ range: Range<Int64>) -> [Int64] {
        var slots: [Int64] = []
        var minute = (range.lowerBound + 59_999) / 60_000 * 60_000
        while minute < range.upperBound {
            if schedule.isSlot(minute) { slots.append(minute) }
            minute += 60_000
        }
        return slots
    }

    @Test func theWindowBackupFallsFifteenMinutesIntoThePeriodDays() {
        let schedule = BackupSchedule(
            weekdays: 0b0101010, windowHour: 2, intervalMinutes: nil, retentionDays: 7)  // Tuesday, Thursday, Saturday
        let week = Self.monday..<Self.monday + 7 * Self.day
        #expect(bruteForce(schedule, week) == [1, 3, 5].map { Self.monday + $0 * Self.day + 2 * 3_600_000 + 15 * 60_000 })
        #expect(schedule.count(in: week) == 3)
        #expect(schedule.slot(atOrAfter: Self.monday, regularOnly: true) == Self.monday + Self.day + 8_100_000)
        #expect(schedule.slot(atOrBefore: Self.monday + 7 * Self.day, floor: Self.monday) == Self.monday + 5 * Self.day + 8_100_000)
        #expect(schedule.slot(atOrBefore: Self.monday + Self.day, floor: Self.monday) == nil)
    }

    @Test(arguments: [
        (UInt8(0b1111111), 0, Int?.none), (UInt8(0b1100000), 23, 30), (UInt8(0b0010001), 9, 15), (UInt8(0b1000001), 12, 720),
        (UInt8(0b0000011), 5, 180),
    ])
    func countsAndFindsWhatAWalkFinds(weekdays: UInt8, hour: Int, interval: Int?) {
        let schedule = BackupSchedule(weekdays: weekdays, windowHour: hour, intervalMinutes: interval, retentionDays: 7)
        let ranges: [Range<Int64>] = [
            Self.monday..<Self.monday + 9 * Self.day + 12_345,
            Self.monday + 3 * Self.day + 7_777_777..<Self.monday + 11 * Self.day,
            Self.monday + 86_399_999..<Self.monday + 86_400_001, Self.monday..<Self.monday,
        ]
        for range in ranges {
            let slots = bruteForce(schedule, range)
            #expect(schedule.count(in: range) == Int64(slots.count), "\(range)")
            if let last = slots.last {
                #expect(schedule.slot(atOrBefore: range.upperBound - 1, floor: range.lowerBound) == last)
                #expect(schedule.slot(atOrAfter: range.lowerBound) == slots.first)
            }
        }
    }

    @Test func aPolicyChangeAffectsOnlyLaterSlotsAndRetentionHidesOldOnes() {
        let daily = BackupSchedule(weekdays: 0b1111111, windowHour: 0, intervalMinutes: nil, retentionDays: 7)
        let hourly = BackupSchedule(weekdays: 0b1111111, windowHour: 0, intervalMinutes: 60, retentionDays: 3)
        let change = Self.monday + 10 * Self.day
        let segments = [
            ScheduleSegment(from: Self.monday + 1_000_000, to: change, schedule: daily),
            ScheduleSegment(from: change, to: nil, schedule: hourly),
        ]
        // Twelve days in: the daily sets of days 5 to 9 (kept 7 days after their end: day 4's ended 7 days and
        // 16 minutes ago), then the hourly ones of two days.
        let now = Self.monday + 12 * Self.day
        let backups = AutomaticBackups(segments: segments, now: now)
        let expected = (5...9).map { Self.monday + Int64($0) * Self.day + 900_000 }
            + (0..<48).map { change + Int64($0) * 3_600_000 + 900_000 }
        #expect(backups.count() == Int64(expected.count))
        #expect(backups.newest(limit: 1000) == expected.reversed())
        #expect(backups.newest(until: change - 1, limit: 2) == [expected[4], expected[3]])
        #expect(backups.count(from: Self.monday + 8 * Self.day, until: change + 3_600_000) == 2 + 1)
        #expect(backups.isListed(expected[0]) && !backups.isListed(Self.monday + 4 * Self.day + 900_000))
        // The day-0 slot came before the instance's life began (at 00:16:40).
        #expect(backups.segment(making: Self.monday + 900_000) == nil)
    }

    @Test func aYearOfBackupsEveryFifteenMinutesIsCountedAtOnce() {
        let schedule = BackupSchedule(weekdays: 0b1111111, windowHour: 3, intervalMinutes: 15, retentionDays: 730)
        let backups = AutomaticBackups(segments: [ScheduleSegment(from: Self.monday, to: nil, schedule: schedule)],
                                       now: Self.monday + 366 * Self.day)
        #expect(backups.count() == 366 * 96)
        #expect(backups.newest(limit: 3).count == 3)
        let kept = AutomaticBackups(
            segments: [ScheduleSegment(from: Self.monday, to: nil, schedule: BackupSchedule(
                weekdays: 0b1111111, windowHour: 3, intervalMinutes: 15, retentionDays: -1))],
            now: Self.monday + 3650 * Self.day)
        #expect(kept.count() == 3650 * 96)
    }

    /// The window's sets kept 7 days, the interval's others 1 (MongoDB's `HighFrequencyBackupRetention`), against a
    /// walk over every minute that keeps each slot by its own kind.
    @Test(arguments: [Int64(1), 10, -1])
    func highFrequencySetsAreKeptTheirOwnRetention(highFrequencyDays: Int64) {
        let schedule = BackupSchedule(
            weekdays: 0b1011011, windowHour: 2, intervalMinutes: 60, retentionDays: 7, highFrequencyRetentionDays: highFrequencyDays)
        let from = Self.monday + 1_000_000
        let now = Self.monday + 16 * Self.day + 5 * 3_600_000
        let backups = AutomaticBackups(segments: [ScheduleSegment(from: from, to: nil, schedule: schedule)], now: now)
        func kept(_ slot: Int64, until: Int64 = .max, since: Int64 = .min) -> Bool {
            let days = schedule.kind(of: slot) == .regular ? 7 : highFrequencyDays
            return slot >= since && slot <= until && (days < 0 || slot + BackupSchedule.duration + days * Self.day > now)
        }
        let listed = bruteForce(schedule, from..<now - BackupSchedule.duration + 1).filter { kept($0) }
        #expect(listed.count { schedule.kind(of: $0) == .regular } == 5)  // Thursday the 11th to Tuesday the 16th
        #expect(backups.count() == Int64(listed.count))
        #expect(backups.newest(limit: 10_000) == listed.reversed())
        let (since, until) = (Self.monday + 4 * Self.day + 7_654_321, Self.monday + 15 * Self.day + 12_345)
        let window = listed.filter { kept($0, until: until, since: since) }
        #expect(backups.count(from: since, until: until) == Int64(window.count))
        #expect(backups.newest(from: since, until: until, limit: 5) == Array(window.reversed().prefix(5)))
        #expect(listed.allSatisfy(backups.isListed))
        #expect(!backups.isListed(Self.monday + 3 * Self.day + 3 * 3_600_000 + 900_000) || highFrequencyDays < 0)
    }

    /// The full backup a policy change started is one more slot of its segment, unless a scheduled one is it.
    @Test func aChangeBackupIsOneMoreSlotOfItsSegment() {
        let daily = BackupSchedule(weekdays: 0b1111111, windowHour: 0, intervalMinutes: nil, retentionDays: 7)
        let change = Self.monday + 1_020_000  // 00:17, just after the change at 00:16:40
        let now = Self.monday + 3 * Self.day
        let backups = AutomaticBackups(
            segments: [ScheduleSegment(from: Self.monday + 1_000_000, to: nil, schedule: daily, backupAt: change)], now: now)
        let expected = [Self.monday + 2 * Self.day + 900_000, Self.monday + Self.day + 900_000, change]
        #expect(backups.count() == 3)
        #expect(backups.newest(limit: 10) == expected)
        #expect(backups.newest(until: change, limit: 10) == [change])
        #expect(backups.count(from: change + 1) == 2)
        #expect(backups.isListed(change) && backups.segment(making: change) != nil)
        #expect(backups.latestSlot(atOrBefore: change + 60_000) == change)
        let onASlot = AutomaticBackups(
            segments: [ScheduleSegment(from: Self.monday, to: nil, schedule: daily, backupAt: Self.monday + 900_000)], now: now)
        #expect(onASlot.count() == 3)  // days 0, 1 and 2: the change's backup is day 0's
    }

    @Test func periodsAndWindowsAreParsedStrictly() {
        #expect(BackupSchedule.weekdays(fromPeriod: "Monday,Sunday") == 0b1000001)
        #expect(BackupSchedule.weekdays(fromPeriod: "Monday") == nil)
        #expect(BackupSchedule.weekdays(fromPeriod: "Monday,monday") == nil)
        #expect(BackupSchedule.weekdays(fromPeriod: "Monday,,Friday") == nil)
        #expect(BackupSchedule.windowHour(from: "23:00Z-24:00Z") == 23)
        #expect(BackupSchedule.windowHour(from: "00:00Z-01:00Z") == 0)
        #expect(BackupSchedule.windowHour(from: "24:00Z-25:00Z") == nil)
        #expect(BackupSchedule.windowHour(from: "+1:00Z-02:00Z") == nil)
        #expect(BackupSchedule.windowHour(from: "01:00Z-03:00Z") == nil)
    }
}
