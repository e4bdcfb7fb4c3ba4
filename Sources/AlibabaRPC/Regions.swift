/// Alibaba Cloud regions and zones that the emulator knows, shared by the products' `DescribeRegions` (each
/// renders them its own way) and their new instance ids (which begin with a code of the region).
public struct Region: Sendable {
    public let id: String
    public let englishName: String
    public let chineseName: String
    /// Zone letters: `cn-hangzhou` + `h` is `cn-hangzhou-h`, "Hangzhou Zone H".
    public let zoneLetters: [String]
    /// The city named in English zone names.
    public let city: String
    public let chineseCity: String
    /// What real instance ids of the region begin with after `rm-` or `dds-` (`bp1` in Hangzhou).
    public let idCode: String

    public var zones: [(id: String, englishName: String, chineseName: String)] {
        zoneLetters.map { letter in
            ("\(id)-\(letter)", "\(city) Zone \(letter.uppercased())", "\(chineseCity) 可用区\(letter.uppercased())")
        }
    }

    public static let all: [Region] = [
        Region(id: "cn-hangzhou", englishName: "China (Hangzhou)", chineseName: "华东1（杭州）",
               zoneLetters: ["h", "i", "j", "k"], city: "Hangzhou", chineseCity: "杭州", idCode: "bp1"),
        Region(id: "cn-shanghai", englishName: "China (Shanghai)", chineseName: "华东2（上海）",
               zoneLetters: ["b", "e", "l"], city: "Shanghai", chineseCity: "上海", idCode: "uf6"),
        Region(id: "cn-beijing", englishName: "China (Beijing)", chineseName: "华北2（北京）",
               zoneLetters: ["h", "i", "k"], city: "Beijing", chineseCity: "北京", idCode: "2ze"),
        Region(id: "cn-shenzhen", englishName: "China (Shenzhen)", chineseName: "华南1（深圳）",
               zoneLetters: ["a", "e"], city: "Shenzhen", chineseCity: "深圳", idCode: "wz9"),
        Region(id: "cn-hongkong", englishName: "China (Hong Kong)", chineseName: "中国香港",
               zoneLetters: ["b", "c"], city: "Hong Kong", chineseCity: "香港", idCode: "j6c"),
        Region(id: "ap-southeast-1", englishName: "Singapore", chineseName: "新加坡",
               zoneLetters: ["a", "b", "c"], city: "Singapore", chineseCity: "新加坡", idCode: "t4n"),
        Region(id: "us-west-1", englishName: "US (Silicon Valley)", chineseName: "美国（硅谷）",
               zoneLetters: ["a", "b"], city: "Silicon Valley", chineseCity: "硅谷", idCode: "rj9"),
        Region(id: "eu-central-1", englishName: "Germany (Frankfurt)", chineseName: "德国（法兰克福）",
               zoneLetters: ["a", "b"], city: "Frankfurt", chineseCity: "法兰克福", idCode: "gw8"),
    ]

    public static func named(_ id: String) -> Region? { all.first { $0.id == id } }

    /// The zone a new instance goes to: the one asked for (nil when the region is known and it is not one of its
    /// zones), else the region's first zone (`<region>-a` for a region not listed here).
    public static func zone(_ asked: String?, in region: String) -> String? {
        guard let known = named(region) else { return asked ?? "\(region)-a" }
        guard let asked else { return known.zones[0].id }
        return known.zones.contains(where: { $0.id == asked }) ? asked : nil
    }

    /// A new resource id: `prefix` (`rm-`, `dds-`), the region's code (`bp1` for an unknown region, Hangzhou's) and
    /// `count` characters drawn from `alphabet`, as real ids are.
    public static func newId(prefix: String, region: String, count: Int, alphabet: String) -> String {
        let characters = Array(alphabet)
        var generator = SystemRandomNumberGenerator()
        let tail = (0..<count).map { _ in characters[Int.random(in: 0..<characters.count, using: &generator)] }
        return prefix + (named(region)?.idCode ?? "bp1") + String(tail)
    }

    /// An order number: 15 digits, as `OrderId`s are.
    public static func newOrderId() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(Int64.random(in: 100_000_000_000_000...999_999_999_999_999, using: &generator))
    }
}
