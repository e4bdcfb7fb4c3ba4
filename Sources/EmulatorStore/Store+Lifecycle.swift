/// Instances as they are at an instant, released instances, and the replies remembered for `ClientToken`s.
extension StoreTransaction {
    /// The instance of `product` as it is at `now` (`InstanceRecord.asOf`); nil when there is none or it is gone.
    public func instance(_ instanceId: String, product: Product, at now: Int64) throws -> InstanceRecord? {
        try instance(instanceId, product: product)?.asOf(now)
    }

    /// The instances of one product and account as they are at `now`, gone ones left out, in id order.
    public func instances(product: Product, accountId: String, at now: Int64) throws -> [InstanceRecord] {
        try instances(product: product, accountId: accountId).compactMap { $0.asOf(now) }
    }

    /// Removes, with their backups, the instances whose deletion had ended by `now`: until then they are only
    /// hidden (every read goes through `asOf`), so this is housekeeping that keeps the state from growing.
    public func removeReleased(at now: Int64) throws {
        let released = try connection.query(
            "SELECT instance_id FROM instances WHERE transition = 'Deleting' AND transition_ends <= ?1", [.int(now)]
        ) { $0.text(0) }
        for id in released { _ = try deleteInstance(id) }
    }

    /// Starts a lifecycle phase of `instance` (as read at `now`: at rest) that shows `status` until `now + duration`.
    public func begin(_ status: String, action: String, of instance: InstanceRecord, at now: Int64, lasting duration: Int64)
        throws
    {
        var changed = instance
        changed.transition = InstanceTransition(status: status, action: action, startedAt: now, endsAt: now + duration)
        try put(changed)
    }

    /// The instance's latest backup set that had ended by `instant` and can be restored at `now`: successful, not
    /// deleted, not expired.
    public func latestUsableSet(instanceId: String, endedBy instant: Int64, keptAt now: Int64) throws -> BackupRecord? {
        try backups(instanceId: instanceId)
            .filter { $0.deletedAt == nil && $0.outcome.failStage == nil && $0.finishesAt <= instant && $0.isKept(at: now) }
            .max { $0.finishesAt < $1.finishesAt }
    }

    /// What was remembered for a client token: the request's fingerprint and the reply it got.
    public func clientToken(_ token: String, accountId: String, product: Product, action: String) throws
        -> (fingerprint: String, reply: String)?
    {
        try connection.query(
            """
            SELECT fingerprint, reply FROM client_tokens
            WHERE account_id = ?1 AND product = ?2 AND action = ?3 AND token = ?4
            """, [.text(accountId), .text(product.rawValue), .text(action), .text(token)]
        ) { ($0.text(0), $0.text(1)) }.first
    }

    public func rememberClientToken(
        _ token: String, accountId: String, product: Product, action: String, fingerprint: String, reply: String
    ) throws {
        try connection.run(
            """
            INSERT OR REPLACE INTO client_tokens (account_id, product, action, token, fingerprint, reply)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            """,
            [.text(accountId), .text(product.rawValue), .text(action), .text(token), .text(fingerprint), .text(reply)])
    }
}

extension StoreTransaction {
    /// `ClientToken` idempotency (the Alibaba-wide rule): the first request with a token runs `body` and its reply
    /// is remembered; a repeat with the same parameters (`fingerprint`) gets that reply and changes nothing; a
    /// repeat with other parameters throws `mismatch`. Without a token, `body` just runs.
    public func idempotent(
        token: String?, accountId: String, product: Product, action: String, fingerprint: String, mismatch: any Error,
        _ body: () throws -> [String: AttributeValue]
    ) throws -> [String: AttributeValue] {
        guard let token else { return try body() }
        if let earlier = try clientToken(token, accountId: accountId, product: product, action: action) {
            guard earlier.fingerprint == fingerprint else { throw mismatch }
            return AttributesJSON.decode(earlier.reply)
        }
        let reply = try body()
        try rememberClientToken(
            token, accountId: accountId, product: product, action: action, fingerprint: fingerprint,
            reply: AttributesJSON.encode(reply))
        return reply
    }
}
