"""RDS CreateBackup (2014-08-15), docs/behaviour.md §3: every check, in order, through all three SDK paths.

Each case runs on the shared default server (current profile, 5 s tasks), reset before the test. A refusal must
come with the exact HTTP status, Code and Message, a version-4 upper-case request id, and leave no backup behind.
"""
import json

import pytest

from expectations import (
    RDS_BAD_DBNAME, RDS_BAD_DBNAME_FORMAT, RDS_BAD_METHOD, RDS_BAD_RETENTION, RDS_BAD_STATE, RDS_BAD_STRATEGY,
    RDS_BAD_TYPE, RDS_DB_NOT_FOUND, RDS_JOB_EXISTS, RDS_LOCKED, RDS_MISSING_DBNAME, RDS_MISSING_ID, RDS_NOT_FOUND,
    RDS_READONLY, expect_error, expect_success, is_digits,
)

MYSQL = "rm-uf6wjk5xxxxxxx"  # MySQL, local disk, databases rds_mysql and orders


def case(instance, expected, case_id, **params):
    if instance is not None:
        params = {"DBInstanceId": instance, **params}
    return pytest.param(params, expected, id=case_id)


REFUSALS = [
    # 1: DBInstanceId present (both SDK generations send the request without it; checked before everything else)
    case(None, RDS_MISSING_ID, "1-no-instance-id"),
    case(None, RDS_MISSING_ID, "1-before-3a", BackupMethod="Incremental"),
    # 2: the instance exists and is an RDS instance
    case("rm-doesnotexist", RDS_NOT_FOUND, "2-unknown"),
    case("dds-bpxxxxxxxx", RDS_NOT_FOUND, "2-mongodb-instance-is-not-rds"),
    case("rm-doesnotexist", RDS_NOT_FOUND, "2-before-3a", BackupMethod="Incremental"),
    # 3a: BackupMethod value
    case(MYSQL, RDS_BAD_METHOD, "3a-unknown-method", BackupMethod="Incremental"),
    case(MYSQL, RDS_BAD_METHOD, "3a-lowercase-method", BackupMethod="physical"),
    case(MYSQL, RDS_BAD_METHOD, "3a-before-3b", BackupMethod="Full", BackupType="Incremental"),
    case("rm-readonly", RDS_BAD_METHOD, "3a-before-4", BackupMethod="Incremental"),
    case("rm-locked", RDS_BAD_METHOD, "3a-before-7", BackupMethod="Incremental"),
    case("rm-stopped", RDS_BAD_METHOD, "3a-before-8", BackupMethod="Incremental"),
    # 3b: BackupType value
    case(MYSQL, RDS_BAD_TYPE, "3b-unknown-type", BackupType="Incremental"),
    case("rm-mssql-local", RDS_BAD_TYPE, "3b-unknown-type-sqlserver", BackupType="Incremental"),
    case(MYSQL, RDS_BAD_TYPE, "3b-before-3c", BackupType="Incremental", BackupStrategy="table"),
    # 3c: BackupStrategy value
    case(MYSQL, RDS_BAD_STRATEGY, "3c-unknown-strategy", BackupMethod="Logical", BackupStrategy="table"),
    case(MYSQL, RDS_BAD_STRATEGY, "3c-before-3d", BackupMethod="Logical", BackupStrategy="table", DBName="9x"),
    # 3d: DBName format
    case(MYSQL, RDS_BAD_DBNAME_FORMAT, "3d-starts-with-digit", BackupMethod="Logical", BackupStrategy="db",
         DBName="9rds"),
    case(MYSQL, RDS_BAD_DBNAME_FORMAT, "3d-starts-with-underscore", BackupMethod="Logical", BackupStrategy="db",
         DBName="_rds"),
    case(MYSQL, RDS_BAD_DBNAME_FORMAT, "3d-space", BackupMethod="Logical", BackupStrategy="db", DBName="rds mysql"),
    case(MYSQL, RDS_BAD_DBNAME_FORMAT, "3d-dot", BackupMethod="Logical", BackupStrategy="db", DBName="rds.mysql"),
    case(MYSQL, RDS_BAD_DBNAME_FORMAT, "3d-65-chars", BackupMethod="Logical", BackupStrategy="db",
         DBName="a" * 65),
    case(MYSQL, RDS_BAD_DBNAME_FORMAT, "3d-empty-entry", BackupMethod="Logical", BackupStrategy="db",
         DBName="rds_mysql,,orders"),
    case(MYSQL, RDS_BAD_DBNAME_FORMAT, "3d-second-entry", BackupMethod="Logical", BackupStrategy="db",
         DBName="rds_mysql,9x"),
    case(MYSQL, RDS_BAD_DBNAME_FORMAT, "3d-before-3e", BackupMethod="Logical", BackupStrategy="db",
         DBName="9x", BackupRetentionPeriod=1),
    case("rm-pg-local", RDS_BAD_DBNAME_FORMAT, "3d-before-5e", DBName="9x"),
    # 3e: BackupRetentionPeriod value
    case(MYSQL, RDS_BAD_RETENTION, "3e-6-days", BackupRetentionPeriod=6),
    case(MYSQL, RDS_BAD_RETENTION, "3e-731-days", BackupRetentionPeriod=731),
    case(MYSQL, RDS_BAD_RETENTION, "3e-0-days", BackupRetentionPeriod=0),
    case(MYSQL, RDS_BAD_RETENTION, "3e-minus-2", BackupRetentionPeriod=-2),
    case("rm-readonly", RDS_BAD_RETENTION, "3e-before-4", BackupRetentionPeriod=6),
    case("rm-pg-local", RDS_BAD_RETENTION, "3e-before-5f", BackupRetentionPeriod=6),
    # 4: not read-only
    case("rm-readonly", RDS_READONLY, "4-readonly"),
    case("rm-readonly", RDS_READONLY, "4-before-5a", BackupMethod="Snapshot"),
    case("rm-readonly", RDS_READONLY, "4-before-6b", BackupMethod="Logical", BackupStrategy="db", DBName="nosuchdb"),
    # 5a: method by engine and storage (absent means Physical)
    case(MYSQL, RDS_BAD_METHOD, "5a-mysql-local-snapshot", BackupMethod="Snapshot"),
    case("rm-mysql-cloud", RDS_BAD_METHOD, "5a-mysql-cloud-default"),
    case("rm-mysql-cloud", RDS_BAD_METHOD, "5a-mysql-cloud-physical", BackupMethod="Physical"),
    case("rm-mysql-cloud", RDS_BAD_METHOD, "5a-mysql-cloud-logical", BackupMethod="Logical"),
    case("rm-pg-local", RDS_BAD_METHOD, "5a-pg-local-logical", BackupMethod="Logical"),
    case("rm-pg-local", RDS_BAD_METHOD, "5a-pg-local-snapshot", BackupMethod="Snapshot"),
    case("rm-pg-cloud", RDS_BAD_METHOD, "5a-pg-cloud-logical", BackupMethod="Logical"),
    case("rm-mssql-local", RDS_BAD_METHOD, "5a-mssql-local-logical", BackupMethod="Logical"),
    case("rm-mssql-local", RDS_BAD_METHOD, "5a-mssql-local-snapshot", BackupMethod="Snapshot"),
    case("rm-mssql-cloud", RDS_BAD_METHOD, "5a-mssql-cloud-default"),
    case("rm-mssql-cloud", RDS_BAD_METHOD, "5a-mssql-cloud-physical", BackupMethod="Physical"),
    case("rm-mssql-cloud", RDS_BAD_METHOD, "5a-mssql-cloud-logical", BackupMethod="Logical"),
    case("rm-mariadb", RDS_BAD_METHOD, "5a-mariadb-logical", BackupMethod="Logical"),
    case("rm-mariadb", RDS_BAD_METHOD, "5a-mariadb-snapshot", BackupMethod="Snapshot"),
    case("rm-mssql-local", RDS_BAD_METHOD, "5a-before-5b", BackupMethod="Logical", BackupType="FullBackup"),
    case("rm-mysql-cloud", RDS_BAD_METHOD, "5a-before-5f", BackupMethod="Physical", BackupRetentionPeriod=30),
    case("rm-locked", RDS_BAD_METHOD, "5a-before-7", BackupMethod="Snapshot"),
    case("rm-stopped", RDS_BAD_METHOD, "5a-before-8", BackupMethod="Snapshot"),
    # 5b: BackupType only on SQL Server with Physical (an explicit Auto counts as given)
    case(MYSQL, RDS_BAD_TYPE, "5b-mysql-fullbackup", BackupType="FullBackup"),
    case(MYSQL, RDS_BAD_TYPE, "5b-mysql-explicit-auto", BackupType="Auto"),
    case(MYSQL, RDS_BAD_TYPE, "5b-mysql-logical-fullbackup", BackupMethod="Logical", BackupType="FullBackup"),
    case("rm-pg-local", RDS_BAD_TYPE, "5b-pg-fullbackup", BackupType="FullBackup"),
    case("rm-mariadb", RDS_BAD_TYPE, "5b-mariadb-auto", BackupMethod="Physical", BackupType="Auto"),
    case("rm-mssql-cloud", RDS_BAD_TYPE, "5b-mssql-snapshot-fullbackup", BackupMethod="Snapshot",
         BackupType="FullBackup"),
    case(MYSQL, RDS_BAD_TYPE, "5b-before-5c", BackupType="FullBackup", BackupStrategy="instance"),
    # 5c: BackupStrategy only with MySQL + Logical, or SQL Server + Physical + FullBackup
    case(MYSQL, RDS_BAD_STRATEGY, "5c-mysql-physical", BackupMethod="Physical", BackupStrategy="instance"),
    case(MYSQL, RDS_BAD_STRATEGY, "5c-mysql-default-method", BackupStrategy="instance"),
    case("rm-mysql-cloud", RDS_BAD_STRATEGY, "5c-mysql-snapshot", BackupMethod="Snapshot", BackupStrategy="instance"),
    case("rm-pg-local", RDS_BAD_STRATEGY, "5c-pg", BackupStrategy="instance"),
    case("rm-mariadb", RDS_BAD_STRATEGY, "5c-mariadb", BackupStrategy="db", DBName="app"),
    case("rm-mssql-local", RDS_BAD_STRATEGY, "5c-mssql-without-type", BackupStrategy="instance"),
    case("rm-mssql-local", RDS_BAD_STRATEGY, "5c-mssql-auto", BackupType="Auto", BackupStrategy="instance"),
    case("rm-mssql-local", RDS_BAD_STRATEGY, "5c-before-5d", BackupStrategy="db"),
    case(MYSQL, RDS_BAD_STRATEGY, "5c-before-5d-mysql", BackupMethod="Physical", BackupStrategy="db"),
    # 5d: BackupStrategy=db needs DBName
    case(MYSQL, RDS_MISSING_DBNAME, "5d-mysql", BackupMethod="Logical", BackupStrategy="db"),
    case("rm-mssql-local", RDS_MISSING_DBNAME, "5d-mssql", BackupType="FullBackup", BackupStrategy="db"),
    case("rm-mysql-nodb", RDS_MISSING_DBNAME, "5d-before-6a", BackupMethod="Logical", BackupStrategy="db"),
    # 5e: DBName only with BackupStrategy=db
    case(MYSQL, RDS_BAD_DBNAME, "5e-logical-without-strategy", BackupMethod="Logical", DBName="rds_mysql"),
    case(MYSQL, RDS_BAD_DBNAME, "5e-logical-instance", BackupMethod="Logical", BackupStrategy="instance",
         DBName="rds_mysql"),
    case(MYSQL, RDS_BAD_DBNAME, "5e-physical", BackupMethod="Physical", DBName="rds_mysql"),
    case("rm-pg-local", RDS_BAD_DBNAME, "5e-pg", DBName="app"),
    case("rm-mssql-local", RDS_BAD_DBNAME, "5e-mssql-instance", BackupType="FullBackup", BackupStrategy="instance",
         DBName="sales"),
    case(MYSQL, RDS_BAD_DBNAME, "5e-before-6b", BackupMethod="Logical", DBName="nosuchdb"),
    case("rm-pg-local", RDS_BAD_DBNAME, "5e-before-5f", DBName="app", BackupRetentionPeriod=7),
    # 5f: BackupRetentionPeriod only on MySQL, or SQL Server with db + Physical + FullBackup
    case("rm-pg-local", RDS_BAD_RETENTION, "5f-pg-local", BackupRetentionPeriod=7),
    case("rm-pg-cloud", RDS_BAD_RETENTION, "5f-pg-cloud-snapshot", BackupMethod="Snapshot", BackupRetentionPeriod=30),
    case("rm-mariadb", RDS_BAD_RETENTION, "5f-mariadb", BackupRetentionPeriod=7),
    case("rm-mssql-cloud", RDS_BAD_RETENTION, "5f-mssql-snapshot", BackupMethod="Snapshot", BackupRetentionPeriod=7),
    case("rm-mssql-local", RDS_BAD_RETENTION, "5f-mssql-physical", BackupRetentionPeriod=7),
    case("rm-mssql-local", RDS_BAD_RETENTION, "5f-mssql-fullbackup", BackupType="FullBackup",
         BackupRetentionPeriod=7),
    case("rm-mssql-local", RDS_BAD_RETENTION, "5f-mssql-fullbackup-instance", BackupType="FullBackup",
         BackupStrategy="instance", BackupRetentionPeriod=7),
    case("rm-pg-local", RDS_BAD_RETENTION, "5f-before-7", BackupRetentionPeriod=-1),
    # 6a: a Logical backup needs at least one database
    case("rm-mysql-nodb", RDS_DB_NOT_FOUND, "6a-logical", BackupMethod="Logical"),
    case("rm-mysql-nodb", RDS_DB_NOT_FOUND, "6a-logical-instance", BackupMethod="Logical", BackupStrategy="instance"),
    # 6b: every DBName is a database of the instance
    case(MYSQL, RDS_DB_NOT_FOUND, "6b-unknown-db", BackupMethod="Logical", BackupStrategy="db", DBName="nosuchdb"),
    case(MYSQL, RDS_DB_NOT_FOUND, "6b-one-unknown-of-two", BackupMethod="Logical", BackupStrategy="db",
         DBName="rds_mysql,nosuchdb"),
    case(MYSQL, RDS_DB_NOT_FOUND, "6b-64-chars-is-well-formed", BackupMethod="Logical", BackupStrategy="db",
         DBName="a" * 64),
    case("rm-mysql-nodb", RDS_DB_NOT_FOUND, "6b-nodb", BackupMethod="Logical", BackupStrategy="db", DBName="app"),
    case("rm-mssql-local", RDS_DB_NOT_FOUND, "6b-mssql", BackupType="FullBackup", BackupStrategy="db",
         DBName="sales,app"),
    case("rm-locked", RDS_DB_NOT_FOUND, "6b-before-7", BackupMethod="Logical", BackupStrategy="db", DBName="nosuchdb"),
    case("rm-stopped", RDS_DB_NOT_FOUND, "6b-before-8", BackupMethod="Logical", BackupStrategy="db", DBName="nosuchdb"),
    # 7: LockMode Unlock
    case("rm-locked", RDS_LOCKED, "7-locked"),
    case("rm-locked", RDS_LOCKED, "7-locked-logical", BackupMethod="Logical", BackupStrategy="db", DBName="app"),
    # 8: DBInstanceStatus Running
    case("rm-stopped", RDS_BAD_STATE, "8-stopped"),
    case("rm-stopped", RDS_BAD_STATE, "8-stopped-logical", BackupMethod="Logical", BackupStrategy="db", DBName="app"),
]

