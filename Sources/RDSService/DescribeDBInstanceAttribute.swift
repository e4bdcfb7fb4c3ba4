import AlibabaRPC
import EmulatorStore
import ServiceKit

/// RDS `DescribeDBInstanceAttribute` (alibaba-api.md §6.4): one instance of the caller's account.
struct DescribeDBInstanceAttribute: RDSOperation {
    static let action = "DescribeDBInstanceAttribute"

    let configuration: RDSConfiguration
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        try store.transaction { state in
            let instance = try state.instance(of: call, product: .rds, notFound: RDSError.attributeInstanceNotFound)
            if let expired = call.optional("Expired"), !["True", "False"].contains(expired) {
                throw RDSError.invalidExpired
            }
            return [.init("Items", .object([.init("DBInstanceAttribute", .array([RDSModel.describe(instance)]))]))]
        }
    }
}
