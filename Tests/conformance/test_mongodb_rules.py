"""MongoDB CreateBackup (Dds 2015-12-01), docs/behaviour.md §4, through all three SDK paths.

Each case runs on the shared default server (5 s tasks), reset before the test.
"""
import json

import pytest

from expectations import (
    DDS_BAD_METHOD, DDS_BAD_RETENTION, DDS_BAD_STATE, DDS_JOB_EXISTS, DDS_MISSING_ID, DDS_NO_DATABASE,
    DDS_NOT_FOUND, expect_error, expect_success, is_digits,
)

REPLICA = "dds-bpxxxxxxxx"  # local-disk replica set, databases orders and users


def case(instance, expected, case_id, **params):
    if instance is not None:
        params = {"DBInstanceId": instance, **params}
    return pytest.param(params, expected, id=case_id)


REFUSALS = [
    # 1: DBInstanceId present (both SDK generations send the request without it)
    case(None, DDS_MISSING_ID, "1-no-instance-id"),
    case(None, DDS_MISSING_ID, "1-before-3a", BackupMethod="Incremental"),
    # 2: the instance exists and is a MongoDB instance
    case("dds-doesnotexist", DDS_NOT_FOUND, "2-unknown"),
    case("rm-uf6wjk5xxxxxxx", DDS_NOT_FOUND, "2-rds-instance-is-not-mongodb"),
    case("dds-doesnotexist", DDS_NOT_FOUND, "2-before-3a", BackupMethod="Incremental"),
    # 3a: BackupMethod value
    case(REPLICA, DDS_BAD_METHOD, "3a-unknown-method", BackupMethod="Incremental"),
    case(REPLICA, DDS_BAD_METHOD, "3a-lowercase-method", BackupMethod="logical"),
    case(REPLICA, DDS_BAD_METHOD, "3a-before-3b", BackupMethod="Incremental", BackupRetentionPeriod=5),
    case("dds-nodb", DDS_BAD_METHOD, "3a-before-5", BackupMethod="Incremental"),
    case("dds-restoring", DDS_BAD_METHOD, "3a-before-6", BackupMethod="Incremental"),
    # 3b: BackupRetentionPeriod value
    case("dds-cloud", DDS_BAD_RETENTION, "3b-6-days", BackupMethod="Snapshot", BackupRetentionPeriod=6),
    case("dds-cloud", DDS_BAD_RETENTION, "3b-731-days", BackupMethod="Snapshot", BackupRetentionPeriod=731),
    case("dds-cloud", DDS_BAD_RETENTION, "3b-0-days", BackupMethod="Snapshot", BackupRetentionPeriod=0),
    case("dds-cloud", DDS_BAD_RETENTION, "3b-minus-2", BackupMethod="Snapshot", BackupRetentionPeriod=-2),
    case(REPLICA, DDS_BAD_RETENTION, "3b-before-4a", BackupMethod="Snapshot", BackupRetentionPeriod=5),
    case("dds-restoring", DDS_BAD_RETENTION, "3b-before-6", BackupRetentionPeriod=5),
    # 4a: the method suits the instance
    case(REPLICA, DDS_BAD_METHOD, "4a-replica-snapshot", BackupMethod="Snapshot"),
    case("dds-sharded", DDS_BAD_METHOD, "4a-sharded-snapshot", BackupMethod="Snapshot"),
    case("dds-standalone", DDS_BAD_METHOD, "4a-standalone-physical", BackupMethod="Physical"),
    case("dds-standalone", DDS_BAD_METHOD, "4a-standalone-logical", BackupMethod="Logical"),
    case("dds-cloud", DDS_BAD_METHOD, "4a-cloud-default"),
    case("dds-cloud", DDS_BAD_METHOD, "4a-cloud-physical", BackupMethod="Physical"),
    case("dds-cloud", DDS_BAD_METHOD, "4a-cloud-logical", BackupMethod="Logical"),
    case(REPLICA, DDS_BAD_METHOD, "4a-before-4b", BackupMethod="Snapshot", BackupRetentionPeriod=30),
    case("dds-nodb", DDS_BAD_METHOD, "4a-before-5", BackupMethod="Snapshot"),
    case("dds-restoring", DDS_BAD_METHOD, "4a-before-6", BackupMethod="Snapshot"),
    # 4b: BackupRetentionPeriod only on cloud-disk instances (KindCode 18)
    case(REPLICA, DDS_BAD_RETENTION, "4b-replica", BackupRetentionPeriod=30),
    case(REPLICA, DDS_BAD_RETENTION, "4b-replica-logical", BackupMethod="Logical", BackupRetentionPeriod=7),
    case("dds-sharded", DDS_BAD_RETENTION, "4b-sharded", BackupRetentionPeriod=-1),
    case("dds-standalone", DDS_BAD_RETENTION, "4b-standalone", BackupRetentionPeriod=30),
    case("dds-standalone", DDS_BAD_RETENTION, "4b-standalone-snapshot", BackupMethod="Snapshot",
         BackupRetentionPeriod=30),
    case("dds-nodb", DDS_BAD_RETENTION, "4b-before-5", BackupMethod="Logical", BackupRetentionPeriod=30),
    # 5: a Logical backup needs a database
    case("dds-nodb", DDS_NO_DATABASE, "5-nodb-logical", BackupMethod="Logical"),
    # 6: Running
    case("dds-restoring", DDS_BAD_STATE, "6-restoring"),
    case("dds-restoring", DDS_BAD_STATE, "6-restoring-logical", BackupMethod="Logical"),
]

