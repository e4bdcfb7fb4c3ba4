import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One TCP connection to a local port, for tests that send part of a request, pause, hold connections open,
/// or send without reading. Every wait is bounded.
public final class RawConnection {
    public let socket: Int32

    public init(port: Int, sendBuffer: Int32? = nil) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw RawHTTPError(description: "socket: \(errno)") }
        if var size = sendBuffer { setsockopt(socket, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(socket)
            throw RawHTTPError(description: "connect to port \(port): errno \(errno)")
        }
    }

    deinit { close(socket) }

    /// Sends what the socket takes without waiting; the count sent.
    @discardableResult
    public func send(_ bytes: [UInt8], wait: Bool = true) -> Int {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes {
                Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | (wait ? 0 : Int32(MSG_DONTWAIT)))
            }
            guard count > 0 else { break }
            sent += count
        }
        return sent
    }

    public func send(_ text: String) { send(Array(text.utf8)) }

    /// Everything received until the server closes the connection, or `timeout` seconds pass.
    public func receiveAll(timeout: Double) -> (bytes: [UInt8], closed: Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return (received, false) }
            var wait = timeval(tv_sec: Int(left), tv_usec: Int((left - left.rounded(.down)) * 1_000_000))
            setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
            let count = recv(socket, &buffer, buffer.count, 0)
            if count == 0 { return (received, true) }
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK { return (received, false) }
                return (received, true)  // reset: closed too
            }
            received += buffer[0..<count]
        }
    }

    /// The first reply in what was received (parsed by its Content-Length when it has one).
    public static func firstReply(_ bytes: [UInt8]) throws -> RawResponse {
        try RawHTTPClient.parse(bytes, bodyFromLength: true).response
    }
}
