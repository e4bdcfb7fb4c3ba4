import Emulator
import EmulatorTransport
import FuzzSupport
import Logging

/// A whole request as the emulator sees it once libevent has read it: the target split into path and query, the
/// headers, the gateway (parameters, format, routing, authentication) or the control API, and the product
/// services and the store. Seeds are requests sent by the SDKs. Signatures are off, so that inputs reach the
/// operations (the two signature targets cover authentication). Every reply must be an envelope, never a 500.
enum Target {
    static let emulator: Emulator = {
        var configuration = EmulatorConfiguration()
        configuration.signatureMode = .off
        return try! Emulator(
            configuration: configuration, clock: FixedClock(FixedClock.seedTime),
            logger: Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() }))
    }()
    static let reset = HTTPRequest(method: "POST", path: "/_emulator/reset")
    static let resetClock = HTTPRequest(method: "POST", path: "/_emulator/clock", body: Array(#"{"reset":true}"#.utf8))
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let request = RawRequest.parse(UnsafeBufferPointer(start: data, count: size)) else { return 0 }
    let emulator = Target.emulator
    // Each input starts from the fixtures at the same instant.
    precondition(emulator.handle(Target.reset).status == 200)
    precondition(emulator.handle(Target.resetClock).status == 200)
    let response = emulator.handle(request)
    precondition((200..<600).contains(response.status), "status \(response.status)")
    precondition(response.status != 500, "an internal error: \(String(decoding: response.body, as: UTF8.self))")
    if response.status >= 400 {
        precondition(isEnvelope(response.body), "not an envelope: \(String(decoding: response.body, as: UTF8.self))")
    }
    return 0
}
