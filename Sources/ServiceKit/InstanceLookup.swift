import AlibabaRPC
import EmulatorStore

extension StoreTransaction {
    /// The instance of `product` the call names in its mandatory `DBInstanceId`, if it belongs to the caller's
    /// account; `notFound` otherwise (another account's instance is not revealed).
    public func instance(of call: RPCCall, product: Product, notFound: APIError) throws -> InstanceRecord {
        let id = try call.required("DBInstanceId")
        guard let instance = try instance(id, product: product, at: call.now), instance.accountId == call.accountId else {
            throw notFound
        }
        return instance
    }
}

/// The filters DescribeDBInstances applies, shared by the products: the region, then each named parameter
/// that must equal a field, then anything the product adds.
public struct InstanceListing: Sendable {
    public var product: Product
    /// Parameters that, when given, must equal the field they name.
    public var equalities: [(parameter: String, field: @Sendable (InstanceRecord) -> String)]

    public init(product: Product, equalities: [(parameter: String, field: @Sendable (InstanceRecord) -> String)]) {
        self.product = product
        self.equalities = equalities
    }

    /// The caller's instances in `region` that pass every filter, and the requested page of them.
    public func list(
        _ call: RPCCall, region: String, page: Page, store: Store, where extra: (InstanceRecord) -> Bool = { _ in true }
    ) throws -> (page: [InstanceRecord], total: Int) {
        let wanted = equalities.map { ($0.field, call.optional($0.parameter)) }
        let all = try store.transaction { try $0.instances(product: product, accountId: call.accountId, at: call.now) }
        let matching = all.filter { instance in
            instance.regionId == region && extra(instance)
                && wanted.allSatisfy { field, value in value.map { $0 == field(instance) } ?? true }
        }
        return (Array(matching.dropFirst(page.offset).prefix(page.size)), matching.count)
    }
}
