import AlibabaRPC

/// Errors of the instance lifecycle operations (workflow reference §7–§13). "Not found" differs per operation on
/// the real API, and so it does here.
extension RDSError {
    public static let invalidEngine = APIError.invalidParameter("Engine")
    public static let invalidEngineVersion = APIError(
        status: 400, code: "InvalidEngineVersion.Malformed", message: "The specified parameter EngineVersion is not valid.")
    public static let invalidInstanceClass = APIError(
        status: 400, code: "InvalidDBInstanceClass.Malformed",
        message: "The specified parameter DBInstanceClass is not valid.")
    public static let invalidStorage = APIError.invalidParameter("DBInstanceStorage")
    public static let invalidStorageType = APIError.invalidParameter("DBInstanceStorageType")
    public static let invalidNetType = APIError.invalidParameter("DBInstanceNetType")
    public static let invalidNetworkType = APIError.invalidParameter("InstanceNetworkType")
    public static let classicWithCloudStorage = APIError(
        status: 400, code: "InvalidNetworkTypeClassicWhenCloudStorage",
        message: "The Specified InstanceNetworkType value Classic is not valid when choose cloud storage type.")
    public static let invalidCategory = APIError.invalidParameter("Category")
    public static let invalidPayType = APIError.invalidParameter("PayType")
    public static let invalidDescription = APIError.invalidParameter("DBInstanceDescription")
    public static let invalidClientToken = APIError.invalidParameter("ClientToken")
    public static let invalidDryRun = APIError.invalidParameter("DryRun")
    public static let invalidAmount = APIError(
        status: 400, code: "InvalidParam.Amount", message: "Amount is allowed from 1 to 20.")
    /// The emulator's own answer (as for actions it does not emulate): one instance per call.
    public static let amountNotEmulated = APIError(
        status: 501, code: "NotImplemented.ByEmulator",
        message: "CreateDBInstance with Amount above 1 is not emulated by aliyun-db-emulator; create one instance per call.")
    public static let invalidSecurityIPList = APIError(
        status: 400, code: "InvalidSecurityIPList.Format", message: "The specified parameter securityIPList is not valid.")
    public static let invalidZone = APIError(
        status: 400, code: "InvalidZone.NotSupported", message: "The Specified Zone not supported.")
    public static let invalidPort = APIError(status: 400, code: "InvalidPort.Malformed", message: "Specified port is not valid.")
    public static let idempotentParameterMismatch = APIError(
        status: 400, code: "IdempotentParameterMismatch",
        message: "The request uses the same client token as a previous, but non-identical request. Do not reuse a "
            + "client token with different requests, unless the requests are identical.")

    public static let prepaidNotReleasable = APIError(
        status: 403, code: "OperationDenied.PrePayTypeNotSupported",
        message: "The operation is not permitted due to pay type of instance.")

    public static let cloneInstanceNotFound = APIError(
        status: 404, code: "InvalidDBInstance.NotFound", message: "The specified instance does not exist or is not supported.")
    public static let missingBackupSetAndRestoreTime = APIError(
        status: 400, code: "MissBackupSetAndRestoreTime.NotFound", message: "Both BackupSet and RestoreTime are null.")
    public static let invalidRestoreTime = APIError(
        status: 400, code: "InvalidRestoreTime.Format", message: "Specified restore time is not valid.")
    public static let noBackupForRestoreTime = APIError(
        status: 404, code: "InvalidBackup.NotFound", message: "The available backup does not exist in recovery time.")
    public static let backupLogDisabled = APIError(
        status: 403, code: "InvalidBackupLogStatus",
        message: "Current backup log enable status does not support this operation.")
    public static let cloneStorageTooSmall = APIError(
        status: 400, code: "InvalidRecoveryDbInstance.StorageSize",
        message: "The disk space of the new instance cannot be less than that of the current instance")
    public static let invalidBackupType = APIError.invalidParameter("BackupType")

    public static let netInfoInstanceNotFound = APIError(
        status: 400, code: "InvalidDBInstanceName.NotFound", message: "DB instance name not found.")
    public static let invalidAcceptLanguage = APIError(
        status: 404, code: "InvalidAcceptLanguage.NotFound", message: "Only Chinese (zh-CN) and English (en-US) are allowed.")
    public static let invalidTasksPageSize = APIError.invalidParameter("PageSize")
    public static let invalidTasksPageNumber = APIError.invalidParameter("PageNumber")
    public static let invalidTasksStartTime = APIError.invalidParameter("StartTime")
    public static let invalidTasksEndTime = APIError.invalidParameter("EndTime")
}
