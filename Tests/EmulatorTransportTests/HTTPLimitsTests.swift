import Foundation
import TestSupport
import Testing

@testable import EmulatorTransport

/// What the transport does with requests past its limits or outside HTTP/1.1: each gets the server's own
/// rendering of what was wrong (never libevent's page), the connection closes, and the server answers after.
@Suite(.serialized) struct HTTPLimitsTests {
    static let limits = HTTPServer.Limits(maxConnections: 64, bodyLimit: 4096, headerLimit: 2048, requestDeadline: 1)

    func withServer(
        _ limits: HTTPServer.Limits = Self.limits, handler: @escaping HTTPServer.Handler = { _ in .ready(HTTPResponse(status: 200, contentType: "text/plain", body: "ok")) },
        _ body: (HTTPServer) throws -> Void
    ) throws {
        let server = try HTTPServer(
            host: "127.0.0.1", port: 0, limits: limits,
            malformed: { HTTPResponse(status: $0.status, contentType: "text/plain", body: "refused: \($0.problem)") },
            handler: handler)
        server.start()
        defer { server.stopAndWait() }
        try body(server)
    }

    func expectStillServes(_ server: HTTPServer, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let reply = try RawHTTPClient.send(port: server.port, target: "/health")
        #expect(reply.status == 200, sourceLocation: sourceLocation)
        #expect(reply.body == "ok", sourceLocation: sourceLocation)
    }

