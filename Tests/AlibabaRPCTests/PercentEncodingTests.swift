import Testing

@testable import AlibabaRPC

@Suite struct PercentEncodingTests {
    @Test func decodesPlusAndEscapes() throws {
        #expect(try PercentEncoding.formDecode("a+b%20c%3A%2F") == "a b c:/")
        #expect(try PercentEncoding.formDecode("%E4%B8%AD") == "中")
        #expect(try PercentEncoding.formDecode("plain") == "plain")
    }

    @Test(arguments: ["%ZZ", "%4", "abc%", "%G1"])
    func refusesBrokenEscapes(_ text: String) {
        #expect(throws: PercentEncoding.DecodingError.self) { try PercentEncoding.formDecode(text) }
    }

    @Test func refusesBytesThatAreNotUTF8() {
        #expect(throws: PercentEncoding.DecodingError(reason: "the percent-escapes do not form UTF-8 text")) {
            try PercentEncoding.formDecode("%FF%FE")
        }
    }

    @Test func encodesAsTheSignatureAlgorithmsDo() {
        #expect(PercentEncoding.encode("a b*c~d/e:f") == "a%20b%2Ac~d%2Fe%3Af")
        #expect(PercentEncoding.encode("2024-01-01T00:00:00Z") == "2024-01-01T00%3A00%3A00Z")
        #expect(PercentEncoding.encode("中") == "%E4%B8%AD")
    }

    @Test func parsesParametersKeepingTheFirstOfDuplicates() throws {
        var parameters = RPCParameters()
        try parameters.parse(formEncoded: "Action=CreateBackup&&DBInstanceId=rm-1&SignatureType=&Flag&DBInstanceId=rm-2")
        #expect(parameters["Action"] == "CreateBackup")
        #expect(parameters["DBInstanceId"] == "rm-1")
        #expect(parameters["SignatureType"] == "")
        #expect(parameters.nonEmpty("SignatureType") == nil)
        #expect(parameters["Flag"] == "")
        #expect(parameters.pairs.count == 5)
    }

    @Test func parsesEveryShapeOfSegment() throws {
        var parameters = RPCParameters()
        try parameters.parse(formEncoded: "a==b&=x&c=%41+B&d=1=2&&e&f=&")
        #expect(parameters.pairs.map(\.name) == ["a", "", "c", "d", "e", "f"])
        #expect(parameters.pairs.map(\.value) == ["=b", "x", "A B", "1=2", "", ""])
        // An escape in the name only still decodes the name; the value is taken as it is.
        var escapedName = RPCParameters()
        try escapedName.parse(formEncoded: "x%41=1&y=%2B")
        #expect(escapedName.pairs.map(\.name) == ["xA", "y"])
        #expect(escapedName.pairs.map(\.value) == ["1", "+"])
        var empty = RPCParameters()
        try empty.parse(formEncoded: "")
        #expect(empty.pairs.isEmpty)
    }

    @Test func aBrokenEscapeAnywhereFailsTheWholeQuery() {
        var parameters = RPCParameters()
        #expect(throws: PercentEncoding.DecodingError(reason: "\"%ZZ\" is not a valid percent-escape")) {
            try parameters.parse(formEncoded: "a=1&b=%ZZ&c=3")
        }
        #expect(throws: PercentEncoding.DecodingError(reason: "\"%4\" is not a valid percent-escape")) {
            try PercentEncoding.formDecode("x%4")
        }
    }

    @Test func sortsTheCanonicalQueryByteWise() {
        // Names first (a prefix sorts before a longer name, capitals before small letters), then values.
        let query = PercentEncoding.canonicalQuery([("b", "2"), ("AB", "x"), ("A", "z"), ("a", "1"), ("b", "10"), ("A", "y")])
        #expect(query == "A=y&A=z&AB=x&a=1&b=10&b=2")
        // Sorted as encoded: `%` (0x25) comes before letters.
        #expect(PercentEncoding.canonicalQuery([("k", "a b:c"), ("é", "")]) == "%C3%A9=&k=a%20b%3Ac")
    }

    @Test func theMaskAndTheHexDigitsAgreeWithTheTables() {
        for byte in UInt8.min...UInt8.max {
            #expect(PercentEncoding.isUnreservedByMask(byte) == PercentEncoding.isUnreserved(byte), "byte \(byte)")
        }
        for nibble in UInt8(0)..<16 {
            #expect(Hex.upperDigit(nibble) == Array("0123456789ABCDEF".utf8)[Int(nibble)])
            #expect(Hex.lowerDigit(nibble) == Array("0123456789abcdef".utf8)[Int(nibble)])
            #expect(Hex.value(Hex.upperDigit(nibble)) == nibble && Hex.value(Hex.lowerDigit(nibble)) == nibble)
        }
    }

    @Test func encodesEveryByteOfANameAndAValueAndEscapesTheQueryOnceMoreForV1() {
        let pairs = [(name: "k~-_.", value: "%&=+ \u{7F}\u{80}ü"), (name: "Signature", value: "left out")]
        #expect(PercentEncoding.canonicalQuery([pairs[0]]) == "k~-_.=%25%26%3D%2B%20%7F%C2%80%C3%BC")
        #expect(
            SignatureV1.stringToSign(method: "POST", parameters: pairs)
                == "POST&%2F&k~-_.%3D%2525%2526%253D%252B%2520%257F%25C2%2580%25C3%25BC")
    }

    @Test func base64MatchesWhatItEncodes() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...8 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = Base64.encode(bytes)
            bytes.withUnsafeBytes { raw in
                #expect(Base64.matches(encoded, raw))
                #expect(!Base64.matches(encoded + "A", raw))
                if !encoded.isEmpty {
                    #expect(!Base64.matches(String(encoded.dropLast()) + (encoded.last == "A" ? "B" : "A"), raw))
                }
            }
        }
    }
}
