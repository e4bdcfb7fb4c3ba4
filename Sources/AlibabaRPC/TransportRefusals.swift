import EmulatorTransport

/// The API's errors for requests the transport refuses before the gateway reads them (docs/behaviour.md:
/// Alibaba's gateway documents none of these, so the codes follow the HTTP status they come with).
extension APIError {
    public static func refused(_ request: MalformedRequest) -> APIError {
        let code =
            switch request.problem {
            case .badRequestLine, .badHeaders, .badChunkedBody, .conflictingBodyLength: "MalformedRequest"
            case .requestLineTooLong: "RequestURITooLong"
            case .headersTooLarge: "RequestHeaderFieldsTooLarge"
            case .bodyTooLarge: "RequestEntityTooLarge"
            case .methodNotImplemented: "NotImplemented"
            case .expectationFailed: "ExpectationFailed"
            case .incomplete: "RequestTimeout"
            }
        return APIError(status: request.status, code: code, message: request.reason)
    }
}
