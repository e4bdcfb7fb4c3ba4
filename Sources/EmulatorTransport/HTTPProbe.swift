// CLibevent's shim includes <sys/socket.h> too: which module the socket constants are found in depends on the
// order modules are loaded in (MSG_NOSIGNAL was not found in some builds), so both are imported.
internal import CLibevent
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 GET, for `aliyun-db-emulator healthcheck` in images that have no curl.
public enum HTTPProbe {
    /// The status code of `GET path` on host:port, or nil if there was no HTTP answer within `timeout` seconds.
    public static func status(host: String, port: Int, path: String, timeout: Int = 2) -> Int? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let address = found else { return nil }
        defer { freeaddrinfo(found) }
        let socket = Glibc.socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
        guard socket >= 0 else { return nil }
        defer { close(socket) }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard connect(socket, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else {
            return nil
        }
        var reply = [UInt8](repeating: 0, count: 64)
        var received = 0
        while received < 12 {
            let count = reply.withUnsafeMutableBytes { recv(socket, $0.baseAddress! + received, $0.count - received, 0) }
            guard count > 0 else { break }
            received += count
        }
        // "HTTP/1.1 200 …"
        let line = String(decoding: reply[0..<received], as: UTF8.self)
        guard line.hasPrefix("HTTP/1."), received >= 12 else { return nil }
        return Int(line.dropFirst(9).prefix(3))
    }
}
