import AlibabaRPC
import EmulatorStore
import ServiceKit

/// RDS `DescribeDBInstances` (alibaba-api.md §6.4): the caller's instances in a region, filtered and paged.
/// `DBInstanceId` takes a comma-separated list. A page past the last is empty, however far (docs/behaviour.md).
struct DescribeDBInstances: RDSOperation {
    static let action = "DescribeDBInstances"
    static let numericParameters: [NumericParameter] = [.integer("PageSize"), .integer("PageNumber")]
    private static let listing = InstanceListing(
        product: .rds,
        equalities: [("Engine", \.engine), ("DBInstanceStatus", \.status), ("DBInstanceType", \.instanceType)])

    let configuration: RDSConfiguration
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        let region = try call.required("RegionId")
        let page = try call.page(
            size: (30, RDSError.invalidInstancePageSize, { (1...100).contains($0) }),
            number: (RDSError.invalidInstancePageNumber, { $0 >= 1 }))
        let ids = call.optional("DBInstanceId").map { Set($0.split(separator: ",").map(String.init)) }
        let (instances, total) = try Self.listing.list(call, region: region, page: page, store: store) {
            ids?.contains($0.instanceId) ?? true
        }
        return [
            .init("TotalRecordCount", .integer(Int64(total))), .init("PageNumber", .integer(Int64(page.number))),
            .init("PageRecordCount", .integer(Int64(instances.count))),
            .init("Items", .object([.init("DBInstance", .array(instances.map(RDSModel.describe)))])),
        ]
    }
}
