import AlibabaRPC
import EmulatorStore

/// A product's operations by action name: the one place an operation is registered. Built once at start-up;
/// a call costs one dictionary look-up and a call through a closure made for the operation's concrete type.
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
    private let byAction: [String: Entry]

    public init(_ entries: [Entry]) {
        self.entries = entries
        byAction = Dictionary(entries.map { ($0.action, $0) }, uniquingKeysWith: { first, _ in first })
        precondition(byAction.count == entries.count, "an action registered twice")
    }

    public var actions: [String] { entries.map(\.action) }

    public func implements(_ action: String) -> Bool { byAction[action] != nil }

    /// Runs the call's operation; `InvalidAction.NotFound` for an action not registered.
    public func perform(_ call: RPCCall, configuration: Configuration, store: Store) throws -> [RPCValue.Field] {
        guard let entry = byAction[call.action] else { throw APIError.actionNotFound }
        return try entry.run(call, configuration, store)
    }
}
