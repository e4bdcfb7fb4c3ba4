import EmulatorTransport
import Testing

@testable import AlibabaRPC

@Suite struct AuthenticatorTests {
    static let now: Int64 = 1_704_067_200_000  // 2024-01-01T00:00:00Z
    static let keys = [
        AccessKey(id: "testid", secret: "testsecret", accountId: "default"),
        AccessKey(id: "otherid", secret: "othersecret", accountId: "other"),
        AccessKey(id: "disabledid", secret: "s", accountId: "default", enabled: false),
        AccessKey(id: "STS.testid", secret: "testsecret", accountId: "default", securityToken: "tok"),
    ]

    let nonces = NonceLedger()
    var authenticator: Authenticator { Authenticator(mode: .strict, keys: Self.keys, nonces: nonces) }

    /// A V1 GET for `parameters` plus the common ones, signed with `secret` unless a part is overridden.
    static func v1(
        _ overrides: [String: String?] = [:], secret: String = "testsecret", method: String = "GET"
    ) -> (HTTPRequest, RPCParameters) {
        var pairs: [(name: String, value: String)] = [
            ("Action", "CreateBackup"), ("Version", "2014-08-15"), ("DBInstanceId", "rm-1"), ("AccessKeyId", "testid"),
            ("SignatureMethod", "HMAC-SHA1"), ("SignatureVersion", "1.0"), ("SignatureNonce", "n1"),
            ("Timestamp", "2024-01-01T00:00:00Z"),
        ]
        for (name, value) in overrides where name != "Signature" {
            pairs.removeAll { $0.name == name }
            if let value { pairs.append((name, value)) }
        }
        let signature = SignatureV1.signature(
            stringToSign: SignatureV1.stringToSign(method: method, parameters: pairs), secret: secret)
        if let override = overrides["Signature"] {
            if let value = override { pairs.append(("Signature", value)) }
        } else {
            pairs.append(("Signature", signature))
        }
        let query = pairs.map { "\(PercentEncoding.encode($0.name))=\(PercentEncoding.encode($0.value))" }.joined(separator: "&")
        return (HTTPRequest(method: method, target: "/?\(query)", headers: [], body: []), RPCParameters(pairs))
    }

    func authenticate(_ request: (HTTPRequest, RPCParameters), at now: Int64 = now) -> Result<Caller, APIError> {
        Result { try authenticator.authenticate(request.0, parameters: request.1, now: now) }.mapError { $0 as! APIError }
    }

