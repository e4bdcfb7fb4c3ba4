import Emulator
import Foundation
import TestSupport
import Testing

/// The HTTPS port as the executable and the in-process server open it: its listening line, its configuration, and
/// the refusal of plain HTTP (the TLS conversations themselves are tested with Python's ssl in the conformance suite).
@Suite(.serialized) struct HTTPSTests {
    private func withFolder<T>(_ body: (String) throws -> T) throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("https-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return try body(folder)
    }

    @Test func theHTTPSAddressFollowsTheUnchangedFirstListeningLine() throws {
        try withFolder { folder in
            let configuration = {
                var configuration = EmulatorConfiguration()
                configuration.port = 0
                configuration.httpsPort = 0
                configuration.tlsDirectory = folder + "/tls"
                return configuration
            }()
            let server = try EmulatorServer(configuration: configuration)
            server.start()
            defer { server.stop() }
            let https = try #require(server.httpsPort)
            #expect(https != server.port)
            #expect(server.httpsURL == "https://127.0.0.1:\(https)")
            let config = try RawHTTPClient.send(port: server.port, target: "/_emulator/config")
            #expect(config.status == 200)
            #expect(config.body.contains(#""httpsPort":\#(https)"#))
            #expect(config.body.contains(#""tlsDir":"\#(folder)/tls""#))
            #expect(config.body.contains(#""tlsCA":"\#(folder)/tls/ca.pem""#))
            #expect(FileManager.default.fileExists(atPath: folder + "/tls/server.pem"))

            // Plain HTTP on the TLS port: no HTTP reply in clear, at most a TLS alert record, and the end.
            let connection = try RawConnection(port: https)
            connection.send("GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
            let (bytes, closed) = connection.receiveAll(timeout: 5)
            #expect(closed)
            #expect(bytes.isEmpty || bytes[0] == 21)  // 21: a TLS alert
            #expect(try RawHTTPClient.send(port: server.port, target: "/_emulator/health").status == 200)
        }
    }

    @Test func withoutAnHTTPSPortTheConfigurationNamesNone() throws {
        var configuration = EmulatorConfiguration()
        configuration.port = 0
        let server = try EmulatorServer(configuration: configuration)
        server.start()
        defer { server.stop() }
        #expect(server.httpsPort == nil && server.httpsURL == nil)
        #expect(try !RawHTTPClient.send(port: server.port, target: "/_emulator/config").body.contains("httpsPort"))
    }

    @Test func theExecutablePrintsTheHTTPSAddressOnASecondLine() throws {
        try withFolder { folder in
            let server = try ServerProcess(arguments: ["--port", "0", "--https-port", "0", "--tls-dir", folder])
            defer { server.stop() }
            #expect(server.listeningLine == "aliyun-db-emulator listening on http://127.0.0.1:\(server.port)")
            let config = try RawHTTPClient.send(port: server.port, target: "/_emulator/config")
            #expect(config.body.contains(#""tlsDir":"\#(folder)""#))
        }
    }

    @Test func aServerCertificateWithAnotherKeyStopsStartUp() throws {
        try withFolder { folder in
            let made = try ServerProcess(arguments: ["--port", "0", "--https-port", "0", "--tls-dir", folder])
            made.stop()
            let result = try ServerProcess.runToExit(arguments: [
                "--port", "0", "--https-port", "0", "--tls-cert", folder + "/server.pem", "--tls-key", folder + "/ca-key.pem",
            ])
            #expect(result.status == 1)
            #expect(
                result.standardError
                    == "aliyun-db-emulator: cannot serve HTTPS: \(folder)/ca-key.pem: is not the key of the certificate in \(folder)/server.pem\n")
        }
    }
}
