import AlibabaRPC
import EmulatorStore
import ServiceKit

/// RDS `DeleteDBInstance` (workflow reference §8): the instance turns `Deleting` for the configured time, then is
/// gone: DescribeDBInstances stops listing it and every operation answers its own "not found".
struct DeleteDBInstance: RDSOperation {
    static let action = "DeleteDBInstance"
    let configuration: RDSConfiguration
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        try store.transaction { state in
            // 1. The instance, of this account and not gone.
            let instance = try state.instance(of: call, product: .rds, notFound: RDSError.taskInstanceNotFound)
            // 2. Values.
            if let policy = call.optional("ReleasedKeepPolicy"), !["None", "Lastest", "All"].contains(policy) {
                throw RDSError.invalidReleasedKeepPolicy
            }
            // 3. Subscription instances are unsubscribed, not released.
            if instance.attributes["PayType"] == .string("Prepaid") { throw RDSError.prepaidNotReleasable }
            // 4. A pay-as-you-go instance is released when Running or Stopped, not in the middle of another change.
            guard ["Running", "Stopped"].contains(instance.status) else { throw RDSError.incorrectState }
            try state.begin(InstanceTransition.deleting, action: call.action, of: instance, at: call.now, lasting: configuration.instanceDurations.delete)
            return [.init("RegionId", .string(instance.regionId))]
        }
    }
}
