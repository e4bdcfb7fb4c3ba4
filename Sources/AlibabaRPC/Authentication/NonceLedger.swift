import Synchronization

/// The signature nonces each access key has used, remembered until they expire, in memory, up to a capacity.
///
/// Each nonce is kept as a 64-bit keyed hash of (access key, nonce) and its expiry, whatever the nonce's length.
/// Two different nonces share a hash with probability about n²/2⁶⁵ (10⁻⁸ for a million): then the second is refused
/// as reused, an error a client cures by retrying with a fresh nonce.
///
/// Memory is bounded twice over. At most `capacity` nonces are held: past it a new one is refused (`.full`), so a
/// flood of signed requests cannot hold more than some 50 bytes a nonce times the capacity. And expired nonces give
/// their memory back: hashes are filed by their expiry in slots of `slotWidth`, and a slot whose time has passed is
/// dropped whole at the next request, its hashes removed from the look-up table, which is rebuilt smaller once it is
/// three-quarters empty (a dictionary never shrinks by itself).
///
/// Times are the real time's (`Authenticator`), never the emulator's clock: expiries then lie at most two windows
/// ahead of `now`, so filing one walks back over a bounded number of slots, and moving the emulator's clock neither
/// drops nonces nor keeps them.
///
/// Not persisted: a restart forgets them (docs/authentication.md).
public final class NonceLedger: Sendable {
    public enum Outcome: Sendable, Equatable {
        case recorded
        /// The key used this nonce before, and it has not expired.
        case reused
        /// `capacity` nonces are held; nothing was recorded.
        case full
    }

    /// Two million nonces: some 100 MB at most, more than a million signed requests within one window (what the
    /// benchmark's memory test holds, and several times what a test suite sends in 15 minutes).
    public static let defaultCapacity = 2_000_000
    /// Expired nonces are forgotten within this many milliseconds of their expiry.
    public static let defaultSlotWidth: Int64 = 10_000

    public let capacity: Int
    public let slotWidth: Int64

    private struct Slot {
        /// `(expiry - 1) / slotWidth` of every hash in it: all of them are dead once the clock reaches the next slot
        /// (negative times share slot 0).
        var number: Int64
        var keys: [UInt64]
    }

    private struct State {
        /// Hash → expiry (ms since the epoch).
        var expiries: [UInt64: Int64] = [:]
        /// Slots in ascending order of their number; new ones are at or near the end.
        var slots: [Slot] = []
    }

    private let state = Mutex(State())

    public init(capacity: Int = NonceLedger.defaultCapacity, slotWidth: Int64 = NonceLedger.defaultSlotWidth) {
        self.capacity = max(0, capacity)
        self.slotWidth = max(1, slotWidth)
    }

    /// Records the nonce of the key until `expiresAt`, first forgetting expired ones.
    public func record(nonce: String, accessKeyId: String, expiresAt: Int64, now: Int64) -> Outcome {
        let key = Self.key(nonce: nonce, accessKeyId: accessKeyId)
        let current = slot(of: now)
        return state.withLock { state in
            if let oldest = state.slots.first, oldest.number < current { Self.prune(&state, before: current, now: now) }
            if let expiry = state.expiries[key], expiry > now { return .reused }
            guard expiresAt > now else { return .recorded }  // expired already: nothing to remember
            guard state.expiries.count < capacity else { return .full }
            state.expiries[key] = expiresAt
            Self.file(key, in: slot(of: expiresAt - 1), of: &state)
            return .recorded
        }
    }

    /// When the key's nonce expires, if it is remembered.
    public func expiry(of nonce: String, accessKeyId: String) -> Int64? {
        let key = Self.key(nonce: nonce, accessKeyId: accessKeyId)
        return state.withLock { $0.expiries[key] }
    }

    /// How many nonces are remembered (expired ones included until their slot is dropped).
    public var count: Int { state.withLock { $0.expiries.count } }

    /// How many entries the memory now held could take: the look-up table's capacity and the slots' together.
    public var reservedEntries: Int {
        state.withLock { state in state.expiries.capacity + state.slots.reduce(0) { $0 + $1.keys.capacity } }
    }

    private static func key(nonce: String, accessKeyId: String) -> UInt64 {
        var hasher = Hasher()  // SipHash with a per-process random key
        hasher.combine(accessKeyId)
        hasher.combine(nonce)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    private func slot(of instant: Int64) -> Int64 { max(0, instant) / slotWidth }

    /// Appends `key` to its slot: usually the last one, since expiries follow the real time (and are at most two
    /// windows ahead of it: a walk over at most 180 ten-second slots).
    private static func file(_ key: UInt64, in number: Int64, of state: inout State) {
        var index = state.slots.count
        while index > 0 && state.slots[index - 1].number > number { index -= 1 }
        if index > 0 && state.slots[index - 1].number == number {
            state.slots[index - 1].keys.append(key)
        } else {
            state.slots.insert(Slot(number: number, keys: [key]), at: index)
        }
    }

    /// Drops every slot before `current` (the clock's), with the hashes filed in it that have not been recorded again
    /// since.
    private static func prune(_ state: inout State, before current: Int64, now: Int64) {
        var dropped = 0
        while dropped < state.slots.count && state.slots[dropped].number < current {
            for key in state.slots[dropped].keys {
                if let expiry = state.expiries[key], expiry <= now { state.expiries.removeValue(forKey: key) }
            }
            dropped += 1
        }
        state.slots.removeFirst(dropped)
        // Rebuilt at a quarter full, to half full: each entry is copied at most once per three removed.
        if state.expiries.capacity > 1024 && state.expiries.count < state.expiries.capacity / 4 {
            var smaller = [UInt64: Int64](minimumCapacity: state.expiries.count * 2)
            for (key, expiry) in state.expiries { smaller[key] = expiry }
            state.expiries = smaller
        }
    }
}
