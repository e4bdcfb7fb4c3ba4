import EmulatorStore
import MongoDBService
import RDSService
import ServiceKit

/// The products the emulator serves, one line each: what fixtures and the control API ask of a product
/// goes through its model, found here by the store's tag or by a fixture entry's `Engine`.
enum Products {
    static let models: [any ProductModel.Type] = [
        RDSModel.self,
        MongoDBModel.self,
    ]

    /// Every `Engine` a fixture entry may name.
    static let engines: Set<String> = models.reduce(into: []) { $0.formUnion($1.engines) }

    static func model(of product: Product) -> any ProductModel.Type {
        guard let model = models.first(where: { $0.product == product }) else {
            preconditionFailure("no model registered for the product \(product)")
        }
        return model
    }

    /// The product an entry's `Engine` names; the caller has checked it is one of `engines`.
    static func model(forEngine engine: String) -> any ProductModel.Type {
        guard let model = models.first(where: { $0.engines.contains(engine) }) else {
            preconditionFailure("no model registered for the engine \(engine)")
        }
        return model
    }
}
