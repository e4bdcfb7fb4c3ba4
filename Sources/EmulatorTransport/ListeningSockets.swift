internal import CLibevent
#if canImport(Glibc)
import Glibc
#endif

/// The listening sockets of the server's workers: one per worker, all on one port. Several sockets
/// share the port with `SO_REUSEPORT`, and the kernel spreads new connections across them; a first
/// socket without that option checks that no other process holds the port (which `SO_REUSEPORT`
/// alone would let us share silently).
struct ListeningSockets {
    let descriptors: [Int32]
    let port: Int

    static func open(host: String, port: Int, count: Int) throws -> ListeningSockets {
        var address = try resolve(host: host, port: port)
        let describe = { (error: Int32) in
            HTTPServerError(description: "cannot listen on \(host):\(port): \(String(cString: strerror(error)))")
        }
        if count == 1 {
            let socket = try listening(&address, reusePort: false, error: describe)
            return ListeningSockets(descriptors: [socket], port: boundPort(of: socket) ?? port)
        }
        for _ in 0..<3 {
            let probe = try listening(&address, reusePort: false, error: describe)
            let bound = boundPort(of: probe) ?? port
            Glibc.close(probe)
            setPort(bound, in: &address)
            var sockets: [Int32] = []
            do {
                for _ in 0..<count { sockets.append(try listening(&address, reusePort: true, error: describe)) }
                return ListeningSockets(descriptors: sockets, port: bound)
            } catch {
                sockets.forEach { _ = Glibc.close($0) }
                // Someone took an ephemeral port between the probe and the binds: try another.
                guard port == 0 else { throw error }
                setPort(0, in: &address)
            }
        }
        throw describe(EADDRINUSE)
    }

    private static func resolve(host: String, port: Int) throws -> sockaddr_storage {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &results)
        defer { if let results { freeaddrinfo(results) } }
        guard status == 0, let first = results, let address = first.pointee.ai_addr else {
            throw HTTPServerError(description: "cannot listen on \(host):\(port): \(String(cString: gai_strerror(status)))")
        }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(first.pointee.ai_addrlen)))
        }
        return storage
    }

    private static func listening(
        _ address: inout sockaddr_storage, reusePort: Bool, error: (Int32) -> HTTPServerError
    ) throws -> Int32 {
        let family = Int32(address.ss_family)
        let socket = Glibc.socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw error(errno) }
        var on: Int32 = 1
        let size = socklen_t(MemoryLayout<Int32>.size)
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &on, size)
        if reusePort { setsockopt(socket, SOL_SOCKET, SO_REUSEPORT, &on, size) }
        // Replies go out whole, at once: without this, a reply of several segments waits on the
        // client's delayed ACK (40 ms). Accepted sockets inherit the option from the listener.
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &on, size)
        let length = socklen_t(family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        guard bound == 0, listen(socket, SOMAXCONN) == 0 else {
            let code = errno
            Glibc.close(socket)
            throw error(code)
        }
        return socket
    }

    private static func setPort(_ port: Int, in address: inout sockaddr_storage) {
        withUnsafeMutablePointer(to: &address) { pointer in
            switch Int32(pointer.pointee.ss_family) {
            case AF_INET6:
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port = UInt16(port).bigEndian }
            default:
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port = UInt16(port).bigEndian }
            }
        }
    }

    private static func boundPort(of socket: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        guard status == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
        default:
            return nil
        }
    }
}
