import EmulatorTransport

/// The canonical query that both signature versions sign (alibaba-api.md §4).
extension PercentEncoding {
    /// `name=value` pairs, each side encoded, sorted by encoded name (then value), joined with `&`:
    /// the canonical query of both signature versions.
    static func canonicalQuery(_ pairs: [(name: String, value: String)]) -> String {
        var output: [UInt8] = []
        CanonicalQuery.append(pairs, including: { _ in true }, to: &output, encodedOnceMore: false)
        return String(decoding: output, as: UTF8.self)
    }

    /// The canonical query, built in scratch memory (no string per pair, no array to allocate) and appended to a
    /// buffer. Bytes are written through buffer pointers, within sizes computed first: appending to an array byte
    /// by byte cost three times as much, and making an array of bytes in this module goes through the standard
    /// library's unspecialised path (generic metadata looked up, about 500 instructions an array). V1 signs a
    /// dozen pairs on every request.
    enum CanonicalQuery {
        /// Where a pair's encoded name and value are in the scratch bytes (its value starts where its name ends).
        private struct Entry {
            var nameStart: Int
            var nameEnd: Int
            var valueEnd: Int
        }

        /// Appends `name=value&…` for the pairs `including` accepts. `encodedOnceMore` (V1's string to sign)
        /// percent-encodes it all again: `%` becomes `%25`, `=` `%3D` and `&` `%26` (no other byte of an encoded
        /// query needs it).
        static func append(
            _ pairs: [(name: String, value: String)], including: (String) -> Bool, to output: inout [UInt8],
            encodedOnceMore: Bool
        ) {
            var capacity = 0
            for pair in pairs { capacity += (pair.name.utf8.count + pair.value.utf8.count) * 3 }
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, capacity)) { scratch in
                withUnsafeTemporaryAllocation(of: Entry.self, capacity: max(1, pairs.count)) { entries in
                    var count = 0
                    var used = 0
                    for pair in pairs where including(pair.name) {
                        let start = used
                        used = encode(pair.name, into: scratch, at: used)
                        let middle = used
                        used = encode(pair.value, into: scratch, at: used)
                        entries.initializeElement(at: count, to: Entry(nameStart: start, nameEnd: middle, valueEnd: used))
                        count += 1
                    }
                    let bytes = UnsafeBufferPointer(rebasing: scratch[..<used])
                    // The standard library's sort (n log n whatever the order: a request may carry a thousand
                    // parameters, and this runs before the signature is checked).
                    var sorted = UnsafeMutableBufferPointer(rebasing: entries[..<count])
                    sorted.sort { precedes($0, $1, in: bytes) }
                    write(UnsafeBufferPointer(sorted), of: bytes, to: &output, encodedOnceMore: encodedOnceMore)
                }
            }
        }

        /// Writes `text` percent-encoded at `offset`; returns the offset after it. `buffer` has room for three
        /// bytes per byte of text.
        private static func encode(_ text: String, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) -> Int {
            var text = text
            return text.withUTF8 { source in
                var end = offset
                for byte in source {
                    if PercentEncoding.isUnreservedByMask(byte) {
                        buffer[end] = byte
                        end += 1
                    } else {
                        buffer[end] = UInt8(ascii: "%")
                        buffer[end + 1] = Hex.upperDigit(byte >> 4)
                        buffer[end + 2] = Hex.upperDigit(byte & 0x0F)
                        end += 3
                    }
                }
                return end
            }
        }

        /// Canonical order: by encoded name, then encoded value, byte-wise.
        private static func precedes(_ left: Entry, _ right: Entry, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            let byName = ASCII.order(bytes, left.nameStart..<left.nameEnd, right.nameStart..<right.nameEnd)
            if byName != 0 { return byName < 0 }
            return ASCII.order(bytes, left.nameEnd..<left.valueEnd, right.nameEnd..<right.valueEnd) < 0
        }

        private static func write(
            _ entries: UnsafeBufferPointer<Entry>, of bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8],
            encodedOnceMore: Bool
        ) {
            // Written in scratch memory with room for every byte escaped once more, then copied whole: zeroing
            // room at the end of `output` went byte by byte.
            let room = (bytes.count + entries.count * 2) * 3
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, room)) { buffer in
                var count = 0
                for (index, entry) in entries.enumerated() {
                    if index > 0 { count = put(UInt8(ascii: "&"), encoded: encodedOnceMore, into: buffer, at: count) }
                    count = copy(bytes, entry.nameStart..<entry.nameEnd, encoded: encodedOnceMore, into: buffer, at: count)
                    count = put(UInt8(ascii: "="), encoded: encodedOnceMore, into: buffer, at: count)
                    count = copy(bytes, entry.nameEnd..<entry.valueEnd, encoded: encodedOnceMore, into: buffer, at: count)
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<count]))
            }
        }

        private static func put(_ byte: UInt8, encoded: Bool, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int)
            -> Int
        {
            guard encoded else {
                buffer[offset] = byte
                return offset + 1
            }
            buffer[offset] = UInt8(ascii: "%")
            buffer[offset + 1] = Hex.upperDigit(byte >> 4)
            buffer[offset + 2] = Hex.upperDigit(byte & 0x0F)
            return offset + 3
        }

        private static func copy(
            _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, encoded: Bool, into buffer: UnsafeMutableBufferPointer<UInt8>,
            at offset: Int
        ) -> Int {
            var end = offset
            for index in range {
                let byte = bytes[index]
                if encoded && byte == UInt8(ascii: "%") {
                    buffer[end] = UInt8(ascii: "%")
                    buffer[end + 1] = UInt8(ascii: "2")
                    buffer[end + 2] = UInt8(ascii: "5")
                    end += 3
                } else {
                    buffer[end] = byte
                    end += 1
                }
            }
            return end
        }
    }
}
