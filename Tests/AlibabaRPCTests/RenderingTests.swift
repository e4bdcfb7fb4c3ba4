import Testing

@testable import AlibabaRPC

@Suite struct RenderingTests {
    let fields: [RPCValue.Field] = [
        .init("RequestId", .string("2C125605-266F-41CA-8AC5-3A643D4F42C5")),
        .init("Items", .object([.init("Backup", .array([.object([.init("BackupId", .string("1"))]), .object([.init("BackupId", .string("2"))])]))])),
        .init("TotalCount", .integer(2)),
        .init("IsAvail", .boolean(true)),
    ]

    @Test func rendersCompactJSONInFieldOrder() {
        #expect(
            ResponseRenderer.render(fields, root: "X", as: .json)
                == #"{"RequestId":"2C125605-266F-41CA-8AC5-3A643D4F42C5","Items":{"Backup":[{"BackupId":"1"},{"BackupId":"2"}]},"TotalCount":2,"IsAvail":true}"#
        )
    }

    @Test func rendersArraysAsRepeatedXMLElements() {
        #expect(
            ResponseRenderer.render(fields, root: "DescribeBackupsResponse", as: .xml)
                == "<?xml version='1.0' encoding='UTF-8'?><DescribeBackupsResponse><RequestId>2C125605-266F-41CA-8AC5-3A643D4F42C5</RequestId>"
                + "<Items><Backup><BackupId>1</BackupId></Backup><Backup><BackupId>2</BackupId></Backup></Items>"
                + "<TotalCount>2</TotalCount><IsAvail>true</IsAvail></DescribeBackupsResponse>")
    }

    @Test func escapesText() {
        #expect(
            ResponseRenderer.render([.init("M", .string("a\"b\\c\n\u{01}<&>"))], root: "R", as: .json)
                == #"{"M":"a\"b\\c\n\u0001<&>"}"#)
        #expect(
            ResponseRenderer.render([.init("M", .string("\"x\" <&>"))], root: "R", as: .xml)
                == "<?xml version='1.0' encoding='UTF-8'?><R><M>\"x\" &lt;&amp;&gt;</M></R>")
    }

    @Test func rendersErrorsWithRecommendInCDATA() {
        let error: [RPCValue.Field] = [
            .init("RequestId", .string("R")), .init("HostId", .string("rds.aliyuncs.com")),
            .init("Code", .string("C")), .init("Message", .string("M")),
            .init("Recommend", .string("https://api.aliyun.com/troubleshoot?q=C&product=Rds&requestId=R")),
        ]
        #expect(
            ResponseRenderer.renderError(error, as: .xml)
                == "<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>R</RequestId><HostId>rds.aliyuncs.com</HostId>"
                + "<Code>C</Code><Message>M</Message><Recommend><![CDATA[https://api.aliyun.com/troubleshoot?q=C&product=Rds&requestId=R]]></Recommend></Error>"
        )
        #expect(
            ResponseRenderer.renderError(error, as: .json)
                == #"{"RequestId":"R","HostId":"rds.aliyuncs.com","Code":"C","Message":"M","Recommend":"https://api.aliyun.com/troubleshoot?q=C&product=Rds&requestId=R"}"#
        )
    }

    @Test func formatsUTCTimes() {
        #expect(UTCTime.iso8601(0) == "1970-01-01T00:00:00Z")
        #expect(UTCTime.iso8601(1_704_067_200_000) == "2024-01-01T00:00:00Z")
        #expect(UTCTime.iso8601(1_709_164_799_999) == "2024-02-28T23:59:59Z")
        #expect(UTCTime.iso8601(1_709_251_199_000) == "2024-02-29T23:59:59Z")
        #expect(UTCTime.httpDate(1_795_357_286_000) == "Sun, 22 Nov 2026 14:21:26 GMT")
        #expect(UTCTime.startOfDay(1_704_067_200_000 + 86_399_999) == 1_704_067_200_000)
        #expect(UTCTime.startOfDay(-1) == -86_400_000)
    }

    @Test func makesUpperCaseVersion4RequestIds() {
        let ids = (0..<100).map { _ in RequestID.make() }
        #expect(Set(ids).count == 100)
        for id in ids {
            #expect(id.wholeMatch(of: /[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}/) != nil)
        }
    }
}
