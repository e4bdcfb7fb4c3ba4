/// A request's header fields in arrival order, kept as one buffer of bytes: each name in lower case (HTTP names
/// are case-insensitive), then its value as sent. A V3 request carries ten headers: as twenty strings they were
/// some fifteen allocations a request, and the signature check then lower-cased and compared them once more.
public struct HTTPHeaders: Sendable, RandomAccessCollection, ExpressibleByArrayLiteral {
    /// Names and values back to back.
    private var bytes: [UInt8] = []
    /// Per field, where its name ends and where its value ends in `bytes`; a field starts where the last ended.
    private var ends: [(name: Int, value: Int)] = []

    public init() {}

    public init(_ fields: [(name: String, value: String)]) {
        for (name, value) in fields { append(name: name, value: value) }
    }

    public init(arrayLiteral fields: (String, String)...) {
        for (name, value) in fields { append(name: name, value: value) }
    }

    public mutating func append(name: String, value: String) {
        var name = name
        var value = value
        name.withUTF8 { name in value.withUTF8 { value in append(name: name, value: value) } }
    }

    /// Adds a field from bytes, lower-casing the name as it is copied.
    mutating func append(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        // Copied whole, then lower-cased in place: appended a byte at a time, each append checked the buffer.
        let nameStart = bytes.count
        bytes.append(contentsOf: name)
        let nameEnd = bytes.count
        bytes.withUnsafeMutableBufferPointer { bytes in
            for index in nameStart..<nameEnd { bytes[index] = ASCII.lowercased(bytes[index]) }
        }
        bytes.append(contentsOf: value)
        ends.append((nameEnd, bytes.count))
    }

    mutating func reserveCapacity(fields: Int, bytes count: Int) {
        ends.reserveCapacity(fields)
        bytes.reserveCapacity(count)
    }

    // MARK: Collection

    public var startIndex: Int { 0 }
    public var endIndex: Int { ends.count }

    /// A field as strings: the name in lower case.
    public subscript(index: Int) -> (name: String, value: String) {
        let (name, value) = ranges(index)
        return (String(decoding: bytes[name], as: UTF8.self), String(decoding: bytes[value], as: UTF8.self))
    }

    // MARK: Lookup

    /// The first value of the field named `name`, in any case.
    public func value(of name: String) -> String? {
        firstIndex(of: name).map(value(at:))
    }

    /// Every value of the field named `name`, in arrival order.
    public func values(of name: String) -> [String] {
        indices(of: name).map(value(at:))
    }

    public func contains(_ name: String) -> Bool { firstIndex(of: name) != nil }

    /// Where the first field named `name` (in any case) is, and whether another field has the same name.
    public func find(_ name: String) -> (index: Int?, repeated: Bool) {
        var name = name
        return name.withUTF8 { find($0) }
    }

    /// `find` for a name given as bytes.
    package func find(_ name: UnsafeBufferPointer<UInt8>) -> (index: Int?, repeated: Bool) {
        bytes.withUnsafeBufferPointer { bytes in
            ends.withUnsafeBufferPointer { ends in
                var first: Int?
                var start = 0
                for index in 0..<ends.count {
                    if ends[index].name - start == name.count && ASCII.equalFolded(name, at: start, in: bytes) {
                        if first != nil { return (first, true) }
                        first = index
                    }
                    start = ends[index].value
                }
                return (first, false)
            }
        }
    }

    /// Where every field named `name` (in any case) is.
    public func indices(of name: String) -> [Int] {
        var name = name
        return name.withUTF8 { name in
            bytes.withUnsafeBufferPointer { bytes in
                indices.filter { index in
                    let range = ranges(index).name
                    return range.count == name.count && ASCII.equalFolded(name, at: range.lowerBound, in: bytes)
                }
            }
        }
    }

    public func firstIndex(of name: String) -> Int? {
        var name = name
        return name.withUTF8 { name in
            bytes.withUnsafeBufferPointer { bytes in
                ends.withUnsafeBufferPointer { ends in
                    // Unlike `find`, stops at the first match.
                    var start = 0
                    for index in 0..<ends.count {
                        if ends[index].name - start == name.count && ASCII.equalFolded(name, at: start, in: bytes) { return index }
                        start = ends[index].value
                    }
                    return nil
                }
            }
        }
    }

    public func value(at index: Int) -> String {
        String(decoding: bytes[ranges(index).value], as: UTF8.self)
    }

    /// Calls `body` with the bytes of the value at `index`.
    package func withValueBytes<Result>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        let range = ranges(index).value
        return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// Calls `body` with the bytes of the name at `index`.
    package func withNameBytes<Result>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        let range = ranges(index).name
        return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    private func ranges(_ index: Int) -> (name: Range<Int>, value: Range<Int>) {
        let start = index == 0 ? 0 : ends[index - 1].value
        let end = ends[index]
        return (start..<end.name, end.name..<end.value)
    }
}