    static let malformed: [(name: String, bytes: String, status: Int, problem: String)] = [
        ("not a request line", "GARBAGE\r\n\r\n", 400, "badRequestLine"),
        ("no version", "GET /\r\n\r\n", 400, "badRequestLine"),
        ("a request line past the limit", "GET /?a=\(String(repeating: "x", count: 4096)) HTTP/1.1\r\nHost: h\r\n\r\n", 414,
         "requestLineTooLong(limit: 2048)"),
        ("header fields past the limit",
         "GET / HTTP/1.1\r\nHost: h\r\n" + (0..<40).map { "X-Field-\($0): \(String(repeating: "v", count: 60))\r\n" }.joined() + "\r\n",
         431, "headersTooLarge(limit: 2048)"),
        ("a header line without a colon", "GET / HTTP/1.1\r\nHost h\r\n\r\n", 400, "badHeaders"),
        ("a Content-Length that is no number", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 12x\r\n\r\n", 400, "badHeaders"),
        ("a body past the limit", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5000\r\n\r\n", 413, "bodyTooLarge(limit: 4096)"),
        ("a Content-Length past 16 MiB", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999\r\n\r\n", 413,
         "bodyTooLarge(limit: 4096)"),
        ("a bad chunk size", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400,
         "badChunkedBody"),
        ("an unknown method", "BREW / HTTP/1.1\r\nHost: h\r\n\r\n", 501, "methodNotImplemented"),
        ("an Expect other than 100-continue", "POST / HTTP/1.1\r\nHost: h\r\nExpect: tea\r\nContent-Length: 3\r\n\r\nabc", 417,
         "expectationFailed"),
        // Request smuggling: a second reader could end the body at 3 and read "GET /x" as a request of its own.
        ("two Content-Lengths", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 25\r\n\r\nabcGET /x HTTP/1.1\r\nH: h\r\n\r\n",
         400, "conflictingBodyLength"),
        // evhttp refuses this one itself, as a bad header.
        ("Content-Length with Transfer-Encoding",
         "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400,
         "badHeaders"),
    ]

    @Test(arguments: malformed)
    func refusesWithItsOwnReplyAndCloses(_ name: String, bytes: String, status: Int, problem: String) throws {
        try withServer { server in
            let connection = try RawConnection(port: server.port)
            connection.send(bytes)
            let (received, closed) = connection.receiveAll(timeout: 5)
            let reply = try RawConnection.firstReply(received)
            #expect(reply.status == status, "\(name)")
            #expect(reply.body == "refused: \(problem)", "\(name)")
            #expect(reply.header("Connection") == "close")
            #expect(!String(decoding: received, as: UTF8.self).contains("<HTML>"))
            #expect(closed, "\(name): the connection stays open")
            try expectStillServes(server)
        }
    }

    @Test func answersHeadWithALengthAndNoBody() throws {
        try withServer(handler: { _ in .ready(HTTPResponse(status: 200, contentType: "text/plain", body: "twelve bytes")) }) { server in
            let connection = try RawConnection(port: server.port)
            // Kept alive: the second reply must start right after the first one's head.
            connection.send("HEAD / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
            let text = String(decoding: connection.receiveAll(timeout: 5).bytes, as: UTF8.self)
            let replies = text.components(separatedBy: "HTTP/1.1 200 OK\r\n").dropFirst()
            #expect(replies.count == 2)
            #expect(replies.first?.contains("Content-Length: 12\r\n") == true)
            #expect(replies.first?.hasSuffix("\r\n\r\n") == true, "the HEAD reply carries a body: \(text)")
            #expect(replies.last?.hasSuffix("\r\n\r\ntwelve bytes") == true)
        }
    }

    @Test func closesAfterConnect() throws {
        try withServer { server in
            let connection = try RawConnection(port: server.port)
            connection.send("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nConnection: close\r\n\r\n")
            let (received, closed) = connection.receiveAll(timeout: 5)
            #expect(try RawConnection.firstReply(received).body == "ok")
            #expect(closed)
        }
    }

    /// A client sending its header a byte at a time, or a body shorter than its Content-Length, gets a 408
    /// once the deadline (1 s here) has passed, and the connection is closed.
    @Test(arguments: ["GET / HTTP/1.1\r\nHo", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4000\r\n\r\nshort"])
    func answersARequestThatDoesNotArriveWithinTheDeadline(_ part: String) throws {
        try withServer { server in
            let connection = try RawConnection(port: server.port)
            connection.send(part)
            let (received, closed) = connection.receiveAll(timeout: 5)
            let reply = try RawConnection.firstReply(received)
            #expect(reply.status == 408)
            #expect(reply.body == "refused: incomplete(seconds: 1)")
            #expect(closed)
            try expectStillServes(server)
        }
    }

    /// Connections in the middle of a request are not closed to make room: the next one waits.
    @Test func waitsAtTheConnectionLimitUntilAConnectionCloses() throws {
        var limits = Self.limits
        limits.maxConnections = 2
        limits.requestDeadline = 30
        try withServer(limits) { server in
            var held = [try RawConnection(port: server.port), try RawConnection(port: server.port)]
            for connection in held { connection.send("GET / HTTP/1.1\r\nHo") }
            #expect(held[0].receiveAll(timeout: 0.3).bytes.isEmpty)  // accepted and counted by now
            let waiting = try RawConnection(port: server.port)  // the kernel queues it
            waiting.send("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
            #expect(waiting.receiveAll(timeout: 1).bytes.isEmpty, "a third connection was served past the limit of 2")
            #expect(server.openConnections == 2)
            held.removeFirst()
            let (received, _) = waiting.receiveAll(timeout: 5)
            #expect(try RawConnection.firstReply(received).body == "ok")
        }
    }

    /// At the limit, the connection idle longest is closed to make room (a health check gets through).
    @Test func closesTheLongestIdleConnectionAtTheLimit() throws {
        var limits = Self.limits
        limits.maxConnections = 2
        try withServer(limits) { server in
            let first = try RawConnection(port: server.port)
            first.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(try RawConnection.firstReply(first.receiveAll(timeout: 0.5).bytes).body == "ok")
            let second = try RawConnection(port: server.port)
            second.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(try RawConnection.firstReply(second.receiveAll(timeout: 0.5).bytes).body == "ok")
            // Both idle now, the first for longer.
            try expectStillServes(server)
            #expect(first.receiveAll(timeout: 5).closed)
            second.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(try RawConnection.firstReply(second.receiveAll(timeout: 0.5).bytes).body == "ok")
        }
    }

    /// A client that sends requests and never reads the replies: once a reply waits unwritten, the server stops
    /// reading from it, so what the client can send is bounded by the sockets' buffers, not by the server's memory.
    @Test func stopsReadingFromAClientThatDoesNotReadItsReplies() throws {
        let big = [UInt8](repeating: UInt8(ascii: "r"), count: 1 << 20)
        let handler: HTTPServer.Handler = { request in
            .ready(request.path == "/health" ? HTTPResponse(status: 200, contentType: "text/plain", body: "ok") : HTTPResponse(status: 200, body: big))
        }
        try withServer(handler: handler) { server in
            let connection = try RawConnection(port: server.port, sendBuffer: 65536)
            let requests = Array(String(repeating: "GET / HTTP/1.1\r\nHost: h\r\n\r\n", count: 1000).utf8)
            var sent = 0
            var lastProgress = Date()
            let started = Date()
            // Until the client can send no more for a second (or has sent far more than any buffer holds).
            while sent < 256 << 20, Date().timeIntervalSince(lastProgress) < 1, Date().timeIntervalSince(started) < 60 {
                let count = connection.send(requests, wait: false)
                if count > 0 {
                    sent += count
                    lastProgress = Date()
                } else {
                    usleep(10_000)
                }
            }
            #expect(sent < 64 << 20, "the server kept reading: \(sent) bytes of requests taken")
            try expectStillServes(server)
        }
    }
}
