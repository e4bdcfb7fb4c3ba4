import EmulatorTransport
import Testing

@testable import AlibabaRPC

/// Signed times are checked against the real time and against the emulator's clock; nonces expire in real time.
@Suite struct SignatureClockTests {
    static let real = AuthenticatorTests.now  // 2024-01-01T00:00:00Z
    static let day: Int64 = 86_400_000
    /// The emulator's clock, 30 days ahead: 2024-01-31T00:00:00Z.
    static let virtual = real + 30 * day
    static let window = Authenticator.window

    let nonces = NonceLedger()
    var authenticator: Authenticator { Authenticator(mode: .strict, keys: AuthenticatorTests.keys, nonces: nonces) }

    func authenticate(_ request: (HTTPRequest, RPCParameters), now: Int64 = virtual, real: Int64 = real)
        -> Result<Caller, APIError>
    {
        Result {
            try authenticator.authenticate(
                request.0, parameters: request.1, authorization: request.0.header("Authorization"), now: now, realNow: real)
        }.mapError { $0 as! APIError }
    }

    static let accepted = [
        "2024-01-01T00:00:00Z", "2023-12-31T23:45:00Z", "2024-01-01T00:15:00Z",  // the real time's window
        "2024-01-31T00:00:00Z", "2024-01-30T23:45:00Z", "2024-01-31T00:15:00Z",  // the emulator's clock's
    ]

    @Test(arguments: accepted)
    func acceptsATimeWithinFifteenMinutesOfEitherClock(_ timestamp: String) {
        #expect(authenticate(AuthenticatorTests.v1(["Timestamp": timestamp])).map(\.accountId) == .success("default"))
    }

    static let refused = [
        "2023-12-31T23:40:00Z", "2024-01-01T00:20:00Z", "2024-01-30T23:40:00Z", "2024-01-31T00:20:00Z",
        "2024-01-16T00:00:00Z",  // between the clocks
    ]

    @Test(arguments: refused)
    func refusesATimeTwentyMinutesFromBoth(_ timestamp: String) {
        #expect(authenticate(AuthenticatorTests.v1(["Timestamp": timestamp])) == .failure(.timestampExpired))
        #expect(nonces.count == 0)
    }

    @Test func checksV3DatesOnBothClocks() {
        // The V3 request is signed at 2024-01-01T00:00:00Z.
        #expect(authenticate(AuthenticatorTests.v3()).map(\.accountId) == .success("default"))
        let fresh = NonceLedger()
        let other = Authenticator(mode: .strict, keys: AuthenticatorTests.keys, nonces: fresh)
        let (request, parameters) = AuthenticatorTests.v3()
        let authorization = request.header("Authorization")
        // Signed at the emulator's time, the real time a month later.
        #expect(
            (try? other.authenticate(
                request, parameters: parameters, authorization: authorization, now: Self.real, realNow: Self.virtual))?.accountId
                == "default")
        #expect(throws: APIError.timestampExpired) {
            try other.authenticate(
                request, parameters: parameters, authorization: authorization, now: Self.virtual,
                realNow: Self.real + 20 * 60_000)
        }
    }

    @Test func aUsedNonceStaysUsedWhenTheEmulatorsClockMoves() {
        #expect(authenticate(AuthenticatorTests.v1()).map(\.accountId) == .success("default"))
        // A month more on the emulator's clock, a minute of real time: the timestamp is still the real time's.
        #expect(authenticate(AuthenticatorTests.v1(), now: Self.virtual + 30 * Self.day, real: Self.real + 60_000) == .failure(.nonceUsed))
        #expect(authenticate(AuthenticatorTests.v1(), now: Self.real, real: Self.real + 60_000) == .failure(.nonceUsed))
    }

    @Test func noncesExpireInRealTimeWithinTwoWindows() {
        let signed: [(nonce: String, timestamp: String, expiry: Int64)] = [
            ("real", "2024-01-01T00:00:00Z", Self.real + Self.window),
            ("real-ahead", "2024-01-01T00:15:00Z", Self.real + 2 * Self.window),
            ("real-behind", "2023-12-31T23:45:00Z", Self.real + Self.window),
            // On the emulator's clock: until that clock, running on, leaves the window.
            ("virtual", "2024-01-31T00:00:00Z", Self.real + Self.window),
            ("virtual-ahead", "2024-01-31T00:15:00Z", Self.real + 2 * Self.window),
            ("virtual-behind", "2024-01-30T23:45:00Z", Self.real + Self.window),
        ]
        for (nonce, timestamp, expiry) in signed {
            #expect(authenticate(AuthenticatorTests.v1(["Timestamp": timestamp, "SignatureNonce": nonce])).map(\.accountId) == .success("default"))
            #expect(nonces.expiry(of: nonce, accessKeyId: "testid") == expiry, "\(nonce)")
        }
        // However far the emulator's clock is moved, the ledger's expiries stay within two windows of the real time.
        for offset in [-400 * Self.day, -Self.window, Self.window, 3_650 * Self.day] {
            let now = Self.real + offset
            let nonce = "offset\(offset)"
            #expect(authenticate(AuthenticatorTests.v1(["Timestamp": UTCTime.iso8601(now + Self.window), "SignatureNonce": nonce]), now: now).map(\.accountId) == .success("default"))
            #expect(nonces.expiry(of: nonce, accessKeyId: "testid").map { $0 <= Self.real + 2 * Self.window } == true)
        }
        // Two windows and a slot later in real time, whatever the emulator's clock says, every one is forgotten.
        let later = Self.real + 2 * Self.window + NonceLedger.defaultSlotWidth
        #expect(authenticate(AuthenticatorTests.v1(["Timestamp": UTCTime.iso8601(later), "SignatureNonce": "last"]), now: Self.real, real: later).map(\.accountId) == .success("default"))
        #expect(nonces.count == 1)
    }
}

