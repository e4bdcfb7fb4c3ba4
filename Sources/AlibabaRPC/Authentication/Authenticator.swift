import EmulatorTransport

/// An access key and the account it acts for.
public struct AccessKey: Sendable, Equatable {
    public var id: String
    public var secret: String
    public var accountId: String
    public var enabled: Bool
    /// Set for STS keys: requests must carry this token.
    public var securityToken: String?

    public init(id: String, secret: String, accountId: String, enabled: Bool = true, securityToken: String? = nil) {
        self.id = id
        self.secret = secret
        self.accountId = accountId
        self.enabled = enabled
        self.securityToken = securityToken
    }
}

public enum SignatureMode: String, Sendable, CaseIterable {
    /// Every request must be signed as Alibaba Cloud requires (the default).
    case strict
    /// No check at all; a known access key still selects its account.
    case off
}

/// Who a request acts for.
public struct Caller: Sendable, Equatable {
    public var accessKeyId: String?
    public var accountId: String
}

/// Checks a request's signature (V1 or V3), its time and its nonce, and finds its account.
/// The order of the checks is in docs/authentication.md.
///
/// Two clocks are read: the real time, which clients sign with, and the emulator's (virtual) clock, which clients
/// written against it may sign with. A signed time within the window of either is accepted; nonces are remembered
/// in real time.
public final class Authenticator: Sendable {
    /// How far `Timestamp` / `x-acs-date` may be from the real time or the emulator's clock.
    public static let window: Int64 = 15 * 60 * 1000
    public static let defaultAccount = "default"

    public let mode: SignatureMode
    private let keys: [String: AccessKey]
    /// Each key's secret, keyed into HMAC state once.
    private let signers: [String: (v1: SignatureV1.Signer, v3: SignatureV3.Signer)]
    private let nonces: NonceLedger

