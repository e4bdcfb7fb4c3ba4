import AlibabaRPC
import EmulatorStore
import EmulatorTransport
import ServiceKit

/// What the dashboard shows beyond the instances: the accounts, the backup tasks running now, and an instance's
/// backup sets as `DescribeBackups` lists them (automatic ones included, which are computed, never stored).
extension ControlAPI {
    /// `GET /_emulator/accounts`: every account instances may belong to, with its access key ids (never a secret).
    func accounts() -> RPCValue {
        let keys = Dictionary(grouping: emulator.accessKeys, by: \.accountId)
        return .object([
            .init(
                "accounts",
                .array(
                    emulator.accounts.sorted().map { account in
                        .object([
                            .init("account", .string(account)),
                            .init("accessKeys", .array((keys[account] ?? []).map { .string($0.id) })),
                        ])
                    })),
        ])
    }

    /// `GET /_emulator/tasks[?account=A]`: the backup tasks running now, manual and automatic, of every instance
    /// (of that account), each with its instance's id and `BackupMode`.
    func runningTasks(_ request: HTTPRequest) throws -> RPCValue {
        var account: String?
        for pair in (request.query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts[0] == "account", account == nil, parts.count == 2,
                let value = try? PercentEncoding.formDecode(parts[1]), !value.isEmpty
            else { throw Failure.badRequest("query: the only parameter is account, once, with a value") }
            account = value
        }
        let now = emulator.clock.now
        let tasks = try emulator.store.transaction { state in
            try state.instances().compactMap { $0.asOf(now) }.filter { account == nil || $0.accountId == account }
                .flatMap { instance in
                    try Products.model(of: instance.product).automaticSets(state, of: instance, now: now)
                        .tasks(state, sequence: nil).map { (instance, $0) }
                }
        }
        return .object([
            .init("tasks", .array(tasks.map { Self.describeSet($0.1, of: $0.0, now: now, withInstance: true) })),
        ])
    }

    /// `GET /_emulator/instances/{id}/backup-sets`: its finished and failed sets, newest first, manual and
    /// automatic, as `DescribeBackups` lists them; `limit` and `offset` as for `/backups`. With them, the stages its
    /// backups pass through (those a scripted outcome may name).
    func backupSets(of instance: InstanceRecord, _ request: HTTPRequest) throws -> RPCValue {
        let paging = try BackupPaging(query: request.query)
        let now = emulator.clock.now
        let (page, total) = try emulator.store.transaction { state in
            let automatic = try Products.model(of: instance.product).automaticSets(state, of: instance, now: now)
            return try BackupListing(filter: BackupSetFilter(instanceId: instance.instanceId, endedBy: now))
                .page(state, automatic: automatic, limit: paging.limit, offset: paging.offset)
        }
        return .object([
            .init("stages", .array(Products.model(of: instance.product).stages.names.map { .string($0) })),
            .init("sets", .array(page.map { Self.describeSet($0, of: instance, now: now, withInstance: false) })),
            .init("total", .integer(Int64(total))),
        ])
    }

    private static func describeSet(_ backup: BackupRecord, of instance: InstanceRecord, now: Int64, withInstance: Bool)
        -> RPCValue
    {
        var leading: [RPCValue.Field] = withInstance ? [.init("DBInstanceId", .string(instance.instanceId))] : []
        leading.append(.init("BackupMode", .string(backup.isAutomatic ? "Automated" : "Manual")))
        return describe(backup, of: instance, now: now, leading: leading)
    }
}
