import Synchronization
import TestSupport
#if canImport(Glibc)
import Glibc
#endif
import Testing

@testable import EmulatorTransport

@Suite struct HTTPRequestTests {
    @Test func splitsTheTarget() {
        let request = HTTPRequest(method: "GET", target: "/?a=1&b=%20", headers: [("HOST", "h:1")], body: [])
        #expect(request.path == "/")
        #expect(request.query == "a=1&b=%20")
        #expect(request.header("host") == "h:1")
        let absolute = HTTPRequest(method: "GET", target: "http://example.com:8080/x?y", headers: [], body: [])
        #expect(absolute.path == "/x")
        #expect(absolute.query == "y")
        let bare = HTTPRequest(method: "GET", target: "/p", headers: [], body: [])
        #expect(bare.query == nil)
        let noPath = HTTPRequest(method: "GET", target: "http://example.com", headers: [], body: [])
        #expect(noPath.path == "/")
        #expect(noPath.query == nil)
        let twoMarks = HTTPRequest(method: "GET", target: "/a?b?c=%3F", headers: [], body: [])
        #expect(twoMarks.path == "/a")
        #expect(twoMarks.query == "b?c=%3F")
        let emptyQuery = HTTPRequest(method: "GET", target: "/?", headers: [], body: [])
        #expect(emptyQuery.query == "")
        let colonInQuery = HTTPRequest(method: "GET", target: "/x?u=http://h/p", headers: [], body: [])
        #expect(colonInQuery.path == "/x")
        #expect(colonInQuery.query == "u=http://h/p")
    }

    @Test func matchesHeaderNamesWithoutRegardToCase() {
        #expect(ASCII.equalIgnoringCase("X-ACS-Action", "x-acs-action"))
        #expect(!ASCII.equalIgnoringCase("x-acs-action", "x-acs-actions"))
        #expect(!ASCII.equalIgnoringCase("x-acs-date", "x-acs-data"))
        // Only ASCII letters fold: `[` and `{` differ by the same bit as `A` and `a`, but are not a pair.
        #expect(!ASCII.equalIgnoringCase("a[", "a{"))
        let request = HTTPRequest(method: "GET", target: "/", headers: [("Host", "a"), ("host", "b")], body: [])
        #expect(request.header("HOST") == "a")
        #expect(request.headerValues("host") == ["a", "b"])
    }

    @Test func keepsHeaderNamesInLowerCaseAndValuesAsSent() {
        let headers: HTTPHeaders = [("X-Acs-Date", " d\t"), ("Host", "h"), ("x-ACS-date", "e"), ("CAFÉ", "Thé ü")]
        #expect(headers.count == 4)
        #expect(headers.map(\.name) == ["x-acs-date", "host", "x-acs-date", "cafÉ"])  // only ASCII letters fold
        #expect(headers.map(\.value) == [" d\t", "h", "e", "Thé ü"])
        #expect(headers.value(of: "X-ACS-DATE") == " d\t")
        #expect(headers.values(of: "x-acs-date") == [" d\t", "e"])
        #expect(headers.find("x-acs-date") == (0, true))
        #expect(headers.find("HOST") == (1, false))
        #expect(headers.find("hos") == (nil, false))
        #expect(headers.find("hosts") == (nil, false))
        #expect(headers.firstIndex(of: "host") == 1)
        #expect(headers.value(of: "cafÉ") == "Thé ü")
        #expect(headers.value(of: "café") == nil)
        #expect(headers.withValueBytes(at: 3) { Array($0) } == Array("Thé ü".utf8))
        #expect(HTTPHeaders().value(of: "host") == nil)
        #expect(HTTPHeaders([(name: "A", value: "")]).value(of: "a") == "")
    }
}

@Suite(.serialized) struct HTTPServerTests {
    @Test func servesRequestsOnAnEphemeralPort() throws {
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { request in
            .ready(
                HTTPResponse(
                    status: 201, contentType: "text/plain",
                    body: "\(request.method) \(request.path) \(request.query ?? "-") \(request.header("X-Test") ?? "-") \(request.body.count) \(request.headers.first { $0.value == "yes" }?.name ?? "-")"))
        }
        server.start()
        defer { server.stopAndWait() }
        #expect(server.port > 0)
        let reply = try RawHTTPClient.send(port: server.port, method: "POST", target: "/a?b=c", headers: [("X-Test", "yes")], body: Array("hello".utf8))
        #expect(reply.status == 201)
        #expect(reply.body == "POST /a b=c yes 5 x-test")  // the name in lower case
        #expect(reply.header("Content-Type") == "text/plain")
        #expect(reply.header("Date") != nil)
    }