# The method column the control API must show (absent BackupMethod means Physical).
ACCEPTED = [
    pytest.param({"DBInstanceId": MYSQL}, "Physical", id="mysql-local-default"),
    pytest.param({"DBInstanceId": MYSQL, "BackupMethod": "Physical"}, "Physical", id="mysql-local-physical"),
    pytest.param({"DBInstanceId": MYSQL, "BackupMethod": "Logical"}, "Logical", id="mysql-local-logical"),
    pytest.param({"DBInstanceId": MYSQL, "BackupMethod": "Logical", "BackupStrategy": "instance"}, "Logical",
                 id="mysql-logical-instance"),
    pytest.param({"DBInstanceId": MYSQL, "BackupMethod": "Logical", "BackupStrategy": "db", "DBName": "rds_mysql"},
                 "Logical", id="mysql-logical-db"),
    pytest.param({"DBInstanceId": MYSQL, "BackupMethod": "Logical", "BackupStrategy": "db",
                  "DBName": "rds_mysql,orders"}, "Logical", id="mysql-logical-two-dbs"),
    pytest.param({"DBInstanceId": MYSQL, "BackupRetentionPeriod": 7}, "Physical", id="mysql-retention-7"),
    pytest.param({"DBInstanceId": MYSQL, "BackupRetentionPeriod": 730}, "Physical", id="mysql-retention-730"),
    pytest.param({"DBInstanceId": MYSQL, "BackupRetentionPeriod": -1}, "Physical", id="mysql-retention-forever"),
    pytest.param({"DBInstanceId": MYSQL, "BackupMethod": "Logical", "BackupStrategy": "db", "DBName": "orders",
                  "BackupRetentionPeriod": 30}, "Logical", id="mysql-logical-db-retention"),
    pytest.param({"DBInstanceId": "rm-mysql-nodb"}, "Physical", id="mysql-nodb-physical"),
    pytest.param({"DBInstanceId": "rm-mysql-cloud", "BackupMethod": "Snapshot"}, "Snapshot", id="mysql-cloud-snapshot"),
    pytest.param({"DBInstanceId": "rm-mysql-cloud", "BackupMethod": "Snapshot", "BackupRetentionPeriod": 7},
                 "Snapshot", id="mysql-cloud-snapshot-retention"),
    pytest.param({"DBInstanceId": "rm-pg-local"}, "Physical", id="pg-local-default"),
    pytest.param({"DBInstanceId": "rm-pg-local", "BackupMethod": "Physical"}, "Physical", id="pg-local-physical"),
    pytest.param({"DBInstanceId": "rm-pg-cloud"}, "Physical", id="pg-cloud-default"),
    pytest.param({"DBInstanceId": "rm-pg-cloud", "BackupMethod": "Physical"}, "Physical", id="pg-cloud-physical"),
    pytest.param({"DBInstanceId": "rm-pg-cloud", "BackupMethod": "Snapshot"}, "Snapshot", id="pg-cloud-snapshot"),
    pytest.param({"DBInstanceId": "rm-mssql-local"}, "Physical", id="mssql-local-default"),
    pytest.param({"DBInstanceId": "rm-mssql-local", "BackupMethod": "Physical"}, "Physical", id="mssql-physical"),
    pytest.param({"DBInstanceId": "rm-mssql-local", "BackupType": "Auto"}, "Physical", id="mssql-auto"),
    pytest.param({"DBInstanceId": "rm-mssql-local", "BackupType": "FullBackup"}, "Physical", id="mssql-fullbackup"),
    pytest.param({"DBInstanceId": "rm-mssql-local", "BackupType": "FullBackup", "BackupStrategy": "instance"},
                 "Physical", id="mssql-full-instance"),
    pytest.param({"DBInstanceId": "rm-mssql-local", "BackupMethod": "Physical", "BackupType": "FullBackup",
                  "BackupStrategy": "db", "DBName": "sales"}, "Physical", id="mssql-full-db"),
    pytest.param({"DBInstanceId": "rm-mssql-local", "BackupType": "FullBackup", "BackupStrategy": "db",
                  "DBName": "sales,hr"}, "Physical", id="mssql-full-two-dbs"),
    pytest.param({"DBInstanceId": "rm-mssql-local", "BackupType": "FullBackup", "BackupStrategy": "db",
                  "DBName": "sales", "BackupRetentionPeriod": 30}, "Physical", id="mssql-full-db-retention"),
    pytest.param({"DBInstanceId": "rm-mssql-cloud", "BackupMethod": "Snapshot"}, "Snapshot", id="mssql-cloud-snapshot"),
    pytest.param({"DBInstanceId": "rm-mariadb"}, "Physical", id="mariadb-default"),
    pytest.param({"DBInstanceId": "rm-mariadb", "BackupMethod": "Physical"}, "Physical", id="mariadb-physical"),
    # ResourceOwnerId (the only ignored parameter both RDS SDKs model) is accepted.
    pytest.param({"DBInstanceId": MYSQL, "ResourceOwnerId": 1234567890}, "Physical", id="resource-owner-id"),
]


