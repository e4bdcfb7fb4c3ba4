import AlibabaRPC

/// Every error MongoDB (Dds) operations return (alibaba-api.md §3.2). Where the CreateBackup
/// metadata is silent, the codes come from the product's other APIs and its error table;
/// docs/behaviour.md says which.
public enum MongoDBError {
    public static let instanceNotFound = APIError(
        status: 404, code: "InvalidDBInstanceId.NotFound",
        message: "The DBInstanceId provided does not exist in our records.")
    public static let backupMethodNotSupported = APIError(
        status: 400, code: "InvalidBackupMethod.ValueNotSupport",
        message: "The specified parameter BackupMethod is not valid.")
    public static let noDatabase = APIError(
        status: 403, code: "OperationDenied.NoDatabase", message: "The operation is not permitted due to no database.")
    public static let incorrectState = APIError(
        status: 403, code: "IncorrectDBInstanceState",
        message: "Current DB instance state does not support this operation.")
    public static let backupJobExists = APIError(
        status: 403, code: "OperationDenied.BackupJobExists",
        message: "The operation is not permitted due to backup job exist.")
    public static let dailyQuotaExceeded = APIError(
        status: 400, code: "BackupTimesExceeded", message: "Exceeding the daily backup times of this DB instance.")
}

/// Errors of the companion operations (alibaba-api.md §6.5–§6.7).
extension MongoDBError {
    public static let invalidStartTime = APIError(
        status: 400, code: "InvalidStartTime.Malformed", message: "The Specified parameter StartTime is not valid.")
    public static let invalidEndTime = APIError(
        status: 400, code: "InvalidEndTime.Malformed", message: "The Specified parameter EndTime is not valid.")
    public static let invalidTimeRange = APIError(
        status: 400, code: "InvalidStartTimeAndEndTime.Malformed",
        message: "The Specified parameter StartTime or EndTime is not valid.")
    public static let invalidPageSize = APIError(
        status: 400, code: "InvalidPageSize.Malformed", message: "The specified  parameter PageSize is not valid.")
    public static let invalidPageNumber = APIError.invalidParameter("PageNumber")
    public static let invalidBackupJobId = APIError.invalidParameter("BackupJobId")
    public static let invalidEngine = APIError.invalidParameter("Engine")
    /// DescribeDBInstances' page size (DescribeBackups' has a code of its own, above).
    public static let invalidInstancePageSize = APIError.invalidParameter("PageSize")
    /// Where the API documents no code of its own, the gateway's `InvalidParameter` form.
    public static let invalidRetentionPeriod = APIError.invalidParameter("BackupRetentionPeriod")
}

/// Errors of the backup policy operations (workflow-api.md §5.2).
extension MongoDBError {
    public static let invalidBackupPeriod = APIError(
        status: 400, code: "InvalidPreferredBackupPeriod.Malformed", message: "Specified parameter PreferredBackupPeriod is not valid.")
    public static let invalidBackupTime = APIError(
        status: 400, code: "InvalidPreferredBackupTime.Malformed", message: "Specified parameter PreferredBackupTime is not valid.")
    public static let invalidBackupRetentionPeriod = APIError(
        status: 400, code: "InvalidBackupRetentionPeriod.Malformed", message: "Specified backup retention period is not valid.")
    public static func invalidPolicyParameter(_ name: String) -> APIError {
        APIError(status: 400, code: "InvalidParameter", message: "The specified parameter \"\(name)\" is not valid.")
    }
}
