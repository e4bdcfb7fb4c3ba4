/// Which product an instance belongs to; each product sees only its own instances.
public enum Product: String, Sendable, CaseIterable {
    case rds
    case mongodb
}

/// A simulated database instance, as the store keeps it.
public struct InstanceRecord: Sendable, Equatable {
    public var instanceId: String
    public var product: Product
    public var accountId: String
    public var regionId: String
    public var engine: String
    public var engineVersion: String
    public var status: String
    /// RDS `DBInstanceType` (`Primary`, `Readonly`, …) or MongoDB `DBInstanceType` (`replicate`, `sharding`).
    public var instanceType: String
    /// RDS `DBInstanceStorageType` or MongoDB `StorageType`.
    public var storageType: String
    public var lockMode: String
    /// MongoDB `KindCode` (`0` local disk, `3` standalone, `18` cloud disk); nil for RDS.
    public var kindCode: String?
    public var databases: [String]
    /// The instance's other documented fields, as a JSON object; the store does not read it.
    public var attributes: String

    public init(
        instanceId: String, product: Product, accountId: String, regionId: String, engine: String,
        engineVersion: String, status: String, instanceType: String, storageType: String, lockMode: String,
        kindCode: String?, databases: [String], attributes: String = "{}"
    ) {
        self.instanceId = instanceId
        self.product = product
        self.accountId = accountId
        self.regionId = regionId
        self.engine = engine
        self.engineVersion = engineVersion
        self.status = status
        self.instanceType = instanceType
        self.storageType = storageType
        self.lockMode = lockMode
        self.kindCode = kindCode
        self.databases = databases
        self.attributes = attributes
    }
}

/// A backup accepted by CreateBackup: its task, and the backup set the task produces.
public struct BackupRecord: Sendable, Equatable {
    /// The store's sequence number; each product derives its public ids from it.
    public var sequence: Int64
    public var product: Product
    public var instanceId: String
    public var accountId: String
    public var method: String
    public var backupType: String
    public var strategy: String?
    public var databaseNames: String?
    public var retentionDays: Int64?
    /// Milliseconds since the Unix epoch (UTC).
    public var startedAt: Int64
    /// The task is in progress while the clock reads before this instant.
    public var finishesAt: Int64

    public init(
        sequence: Int64 = 0, product: Product, instanceId: String, accountId: String, method: String,
        backupType: String, strategy: String? = nil, databaseNames: String? = nil, retentionDays: Int64? = nil,
        startedAt: Int64, finishesAt: Int64
    ) {
        self.sequence = sequence
        self.product = product
        self.instanceId = instanceId
        self.accountId = accountId
        self.method = method
        self.backupType = backupType
        self.strategy = strategy
        self.databaseNames = databaseNames
        self.retentionDays = retentionDays
        self.startedAt = startedAt
        self.finishesAt = finishesAt
    }
}
