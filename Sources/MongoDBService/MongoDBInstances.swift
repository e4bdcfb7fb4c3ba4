import AlibabaRPC
import EmulatorStore
import ServiceKit

/// What the MongoDB lifecycle operations share: versions, new ids, the caller's instance as it is now, and
/// `ClientToken` replays.
enum MongoDBInstances {
    static let versions: Set<String> = ["3.4", "4.0", "4.2", "4.4", "5.0", "6.0", "7.0", "8.0"]

    /// `dds-`, the region's code and 13 hexadecimal digits, as real ids.
    static func newId(region: String) -> String {
        Region.newId(prefix: "dds-", region: region, count: 13, alphabet: "0123456789abcdef")
    }

    /// The clone source a call names in `SrcDBInstanceId`, as it is at the call's time; the product's one "not
    /// found" (workflow reference §1.1) when there is none, it is another account's, or it is gone.
    static func source(_ call: RPCCall, _ state: StoreTransaction) throws -> InstanceRecord {
        let id = try call.required("SrcDBInstanceId")
        guard let instance = try state.instance(id, product: .mongodb, at: call.now), instance.accountId == call.accountId
        else { throw MongoDBError.instanceNotFound }
        return instance
    }

    /// Runs `body` once per `ClientToken` (a repeat gets the first reply), inside the caller's transaction.
    static func idempotent(
        _ call: RPCCall, _ state: StoreTransaction, _ body: () throws -> [String: AttributeValue]
    ) throws -> [String: AttributeValue] {
        try state.idempotent(
            call, product: .mongodb, invalidToken: MongoDBError.invalidClientToken, mismatch: MongoDBError.idempotentParameterMismatch, body)
    }
}
