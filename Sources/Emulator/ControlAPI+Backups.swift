import AlibabaRPC
import EmulatorStore
import EmulatorTransport

extension ControlAPI {
    /// `GET /_emulator/instances/{id}/backups`: one page of the instance's backups, oldest first, deleted ones included,
    /// with how many it has in all in `X-Total-Count`. `?limit=N` (1 to 1,000; 100 by default) and `&offset=M`
    /// (0 or more; 0 by default) choose the page.
    func backups(of instance: InstanceRecord, _ request: HTTPRequest) throws -> HTTPResponse {
        let paging = try BackupPaging(query: request.query)
        let (page, total) = try emulator.store.transaction {
            try $0.backups(instanceId: instance.instanceId, limit: paging.limit, offset: paging.offset)
        }
        let now = emulator.clock.now
        var response = json(200, .array(page.map { Self.describe($0, of: instance, now: now) }))
        response.headers.append(("X-Total-Count", String(total)))
        return response
    }
}

/// The page a backup listing asks for, from its query string.
struct BackupPaging: Equatable {
    static let defaultLimit = 100
    static let maximumLimit = 1_000

    var limit = defaultLimit
    var offset = 0

    init(limit: Int = defaultLimit, offset: Int = 0) {
        self.limit = limit
        self.offset = offset
    }

    /// Reads `limit` and `offset`, each at most once; any other parameter, or a value out of range, is refused
    /// with a message that says what is accepted.
    init(query: String?) throws(ControlAPI.Failure) {
        var seen: Set<String> = []
        for pair in (query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = (try? PercentEncoding.formDecode(parts[0])) ?? String(parts[0])
            let value = parts.count > 1 ? (try? PercentEncoding.formDecode(parts[1])) : nil
            guard name == "limit" || name == "offset" else {
                throw .badRequest("query: \"\(name)\" is not a parameter of this listing; use limit and offset")
            }
            guard seen.insert(name).inserted else { throw .badRequest("query: \"\(name)\" is given more than once") }
            if name == "limit" {
                guard let limit = value.flatMap(Self.number), (1...Self.maximumLimit).contains(limit) else {
                    throw .badRequest("query: \"limit\" must be a whole number from 1 to \(Self.maximumLimit)")
                }
                self.limit = limit
            } else {
                guard let offset = value.flatMap(Self.number) else {
                    throw .badRequest("query: \"offset\" must be a whole number, 0 or more")
                }
                self.offset = offset
            }
        }
    }

    /// Decimal digits only (no sign, no spaces), within `Int`.
    private static func number(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(text)
    }
}
