import AlibabaRPC
import Emulator
import EmulatorTransport
import FuzzSupport
import Logging

/// The control API's JSON bodies: the input is sent as the body of every endpoint that reads one (an instance
/// created or replaced, an instance changed, a scripted backup outcome, the clock). Each reply must be JSON with
/// no 500; an instance stored must read back as stored, and the clock must stay one the API can show.
enum Target {
    static let emulator: Emulator = {
        try! Emulator(
            configuration: EmulatorConfiguration(), clock: FixedClock(FixedClock.seedTime),
            logger: Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() }))
    }()

    static func send(_ method: String, _ path: String, _ body: [UInt8] = []) -> HTTPResponse {
        let response = emulator.handle(HTTPRequest(method: method, path: path, body: body))
        precondition(response.status != 500, "\(method) \(path): \(String(decoding: response.body, as: UTF8.self))")
        precondition(isEnvelope(response.body) || response.status == 204, "\(method) \(path): not JSON")
        return response
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    _ = Target.send("POST", "/_emulator/reset")
    _ = Target.send("POST", "/_emulator/clock", Array(#"{"reset":true}"#.utf8))

    for path in ["/_emulator/instances/fuzz-instance", "/_emulator/instances/rm-uf6wjk5xxxxxxx"] {
        for method in ["PUT", "PATCH"] {
            let stored = Target.send(method, path, body)
            guard stored.status == 200 || stored.status == 201 else { continue }
            // What the control API shows is an entry it takes back unchanged.
            let shown = Target.send("GET", path)
            precondition(shown.status == 200 && shown.body == stored.body, "\(method) \(path): read back differs")
            let again = Target.send("PUT", path, shown.body)
            precondition(again.status == 200 && again.body == shown.body, "\(method) \(path): stored again differs")
        }
    }
    for path in ["/_emulator/instances/rm-uf6wjk5xxxxxxx/next-backup", "/_emulator/instances/dds-bpxxxxxxxx/next-backup"] {
        _ = Target.send("PUT", path, body)
    }
    if Target.send("POST", "/_emulator/clock", body).status == 200 {
        let clock = Target.send("GET", "/_emulator/clock")
        let now = jsonField("now", of: clock.body)
        precondition(now.flatMap(UTCTime.parseISO8601) != nil, "the clock shows \(now ?? "nothing")")
    }
    return 0
}
