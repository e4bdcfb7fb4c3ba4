import AlibabaRPC
import EmulatorStore
import ServiceKit

/// MongoDB `DescribeBackupTasks` (alibaba-api.md §6.6): the running tasks of an instance, or the one named by
/// `BackupJobId`.
struct DescribeBackupTasks: MongoDBOperation {
    static let action = "DescribeBackupTasks"
    static let numericParameters: [NumericParameter] = [.integer("BackupJobId")]

    let configuration: MongoDBConfiguration
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        try store.transaction { state in
            let instance = try state.instance(of: call, product: .mongodb, notFound: MongoDBError.instanceNotFound)
            var sequence: Int64?
            if let given = call.optional("BackupJobId") {
                guard let number = BackupRecord.sequence(fromPublicId: given, offset: MongoDBIdentifiers.backupJobIdOffset) else {
                    throw MongoDBError.invalidBackupJobId
                }
                sequence = number
            }
            let jobs = try MongoDBBackupPolicy.automaticSets(state, of: instance, now: call.now).tasks(state, sequence: sequence)
            return [.init("BackupJobs", .array(jobs.map { MongoDBLifecycle.job($0, now: call.now) }))]
        }
    }
}
