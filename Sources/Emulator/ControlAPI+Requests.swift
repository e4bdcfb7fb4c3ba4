import AlibabaRPC
import EmulatorTransport

/// `/_emulator/requests`: the request journal, for tests that verify what their client sent.
/// `GET` lists entries oldest first, `GET /count` counts them (same filters), `DELETE` clears the journal.
extension ControlAPI {
    func requests(_ request: HTTPRequest, _ path: [String]) throws -> HTTPResponse {
        switch path {
        case []:
            try expect(request, ["GET", "DELETE"])
            if request.method == "DELETE" {
                emulator.journal?.clear()
                return HTTPResponse(status: 204)
            }
            let query = try JournalQuery(query: request.query, countOnly: false)
            // Off (`--journal-size 0`): nothing recorded, nothing listed.
            let (entries, total) = emulator.journal?.entries(query.filter, limit: query.limit) ?? ([], 0)
            return json(200, Self.listing(entries, total: total))
        case ["count"]:
            try expect(request, ["GET"])
            let query = try JournalQuery(query: request.query, countOnly: true)
            let total = emulator.journal?.entries(query.filter, limit: 0).total ?? 0
            return json(200, .object([.init("count", .integer(Int64(total)))]))
        default:
            throw Failure.notFound("no control endpoint \(request.path); see the README for the control API")
        }
    }

    private static func listing(_ entries: [RequestJournal.Entry], total: Int) -> RPCValue {
        .object([.init("requests", .array(entries.map(\.json))), .init("total", .integer(Int64(total)))])
    }
}

/// A journal query's filters and limit, from its query string.
struct JournalQuery {
    static let filters = ["product", "action", "code", "status", "instance", "account", "since", "after"]

    var filter = RequestJournal.Filter()
    var limit = Int.max

    /// Each parameter at most once; an unknown one, or a value out of range, is refused with what is accepted.
    /// `limit` is for listings only.
    init(query: String?, countOnly: Bool) throws(ControlAPI.Failure) {
        let accepted = countOnly ? Self.filters : Self.filters + ["limit"]
        var seen: Set<String> = []
        for pair in (query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = try? PercentEncoding.formDecode(parts[0]),
                let value = parts.count > 1 ? try? PercentEncoding.formDecode(parts[1]) : ""
            else {
                throw .badRequest("query: \"\(pair)\" is not form-encoded (a % must start an escape such as %2B)")
            }
            guard accepted.contains(name) else {
                throw .badRequest(
                    "query: \"\(name)\" is not a parameter here; use \(accepted.joined(separator: ", "))")
            }
            guard seen.insert(name).inserted else { throw .badRequest("query: \"\(name)\" is given more than once") }
            guard !value.isEmpty else { throw .badRequest("query: \"\(name)\" needs a value") }
            switch name {
            case "product": filter.product = value
            case "action": filter.action = value
            case "code": filter.code = value
            case "instance": filter.instanceId = value
            case "account": filter.accountId = value
            case "after": filter.afterRequestId = value
            case "status":
                guard let status = Self.number(value), (100...599).contains(status) else {
                    throw .badRequest("query: \"status\" must be an HTTP status, a whole number from 100 to 599")
                }
                filter.status = status
            case "since":
                guard let since = Self.instant(value) else {
                    throw .badRequest(
                        "query: \"since\" must be a UTC time like 2024-01-01T00:00:00Z or 2024-01-01T00:00:00.250Z")
                }
                filter.since = since
            default:
                guard let limit = Self.number(value), limit >= 1 else {
                    throw .badRequest("query: \"limit\" must be a whole number, 1 or more")
                }
                self.limit = limit
            }
        }
    }

    /// Decimal digits only (no sign, no spaces); past `Int`, `Int.max` (a limit that large is no limit).
    private static func number(_ text: String) -> Int? {
        guard text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(text) ?? .max
    }

    /// An ISO 8601 UTC time in milliseconds; a fraction of a second counts to the millisecond.
    private static func instant(_ text: String) -> Int64? {
        guard let seconds = UTCTime.parseISO8601(text) else { return nil }
        guard let dot = text.utf8.firstIndex(of: UInt8(ascii: ".")) else { return seconds }
        // parseISO8601 has checked that only digits stand between the `.` and the `Z`.
        let digits = text.utf8[text.utf8.index(after: dot)...].dropLast().prefix(3)
        let padded = Array(digits) + Array(repeating: UInt8(ascii: "0"), count: 3 - digits.count)
        return seconds + Int64(padded.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) })
    }
}
