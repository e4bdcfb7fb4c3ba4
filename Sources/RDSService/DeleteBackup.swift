import AlibabaRPC
import EmulatorStore
import ServiceKit

/// RDS `DeleteBackup` (alibaba-api.md §6.3): deletes finished backup sets, all or none. Checks, in order:
/// `DBInstanceId`, the instance (of the caller's account), `BackupId` (at most 100), the instance's type, lock
/// and state, then each set.
struct DeleteBackup: RDSOperation {
    static let action = "DeleteBackup"
    static let numericParameters: [NumericParameter] = [.integer("BackupId")]

    let configuration: RDSConfiguration
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        try store.transaction { state in
            let instance = try state.instance(of: call, product: .rds, notFound: RDSError.taskInstanceNotFound)
            let ids = try call.required("BackupId").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard ids.count <= 100 else { throw RDSError.tooManyBackupSets }
            if instance.instanceType == "Readonly" { throw RDSError.readOnlyInstance }
            if instance.lockMode != "Unlock" { throw RDSError.deleteLocked }
            if instance.status != "Running" { throw RDSError.incorrectState }
            var found: [BackupRecord] = []
            let automatic = try RDSBackupPolicy.automaticSets(state, of: instance, now: call.now)
            for id in ids {
                guard let number = BackupRecord.sequence(fromPublicId: id, offset: RDSIdentifiers.backupIdOffset) else {
                    throw RDSError.backupSetNotFound
                }
                let backup =
                    if let slot = automatic.slot(ofSequence: number), automatic.isShown(slot) {
                        automatic.record(slot)
                    } else {
                        try state.backup(sequence: number, instanceId: instance.instanceId)
                    }
                guard let backup, backup.deletedAt == nil, backup.finishesAt <= call.now, backup.isKept(at: call.now) else {
                    throw RDSError.backupSetNotFound
                }
                found.append(backup)
            }
            // Automatic sets can be deleted only once old enough (W§6.2).
            if found.contains(where: \.isAutomatic) {
                let given = try state.policySegments(instanceId: instance.instanceId).last?.settings ?? [:]
                let days = RDSBackupPolicy.deletableAfterDays(given, of: instance)
                if found.contains(where: { !RDSLifecycle.isDeletable($0, now: call.now, deletableAfterDays: days) }) {
                    throw RDSError.backupSetNotDeletable
                }
            }
            for backup in found {
                if backup.isAutomatic {
                    try state.markAutomaticDeleted(instanceId: instance.instanceId, startedAt: backup.startedAt, at: call.now)
                } else {
                    try state.markDeleted(sequence: backup.sequence, at: call.now)
                }
            }
            return []
        }
    }
}