ACCEPTED = [
    pytest.param({"DBInstanceId": REPLICA}, "Physical", id="replica-default"),
    pytest.param({"DBInstanceId": REPLICA, "BackupMethod": "Physical"}, "Physical", id="replica-physical"),
    pytest.param({"DBInstanceId": REPLICA, "BackupMethod": "Logical"}, "Logical", id="replica-logical"),
    pytest.param({"DBInstanceId": "dds-sharded"}, "Physical", id="sharded-default"),
    pytest.param({"DBInstanceId": "dds-sharded", "BackupMethod": "Physical"}, "Physical", id="sharded-physical"),
    pytest.param({"DBInstanceId": "dds-sharded", "BackupMethod": "Logical"}, "Logical", id="sharded-logical"),
    pytest.param({"DBInstanceId": "dds-standalone"}, "Snapshot", id="standalone-default-is-snapshot"),
    pytest.param({"DBInstanceId": "dds-standalone", "BackupMethod": "Snapshot"}, "Snapshot",
                 id="standalone-snapshot"),
    pytest.param({"DBInstanceId": "dds-cloud", "BackupMethod": "Snapshot"}, "Snapshot", id="cloud-snapshot"),
    pytest.param({"DBInstanceId": "dds-cloud", "BackupMethod": "Snapshot", "BackupRetentionPeriod": 7}, "Snapshot",
                 id="cloud-retention-7"),
    pytest.param({"DBInstanceId": "dds-cloud", "BackupMethod": "Snapshot", "BackupRetentionPeriod": 730},
                 "Snapshot", id="cloud-retention-730"),
    pytest.param({"DBInstanceId": "dds-cloud", "BackupMethod": "Snapshot", "BackupRetentionPeriod": -1}, "Snapshot",
                 id="cloud-retention-forever"),
    pytest.param({"DBInstanceId": "dds-nodb"}, "Physical", id="nodb-physical-needs-no-database"),
    pytest.param({"DBInstanceId": REPLICA, "OwnerId": 1, "ResourceOwnerId": 2, "OwnerAccount": "someone",
                  "ResourceOwnerAccount": "someone"}, "Physical", id="ignored-parameters"),
]


@pytest.mark.parametrize("params,expected", REFUSALS)
def test_mongodb_refusal(params, expected, client, emulator):
    expect_error(emulator, client, "dds", params, expected)


@pytest.mark.parametrize("params,method", ACCEPTED)
def test_mongodb_acceptance(params, method, client, emulator):
    expect_success(emulator, client, "dds", params, method)


def test_mongodb_success_on_the_documentation_example(client, emulator):
    reply, backup = expect_success(emulator, client, "dds", {"DBInstanceId": REPLICA}, "Physical")
    assert sorted(reply) == ["BackupId", "BackupJobId", "RequestId"]
    assert is_digits(reply["BackupId"]) and is_digits(reply["BackupJobId"])
    [listed] = emulator.backups(REPLICA)
    assert (listed["BackupId"], listed["BackupJobId"]) == (reply["BackupId"], reply["BackupJobId"])
    assert listed["InProgress"] is True
    if client.kind == "old-sdk":
        assert sorted(json.loads(reply.sdk_result)) == ["BackupId", "BackupJobId", "RequestId"]
    else:
        response = reply.sdk_result
        assert response.status_code == 200
        assert (response.body.backup_id, response.body.backup_job_id) == (reply["BackupId"], reply["BackupJobId"])
        assert response.body.request_id == response.headers["x-acs-request-id"]


