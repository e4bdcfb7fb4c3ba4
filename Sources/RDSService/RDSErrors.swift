import AlibabaRPC

/// Every error RDS operations return, with status, code and message exactly as the real API writes
/// them (alibaba-api.md §3.1; "two spaces" and other oddities are deliberate). Gateway errors such
/// as `Missing<Name>` live in `APIError`.
public enum RDSError {
    public static let instanceNotFound = APIError(
        status: 404, code: "InvalidDBInstanceName.NotFound", message: "The database instance does not exist.")
    public static let backupMethodNotSupported = APIError(
        status: 400, code: "InvalidBackupMethod.ValueNotSupport",
        message: "The specified  parameter \"BackupMethod\" is not valid.")
    public static let backupTypeNotSupported = APIError(
        status: 400, code: "BackupType.NotSupport", message: "the specified backup type not support")
    public static let invalidDBNameFormat = APIError(
        status: 400, code: "InvalidDBName.Format", message: "Specified DB name is not valid.")
    public static let databaseNotFound = APIError(
        status: 404, code: "InvalidDB.NotFound",
        message: "Specified db does not exist or DB status does not support this operation.")
    public static let readOnlyInstance = APIError(
        status: 400, code: "ReadDBInstanceNotSupport",
        message: "The operation is not permitted due to type of the instance.")
    public static let instanceLocked = APIError(
        status: 400, code: "IncorrectDBInstanceLockMode.ValueNotSupported",
        message: "The Current DB instance lock mode does not support this operation.")
    public static let incorrectState = APIError(
        status: 403, code: "IncorrectDBInstanceState",
        message: "Current DB instance state does not support this operation.")
    public static let backupJobExists = APIError(
        status: 400, code: "BackupJobExists", message: "A backup job already exists in the specified DB instance.")
    public static let dailyQuotaExceeded = APIError(
        status: 403, code: "Exceeded.BackupTimes", message: "The backup times exceeds.")
    /// Where the API documents no code of its own, the gateway's `InvalidParameter` / `Missing<Name>` form.
    public static let invalidBackupStrategy = APIError.invalidParameter("BackupStrategy")
    public static let invalidRetentionPeriod = APIError.invalidParameter("BackupRetentionPeriod")
    public static let missingDBName = APIError.missing("DBName")
    /// `DBName` given without `BackupStrategy=db`.
    public static let dbNameWithoutDatabaseStrategy = APIError.invalidParameter("DBName")
}

/// Errors of the companion operations (alibaba-api.md §6.1–§6.4). The "not found" wording differs
/// between operations on the real API, and so it does here.
extension RDSError {
    public static let taskInstanceNotFound = APIError(
        status: 404, code: "InvalidDBInstanceName.NotFound", message: "Invalid DBInstanceId NotFound.")
    public static let invalidParameters = APIError(
        status: 400, code: "InvalidParameters.Format", message: "Specified parameter is not valid")
    public static let invalidStartTime = APIError(
        status: 400, code: "InvalidStartTime.Format", message: "Specified start time is not valid.")
    public static let invalidEndTime = APIError(
        status: 400, code: "InvalidEndTime.Format", message: "Specified end time is not valid.")
    public static let endBeforeStart = APIError(
        status: 400, code: "InvalidParameterCombination", message: "The end time must be greater than the start time")
    public static let invalidPageNumber = APIError(
        status: 400, code: "InvalidPageNumbers.Malformed", message: "Specified page number is not valid.")
    public static let invalidPageSize = APIError(
        status: 403, code: "InvalidMaxRecordsPerPage.Malformed", message: "Specified record number is not valid.")
    public static let tooManyBackupSets = APIError(
        status: 400, code: "DeleteBackupSetNumExceed", message: "Delete backup set number is more than 100.")
    public static let backupSetNotFound = APIError(
        status: 404, code: "InvalidBackupSetID.NotFound", message: "Specified backup set ID does not exist.")
    public static let deleteLocked = APIError(
        status: 404, code: "IncorrectDBInstanceLockMode",
        message: "Current DB instance lock mode does not support this operation.")
    public static let attributeInstanceNotFound = APIError(
        status: 400, code: "InvalidDBInstanceId.NotFound", message: "The DBInstanceId provided does not exist in records.")
    public static let invalidExpired = APIError.invalidParameter("Expired")
    /// DescribeDBInstances' paging (DescribeBackups' has codes of its own, above).
    public static let invalidInstancePageSize = APIError.invalidParameter("PageSize")
    public static let invalidInstancePageNumber = APIError.invalidParameter("PageNumber")
}

/// Errors of the backup policy operations (workflow-api.md §1.1, §3.2); where the metadata lists none, the codes
/// of the product's other APIs (docs/behaviour.md).
extension RDSError {
    public static func invalidPolicyParameter(_ name: String) -> APIError {
        APIError(status: 400, code: "InvalidParameters", message: "The specified parameter \"\(name)\" is not valid.")
    }
    public static let invalidPreferredBackupTime = APIError(
        status: 400, code: "InvalidPreferredBackupTime.Format", message: "Specified preferred backup time is not valid.")
    public static let invalidPreferredBackupPeriod = APIError(
        status: 400, code: "InvalidPreferredBackupPeriod.Malformed", message: "Specified backup period is not valid.")
    public static let invalidBackupRetentionPeriod = APIError(
        status: 400, code: "InvalidBackupRetentionPeriod.Malformed", message: "The specified backup retention period is invalid.")
    public static let invalidLogBackupRetentionPeriod = APIError(
        status: 400, code: "InvalidLogBackupRetentionPeriod.Malformed",
        message: "Specified log backup retention period is not valid.")
    public static let invalidLogBackupFrequency = APIError(
        status: 400, code: "InvalidLogBackupFrequency.Malformed", message: "Invalid log backup frequency.")
    public static let invalidReleasedKeepPolicy = APIError(
        status: 400, code: "InvalidReleasedKeepPolicy.Format", message: "Specified Released Keep Policy is not valid.")
    public static let backupSetNotDeletable = APIError(
        status: 403, code: "OperationDenied.BackupSetDeleteNotSupport",
        message: "The Specified backup does not support this operation.")
    public static let incorrectCategory = APIError(
        status: 403, code: "IncorrectCategory", message: "Current Instance type does not support Category.")
}
