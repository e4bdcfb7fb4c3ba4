import AlibabaRPC
import EmulatorStore
import ServiceKit

/// MongoDB `DeleteDBInstance` (workflow reference §15): `Deleting` for the configured time, then gone.
struct DeleteDBInstance: MongoDBOperation {
    static let action = "DeleteDBInstance"
    let configuration: MongoDBConfiguration
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        try store.transaction { state in
            // 1. The instance, of this account and not gone.
            let instance = try state.instance(of: call, product: .mongodb, notFound: MongoDBError.instanceNotFound)
            // 2. A repeat with the same ClientToken deletes nothing more.
            _ = try MongoDBInstances.idempotent(call, state) {
                // 3. Pay-as-you-go only, 4. Running.
                if instance.attributes["ChargeType"] == .string("PrePaid") { throw MongoDBError.prepaidNotReleasable }
                guard instance.status == "Running" else { throw MongoDBError.incorrectState }
                try state.begin(
                    InstanceTransition.deleting, action: call.action, of: instance, at: call.now,
                    lasting: configuration.instanceDurations.delete)
                return [:]
            }
            return []
        }
    }
}
