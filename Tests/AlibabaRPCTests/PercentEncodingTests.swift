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
}
