/// Which product an instance belongs to; each product sees only its own instances.
public enum Product: String, Sendable, CaseIterable {
    case rds
    case mongodb
}

/// The value of an instance's descriptive field.
public enum AttributeValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
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
    /// The instance's other documented fields (`ZoneId`, `DBInstanceClass`, …) as stored: a JSON object
    /// with sorted keys. Rules never read them, so they are decoded only when a reply shows them.
    public var attributesJSON: String
    /// The backup policy settings to give the instance when it is stored (`StoreTransaction.put`), by the API's
    /// field names; nil keeps the policy in force. Not filled in when an instance is read: see `policySegments`.
    public var backupPolicy: [String: String]?
    /// The lifecycle phase the instance is in or was last in (`asOf` derives its status from it); nil for one
    /// that never went through one.
    public var transition: InstanceTransition?

    /// The descriptive fields, echoed by the Describe operations.
    public var attributes: [String: AttributeValue] {
        get { Self.decode(attributesJSON) }
        set { attributesJSON = Self.encode(newValue) }
    }

    public init(
        instanceId: String, product: Product, accountId: String, regionId: String, engine: String,
        engineVersion: String, status: String, instanceType: String, storageType: String, lockMode: String,
        kindCode: String?, databases: [String], attributes: [String: AttributeValue] = [:]
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
        self.attributesJSON = attributes.isEmpty ? "{}" : Self.encode(attributes)
    }

    /// Sorted keys, so the text is canonical (and readable with the sqlite3 shell).
    static func encode(_ attributes: [String: AttributeValue]) -> String { AttributesJSON.encode(attributes) }

    static func decode(_ text: String) -> [String: AttributeValue] { AttributesJSON.decode(text) }
}

/// What a backup task will do, scripted through the control API: fail when it reaches a stage, or
/// stay at a stage until a point in time. The normal outcome has neither.
public struct BackupOutcome: Sendable, Equatable {
    public var failStage: String?
    public var holdStage: String?
    public var holdUntil: Int64?

    public init(failStage: String? = nil, holdStage: String? = nil, holdUntil: Int64? = nil) {
        self.failStage = failStage
        self.holdStage = holdStage
        self.holdUntil = holdUntil
    }
}

/// What a CreateBackup's rules read about its instance, read in one statement.
public struct BackupAdmission: Sendable {
    /// The instance's fields that the rules read. Its other fields, the descriptive attributes above all (a few
    /// hundred bytes of JSON), are not read: this runs inside the store's lock on every CreateBackup.
    public struct Instance: Sendable, Equatable {
        public var accountId: String
        public var engine: String
        public var status: String
        public var instanceType: String
        public var storageType: String
        public var lockMode: String
        public var kindCode: String?
        public var databases: [String]

        public init(_ record: InstanceRecord) {
            self.init(
                accountId: record.accountId, engine: record.engine, status: record.status,
                instanceType: record.instanceType, storageType: record.storageType, lockMode: record.lockMode,
                kindCode: record.kindCode, databases: record.databases)
        }

        public init(
            accountId: String, engine: String, status: String, instanceType: String, storageType: String,
            lockMode: String, kindCode: String?, databases: [String]
        ) {
            self.accountId = accountId
            self.engine = engine
            self.status = status
            self.instanceType = instanceType
            self.storageType = storageType
            self.lockMode = lockMode
            self.kindCode = kindCode
            self.databases = databases
        }
    }

    public var instance: Instance
    /// A task of the instance is running (started, not yet finished).
    public var hasTaskRunning: Bool
    /// Backups of the instance accepted during the day asked about.
    public var acceptedToday: Int
    /// What the control API scripted for the instance's next backup, if anything.
    public var scriptedOutcome: BackupOutcome?
    /// The instance has a backup total (`StoreTransaction.insert` updates it, or starts it if not).
    var hasTotal: Bool
    /// The settings given for the backup policy in force at the call (the first one, with the clock set before the
    /// instance's life): the product reads a manual set's retention from them.
    public var policySettings: [String: String] = [:]
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
    /// The task is in progress while the clock reads before this instant (it ends finished or failed).
    public var finishesAt: Int64
    /// How long the task's stages take in all, holds not counted.
    public var duration: Int64
    public var outcome: BackupOutcome
    /// When DeleteBackup removed the backup set; the task still counts for the daily quota.
    public var deletedAt: Int64?
    /// When the set stops being listed: its end plus its retention; nil when it is kept for ever.
    public var expiresAt: Int64?
    /// The instance's databases when the backup started: what the set holds, and a clone of it gets (nil for
    /// backups taken before the emulator kept them).
    public var instanceDatabases: [String]?

    public init(
        sequence: Int64 = 0, product: Product, instanceId: String, accountId: String, method: String,
        backupType: String, strategy: String? = nil, databaseNames: String? = nil, retentionDays: Int64? = nil,
        startedAt: Int64, finishesAt: Int64, duration: Int64? = nil, outcome: BackupOutcome = BackupOutcome(),
        deletedAt: Int64? = nil
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
        self.duration = duration ?? (finishesAt - startedAt)
        self.outcome = outcome
        self.deletedAt = deletedAt
    }
}

extension BackupRecord {
    /// When a set that ends at `end` and is kept `days` days expires: nil when it is kept for ever (`-1`, or past
    /// any instant the clock can show).
    public static func expiry(end: Int64, retentionDays days: Int64) -> Int64? {
        guard days >= 0 else { return nil }
        let (span, overflow) = days.multipliedReportingOverflow(by: 86_400_000)
        let (instant, later) = end.addingReportingOverflow(span)
        return overflow || later ? nil : instant
    }

    /// Whether the set is still kept at `now` (not yet expired).
    public func isKept(at now: Int64) -> Bool { expiresAt.map { $0 > now } ?? true }

    /// The sequence number behind a public id (digits: `offset + sequence`), or nil if it cannot be one.
    public static func sequence(fromPublicId text: String, offset: Int64) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let number = Int64(text) else {
            return nil
        }
        let sequence = number - offset
        return sequence > 0 ? sequence : nil
    }
}

/// Which backup sets a Describe operation lists: those of an instance, not deleted, ended by
/// `endedBy`, started in `[startedFrom, until]`.
public struct BackupSetFilter: Sendable {
    public var instanceId: String
    public var startedFrom: Int64
    public var until: Int64
    public var endedBy: Int64
    /// nil: any; true: only failed ones; false: only successful ones.
    public var failed: Bool?
    /// Only these sequence numbers (none: an empty list).
    public var sequences: [Int64]?

    /// No filter but the instance and the clock: counted from the per-instance totals.
    var isUnfiltered: Bool { startedFrom == .min && until == .max && failed == nil && sequences == nil }

    public init(instanceId: String, startedFrom: Int64 = .min, until: Int64 = .max, endedBy: Int64) {
        self.instanceId = instanceId
        self.startedFrom = startedFrom
        self.until = until
        self.endedBy = endedBy
    }
}

extension InstanceRecord {
    /// The descriptive attributes in name order, as replies list them.
    public var sortedAttributes: [(name: String, value: AttributeValue)] {
        attributes.keys.sorted().compactMap { name in attributes[name].map { (name, $0) } }
    }
}