    public init(mode: SignatureMode, keys: [AccessKey], nonces: NonceLedger = NonceLedger()) {
        self.mode = mode
        self.keys = Dictionary(keys.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        signers = self.keys.mapValues { (SignatureV1.Signer(secret: $0.secret), SignatureV3.Signer(secret: $0.secret)) }
        self.nonces = nonces
    }

    /// Checks the request at `now`, on a clock that is the real time (no virtual clock apart from it).
    public func authenticate(_ request: HTTPRequest, parameters: RPCParameters, now: Int64) throws -> Caller {
        try authenticate(request, parameters: parameters, authorization: request.header("Authorization"), now: now, realNow: now)
    }

    /// Checks the request at `now` on the emulator's clock and `realNow` in real time, for a caller that has read the
    /// request's `Authorization` header already.
    public func authenticate(
        _ request: HTTPRequest, parameters: RPCParameters, authorization: String?, now: Int64, realNow: Int64
    ) throws -> Caller {
        let time = Time(now: now, real: realNow)
        let isV3 = authorization.map { !$0.hasPrefix("HMAC-") && ASCII.contains($0, "Credential=") } ?? false
        guard mode == .strict else {
            let keyId = parameters.nonEmpty("AccessKeyId") ?? authorization.flatMap(SignatureV3.Authorization.init)?.credential
            return Caller(accessKeyId: keyId, accountId: keyId.flatMap { keys[$0]?.accountId } ?? Self.defaultAccount)
        }
        return isV3
            ? try authenticateV3(request, parameters: parameters, authorization: authorization ?? "", time: time)
            : try authenticateV1(request, parameters: parameters, time: time)
    }

    // MARK: V1

    private func authenticateV1(_ request: HTTPRequest, parameters: RPCParameters, time: Time) throws -> Caller {
        func required(_ name: String) throws -> String {
            guard let value = parameters.nonEmpty(name) else { throw APIError.missing(name) }
            return value
        }
        let keyId = try required("AccessKeyId")
        let signature = try required("Signature")
        let method = try required("SignatureMethod")
        let version = try required("SignatureVersion")
        let timestamp = try required("Timestamp")
        let nonce = try required("SignatureNonce")
        guard method == "HMAC-SHA1" else { throw APIError.unsupportedSignatureMethod(method) }
        guard version == "1.0" else { throw APIError.unsupportedSignatureVersion(version) }
        let expiresAt = try checkTime(timestamp, time)
        let key = try accessKey(keyId)

        let stringToSign = SignatureV1.stringToSignBytes(method: request.method, parameters: parameters.pairs)
        guard signers[key.id]?.v1.verifies(signature, of: stringToSign) == true else {
            throw APIError.signatureMismatchV1(stringToSign: String(decoding: stringToSign, as: UTF8.self))
        }
        try checkToken(parameters.nonEmpty("SecurityToken"), of: key, name: "SecurityToken")
        try use(nonce, of: key, expiresAt: expiresAt, time: time)
        return Caller(accessKeyId: key.id, accountId: key.accountId)
    }

    // MARK: V3

    /// Headers that must be signed whenever the request carries them, in the order their absence is reported.
    private static let mustBeSigned: [StaticString] = [
        "host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256",
        "x-acs-security-token", "content-type",
    ]

    /// The first of `mustBeSigned` (in its order) that the request carries but does not sign. Only fields the
    /// canonical request did not mark are looked at: usually one or two (`Authorization`, `User-Agent`).
    private static func firstUnsigned(of headers: HTTPHeaders, signedFields: UInt64, authorization: SignatureV3.Authorization)
        -> StaticString?
    {
        var unsigned = 0  // bit i: mustBeSigned[i]
        for index in headers.indices where index >= 64 || signedFields & (1 << UInt64(index)) == 0 {
            headers.withNameBytes(at: index) { name in
                for (position, required) in mustBeSigned.enumerated()
                where name.count == required.utf8CodeUnitCount && required.withUTF8Buffer({ ASCII.equal(name, at: 0, in: $0) })
                    && !authorization.signs(name)
                {
                    unsigned |= 1 << position
                }
            }
        }
        return unsigned == 0 ? nil : mustBeSigned[unsigned.trailingZeroBitCount]
    }

    private func authenticateV3(_ request: HTTPRequest, parameters: RPCParameters, authorization: String, time: Time) throws
        -> Caller
    {
        guard let parsed = SignatureV3.Authorization(authorization) else {
            throw APIError.incompleteSignature(
                "The Authorization header must read ACS3-HMAC-SHA256 Credential=<AccessKeyId>,"
                    + "SignedHeaders=<names>,Signature=<hex>.")
        }
        guard parsed.algorithm == SignatureV3.algorithm else { throw APIError.unsupportedSignatureMethod(parsed.algorithm) }
        let headers = request.headers
        func header(_ name: String) throws -> String {
            guard let value = headers.value(of: name), !value.isEmpty else {
                throw APIError.incompleteSignature("The \(name) header is missing.")
            }
            return value
        }
        let date = try header("x-acs-date")
        let nonce = try header("x-acs-signature-nonce")
        let payloadHash = try header("x-acs-content-sha256")
        let queryPairs: [(name: String, value: String)]
        if let count = parameters.queryPairCount {
            queryPairs = Array(parameters.pairs.prefix(count))
        } else {
            // Parameters that did not come through the gateway (tests): read the query string here.
            var query = RPCParameters()
            try? query.parse(formEncoded: request.query ?? "")
            queryPairs = query.pairs
        }
        // What no SDK sends is refused before the canonical request, whose cost grows with the names.
        if let problem = parsed.signedHeaderListProblem { throw APIError.incompleteSignature(problem) }
        // Built before the checks below, which read what the one pass over the signed names found.
        let canonical = SignatureV3.CanonicalRequest(
            method: request.method, path: request.path, query: queryPairs, headers: headers,
            signedHeaderList: parsed.signedHeaderList, payloadHash: payloadHash)
        if let name = Self.firstUnsigned(of: headers, signedFields: canonical.signedFields, authorization: parsed) {
            throw APIError.incompleteSignature("The \(name) header must be listed in SignedHeaders.")
        }
        if let (name, inUpperCase) = canonical.unfitName {
            throw APIError.incompleteSignature(
                inUpperCase
                    ? "SignedHeaders must name headers in lower case, not \(name)."
                    : "SignedHeaders names \(name), which the request does not carry.")
        }
        let expiresAt = try checkTime(date, time)
        let key = try accessKey(parsed.credential)

        let bodyHash = request.body.isEmpty ? SignatureV3.emptyBodyHash : SignatureV3.sha256Hex(request.body)
        guard Hex.equal(payloadHash, lowerCase: bodyHash) else { throw APIError.bodyHashMismatch(received: bodyHash) }
        let stringToSign = SignatureV3.stringToSignBytes(canonicalRequest: canonical.bytes)
        guard signers[key.id]?.v3.verifies(parsed.signature, of: stringToSign) == true else {
            throw APIError.signatureMismatchV3(
                stringToSign: String(decoding: stringToSign, as: UTF8.self),
                canonicalRequest: String(decoding: canonical.bytes, as: UTF8.self))
        }
        try checkToken(headers.value(of: "x-acs-security-token"), of: key, name: "SecurityToken")
        try use(nonce, of: key, expiresAt: expiresAt, time: time)
        return Caller(accessKeyId: key.id, accountId: key.accountId)
    }

    // MARK: Shared

    /// The two clocks' readings for one request.
    private struct Time {
        /// The emulator's clock.
        var now: Int64
        /// The real time.
        var real: Int64
    }

    /// Checks a signed time against both windows, and says until when (in real time) its nonce must be remembered:
    /// until no window that accepts the time now would accept it still, the emulator's clock running on. That is at
    /// most two windows from now, so the nonce ledger's expiries stay close to the real time whatever the
    /// emulator's clock does (its cost depends on that), and the nonce outlives its timestamp's acceptance.
    private func checkTime(_ text: String, _ time: Time) throws -> Int64 {
        // Parsed times are within years 0–9999 and the clocks' readings too: no difference here overflows.
        guard let instant = UTCTime.parseISO8601(text) else { throw APIError.timestampFormat }
        var expiresAt: Int64?
        if abs(instant - time.real) <= Self.window { expiresAt = max(instant, time.real) + Self.window }
        if abs(instant - time.now) <= Self.window {
            // The emulator's clock reaches `instant + window` this long after the real time now.
            let virtualEnd = time.real + max(instant - time.now, 0) + Self.window
            expiresAt = max(expiresAt ?? virtualEnd, virtualEnd)
        }
        guard let expiresAt else { throw APIError.timestampExpired }
        return expiresAt
    }

    private func accessKey(_ id: String) throws -> AccessKey {
        guard let key = keys[id] else { throw APIError.accessKeyNotFound }
        guard key.enabled else { throw APIError.accessKeyInactive }
        return key
    }

    /// An STS key needs its token; a permanent key must not send one.
    private func checkToken(_ token: String?, of key: AccessKey, name: String) throws {
        switch (key.securityToken, token) {
        case (nil, nil): return
        case (.some, nil): throw APIError.missing(name)
        case (let expected?, let given?) where expected == given: return
        default: throw APIError.securityTokenMismatch
        }
    }

    /// A nonce is remembered, in real time, for as long as its signed time could still be accepted (`checkTime`).
    private func use(_ nonce: String, of key: AccessKey, expiresAt: Int64, time: Time) throws {
        switch nonces.record(nonce: nonce, accessKeyId: key.id, expiresAt: expiresAt, now: time.real) {
        case .recorded: return
        case .reused: throw APIError.nonceUsed
        case .full: throw APIError.nonceCapacityReached(nonces.capacity)
        }
    }
}