@pytest.mark.parametrize("params,expected", REFUSALS)
def test_rds_refusal(params, expected, client, emulator):
    expect_error(emulator, client, "rds", params, expected)


@pytest.mark.parametrize("params,method", ACCEPTED)
def test_rds_acceptance(params, method, client, emulator):
    expect_success(emulator, client, "rds", params, method)


def test_rds_success_on_the_documentation_example(client, emulator):
    reply, backup = expect_success(emulator, client, "rds", {"DBInstanceId": MYSQL}, "Physical")
    assert sorted(reply) == ["BackupJobId", "RequestId"]
    assert isinstance(reply["BackupJobId"], str) and is_digits(reply["BackupJobId"])
    assert reply["RequestId"] == reply["RequestId"].upper()
    [listed] = emulator.backups(MYSQL)
    assert listed["BackupJobId"] == reply["BackupJobId"]
    assert listed["InProgress"] is True  # default --backup-duration is 5 s
    if client.kind == "old-sdk":  # the old SDK returns the raw body: exactly these two keys on the wire
        assert sorted(json.loads(reply.sdk_result)) == ["BackupJobId", "RequestId"]
    else:  # the new SDK: typed body and the x-acs-request-id header
        response = reply.sdk_result
        assert response.status_code == 200
        assert response.body.backup_job_id == reply["BackupJobId"]
        assert response.body.request_id == reply["RequestId"] == response.headers["x-acs-request-id"]


