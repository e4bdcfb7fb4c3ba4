/// Durations as people write them to the emulator: `90`, `1.5`, `90s`, `15m`, `25h`, `2d` (seconds when
/// there is no unit). Only decimal digits, at most one `.` and one unit: `Double(String)` alone would also
/// take `0x10` (16), `1e3`, `inf` and `nan`.
public enum DurationText {
    /// The duration in seconds, or nil when `text` is not one, or is more than `limit` seconds.
    public static func seconds(_ text: String, limit: Double) -> Double? {
        var digits = Substring(text)
        var factor: Double = 1
        switch digits.last {
        case "s": digits.removeLast()
        case "m": factor = 60; digits.removeLast()
        case "h": factor = 3600; digits.removeLast()
        case "d": factor = 86_400; digits.removeLast()
        default: break
        }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        // Fifteen digits a part keeps every accepted number exact in a Double, and the work bounded.
        guard (1...2).contains(parts.count),
            parts.allSatisfy({ (1...15).contains($0.utf8.count) && $0.utf8.allSatisfy { (48...57).contains($0) } }),
            let number = Double(digits)
        else { return nil }
        let seconds = number * factor
        return seconds <= limit ? seconds : nil
    }
}
