import AlibabaRPC

/// Errors of the instance lifecycle operations (workflow reference §14–§17), verbatim where documented (the
/// trailing space of `ChargeTypeViolation` and the two spaces of `InvalidSecurityIPList.Malformed` included).
extension MongoDBError {
    public static let invalidClientToken = APIError(
        status: 400, code: "InvalidClientToken.Malformed", message: "Specified parameter ClientToken is not valid.")
    public static let idempotentParameterMismatch = APIError(
        status: 400, code: "IdempotentParameterMismatch",
        message: "Request uses a client token in a previous request but is not identical to that request.")
    public static let engineVersionNotAvailable = APIError(
        status: 403, code: "InvalidEngineVersionInRegion.NotAvailable",
        message: "The EngineVersion in the Region is not available.")
    public static let invalidSpecification = APIError(
        status: 400, code: "SaleValidateNoSpecificCodeFailed",
        message: "Specified Storage or Version or InstanceClass is invalid.")
    public static let invalidStorage = APIError(
        status: 400, code: "InvalidDBInstanceStorage.ValueNotSupported",
        message: "The specified parameter DBInstanceStorage is not valid.")
    public static let invalidStorageType = APIError.invalidParameter("StorageType")
    public static let invalidStorageEngine = APIError.invalidParameter("StorageEngine")
    public static let invalidReplicationFactor = APIError.invalidParameter("ReplicationFactor")
    public static let invalidChargeType = APIError.invalidParameter("ChargeType")
    public static let invalidNetworkType = APIError.invalidParameter("NetworkType")
    public static let invalidZone = APIError.invalidParameter("ZoneId")
    public static let invalidRegion = APIError.invalidParameter("RegionId")
    public static let missingPeriod = APIError(
        status: 400, code: "MissingParameter", message: "Period is mandatory for this action.")
    public static let invalidDescription = APIError(
        status: 400, code: "InvalidDBInstanceDescription.Malformed",
        message: "Specified parameter DBInstanceDescription is not valid.")
    public static let invalidSecurityIPList = APIError(
        status: 400, code: "InvalidSecurityIPList.Malformed",
        message: "The specified  parameter \"SecurityIPList\" is not valid.")
    public static let invalidAccountPassword = APIError(
        status: 400, code: "InvalidAccountPassword.Malformed", message: "Specified parameter AccountPassword is not valid.")

    /// A clone names its source but neither a set nor a time: a restore from the recycle bin, which the emulator
    /// does not keep.
    public static let missingBackupId = APIError.missing("BackupId")
    public static let backupSetNotFound = APIError(
        status: 400, code: "InvalidBackupSetID.NotFound", message: "Specified backup set ID does not exist.")
    public static let backupSetUnusable = APIError(
        status: 403, code: "IncorrectBackupSetState", message: "Current backup set state does not support operations.")
    public static let invalidRestoreTime = APIError(
        status: 400, code: "InvalidRestoreTime.Format", message: "Specified restore time is not valid.")
    public static let backupLogDisabled = APIError(
        status: 403, code: "InvalidBackupLogStatus",
        message: "Current backup log enable status does not support this operation.")
    public static let noBackupForRestoreTime = APIError(
        status: 404, code: "InvalidBackup.NotFound", message: "The available backup does not exist in recovery time.")
    public static let cloneVersionMismatch = APIError.invalidParameter("EngineVersion")

    public static let prepaidNotReleasable = APIError(
        status: 400, code: "ChargeTypeViolation",
        message: "The operation is not permitted due to charge type of the instance. ")
    public static let invalidSwitchMode = APIError.invalidParameter("SwitchMode")
    public static let invalidAcceptLanguage = APIError.invalidParameter("AcceptLanguage")
}
