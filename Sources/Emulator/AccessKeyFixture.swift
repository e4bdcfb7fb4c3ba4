import AlibabaRPC
import ServiceKit

/// The access-key fixture format: `accounts.json` holds an array of keys, each naming the account it
/// acts for. The accounts are the `AccountId`s the keys name, and `default`.
package enum AccessKeyFixture {
    package static func decodeFile(_ bytes: [UInt8], source: String) throws(InstanceFixture.Problem) -> [AccessKey] {
        var keys: [AccessKey] = []
        for (index, entry) in try InstanceFixture.topLevelArray(bytes, source: source, of: "access keys").enumerated() {
            let place = "\(source): entry \(index + 1)"
            guard case .object(let fields) = entry else {
                throw InstanceFixture.Problem(description: "\(place): an access key must be a JSON object, not \(entry.typeName)")
            }
            var reader = EntryReader(fields: fields, place: place)
            let id = try reader.string("AccessKeyId")
            reader.place = "\(place) (\(id))"
            let key = AccessKey(
                id: id, secret: try reader.string("AccessKeySecret"), accountId: try reader.string("AccountId"),
                enabled: try reader.bool("Enabled", default: true),
                securityToken: try reader.optionalString("SecurityToken"))
            _ = try reader.optionalString("Description")
            try reader.rejectUnknownFields()
            if keys.contains(where: { $0.id == id }) {
                throw reader.problem("AccessKeyId", "the key is listed by an earlier entry too")
            }
            keys.append(key)
        }
        return keys
    }

    /// Every account the keys name, and the default one.
    static func accounts(of keys: [AccessKey]) -> Set<String> {
        Set(keys.map(\.accountId)).union([Authenticator.defaultAccount])
    }
}
