import Synchronization

/// The last requests the API answered, oldest first, for tests to verify what their client sent and for demos to
/// show it. Bounded: past `capacity` the oldest entry goes. Recording is on every request's path, so it only
/// stores values the gateway already holds, in a ring under a lock; JSON is rendered when the journal is read.
public final class RequestJournal: Sendable {
    /// One request as recorded. The fields and their JSON names are documented in the README (a stable format).
    public struct Entry: Sendable {
        public var requestId: String
        /// The emulator's clock (the virtual one) when the request acted, in milliseconds since 1970.
        public var time: Int64
        /// The system's clock at the same moment.
        public var realTime: Int64
        public var product: String?
        public var action: String?
        public var version: String?
        public var accountId: String?
        public var accessKeyId: String?
        public var signedV3: Bool
        /// Decoded parameters in arrival order, `Signature` and `SecurityToken` already redacted.
        public var parameters: [(name: String, value: String)]
        public var status: Int
        public var code: String?
        public var message: String?
        public var latencyNanoseconds: UInt64

        /// The instance the request names (`DBInstanceId`, both products' name for it).
        public var instanceId: String? { value(of: "DBInstanceId") }

        /// `V3` for an `ACS3-` Authorization header, `V1` for a `Signature` parameter, else `none`.
        public var signatureVersion: String {
            signedV3 ? "V3" : value(of: "Signature") != nil ? "V1" : "none"
        }

        /// The first value of a parameter, as the gateway reads it.
        public func value(of name: String) -> String? {
            parameters.first { $0.name == name }?.value
        }
    }

    /// What replaces a redacted parameter's value.
    public static let redacted = "(redacted)"
    /// Parameters whose values the journal never holds: the signature, and the STS token (a credential).
    /// Told apart by length first: hashing each of a request's names into a set would cost more than the rest of
    /// recording.
    static func isSecret(_ name: String) -> Bool {
        switch name.utf8.count {
        case 9: name == "Signature"
        case 13: name == "SecurityToken"
        default: false
        }
    }

    public let capacity: Int
    private let ring: Mutex<Ring>

    private struct Ring {
        var entries: [Entry] = []
        /// Where the next entry goes once `entries` is full: the oldest one's place (0 until then).
        var oldest = 0

        /// The entry at `position` counted from the oldest.
        subscript(position: Int) -> Entry { entries[(oldest + position) % entries.count] }
    }

    /// `capacity` 0 keeps nothing (the emulator does not make a journal then).
    public init(capacity: Int) {
        self.capacity = max(0, capacity)
        ring = Mutex(Ring())
    }

    /// Records what became of a request.
    public func record(_ outcome: RPCGateway.Outcome, realTime: Int64, latencyNanoseconds: UInt64) {
        guard capacity > 0 else { return }
        var pairs = outcome.parameters?.pairs ?? []
        // Copied (copy on write) only for a request that has a secret to hide.
        for index in pairs.indices where Self.isSecret(pairs[index].name) {
            pairs[index].value = Self.redacted
        }
        let entry = Entry(
            requestId: outcome.requestId, time: outcome.time, realTime: realTime, product: outcome.product,
            action: outcome.action, version: outcome.version, accountId: outcome.accountId,
            accessKeyId: outcome.accessKeyId, signedV3: outcome.signedV3, parameters: pairs, status: outcome.status,
            code: outcome.code, message: outcome.message, latencyNanoseconds: latencyNanoseconds)
        // The entry it replaces is released after the lock, not under it.
        let replaced: Entry? = ring.withLock { ring in
            if ring.entries.count < capacity {
                if ring.entries.isEmpty { ring.entries.reserveCapacity(min(capacity, 1024)) }
                ring.entries.append(entry)
                return nil
            }
            let old = ring.entries[ring.oldest]
            ring.entries[ring.oldest] = entry
            ring.oldest = (ring.oldest + 1) % capacity
            return old
        }
        _ = replaced
    }

