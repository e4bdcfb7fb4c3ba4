import Synchronization

/// The signature nonces each access key has used, remembered until they expire, in memory.
///
/// Each nonce is kept as a 64-bit keyed hash of (access key, nonce) and its expiry: about 30 bytes,
/// whatever the nonce's length, so a million requests within one window cost some 30 MB, and
/// memory is bounded by the traffic of the window (everything recorded expires within two windows).
/// Two different nonces share a hash with probability about n²/2⁶⁵ (10⁻⁸ for a million): then
/// the second is refused as reused, an error a client cures by retrying with a fresh nonce.
///
/// Not persisted: a restart forgets them (docs/authentication.md).
public final class NonceLedger: Sendable {
    private struct State {
        /// Hash → expiry (ms since the epoch).
        var expiries: [UInt64: Int64] = [:]
        /// Hashes in the order they were recorded, oldest at `head`; pruned from the front.
        var order: [UInt64] = []
        var head = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Records the nonce of the key until `expiresAt`, first forgetting expired ones; false when the
    /// key used it before and it has not expired.
    public func record(nonce: String, accessKeyId: String, expiresAt: Int64, now: Int64) -> Bool {
        let key = Self.key(nonce: nonce, accessKeyId: accessKeyId)
        return state.withLock { state in
            Self.prune(&state, now: now)
            if let expiry = state.expiries[key], expiry > now { return false }
            if state.expiries.updateValue(expiresAt, forKey: key) == nil { state.order.append(key) }
            return true
        }
    }

    /// When the key's nonce expires, if it is remembered.
    public func expiry(of nonce: String, accessKeyId: String) -> Int64? {
        let key = Self.key(nonce: nonce, accessKeyId: accessKeyId)
        return state.withLock { $0.expiries[key] }
    }

    /// How many nonces are remembered.
    public var count: Int { state.withLock { $0.expiries.count } }

    private static func key(nonce: String, accessKeyId: String) -> UInt64 {
        var hasher = Hasher()  // SipHash with a per-process random key
        hasher.combine(accessKeyId)
        hasher.combine(nonce)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    /// Drops expired entries from the front of the recording order. An entry that expires late can hold
    /// earlier-expiring ones behind it for a while; they are still answered by their own expiry.
    private static func prune(_ state: inout State, now: Int64) {
        while state.head < state.order.count {
            let key = state.order[state.head]
            guard let expiry = state.expiries[key] else {
                state.head += 1
                continue
            }
            guard expiry <= now else { break }
            state.expiries.removeValue(forKey: key)
            state.head += 1
        }
        // Reclaim the consumed prefix once it is half the array, so the array stays within 2× the live entries.
        if state.head > 1024, state.head * 2 >= state.order.count {
            state.order.removeSubrange(0..<state.head)
            state.head = 0
        }
    }
}
