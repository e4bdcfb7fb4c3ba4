import EmulatorTransport
import Testing

@testable import AlibabaRPC

/// A product with one action, to test the gateway on its own.
final class EchoService: RPCService, @unchecked Sendable {  // @unchecked: tests call it from one thread
    let productCode = "Rds"
    let version = "2014-08-15"
    let endpoint = "rds.aliyuncs.com"
    let endpointLabels = ["rds"]
    var lastCall: RPCCall?

    func implements(_ action: String) -> Bool { action == "Echo" || action == "Fail" || action == "Crash" }
    let apiActions = ["Crash", "Echo", "Fail", "Unemulated"]

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        lastCall = call
        switch call.action {
        case "Fail": throw APIError(status: 403, code: "Denied", message: "No.")
        case "Crash": throw CancellationError()
        default: return [.init("Value", .string(try call.required("Value")))]
        }
    }
}

final class FixedClock: EmulatorClock, @unchecked Sendable {  // @unchecked: tests set it from one thread
    var now: Int64 = 1_704_067_200_000
}

@Suite struct RPCGatewayTests {
    let service = EchoService()
    var gateway: RPCGateway {
        RPCGateway(
            services: [service], clock: FixedClock(),
            authenticator: Authenticator(mode: .off, keys: [AccessKey(id: "k", secret: "s", accountId: "a")]))
    }

    func send(_ target: String, headers: HTTPHeaders = [("Host", "127.0.0.1:8080")])
        -> (status: Int, contentType: String?, body: String, requestId: String?)
    {
        send("GET", target, headers: headers)
    }

    func send(
        _ method: String, _ target: String, headers: HTTPHeaders = [("Host", "127.0.0.1:8080")],
        body: String = ""
    ) -> (status: Int, contentType: String?, body: String, requestId: String?) {
        let response = gateway.handle(HTTPRequest(method: method, target: target, headers: headers, body: Array(body.utf8)))
        let header = { (name: String) in response.headers.first { $0.name == name }?.value }
        return (response.status, header("Content-Type"), String(decoding: response.body, as: UTF8.self), header("x-acs-request-id"))
    }

    @Test func answersInJSONWhenAsked() {
        let reply = send("/?Action=Echo&Version=2014-08-15&Value=hi&Format=json")
        #expect(reply.status == 200)
        #expect(reply.contentType == "application/json;charset=utf-8")
        #expect(reply.body == #"{"RequestId":"\#(reply.requestId!)","Value":"hi"}"#)
    }