def test_rds_job_in_progress_refuses_a_second_backup(client, emulator):
    first, _ = expect_success(emulator, client, "rds", {"DBInstanceId": MYSQL})
    expect_error(emulator, client, "rds", {"DBInstanceId": MYSQL}, RDS_JOB_EXISTS)
    # A task on one instance does not block another instance.
    expect_success(emulator, client, "rds", {"DBInstanceId": "rm-pg-local"})
    assert [b["BackupJobId"] for b in emulator.backups(MYSQL)] == [first["BackupJobId"]]


def test_rds_job_check_applies_whatever_the_method(client, emulator):
    expect_success(emulator, client, "rds", {"DBInstanceId": MYSQL, "BackupMethod": "Logical"})
    expect_error(emulator, client, "rds", {"DBInstanceId": MYSQL, "BackupMethod": "Physical"}, RDS_JOB_EXISTS)


def test_rds_state_is_checked_before_the_job(client, emulator):
    expect_success(emulator, client, "rds", {"DBInstanceId": MYSQL})
    emulator.patch_instance(MYSQL, {"DBInstanceStatus": "Stopped"})
    expect_error(emulator, client, "rds", {"DBInstanceId": MYSQL}, RDS_BAD_STATE)


def test_rds_lock_is_checked_before_the_state(client, emulator):
    emulator.patch_instance("rm-locked", {"DBInstanceStatus": "Stopped"})
    expect_error(emulator, client, "rds", {"DBInstanceId": "rm-locked"}, RDS_LOCKED)


