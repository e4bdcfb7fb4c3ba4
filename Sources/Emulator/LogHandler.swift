import AlibabaRPC
import Glibc
import Logging

public enum LogFormat: String, Sendable, CaseIterable {
    case text
    case json
}

/// Log lines on standard error, as text (`2026-11-22T15:20:01Z info request product=Rds …`) or as one
/// JSON object per line, for log collectors.
public struct EmulatorLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let format: LogFormat

    public init(level: Logger.Level, format: LogFormat) {
        self.logLevel = level
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let time = Self.timestamp()
        var line: String
        switch format {
        case .text:
            line = "\(time) \(event.level) \(event.message)"
            for key in merged.keys.sorted() { line += " \(key)=\(merged[key]!)" }
        case .json:
            var object: [String: String] = ["time": time, "level": "\(event.level)", "message": "\(event.message)"]
            for (key, value) in merged { object[key] = "\(value)" }
            line = RPCValue.object(object.keys.sorted().map { .init($0, .string(object[$0]!)) }).jsonText
        }
        StandardError.write(line + "\n")
    }

    private static func timestamp() -> String {
        UTCTime.iso8601Milliseconds(SystemClock().now)
    }
}

/// Text on standard error, unbuffered: each line in one `write` where the system takes it whole, so that lines
/// logged by several threads at once do not interleave.
public enum StandardError {
    public static func write(_ text: String) {
        var remaining = Array(text.utf8)[...]
        while !remaining.isEmpty {
            let written = Glibc.write(STDERR_FILENO, Array(remaining), remaining.count)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }  // standard error closed: the text is lost, not retried forever
            remaining = remaining.dropFirst(written)
        }
    }
}