    @Test(arguments: ["PATCH", "OPTIONS", "DELETE", "PUT"])
    func letsEveryMethodReachTheHandler(_ method: String) throws {
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { request in
            .ready(HTTPResponse(status: 404, contentType: "application/json", body: #"{"method":"\#(request.method)"}"#))
        }
        server.start()
        defer { server.stopAndWait() }
        let reply = try RawHTTPClient.send(port: server.port, method: method, target: "/")
        #expect(reply.status == 404)
        #expect(reply.body == #"{"method":"\#(method)"}"#)
    }

    @Test func stopsEvenRightAfterStarting() throws {
        for round in 0..<100 {
            let server = try HTTPServer(host: "127.0.0.1", port: 0, workers: 1 + round % 3) { _ in .ready(HTTPResponse(status: 200)) }
            server.start()
            server.stopAndWait()
        }
    }

    @Test(arguments: [(1, 1), (2, 1), (1, 2), (2, 3)])
    func refusesAPortInUse(first: Int, second: Int) throws {
        let holder = try HTTPServer(host: "127.0.0.1", port: 0, workers: first) { _ in .ready(HTTPResponse(status: 200)) }
        #expect {
            try HTTPServer(host: "127.0.0.1", port: holder.port, workers: second) { _ in .ready(HTTPResponse(status: 200)) }
        } throws: { error in
            "\(error)" == "cannot listen on 127.0.0.1:\(holder.port): Address already in use"
        }
    }

    @Test func spreadsConnectionsOverItsWorkers() throws {
        let threads = Mutex(Set<UInt>())
        let server = try HTTPServer(host: "127.0.0.1", port: 0, workers: 2) { _ in
            threads.withLock { _ = $0.insert(UInt(bitPattern: Int(bitPattern: UInt(pthread_self())))) }
            return .ready(HTTPResponse(status: 200))
        }
        server.start()
        defer { server.stopAndWait() }
        // Each request comes on a new connection; the kernel spreads them by address and port.
        for _ in 0..<32 { #expect(try RawHTTPClient.send(port: server.port, method: "GET", target: "/").status == 200) }
        #expect(threads.withLock { $0.count } == 2)
    }

    @Test func runsDeferredWorkInTheTurnsBatchAndSendsRepliesAfterIt() throws {
        let log = Mutex<[String]>([])
        let server = try HTTPServer(
            host: "127.0.0.1", port: 0,
            batching: HTTPServer.Batching(
                run: { mark, work in
                    log.withLock { $0.append("begin \(mark)") }
                    work()
                    mark += 1
                    log.withLock { $0.append("commit") }
                    return true
                },
                replacement: { _ in HTTPResponse(status: 503) })
        ) { request in
            if request.path == "/now" { return .ready(HTTPResponse(status: 202)) }
            return .deferred {
                log.withLock { $0.append("work") }
                return {
                    log.withLock { $0.append("finish") }
                    return HTTPResponse(status: 201)
                }
            }
        }
        server.start()
        defer { server.stopAndWait() }
        #expect(try RawHTTPClient.send(port: server.port, method: "GET", target: "/later").status == 201)
        #expect(try RawHTTPClient.send(port: server.port, method: "GET", target: "/now").status == 202)
        #expect(try RawHTTPClient.send(port: server.port, method: "GET", target: "/later").status == 201)
        // The work runs inside the batch; what finishes the reply runs after it.
        #expect(log.withLock { $0 } == ["begin 0", "work", "commit", "finish", "begin 1", "work", "commit", "finish"])
    }

    /// With batching, a worker writes the turn's replies itself (not when evhttp next finds the socket
    /// writable): the connection must then go on exactly as evhttp would have let it.
    @Test func answersPipelinedRequestsInOrderAndWritesAReplyTooLargeForTheSocketInParts() throws {
        let large = String(repeating: "0123456789abcdef", count: 1 << 20)  // 16 MiB: more than the socket takes
        let server = try HTTPServer(
            host: "127.0.0.1", port: 0,
            batching: HTTPServer.Batching(run: { _, work in work(); return true }, replacement: { _ in HTTPResponse(status: 503) })
        ) { request in
            switch request.path {
            case "/now": .ready(HTTPResponse(status: 202, contentType: "text/plain", body: "now"))
            case "/large": .deferred { { HTTPResponse(status: 200, contentType: "text/plain", body: large) } }
            default: .deferred { { HTTPResponse(status: 201, contentType: "text/plain", body: request.path) } }
            }
        }
        server.start()
        defer { server.stopAndWait() }
        // One write holds them all: each is read only once the one before is answered, and the one after the
        // large reply only once all of it is written.
        let paths = ["/now", "/later", "/now", "/large", "/after"]
        let bytes = paths.map { "GET \($0) HTTP/1.1\r\nHost: x\r\n" + ($0 == "/after" ? "Connection: close\r\n" : "") + "\r\n" }
        let replies = try RawHTTPClient.exchangeAll(
            port: server.port, bytes: Array(bytes.joined().utf8), receiveBuffer: 4096, pause: 0.2)
        #expect(replies.map(\.status) == [202, 201, 202, 200, 201])
        #expect(replies.map { $0.body == large ? "large" : $0.body } == ["now", "/later", "now", "large", "/after"])

        // The connection closes after the large reply: closed before all of it was written, it would be short.
        let closing = "GET /large HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        let last = try RawHTTPClient.exchangeAll(
            port: server.port, bytes: Array(closing.utf8), receiveBuffer: 4096, pause: 0.2)
        #expect(last.map(\.status) == [200])
        #expect(last.map { $0.body == large } == [true])
    }

    @Test func replacesTheRepliesOfABatchThatCouldNotBeMadeDurable() throws {
        let server = try HTTPServer(
            host: "127.0.0.1", port: 0,
            batching: HTTPServer.Batching(
                run: { _, work in
                    work()
                    return false
                },
                replacement: { request in HTTPResponse(status: 500, contentType: "text/plain", body: "not saved: \(request.path)") })
        ) { request in
            request.path == "/now" ? .ready(HTTPResponse(status: 202)) : .deferred { { HTTPResponse(status: 201) } }
        }
        server.start()
        defer { server.stopAndWait() }
        let reply = try RawHTTPClient.send(port: server.port, method: "GET", target: "/write")
        #expect(reply.status == 500)
        #expect(reply.body == "not saved: /write")
        // A reply that involved no deferred work does not depend on the batch.
        #expect(try RawHTTPClient.send(port: server.port, method: "GET", target: "/now").status == 202)
    }
}
