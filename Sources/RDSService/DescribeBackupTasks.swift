import AlibabaRPC
import EmulatorStore
import ServiceKit

/// RDS `DescribeBackupTasks` (alibaba-api.md §6.1): the running tasks of an instance, or the one named by
/// `BackupJobId`. Checks, in order: `DBInstanceId`, the instance (of the caller's account), the filters' values.
struct DescribeBackupTasks: RDSOperation {
    static let action = "DescribeBackupTasks"
    static let numericParameters: [NumericParameter] = [.integer("BackupJobId")]

    let configuration: RDSConfiguration
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        try store.transaction { state in
            let instance = try state.instance(of: call, product: .rds, notFound: RDSError.taskInstanceNotFound)
            if let mode = call.optional("BackupMode"), !["Automated", "Manual"].contains(mode) {
                throw RDSError.invalidParameters
            }
            if let status = call.optional("BackupJobStatus"), !["NoStart", "Progressing"].contains(status) {
                throw RDSError.invalidParameters
            }
            let givenJob = call.optional("BackupJobId")
            var sequence: Int64?
            if let givenJob {
                guard let number = BackupRecord.sequence(fromPublicId: givenJob, offset: RDSIdentifiers.backupJobIdOffset) else {
                    throw RDSError.invalidParameters
                }
                sequence = number
            }
            var jobs = try RDSBackupPolicy.automaticSets(state, of: instance, now: call.now).tasks(state, sequence: sequence)
            // Tasks start at Preparing, so none is ever NoStart.
            switch call.optional("BackupMode") {
            case "Automated": jobs = jobs.filter(\.isAutomatic)
            case "Manual": jobs = jobs.filter { !$0.isAutomatic }
            default: break
            }
            if call.optional("BackupJobStatus") == "NoStart" { jobs = [] }
            if call.optional("BackupJobStatus") == "Progressing" {
                jobs = jobs.filter { $0.state(at: call.now, stages: RDSLifecycle.stages).isRunning }
            }
            let items = jobs.map { RDSLifecycle.job($0, now: call.now, showBackupId: givenJob != nil) }
            return [.init("Items", .object([.init("BackupJob", .array(items))]))]
        }
    }
}
