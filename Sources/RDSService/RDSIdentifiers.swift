/// Public ids of RDS backups, derived from the store's sequence numbers (digits, as the API's).
public enum RDSIdentifiers {
    public static let backupJobIdOffset: Int64 = 5_073_730
    public static let backupIdOffset: Int64 = 321_020_560
    public static func backupJobId(_ sequence: Int64) -> String { String(backupJobIdOffset + sequence) }
    public static func backupId(_ sequence: Int64) -> String { String(backupIdOffset + sequence) }
}
