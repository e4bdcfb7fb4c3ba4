import AlibabaRPC
import EmulatorStore
import ServiceKit

/// MongoDB `RestartDBInstance` (workflow reference §16): `Rebooting` (`NodeRestarting` for one node, `NodeId`) for
/// the configured time, then `Running`. `SwitchMode=1` restarts in the maintenance window, which the emulator does
/// not reach: the instance is left as it is.
struct RestartDBInstance: MongoDBOperation {
    static let action = "RestartDBInstance"
    let configuration: MongoDBConfiguration
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        try store.transaction { state in
            let instance = try state.instance(of: call, product: .mongodb, notFound: MongoDBError.instanceNotFound)
            let switchMode = call.optional("SwitchMode") ?? "0"
            guard ["0", "1"].contains(switchMode) else { throw MongoDBError.invalidSwitchMode }
            guard instance.status == "Running" else { throw MongoDBError.incorrectState }
            if switchMode == "0" {
                try state.begin(
                    call.optional("NodeId") == nil ? "Rebooting" : "NodeRestarting", action: call.action, of: instance,
                    at: call.now, lasting: configuration.instanceDurations.restart)
            }
            return []
        }
    }
}
