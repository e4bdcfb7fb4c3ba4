import AlibabaRPC
import EmulatorTransport
import FuzzSupport

/// Signature V1 as the authenticator reads it from a request's parameters (query string and form body): the
/// input is a request as sent (seeds are V1 requests of the SDKs), checked as it stands and once more signed
/// by the harness. The clock reads the request's own `Timestamp` when it has one, so that the time check can
/// pass. A request signed right is never refused for its signature, whatever its parameters hold.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let request = RawRequest.parse(UnsafeBufferPointer(start: data, count: size)),
        let parameters = try? RPCGateway.parameters(of: request)
    else { return 0 }
    let now = parameters["Timestamp"].flatMap(UTCTime.parseISO8601) ?? FixedClock.seedTime

    _ = try? Authenticator(mode: .strict, keys: FuzzKeys.all).authenticate(request, parameters: parameters, now: now)
    _ = try? Authenticator(mode: .off, keys: FuzzKeys.all).authenticate(request, parameters: parameters, now: now)

    let unsigned = parameters.pairs.filter { $0.name != "Signature" }
    let stringToSign = SignatureV1.stringToSign(method: request.method, parameters: unsigned)
    let signature = SignatureV1.signature(stringToSign: stringToSign, secret: FuzzKeys.secret(of: parameters["AccessKeyId"]))
    let signed = RPCParameters(unsigned + [("Signature", signature)])
    do {
        _ = try Authenticator(mode: .strict, keys: FuzzKeys.all).authenticate(request, parameters: signed, now: now)
    } catch {
        precondition(!FuzzKeys.isSignatureMismatch(error), "signed right, refused: \(error)")
    }
    return 0
}