@pytest.mark.parametrize("status", ["Creating", "Rebooting", "Restoring", "Deleting", "Stopped"])
def test_rds_only_running_instances_back_up(status, client, emulator):
    emulator.patch_instance(MYSQL, {"DBInstanceStatus": status})
    expect_error(emulator, client, "rds", {"DBInstanceId": MYSQL}, RDS_BAD_STATE)


def test_rds_state_comes_from_the_instance_record(client, emulator):
    emulator.patch_instance("rm-stopped", {"DBInstanceStatus": "Running"})
    expect_success(emulator, client, "rds", {"DBInstanceId": "rm-stopped"})
    emulator.patch_instance("rm-locked", {"LockMode": "Unlock"})
    expect_success(emulator, client, "rds", {"DBInstanceId": "rm-locked"})


@pytest.mark.parametrize("storage,local", [
    ("local_ssd", True), ("ephemeral_ssd", True), ("cloud_ssd", False), ("cloud_essd", False),
    ("cloud_essd2", False), ("cloud_essd3", False), ("general_essd", False)])
def test_rds_storage_types_decide_mysql_methods(storage, local, client, emulator):
    """MySQL takes Logical/Physical on local disk and Snapshot on cloud disk (§3, methods table)."""
    emulator.put_instance({"DBInstanceId": "rm-put-mysql", "Engine": "MySQL", "DBInstanceStorageType": storage,
                           "Databases": ["app"]})
    refused, accepted = ("Snapshot", "Physical") if local else ("Physical", "Snapshot")
    expect_error(emulator, client, "rds", {"DBInstanceId": "rm-put-mysql", "BackupMethod": refused}, RDS_BAD_METHOD)
    expect_success(emulator, client, "rds", {"DBInstanceId": "rm-put-mysql", "BackupMethod": accepted}, accepted)


