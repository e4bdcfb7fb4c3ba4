import Emulator
import EmulatorTesting
import Foundation
import TestSupport
import Testing

/// The `Host` header picks the product when it is an Alibaba Cloud endpoint name, as the real gateways do; on any
/// other name `Version` decides (docs/behaviour.md §1).
@Suite struct EndpointTests {
    static let rds = "Version=2014-08-15"
    static let mongodb = "Version=2015-12-01"

    /// `DescribeRegions` of `version` (both products have it) sent to `host`: status and `Code`, if any.
    func describeRegions(_ server: TestEmulator, host: String, version: String? = rds) throws -> (status: Int, code: String?, body: String) {
        let target = "/?Action=DescribeRegions&Format=JSON" + (version.map { "&\($0)" } ?? "")
        let reply = try RawHTTPClient.send(port: server.port, target: target, host: host)
        let body = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any]
        return (reply.status, body?["Code"] as? String, reply.body)
    }

    static let rdsHosts = [
        "rds.aliyuncs.com", "rds.cn-hangzhou.aliyuncs.com", "RDS.CN-HANGZHOU.ALIYUNCS.COM:8443", "rds.aliyuncs.com.",
        "rds-vpc.cn-hangzhou-finance.aliyuncs.com", "rds.eu-central-1.aliyuncs.com:443",
    ]
    static let mongodbHosts = [
        "mongodb.aliyuncs.com", "mongodb.cn-shanghai.aliyuncs.com:8443", "dds.eu-west-2.aliyuncs.com",
        "Mongodb.Ap-Southeast-1.Aliyuncs.Com", "mongodb-vpc.cn-hangzhou.aliyuncs.com",
    ]

    @Test(arguments: rdsHosts)
    func anRDSEndpointServesRDSOnly(_ host: String) throws {
        try withEmulator { server throws in
            #expect(try describeRegions(server, host: host).status == 200)
            let mongodb = try describeRegions(server, host: host, version: Self.mongodb)
            #expect(mongodb.status == 400 && mongodb.code == "InvalidVersion")
            #expect(mongodb.body.contains(#""Message":"Specified parameter Version is not valid.""#))
            #expect(mongodb.body.contains("&product=Rds&"))
            let none = try describeRegions(server, host: host, version: nil)
            #expect(none.code == "InvalidVersion" && none.body.contains("&product=Rds&"))
        }
    }

    @Test(arguments: mongodbHosts)
    func aMongoDBEndpointServesMongoDBOnly(_ host: String) throws {
        try withEmulator { server throws in
            #expect(try describeRegions(server, host: host, version: Self.mongodb).status == 200)
            let rds = try describeRegions(server, host: host)
            #expect(rds.status == 400 && rds.code == "InvalidVersion" && rds.body.contains("&product=Dds&"))
        }
    }

    static let otherNames = [
        "127.0.0.1", "127.0.0.1:8080", "localhost:8080", "[::1]:8080", "emulator", "rds", "rds.example.com",
        "mongodb.internal:8080", "aliyuncs.com", "r_ds.aliyuncs.com", "rds.aliyuncs.com.example.com",
    ]

    @Test(arguments: otherNames)
    func anyOtherNameLeavesItToVersion(_ host: String) throws {
        try withEmulator { server throws in
            #expect(try describeRegions(server, host: host).status == 200)
            #expect(try describeRegions(server, host: host, version: Self.mongodb).status == 200)
            #expect(try describeRegions(server, host: host, version: "Version=2020-01-01").code == "InvalidVersion")
        }
    }

    static let otherProducts: [(host: String, product: String)] = [
        ("ecs.aliyuncs.com", "Ecs"), ("ecs.cn-hangzhou.aliyuncs.com:443", "Ecs"), ("ECS-VPC.cn-hangzhou.aliyuncs.com", "Ecs"),
        ("r-kvstore.aliyuncs.com", "R-kvstore"), ("polardb.aliyuncs.com.", "Polardb"),
    ]

    @Test(arguments: otherProducts)
    func anotherProductsEndpointIsNotEmulated(_ host: String, product: String) throws {
        try withEmulator { server throws in
            let message =
                "The request's host is an endpoint of \(product), a product that aliyun-db-emulator does not emulate; "
                + "it emulates Rds (rds.aliyuncs.com) and Dds (mongodb.aliyuncs.com)."
            for version in [Self.rds, "Version=2014-05-26", nil] {
                let reply = try describeRegions(server, host: host, version: version)
                #expect(reply.status == 501 && reply.code == "NotImplemented.ByEmulator")
                #expect(reply.body.contains(#""Message":"\#(message)""#))
                #expect(reply.body.contains("&product=\(product)&"))
            }
            // A ROA-style path too: the host is answered before the path.
            let roa = try RawHTTPClient.send(port: server.port, target: "/clusters?Format=JSON", host: host)
            #expect(roa.status == 501 && roa.body.contains(#""Code":"NotImplemented.ByEmulator""#))
            // HostId names the host without its port.
            let name = host.split(separator: ":").first.map(String.init) ?? host
            #expect(roa.body.contains(#""HostId":"\#(name)""#))
        }
    }

    @Test func theJournalRecordsTheHostsProduct() throws {
        try withEmulator { server throws in
            _ = try describeRegions(server, host: "rds.aliyuncs.com", version: Self.mongodb)
            _ = try describeRegions(server, host: "mongodb.aliyuncs.com", version: nil)
            _ = try describeRegions(server, host: "ecs.aliyuncs.com")
            _ = try describeRegions(server, host: "127.0.0.1", version: Self.mongodb)
            let listing = try server.get("/_emulator/requests")
            let body = try #require(try JSONSerialization.jsonObject(with: Data(listing.body.utf8)) as? [String: Any])
            let entries = try #require(body["requests"] as? [[String: Any]])
            #expect(entries.map { $0["product"] as? String } == ["Rds", "Dds", "Ecs", "Dds"])
            #expect(entries.map { $0["status"] as? Int } == [400, 400, 501, 200])
            #expect(try server.get("/_emulator/requests/count?product=ecs").body.contains(#""count":1"#))
        }
    }
}
