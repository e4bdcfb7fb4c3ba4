"""CreateBackup through the official Python SDKs, unchanged but for the endpoint.

Every case runs with the old SDK (V1 signature), the new SDK (V3) and the new SDK in V1 mode, and checks
what the SDK surfaces: HTTP status, code, message, request id, and the state left behind.
"""
import signal
import threading

import pytest

from conftest import UUID
from sdks import SDKS, call

RDS_METHOD = ("400", "InvalidBackupMethod.ValueNotSupport", 'The specified  parameter "BackupMethod" is not valid.')
RDS_TYPE = ("400", "BackupType.NotSupport", "the specified backup type not support")
RDS_NO_DB = ("404", "InvalidDB.NotFound", "Specified db does not exist or DB status does not support this operation.")


def invalid(name):
    return ("400", "InvalidParameter", f'The specified parameter "{name}" is not valid.')


RDS_REFUSALS = [
    ({"BackupMethod": "Physical"}, ("400", "MissingDBInstanceId", "DBInstanceId is mandatory for this action.")),
    ({"DBInstanceId": "rm-missing"}, ("404", "InvalidDBInstanceName.NotFound", "The database instance does not exist.")),
    ({"DBInstanceId": "dds-bpxxxxxxxx"}, ("404", "InvalidDBInstanceName.NotFound", "The database instance does not exist.")),
    ({"DBInstanceId": "rm-uf6wjk5xxxxxxx", "BackupMethod": "Full"}, RDS_METHOD),
    ({"DBInstanceId": "rm-uf6wjk5xxxxxxx", "BackupType": "Incremental"}, RDS_TYPE),
    ({"DBInstanceId": "rm-uf6wjk5xxxxxxx", "BackupMethod": "Logical", "BackupStrategy": "table"}, invalid("BackupStrategy")),
    ({"DBInstanceId": "rm-uf6wjk5xxxxxxx", "BackupMethod": "Logical", "BackupStrategy": "db", "DBName": "9x"},
     ("400", "InvalidDBName.Format", "Specified DB name is not valid.")),
    ({"DBInstanceId": "rm-uf6wjk5xxxxxxx", "BackupRetentionPeriod": "3"}, invalid("BackupRetentionPeriod")),
    ({"DBInstanceId": "rm-readonly"},
     ("400", "ReadDBInstanceNotSupport", "The operation is not permitted due to type of the instance.")),
    ({"DBInstanceId": "rm-uf6wjk5xxxxxxx", "BackupMethod": "Snapshot"}, RDS_METHOD),
    ({"DBInstanceId": "rm-mysql-cloud"}, RDS_METHOD),
    ({"DBInstanceId": "rm-pg-local", "BackupMethod": "Logical"}, RDS_METHOD),
    ({"DBInstanceId": "rm-mssql-cloud", "BackupMethod": "Physical"}, RDS_METHOD),
    ({"DBInstanceId": "rm-mariadb", "BackupMethod": "Snapshot"}, RDS_METHOD),
    ({"DBInstanceId": "rm-uf6wjk5xxxxxxx", "BackupType": "FullBackup"}, RDS_TYPE),
    ({"DBInstanceId": "rm-mssql-local", "BackupStrategy": "db", "DBName": "sales"}, invalid("BackupStrategy")),
    ({"DBInstanceId": "rm-uf6wjk5xxxxxxx", "BackupMethod": "Logical", "BackupStrategy": "db"},
     ("400", "MissingDBName", "DBName is mandatory for this action.")),
    ({"DBInstanceId": "rm-uf6wjk5xxxxxxx", "BackupMethod": "Logical", "DBName": "orders"}, invalid("DBName")),
    ({"DBInstanceId": "rm-pg-cloud", "BackupRetentionPeriod": "30"}, invalid("BackupRetentionPeriod")),
    ({"DBInstanceId": "rm-mysql-nodb", "BackupMethod": "Logical"}, RDS_NO_DB),
    ({"DBInstanceId": "rm-uf6wjk5xxxxxxx", "BackupMethod": "Logical", "BackupStrategy": "db", "DBName": "orders,nope"},
     RDS_NO_DB),
    ({"DBInstanceId": "rm-locked"}, ("400", "IncorrectDBInstanceLockMode.ValueNotSupported",
                                     "The Current DB instance lock mode does not support this operation.")),
    ({"DBInstanceId": "rm-stopped"},
     ("403", "IncorrectDBInstanceState", "Current DB instance state does not support this operation.")),
]

