import AlibabaRPC
import EmulatorStore
import EmulatorTransport
import MongoDBService
import RDSService

/// The emulator's own API under `/_emulator/`, for tests and demos: health, reset, and the
/// instances (read, create, change, delete). JSON in, JSON out; every error is
/// `{"code": …, "message": …}` with a 4xx status.
struct ControlAPI {
    static let prefix = "/_emulator"
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
                return json(200, .object([.init("status", .string("reset")), .init("instances", .integer(Int64(count)))]))
            case "instances":
                return try instances(request, segments.dropFirst().map { $0 })
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
            return json(500, .object([.init("code", .string("InternalError")), .init("message", .string("\(error)"))]))
        }
    }

    private func instances(_ request: HTTPRequest, _ path: [String]) throws -> HTTPResponse {
        switch path.count {
        case 0:
            try expect(request, ["GET"])
            let all = try emulator.store.transaction { try $0.instances() }
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
        case 2 where path[1] == "backups":
            try expect(request, ["GET"])
            let id = try decodedSegment(path[0])
            let instance = try existing(id)
            let backups = try emulator.store.transaction { try $0.backups(instanceId: id) }
            let now = emulator.clock.now
            return json(200, .array(backups.map { Self.describe($0, of: instance, now: now) }))
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
        return try store(body, as: id)
    }

    /// PATCH: the body's fields replace those of the existing entry (e.g. `{"DBInstanceStatus": "Stopped"}`).
    private func patch(_ id: String, _ request: HTTPRequest) throws -> HTTPResponse {
        guard case .object(let changes) = try jsonBody(request) else {
            throw Failure.badRequest("request body: a PATCH body must be a JSON object of fields to change")
        }
        var fields = InstanceFixture.fields(of: try existing(id))
        for (name, value) in changes { fields[name] = value }
        return try store(.object(fields), as: id)
    }

    private func store(_ entry: JSONValue, as id: String) throws -> HTTPResponse {
        let record: InstanceRecord
        do {
            record = try InstanceFixture.decodeEntry(entry, place: "request body", accounts: emulator.accounts)
        } catch {
            throw Failure.badRequest(error.description)
        }
        guard record.instanceId == id else {
            throw Failure.badRequest(
                "request body: field \"DBInstanceId\": \"\(record.instanceId)\" differs from the id in the path, \"\(id)\"")
        }
        let created = try emulator.store.transaction { state in
            let existed = try state.instance(id) != nil
            try state.put(record)
            return !existed
        }
        return json(created ? 201 : 200, InstanceFixture.encode(record))
    }

    private func existing(_ id: String) throws -> InstanceRecord {
        guard let instance = try emulator.store.transaction({ try $0.instance(id) }) else {
            throw Failure.notFound("no instance \(id)")
        }
        return instance
    }

    /// A backup as the control API shows it: the ids each product's API uses, and the task's times.
    static func describe(_ backup: BackupRecord, of instance: InstanceRecord, now: Int64) -> RPCValue {
        let (jobId, backupId) =
            switch instance.product {
            case .rds: (RDSIdentifiers.backupJobId(backup.sequence), RDSIdentifiers.backupId(backup.sequence))
            case .mongodb: (MongoDBIdentifiers.backupJobId(backup.sequence), MongoDBIdentifiers.backupId(backup.sequence))
            }
        var fields: [RPCValue.Field] = [
            .init("BackupJobId", .string(jobId)), .init("BackupId", .string(backupId)),
            .init("BackupMethod", .string(backup.method)), .init("BackupType", .string(backup.backupType)),
            .init("StartTime", .string(UTCTime.iso8601(backup.startedAt))),
            .init("FinishTime", .string(UTCTime.iso8601(backup.finishesAt))),
            .init("InProgress", .boolean(now < backup.finishesAt)),
        ]
        if let strategy = backup.strategy { fields.append(.init("BackupStrategy", .string(strategy))) }
        if let names = backup.databaseNames { fields.append(.init("DBName", .string(names))) }
        if let days = backup.retentionDays { fields.append(.init("BackupRetentionPeriod", .integer(days))) }
        return .object(fields)
    }

    // MARK: Helpers

    private func expect(_ request: HTTPRequest, _ methods: [String], pathIsComplete: Bool = true) throws {
        guard pathIsComplete else { throw Failure.notFound("no control endpoint \(request.path)") }
        guard methods.contains(request.method) else { throw methodNotAllowed(request.method, methods) }
    }

    private func methodNotAllowed(_ method: String, _ methods: [String]) -> Failure {
        let allowed = methods.joined(separator: ", ")
        return Failure(
            status: 405, code: "MethodNotAllowed", message: "\(method) is not allowed here; use \(allowed)",
            allow: allowed)
    }

    private func jsonBody(_ request: HTTPRequest) throws -> JSONValue {
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

    private func json(_ status: Int, _ value: RPCValue) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json;charset=utf-8", body: value.jsonText)
    }
}
