import Emulator
import EmulatorTesting
import Foundation
import TestSupport
import Testing
import XCTest

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The `EmulatorTesting` library as its users see it; the first test is the README's example.
@Suite struct TestEmulatorTests {
    @Test func describeBackupsOfAFixtureInstance() async throws {
        var configuration = EmulatorConfiguration()
        configuration.signatureMode = .off  // or keep .strict and sign with a fixture access key
        try await withTestEmulator(configuration) { emulator in
            let url = URL(string: "\(emulator.baseURL)/?Action=DescribeBackups&Version=2014-08-15&DBInstanceId=rm-uf6wjk5xxxxxxx&Format=JSON")!
            let (body, response) = try await URLSession.shared.data(from: url)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            #expect(String(decoding: body, as: UTF8.self).contains(#""TotalRecordCount":"0""#))
        }
    }

    @Test func eachEmulatorHasAPortOfItsOwnAndItsOwnState() throws {
        var configuration = EmulatorConfiguration()
        configuration.signatureMode = .off
        configuration.port = 8080  // not used: every emulator gets a free port
        try withTestEmulator(configuration) { first throws in
            try withTestEmulator(configuration) { second throws in
                #expect(first.port != second.port)
                #expect(first.port > 0 && first.configuration.port == first.port)
                #expect(first.baseURL == "http://127.0.0.1:\(first.port)")
                #expect(first.endpoint == "127.0.0.1:\(first.port)")
                let create = "/?Action=CreateBackup&Version=2014-08-15&DBInstanceId=rm-uf6wjk5xxxxxxx&Format=JSON"
                #expect(try RawHTTPClient.send(port: first.port, target: create).status == 200)
                let listed = "/_emulator/instances/rm-uf6wjk5xxxxxxx/backups"
                #expect(try RawHTTPClient.send(port: first.port, target: listed).body.contains("BackupJobId"))
                #expect(try !RawHTTPClient.send(port: second.port, target: listed).body.contains("BackupJobId"))
            }
        }
    }

    @Test func stoppingClosesThePortAndMayBeRepeated() throws {
        let emulator = try TestEmulator()
        #expect(try RawHTTPClient.send(port: emulator.port, target: "/_emulator/health").status == 200)
        emulator.stop()
        emulator.stop()
        #expect(throws: (any Error).self) { try RawHTTPClient.send(port: emulator.port, target: "/_emulator/health") }
    }

    @Test func aBodyThatThrowsStillStopsTheEmulator() throws {
        struct Failure: Error {}
        var port = 0
        #expect(throws: Failure.self) {
            try withTestEmulator { emulator in
                port = emulator.port
                throw Failure()
            }
        }
        #expect(throws: (any Error).self) { try RawHTTPClient.send(port: port, target: "/_emulator/health") }
    }

    @Test func aConfigurationThatCannotStartThrows() {
        var configuration = EmulatorConfiguration()
        configuration.fixturesDirectory = "/nonexistent/fixtures"
        #expect(throws: EmulatorStartError.self) { try TestEmulator(configuration) }
    }
}

/// The same from XCTest: one emulator per test, started in `setUp` and stopped in `tearDown`.
final class TestEmulatorXCTests: XCTestCase {
    private var emulator: TestEmulator!

    override func setUpWithError() throws {
        emulator = try TestEmulator()
    }

    override func tearDown() {
        emulator.stop()
    }

    func testTheHealthEndpointAnswers() throws {
        let reply = try RawHTTPClient.send(port: emulator.port, target: "/_emulator/health")
        XCTAssertEqual(reply.status, 200)
    }
}
