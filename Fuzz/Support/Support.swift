import AlibabaRPC
import EmulatorTransport

/// Helpers shared by the fuzz targets. Nothing here is the server's own parsing (libevent reads HTTP):
/// the harness only needs to turn a seed file back into the request it records.
public enum RawRequest {
    /// A request written as HTTP/1.1 text: the request line, header lines, an empty line, the body. Seeds are
    /// stored this way so that they read as the requests they are. Lines end in CRLF or LF; a header line without
    /// a colon is skipped; a missing empty line means no body. Nil when there is no request line.
    public static func parse(_ input: UnsafeBufferPointer<UInt8>) -> HTTPRequest? {
        let bytes = Array(input)
        var headEnd = bytes.count
        var bodyStart = bytes.count
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") {
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") {
                    (headEnd, bodyStart) = (index, index + 2)
                    break
                }
                if index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "\r"), bytes[index + 2] == UInt8(ascii: "\n") {
                    (headEnd, bodyStart) = (index, index + 3)
                    break
                }
            }
            index += 1
        }
        let lines = bytes[..<headEnd].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        }
        guard let requestLine = lines.first else { return nil }
        let words = requestLine.split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: true)
        guard words.count >= 2 else { return nil }
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            headers.append(name: text(line[..<colon]), value: text(trimmed(line[(colon + 1)...])))
        }
        return HTTPRequest(
            method: text(words[0]), target: text(words[1]), headers: headers, body: Array(bytes[bodyStart...]))
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return [] }
        return bytes[first...last]
    }
}

/// A clock that stands still: the same input gives the same outcome, which libFuzzer needs to reproduce a crash.
public final class FixedClock: EmulatorClock, Sendable {
    public let now: Int64
    public init(_ now: Int64) { self.now = now }

    /// 2026-01-01T00:00:00Z, the instant the signature seeds are signed at.
    public static let seedTime: Int64 = 1_767_225_600_000
}

/// Whether a reply body is one of the API's envelopes: XML or a JSON object (the control API's lists are arrays).
public func isEnvelope(_ body: [UInt8]) -> Bool {
    body.starts(with: Array("<?xml".utf8)) || body.first == UInt8(ascii: "{") || body.first == UInt8(ascii: "[")
}

/// `text` as a JSON string literal.
public func jsonString(_ text: String) -> String {
    var output = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": output += "\\\""
        case "\\": output += "\\\\"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: output.unicodeScalars.append(scalar)
        }
    }
    return output + "\""
}

/// A field of a JSON object reply, as text (strings only; enough for the fields the targets check).
public func jsonField(_ name: String, of body: [UInt8]) -> String? {
    let text = String(decoding: body, as: UTF8.self)
    guard let start = text.firstRange(of: "\"\(name)\":\"") else { return nil }
    let rest = text[start.upperBound...]
    guard let end = rest.firstIndex(of: "\"") else { return nil }
    return String(rest[..<end])
}