def test_mongodb_job_in_progress_refuses_a_second_backup(client, emulator):
    first, _ = expect_success(emulator, client, "dds", {"DBInstanceId": REPLICA})
    expect_error(emulator, client, "dds", {"DBInstanceId": REPLICA, "BackupMethod": "Logical"}, DDS_JOB_EXISTS)
    expect_success(emulator, client, "dds", {"DBInstanceId": "dds-sharded"})
    assert [b["BackupJobId"] for b in emulator.backups(REPLICA)] == [first["BackupJobId"]]


def test_mongodb_standalone_job_in_progress(client, emulator):
    expect_success(emulator, client, "dds", {"DBInstanceId": "dds-standalone"}, "Snapshot")
    expect_error(emulator, client, "dds", {"DBInstanceId": "dds-standalone"}, DDS_JOB_EXISTS)


def test_mongodb_no_database_is_checked_before_the_state(client, emulator):
    emulator.patch_instance("dds-nodb", {"DBInstanceStatus": "Restoring"})
    expect_error(emulator, client, "dds", {"DBInstanceId": "dds-nodb", "BackupMethod": "Logical"}, DDS_NO_DATABASE)
    expect_error(emulator, client, "dds", {"DBInstanceId": "dds-nodb"}, DDS_BAD_STATE)


def test_mongodb_state_is_checked_before_the_job(client, emulator):
    expect_success(emulator, client, "dds", {"DBInstanceId": REPLICA})
    emulator.patch_instance(REPLICA, {"DBInstanceStatus": "Restoring"})
    expect_error(emulator, client, "dds", {"DBInstanceId": REPLICA}, DDS_BAD_STATE)


def test_mongodb_lock_mode_is_not_checked(client, emulator):
    """No MongoDB lock-mode error is documented: LockMode is kept but not checked (§4)."""
    emulator.patch_instance(REPLICA, {"LockMode": "LockByExpiration"})
    expect_success(emulator, client, "dds", {"DBInstanceId": REPLICA})


def test_mongodb_restoring_instance_backs_up_once_running(client, emulator):
    emulator.patch_instance("dds-restoring", {"DBInstanceStatus": "Running"})
    expect_success(emulator, client, "dds", {"DBInstanceId": "dds-restoring"}, "Physical")


def test_mongodb_ids_are_unique_and_never_reused_after_reset(client, emulator):
    first, _ = expect_success(emulator, client, "dds", {"DBInstanceId": REPLICA})
    emulator.reset()
    second, _ = expect_success(emulator, client, "dds", {"DBInstanceId": REPLICA})
    assert first["BackupId"] != second["BackupId"]
    assert first["BackupJobId"] != second["BackupJobId"]


def test_mongodb_non_numeric_retention_over_raw_http(emulator):
    """BackupRetentionPeriod is an integer in both SDKs; a non-number can only be sent raw."""
    for value in ("abc", "30.5"):
        status, headers, body = emulator.raw({"Action": "CreateBackup", "Version": "2015-12-01", "Format": "JSON",
                                              "DBInstanceId": "dds-cloud", "BackupMethod": "Snapshot",
                                              "BackupRetentionPeriod": value})
        reply = json.loads(body)
        assert (status, reply["Code"], reply["Message"]) == DDS_BAD_RETENTION, value
        assert reply["RequestId"] == headers["x-acs-request-id"]
    assert emulator.backups("dds-cloud") == []


def test_mongodb_missing_instance_id_over_raw_http(emulator):
    """An empty DBInstanceId is missing (§1); no SDK sends an empty parameter, so raw HTTP."""
    status, headers, body = emulator.raw("Action=CreateBackup&Version=2015-12-01&Format=JSON&DBInstanceId=")
    reply = json.loads(body)
    assert (status, reply["Code"], reply["Message"]) == DDS_MISSING_ID
    assert reply["Recommend"] == ("https://api.aliyun.com/troubleshoot?q=MissingDBInstanceId&product=Dds"
                                  f"&requestId={reply['RequestId']}")
