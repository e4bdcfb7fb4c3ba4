/// The gateway's authentication errors (alibaba-api.md §3.3); docs/authentication.md says what each means
/// and how to fix it.
extension APIError {
    public static let timestampFormat = APIError(
        status: 400, code: "InvalidTimeStamp.Format",
        message: "Specified time stamp or date value is not well formatted.")
    public static let timestampExpired = APIError(
        status: 400, code: "InvalidTimeStamp.Expired", message: "Specified time stamp or date value is expired.")
    public static let accessKeyNotFound = APIError(
        status: 404, code: "InvalidAccessKeyId.NotFound", message: "Specified access key is not found.")
    public static let accessKeyInactive = APIError(
        status: 400, code: "InvalidAccessKeyId.Inactive", message: "Specified access key is disabled.")
    public static let nonceUsed = APIError(
        status: 400, code: "SignatureNonceUsed", message: "Specified signature nonce was used already.")
    /// The nonce ledger holds its capacity: the code Alibaba's gateway uses for flow control, so that clients that
    /// retry throttled calls (Terraform retries any `Throttling*` code) retry this one too. docs/behaviour.md.
    public static func nonceCapacityReached(_ capacity: Int) -> APIError {
        APIError(
            status: 400, code: "Throttling.User",
            message: "Request was denied due to user flow control. The emulator remembers at most \(capacity) signature "
                + "nonces, each for 15 minutes past its signed time (--nonce-capacity); retry when older ones expire.")
    }

    public static let securityTokenMismatch = APIError(
        status: 400, code: "InvalidSecurityToken.Mismatch",
        message: "Specified security token does not match the access key.")

    /// V1: the message ends with the server's string to sign after a colon and nothing else, exactly
    /// as the real gateway writes it; the old Python SDK splits the message on `:` and compares.
    public static func signatureMismatchV1(stringToSign: String) -> APIError {
        APIError(
            status: 400, code: "SignatureDoesNotMatch",
            message: "Specified signature is not matched with our calculation. server string to sign is:\(stringToSign)")
    }

    /// V3: the documented wording, then what the emulator computed, so a client can diff its own.
    public static func signatureMismatchV3(stringToSign: String, canonicalRequest: String) -> APIError {
        APIError(
            status: 400, code: "SignatureDoesNotMatch",
            message: "Specified signature does not match our calculation. server string to sign is:\n\(stringToSign)\n"
                + "canonical request is:\n\(canonicalRequest)")
    }

    public static func bodyHashMismatch(received: String) -> APIError {
        APIError(
            status: 400, code: "SignatureDoesNotMatch",
            message: "Specified signature does not match our calculation. The x-acs-content-sha256 header does "
                + "not match the body received, whose SHA-256 is \(received).")
    }

    public static func incompleteSignature(_ detail: String) -> APIError {
        APIError(
            status: 400, code: "IncompleteSignature",
            message: "The request signature does not conform to Aliyun standards. \(detail)")
    }

    public static func unsupportedSignatureMethod(_ method: String) -> APIError {
        APIError(
            status: 400, code: "InvalidSignatureMethod",
            message: "Specified signature method \(method) is not supported; use HMAC-SHA1 (with SignatureVersion "
                + "1.0) or ACS3-HMAC-SHA256.")
    }

    public static func unsupportedSignatureVersion(_ version: String) -> APIError {
        APIError(
            status: 400, code: "InvalidSignatureVersion",
            message: "Specified signature version \(version) is not supported; use 1.0 with HMAC-SHA1.")
    }
}