    @Test func acceptsACorrectV1Signature() {
        #expect(authenticate(Self.v1()) == .success(Caller(accessKeyId: "testid", accountId: "default")))
        #expect(
            authenticate(Self.v1(["AccessKeyId": "otherid", "SignatureNonce": "n2"], secret: "othersecret"))
                == .success(Caller(accessKeyId: "otherid", accountId: "other")))
        #expect(authenticate(Self.v1(["SignatureNonce": "n3"], method: "POST")).map(\.accountId) == .success("default"))
    }

    static let v1Refusals: [(overrides: [String: String?], secret: String, error: APIError)] = [
        (["AccessKeyId": nil], "testsecret", .missing("AccessKeyId")),
        (["Signature": nil], "testsecret", .missing("Signature")),
        (["SignatureMethod": nil], "testsecret", .missing("SignatureMethod")),
        (["SignatureVersion": nil], "testsecret", .missing("SignatureVersion")),
        (["Timestamp": nil], "testsecret", .missing("Timestamp")),
        (["SignatureNonce": nil], "testsecret", .missing("SignatureNonce")),
        (["SignatureNonce": ""], "testsecret", .missing("SignatureNonce")),
        (["SignatureMethod": "HMAC-SHA256"], "testsecret", .unsupportedSignatureMethod("HMAC-SHA256")),
        (["SignatureVersion": "2.0"], "testsecret", .unsupportedSignatureVersion("2.0")),
        (["Timestamp": "2024-01-01T00:00:00+0800"], "testsecret", .timestampFormat),
        (["Timestamp": "2023-12-31T23:44:59Z"], "testsecret", .timestampExpired),
        (["Timestamp": "2024-01-01T00:15:01Z"], "testsecret", .timestampExpired),
        (["Timestamp": "2023-12-31T23:00:00Z", "AccessKeyId": "nobody"], "testsecret", .timestampExpired),
        (["AccessKeyId": "nobody"], "testsecret", .accessKeyNotFound),
        (["AccessKeyId": "disabledid"], "s", .accessKeyInactive),
        (["AccessKeyId": "STS.testid"], "testsecret", .missing("SecurityToken")),
        (["AccessKeyId": "STS.testid", "SecurityToken": "other"], "testsecret", .securityTokenMismatch),
        (["SecurityToken": "tok"], "testsecret", .securityTokenMismatch),
        (["Signature": "AAAA"], "testsecret", .signatureMismatchV1(stringToSign: "")),
        ([:], "wrongsecret", .signatureMismatchV1(stringToSign: "")),
    ]

    @Test(arguments: v1Refusals)
    func refusesV1(_ overrides: [String: String?], secret: String, error: APIError) {
        let result = authenticate(Self.v1(overrides, secret: secret))
        guard case .failure(let actual) = result else {
            Issue.record("accepted")
            return
        }
        #expect(actual.code == error.code)
        #expect(actual.status == error.status)
        if error.code == "SignatureDoesNotMatch" {
            #expect(actual.message.hasPrefix("Specified signature is not matched with our calculation. server string to sign is:GET&%2F&"))
            #expect(actual.message.filter { $0 == ":" }.count == 1)
        } else {
            #expect(actual.message == error.message)
        }
        #expect(nonces.count == 0, "a refused request must not use up its nonce")
    }

    @Test func acceptsTimestampsExactlyFifteenMinutesAway() {
        #expect(authenticate(Self.v1(["Timestamp": "2023-12-31T23:45:00Z"])).map(\.accountId) == .success("default"))
        #expect(authenticate(Self.v1(["Timestamp": "2024-01-01T00:15:00Z", "SignatureNonce": "n2"])).map(\.accountId) == .success("default"))
    }

    @Test func refusesAReplayedNonceUntilItExpires() {
        #expect(authenticate(Self.v1()).map(\.accountId) == .success("default"))
        #expect(authenticate(Self.v1()) == .failure(.nonceUsed))
        #expect(authenticate(Self.v1(["AccessKeyId": "otherid"], secret: "othersecret")).map(\.accountId) == .success("other"))
        // Remembered until the signed time plus the window: by then the timestamp itself is too old.
        #expect(nonces.expiry(of: "n1", accessKeyId: "testid") == Self.now + Authenticator.window)
    }

    // MARK: V3

    static func v3(
        headers extra: [(name: String, value: String)] = [], drop: Set<String> = [], signed: [String]? = nil,
        secret: String = "testsecret", body: [UInt8] = [], algorithm: String = "ACS3-HMAC-SHA256",
        credential: String = "testid"
    ) -> (HTTPRequest, RPCParameters) {
        var headers: [(name: String, value: String)] = [
            ("Host", "127.0.0.1:8080"), ("x-acs-action", "CreateBackup"), ("x-acs-version", "2014-08-15"),
            ("x-acs-date", "2024-01-01T00:00:00Z"), ("x-acs-signature-nonce", "v3nonce"),
            ("x-acs-content-sha256", SignatureV3.sha256Hex(body)),
        ] + extra
        let names = signed ?? headers.map { $0.name.lowercased() }.sorted()
        let canonical = SignatureV3.canonicalRequest(
            method: "POST", path: "/", query: [("DBInstanceId", "rm-1")], headers: headers, signedHeaders: names,
            payloadHash: headers.first { $0.name == "x-acs-content-sha256" }!.value)
        let signature = SignatureV3.signature(stringToSign: SignatureV3.stringToSign(canonicalRequest: canonical), secret: secret)
        headers.removeAll { drop.contains($0.name) }
        headers.append(("Authorization", "\(algorithm) Credential=\(credential),SignedHeaders=\(names.joined(separator: ";")),Signature=\(signature)"))
        return (
            HTTPRequest(method: "POST", target: "/?DBInstanceId=rm-1", headers: HTTPHeaders(headers), body: body),
            RPCParameters([("DBInstanceId", "rm-1")])
        )
    }

    @Test func acceptsAV3SignatureInUpperCaseHex() {
        var (request, parameters) = Self.v3()
        func authorized(_ authorization: String) {
            let fields: [(name: String, value: String)] = request.headers.map { field in
                (field.name, field.name == "authorization" ? authorization : field.value)
            }
            request.headers = HTTPHeaders(fields)
        }
        let value = try! #require(request.header("Authorization"))
        let signature = try! #require(value.firstRange(of: "Signature="))
        authorized(String(value[..<signature.upperBound]) + value[signature.upperBound...].uppercased())
        #expect(authenticate((request, parameters)).map(\.accessKeyId) == .success("testid"))
        // One digit changed is refused, in either case.
        authorized(String(request.header("authorization")!.dropLast()) + "0")
        if case .failure(let error) = authenticate((request, parameters)) {
            #expect(error.code == "SignatureDoesNotMatch")
        } else {
            Issue.record("a changed signature was accepted")
        }
    }

    @Test func acceptsACorrectV3Signature() {
        #expect(authenticate(Self.v3()) == .success(Caller(accessKeyId: "testid", accountId: "default")))
        #expect(
            authenticate(Self.v3(headers: [("x-acs-security-token", "tok")], credential: "STS.testid")).map(\.accessKeyId)
                == .success("STS.testid"))
    }

    static let v3Refusals: [(request: (HTTPRequest, RPCParameters), code: String, message: String)] = [
        (v3(algorithm: "ACS3-HMAC-SM3"), "InvalidSignatureMethod",
         "Specified signature method ACS3-HMAC-SM3 is not supported; use HMAC-SHA1 (with SignatureVersion 1.0) or ACS3-HMAC-SHA256."),
        (v3(drop: ["x-acs-date"]), "IncompleteSignature",
         "The request signature does not conform to Aliyun standards. The x-acs-date header is missing."),
        (v3(drop: ["x-acs-content-sha256"]), "IncompleteSignature",
         "The request signature does not conform to Aliyun standards. The x-acs-content-sha256 header is missing."),
        (v3(signed: ["host", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"]), "IncompleteSignature",
         "The request signature does not conform to Aliyun standards. The x-acs-action header must be listed in SignedHeaders."),
        (v3(signed: ["host", "user-agent", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"]),
         "IncompleteSignature",
         "The request signature does not conform to Aliyun standards. SignedHeaders names user-agent, which the request does not carry."),
        // A name in upper case signs nothing: the header it names counts as unsigned first.
        (v3(signed: ["Host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"]),
         "IncompleteSignature", "The request signature does not conform to Aliyun standards. The host header must be listed in SignedHeaders."),
        (v3(headers: [("x-acs-meta", "m")], signed: ["X-Acs-Meta", "host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"]),
         "IncompleteSignature",
         "The request signature does not conform to Aliyun standards. SignedHeaders must name headers in lower case, not X-Acs-Meta."),
        // Of two unsigned headers, the one named first in the rule, not the one sent first.
        (v3(headers: [("content-type", "application/json"), ("x-acs-security-token", "tok")],
            signed: ["host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"],
            credential: "STS.testid"),
         "IncompleteSignature",
         "The request signature does not conform to Aliyun standards. The x-acs-security-token header must be listed in SignedHeaders."),
        // SignedHeaders as no SDK writes it: checked before the canonical request is built.
        (v3(signed: ["host", "host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"]),
         "IncompleteSignature", "The request signature does not conform to Aliyun standards. SignedHeaders names host twice."),
        (v3(signed: ["x-acs-action", "host", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"]),
         "IncompleteSignature",
         "The request signature does not conform to Aliyun standards. SignedHeaders must list its names in ascending order: "
            + "host comes after x-acs-action."),
        (v3(signed: ["host", "x-acs-action", "x-acs-content-sha256", "x-acs-date"] + (0..<61).map { "x-acs-meta-\(1000 + $0)" }
            + ["x-acs-signature-nonce", "x-acs-version"]),
         "IncompleteSignature", "The request signature does not conform to Aliyun standards. SignedHeaders may name at most 64 headers."),
        (v3(credential: "nobody"), "InvalidAccessKeyId.NotFound", "Specified access key is not found."),
        (v3(credential: "STS.testid"), "MissingSecurityToken", "SecurityToken is mandatory for this action."),
    ]

    @Test(arguments: v3Refusals)
    func refusesV3(_ request: (HTTPRequest, RPCParameters), code: String, message: String) {
        #expect(authenticate(request) == .failure(APIError(status: code.hasSuffix("NotFound") ? 404 : 400, code: code, message: message)))
    }

    /// Before the check, a 94 KiB request naming one repeated header 8,000 times took 8.6 s and 144 MB (the canonical
    /// request copied every value each time the header was named).
    @Test func refusesAHeaderNamedTwiceBeforeBuildingTheCanonicalRequest() {
        let (request, parameters) = Self.v3()
        var fields = request.headers.filter { $0.name != "authorization" }
        fields += Array(repeating: ("x-acs-meta", "0123456789"), count: 8_000)
        let names = ["host", "x-acs-action", "x-acs-content-sha256", "x-acs-date"] + Array(repeating: "x-acs-meta", count: 8_000)
            + ["x-acs-signature-nonce", "x-acs-version"]
        fields.append(("authorization", "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=\(names.joined(separator: ";")),Signature=00"))
        let flood = HTTPRequest(method: "POST", target: "/?DBInstanceId=rm-1", headers: HTTPHeaders(fields), body: [])
        #expect(
            authenticate((flood, parameters))
                == .failure(.incompleteSignature("SignedHeaders names x-acs-meta twice.")))
    }

    @Test func refusesNewNoncesPastTheLedgersCapacity() {
        let small = Authenticator(mode: .strict, keys: Self.keys, nonces: NonceLedger(capacity: 1))
        func authenticate(_ request: (HTTPRequest, RPCParameters)) -> Result<Caller, APIError> {
            Result { try small.authenticate(request.0, parameters: request.1, now: Self.now) }.mapError { $0 as! APIError }
        }
        #expect(authenticate(Self.v1()).map(\.accountId) == .success("default"))
        let full = authenticate(Self.v1(["SignatureNonce": "n2"]))
        #expect(full == .failure(.nonceCapacityReached(1)))
        #expect((try? full.get()) == nil && APIError.nonceCapacityReached(1).code == "Throttling.User")
        #expect(authenticate(Self.v1()) == .failure(.nonceUsed))  // a replay is still told apart
    }

    @Test func v3SignsEveryFieldOfARepeatedHeader() {
        let signed = ["host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"]
        #expect(authenticate(Self.v3(headers: [("X-Acs-Date", "2024-01-01T00:00:01Z")], signed: signed)).map(\.accessKeyId) == .success("testid"))
    }

    @Test func v3MismatchShowsTheCanonicalRequest() throws {
        guard case .failure(let error) = authenticate(Self.v3(secret: "wrong")) else { Issue.record("accepted"); return }
        #expect(error.code == "SignatureDoesNotMatch")
        #expect(error.message.contains("canonical request is:\nPOST\n/\nDBInstanceId=rm-1\nhost:127.0.0.1:8080\n"))
    }

    @Test func v3ChecksTheBodyHash() {
        var request = Self.v3(body: Array("A=1".utf8))
        request.0.body = Array("A=2".utf8)
        #expect(
            authenticate(request)
                == .failure(.bodyHashMismatch(received: SignatureV3.sha256Hex(Array("A=2".utf8)))))
    }

    @Test func offModeOnlyMapsKeysToAccounts() throws {
        let off = Authenticator(mode: .off, keys: Self.keys, nonces: nonces)
        let request = HTTPRequest(method: "GET", target: "/", headers: [], body: [])
        #expect(try off.authenticate(request, parameters: RPCParameters([("AccessKeyId", "otherid")]), now: 0).accountId == "other")
        #expect(try off.authenticate(request, parameters: RPCParameters([("AccessKeyId", "nobody")]), now: 0).accountId == "default")
        #expect(try off.authenticate(request, parameters: RPCParameters(), now: 0) == Caller(accessKeyId: nil, accountId: "default"))
        let v3 = Self.v3(secret: "wrong", credential: "otherid")
        #expect(try off.authenticate(v3.0, parameters: v3.1, now: 0).accountId == "other")
        #expect(nonces.count == 0)
    }
}

@Suite struct NonceLedgerTests {
    @Test func remembersNoncesPerKeyUntilTheyExpire() {
        let ledger = NonceLedger(slotWidth: 1)
        #expect(ledger.record(nonce: "a", accessKeyId: "k1", expiresAt: 100, now: 0) == .recorded)
        #expect(ledger.record(nonce: "a", accessKeyId: "k1", expiresAt: 200, now: 50) == .reused)
        #expect(ledger.record(nonce: "a", accessKeyId: "k2", expiresAt: 100, now: 50) == .recorded)  // per access key
        #expect(ledger.record(nonce: "b", accessKeyId: "k1", expiresAt: 300, now: 60) == .recorded)
        #expect(ledger.count == 3)
        #expect(ledger.record(nonce: "a", accessKeyId: "k1", expiresAt: 400, now: 100) == .recorded)  // expired: usable again
        #expect(ledger.count == 2)  // k1/a again and k1/b; k2/a forgotten
        #expect(ledger.expiry(of: "a", accessKeyId: "k1") == 400)
        #expect(ledger.expiry(of: "a", accessKeyId: "k2") == nil)
    }

    @Test func staysBoundedByTheWindow() {
        let ledger = NonceLedger(slotWidth: 1)
        // 100,000 requests, a new one every millisecond, each remembered for 1,000 ms.
        var refused = 0
        var largest = 0
        for now in Int64(0)..<100_000 {
            if ledger.record(nonce: "n\(now)", accessKeyId: "k", expiresAt: now + 1_000, now: now) != .recorded { refused += 1 }
            largest = max(largest, ledger.count)
        }
        #expect(refused == 0)
        #expect(largest == 1_000)  // those recorded in the last 1,000 ms
        // A late-expiring nonce holds no other past its expiry.
        #expect(ledger.record(nonce: "late", accessKeyId: "k", expiresAt: 1_000_000, now: 100_000) == .recorded)
        #expect(ledger.record(nonce: "soon", accessKeyId: "k", expiresAt: 100_010, now: 100_000) == .recorded)
        #expect(ledger.record(nonce: "soon", accessKeyId: "k", expiresAt: 300_000, now: 100_010) == .recorded)
        // late, soon, and the loop's nonces that expire after 100,010 (recorded from 99,011 on).
        #expect(ledger.count == 2 + 989)
    }

    @Test func forgetsExpiredNoncesWithinASlotOfTheirExpiry() {
        let ledger = NonceLedger(slotWidth: 10_000)
        #expect(ledger.record(nonce: "a", accessKeyId: "k", expiresAt: 15_000, now: 0) == .recorded)
        #expect(ledger.record(nonce: "a", accessKeyId: "k", expiresAt: 25_000, now: 14_999) == .reused)
        // Expired at 15,000: usable again at once, though its slot (10,000 to 20,000) is dropped only at 20,000.
        #expect(ledger.record(nonce: "a", accessKeyId: "k", expiresAt: 25_000, now: 15_000) == .recorded)
        #expect(ledger.record(nonce: "b", accessKeyId: "k", expiresAt: 19_000, now: 15_000) == .recorded)
        #expect(ledger.count == 2)
        #expect(ledger.record(nonce: "c", accessKeyId: "k", expiresAt: 40_000, now: 20_000) == .recorded)
        #expect(ledger.count == 2)  // b dropped with its slot; a (re-recorded, until 25,000) and c kept
        #expect(ledger.expiry(of: "b", accessKeyId: "k") == nil)
        #expect(ledger.expiry(of: "a", accessKeyId: "k") == 25_000)
    }

    @Test func refusesNewNoncesPastItsCapacityUntilOldOnesExpire() {
        let ledger = NonceLedger(capacity: 3, slotWidth: 1)
        for name in ["a", "b", "c"] {
            #expect(ledger.record(nonce: name, accessKeyId: "k", expiresAt: 100, now: 0) == .recorded)
        }
        #expect(ledger.record(nonce: "d", accessKeyId: "k", expiresAt: 100, now: 0) == .full)
        #expect(ledger.record(nonce: "a", accessKeyId: "k", expiresAt: 100, now: 1) == .reused)  // a replay is still a replay
        #expect(ledger.count == 3)
        #expect(ledger.expiry(of: "d", accessKeyId: "k") == nil)  // nothing recorded
        #expect(ledger.record(nonce: "d", accessKeyId: "k", expiresAt: 200, now: 100) == .recorded)
        #expect(ledger.count == 1)
    }

    @Test func givesMemoryBackOnceItsNoncesExpire() {
        let ledger = NonceLedger(slotWidth: 1_000)
        for index in 0..<100_000 {
            _ = ledger.record(nonce: "n\(index)", accessKeyId: "k", expiresAt: 60_000 + Int64(index % 50), now: 0)
        }
        #expect(ledger.count == 100_000)
        #expect(ledger.reservedEntries >= 200_000)  // the table (at most three-quarters full) and the slot's list
        #expect(ledger.record(nonce: "later", accessKeyId: "k", expiresAt: 200_000, now: 100_000) == .recorded)
        #expect(ledger.count == 1)
        #expect(ledger.reservedEntries < 1_000)
    }
}
