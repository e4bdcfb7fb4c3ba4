import AlibabaRPC
import EmulatorStore

/// A product's API (one `Version`) served from its operation table. Each product module names its own
/// (`RDSService` is `ProductService<RDSConfiguration>`) and gives it its product code, version and table.
public final class ProductService<Configuration: Sendable>: RPCService, Sendable {
    public let productCode: String
    public let version: String
    public let endpoint: String
    public let endpointLabels: [String]
    public let apiActions: [String]
    public let configuration: Configuration
    private let operations: OperationTable<Configuration>
    private let store: Store

    public init(
        productCode: String, version: String, endpoint: String, endpointLabels: [String], apiActions: [String],
        operations: OperationTable<Configuration>, configuration: Configuration, store: Store
    ) {
        self.productCode = productCode
        self.version = version
        self.endpoint = endpoint
        self.endpointLabels = endpointLabels
        self.apiActions = apiActions
        self.operations = operations
        self.configuration = configuration
        self.store = store
    }

    public func implements(_ action: String) -> Bool {
        operations.implements(action)
    }

    public func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        try operations.perform(call, configuration: configuration, store: store)
    }
}
