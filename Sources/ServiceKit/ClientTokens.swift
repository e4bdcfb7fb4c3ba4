import AlibabaRPC
import EmulatorStore

extension RPCCall {
    /// The call's `ClientToken`, nil when absent; `invalid` (the product's code) when it is not at most 64 printable
    /// ASCII characters.
    public func clientToken(invalid: APIError) throws -> String? {
        guard let token = optional("ClientToken") else { return nil }
        guard RPCCall.isClientToken(token) else { throw invalid }
        return token
    }
}

extension StoreTransaction {
    /// Runs `body` once per `ClientToken` of the caller's (a repeat with the same parameters gets the first reply and
    /// changes nothing; other parameters get `mismatch`), inside the call's transaction.
    public func idempotent(
        _ call: RPCCall, product: Product, invalidToken: APIError, mismatch: APIError,
        _ body: () throws -> [String: AttributeValue]
    ) throws -> [String: AttributeValue] {
        try idempotent(
            token: try call.clientToken(invalid: invalidToken), accountId: call.accountId, product: product,
            action: call.action, fingerprint: call.fingerprint, mismatch: mismatch, body)
    }
}

/// Reply fields from a remembered reply, in the order given (absent ones left out).
public func replyFields(_ reply: [String: AttributeValue], _ names: [String]) -> [RPCValue.Field] {
    names.compactMap { name in
        switch reply[name] {
        case .string(let text): .init(name, .string(text))
        case .integer(let number): .init(name, .integer(number))
        case nil: nil
        }
    }
}
