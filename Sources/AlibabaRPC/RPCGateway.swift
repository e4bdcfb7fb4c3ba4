import EmulatorTransport

/// Alibaba Cloud's RPC gateway: turns an HTTP request into a call on the product service its host (a product's
/// endpoint name) or its `Version` names, and the outcome into the API's reply envelope, in JSON or XML.
///
/// Check order (docs/behaviour.md): body size → header field count → parameter count and decoding → `Format` →
/// host of a product not emulated (501) → path and method → `Version` (the host's product's, if the host names
/// one) → `Action` (unknown: 404; real but not emulated: 501) → authentication (docs/authentication.md) → the
/// product's own checks.
public final class RPCGateway: Sendable {
    /// The largest request body accepted; RPC parameters are small, so 1 MiB is generous.
    public static let bodyLimit = 1 << 20
    /// The most parameters (query and form body together) a request may carry. SDK calls carry twenty or so; the
    /// bound keeps the work done before the signature is checked (decoding, sorting to sign) small.
    public static let parameterLimit = 1000
    /// The most header fields a request may carry. SDKs send about a dozen; the signature check scans them once per
    /// name it looks for.
    public static let headerFieldLimit = 128

    private let services: [String: any RPCService]
    private let endpoints: Endpoints
    /// The products served, for the reply to a request for another's endpoint: `Rds (rds.aliyuncs.com) and …`.
    private let emulatedProducts: String
    private let clock: any EmulatorClock
    private let authenticator: Authenticator

    /// Told of every failure that is not one of the API's errors (a store failure or a bug) before its request
    /// gets `InternalError`: the reply cannot say what went wrong, so this is where the cause is kept (logged).
    public typealias InternalFailureHandler = @Sendable (_ failure: InternalFailure) -> Void

    /// A failure the client sees only as `InternalError`: the error itself and the request it ended.
    public struct InternalFailure: Sendable {
        public var error: any Error
        public var product: String?
        public var action: String
        public var requestId: String
    }

    private let internalFailure: InternalFailureHandler

