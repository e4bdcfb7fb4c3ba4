import AlibabaRPC
import EmulatorStore

/// One action of a product's API: a small value made for each call from the product's configuration and
/// the store, whose `perform` checks the call's parameters and state and answers with the reply's fields
/// (after `RequestId`, which the gateway adds). A product lists its operations in an `OperationTable`.
public protocol Operation: Sendable {
    /// The product's configuration, set once at start-up.
    associatedtype Configuration: Sendable

    /// The API's name of the action (`CreateBackup`).
    static var action: String { get }
    /// The parameters read as whole numbers or times: the property test feeds each extreme values.
    static var numericParameters: [NumericParameter] { get }

    init(configuration: Configuration, store: Store)
    func perform(_ call: RPCCall) throws -> [RPCValue.Field]
}

extension Operation {
    public static var numericParameters: [NumericParameter] { [] }
}

/// A parameter whose value is read as a number or a time.
public struct NumericParameter: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A whole number: a page, a count, a number of days, an id made of digits.
        case integer
        /// A time such as `2024-01-01T00:00Z`.
        case time
    }

    public let name: String
    public let kind: Kind

    public static func integer(_ name: String) -> NumericParameter { NumericParameter(name: name, kind: .integer) }
    public static func time(_ name: String) -> NumericParameter { NumericParameter(name: name, kind: .time) }
}
