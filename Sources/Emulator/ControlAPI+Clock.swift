import AlibabaRPC

/// `GET`/`POST /_emulator/clock`: the emulator's clock, read and set.
extension ControlAPI {
    func clockState() -> RPCValue {
        let clock = emulator.clock
        return .object([
            .init("now", .string(UTCTime.iso8601(clock.now))), .init("nowMilliseconds", .integer(clock.now)),
            .init("frozen", .boolean(clock.isFrozen)), .init("offsetSeconds", .integer(clock.offsetFromSystem / 1000)),
        ])
    }

    /// `{"set": "2024-01-01T00:00:00Z"}`, `{"advance": "25h"}`, `{"freeze": true}`, `{"release": true}`,
    /// `{"reset": true}`; several at once apply in that order.
    func changeClock(_ body: JSONValue) throws {
        guard case .object(let fields) = body, !fields.isEmpty else {
            throw Failure.badRequest("request body: a JSON object with set, advance, freeze, release or reset")
        }
        if let unknown = fields.keys.sorted().first(where: { !["set", "advance", "freeze", "release", "reset"].contains($0) }) {
            throw Failure.badRequest("request body: \"\(unknown)\" is not a clock setting; use set, advance, freeze, release or reset")
        }
        var set: Int64?
        if let value = fields["set"] {
            guard case .string(let text) = value, let instant = UTCTime.parseISO8601(text) else {
                throw Failure.badRequest("request body: \"set\" must be a time like 2024-01-01T00:00:00Z")
            }
            set = instant
        }
        let advance = try fields["advance"].map { try Self.duration($0, field: "advance") }
        for flag in ["freeze", "release", "reset"] {
            if let value = fields[flag], value != .bool(true) {
                throw Failure.badRequest("request body: \"\(flag)\" takes true")
            }
        }
        let clock = emulator.clock
        // Where the clock would stand: refused before anything changes if the API's times cannot show it.
        var target = fields["reset"] != nil ? clock.systemNow : clock.now
        if let set { target = set }
        if let advance {
            let (sum, overflow) = target.addingReportingOverflow(advance)
            target = overflow ? .max : sum
        }
        guard UTCTime.representable.contains(target) else {
            throw Failure.badRequest(
                "request body: the clock would stand at \(target < 0 ? "a time before 1970" : "a time after 9999"); it shows 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z")
        }
        if fields["reset"] != nil { clock.reset() }
        if let set { clock.set(set) }
        if let advance { clock.advance(by: advance) }
        if fields["freeze"] != nil { clock.freeze() }
        if fields["release"] != nil { clock.release() }
    }

    /// The longest duration the control API takes: ten years.
    static let longestDuration: Double = 3_650 * 86_400

    /// A duration in milliseconds: a number of seconds, or text like `90s`, `15m`, `25h`, `2d` (see `DurationText`).
    static func duration(_ value: JSONValue, field: String) throws -> Int64 {
        let seconds: Double?
        switch value {
        case .integer(let number): seconds = Double(number)
        case .number(let number): seconds = number
        case .string(let text): seconds = DurationText.seconds(text, limit: longestDuration)
        default: seconds = nil
        }
        guard let seconds, seconds.isFinite, seconds >= 0, seconds <= longestDuration else {
            throw Failure.badRequest(
                "request body: \"\(field)\" must be a duration of at most ten years: seconds, or a number with s, m, h or d (e.g. \"25h\")")
        }
        return Int64((seconds * 1000).rounded())
    }
}
