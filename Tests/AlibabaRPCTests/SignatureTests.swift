import Testing

@testable import AlibabaRPC

/// The test vectors of alibaba-api.md §4 (documentation values, reproduced with the SDKs).
@Suite struct SignatureTests {
    static let common: [(name: String, value: String)] = [
        ("Format", "JSON"), ("RegionId", "cn-hangzhou"), ("AccessKeyId", "testid"), ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"), ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
        ("Timestamp", "2024-01-01T00:00:00Z"),
    ]
    static let rds: [(name: String, value: String)] =
        [("Action", "CreateBackup"), ("Version", "2014-08-15"), ("DBInstanceId", "rm-uf6wjk5xxxxxxx"), ("BackupMethod", "Physical")] + common

    @Test func v1DocumentationVector() {
        let parameters: [(name: String, value: String)] = [
            ("Timestamp", "2016-02-23T12:46:24Z"), ("Format", "XML"), ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"), ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"), ("Version", "2014-05-26"),
            ("SignatureVersion", "1.0"), ("Signature", "ignored"),
        ]
        let stringToSign = SignatureV1.stringToSign(method: "GET", parameters: parameters)
        #expect(
            stringToSign
                == "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
        )
        #expect(SignatureV1.signature(stringToSign: stringToSign, secret: "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY=")
    }

    @Test func v1CreateBackupVectors() {
        func sign(_ method: String, _ parameters: [(name: String, value: String)]) -> String {
            SignatureV1.signature(
                stringToSign: SignatureV1.stringToSign(method: method, parameters: parameters), secret: "testsecret")
        }
        #expect(
            SignatureV1.stringToSign(method: "POST", parameters: Self.rds)
                == "POST&%2F&AccessKeyId%3Dtestid%26Action%3DCreateBackup%26BackupMethod%3DPhysical%26DBInstanceId%3Drm-uf6wjk5xxxxxxx%26Format%3DJSON%26RegionId%3Dcn-hangzhou%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2024-01-01T00%253A00%253A00Z%26Version%3D2014-08-15"
        )
        #expect(sign("POST", Self.rds) == "1RIvRUqlSLxShca1Srck4zk9gN4=")
        #expect(sign("GET", Self.rds) == "8E6BoDi9whjURH0iu/VunXs+Vp4=")
        #expect(sign("POST", Self.rds + [("SignatureType", "")]) == "+S65MRKtVbbhWu9SCq8wNBpuygs=")
        let dds: [(name: String, value: String)] =
            [("Action", "CreateBackup"), ("Version", "2015-12-01"), ("DBInstanceId", "dds-bpxxxxxxxx"), ("BackupMethod", "Logical")]
            + Self.common
        #expect(sign("POST", dds) == "pu4HxfaUJyGRZCSGaeii8eq2aZM=")
    }

    @Test func v3MinimalVector() {
        let signed = ["host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"]
        let canonical = SignatureV3.canonicalRequest(
            method: "POST", path: "/", query: [("DBInstanceId", "rm-uf6wjk5xxxxxxx"), ("BackupMethod", "Physical")],
            headers: [
                ("host", "rds.aliyuncs.com"), ("x-acs-action", "CreateBackup"),
                ("x-acs-content-sha256", SignatureV3.emptyBodyHash), ("x-acs-date", "2024-01-01T00:00:00Z"),
                ("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"), ("x-acs-version", "2014-08-15"),
                ("user-agent", "not signed"),
            ],
            signedHeaders: signed, payloadHash: SignatureV3.emptyBodyHash)
        #expect(
            canonical
                == """
                POST
                /
                BackupMethod=Physical&DBInstanceId=rm-uf6wjk5xxxxxxx
                host:rds.aliyuncs.com
                x-acs-action:CreateBackup
                x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-acs-date:2024-01-01T00:00:00Z
                x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d
                x-acs-version:2014-08-15

                host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """)
        let stringToSign = SignatureV3.stringToSign(canonicalRequest: canonical)
        #expect(stringToSign == "ACS3-HMAC-SHA256\n61c9762570f003fe5998eafa9bde8a878962706a4b6db9c52fc704921b761be9")
        #expect(
            SignatureV3.signature(stringToSign: stringToSign, secret: "testsecret")
                == "f1a821d685b21323c5f88d07228ec1ce00ea475b6eab43df6e6c40b8b2ae22ed")
    }

    @Test func v3CanonicalHeadersAreTrimmedJoinedAndMatchedInAnyCase() {
        let canonical = SignatureV3.canonicalRequest(
            method: "GET", path: "", query: [],
            headers: [("Host", " example.com\t"), ("X-Acs-Meta", "b "), ("x-acs-meta", " a"), ("x-acs-date", "d"), ("x-acs-other", "o")],
            signedHeaders: ["host", "x-acs-date", "x-acs-meta"], payloadHash: "h")
        #expect(canonical == "GET\n/\n\nhost:example.com\nx-acs-date:d\nx-acs-meta:a,b\n\nhost;x-acs-date;x-acs-meta\nh")
    }

    @Test func v3CapturedSDKVector() {
        let authorization = try! #require(
            SignatureV3.Authorization(
                "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=accept;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=699839a70706c26df6b8327cbe7715ff73325701439ef81687daf7b5c5ef0dd8"
            ))
        #expect(authorization.credential == "testid")
        let canonical = SignatureV3.canonicalRequest(
            method: "POST", path: "/", query: [("DBInstanceId", "rm-x")],
            headers: [
                ("host", "127.0.0.1:56043"), ("x-acs-version", "2014-08-15"), ("x-acs-action", "CreateBackup"),
                ("user-agent", "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2"),
                ("x-acs-date", "2026-11-22T13:00:35Z"), ("x-acs-signature-nonce", "533c01c791a2c9d7902d5dc2d71be096"),
                ("accept", "application/json"), ("x-acs-content-sha256", SignatureV3.emptyBodyHash),
                ("x-acs-credentials-provider", "static_ak"),
            ],
            signedHeaders: authorization.signedHeaders, payloadHash: SignatureV3.emptyBodyHash)
        let stringToSign = SignatureV3.stringToSign(canonicalRequest: canonical)
        #expect(stringToSign.hasSuffix("ebba1c22c4d8ec7b0729448f097230969fd6216e5ba79737b770788671423b24"))
        #expect(SignatureV3.signature(stringToSign: stringToSign, secret: "testsecret") == authorization.signature)
    }

    @Test func parsesAuthorizationHeaders() {
        #expect(SignatureV3.Authorization("ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host;x,Signature=ff")?.signedHeaders == ["host", "x"])
        #expect(SignatureV3.Authorization("ACS3-HMAC-SM3 Credential=a,SignedHeaders=host,Signature=ff")?.algorithm == "ACS3-HMAC-SM3")
        #expect(SignatureV3.Authorization("ACS3-HMAC-SHA256 Credential=a,Signature=ff") == nil)
        #expect(SignatureV3.Authorization("ACS3-HMAC-SHA256") == nil)
        #expect(SignatureV3.Authorization("ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=ff") == nil)
        // Spaces and tabs around fields, `,,` and `;;` are tolerated (a blank field is not); a later field wins;
        // unknown ones are ignored.
        let spaced = SignatureV3.Authorization("ACS3-HMAC-SHA256  Credential=a ,\tSignedHeaders=host;;x-acs-date ,,Foo=1,Signature=ee,Signature=ff")
        #expect(spaced == SignatureV3.Authorization("ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host;x-acs-date,Signature=ff"))
        #expect(spaced?.signedHeaders == ["host", "x-acs-date"])
        #expect(SignatureV3.Authorization("ACS3-HMAC-SHA256 Credential=a,SignedHeaders,Signature=ff") == nil)  // no `=`
        #expect(SignatureV3.Authorization("ACS3-HMAC-SHA256 Credential=a, ,SignedHeaders=host,Signature=ff") == nil)
        #expect(SignatureV3.Authorization("ACS3-HMAC-SHA256 Credential=a=b,SignedHeaders=host,Signature=ff")?.credential == "a=b")
    }

    @Test(arguments: [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("foobar", "Zm9vYmFy")])
    func base64MatchesRFC4648(_ input: String, _ output: String) {
        #expect(Base64.encode(Array(input.utf8)) == output)
    }

    @Test func comparesSignaturesWholeAndExactly() {
        func equal(_ received: String, _ expected: String, hex: Bool = false) -> Bool {
            Array(received.utf8).withUnsafeBufferPointer { received in
                Array(expected.utf8).withUnsafeBufferPointer { expected in
                    hex ? ConstantTime.equalHex(received, expected) : ConstantTime.equal(received, expected)
                }
            }
        }
        #expect(equal("Zm9vYmFy", "Zm9vYmFy"))
        #expect(!equal("Zm9vYmFz", "Zm9vYmFy") && !equal("Xm9vYmFy", "Zm9vYmFy") && !equal("zm9vYmFy", "Zm9vYmFy"))
        #expect(!equal("Zm9vYmF", "Zm9vYmFy") && !equal("", "Zm9vYmFy") && equal("", ""))
        #expect(equal("0a1b2c3d4e5f", "0a1b2c3d4e5f", hex: true) && equal("0A1B2C3D4E5F", "0a1b2c3d4e5f", hex: true))
        // Only A–F fold: a byte 0x20 away from a digit, or a letter past F, is another signature.
        #expect(!equal("0a1b2c3d4e5g", "0a1b2c3d4e5f", hex: true) && !equal("0a1b2c3d4e5G", "0a1b2c3d4e5g", hex: true))
        #expect(!equal("\u{10}a1b2c3d4e5f", "0a1b2c3d4e5f", hex: true) && !equal("0a1b2c3d4e5", "0a1b2c3d4e5f", hex: true))
        for byte in UInt8.min...UInt8.max {
            let received = [byte]
            let folded = (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte) ? byte | 0x20 : byte
            for expected in Array("0123456789abcdef".utf8) {
                let result = received.withUnsafeBufferPointer { r in [expected].withUnsafeBufferPointer { ConstantTime.equalHex(r, $0) } }
                #expect(result == (folded == expected), "byte \(byte) against \(expected)")
            }
        }
    }

    @Test func parsesTimestamps() {
        #expect(UTCTime.parseISO8601("2024-01-01T00:00:00Z") == 1_704_067_200_000)
        #expect(UTCTime.parseISO8601("2024-02-29T23:59:59.999Z") == 1_709_251_199_000)
        #expect(UTCTime.parseISO8601("1969-12-31T23:59:59Z") == -1000)
        for instant: Int64 in [0, 951_782_400_000, 1_795_357_286_000, 4_102_444_799_000] {
            #expect(UTCTime.parseISO8601(UTCTime.iso8601(instant)) == instant)
        }
        for bad in [
            "2024-01-01 00:00:00Z", "2024-01-01T00:00:00", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
            "2024-01-01T24:00:00Z", "2024-01-01T00:00:00+08:00", "2024-01-01T00:00:00.Z", "x024-01-01T00:00:00Z", "",
        ] {
            #expect(UTCTime.parseISO8601(bad) == nil, "\(bad)")
        }
    }
}
