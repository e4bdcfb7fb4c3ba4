import Emulator
import EmulatorTesting
import Foundation
import TestSupport
import Testing

/// Requests the transport refuses before the gateway reads them still get the API's error envelope: XML by
/// default, JSON for V3-signed requests, the control API's JSON on its paths; and the server answers after.
@Suite struct TransportRefusalTests {
    func exchange(_ server: TestEmulator, _ bytes: String) throws -> RawResponse {
        let connection = try RawConnection(port: server.port)
        connection.send(bytes)
        let (received, closed) = connection.receiveAll(timeout: 10)
        #expect(closed, "the connection stays open after the refusal")
        return try RawConnection.firstReply(received)
    }

    func expectHealthy(_ server: TestEmulator) throws {
        #expect(try server.get("/_emulator/health").status == 200)
    }

    @Test func aBadRequestLineGetsTheXMLEnvelope() throws {
        try withEmulator { server in
            let reply = try exchange(server, "GARBAGE\r\n\r\n")
            #expect(reply.status == 400)
            #expect(reply.header("Content-Type") == "text/xml;charset=utf-8")
            #expect(reply.body.contains("<Code>MalformedRequest</Code>"))
            #expect(reply.body.contains("<Message>The request line is not an HTTP/1.1 request line.</Message>"))
            try expectHealthy(server)
        }
    }

    @Test func oversizedHeadersOfAV3RequestGetTheJSONEnvelope() throws {
        try withEmulator { server in
            let filler = (0..<80).map { "X-Acs-Filler-\($0): \(String(repeating: "v", count: 1000))\r\n" }.joined()
            let reply = try exchange(
                server, "POST / HTTP/1.1\r\nHost: h\r\nAuthorization: ACS3-HMAC-SHA256 Credential=x\r\n\(filler)\r\n")
            #expect(reply.status == 431)
            #expect(reply.header("Content-Type") == "application/json;charset=utf-8")
            #expect(reply.body.contains(#""Code":"RequestHeaderFieldsTooLarge""#))
            try expectHealthy(server)
        }
    }

    @Test func aLongQueryGetsA414() throws {
        try withEmulator { server in
            let reply = try exchange(server, "GET /?Action=\(String(repeating: "a", count: 1 << 20)) HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(reply.status == 414)
            #expect(reply.body.contains("<Code>RequestURITooLong</Code>"))
            try expectHealthy(server)
        }
    }

    /// Past the transport's limit the body is refused as it is announced, with the gateway's own message.
    @Test func aLargeContentLengthGetsTheGatewaysLimit() throws {
        try withEmulator { server in
            let reply = try exchange(server, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 16777217\r\n\r\nabc")
            #expect(reply.status == 413)
            #expect(reply.body.contains("<Code>RequestEntityTooLarge</Code>"))
            #expect(reply.body.contains("<Message>The request body is larger than the limit of 1048576 bytes.</Message>"))
            // A control path is no longer known when the transport refuses the body: the API's envelope too.
            let control = try exchange(server, "PUT /_emulator/instances/rm-x HTTP/1.1\r\nHost: h\r\nContent-Length: 10000000\r\n\r\n{")
            #expect(control.status == 413)
            #expect(control.body.contains("<Code>RequestEntityTooLarge</Code>"))
            // Under the transport's limit, the control API answers itself.
            let json = #"{"DBInstanceDescription":"\#(String(repeating: "d", count: 3 << 19))"}"#
            let own = try exchange(
                server, "PUT /_emulator/instances/rm-x HTTP/1.1\r\nHost: h\r\nConnection: close\r\nContent-Length: \(json.utf8.count)\r\n\r\n\(json)")
            #expect(own.status == 413)
            #expect(own.body == #"{"code":"PayloadTooLarge","message":"request body: larger than the limit of 1048576 bytes (1 MiB)"}"#)
            #expect(try server.get("/_emulator/instances/rm-x").status == 404)
            try expectHealthy(server)
        }
    }

    @Test func twoContentLengthsAreRefusedAndTheRestIsNotReadAsARequest() throws {
        try withEmulator { server in
            let smuggled = "GET /_emulator/reset HTTP/1.1\r\nHost: h\r\n\r\n"
            let reply = try exchange(
                server, "POST /?Format=JSON HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nContent-Length: \(smuggled.utf8.count)\r\n\r\n\(smuggled)")
            #expect(reply.status == 400)
            #expect(reply.header("Content-Type") == "application/json;charset=utf-8")
            #expect(reply.body.contains(#""Code":"MalformedRequest""#))
            try expectHealthy(server)
        }
    }

    @Test func theConfigurationShowsTheConnectionLimit() throws {
        let body = try withEmulator({ $0.maxConnections = 77 }) { try $0.get("/_emulator/config").body }
        #expect(body.contains(#""maxConnections":77"#))
    }
}
