import AlibabaRPC
import EmulatorStore
import EmulatorTLS
import EmulatorTransport
import ServiceKit

/// The emulator's own API under `/_emulator/`, for tests and demos: health, reset, and the
/// instances (read, create, change, delete). JSON in, JSON out; every error is
/// `{"code": …, "message": …}` with a 4xx status.
struct ControlAPI {
    static let prefix = "/_emulator"

    static func isControl(_ request: HTTPRequest) -> Bool {
        request.path == prefix || request.path.hasPrefix(prefix + "/")
    }
    unowned let emulator: Emulator

    struct Failure: Error {
        let status: Int
        let code: String
        let message: String
        /// For 405: the methods the endpoint takes.
        var allow: String? = nil

        static func notFound(_ message: String) -> Failure { Failure(status: 404, code: "NotFound", message: message) }
        static func badRequest(_ message: String) -> Failure {
            Failure(status: 400, code: "InvalidRequest", message: message)
        }
    }

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        let segments = request.path.dropFirst(Self.prefix.count).split(separator: "/").map(String.init)
        do {
            switch segments.first {
            case "health":
                try expect(request, ["GET", "HEAD"], pathIsComplete: segments.count == 1)
                return json(200, .object([.init("status", .string("ok"))]))
            case "reset":
                try expect(request, ["POST"], pathIsComplete: segments.count == 1)
                let count = try emulator.reset()
                emulator.journal?.clear()
                return json(200, .object([.init("status", .string("reset")), .init("instances", .integer(Int64(count)))]))
            case "instances":
                return try instances(request, segments.dropFirst().map { $0 })
            case "config":
                try expect(request, ["GET"], pathIsComplete: segments.count == 1)
                return json(200, effectiveConfiguration())
            case "actions":
                try expect(request, ["GET"], pathIsComplete: segments.count == 1)
                return json(200, Self.actionCatalogue(of: emulator.services))
            case "requests":
                return try requests(request, segments.dropFirst().map { $0 })
            case "accounts":
                try expect(request, ["GET"], pathIsComplete: segments.count == 1)
                return json(200, accounts())
            case "tasks":
                try expect(request, ["GET"], pathIsComplete: segments.count == 1)
                return json(200, try runningTasks(request))
            case "clock":
                try expect(request, ["GET", "POST"], pathIsComplete: segments.count == 1)
                if request.method == "POST" { try changeClock(try jsonBody(request)) }
                return json(200, clockState())
            default:
                throw Failure.notFound("no control endpoint \(request.path); see the README for the control API")
            }
        } catch let failure as Failure {
            var response = json(
                failure.status,
                .object([.init("code", .string(failure.code)), .init("message", .string(failure.message))]))
            if let allow = failure.allow { response.headers.append(("Allow", allow)) }
            return response
        } catch {
            emulator.logInternalFailure(error, request: request)
            return json(500, .object([.init("code", .string("InternalError")), .init("message", .string("\(error)"))]))
        }
    }

    private func instances(_ request: HTTPRequest, _ path: [String]) throws -> HTTPResponse {
        switch path.count {
        case 0:
            try expect(request, ["GET"])
            // As they are now: the status of a lifecycle phase under way; deleted instances once gone are no more.
            let now = emulator.clock.now
            let all = try emulator.store.transaction { state in
                try state.instances().compactMap { $0.asOf(now) }.map { try withPolicy($0, state) }
            }
            return json(200, .array(all.map(InstanceFixture.encode)))
        case 1:
            let id = try decodedSegment(path[0])
            switch request.method {
            case "GET": return json(200, InstanceFixture.encode(try existing(id)))
            case "PUT": return try put(id, request)
            case "PATCH": return try patch(id, request)
            case "DELETE":
                guard try emulator.store.transaction({ try $0.deleteInstance(id) }) else {
                    throw Failure.notFound("no instance \(id)")
                }
                return HTTPResponse(status: 204)
            default: throw methodNotAllowed(request.method, ["GET", "PUT", "PATCH", "DELETE"])
            }
        case 2 where path[1] == "next-backup":
            let instance = try existing(try decodedSegment(path[0]))
            switch request.method {
            case "GET": break
            case "PUT", "POST":
                let outcome = try scriptedOutcome(try jsonBody(request), for: instance)
                try emulator.store.transaction { try $0.setNextOutcome(outcome, instanceId: instance.instanceId) }
            case "DELETE":
                try emulator.store.transaction { try $0.forgetNextOutcome(instanceId: instance.instanceId) }
            default: throw methodNotAllowed(request.method, ["GET", "PUT", "POST", "DELETE"])
            }
            let pending = try emulator.store.transaction { try $0.nextOutcome(instanceId: instance.instanceId) }
            return json(200, Self.describe(pending))
        case 2 where path[1] == "next-automatic-backup":
            return try nextAutomaticBackup(request, of: try existing(try decodedSegment(path[0])))
        case 2 where path[1] == "backup-sets":
            try expect(request, ["GET"])
            return json(200, try backupSets(of: try existing(try decodedSegment(path[0])), request))
        case 2 where path[1] == "backups":
            try expect(request, ["GET"])
            return try backups(of: try existing(try decodedSegment(path[0])), request)
        default:
            throw Failure.notFound("no control endpoint \(request.path); see the README for the control API")
        }
    }

    /// PUT: the body is one fixture entry; it creates the instance or replaces it (its backups stay).
    private func put(_ id: String, _ request: HTTPRequest) throws -> HTTPResponse {
        var body = try jsonBody(request)
        if case .object(var fields) = body, fields["DBInstanceId"] == nil {
            fields["DBInstanceId"] = .string(id)
            body = .object(fields)
        }
        return try store(body, as: id, keepingPolicy: false)
    }

    /// PATCH: the body's fields replace those of the existing entry (e.g. `{"DBInstanceStatus": "Stopped"}`).
    private func patch(_ id: String, _ request: HTTPRequest) throws -> HTTPResponse {
        guard case .object(let changes) = try jsonBody(request) else {
            throw Failure.badRequest("request body: a PATCH body must be a JSON object of fields to change")
        }
        var current = try existing(id)
        // A lifecycle phase under way goes on unless the patch sets the status itself.
        var transition: InstanceTransition?
        if changes["DBInstanceStatus"] == nil, let phase = current.transition,
            let resting = try emulator.store.transaction({ try $0.instance(id) })
        {
            transition = phase
            current.status = resting.status
        }
        var fields = InstanceFixture.fields(of: current)
        for (name, value) in changes {
            // The policy's settings are merged too: `{"BackupPolicy": {"BackupRetentionPeriod": 10}}` changes one.
            if name == "BackupPolicy", case .object(let settings) = value, case .object(var current)? = fields[name] {
                for (setting, value) in settings { current[setting] = value }
                fields[name] = .object(current)
            } else {
                fields[name] = value
            }
        }
        return try store(.object(fields), as: id, keepingPolicy: changes["BackupPolicy"] == nil, transition: transition)
    }

    /// Stores an entry. A PUT's entry replaces the policy too (defaults where it has none); a PATCH without
    /// `BackupPolicy` keeps it.
    private func store(_ entry: JSONValue, as id: String, keepingPolicy: Bool, transition: InstanceTransition? = nil)
        throws -> HTTPResponse
    {
        var record: InstanceRecord
        do {
            record = try InstanceFixture.decodeEntry(entry, place: "request body", accounts: emulator.accounts)
            record.transition = transition
        } catch {
            throw Failure.badRequest(error.description)
        }
        guard record.instanceId == id else {
            throw Failure.badRequest(
                "request body: field \"DBInstanceId\": \"\(record.instanceId)\" differs from the id in the path, \"\(id)\"")
        }
        if keepingPolicy { record.backupPolicy = nil } else if record.backupPolicy == nil { record.backupPolicy = [:] }
        let now = emulator.clock.now
        let (created, stored) = try emulator.store.transaction { state in
            let existed = try state.instance(id) != nil
            try state.put(record, at: now)
            return (!existed, try withPolicy(record, state))
        }
        return json(created ? 201 : 200, InstanceFixture.encode(stored.asOf(now) ?? stored))
    }

    /// The instance with the policy in force, as fixture entries show it.
    private func withPolicy(_ instance: InstanceRecord, _ state: StoreTransaction) throws -> InstanceRecord {
        var shown = instance
        shown.backupPolicy = try state.policySegments(instanceId: instance.instanceId).last?.settings ?? [:]
        return shown
    }

    /// The instance as it is now (a deleted one once gone is no more), with its policy.
    func existing(_ id: String) throws -> InstanceRecord {
        let now = emulator.clock.now
        guard
            let instance = try emulator.store.transaction({ state in
                try state.instance(id)?.asOf(now).map { try withPolicy($0, state) }
            })
        else {
            throw Failure.notFound("no instance \(id)")
        }
        return instance
    }

    /// A backup as the control API shows it: the ids each product's API uses, and the task's times, after `leading`.
    static func describe(_ backup: BackupRecord, of instance: InstanceRecord, now: Int64, leading: [RPCValue.Field] = [])
        -> RPCValue
    {
        let model = Products.model(of: instance.product)
        let state = backup.state(at: now, stages: model.stages)
        let status: String =
            switch state.phase {
            case .running(let stage): stage
            case .finished: "Finished"
            case .failed(let stage): "Failed at \(stage)"
            }
        var fields: [RPCValue.Field] = leading + [
            .init("BackupJobId", .string(model.backupJobId(backup.sequence))),
            .init("BackupId", .string(model.backupId(backup.sequence))),
            .init("BackupMethod", .string(backup.method)), .init("BackupType", .string(backup.backupType)),
            .init("StartTime", .string(UTCTime.iso8601(backup.startedAt))),
            .init("FinishTime", .string(UTCTime.iso8601(backup.finishesAt))),
            .init("InProgress", .boolean(state.isRunning)), .init("Status", .string(status)),
            .init("Progress", .integer(Int64(state.percent))),
        ]
        if let deleted = backup.deletedAt { fields.append(.init("DeletedTime", .string(UTCTime.iso8601(deleted)))) }
        fields.append(.init("ExpireTime", .string(backup.expiresAt.map(UTCTime.iso8601) ?? keptForever)))
        if let strategy = backup.strategy { fields.append(.init("BackupStrategy", .string(strategy))) }
        if let names = backup.databaseNames { fields.append(.init("DBName", .string(names))) }
        if let days = backup.retentionDays { fields.append(.init("BackupRetentionPeriod", .integer(days))) }
        return .object(fields)
    }

    /// 401 for a control request without the right bearer token.
    /// The reply to a control request whose changes could not be saved.
    static func notSaved() -> HTTPResponse {
        HTTPResponse(
            status: 500, contentType: "application/json;charset=utf-8",
            body: RPCValue.object([
                .init("code", .string("InternalError")),
                .init("message", .string("the state could not be saved; the change was not made")),
            ]).jsonText)
    }

    /// The largest control body: a fixture entry is a few hundred bytes.
    static let bodyLimit = 1 << 20

    static func tooLarge() -> HTTPResponse {
        failure(status: 413, code: "PayloadTooLarge", message: "request body: larger than the limit of \(bodyLimit) bytes (1 MiB)")
    }

    static func failure(status: Int, code: String, message: String) -> HTTPResponse {
        HTTPResponse(
            status: status, contentType: "application/json;charset=utf-8",
            body: RPCValue.object([.init("code", .string(code)), .init("message", .string(message))]).jsonText)
    }

    static func unauthorized() -> HTTPResponse {
        var response = HTTPResponse(
            status: 401, contentType: "application/json;charset=utf-8",
            body: RPCValue.object([
                .init("code", .string("Unauthorized")),
                .init("message", .string("the control API wants Authorization: Bearer <token>, the --control-token the emulator was started with")),
            ]).jsonText)
        response.headers.append(("WWW-Authenticate", "Bearer"))
        return response
    }

    /// The configuration in force, secrets hidden: key secrets and the control token are never shown.
    private func effectiveConfiguration() -> RPCValue {
        let configuration = emulator.configuration
        let services = emulator.serviceConfigurations
        return .object([
            .init("version", .string(EmulatorVersion.current)), .init("host", .string(configuration.host)),
            .init("port", .integer(Int64(emulator.boundPort ?? configuration.port))),
            .init("workers", .integer(Int64(configuration.workers))),
            .init("maxConnections", .integer(Int64(configuration.maxConnections))),
            .init("state", .string(configuration.statePath)),
            .init("fixtures", .string(configuration.fixturesDirectory ?? "bundled")),
            .init("signature", .string(configuration.signatureMode.rawValue)),
            .init("rdsProfile", .string(configuration.rdsProfile.rawValue)),
            .init("backupDuration", .string("\(configuration.backupDuration)")),
            .init("rdsDailyQuota", .integer(Int64(services.rds.dailyQuota))),
            .init("mongodbDailyQuota", .integer(Int64(services.mongodb.dailyQuota))),
            .init("instanceCreateDuration", .string("\(configuration.instanceDurations.create)")),
            .init("instanceRestartDuration", .string("\(configuration.instanceDurations.restart)")),
            .init("instanceDeleteDuration", .string("\(configuration.instanceDurations.delete)")),
            .init("nonceCapacity", .integer(Int64(configuration.nonceCapacity))),
            .init("logLevel", .string(configuration.logLevel)), .init("logFormat", .string(configuration.logFormat.rawValue)),
            .init("controlToken", .string(configuration.controlToken == nil ? "not set" : "set (hidden)")),
            .init("journalSize", .integer(Int64(emulator.journal?.capacity ?? 0))),
            .init("accessKeys", .array(emulator.accessKeys.map { .string($0.id) })),
        ] + httpsConfiguration())
    }

    /// The HTTPS port and its certificate's files, when the port is open.
    private func httpsConfiguration() -> [RPCValue.Field] {
        guard let https = emulator.https else { return [] }
        var fields: [RPCValue.Field] = [
            .init("httpsPort", .integer(Int64(https.port))), .init("tlsCert", .string(https.files.certificateChain)),
            .init("tlsKey", .string(https.files.privateKey)),
        ]
        if emulator.configuration.tlsCertificateFile == nil, let directory = emulator.configuration.tlsDirectory {
            fields += [.init("tlsDir", .string(directory)), .init("tlsCA", .string(directory + "/ca.pem"))]
        }
        return fields
    }

    // MARK: Helpers

    func expect(_ request: HTTPRequest, _ methods: [String], pathIsComplete: Bool = true) throws {
        guard pathIsComplete else { throw Failure.notFound("no control endpoint \(request.path)") }
        guard methods.contains(request.method) else { throw methodNotAllowed(request.method, methods) }
    }

    func methodNotAllowed(_ method: String, _ methods: [String]) -> Failure {
        let allowed = methods.joined(separator: ", ")
        return Failure(
            status: 405, code: "MethodNotAllowed", message: "\(method) is not allowed here; use \(allowed)",
            allow: allowed)
    }

    func jsonBody(_ request: HTTPRequest) throws -> JSONValue {
        guard !request.body.isEmpty else { throw Failure.badRequest("request body: a JSON body is required") }
        do {
            return try JSONValue.parse(request.body)
        } catch {
            throw Failure.badRequest("request body: \((error as? JSONValue.ParseError)?.reason ?? "not valid JSON")")
        }
    }

    private func decodedSegment(_ segment: String) throws -> String {
        do { return try PercentEncoding.formDecode(segment) } catch {
            throw Failure.badRequest("path: \(error.reason)")
        }
    }

    func json(_ status: Int, _ value: RPCValue) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json;charset=utf-8", body: value.jsonText)
    }
}
