"""Expected replies (docs/behaviour.md §3 and §4) and the assertions every case shares."""
import re
import uuid

import pytest

from clients import ApiError

# RequestId: an upper-case version-4 UUID (docs/behaviour.md §1).
UUID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$")

# --- RDS (2014-08-15), docs/behaviour.md §3 -------------------------------------------------------------
RDS_MISSING_ID = (400, "MissingDBInstanceId", "DBInstanceId is mandatory for this action.")
RDS_NOT_FOUND = (404, "InvalidDBInstanceName.NotFound", "The database instance does not exist.")
RDS_BAD_METHOD = (400, "InvalidBackupMethod.ValueNotSupport",
                  'The specified  parameter "BackupMethod" is not valid.')  # two spaces, as the API writes it
RDS_BAD_TYPE = (400, "BackupType.NotSupport", "the specified backup type not support")
RDS_BAD_STRATEGY = (400, "InvalidParameter", 'The specified parameter "BackupStrategy" is not valid.')
RDS_BAD_DBNAME_FORMAT = (400, "InvalidDBName.Format", "Specified DB name is not valid.")
RDS_BAD_RETENTION = (400, "InvalidParameter", 'The specified parameter "BackupRetentionPeriod" is not valid.')
RDS_READONLY = (400, "ReadDBInstanceNotSupport", "The operation is not permitted due to type of the instance.")
RDS_MISSING_DBNAME = (400, "MissingDBName", "DBName is mandatory for this action.")
RDS_BAD_DBNAME = (400, "InvalidParameter", 'The specified parameter "DBName" is not valid.')
RDS_DB_NOT_FOUND = (404, "InvalidDB.NotFound",
                    "Specified db does not exist or DB status does not support this operation.")
RDS_LOCKED = (400, "IncorrectDBInstanceLockMode.ValueNotSupported",
              "The Current DB instance lock mode does not support this operation.")
RDS_BAD_STATE = (403, "IncorrectDBInstanceState", "Current DB instance state does not support this operation.")
RDS_JOB_EXISTS = (400, "BackupJobExists", "A backup job already exists in the specified DB instance.")
RDS_QUOTA = (403, "Exceeded.BackupTimes", "The backup times exceeds.")

# --- MongoDB (2015-12-01), docs/behaviour.md §4 --------------------------------------------------------
DDS_MISSING_ID = (400, "MissingDBInstanceId", "DBInstanceId is mandatory for this action.")
DDS_NOT_FOUND = (404, "InvalidDBInstanceId.NotFound", "The DBInstanceId provided does not exist in our records.")
DDS_BAD_METHOD = (400, "InvalidBackupMethod.ValueNotSupport",
                  "The specified parameter BackupMethod is not valid.")  # one space, no quotes
DDS_BAD_RETENTION = (400, "InvalidParameter", 'The specified parameter "BackupRetentionPeriod" is not valid.')
DDS_NO_DATABASE = (403, "OperationDenied.NoDatabase", "The operation is not permitted due to no database.")
DDS_BAD_STATE = (403, "IncorrectDBInstanceState", "Current DB instance state does not support this operation.")
DDS_JOB_EXISTS = (403, "OperationDenied.BackupJobExists", "The operation is not permitted due to backup job exist.")
DDS_QUOTA = (400, "BackupTimesExceeded", "Exceeding the daily backup times of this DB instance.")

RDS_REPLY_KEYS = {"RequestId", "BackupJobId"}
RDS_LEGACY_REPLY_KEYS = {"RequestId"}
DDS_REPLY_KEYS = {"RequestId", "BackupId", "BackupJobId"}


def is_request_id(value):
    """An upper-case version-4 UUID."""
    return isinstance(value, str) and bool(UUID.match(value)) and uuid.UUID(value).version == 4


def is_digits(value):
    return isinstance(value, str) and value.isdigit()


def _recorded(server, instance_id):
    """The backups the control API lists: of the instance, or of every instance when it names none."""
    known = {entry["DBInstanceId"] for entry in server.instances()}
    listed = {instance_id: server.backups(instance_id)} if instance_id in known else server.all_backups()
    # Compared by id: an entry's progress fields move with the clock.
    return {instance: [backup["BackupJobId"] for backup in backups] for instance, backups in listed.items()}


def expect_error(server, client, product, params, expected):
    """Calls CreateBackup, checks (status, Code, Message) and the request id, and that nothing was recorded."""
    before = _recorded(server, params.get("DBInstanceId"))
    with pytest.raises(ApiError) as caught:
        reply = client.create_backup(product, **params)
        pytest.fail(f"expected {expected}, got success {dict(reply)}")  # pragma: no cover
    error = caught.value
    assert (error.http_status, error.code, error.message) == expected, f"{client.kind} {product} {params}"
    assert is_request_id(error.request_id), error.request_id
    assert _recorded(server, params.get("DBInstanceId")) == before, "a refused request recorded a backup"
    return error


def expect_success(server, client, product, params, method=None, keys=None):
    """Calls CreateBackup, checks the reply's fields and that exactly one backup was recorded for it.

    `method` is the BackupMethod the control API must show (the given one or the documented default)."""
    instance_id = params["DBInstanceId"]
    before = server.backups(instance_id)
    try:
        reply = client.create_backup(product, **params)
    except ApiError as error:
        pytest.fail(f"{client.kind} {product} {params}: expected success, got {error.as_tuple()}")
    # The old SDK returns the raw body, so `keys` is checked against the wire; the new SDK's typed body keeps
    # only the fields its model knows (extra fields would be dropped), so for it this checks the known ones.
    if keys is None:
        keys = RDS_REPLY_KEYS if product == "rds" else DDS_REPLY_KEYS
    assert set(reply) == keys, reply
    assert is_request_id(reply["RequestId"]), reply
    for name in keys - {"RequestId"}:
        assert is_digits(reply[name]), reply
    after = server.backups(instance_id)
    assert len(after) == len(before) + 1, after
    before_ids = {backup["BackupJobId"] for backup in before}
    [new] = [backup for backup in after if backup["BackupJobId"] not in before_ids]
    if "BackupJobId" in reply:
        assert new["BackupJobId"] == reply["BackupJobId"], (new, reply)
    if "BackupId" in reply:
        assert new["BackupId"] == reply["BackupId"], (new, reply)
    if method is not None:
        assert new["BackupMethod"] == method, new
    return reply, new
