/// The outcome scripted for an instance's next backup (control API).
extension StoreTransaction {
    /// What the instance's next backup will do; replaces any earlier script.
    public func setNextOutcome(_ outcome: BackupOutcome, instanceId: String) throws {
        try connection.run(
            "INSERT OR REPLACE INTO next_backup_outcomes (instance_id, fail_stage, hold_stage, hold_until) VALUES (?1, ?2, ?3, ?4)",
            [
                .text(instanceId), outcome.failStage.map(SQLValue.text) ?? .null,
                outcome.holdStage.map(SQLValue.text) ?? .null, outcome.holdUntil.map(SQLValue.int) ?? .null,
            ])
    }

    public func nextOutcome(instanceId: String) throws -> BackupOutcome? {
        try connection.query(
            "SELECT fail_stage, hold_stage, hold_until FROM next_backup_outcomes WHERE instance_id = ?1",
            [.text(instanceId)]
        ) { BackupOutcome(failStage: $0.optionalText(0), holdStage: $0.optionalText(1), holdUntil: $0.optionalInt(2)) }
        .first
    }

    /// Forgets what was scripted for the instance's next backup (it was used, or withdrawn).
    public func forgetNextOutcome(instanceId: String) throws {
        try connection.run("DELETE FROM next_backup_outcomes WHERE instance_id = ?1", [.text(instanceId)])
    }
}
