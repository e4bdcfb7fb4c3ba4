import AlibabaRPC
import EmulatorStore
import EmulatorTransport

extension ControlAPI {
    /// `GET`/`PUT`/`DELETE /_emulator/instances/{id}/next-automatic-backup`: the outcome of the next automatic backup
    /// of the instance (the first its policy in force schedules from now), as for the next manual one: `{"fail":
    /// "<stage>"}`, or `{"hold": "<stage>", "until": "<time>"}` or `"for": "<duration>"`, counted from when the task
    /// reaches that stage. Another PUT replaces it, DELETE withdraws it. The answer names the backup's start.
    func nextAutomaticBackup(_ request: HTTPRequest, of instance: InstanceRecord) throws -> HTTPResponse {
        let now = emulator.clock.now
        let model = Products.model(of: instance.product)
        switch request.method {
        case "GET": break
        case "PUT", "POST":
            let body = try jsonBody(request)
            try emulator.store.transaction { state in
                let history = try state.policySegments(instanceId: instance.instanceId)
                let current = model.automaticSchedule(history, of: instance).last
                let change = current?.changeBackup.flatMap { $0 >= now ? $0 : nil }
                guard let current,
                    let slot = [current.schedule.slot(atOrAfter: max(now, current.from)), change].compactMap({ $0 }).min()
                else { throw Failure.badRequest("\(instance.instanceId) has no automatic backups to come") }
                let outcome = try scriptedOutcome(body, for: instance) { stage in
                    slot + (model.stages.offset(of: stage, duration: BackupSchedule.duration) ?? 0)
                }
                try state.scriptAutomaticOutcome(instanceId: instance.instanceId, startedAt: slot, outcome: outcome, now: now)
            }
        case "DELETE":
            try emulator.store.transaction { try $0.withdrawAutomaticFailures(instanceId: instance.instanceId, after: now) }
        default: throw methodNotAllowed(request.method, ["GET", "PUT", "POST", "DELETE"])
        }
        let pending = try emulator.store.transaction { state in
            try state.automaticEvents(instanceId: instance.instanceId, in: (now + 1)..<Int64.max).first(where: \.isScripted)
        }
        let fields = pending.map { Self.fields(of: $0.outcome) + [.init("startTime", .string(UTCTime.iso8601($0.startedAt)))] } ?? []
        return json(200, .object([.init("nextAutomaticBackup", .object(fields))]))
    }
}
