extension StoreTransaction {
    private static let instanceColumns = """
        instance_id, product, account_id, region_id, engine, engine_version, status, instance_type,
        storage_type, lock_mode, kind_code, databases, attributes, transition, transition_action,
        transition_started, transition_ends
        """

    public func instance(_ instanceId: String, product: Product) throws -> InstanceRecord? {
        try connection.query(
            "SELECT \(Self.instanceColumns) FROM instances WHERE instance_id = ?1 AND product = ?2",
            [.text(instanceId), .text(product.rawValue)], read: Self.instance
        ).first
    }

    public func instance(_ instanceId: String) throws -> InstanceRecord? {
        try connection.query(
            "SELECT \(Self.instanceColumns) FROM instances WHERE instance_id = ?1", [.text(instanceId)],
            read: Self.instance
        ).first
    }

    public func instances() throws -> [InstanceRecord] {
        try connection.query("SELECT \(Self.instanceColumns) FROM instances ORDER BY instance_id", read: Self.instance)
    }

    /// The instances of one product and account, in id order.
    public func instances(product: Product, accountId: String) throws -> [InstanceRecord] {
        try connection.query(
            "SELECT \(Self.instanceColumns) FROM instances WHERE product = ?1 AND account_id = ?2 ORDER BY instance_id",
            [.text(product.rawValue), .text(accountId)], read: Self.instance)
    }

    /// Inserts the instance, or replaces the one with the same id (its backups stay). With `now`, a new instance's
    /// life in the emulator, and its backup policy, begin then (automatic backups are made from then on), and a
    /// replaced one's policy changes then when `backupPolicy` is given.
    public func put(_ instance: InstanceRecord, at now: Int64? = nil) throws {
        let existed = try now != nil && self.instance(instance.instanceId) != nil
        try connection.run(
            """
            INSERT OR REPLACE INTO instances (\(Self.instanceColumns))
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
            """,
            [
                .text(instance.instanceId), .text(instance.product.rawValue), .text(instance.accountId),
                .text(instance.regionId), .text(instance.engine), .text(instance.engineVersion), .text(instance.status),
                .text(instance.instanceType), .text(instance.storageType), .text(instance.lockMode),
                instance.kindCode.map(SQLValue.text) ?? .null, .text(instance.databases.joined(separator: ",")),
                .text(instance.attributesJSON), instance.transition.map { .text($0.status) } ?? .null,
                instance.transition.map { .text($0.action) } ?? .null, instance.transition.map { .int($0.startedAt) } ?? .null,
                instance.transition.map { .int($0.endsAt) } ?? .null,
            ])
        guard let now else { return }
        if !existed {
            try beginPolicy(instanceId: instance.instanceId, settings: instance.backupPolicy ?? [:], at: now)
        } else if let settings = instance.backupPolicy {
            try changePolicy(instanceId: instance.instanceId, settings: settings, at: now)
        }
    }

    /// Deletes the instance and its backups; false when there was no such instance.
    public func deleteInstance(_ instanceId: String) throws -> Bool {
        try keepingHighestSequence {
            try connection.run("DELETE FROM backups WHERE instance_id = ?1", [.text(instanceId)])
        }
        try connection.run("DELETE FROM next_backup_outcomes WHERE instance_id = ?1", [.text(instanceId)])
        try connection.run("DELETE FROM backup_totals WHERE instance_id = ?1", [.text(instanceId)])
        try forgetPolicy(instanceId: instanceId)
        return try connection.run("DELETE FROM instances WHERE instance_id = ?1", [.text(instanceId)]) > 0
    }

    /// Empties the state (backup sequence numbers keep counting, so ids are never reused).
    public func deleteEverything() throws {
        try keepingHighestSequence { try connection.run("DELETE FROM backups") }
        try connection.run("DELETE FROM next_backup_outcomes")
        try connection.run("DELETE FROM backup_totals")
        try connection.run("DELETE FROM backup_policies")
        try connection.run("DELETE FROM automatic_backup_events")
        try connection.run("DELETE FROM instances")
        try connection.run("DELETE FROM client_tokens")
    }

    /// Runs `deletion`, then puts back the highest sequence number it removed as a placeholder row: SQLite numbers
    /// a new backup one past the highest number in the table, and a number must never be given twice. The
    /// placeholder has an empty instance id and product, which no instance has, so no query of an instance's
    /// backups sees it; older placeholders go.
    private func keepingHighestSequence(_ deletion: () throws -> Void) throws {
        let highest = try connection.query(Self.highestSequence) { $0.optionalInt(0) }.first ?? nil
        try deletion()
        guard let highest else { return }
        try connection.run(
            """
            INSERT INTO backups (sequence, product, instance_id, account_id, method, backup_type, started_at,
                                 finishes_at, deleted_at)
            SELECT ?1, '', '', '', '', '', 0, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM backups WHERE sequence >= ?1)
            """, [.int(highest)])
        try connection.run("DELETE FROM backups WHERE instance_id = '' AND sequence < ?1", [.int(highest)])
    }

    private static let highestSequence = SQLStatement("SELECT max(sequence) FROM backups")

    private static func instance(_ row: SQLiteRow) -> InstanceRecord {
        var record = InstanceRecord(
            instanceId: row.text(0), product: Product(rawValue: row.text(1)) ?? .rds, accountId: row.text(2),
            regionId: row.text(3), engine: row.text(4), engineVersion: row.text(5), status: row.text(6),
            instanceType: row.text(7), storageType: row.text(8), lockMode: row.text(9), kindCode: row.optionalText(10),
            databases: databaseList(row.text(11)))
        record.attributesJSON = row.text(12)
        if let status = row.optionalText(13) {
            record.transition = InstanceTransition(
                status: status, action: row.optionalText(14) ?? "", startedAt: row.optionalInt(15) ?? 0,
                endsAt: row.optionalInt(16) ?? 0)
        }
        return record
    }

    /// Database names as stored: comma-separated.
    static func databaseList(_ stored: String) -> [String] {
        stored.isEmpty ? [] : stored.utf8.split(separator: UInt8(ascii: ",")).map { String(Substring($0)) }
    }
}
