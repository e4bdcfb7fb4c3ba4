import AlibabaRPC
import Emulator
import EmulatorTransport
import Foundation
import MongoDBService
import RDSService
import ServiceKit
import Testing

/// Every numeric and time parameter of every operation, as the products' tables list them, fed extreme values:
/// each answer is a success or the API's error envelope with a 4xx status; never a crash, a 5xx or a bare page.
/// A new operation is covered once it is registered with its `numericParameters`.
@Suite struct ExtremeValueTests {
    struct ProductUnderTest: Sendable, CustomTestStringConvertible {
        var testDescription: String { version }
        let version: String
        let instanceId: String
        let operations: [(action: String, parameters: [NumericParameter])]
    }

    static let products = [
        ProductUnderTest(
            version: "2014-08-15", instanceId: "rm-uf6wjk5xxxxxxx",
            operations: RDSService.operations.entries.map { ($0.action, $0.numericParameters) }),
        ProductUnderTest(
            version: "2015-12-01", instanceId: "dds-bpxxxxxxxx",
            operations: MongoDBService.operations.entries.map { ($0.action, $0.numericParameters) }),
    ]

    static let integers = [
        "9223372036854775807", "-9223372036854775808", "9223372036854775806", "-9223372036854775807", "-1", "0", "1",
        "4611686018427387904", "9223372036854775808", "-9223372036854775809", "18446744073709551616",
        String(repeating: "9", count: 40), String(repeating: "1", count: 4_000), "00000000000000000000000000001",
        "+1", " 1", "1e3", "0x10", "1.5", "NaN", "-0", "٣",
    ]
    static let times = [
        "9999-12-31T23:59Z", "0000-01-01T00:00Z", "1970-01-01T00:00Z", "1969-12-31T23:59Z", "2024-02-29T00:00Z",
        "2023-02-29T00:00Z", "2024-01-01T24:00Z", "2024-13-01T00:00Z", "99999-01-01T00:00Z", "-001-01-01T00:00Z",
        "9999-12-31T23:59:59Z", "2024-01-01T00:00:00.000Z", "2024-01-01",
    ]

    /// Each value to each parameter (integers to times too, and times to integers), then all of an operation's
    /// parameters at once, at an instance with finished backups.
    @Test(arguments: products)
    func everyNumericParameterAnswersWithSuccessOrA4xxEnvelope(product: ProductUnderTest) throws {
        var configuration = EmulatorConfiguration()
        configuration.signatureMode = .off
        configuration.backupDuration = 0
        let emulator = try Emulator(configuration: configuration)
        for _ in 0..<3 { _ = call(emulator, product, "CreateBackup", []) }
        var calls = 0
        for operation in product.operations {
            let parameters = operation.parameters.map(\.name)
            for value in Self.integers + Self.times {
                for name in parameters {
                    try expectEnvelope(call(emulator, product, operation.action, [(name, value)]), operation.action, name, value)
                    calls += 1
                }
                if parameters.count > 1 {
                    let all = parameters.map { ($0, value) }
                    try expectEnvelope(call(emulator, product, operation.action, all), operation.action, "all", value)
                }
            }
        }
        // The tables list numeric parameters: a table that lists none would make this test vacuous.
        #expect(calls >= 5 * (Self.integers.count + Self.times.count))
    }

    /// The request that crashed the process: `(PageNumber - 1) * PageSize` overflowed. A page past the last is
    /// empty, however far.
    @Test(arguments: products)
    func aPageFarPastTheLastIsEmpty(product: ProductUnderTest) throws {
        var configuration = EmulatorConfiguration()
        configuration.signatureMode = .off
        let emulator = try Emulator(configuration: configuration)
        let response = call(
            emulator, product, "DescribeDBInstances", [("PageNumber", "9223372036854775807"), ("PageSize", "2")])
        #expect(response.status == 200)
        let body = String(decoding: response.body, as: UTF8.self)
        #expect(body.contains(#""PageNumber":9223372036854775807"#))
        #expect(body.contains(#""DBInstance":[]"#))
        let beyond = call(emulator, product, "DescribeDBInstances", [("PageNumber", "9223372036854775808")])
        #expect(beyond.status == 400)
        #expect(String(decoding: beyond.body, as: UTF8.self).contains(#""Code":"InvalidParameter""#))
    }

    func call(_ emulator: Emulator, _ product: ProductUnderTest, _ action: String, _ extra: [(String, String)]) -> HTTPResponse {
        let base = [
            ("Action", action), ("Version", product.version), ("Format", "JSON"), ("DBInstanceId", product.instanceId),
            ("RegionId", "cn-hangzhou"),
        ]
        let query = (base + extra).map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
        return emulator.handle(
            HTTPRequest(method: "GET", target: "/?" + query.joined(separator: "&"), headers: [("Host", "127.0.0.1")], body: []))
    }

    func expectEnvelope(_ response: HTTPResponse, _ action: String, _ name: String, _ value: String) throws {
        let place = "\(action) \(name)=\(value.prefix(40))"
        #expect(response.status == 200 || (400..<500).contains(response.status), "\(place): status \(response.status)")
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        #expect(object?["RequestId"] is String, "\(place): \(String(decoding: response.body, as: UTF8.self))")
        if response.status != 200 {
            #expect(object?["Code"] is String && object?["Message"] is String, "\(place): no error envelope")
        }
    }
}
