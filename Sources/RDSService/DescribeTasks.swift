import AlibabaRPC
import EmulatorStore
import ServiceKit

/// RDS `DescribeTasks` (workflow reference §10): the instance's tasks waiting or running, i.e. the lifecycle phase
/// it is in (create, clone, restart, delete). Once deleted and gone, the instance is not found, which is what
/// Terraform waits for after DeleteDBInstance.
struct DescribeTasks: RDSOperation {
    static let action = "DescribeTasks"
    static let numericParameters: [NumericParameter] = [.integer("PageSize"), .integer("PageNumber"), .time("StartTime"), .time("EndTime")]

    let configuration: RDSConfiguration
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        try store.transaction { state in
            let instance = try state.instance(of: call, product: .rds, notFound: RDSError.attributeInstanceNotFound)
            let pageSize = try call.integer("PageSize", default: 30, otherwise: RDSError.invalidTasksPageSize) {
                (30...100).contains($0)
            }
            let pageNumber = try call.integer("PageNumber", default: 1, otherwise: RDSError.invalidTasksPageNumber) {
                (1...1_000_000).contains($0)
            }
            let from = try call.optional("StartTime").map {
                guard let instant = UTCTime.parseMinutes($0) else { throw RDSError.invalidTasksStartTime }
                return instant
            }
            let until = try call.optional("EndTime").map {
                guard let instant = UTCTime.parseMinutes($0) else { throw RDSError.invalidTasksEndTime }
                return instant + 59_999  // the whole minute
            }
            var tasks: [InstanceTransition] = instance.transition.map { [$0] } ?? []
            tasks = tasks.filter { task in
                (call.optional("TaskAction").map { $0 == task.action } ?? true)
                    && (from.map { task.startedAt >= $0 } ?? true) && (until.map { task.startedAt <= $0 } ?? true)
            }
            let page = Array(tasks.dropFirst((pageNumber - 1) * pageSize).prefix(pageSize))
            return [
                .init("PageNumber", .integer(Int64(pageNumber))), .init("PageRecordCount", .integer(Int64(page.count))),
                .init("TotalRecordCount", .integer(Int64(tasks.count))),
                .init("Items", .object([.init("TaskProgressInfo", .array(page.map { Self.describe($0, now: call.now) }))])),
            ]
        }
    }

    /// A running task as Terraform reads it: `Status` `Processing` (one of the states it waits through).
    static func describe(_ task: InstanceTransition, now: Int64) -> RPCValue {
        let step: String =
            switch task.action {
            case "DeleteDBInstance": "release_instance"
            case "RestartDBInstance": "restart_instance"
            case "CloneDBInstance": "clone_instance"
            default: "create_instance"
            }
        return .object([
            .init("TaskId", .string(String(task.startedAt))), .init("TaskAction", .string(task.action)),
            .init("Status", .string("Processing")), .init("Progress", .string(String(task.percent(at: now)))),
            .init("BeginTime", .string(RDSInstances.minutes(task.startedAt))), .init("FinishTime", .string("")),
            .init("ExpectedFinishTime", .string(RDSInstances.minutes(task.endsAt))),
            .init("Remain", .integer(max(0, (task.endsAt - now + 999) / 1000))),
            .init("CurrentStepName", .string(step)), .init("StepProgressInfo", .string("1/1")),
            .init("StepsInfo", .string("")), .init("ProgressInfo", .string("")), .init("TaskErrorCode", .string("")),
            .init("TaskErrorMessage", .string("")), .init("DBName", .string("")),
        ])
    }
}