RDS_ACCEPTED = [
    ({"DBInstanceId": "rm-uf6wjk5xxxxxxx"}, "Physical"),
    ({"DBInstanceId": "rm-uf6wjk5xxxxxxx", "BackupMethod": "Logical", "BackupStrategy": "db", "DBName": "rds_mysql"},
     "Logical"),
    ({"DBInstanceId": "rm-mysql-cloud", "BackupMethod": "Snapshot"}, "Snapshot"),
    ({"DBInstanceId": "rm-pg-cloud", "BackupMethod": "Snapshot"}, "Snapshot"),
    ({"DBInstanceId": "rm-mssql-local", "BackupType": "FullBackup", "BackupStrategy": "db", "DBName": "sales",
      "BackupRetentionPeriod": "30"}, "Physical"),
    ({"DBInstanceId": "rm-mariadb", "BackupMethod": "Physical"}, "Physical"),
]

DDS_METHOD = ("400", "InvalidBackupMethod.ValueNotSupport", "The specified parameter BackupMethod is not valid.")

DDS_REFUSALS = [
    ({"BackupMethod": "Logical"}, ("400", "MissingDBInstanceId", "DBInstanceId is mandatory for this action.")),
    ({"DBInstanceId": "dds-missing"},
     ("404", "InvalidDBInstanceId.NotFound", "The DBInstanceId provided does not exist in our records.")),
    ({"DBInstanceId": "dds-bpxxxxxxxx", "BackupMethod": "Incremental"}, DDS_METHOD),
    ({"DBInstanceId": "dds-standalone", "BackupMethod": "Physical"}, DDS_METHOD),
    ({"DBInstanceId": "dds-cloud"}, DDS_METHOD),
    ({"DBInstanceId": "dds-cloud", "BackupMethod": "Logical"}, DDS_METHOD),
    ({"DBInstanceId": "dds-bpxxxxxxxx", "BackupRetentionPeriod": "30"}, invalid("BackupRetentionPeriod")),
    ({"DBInstanceId": "dds-nodb", "BackupMethod": "Logical"},
     ("403", "OperationDenied.NoDatabase", "The operation is not permitted due to no database.")),
    ({"DBInstanceId": "dds-restoring"},
     ("403", "IncorrectDBInstanceState", "Current DB instance state does not support this operation.")),
]

DDS_ACCEPTED = [
    ({"DBInstanceId": "dds-bpxxxxxxxx"}, "Physical"),
    ({"DBInstanceId": "dds-bpxxxxxxxx", "BackupMethod": "Logical"}, "Logical"),
    ({"DBInstanceId": "dds-standalone"}, "Snapshot"),
    ({"DBInstanceId": "dds-cloud", "BackupMethod": "Snapshot", "BackupRetentionPeriod": "-1"}, "Snapshot"),
    ({"DBInstanceId": "dds-sharded", "BackupMethod": "Logical"}, "Logical"),
]


def expect_error(result, expected):
    status, code, message = expected
    assert result[0] == "error", result
    assert (str(result[1]), result[2], result[3]) == (status, code, message)
    assert UUID.match(result[4]), result


@pytest.mark.parametrize("sdk", SDKS)
def test_rds_success_returns_a_backup_job_id(sdk, emulator):
    outcome, body = call(sdk, emulator, "rds", DBInstanceId="rm-uf6wjk5xxxxxxx")
    assert outcome == "ok"
    assert sorted(body) == ["BackupJobId", "RequestId"]
    assert isinstance(body["BackupJobId"], str) and body["BackupJobId"].isdigit()
    assert UUID.match(body["RequestId"])
    assert [b["BackupJobId"] for b in emulator.backups("rm-uf6wjk5xxxxxxx")] == [body["BackupJobId"]]


@pytest.mark.parametrize("sdk", SDKS)
@pytest.mark.parametrize("params,expected", RDS_REFUSALS, ids=lambda v: str(v) if isinstance(v, dict) else v[1])
def test_rds_refusals(sdk, params, expected, emulator):
    expect_error(call(sdk, emulator, "rds", **params), expected)
    target = params.get("DBInstanceId")
    if target in (None, "rm-missing", "dds-bpxxxxxxxx"):
        target = "rm-uf6wjk5xxxxxxx"  # the request named no RDS instance: nothing may have been written anywhere
    assert emulator.backups(target) == []


