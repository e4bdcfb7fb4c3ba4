/// Public ids of MongoDB backups, derived from the store's sequence numbers.
public enum MongoDBIdentifiers {
    public static let backupIdOffset: Int64 = 56_640_000
    public static let backupJobIdOffset: Int64 = 11_230_000
    public static func backupId(_ sequence: Int64) -> String { String(backupIdOffset + sequence) }
    public static func backupJobId(_ sequence: Int64) -> String { String(backupJobIdOffset + sequence) }
}
