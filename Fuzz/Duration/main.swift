import AlibabaRPC
import Emulator
import EmulatorTransport
import FuzzSupport
import Logging

/// The duration parser (`"90s"`, `"15m"`, `"25h"`, `"2d"`, or seconds), as the clock's `advance` and a scripted
/// outcome's `for` read it. The input is sent as a JSON string and, as it stands, as a JSON value. A duration
/// taken must move the clock forward by at most the documented ten years, to a time the API can show.
enum Target {
    static let emulator: Emulator = {
        try! Emulator(
            configuration: EmulatorConfiguration(), clock: FixedClock(FixedClock.seedTime),
            logger: Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() }))
    }()

    static func send(_ method: String, _ path: String, _ body: String = "") -> HTTPResponse {
        let response = emulator.handle(HTTPRequest(method: method, path: path, body: Array(body.utf8)))
        precondition(response.status != 500, "\(method) \(path) \(body): \(String(decoding: response.body, as: UTF8.self))")
        precondition(isEnvelope(response.body), "\(method) \(path) \(body): not JSON")
        return response
    }

    static let tenYears: Int64 = 3_650 * 86_400_000
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for value in [jsonString(input), input] {
        _ = Target.send("POST", "/_emulator/clock", #"{"reset":true}"#)
        let before = UTCTime.parseISO8601(jsonField("now", of: Target.send("GET", "/_emulator/clock").body) ?? "")!
        guard Target.send("POST", "/_emulator/clock", #"{"advance":\#(value)}"#).status == 200 else { continue }
        let shown = jsonField("now", of: Target.send("GET", "/_emulator/clock").body) ?? ""
        guard let after = UTCTime.parseISO8601(shown) else { preconditionFailure("advance \(value): the clock shows \(shown)") }
        precondition(after >= before && after - before <= Target.tenYears, "advance \(value) moved the clock to \(shown)")
        _ = Target.send("PUT", "/_emulator/instances/rm-uf6wjk5xxxxxxx/next-backup", #"{"hold":"Preparing","for":\#(value)}"#)
    }
    return 0
}
