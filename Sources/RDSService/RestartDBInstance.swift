import AlibabaRPC
import EmulatorStore
import ServiceKit

/// RDS `RestartDBInstance` (workflow reference §9): `Rebooting` for the configured time, then `Running` again.
struct RestartDBInstance: RDSOperation {
    static let action = "RestartDBInstance"
    let configuration: RDSConfiguration
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        try store.transaction { state in
            // 1. The instance, of this account and not gone.
            let instance = try state.instance(of: call, product: .rds, notFound: RDSError.instanceNotFound)
            // 2. A repeat of a request with the same ClientToken restarts nothing more.
            _ = try RDSInstances.idempotent(call, state) {
                // 3. Unlocked and Running.
                if instance.lockMode != "Unlock" { throw RDSError.instanceLocked }
                guard instance.status == "Running" else { throw RDSError.incorrectState }
                try state.begin("Rebooting", action: call.action, of: instance, at: call.now, lasting: configuration.instanceDurations.restart)
                return [:]
            }
            return []
        }
    }
}
