import AlibabaRPC
import EmulatorStore

/// A product's operations by action name: the one place an operation is registered. Built once at start-up;
/// a call costs a look-up among the names and a call through a closure made for the operation's concrete type.
public struct OperationTable<Configuration: Sendable>: Sendable {
    /// One registered operation.
    public struct Entry: Sendable {
        public let action: String
        public let numericParameters: [NumericParameter]
        fileprivate let run: @Sendable (RPCCall, Configuration, Store) throws -> [RPCValue.Field]

        /// Registers `operation`: `.init(CreateBackup.self)`.
        public init<O: Operation>(_ operation: O.Type) where O.Configuration == Configuration {
            action = O.action
            numericParameters = O.numericParameters
            run = { call, configuration, store in try O(configuration: configuration, store: store).perform(call) }
        }
    }

    /// In registration order.
    public let entries: [Entry]
    /// The entries' actions and operations, apart: a look-up compares the name with a few dozen at most, each
    /// comparison ending at the first differing byte, and hashes nothing (cheaper than a dictionary at this
    /// size); the hot path, CreateBackup, is registered first.
    public let actions: [String]
    private let runs: [@Sendable (RPCCall, Configuration, Store) throws -> [RPCValue.Field]]

    public init(_ entries: [Entry]) {
        self.entries = entries
        actions = entries.map(\.action)
        runs = entries.map(\.run)
        precondition(Set(actions).count == actions.count, "an action registered twice")
    }

    public func implements(_ action: String) -> Bool { actions.contains(action) }

    /// Runs the call's operation; `InvalidAction.NotFound` for an action not registered.
    public func perform(_ call: RPCCall, configuration: Configuration, store: Store) throws -> [RPCValue.Field] {
        guard let index = actions.firstIndex(of: call.action) else { throw APIError.actionNotFound }
        return try runs[index](call, configuration, store)
    }
}