@pytest.mark.parametrize("sdk", SDKS)
@pytest.mark.parametrize("params,method", RDS_ACCEPTED, ids=lambda v: str(v))
def test_rds_acceptances(sdk, params, method, emulator):
    outcome, body = call(sdk, emulator, "rds", **params)
    assert outcome == "ok", body
    backups = emulator.backups(params["DBInstanceId"])
    assert [(b["BackupJobId"], b["BackupMethod"]) for b in backups] == [(body["BackupJobId"], method)]


@pytest.mark.parametrize("sdk", SDKS)
def test_rds_one_task_at_a_time(sdk, emulator):
    assert call(sdk, emulator, "rds", DBInstanceId="rm-uf6wjk5xxxxxxx")[0] == "ok"
    expect_error(call(sdk, emulator, "rds", DBInstanceId="rm-uf6wjk5xxxxxxx"),
                 ("400", "BackupJobExists", "A backup job already exists in the specified DB instance."))
    assert len(emulator.backups("rm-uf6wjk5xxxxxxx")) == 1


@pytest.mark.parametrize("sdk", SDKS)
def test_mongodb_success_returns_backup_and_job_ids(sdk, emulator):
    outcome, body = call(sdk, emulator, "dds", DBInstanceId="dds-bpxxxxxxxx")
    assert outcome == "ok"
    assert sorted(body) == ["BackupId", "BackupJobId", "RequestId"]
    assert body["BackupId"].isdigit() and body["BackupJobId"].isdigit()
    [backup] = emulator.backups("dds-bpxxxxxxxx")
    assert (backup["BackupId"], backup["BackupJobId"]) == (body["BackupId"], body["BackupJobId"])


@pytest.mark.parametrize("sdk", SDKS)
@pytest.mark.parametrize("params,expected", DDS_REFUSALS, ids=lambda v: str(v) if isinstance(v, dict) else v[1])
def test_mongodb_refusals(sdk, params, expected, emulator):
    expect_error(call(sdk, emulator, "dds", **params), expected)
    if params.get("DBInstanceId", "dds-missing") != "dds-missing":
        assert emulator.backups(params["DBInstanceId"]) == []


@pytest.mark.parametrize("sdk", SDKS)
@pytest.mark.parametrize("params,method", DDS_ACCEPTED, ids=lambda v: str(v))
def test_mongodb_acceptances(sdk, params, method, emulator):
    outcome, body = call(sdk, emulator, "dds", **params)
    assert outcome == "ok", body
    assert [b["BackupMethod"] for b in emulator.backups(params["DBInstanceId"])] == [method]


@pytest.mark.parametrize("sdk", SDKS)
def test_mongodb_one_task_at_a_time(sdk, emulator):
    assert call(sdk, emulator, "dds", DBInstanceId="dds-bpxxxxxxxx")[0] == "ok"
    expect_error(call(sdk, emulator, "dds", DBInstanceId="dds-bpxxxxxxxx"),
                 ("403", "OperationDenied.BackupJobExists", "The operation is not permitted due to backup job exist."))


@pytest.mark.parametrize("sdk", SDKS)
def test_daily_quotas(sdk, start_emulator):
    server = start_emulator("--backup-duration", "0", "--rds-daily-quota", "3", "--mongodb-daily-quota", "2")
    for _ in range(3):
        assert call(sdk, server, "rds", DBInstanceId="rm-uf6wjk5xxxxxxx")[0] == "ok"
    expect_error(call(sdk, server, "rds", DBInstanceId="rm-uf6wjk5xxxxxxx"),
                 ("403", "Exceeded.BackupTimes", "The backup times exceeds."))
    for _ in range(2):
        assert call(sdk, server, "dds", DBInstanceId="dds-bpxxxxxxxx")[0] == "ok"
    expect_error(call(sdk, server, "dds", DBInstanceId="dds-bpxxxxxxxx"),
                 ("400", "BackupTimesExceeded", "Exceeding the daily backup times of this DB instance."))


