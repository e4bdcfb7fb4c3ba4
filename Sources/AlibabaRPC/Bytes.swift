import EmulatorTransport

/// Hex digits and comparisons over bytes, for percent-encoding, JSON escapes and signatures (ASCII case folding,
/// search and trimming are the transport's `ASCII`).
enum Hex {
    @inline(__always)
    static func lowerDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? nibble + UInt8(ascii: "0") : nibble - 10 + UInt8(ascii: "a")
    }

    @inline(__always)
    static func upperDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? nibble + UInt8(ascii: "0") : nibble - 10 + UInt8(ascii: "A")
    }

    /// The value of a hex digit in either case; nil for any other byte.
    static func value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Lower-case hex of `bytes`, appended to `output`. Over raw bytes: iterating a CryptoKit digest as a `Sequence`
    /// costs a hundred instructions a byte. Written into scratch memory and appended once: appended a digit at a
    /// time it cost 50 instructions a byte, 3,400 a V3 request.
    static func appendLower(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count * 2) { digits in
            for index in 0..<bytes.count {
                digits[2 * index] = lowerDigit(bytes[index] >> 4)
                digits[2 * index + 1] = lowerDigit(bytes[index] & 0x0F)
            }
            output.append(contentsOf: UnsafeBufferPointer(digits))
        }
    }

    /// Whether `received` is the hex number `expected` (lower case) with any of its letters in either case.
    static func equal(_ received: String, lowerCase expected: String) -> Bool {
        var received = received
        var expected = expected
        return received.withUTF8 { received in expected.withUTF8 { ConstantTime.equalHex(received, $0) } }
    }

    static func lower(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2)
        bytes.withUnsafeBytes { appendLower($0, to: &output) }
        return String(decoding: output, as: UTF8.self)
    }
}

/// Comparison of a secret-derived value with what a client sent, in time that depends on the length only: every
/// byte is looked at, whatever the first difference, so the time of a refusal tells nothing of how much of a
/// guessed signature was right. The length itself is no secret (a signature's length is public).
enum ConstantTime {
    /// Whether `received` is `expected`, byte for byte.
    static func equal(_ received: UnsafeBufferPointer<UInt8>, _ expected: UnsafeBufferPointer<UInt8>) -> Bool {
        guard received.count == expected.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<received.count { difference |= received[index] ^ expected[index] }
        return difference == 0
    }

    /// Whether `received` is the lower-case hex `expected` with any of its letters in upper case (the same number).
    static func equalHex(_ received: UnsafeBufferPointer<UInt8>, _ expected: UnsafeBufferPointer<UInt8>) -> Bool {
        guard received.count == expected.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<received.count {
            let byte = received[index]
            // `A`–`F` folded to lower case without a branch on the byte: 0x20 where `byte - 'A'` is below 6.
            let isUpperHexLetter = UInt8(truncatingIfNeeded: (UInt16(byte &- UInt8(ascii: "A")) &- 6) >> 8)
            difference |= (byte | (isUpperHexLetter & 0x20)) ^ expected[index]
        }
        return difference == 0
    }
}
