import TestSupport
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
    }
}

@Suite(.serialized) struct HTTPServerTests {
    @Test func servesRequestsOnAnEphemeralPort() throws {
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { request in
            HTTPResponse(
                status: 201, contentType: "text/plain",
                body: "\(request.method) \(request.path) \(request.query ?? "-") \(request.header("X-Test") ?? "-") \(request.body.count)")
        }
        server.start()
        defer { server.stopAndWait() }
        #expect(server.port > 0)
        let reply = try RawHTTPClient.send(port: server.port, method: "POST", target: "/a?b=c", headers: [("X-Test", "yes")], body: Array("hello".utf8))
        #expect(reply.status == 201)
        #expect(reply.body == "POST /a b=c yes 5")
        #expect(reply.header("Content-Type") == "text/plain")
        #expect(reply.header("Date") != nil)
    }

    @Test(arguments: ["PATCH", "OPTIONS", "DELETE", "PUT"])
    func letsEveryMethodReachTheHandler(_ method: String) throws {
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { request in
            HTTPResponse(status: 404, contentType: "application/json", body: #"{"method":"\#(request.method)"}"#)
        }
        server.start()
        defer { server.stopAndWait() }
        let reply = try RawHTTPClient.send(port: server.port, method: method, target: "/")
        #expect(reply.status == 404)
        #expect(reply.body == #"{"method":"\#(method)"}"#)
    }

    @Test func stopsEvenRightAfterStarting() throws {
        for _ in 0..<100 {
            let server = try HTTPServer(host: "127.0.0.1", port: 0) { _ in HTTPResponse(status: 200) }
            server.start()
            server.stopAndWait()
        }
    }

    @Test func refusesAPortInUse() throws {
        let first = try HTTPServer(host: "127.0.0.1", port: 0) { _ in HTTPResponse(status: 200) }
        #expect {
            try HTTPServer(host: "127.0.0.1", port: first.port) { _ in HTTPResponse(status: 200) }
        } throws: { error in
            "\(error)" == "cannot listen on 127.0.0.1:\(first.port): Address already in use"
        }
    }
}