def test_rds_deleted_instance_no_longer_exists(client, emulator):
    emulator.delete_instance("rm-pg-local")
    expect_error(emulator, client, "rds", {"DBInstanceId": "rm-pg-local"}, RDS_NOT_FOUND)


def test_rds_ids_are_unique_and_never_reused_after_reset(client, emulator):
    first, _ = expect_success(emulator, client, "rds", {"DBInstanceId": MYSQL})
    second, _ = expect_success(emulator, client, "rds", {"DBInstanceId": "rm-pg-local"})
    emulator.reset()
    third, _ = expect_success(emulator, client, "rds", {"DBInstanceId": MYSQL})
    ids = [first["BackupJobId"], second["BackupJobId"], third["BackupJobId"]]
    assert len(set(ids)) == 3, ids
    request_ids = [first["RequestId"], second["RequestId"], third["RequestId"]]
    assert len(set(request_ids)) == 3, request_ids


def test_rds_missing_instance_id_over_raw_http(emulator):
    """Both SDK generations do send a request without DBInstanceId (covered above); an empty value is also
    'missing' (docs §1, Empty values). No SDK sends an empty business parameter, so this one uses raw HTTP."""
    for query in ("Action=CreateBackup&Version=2014-08-15&Format=JSON",
                  "Action=CreateBackup&Version=2014-08-15&Format=JSON&DBInstanceId="):
        status, headers, body = emulator.raw(query)
        reply = json.loads(body)
        assert (status, reply["Code"], reply["Message"]) == RDS_MISSING_ID
        assert reply["RequestId"] == headers["x-acs-request-id"]
    assert all(backups == [] for backups in emulator.all_backups().values())


