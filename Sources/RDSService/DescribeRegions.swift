import AlibabaRPC
import EmulatorStore
import ServiceKit

/// RDS `DescribeRegions` (workflow reference §12): one `RDSRegion` entry per zone, the region repeated.
struct DescribeRegions: RDSOperation {
    static let action = "DescribeRegions"

    let configuration: RDSConfiguration
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        let language = call.optional("AcceptLanguage") ?? "en-US"
        guard ["en-US", "zh-CN"].contains(language) else { throw RDSError.invalidAcceptLanguage }
        let english = language == "en-US"
        let entries: [RPCValue] = Region.all.flatMap { region in
            region.zones.map { zone in
                .object([
                    .init("RegionId", .string(region.id)), .init("ZoneId", .string(zone.id)),
                    .init("LocalName", .string(english ? region.englishName : region.chineseName)),
                    .init("ZoneName", .string(english ? zone.englishName : zone.chineseName)),
                    .init("RegionEndpoint", .string("rds.aliyuncs.com")),
                ])
            }
        }
        return [.init("Regions", .object([.init("RDSRegion", .array(entries))]))]
    }
}
