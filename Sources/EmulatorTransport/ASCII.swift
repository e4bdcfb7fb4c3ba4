/// Byte-level text helpers for the protocol's ASCII parts (header names, delimiters, hex), shared by every module
/// of the package. Everything here works on UTF-8 bytes without allocating: Character-level string operations cost
/// a visible share of every request. Inlinable: called across modules, a per-byte helper that is not inlined costs
/// a call per byte (600 instructions a V3 request for the upper-case test alone).
package enum ASCII {
    /// `byte` with `A`–`Z` folded to lower case.
    @inlinable @inline(__always)
    package static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    @inlinable @inline(__always)
    package static func isUpperCaseLetter(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
    }

    /// A space or a tab: what HTTP trims around values (RFC 9110 §5.6.3, "optional whitespace").
    @inlinable @inline(__always)
    package static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    /// Whether two bytes are the same letter in any case, or the same byte.
    @inlinable @inline(__always)
    package static func equalIgnoringCase(_ a: UInt8, _ b: UInt8) -> Bool {
        a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= UInt8(ascii: "a") && (a | 0x20) <= UInt8(ascii: "z"))
    }

    /// Whether `part` is the bytes at `start` in `bytes` (the caller knows `bytes` is long enough).
    @inlinable
    package static func equal(_ part: UnsafeBufferPointer<UInt8>, at start: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var offset = 0
        while offset < part.count {
            if part[offset] != bytes[start + offset] { return false }
            offset += 1
        }
        return true
    }

    /// Whether `name`, folded to lower case, is the bytes at `start` in `lowerCased` (the caller knows the lengths).
    @inlinable
    package static func equalFolded(
        _ name: UnsafeBufferPointer<UInt8>, at start: Int, in lowerCased: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        var offset = 0
        while offset < name.count {
            if lowerCased[start + offset] != lowercased(name[offset]) { return false }
            offset += 1
        }
        return true
    }

    /// Byte-wise order of two ranges of `bytes`: negative, zero or positive.
    @inlinable
    package static func order(_ bytes: UnsafeBufferPointer<UInt8>, _ left: Range<Int>, _ right: Range<Int>) -> Int {
        for offset in 0..<min(left.count, right.count) {
            let a = bytes[left.lowerBound + offset]
            let b = bytes[right.lowerBound + offset]
            if a != b { return Int(a) - Int(b) }
        }
        return left.count - right.count
    }

    /// Whether `bytes[range]` is `text`, byte for byte.
    @inlinable
    package static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        return text.withUTF8Buffer { equal($0, at: range.lowerBound, in: bytes) }
    }

    /// ASCII case-insensitive equality of two texts, without allocating (header names are ASCII). Texts of another
    /// length are told apart without looking at a byte.
    @inlinable
    package static func equalIgnoringCase(_ left: String, _ right: String) -> Bool {
        guard left.utf8.count == right.utf8.count else { return false }
        var left = left
        var right = right
        return left.withUTF8 { left in
            right.withUTF8 { right in
                for index in 0..<left.count where !equalIgnoringCase(left[index], right[index]) { return false }
                return true
            }
        }
    }

    /// Whether `text` contains `part`, compared as UTF-8 bytes (a plain loop: the standard library's
    /// `firstRange(of:)` is not specialised, and cost 4,000 instructions a request).
    @inlinable
    package static func contains(_ text: String, _ part: StaticString) -> Bool {
        var text = text
        return text.withUTF8 { haystack in
            part.withUTF8Buffer { needle in
                guard !needle.isEmpty, needle.count <= haystack.count else { return needle.isEmpty }
                for start in 0...(haystack.count - needle.count) where equal(needle, at: start, in: haystack) {
                    return true
                }
                return false
            }
        }
    }

    /// `bytes` without its leading and trailing spaces and tabs.
    @inlinable
    package static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[trimmed(bytes, 0..<bytes.count)])
    }

    /// `range` of `bytes` without the spaces and tabs at either end.
    @inlinable
    package static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var low = range.lowerBound
        var high = range.upperBound
        while low < high && isSpace(bytes[low]) { low += 1 }
        while high > low && isSpace(bytes[high - 1]) { high -= 1 }
        return low..<high
    }
}