/// The gateway reads both clocks from the emulator's `VirtualClock`, whatever it has been set to.
@Suite struct GatewayClockTests {
    let base = FixedClock()  // the real time: 2024-01-01T00:00:00Z
    let clock: VirtualClock
    let gateway: RPCGateway

    init() {
        clock = VirtualClock(base: base)
        gateway = RPCGateway(
            services: [EchoService()], clock: clock,
            authenticator: Authenticator(mode: .strict, keys: [AccessKey(id: "k", secret: "s", accountId: "a")]))
    }

    func send(signedAt timestamp: String, nonce: String) -> (status: Int, body: String) {
        var pairs: [(name: String, value: String)] = [
            ("Action", "Echo"), ("Version", "2014-08-15"), ("Value", "hi"), ("Format", "JSON"), ("AccessKeyId", "k"),
            ("SignatureMethod", "HMAC-SHA1"), ("SignatureVersion", "1.0"), ("SignatureNonce", nonce), ("Timestamp", timestamp),
        ]
        pairs.append(("Signature", SignatureV1.signature(stringToSign: SignatureV1.stringToSign(method: "GET", parameters: pairs), secret: "s")))
        let query = pairs.map { "\(PercentEncoding.encode($0.name))=\(PercentEncoding.encode($0.value))" }.joined(separator: "&")
        let response = gateway.handle(HTTPRequest(method: "GET", target: "/?\(query)", headers: [("Host", "127.0.0.1")], body: []))
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    @Test func acceptsTheRealTimeAfterTheClockMovesAndTheClocksTimeToo() {
        clock.advance(by: 30 * SignatureClockTests.day)
        #expect(send(signedAt: "2024-01-01T00:00:00Z", nonce: "real").status == 200)
        #expect(send(signedAt: "2024-01-31T00:05:00Z", nonce: "virtual").status == 200)
        let stale = send(signedAt: "2024-01-01T00:20:00Z", nonce: "stale")
        #expect(stale.status == 400)
        #expect(stale.body.contains(#""Code":"InvalidTimeStamp.Expired","Message":"Specified time stamp or date value is expired.""#))
        // Replayed after the clock moved on another month: still the same real time, still refused.
        clock.advance(by: 30 * SignatureClockTests.day)
        #expect(send(signedAt: "2024-01-01T00:00:00Z", nonce: "real").body.contains(#""Code":"SignatureNonceUsed""#))
        // With the clock frozen or set back, too.
        clock.freeze()
        clock.set(0)
        #expect(send(signedAt: "2024-01-01T00:01:00Z", nonce: "frozen").status == 200)
        #expect(send(signedAt: "1970-01-01T00:00:00Z", nonce: "epoch").status == 200)
    }
}
