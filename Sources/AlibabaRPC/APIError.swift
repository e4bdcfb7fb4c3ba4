/// An error reply of the API: its HTTP status, `Code` and `Message`. Every product keeps its own
/// errors in one catalogue of these; the gateway's are below.
public struct APIError: Error, Equatable, Sendable {
    public let status: Int
    public let code: String
    public let message: String

    public init(status: Int, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }
}

/// Errors the RPC gateway returns before a product sees the request (alibaba-api.md §3.3).
extension APIError {
    public static let invalidVersion = APIError(
        status: 400, code: "InvalidVersion", message: "Specified parameter Version is not valid.")

    public static let actionNotFound = APIError(
        status: 404, code: "InvalidAction.NotFound",
        message: "Specified api is not found, please check your url and method.")

    /// A real action of the product's API that the emulator does not emulate. The code is the emulator's own
    /// (Alibaba Cloud has no such answer), so that neither a client nor its retry logic mistakes it for a
    /// refusal by the service, and 501 is a status no SDK retries.
    public static func notEmulated(action: String, product: String, version: String) -> APIError {
        APIError(
            status: 501, code: "NotImplemented.ByEmulator",
            message: "\(action) is an action of \(product) API version \(version) that aliyun-db-emulator does not emulate.")
    }

    /// A request for an endpoint of a product the emulator does not emulate (`ecs.aliyuncs.com`): the emulator's own
    /// answer, as for an action it lacks, naming the product and the ones it serves (`Rds (rds.aliyuncs.com) and
    /// Dds (mongodb.aliyuncs.com)`).
    public static func productNotEmulated(_ product: String, emulated: String) -> APIError {
        APIError(
            status: 501, code: "NotImplemented.ByEmulator",
            message: "The request's host is an endpoint of \(product), a product that aliyun-db-emulator does not emulate; "
                + "it emulates \(emulated).")
    }

    /// A mandatory parameter is absent: `Missing<Name>`, the gateway's current form.
    public static func missing(_ name: String) -> APIError {
        APIError(status: 400, code: "Missing\(name)", message: "\(name) is mandatory for this action.")
    }

    /// A parameter value outside what the API accepts, where the API documents no code of its own.
    public static func invalidParameter(_ name: String) -> APIError {
        APIError(status: 400, code: "InvalidParameter", message: "The specified parameter \"\(name)\" is not valid.")
    }

    /// The request's parameters cannot be decoded at all.
    public static func malformedParameters(in place: String, _ reason: String) -> APIError {
        APIError(status: 400, code: "InvalidParameter", message: "The \(place) cannot be decoded: \(reason).")
    }

    public static func bodyTooLarge(limit: Int) -> APIError {
        APIError(
            status: 413, code: "RequestEntityTooLarge",
            message: "The request body is larger than the limit of \(limit) bytes.")
    }

    public static func tooManyParameters(limit: Int) -> APIError {
        APIError(
            status: 400, code: "InvalidParameter",
            message: "The request has more than \(limit) parameters, the most the emulator reads.")
    }

    public static func tooManyHeaderFields(limit: Int) -> APIError {
        APIError(
            status: 431, code: "RequestHeaderFieldsTooLarge",
            message: "The request has more than \(limit) header fields, the most the emulator reads.")
    }

    public static let internalError = APIError(
        status: 500, code: "InternalError",
        message: "The request processing has failed due to some unknown error, exception or failure.")
}
