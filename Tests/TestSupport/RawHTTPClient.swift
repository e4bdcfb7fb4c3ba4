import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A reply as it came off the wire.
public struct RawResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: String

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

public struct RawHTTPError: Error, CustomStringConvertible {
    public let description: String
}

/// Sends exactly the bytes it is given, so tests can send what no well-behaved client would
/// (malformed escapes, odd methods), and reads one reply (`Connection: close`).
public enum RawHTTPClient {
    public static func send(
        port: Int, method: String = "GET", target: String, headers: [(String, String)] = [], body: [UInt8] = [],
        host: String? = nil
    ) throws -> RawResponse {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" || method == "PATCH" {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        return try exchange(port: port, bytes: Array(head.utf8) + body)
    }

    public static func exchange(port: Int, bytes: [UInt8]) throws -> RawResponse {
        try parse(received(port: port, bytes: bytes))
    }

    /// Sends `bytes` (several requests, the last with `Connection: close`) and reads every reply, each
    /// delimited by its `Content-Length`. A small `receiveBuffer` and a `pause` before reading make the
    /// server find the connection full and write a large reply in parts.
    public static func exchangeAll(
        port: Int, bytes: [UInt8], receiveBuffer: Int32? = nil, pause: Double = 0
    ) throws -> [RawResponse] {
        var rest = try received(port: port, bytes: bytes, receiveBuffer: receiveBuffer, pause: pause)[...]
        var replies: [RawResponse] = []
        while !rest.isEmpty {
            let reply = try parse(Array(rest), bodyFromLength: true)
            replies.append(reply.response)
            rest = rest.dropFirst(reply.length)
        }
        return replies
    }

    private static func received(
        port: Int, bytes: [UInt8], receiveBuffer: Int32? = nil, pause: Double = 0
    ) throws -> [UInt8] {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw RawHTTPError(description: "socket: \(errno)") }
        defer { close(socket) }
        if var size = receiveBuffer {  // before connect, so that the window offered is small from the start
            setsockopt(socket, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw RawHTTPError(description: "connect to port \(port): errno \(errno)") }
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { break }  // the server may close early (e.g. on an oversized body)
            sent += count
        }
        if pause > 0 { usleep(useconds_t(pause * 1_000_000)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return received
    }

    static func parse(_ bytes: [UInt8]) throws -> RawResponse {
        try parse(bytes, bodyFromLength: false).response
    }

    /// - Parameter bodyFromLength: the body is `Content-Length` bytes (else all that follows the head);
    ///   `length` is the whole reply's.
    static func parse(_ bytes: [UInt8], bodyFromLength: Bool) throws -> (response: RawResponse, length: Int) {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else {
            throw RawHTTPError(description: "no complete reply (\(bytes.count) bytes)")
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw RawHTTPError(description: "bad status line \(lines[0])")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var bodyEnd = bytes.count
        if bodyFromLength {
            guard let length = headers.first(where: { $0.name.lowercased() == "content-length" }).flatMap({ Int($0.value) }),
                end + 4 + length <= bytes.count
            else { throw RawHTTPError(description: "a reply without its whole Content-Length (\(bytes.count) bytes)") }
            bodyEnd = end + 4 + length
        }
        let body = String(decoding: bytes[(end + 4)..<bodyEnd], as: UTF8.self)
        return (RawResponse(status: status, headers: headers, body: body), bodyEnd)
    }
}
