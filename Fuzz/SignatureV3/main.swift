import AlibabaRPC
import EmulatorTransport
import FuzzSupport

/// Signature V3 (`Authorization: ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`, the canonical request
/// over the signed headers and the query string): the input is a request as sent (seeds are V3 requests of the
/// SDKs), checked as it stands and once more signed by the harness. The clock reads the request's `x-acs-date`
/// when it has one. The header parses back to itself once written out again, and a request signed right is never
/// refused for its signature.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let request = RawRequest.parse(UnsafeBufferPointer(start: data, count: size)),
        let parameters = try? RPCGateway.parameters(of: request)
    else { return 0 }
    let now = request.header("x-acs-date").flatMap(UTCTime.parseISO8601) ?? FixedClock.seedTime
    let authorization = request.header("Authorization") ?? ""

    _ = try? Authenticator(mode: .strict, keys: FuzzKeys.all).authenticate(request, parameters: parameters, now: now)
    _ = try? Authenticator(mode: .off, keys: FuzzKeys.all).authenticate(request, parameters: parameters, now: now)

    guard let parsed = SignatureV3.Authorization(authorization) else { return 0 }
    let written = "\(parsed.algorithm) Credential=\(parsed.credential),SignedHeaders=\(parsed.signedHeaderList),"
        + "Signature=\(parsed.signature)"
    precondition(SignatureV3.Authorization(written) == parsed, "\(authorization) written out as \(written)")

    // The harness's signature covers the headers as sent but Authorization, which cannot sign itself.
    guard !parsed.signedHeaders.contains(where: { ASCII.equalIgnoringCase($0, "authorization") }) else { return 0 }
    var headers = HTTPHeaders(request.headers.filter { !ASCII.equalIgnoringCase($0.name, "authorization") })
    let canonical = SignatureV3.canonicalRequest(
        method: request.method, path: request.path, query: Array(parameters.pairs.prefix(parameters.queryPairCount ?? 0)),
        headers: Array(headers), signedHeaders: parsed.signedHeaders, payloadHash: request.header("x-acs-content-sha256") ?? "")
    let signature = SignatureV3.signature(
        stringToSign: SignatureV3.stringToSign(canonicalRequest: canonical), secret: FuzzKeys.secret(of: parsed.credential))
    headers.append(
        name: "Authorization",
        value: "\(SignatureV3.algorithm) Credential=\(parsed.credential),SignedHeaders=\(parsed.signedHeaderList),Signature=\(signature)")
    var signed = request
    signed.headers = headers
    do {
        _ = try Authenticator(mode: .strict, keys: FuzzKeys.all).authenticate(signed, parameters: parameters, now: now)
    } catch {
        precondition(!FuzzKeys.isSignatureMismatch(error), "signed right, refused: \(error)")
    }
    return 0
}