    @Test func answersInXMLByDefault() {
        let reply = send("/?Action=Echo&Version=2014-08-15&Value=a%20b")
        #expect(reply.contentType == "text/xml;charset=utf-8")
        #expect(
            reply.body
                == "<?xml version='1.0' encoding='UTF-8'?><EchoResponse><RequestId>\(reply.requestId!)</RequestId><Value>a b</Value></EchoResponse>"
        )
    }

    @Test func takesActionAndVersionFromHeadersAndThenAnswersJSON() {
        let reply = send(
            "POST", "/?Value=x",
            headers: [("Host", "127.0.0.1:1"), ("x-acs-action", "Echo"), ("x-acs-version", "2014-08-15")])
        #expect(reply.status == 200)
        #expect(reply.contentType == "application/json;charset=utf-8")
    }

    @Test func mergesTheFormBodyAfterTheQuery() {
        let reply = send(
            "POST", "/?Action=Echo&Value=fromQuery",
            headers: [("Host", "h"), ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
            body: "Version=2014-08-15&Value=fromBody&Format=JSON")
        #expect(reply.status == 200)
        #expect(reply.body.contains(#""Value":"fromQuery""#))
        #expect(service.lastCall?.parameters.pairs.count == 5)
    }

    @Test func ignoresBodiesThatAreNotForms() {
        let reply = send(
            "POST", "/?Action=Echo&Value=q&Format=JSON", headers: [("Content-Type", "application/json")],
            body: "Version=2014-08-15")
        #expect(reply.status == 400)
        #expect(reply.body.contains(#""Code":"InvalidVersion""#))
    }

    @Test func writesTheErrorEnvelope() {
        let reply = send("/?Action=Fail&Version=2014-08-15&Format=JSON", headers: [("Host", "rds.aliyuncs.com:443")])
        let id = reply.requestId!
        #expect(reply.status == 403)
        #expect(
            reply.body
                == #"{"RequestId":"\#(id)","HostId":"rds.aliyuncs.com","Code":"Denied","Message":"No.","Recommend":"https://api.aliyun.com/troubleshoot?q=Denied&product=Rds&requestId=\#(id)"}"#
        )
    }

    @Test func namesTheProductEndpointWhenThereIsNoHost() {
        let reply = send("/?Action=Fail&Version=2014-08-15&Format=JSON", headers: [])
        #expect(reply.body.contains(#""HostId":"rds.aliyuncs.com""#))
    }

    struct GatewayCase: Sendable, CustomTestStringConvertible {
        let method: String
        let target: String
        let status: Int
        let code: String
        let message: String
        var testDescription: String { "\(method) \(target) → \(code)" }
    }

    static let gatewayCases: [GatewayCase] = [
        .init(method: "GET", target: "/?Action=Echo&Version=2014-08-15&Value=%ZZ", status: 400, code: "InvalidParameter",
              message: #"The query string cannot be decoded: "%ZZ" is not a valid percent-escape."#),
        .init(method: "GET", target: "/?Action=Echo&Version=2014-08-15&Format=YAML", status: 400, code: "InvalidParameter",
              message: #"The specified parameter "Format" is not valid."#),
        .init(method: "GET", target: "/other?Action=Echo&Version=2014-08-15", status: 404, code: "InvalidAction.NotFound",
              message: "Specified api is not found, please check your url and method."),
        .init(method: "DELETE", target: "/?Action=Echo&Version=2014-08-15", status: 404, code: "InvalidAction.NotFound",
              message: "Specified api is not found, please check your url and method."),
        .init(method: "GET", target: "/?Action=Echo", status: 400, code: "InvalidVersion",
              message: "Specified parameter Version is not valid."),
        .init(method: "GET", target: "/?Action=Echo&Version=2099-01-01", status: 400, code: "InvalidVersion",
              message: "Specified parameter Version is not valid."),
        .init(method: "GET", target: "/?Version=2014-08-15", status: 400, code: "MissingAction",
              message: "Action is mandatory for this action."),
        .init(method: "GET", target: "/?Action=Nope&Version=2014-08-15", status: 404, code: "InvalidAction.NotFound",
              message: "Specified api is not found, please check your url and method."),
        .init(method: "GET", target: "/?Action=Unemulated&Version=2014-08-15", status: 501, code: "NotImplemented.ByEmulator",
              message: "Unemulated is an action of Rds API version 2014-08-15 that aliyun-db-emulator does not emulate."),
        // Action names are case-sensitive, as on Alibaba Cloud: a misspelt real action does not exist.
        .init(method: "GET", target: "/?Action=unemulated&Version=2014-08-15", status: 404, code: "InvalidAction.NotFound",
              message: "Specified api is not found, please check your url and method."),
        .init(method: "GET", target: "/?Action=Echo&Version=2014-08-15", status: 400, code: "MissingValue",
              message: "Value is mandatory for this action."),
        .init(method: "GET", target: "/?Action=Echo&Version=2014-08-15&Value=", status: 400, code: "MissingValue",
              message: "Value is mandatory for this action."),
        .init(method: "GET", target: "/?Action=Crash&Version=2014-08-15", status: 500, code: "InternalError",
              message: "The request processing has failed due to some unknown error, exception or failure."),
    ]

    @Test(arguments: gatewayCases)
    func refusesWithTheGatewaysCodes(_ test: GatewayCase) {
        let reply = send(test.method, test.target)
        #expect(reply.status == test.status)
        #expect(reply.contentType == "text/xml;charset=utf-8")
        #expect(reply.body.contains("<Code>\(test.code)</Code><Message>\(test.message)</Message>"))
        #expect(reply.body.hasPrefix("<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>\(reply.requestId!)</RequestId>"))
    }

    @Test func refusesOversizedBodies() {
        let reply = send(
            "POST", "/?Format=JSON", headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: String(repeating: "a", count: RPCGateway.bodyLimit + 1))
        #expect(reply.status == 413)
        #expect(reply.body.contains(#""Code":"RequestEntityTooLarge""#) == false)  // Format is not read: XML
        #expect(reply.body.contains("<Code>RequestEntityTooLarge</Code>"))
    }

    /// Before the limit, a V1 request with 100,000 parameters cost a worker 20 s of CPU (insertion-sorted to sign).
    @Test func refusesMoreParametersThanTheLimitBeforeAuthentication() {
        let strict = RPCGateway(
            services: [service], clock: FixedClock(),
            authenticator: Authenticator(mode: .strict, keys: [AccessKey(id: "k", secret: "s", accountId: "a")]))
        let many = Array(repeating: "P=1", count: 100_000).joined(separator: "&")  // 400 KB
        let message = "The request has more than \(RPCGateway.parameterLimit) parameters, the most the emulator reads."
        for (target, body) in [("/?Action=Echo&Version=2014-08-15&" + many, ""), ("/?Action=Echo&Version=2014-08-15", many)] {
            let response = strict.handle(
                HTTPRequest(
                    method: "POST", target: target, headers: [("Content-Type", "application/x-www-form-urlencoded")],
                    body: Array(body.utf8)))
            let text = String(decoding: response.body, as: UTF8.self)
            #expect(response.status == 400)
            // Format is not read (past the limit, nothing is): XML.
            #expect(text.contains("<Code>InvalidParameter</Code><Message>\(message)</Message>"), "\(text.prefix(300))")
        }
        // The limit itself is accepted: query and body count together.
        let query = (0..<(RPCGateway.parameterLimit - 3)).map { "P\($0)=x" }.joined(separator: "&")
        #expect(send("POST", "/?Action=Echo&Version=2014-08-15&" + query, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: "Value=v").status == 200)
        #expect(send("POST", "/?Action=Echo&Version=2014-08-15&" + query, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: "Value=v&Q=1").status == 400)
    }

    @Test func refusesMoreHeaderFieldsThanTheLimit() {
        var headers: HTTPHeaders = [("Host", "127.0.0.1:8080")]
        for index in 0..<RPCGateway.headerFieldLimit { headers.append(name: "x-extra-\(index)", value: "1") }
        let reply = send("/?Action=Echo&Version=2014-08-15&Value=hi", headers: headers)
        #expect(reply.status == 431)
        #expect(reply.body.contains("<Code>RequestHeaderFieldsTooLarge</Code>"))
        #expect(reply.body.contains("The request has more than \(RPCGateway.headerFieldLimit) header fields"))
        var fewer: HTTPHeaders = []
        for index in 0..<RPCGateway.headerFieldLimit { fewer.append(name: "x-extra-\(index)", value: "1") }
        #expect(send("/?Action=Echo&Version=2014-08-15&Value=hi", headers: fewer).status == 200)
    }

    @Test func answersV3SignedRequestsInJSONEvenWhenTheyFail() {
        let reply = send(
            "POST", "/?Value=%ZZ", headers: [("Authorization", "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host,Signature=00")])
        #expect(reply.status == 400)
        #expect(reply.contentType == "application/json;charset=utf-8")
    }

    @Test func readsTheAccessKey() {
        _ = send("/?Action=Echo&Version=2014-08-15&Value=1&AccessKeyId=testid")
        #expect(service.lastCall?.accessKeyId == "testid")
        _ = send(
            "POST", "/?Value=1",
            headers: [
                ("x-acs-action", "Echo"), ("x-acs-version", "2014-08-15"),
                ("Authorization", "ACS3-HMAC-SHA256 Credential=STS.key,SignedHeaders=host,Signature=ab"),
            ])
        #expect(service.lastCall?.accessKeyId == "STS.key")
        _ = send("/?Action=Echo&Version=2014-08-15&Value=1")
        #expect(service.lastCall?.accessKeyId == nil)
    }

    @Test func stampsTheDateHeaderFromTheClock() {
        let response = gateway.handle(HTTPRequest(method: "GET", target: "/?Action=Echo&Version=2014-08-15&Value=1", headers: [], body: []))
        #expect(response.headers.first { $0.name == "Date" }?.value == "Mon, 01 Jan 2024 00:00:00 GMT")
        #expect(service.lastCall?.now == 1_704_067_200_000)
    }
}