def test_default_rds_quota_is_twenty_a_day(start_emulator):
    server = start_emulator("--backup-duration", "0")
    for _ in range(20):
        assert call("new-sdk-v3", server, "rds", DBInstanceId="rm-pg-local")[0] == "ok"
    expect_error(call("new-sdk-v3", server, "rds", DBInstanceId="rm-pg-local"),
                 ("403", "Exceeded.BackupTimes", "The backup times exceeds."))


@pytest.mark.parametrize("sdk", SDKS)
def test_legacy_profile(sdk, start_emulator):
    server = start_emulator("--rds-profile", "legacy", "--backup-duration", "0")
    outcome, body = call(sdk, server, "rds", DBInstanceId="rm-uf6wjk5xxxxxxx")
    assert outcome == "ok"
    assert sorted(k for k, v in body.items() if v is not None) == ["RequestId"]
    expect_error(call(sdk, server, "rds", DBInstanceId="rm-mysql-cloud", BackupMethod="Snapshot"), RDS_METHOD)
    for _ in range(9):
        assert call(sdk, server, "rds", DBInstanceId="rm-uf6wjk5xxxxxxx")[0] == "ok"
    expect_error(call(sdk, server, "rds", DBInstanceId="rm-uf6wjk5xxxxxxx"),
                 ("403", "Exceeded.BackupTimes", "The backup times exceeds."))


def concurrently(count, work):
    results = [None] * count
    barrier = threading.Barrier(count)

    def run(index):
        barrier.wait()
        results[index] = work()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("product,instance,refusal", [
    ("rds", "rm-uf6wjk5xxxxxxx", "BackupJobExists"), ("dds", "dds-bpxxxxxxxx", "OperationDenied.BackupJobExists")])
def test_thirty_two_concurrent_calls_give_one_success(product, instance, refusal, emulator):
    results = concurrently(32, lambda: call("new-sdk-v3", emulator, product, DBInstanceId=instance))
    assert sum(r[0] == "ok" for r in results) == 1
    assert sum(r[0] == "error" and r[2] == refusal for r in results) == 31
    assert len(emulator.backups(instance)) == 1


def test_concurrent_calls_never_overshoot_the_quota(start_emulator):
    server = start_emulator("--backup-duration", "0")
    results = concurrently(32, lambda: call("old-sdk-v1", server, "rds", DBInstanceId="rm-uf6wjk5xxxxxxx"))
    assert sum(r[0] == "ok" for r in results) == 20
    assert sum(r[0] == "error" and r[2] == "Exceeded.BackupTimes" for r in results) == 12
    assert len(server.backups("rm-uf6wjk5xxxxxxx")) == 20


def test_acknowledged_backups_survive_kill_dash_nine(start_emulator, tmp_path):
    state = str(tmp_path / "state.db")
    first = start_emulator("--state", state, "--backup-duration", "0")
    acknowledged = [call("new-sdk-v3", first, "rds", DBInstanceId="rm-uf6wjk5xxxxxxx")[1]["BackupJobId"]
                    for _ in range(3)]
    assert first.control("PATCH", "/_emulator/instances/rm-pg-local", {"DBInstanceStatus": "Stopped"})[0] == 200
    first.stop(signal.SIGKILL)
    second = start_emulator("--state", state)
    assert [b["BackupJobId"] for b in second.backups("rm-uf6wjk5xxxxxxx")] == acknowledged
    assert second.control("GET", "/_emulator/instances/rm-pg-local")[1]["DBInstanceStatus"] == "Stopped"
    fresh = start_emulator("--state", str(tmp_path / "fresh.db"))
    assert fresh.control("GET", "/_emulator/instances/rm-pg-local")[1]["DBInstanceStatus"] == "Running"


def test_plain_http_gets_xml_by_default(emulator):
    status, headers, body = emulator.raw("Action=CreateBackup&Version=2014-08-15&DBInstanceId=rm-uf6wjk5xxxxxxx")
    assert status == 200
    assert headers["Content-Type"] == "text/xml;charset=utf-8"
    request_id = headers["x-acs-request-id"]
    assert body.startswith(f"<?xml version='1.0' encoding='UTF-8'?><CreateBackupResponse><RequestId>{request_id}"
                           "</RequestId><BackupJobId>")
    status, headers, body = emulator.raw("Action=CreateBackup&Version=2014-08-15&DBInstanceId=rm-stopped")
    assert status == 403
    assert "<Code>IncorrectDBInstanceState</Code>" in body and "<Recommend><![CDATA[https://api.aliyun.com/" in body