    public init(
        services: [any RPCService], clock: any EmulatorClock, authenticator: Authenticator,
        internalFailure: @escaping InternalFailureHandler = { _ in }
    ) {
        self.services = Dictionary(services.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
        endpoints = Endpoints(services: services)
        let named = services.map { "\($0.productCode) (\($0.endpoint))" }
        emulatedProducts = named.count > 1 ? named.dropLast().joined(separator: ", ") + " and " + named.last! : named.joined()
        self.clock = clock
        self.authenticator = authenticator
        self.internalFailure = internalFailure
    }

    /// What became of one request, for the request log and the request journal. Raw values, as the gateway
    /// had them: `parameters` still hold `Signature` and `SecurityToken` (the journal redacts them as it records).
    public struct Outcome: Sendable {
        public var product: String?
        public var action: String?
        /// The `Version` asked for, known to the emulator or not.
        public var version: String?
        public var accountId: String?
        /// The caller's key once authenticated; before that, the key the request names, if any.
        public var accessKeyId: String?
        /// Whether the request came with an `ACS3-` `Authorization` header (signature V3).
        public var signedV3: Bool
        /// The decoded query and form parameters; nil when they could not be decoded.
        public var parameters: RPCParameters?
        public var status: Int
        /// The error `Code` and `Message`; nil on success.
        public var code: String?
        public var message: String?
        public var requestId: String
        /// The clock's reading the request acted at (milliseconds since 1970).
        public var time: Int64
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        serve(request).response
    }

    /// Answers the request and says what it was.
    public func serve(_ request: HTTPRequest) -> (response: HTTPResponse, outcome: Outcome) {
        switch prepare(request) {
        case .answered(let response, let outcome): (response, outcome)
        case .ready(let call): perform(call)
        }
    }

    /// A request taken as far as it goes without the store: answered already (refused by the gateway
    /// or by authentication), or a call ready for its product service.
    public enum Preparation: Sendable {
        case answered(HTTPResponse, Outcome)
        case ready(PreparedCall)
    }

    public struct PreparedCall: Sendable {
        fileprivate let reply: Reply
        fileprivate let service: any RPCService
        fileprivate let call: RPCCall
    }

    /// Everything before the product service: decoding, routing, authentication. Needs no store, so
    /// server threads run it side by side; `perform` is what they take turns at.
    public func prepare(_ request: HTTPRequest) -> Preparation {
        // Each header this reads is looked up once (a look-up is a scan, and each value a new string).
        let authorization = request.header("Authorization")
        let headerAction = request.header("x-acs-action")
        let signedV3 = Self.isSignedV3(authorization: authorization)
        let (now, realNow) = clock.readings
        var reply = Reply(
            requestId: RequestID.make(), now: now, headers: request.headers, format: signedV3 ? .json : .xml,
            signedV3: signedV3)
        let endpoint = Self.endpoint(of: request, in: endpoints)
        if case .service(let service) = endpoint { reply.service = service }
        do {
            guard request.body.count <= Self.bodyLimit else { throw APIError.bodyTooLarge(limit: Self.bodyLimit) }
            guard request.headers.count <= Self.headerFieldLimit else {
                throw APIError.tooManyHeaderFields(limit: Self.headerFieldLimit)
            }
            let parameters = try Self.parameters(of: request)
            reply.parameters = parameters
            let headerOnly = parameters["Action"] == nil && headerAction != nil
            reply.format = try Self.format(parameters, default: headerOnly ? .json : reply.format)

            let versionName = parameters.nonEmpty("Version") ?? request.header("x-acs-version")
            reply.version = versionName
            var service = versionName.flatMap { services[$0] }
            switch endpoint {
            case .none: reply.service = service
            case .service(let hosted): if service !== hosted { service = nil }  // another product's Version
            case .otherProduct:
                let product = Endpoints.productCode(ofHost: reply.hostId ?? "")
                reply.otherProduct = product
                throw APIError.productNotEmulated(product, emulated: emulatedProducts)
            }

            guard request.path == "/", request.method == "GET" || request.method == "POST" else {
                throw APIError.actionNotFound
            }
            guard let service else { throw APIError.invalidVersion }
            guard let action = parameters.nonEmpty("Action") ?? headerAction else {
                throw APIError.missing("Action")
            }
            guard service.implements(action) else {
                guard service.apiActions.contains(action) else { throw APIError.actionNotFound }
                reply.action = action  // a real action's name: the request log says which one was asked for
                throw APIError.notEmulated(action: action, product: service.productCode, version: service.version)
            }
            reply.action = action

            // A refused operation still uses its nonce: the authenticator records it here.
            let caller = try authenticator.authenticate(
                request, parameters: parameters, authorization: authorization, now: reply.now, realNow: realNow)
            reply.accountId = caller.accountId
            reply.accessKeyId = caller.accessKeyId
            let call = RPCCall(
                action: action, parameters: parameters, accessKeyId: caller.accessKeyId, accountId: caller.accountId,
                now: reply.now)
            return .ready(PreparedCall(reply: reply, service: service, call: call))
        } catch {
            // Refused before (or by) authentication: the key the request names, for the journal. Errors only, so
            // the V3 header is parsed again only here.
            reply.accessKeyId =
                reply.parameters?.nonEmpty("AccessKeyId")
                ?? (signedV3 ? authorization.flatMap(SignatureV3.Authorization.init)?.credential : nil)
            let (response, outcome) = reply.answer(error)
            return .answered(response, outcome)
        }
    }

    /// Runs the call on its product service and renders the reply.
    public func perform(_ prepared: PreparedCall) -> (response: HTTPResponse, outcome: Outcome) {
        render(execute(prepared))
    }

    /// A call that has run: its fields, or the error it ended with.
    public struct ExecutedCall: Sendable {
        fileprivate let reply: Reply
        fileprivate let action: String
        fileprivate let result: Result<[RPCValue.Field], APIError>
    }

    /// The part of `perform` that touches state: the product service's operation.
    ///
    /// The call acts at the clock's reading now, not at `prepare`'s: the server runs this holding the store's lock,
    /// so calls then act at times in the order they take effect. With `prepare`'s reading, a call prepared by one
    /// worker a millisecond before another worker's could take effect after it, at the earlier time, and so not
    /// see the other's backup task as started: both would be accepted.
    public func execute(_ prepared: PreparedCall) -> ExecutedCall {
        var call = prepared.call
        var reply = prepared.reply
        call.now = clock.now
        reply.now = call.now
        let result: Result<[RPCValue.Field], APIError>
        do {
            result = .success(try prepared.service.perform(call))
        } catch let error as APIError {
            result = .failure(error)
        } catch {
            // A store failure or a bug: its cause is handed on (logged), and the reply is still the API's envelope,
            // never a bare 500.
            internalFailure(
                InternalFailure(
                    error: error, product: reply.service?.productCode, action: call.action, requestId: reply.requestId))
            result = .failure(.internalError)
        }
        return ExecutedCall(reply: reply, action: call.action, result: result)
    }

    /// The part of `perform` that needs no state: the reply's envelope.
    public func render(_ executed: ExecutedCall) -> (response: HTTPResponse, outcome: Outcome) {
        let reply = executed.reply
        switch executed.result {
        case .success(let fields):
            let response = reply.success(
                [RPCValue.Field("RequestId", .string(reply.requestId))] + fields, action: executed.action)
            return (response, reply.outcome(status: response.status, error: nil))
        case .failure(let error):
            return reply.answer(error)
        }
    }

    /// The API's error reply to `request`, after the fact (its effects could not be saved).
    public func failure(_ request: HTTPRequest, _ error: APIError) -> HTTPResponse {
        let signedV3 = Self.isSignedV3(authorization: request.header("Authorization"))
        var reply = Reply(
            requestId: RequestID.make(), now: clock.now, headers: request.headers, format: signedV3 ? .json : .xml,
            signedV3: signedV3)
        let endpoint = Self.endpoint(of: request, in: endpoints)
        if case .service(let service) = endpoint { reply.service = service }
        if let parameters = try? Self.parameters(of: request) {
            reply.format = (try? Self.format(parameters, default: reply.format)) ?? reply.format
            if case .none = endpoint {
                reply.service = (parameters.nonEmpty("Version") ?? request.header("x-acs-version")).flatMap { services[$0] }
            }
        }
        return reply.failure(error)
    }

    /// What a reply needs to know about its request.
    fileprivate struct Reply: Sendable {
        let requestId: String
        var now: Int64
        /// The request's header fields, for `hostId`: only error replies name the host, so its text is made only
        /// for them.
        let headers: HTTPHeaders
        var format: ResponseFormat
        let signedV3: Bool
        var service: (any RPCService)?
        /// The product whose endpoint the host is, when the emulator does not emulate it (`Ecs`).
        var otherProduct: String?
        var action: String?
        var version: String?
        var accountId: String?
        var accessKeyId: String?
        var parameters: RPCParameters?

        /// The error reply for what was thrown: the API's own error, or (a store failure or a bug) still the
        /// API's envelope, never a bare 500.
        func answer(_ error: any Error) -> (HTTPResponse, Outcome) {
            let known = error as? APIError ?? .internalError
            return (failure(known), outcome(status: known.status, error: known))
        }

        /// The `Host` header without its port: what real replies name as `HostId`.
        var hostId: String? { RPCGateway.hostName(headers.value(of: "host")) }

        var productCode: String? { service?.productCode ?? otherProduct }

        func outcome(status: Int, error: APIError?) -> Outcome {
            Outcome(
                product: productCode, action: action, version: version, accountId: accountId,
                accessKeyId: accessKeyId, signedV3: signedV3, parameters: parameters, status: status, code: error?.code,
                message: error?.message, requestId: requestId, time: now)
        }

        func success(_ fields: [RPCValue.Field], action: String) -> HTTPResponse {
            response(status: 200, body: ResponseRenderer.renderBytes(fields, root: "\(action)Response", as: format))
        }

        func failure(_ error: APIError) -> HTTPResponse {
            let host = hostId ?? service?.endpoint ?? "aliyuncs.com"
            var recommend = "https://api.aliyun.com/troubleshoot?q=\(error.code)"
            if let product = productCode { recommend += "&product=\(product)" }
            recommend += "&requestId=\(requestId)"
            let fields: [RPCValue.Field] = [
                .init("RequestId", .string(requestId)), .init("HostId", .string(host)),
                .init("Code", .string(error.code)), .init("Message", .string(error.message)),
                .init("Recommend", .string(recommend)),
            ]
            return response(status: error.status, body: ResponseRenderer.renderErrorBytes(fields, as: format))
        }

        private func response(status: Int, body: [UInt8]) -> HTTPResponse {
            HTTPResponse(
                status: status,
                headers: [
                    ("Content-Type", format.contentType), ("x-acs-request-id", requestId),
                    ("Date", UTCTime.httpDate(now)),
                ],
                body: body)
        }
    }

    // MARK: Reading the request

    /// Query string and form body, merged (query first).
    package static func parameters(of request: HTTPRequest) throws(APIError) -> RPCParameters {
        var parameters = RPCParameters()
        if let query = request.query {
            do { try parameters.parse(formEncoded: query, limit: parameterLimit) } catch {
                if error == .tooManyParameters(parameterLimit) { throw APIError.tooManyParameters(limit: parameterLimit) }
                throw APIError.malformedParameters(in: "query string", error.reason)
            }
        }
        parameters.markEndOfQuery()
        if !request.body.isEmpty, isFormEncoded(request.header("Content-Type")) {
            // ASCII is UTF-8 as it stands: `String(validating:)` is generic and not specialised for this module.
            let ascii = request.body.allSatisfy { $0 < 0x80 }
            guard let body = ascii ? String(decoding: request.body, as: UTF8.self) : String(validating: request.body, as: UTF8.self)
            else {
                throw APIError.malformedParameters(in: "form body", "it is not UTF-8 text")
            }
            do { try parameters.parse(formEncoded: body, limit: parameterLimit) } catch {
                if error == .tooManyParameters(parameterLimit) { throw APIError.tooManyParameters(limit: parameterLimit) }
                throw APIError.malformedParameters(in: "form body", error.reason)
            }
        }
        return parameters
    }

    static func format(_ parameters: RPCParameters, default fallback: ResponseFormat) throws(APIError) -> ResponseFormat {
        guard let requested = parameters.nonEmpty("Format") else { return fallback }
        switch requested.uppercased() {
        case "JSON": return .json
        case "XML": return .xml
        default: throw APIError.invalidParameter("Format")
        }
    }

    /// V3-signed requests, like those that name the action only in `x-acs-action`, expect JSON.
    static func isSignedV3(authorization: String?) -> Bool {
        authorization?.hasPrefix("ACS3-") ?? false
    }

    private static func isFormEncoded(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        return contentType.lowercased().hasPrefix("application/x-www-form-urlencoded")
    }

    /// The `Host` header without its port: what real replies name as `HostId`.
    static func hostName(_ host: String?) -> String? {
        guard let host, !host.isEmpty else { return nil }
        // Searched as bytes: `]` and `:` are ASCII.
        if host.hasPrefix("["), let close = host.utf8.firstIndex(of: UInt8(ascii: "]")) {
            return String(host[...close])
        }
        if let colon = host.utf8.firstIndex(of: UInt8(ascii: ":")) { return String(host[..<colon]) }
        return host
    }

    /// What the request's `Host` names, read from its bytes.
    private static func endpoint(of request: HTTPRequest, in endpoints: Endpoints) -> Endpoints.Match {
        guard let index = request.headers.firstIndex(of: "host") else { return .none }
        return request.headers.withValueBytes(at: index) { endpoints.match(ASCII.trimmed($0)) }
    }
}
