import AlibabaRPC
import EmulatorStore

extension StoreTransaction {
    /// What CreateBackup checks against for the instance `instanceId` of `product`: the instance and its tasks
    /// on the call's UTC day. `notFound` when there is no such instance in the caller's account.
    public func backupAdmission(for call: RPCCall, instanceId: String, product: Product, notFound: APIError) throws
        -> BackupAdmission
    {
        let dayStart = UTCTime.startOfDay(call.now)
        guard
            let admission = try backupAdmission(
                instanceId, product: product, at: call.now, day: dayStart..<dayStart + UTCTime.millisecondsPerDay),
            admission.instance.accountId == call.accountId
        else { throw notFound }
        return admission
    }

    /// Starts the backup task `task`, admitted by `admission`: it takes the instance's scripted outcome, which
    /// it uses up (else it succeeds), runs for `duration` through `stages`, and ends accordingly. Its set is kept
    /// its own retention days after its end, else `policyRetentionDays` (the policy's in force now).
    public func startBackup(
        _ task: BackupRecord, after admission: BackupAdmission, duration: Int64, stages: TaskStages, policyRetentionDays: Int64
    ) throws -> BackupRecord {
        var task = task
        task.outcome = admission.scriptedOutcome ?? BackupOutcome()
        if admission.scriptedOutcome != nil { try forgetNextOutcome(instanceId: task.instanceId) }
        task.duration = duration
        task.instanceDatabases = admission.instance.databases
        task.finishesAt = BackupRecord.finishTime(
            start: task.startedAt, duration: duration, outcome: task.outcome, stages: stages)
        task.expiresAt = BackupRecord.expiry(end: task.finishesAt, retentionDays: task.retentionDays ?? policyRetentionDays)
        return try insert(task, after: admission)
    }
}