def test_rds_non_numeric_retention_over_raw_http(emulator):
    """BackupRetentionPeriod is an integer in both SDKs; a non-number can only be sent raw."""
    for value in ("abc", "7.5", "7d"):
        status, headers, body = emulator.raw({"Action": "CreateBackup", "Version": "2014-08-15", "Format": "JSON",
                                              "DBInstanceId": MYSQL, "BackupRetentionPeriod": value})
        reply = json.loads(body)
        assert (status, reply["Code"], reply["Message"]) == RDS_BAD_RETENTION, value
    assert emulator.backups(MYSQL) == []


def test_rds_ignored_parameters_over_raw_http(emulator):
    """RegionId, ResourceGroupId, OwnerId, ResourceOwnerId, ResourceOwnerAccount, OwnerAccount are accepted and
    ignored (§3). The SDKs model only some of them, so they are sent raw."""
    status, headers, body = emulator.raw({
        "Action": "CreateBackup", "Version": "2014-08-15", "Format": "JSON", "DBInstanceId": MYSQL,
        "RegionId": "cn-beijing", "ResourceGroupId": "rg-acfmxxx", "OwnerId": "1", "ResourceOwnerId": "2",
        "ResourceOwnerAccount": "someone", "OwnerAccount": "someone"})
    assert status == 200, body
    assert sorted(json.loads(body)) == ["BackupJobId", "RequestId"]
    assert len(emulator.backups(MYSQL)) == 1


def test_rds_empty_optional_parameter_counts_as_absent(emulator):
    """`BackupMethod=` is absent (docs §1): the default Physical applies."""
    status, headers, body = emulator.raw("Action=CreateBackup&Version=2014-08-15&Format=JSON"
                                         f"&DBInstanceId={MYSQL}&BackupMethod=")
    assert status == 200, body
    assert [b["BackupMethod"] for b in emulator.backups(MYSQL)] == ["Physical"]
    assert json.loads(body)["BackupJobId"] == emulator.backups(MYSQL)[0]["BackupJobId"]

