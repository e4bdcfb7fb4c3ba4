import AlibabaRPC
import EmulatorStore
import ServiceKit

/// `/_emulator/instances/{id}/next-backup`: the scripted outcome of an instance's next backup.
extension ControlAPI {
    /// `{"fail": "<stage>"}` or `{"hold": "<stage>", "until": "<time>"}` (or `"for": "<duration>"`, counted from
    /// `holdStart(stage)`: by default the clock's reading).
    func scriptedOutcome(_ body: JSONValue, for instance: InstanceRecord, holdStart: ((String) -> Int64)? = nil) throws
        -> BackupOutcome
    {
        let stages = Products.model(of: instance.product).stages.names
        guard case .object(let fields) = body else {
            throw Failure.badRequest("request body: a JSON object: {\"fail\": stage} or {\"hold\": stage, \"until\": time}")
        }
        if let unknown = fields.keys.sorted().first(where: { !["fail", "hold", "until", "for"].contains($0) }) {
            throw Failure.badRequest("request body: \"\(unknown)\" is not an outcome setting; use fail, or hold with until or for")
        }
        func stage(_ name: String) throws -> String? {
            guard let value = fields[name] else { return nil }
            guard case .string(let text) = value, stages.contains(text) else {
                throw Failure.badRequest(
                    "request body: \"\(name)\" must be a stage of \(instance.engine) backups: \(stages.joined(separator: ", "))")
            }
            return text
        }
        var outcome = BackupOutcome(failStage: try stage("fail"), holdStage: try stage("hold"))
        if outcome.holdStage != nil {
            if case .string(let text)? = fields["until"], let instant = UTCTime.parseISO8601(text) {
                outcome.holdUntil = instant
            } else if let span = fields["for"] {
                let (until, overflow) = (holdStart?(outcome.holdStage ?? "") ?? emulator.clock.now)
                    .addingReportingOverflow(try Self.duration(span, field: "for"))
                guard !overflow else { throw Failure.badRequest("request body: \"for\" is too long") }
                outcome.holdUntil = until
            } else {
                throw Failure.badRequest(
                    "request body: \"hold\" needs \"until\" (a time like 2024-01-01T00:10:00Z) or \"for\" (a duration)")
            }
        } else if fields["until"] != nil || fields["for"] != nil {
            throw Failure.badRequest("request body: \"until\" and \"for\" go with \"hold\"")
        }
        guard outcome.failStage != nil || outcome.holdStage != nil else {
            throw Failure.badRequest("request body: say \"fail\" or \"hold\"")
        }
        return outcome
    }

    static func describe(_ outcome: BackupOutcome?) -> RPCValue {
        .object([.init("nextBackup", .object(fields(of: outcome)))])
    }

    static func fields(of outcome: BackupOutcome?) -> [RPCValue.Field] {
        var fields: [RPCValue.Field] = []
        if let stage = outcome?.failStage { fields.append(.init("fail", .string(stage))) }
        if let stage = outcome?.holdStage { fields.append(.init("hold", .string(stage))) }
        if let until = outcome?.holdUntil { fields.append(.init("until", .string(UTCTime.iso8601(until)))) }
        return fields
    }
}