    /// Which entries a query wants; every condition given must hold.
    public struct Filter: Sendable {
        /// Matched case-insensitively (`Rds`, `rds`).
        public var product: String?
        public var action: String?
        public var code: String?
        public var status: Int?
        public var instanceId: String?
        public var accountId: String?
        /// Entries whose (virtual) time is this or later.
        public var since: Int64?
        /// Only entries recorded after the one with this request id; when it is not in the journal (cleared, or
        /// aged out), every entry is newer than it.
        public var afterRequestId: String?

        public init() {}

        func matches(_ entry: Entry) -> Bool {
            if let product, entry.product?.lowercased() != product.lowercased() { return false }
            if let action, entry.action != action { return false }
            if let code, entry.code != code { return false }
            if let status, entry.status != status { return false }
            if let instanceId, entry.instanceId != instanceId { return false }
            if let accountId, entry.accountId != accountId { return false }
            if let since, entry.time < since { return false }
            return true
        }
    }

    /// The entries that match, oldest first, at most `limit` of them (the oldest), and how many matched in all.
    public func entries(_ filter: Filter, limit: Int = .max) -> (entries: [Entry], total: Int) {
        ring.withLock { ring in
            let count = ring.entries.count
            var start = 0
            if let after = filter.afterRequestId, let position = (0..<count).first(where: { ring[$0].requestId == after }) {
                start = position + 1
            }
            var found: [Entry] = []
            var total = 0
            for position in start..<count where filter.matches(ring[position]) {
                total += 1
                if found.count < limit { found.append(ring[position]) }
            }
            return (found, total)
        }
    }

    /// How many entries the journal holds.
    public var count: Int { ring.withLock { $0.entries.count } }

    /// Forgets every entry.
    public func clear() {
        let old = ring.withLock { ring in
            defer { ring = Ring() }
            return ring.entries
        }
        _ = old
    }
}

extension RequestJournal.Entry {
    /// The entry as `GET /_emulator/requests` shows it; fields the request did not have are left out.
    public var json: RPCValue {
        var fields: [RPCValue.Field] = [
            .init("requestId", .string(requestId)),
            .init("time", .string(Self.iso8601Milliseconds(time))),
            .init("realTime", .string(Self.iso8601Milliseconds(realTime))),
        ]
        func add(_ name: String, _ value: String?) {
            if let value { fields.append(.init(name, .string(value))) }
        }
        add("product", product)
        add("action", action)
        add("version", version)
        add("account", accountId)
        add("accessKeyId", accessKeyId)
        fields.append(.init("signatureVersion", .string(signatureVersion)))
        add("instance", instanceId)
        fields.append(.init("status", .integer(Int64(status))))
        add("code", code)
        add("message", message)
        // No rule has a name of its own: the error code names the rule that refused the request.
        add("rule", code)
        fields.append(.init("latencyMicroseconds", .integer(Int64(clamping: latencyNanoseconds / 1000))))
        var seen = Set<String>()
        var parameters: [RPCValue.Field] = []
        // A parameter sent twice shows its first value, the one the gateway acts on.
        for pair in self.parameters where seen.insert(pair.name).inserted {
            parameters.append(.init(pair.name, .string(pair.value)))
        }
        fields.append(.init("parameters", .object(parameters)))
        return .object(fields)
    }

    /// `2024-01-01T00:00:00.123Z`: requests come many a second, so the journal's times keep milliseconds.
    static func iso8601Milliseconds(_ instant: Int64) -> String {
        let clamped = min(max(instant, UTCTime.representable.lowerBound), UTCTime.representable.upperBound)
        let seconds = UTCTime.iso8601(clamped)
        let milliseconds = String(clamped % 1000)
        return seconds.dropLast() + "." + String(repeating: "0", count: 3 - milliseconds.count) + milliseconds + "Z"
    }
}
