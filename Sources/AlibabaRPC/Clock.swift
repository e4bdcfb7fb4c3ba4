import Synchronization
/// The emulator's notion of "now", in milliseconds since the Unix epoch (UTC). Everything that
/// reads time reads one of these, so that a virtual clock can stand in for the system's. (Not the standard
/// library's `Clock`, which measures durations for sleeping and timing.)
public protocol EmulatorClock: AnyObject, Sendable {
    var now: Int64 { get }
    /// `now` and the real time (the system's) read at one instant: signatures are checked against both.
    var readings: (now: Int64, real: Int64) { get }
}

extension EmulatorClock {
    /// A clock that is not virtual reads the real time.
    public var readings: (now: Int64, real: Int64) {
        let now = self.now
        return (now, now)
    }
}

#if canImport(Glibc)
import Glibc
#endif

public final class SystemClock: EmulatorClock, Sendable {
    public init() {}

    public var now: Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}

/// UTC calendar arithmetic for the API's time formats, without Foundation's formatters.
public enum UTCTime {
    public static let millisecondsPerDay: Int64 = 86_400_000

    /// The instants the API's formats can show: years 1970 to 9999 (`iso8601` has four digits for the year).
    public static let representable: ClosedRange<Int64> = 0...253_402_300_799_999

    /// The start of the UTC day that contains `instant`.
    public static func startOfDay(_ instant: Int64) -> Int64 {
        let days = instant >= 0 ? instant / millisecondsPerDay : (instant - millisecondsPerDay + 1) / millisecondsPerDay
        return days * millisecondsPerDay
    }

    /// `2024-01-01T00:00:00Z`, the API's timestamp format.
    public static func iso8601(_ instant: Int64) -> String {
        let parts = components(instant)
        return "\(pad(parts.year, 4))-\(pad(parts.month))-\(pad(parts.day))T\(pad(parts.hour)):\(pad(parts.minute)):\(pad(parts.second))Z"
    }

    /// `2024-01-01T00:00:00.123Z`: with milliseconds, for log lines.
    public static func iso8601Milliseconds(_ instant: Int64) -> String {
        let millisecond = Int(instant - startOfDay(instant)) % 1000
        return String(iso8601(instant).dropLast()) + ".\(pad(millisecond, 3))Z"
    }

    /// `Sun, 22 Nov 2026 14:21:26 GMT`, the HTTP `Date` header's format.
    public static func httpDate(_ instant: Int64) -> String {
        // Every reply carries one, and it changes once a second: the last one is kept.
        let second = instant >= 0 ? instant / 1000 : (instant - 999) / 1000
        if let cached = lastHTTPDate.withLock({ $0.second == second ? $0.text : nil }) { return cached }
        let text = formatHTTPDate(instant)
        lastHTTPDate.withLock { $0 = (second, text) }
        return text
    }

    private static let lastHTTPDate = Mutex<(second: Int64, text: String)>((.min, ""))

    private static func formatHTTPDate(_ instant: Int64) -> String {
        let parts = components(instant)
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekday = weekdays[Int(((parts.daysSinceEpoch % 7) + 7) % 7)]
        return "\(weekday), \(pad(parts.day)) \(months[parts.month - 1]) \(pad(parts.year, 4)) "
            + "\(pad(parts.hour)):\(pad(parts.minute)):\(pad(parts.second)) GMT"
    }

    /// Parses the API's timestamp format, `2024-01-01T00:00:00Z` (a fraction of a second is allowed
    /// and ignored); nil when the text is anything else.
    public static func parseISO8601(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z"), bytes[4] == UInt8(ascii: "-"),
            bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"),
            bytes[16] == UInt8(ascii: ":")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        if bytes.count > 20 {
            // Only `.digits` may stand between the seconds and the `Z`.
            guard bytes[19] == UInt8(ascii: "."), bytes.count > 21, number(20..<(bytes.count - 1)) != nil else {
                return nil
            }
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...daysInMonth(month, year)).contains(day), hour < 24, minute < 60,
            second < 60
        else { return nil }
        // Howard Hinnant's days-from-civil algorithm.
        let shiftedYear = Int64(month <= 2 ? year - 1 : year)
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let monthIndex = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * monthIndex + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return days * millisecondsPerDay + Int64(hour * 3600 + minute * 60 + second) * 1000
    }

    private static func daysInMonth(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    struct Components {
        var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
        var daysSinceEpoch: Int64
    }

    static func components(_ instant: Int64) -> Components {
        let dayStart = startOfDay(instant)
        let days = dayStart / millisecondsPerDay
        let secondOfDay = Int((instant - dayStart) / 1000)
        // Howard Hinnant's civil-from-days algorithm.
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        let year = Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0)
        return Components(
            year: year, month: month, day: day, hour: secondOfDay / 3600, minute: secondOfDay / 60 % 60,
            second: secondOfDay % 60, daysSinceEpoch: days)
    }

    private static func pad(_ value: Int, _ width: Int = 2) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// The emulator's clock: the system's, unless set, advanced or frozen through the control API.
/// Read by every worker thread; changed through the control API, atomically.
public final class VirtualClock: EmulatorClock, Sendable {
    private struct Setting {
        var offset: Int64 = 0
        var frozenAt: Int64?
    }

    private let base: any EmulatorClock
    private let setting = Mutex(Setting())

    public init(base: any EmulatorClock = SystemClock()) {
        self.base = base
    }

    /// Never past the end of year 9999, the last the API's formats show (a running clock set near it stops there).
    public var now: Int64 { setting.withLock { min($0.frozenAt ?? base.now + $0.offset, UTCTime.representable.upperBound) } }
    public var readings: (now: Int64, real: Int64) {
        setting.withLock {
            let real = base.now
            return (min($0.frozenAt ?? real + $0.offset, UTCTime.representable.upperBound), real)
        }
    }
    /// The system's time, which `reset()` goes back to.
    public var systemNow: Int64 { base.now }
    public var isFrozen: Bool { setting.withLock { $0.frozenAt != nil } }
    /// How far the clock is from the system's, in milliseconds.
    public var offsetFromSystem: Int64 { now - base.now }

    public func set(_ instant: Int64) {
        setting.withLock { if $0.frozenAt != nil { $0.frozenAt = instant } else { $0.offset = instant - base.now } }
    }

    public func advance(by milliseconds: Int64) {
        setting.withLock {
            if let frozen = $0.frozenAt { $0.frozenAt = frozen + milliseconds } else { $0.offset += milliseconds }
        }
    }

    /// Stops the clock where it is.
    public func freeze() { setting.withLock { $0.frozenAt = $0.frozenAt ?? base.now + $0.offset } }

    /// Lets a frozen clock run again from where it stands.
    public func release() {
        setting.withLock {
            guard let frozen = $0.frozenAt else { return }
            $0.frozenAt = nil
            $0.offset = frozen - base.now
        }
    }

    /// Back to the system's time, running.
    public func reset() { setting.withLock { $0 = Setting() } }
}

extension UTCTime {
    /// The time format of the Describe operations' filters, `2011-06-01T16:00Z` (minutes, UTC).
    public static func parseMinutes(_ text: String) -> Int64? {
        guard text.utf8.count == 17, text.hasSuffix("Z") else { return nil }
        return parseISO8601(String(text.dropLast()) + ":00Z")
    }
}

extension UTCTime {
    /// `20240101000000`, as backup file names carry it.
    public static func compact(_ instant: Int64) -> String {
        iso8601(instant).filter(\.isNumber)
    }
}
