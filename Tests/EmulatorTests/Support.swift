import Emulator
import EmulatorTesting
import Foundation
import TestSupport
import Testing

/// The repository's root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Runs `body` against an emulator started in-process on an ephemeral port (`EmulatorTesting`). These tests are
/// about what happens after authentication, so signatures are off unless `configure` turns them on.
func withEmulator<T>(_ configure: (inout EmulatorConfiguration) -> Void = { _ in }, _ body: (TestEmulator) throws -> T)
    throws -> T
{
    var configuration = EmulatorConfiguration()
    configuration.signatureMode = .off
    configure(&configuration)
    return try withTestEmulator(configuration, body)
}

extension TestEmulator {
    func get(_ target: String, headers: [(String, String)] = []) throws -> RawResponse {
        try RawHTTPClient.send(port: port, target: target, headers: headers)
    }

    func send(_ method: String, _ target: String, json: String? = nil) throws -> RawResponse {
        try RawHTTPClient.send(port: port, method: method, target: target, body: Array((json ?? "").utf8))
    }
}

/// Replaces what differs between runs (request ids, backup ids) with placeholders.
func normalized(_ body: String) -> String {
    body.replacing(/[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}/, with: "{RequestId}")
        .replacing(/"(BackupJobId|BackupId)":"[0-9]+"/) { #""\#($0.1)":"{\#($0.1)}""# }
        .replacing(/<(BackupJobId|BackupId)>[0-9]+</) { "<\($0.1)>{\($0.1)}<" }
        // New instances' ids (random, as real ones) and order numbers.
        .replacing(/(rm|pgm)-bp1[a-z0-9]{14}|dds-bp1[0-9a-f]{13}/, with: "{DBInstanceId}")
        .replacing(/"OrderId":"[0-9]+"/, with: #""OrderId":"{OrderId}""#)
        .replacing(/<OrderId>[0-9]+</, with: "<OrderId>{OrderId}<")
}

/// Compares a reply body with `Fixtures/golden/<name>` exactly, after `normalized`. With
/// UPDATE_GOLDEN=1 in the environment it writes the file instead (then review the diff).
func expectGolden(_ body: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = repositoryRoot.appendingPathComponent("Fixtures/golden/\(name)")
    let actual = normalized(body)
    if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data((actual + "\n").utf8).write(to: url)
        return
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    #expect(actual + "\n" == expected, "golden file \(name)", sourceLocation: sourceLocation)
}
