import AlibabaRPC
import EmulatorStore
import ServiceKit

/// MongoDB `DescribeRegions` (workflow reference §17): regions with their zones nested, unlike RDS. Names in
/// Chinese by default (`AcceptLanguage=zh`), in English with `en`; `RegionId` keeps one region.
struct DescribeRegions: MongoDBOperation {
    static let action = "DescribeRegions"

    let configuration: MongoDBConfiguration
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        let language = call.optional("AcceptLanguage") ?? "zh"
        guard ["zh", "en"].contains(language) else { throw MongoDBError.invalidAcceptLanguage }
        let english = language == "en"
        let regions = Region.all.filter { region in call.optional("RegionId").map { $0 == region.id } ?? true }
        let entries: [RPCValue] = regions.map { region in
            .object([
                .init("RegionId", .string(region.id)),
                .init("RegionName", .string(english ? region.englishName : region.chineseName)),
                .init("EndPoint", .string("mongodb.aliyuncs.com")),
                .init(
                    "Zones",
                    .object([
                        .init(
                            "Zone",
                            .array(
                                region.zones.map { zone in
                                    .object([
                                        .init("ZoneId", .string(zone.id)),
                                        .init("ZoneName", .string(english ? zone.englishName : zone.chineseName)),
                                        .init("VpcEnabled", .boolean(true)),
                                    ])
                                }))
                    ])),
            ])
        }
        return [.init("Regions", .object([.init("DdsRegion", .array(entries))]))]
    }
}
