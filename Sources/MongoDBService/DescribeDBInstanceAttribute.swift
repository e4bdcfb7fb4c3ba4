import AlibabaRPC
import EmulatorStore
import ServiceKit

/// MongoDB `DescribeDBInstanceAttribute` (alibaba-api.md §6.7): one instance of the caller's account.
struct DescribeDBInstanceAttribute: MongoDBOperation {
    static let action = "DescribeDBInstanceAttribute"

    let configuration: MongoDBConfiguration
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        try store.transaction { state in
            let instance = try state.instance(of: call, product: .mongodb, notFound: MongoDBError.instanceNotFound)
            if let engine = call.optional("Engine"), engine != "MongoDB" { throw MongoDBError.invalidEngine }
            return [.init("DBInstances", .object([.init("DBInstance", .array([MongoDBModel.describe(instance)]))]))]
        }
    }
}
