import AlibabaRPC
import EmulatorStore
import EmulatorTransport

extension ControlAPI {
    /// `GET`/`PUT`/`DELETE /_emulator/instances/{id}/next-automatic-backup`: `{"fail": "<stage>"}` makes the next
    /// automatic backup of the instance (the first its policy in force schedules from now) fail at that stage;
    /// another PUT replaces it, DELETE withdraws it. The answer names the backup's start.
    func nextAutomaticBackup(_ request: HTTPRequest, of instance: InstanceRecord) throws -> HTTPResponse {
        let now = emulator.clock.now
        let model = Products.model(of: instance.product)
        switch request.method {
        case "GET": break
        case "PUT", "POST":
            guard case .object(let fields) = try jsonBody(request), fields.count == 1, case .string(let stage)? = fields["fail"],
                model.stages.names.contains(stage)
            else {
                throw Failure.badRequest(
                    "request body: {\"fail\": stage}, a stage of \(instance.engine) backups: \(model.stages.names.joined(separator: ", "))")
            }
            try emulator.store.transaction { state in
                let history = try state.policySegments(instanceId: instance.instanceId)
                guard let current = model.automaticSchedule(history, of: instance).last,
                    let slot = current.schedule.slot(atOrAfter: max(now, current.from))
                else { throw Failure.badRequest("\(instance.instanceId) has no automatic backups to come") }
                try state.scriptAutomaticFailure(instanceId: instance.instanceId, startedAt: slot, stage: stage, now: now)
            }
        case "DELETE":
            try emulator.store.transaction { try $0.withdrawAutomaticFailures(instanceId: instance.instanceId, after: now) }
        default: throw methodNotAllowed(request.method, ["GET", "PUT", "POST", "DELETE"])
        }
        let pending = try emulator.store.transaction { state in
            try state.automaticEvents(instanceId: instance.instanceId, in: (now + 1)..<Int64.max).first { $0.failStage != nil }
        }
        let fields: [RPCValue.Field] = pending.map {
            [.init("fail", .string($0.failStage ?? "")), .init("startTime", .string(UTCTime.iso8601($0.startedAt)))]
        } ?? []
        return json(200, .object([.init("nextAutomaticBackup", .object(fields))]))
    }
}
