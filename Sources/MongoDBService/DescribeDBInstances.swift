import AlibabaRPC
import EmulatorStore
import ServiceKit

/// MongoDB `DescribeDBInstances` (alibaba-api.md §6.7): the caller's instances in a region, filtered and paged.
/// A page past the last is empty, however far (docs/behaviour.md).
struct DescribeDBInstances: MongoDBOperation {
    static let action = "DescribeDBInstances"
    static let numericParameters: [NumericParameter] = [.integer("PageSize"), .integer("PageNumber")]
    private static let listing = InstanceListing(
        product: .mongodb,
        equalities: [
            ("DBInstanceId", \.instanceId), ("DBInstanceStatus", \.status), ("DBInstanceType", \.instanceType),
            ("EngineVersion", \.engineVersion),
        ])

    let configuration: MongoDBConfiguration
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        let region = try call.required("RegionId")
        let page = try call.page(
            size: (30, MongoDBError.invalidInstancePageSize, { (1...100).contains($0) }),
            number: (MongoDBError.invalidPageNumber, { $0 >= 1 }))
        let (instances, total) = try Self.listing.list(call, region: region, page: page, store: store)
        return [
            .init("TotalCount", .integer(Int64(total))), .init("PageNumber", .integer(Int64(page.number))),
            .init("PageSize", .integer(Int64(page.size))),
            .init("DBInstances", .object([.init("DBInstance", .array(instances.map(MongoDBModel.describe)))])),
        ]
    }
}
