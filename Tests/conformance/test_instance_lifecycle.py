"""Instances that live (issue #22): the flows Terraform and other clients run, with both SDK generations, driven by
the emulator's clock. Create (poll until Running), delete (DescribeTasks until not found), clone (CreateBackup,
finished, CloneDBInstance with its BackupId, Running with the backup's databases), restart (CreateBackup refused
while Rebooting, accepted once Running), the same for MongoDB, ClientToken retries and every not-found variant.
The shared emulator runs with the default durations: create 10 s, restart 5 s, delete 5 s."""
import json
import re
import uuid

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkrds.request.v20140815.RestartDBInstanceRequest import RestartDBInstanceRequest

from test_lifecycle import SDKS, advance, call, frozen  # noqa: F401 (frozen is a fixture)

MYSQL = "rm-uf6wjk5xxxxxxx"
MONGO = "dds-bpxxxxxxxx"
STATE = (403, "IncorrectDBInstanceState", "Current DB instance state does not support this operation.")
RDS_GONE = {  # each operation's own "not found" (workflow reference §1.1)
    "DescribeDBInstanceAttribute": (400, "InvalidDBInstanceId.NotFound", "The DBInstanceId provided does not exist in records."),
    "DescribeTasks": (400, "InvalidDBInstanceId.NotFound", "The DBInstanceId provided does not exist in records."),
    "DeleteDBInstance": (404, "InvalidDBInstanceName.NotFound", "Invalid DBInstanceId NotFound."),
    "RestartDBInstance": (404, "InvalidDBInstanceName.NotFound", "The database instance does not exist."),
    "CloneDBInstance": (404, "InvalidDBInstance.NotFound", "The specified instance does not exist or is not supported."),
    "DescribeDBInstanceNetInfo": (400, "InvalidDBInstanceName.NotFound", "DB instance name not found."),
    "CreateBackup": (404, "InvalidDBInstanceName.NotFound", "The database instance does not exist."),
}
DDS_GONE = (404, "InvalidDBInstanceId.NotFound", "The DBInstanceId provided does not exist in our records.")


def terraform_rds_create(**extra):
    """What Terraform's buildDBCreateRequest sends for a MySQL VPC instance."""
    return {**dict(RegionId="cn-hangzhou", Engine="MySQL", EngineVersion="8.0", DBInstanceClass="mysql.n2.medium.2c",
                DBInstanceStorage="20", DBInstanceNetType="Intranet", DBInstanceDescription="tf-test",
                PayType="Postpaid", SecurityIPList="127.0.0.1", InstanceNetworkType="VPC", VPCId="vpc-bp1test",
                VSwitchId="vsw-bp1test", ZoneId="cn-hangzhou-h", DBInstanceStorageType="cloud_essd",
                ClientToken=f"Terraform-Alicloud-1733300000-{uuid.uuid4().hex[:24]}"), **extra}


def terraform_dds_create(**extra):
    return {**dict(RegionId="cn-hangzhou", Engine="MongoDB", EngineVersion="5.0", DBInstanceClass="dds.mongo.standard",
                   DBInstanceStorage="20", ZoneId="cn-hangzhou-h", VpcId="vpc-bp1test", VSwitchId="vsw-bp1test",
                   ClientToken=str(uuid.uuid4())), **extra}


def rds_status(sdk, server, instance_id):
    reply = call(sdk, server, "rds", "DescribeDBInstanceAttribute", DBInstanceId=instance_id)
    return reply if isinstance(reply, tuple) else reply["Items"]["DBInstanceAttribute"][0]["DBInstanceStatus"]


def dds_status(sdk, server, instance_id):
    reply = call(sdk, server, "dds", "DescribeDBInstanceAttribute", DBInstanceId=instance_id)
    return reply if isinstance(reply, tuple) else reply["DBInstances"]["DBInstance"][0]["DBInstanceStatus"]


def wait(server, status, until, step="1s", limit=30):
    """Polls `status()` every `step` of virtual time until it returns `until`; the statuses seen, repeats folded."""
    seen = []
    for _ in range(limit):
        now = status()
        if not seen or seen[-1] != now:
            seen.append(now)
        if now == until:
            return seen
        advance(server, step)
    raise AssertionError(f"never {until!r}: {seen}")


def listed(sdk, server, product, instance_id):
    reply = call(sdk, server, product, "DescribeDBInstances", RegionId="cn-hangzhou", DBInstanceId=instance_id)
    entries = reply["Items"]["DBInstance"] if product == "rds" else reply["DBInstances"]["DBInstance"]
    return [entry["DBInstanceId"] for entry in entries]


def finished_backup(sdk, server, product, instance_id, **params):
    """CreateBackup, then the clock past its task: its BackupId."""
    created = call(sdk, server, product, "CreateBackup", DBInstanceId=instance_id, **params)
    assert "BackupJobId" in created, created
    advance(server, "6s")
    if product == "dds":
        return created["BackupId"]
    [job] = call(sdk, server, "rds", "DescribeBackupTasks", DBInstanceId=instance_id,
                 BackupJobId=created["BackupJobId"])["Items"]["BackupJob"]
    assert job["BackupStatus"] == "Finished"
    return job["BackupId"]


# -- RDS ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sdk", SDKS)
def test_rds_create_then_running(sdk, frozen):
    created = call(sdk, frozen, "rds", "CreateDBInstance", **terraform_rds_create())
    instance_id = created["DBInstanceId"]
    assert re.fullmatch(r"rm-bp1[a-z0-9]{14}", instance_id)
    assert re.fullmatch(r"[0-9]{15}", created["OrderId"])
    assert (created["ConnectionString"], created["Port"]) == (f"{instance_id}.mysql.rds.aliyuncs.com", "3306")
    assert wait(frozen, lambda: rds_status(sdk, frozen, instance_id), "Running") == ["Creating", "Running"]
    assert listed(sdk, frozen, "rds", instance_id) == [instance_id]
    assert call(sdk, frozen, "rds", "DescribeBackupPolicy", DBInstanceId=instance_id)["BackupRetentionPeriod"] == 7
    [attribute] = call(sdk, frozen, "rds", "DescribeDBInstanceAttribute", DBInstanceId=instance_id)["Items"]["DBInstanceAttribute"]
    assert (attribute["Engine"], attribute["EngineVersion"], attribute["DBInstanceStorageType"], attribute["ZoneId"]) == \
        ("MySQL", "8.0", "cloud_essd", "cn-hangzhou-h")
    net = call(sdk, frozen, "rds", "DescribeDBInstanceNetInfo", DBInstanceId=instance_id)
    [info] = net["DBInstanceNetInfos"]["DBInstanceNetInfo"]
    assert (net["InstanceNetworkType"], info["ConnectionString"], info["Port"], info["IPType"]) == \
        ("VPC", created["ConnectionString"], "3306", "Private")


def test_rds_postgresql_ids_and_endpoints(frozen):
    created = call("old-sdk-v1", frozen, "rds", "CreateDBInstance",
                   **terraform_rds_create(Engine="PostgreSQL", EngineVersion="14.0"))
    assert re.fullmatch(r"pgm-bp1[a-z0-9]{14}", created["DBInstanceId"])
    assert (created["ConnectionString"], created["Port"]) == (f"{created['DBInstanceId']}.pg.rds.aliyuncs.com", "5432")


@pytest.mark.parametrize("sdk", SDKS)
def test_rds_client_token_retries(sdk, frozen):
    params = terraform_rds_create()
    first = call(sdk, frozen, "rds", "CreateDBInstance", **params)
    again = call(sdk, frozen, "rds", "CreateDBInstance", **params)
    assert (again["DBInstanceId"], again["OrderId"]) == (first["DBInstanceId"], first["OrderId"])
    assert len([i for i in frozen.instances() if i["DBInstanceId"].startswith("rm-bp1")]) == 1
    changed = dict(params, DBInstanceStorage="25")
    status, code, _ = call(sdk, frozen, "rds", "CreateDBInstance", **changed)
    assert (status, code) == (400, "IdempotentParameterMismatch")
    # A restart repeated with its token restarts once; the repeat is answered although the instance now reboots.
    advance(frozen, "11s")
    token = str(uuid.uuid4())
    assert call(sdk, frozen, "rds", "RestartDBInstance", DBInstanceId=first["DBInstanceId"], ClientToken=token).keys() == {"RequestId"}
    assert call(sdk, frozen, "rds", "RestartDBInstance", DBInstanceId=first["DBInstanceId"], ClientToken=token).keys() == {"RequestId"}
    assert call(sdk, frozen, "rds", "RestartDBInstance", DBInstanceId=first["DBInstanceId"]) == STATE


@pytest.mark.parametrize("sdk", SDKS)
def test_rds_delete_then_gone(sdk, frozen):
    instance_id = call(sdk, frozen, "rds", "CreateDBInstance", **terraform_rds_create())["DBInstanceId"]
    advance(frozen, "10s")
    assert call(sdk, frozen, "rds", "DeleteDBInstance", DBInstanceId=instance_id)["RegionId"] == "cn-hangzhou"
    assert rds_status(sdk, frozen, instance_id) == "Deleting"
    assert call(sdk, frozen, "rds", "DeleteDBInstance", DBInstanceId=instance_id) == STATE
    # Terraform: DescribeTasks until InvalidDBInstanceId.NotFound.
    seen = []
    for _ in range(20):
        tasks = call(sdk, frozen, "rds", "DescribeTasks", DBInstanceId=instance_id)
        if isinstance(tasks, tuple):
            break
        [task] = tasks["Items"]["TaskProgressInfo"]
        assert (task["TaskAction"], task["Status"]) == ("DeleteDBInstance", "Processing")
        seen.append(task["Progress"])
        advance(frozen, "1s")
    assert tasks == RDS_GONE["DescribeTasks"] and len(seen) == 5
    assert listed(sdk, frozen, "rds", instance_id) == []
    for action, expected in RDS_GONE.items():
        assert call(sdk, frozen, "rds", action, DBInstanceId=instance_id, PayType="Postpaid", BackupId="1") == expected, action
    assert frozen.control("GET", f"/_emulator/instances/{instance_id}")[0] == 404


@pytest.mark.parametrize("sdk", SDKS)
def test_rds_restart_refuses_backups_until_running(sdk, frozen):
    assert call(sdk, frozen, "rds", "RestartDBInstance", DBInstanceId=MYSQL).keys() == {"RequestId"}
    assert rds_status(sdk, frozen, MYSQL) == "Rebooting"
    assert frozen.instance(MYSQL)["DBInstanceStatus"] == "Rebooting"  # the control API shows it as it is now
    assert call(sdk, frozen, "rds", "CreateBackup", DBInstanceId=MYSQL) == STATE
    [task] = call(sdk, frozen, "rds", "DescribeTasks", DBInstanceId=MYSQL)["Items"]["TaskProgressInfo"]
    assert task["TaskAction"] == "RestartDBInstance"
    assert wait(frozen, lambda: rds_status(sdk, frozen, MYSQL), "Running") == ["Rebooting", "Running"]
    assert "BackupJobId" in call(sdk, frozen, "rds", "CreateBackup", DBInstanceId=MYSQL)
    assert call(sdk, frozen, "rds", "DescribeTasks", DBInstanceId=MYSQL)["Items"]["TaskProgressInfo"] == []


@pytest.mark.parametrize("sdk", SDKS)
def test_rds_clone_from_a_backup_set(sdk, frozen):
    frozen.patch_instance(MYSQL, {"Databases": ["orders", "users"]})
    backup_id = finished_backup(sdk, frozen, "rds", MYSQL)
    frozen.patch_instance(MYSQL, {"Databases": ["orders", "users", "later"]})
    assert call(sdk, frozen, "rds", "ModifyBackupPolicy", DBInstanceId=MYSQL, PreferredBackupTime="05:00Z-06:00Z",
                PreferredBackupPeriod="Monday,Friday", BackupRetentionPeriod="30").keys() >= {"RequestId"}
    clone = call(sdk, frozen, "rds", "CloneDBInstance", DBInstanceId=MYSQL, BackupId=backup_id, PayType="Postpaid",
                 BackupType="FullBackup")
    assert clone.keys() == {"RequestId", "DBInstanceId", "OrderId"}
    assert wait(frozen, lambda: rds_status(sdk, frozen, clone["DBInstanceId"]), "Running") == ["Creating", "Running"]
    source, copy = frozen.instance(MYSQL), frozen.instance(clone["DBInstanceId"])
    for field in ("Engine", "EngineVersion", "DBInstanceStorageType", "RegionId"):
        assert copy[field] == source[field], field
    assert copy["Databases"] == ["orders", "users"]  # as they were in the set
    policy = call(sdk, frozen, "rds", "DescribeBackupPolicy", DBInstanceId=clone["DBInstanceId"])
    assert (policy["BackupRetentionPeriod"], policy["PreferredBackupTime"], policy["PreferredBackupPeriod"]) == \
        (30, "05:00Z-06:00Z", "Monday,Friday")  # the source's
    assert source["DBInstanceStatus"] == "Running"


@pytest.mark.parametrize("sdk", SDKS)
def test_rds_clone_errors(sdk, frozen):
    clone = dict(DBInstanceId=MYSQL, PayType="Postpaid")
    assert call(sdk, frozen, "rds", "CloneDBInstance", **clone) == \
        (400, "MissBackupSetAndRestoreTime.NotFound", "Both BackupSet and RestoreTime are null.")
    assert call(sdk, frozen, "rds", "CloneDBInstance", BackupId="321020999", **clone) == \
        (404, "InvalidBackupSetID.NotFound", "Specified backup set ID does not exist.")
    assert call(sdk, frozen, "rds", "CloneDBInstance", RestoreTime="yesterday", **clone) == \
        (400, "InvalidRestoreTime.Format", "Specified restore time is not valid.")
    now = frozen.control("GET", "/_emulator/clock")[1]["now"]
    assert call(sdk, frozen, "rds", "CloneDBInstance", RestoreTime=now, **clone) == \
        (404, "InvalidBackup.NotFound", "The available backup does not exist in recovery time.")
    finished_backup(sdk, frozen, "rds", MYSQL)
    later = frozen.control("GET", "/_emulator/clock")[1]["now"]
    assert "DBInstanceId" in call(sdk, frozen, "rds", "CloneDBInstance", RestoreTime=later, **clone)
    assert call(sdk, frozen, "rds", "CloneDBInstance", DBInstanceId="rm-stopped", PayType="Postpaid", BackupId="1") == STATE


def test_another_account_cannot_touch_an_instance(frozen):
    client = AcsClient("otherid", "othersecret", "cn-hangzhou")
    request = RestartDBInstanceRequest()
    request.set_endpoint(frozen.endpoint)
    request.set_DBInstanceId(MYSQL)
    with pytest.raises(ServerException) as raised:
        client.do_action_with_exception(request)
    assert (raised.value.get_http_status(), raised.value.get_error_code()) == (404, "InvalidDBInstanceName.NotFound")
    assert frozen.instance(MYSQL)["DBInstanceStatus"] == "Running"


def test_rds_describe_regions(frozen):
    regions = call("new-sdk-v3", frozen, "rds", "DescribeRegions")["Regions"]["RDSRegion"]
    assert {"RegionId": "cn-hangzhou", "ZoneId": "cn-hangzhou-h", "LocalName": "China (Hangzhou)",
            "ZoneName": "Hangzhou Zone H", "RegionEndpoint": "rds.aliyuncs.com"} in regions
    chinese = call("old-sdk-v1", frozen, "rds", "DescribeRegions", AcceptLanguage="zh-CN")["Regions"]["RDSRegion"]
    assert chinese[0]["LocalName"] == "华东1（杭州）"
    assert call("old-sdk-v1", frozen, "rds", "DescribeRegions", AcceptLanguage="fr-FR")[1] == "InvalidAcceptLanguage.NotFound"


# -- MongoDB -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sdk", SDKS)
def test_mongodb_create_then_running_then_deleted(sdk, frozen):
    params = terraform_dds_create()
    created = call(sdk, frozen, "dds", "CreateDBInstance", **params)
    instance_id = created["DBInstanceId"]
    assert re.fullmatch(r"dds-bp1[0-9a-f]{13}", instance_id) and re.fullmatch(r"[0-9]{15}", created["OrderId"])
    assert call(sdk, frozen, "dds", "CreateDBInstance", **params)["DBInstanceId"] == instance_id  # ClientToken
    assert call(sdk, frozen, "dds", "CreateDBInstance", **dict(params, DBInstanceStorage="30"))[1] == \
        "IdempotentParameterMismatch"
    assert wait(frozen, lambda: dds_status(sdk, frozen, instance_id), "Running") == ["Creating", "Running"]
    assert listed(sdk, frozen, "dds", instance_id) == [instance_id]
    assert call(sdk, frozen, "dds", "DeleteDBInstance", DBInstanceId=instance_id).keys() == {"RequestId"}
    assert wait(frozen, lambda: dds_status(sdk, frozen, instance_id), DDS_GONE) == ["Deleting", DDS_GONE]
    assert listed(sdk, frozen, "dds", instance_id) == []
    for action in ("DeleteDBInstance", "RestartDBInstance", "CreateBackup", "DescribeBackups"):
        assert call(sdk, frozen, "dds", action, DBInstanceId=instance_id) == DDS_GONE, action


@pytest.mark.parametrize("sdk", SDKS)
def test_mongodb_restart_refuses_backups_until_running(sdk, frozen):
    assert call(sdk, frozen, "dds", "RestartDBInstance", DBInstanceId=MONGO).keys() == {"RequestId"}
    assert call(sdk, frozen, "dds", "CreateBackup", DBInstanceId=MONGO) == STATE
    assert wait(frozen, lambda: dds_status(sdk, frozen, MONGO), "Running") == ["Rebooting", "Running"]
    assert "BackupJobId" in call(sdk, frozen, "dds", "CreateBackup", DBInstanceId=MONGO)


@pytest.mark.parametrize("sdk", SDKS)
def test_mongodb_clone_from_a_backup_set_and_a_time(sdk, frozen):
    frozen.patch_instance(MONGO, {"Databases": ["app"]})
    backup_id = finished_backup(sdk, frozen, "dds", MONGO, BackupMethod="Logical")
    source = frozen.instance(MONGO)
    clone = call(sdk, frozen, "dds", "CreateDBInstance", **terraform_dds_create(
        EngineVersion=source["EngineVersion"], SrcDBInstanceId=MONGO, BackupId=backup_id))
    assert wait(frozen, lambda: dds_status(sdk, frozen, clone["DBInstanceId"]), "Running") == ["Creating", "Running"]
    assert frozen.instance(clone["DBInstanceId"])["Databases"] == ["app"]
    now = frozen.control("GET", "/_emulator/clock")[1]["now"]
    point_in_time = terraform_dds_create(EngineVersion=source["EngineVersion"], SrcDBInstanceId=MONGO, RestoreTime=now)
    assert call(sdk, frozen, "dds", "CreateDBInstance", **point_in_time) == \
        (403, "InvalidBackupLogStatus", "Current backup log enable status does not support this operation.")
    assert call(sdk, frozen, "dds", "ModifyBackupPolicy", DBInstanceId=MONGO, PreferredBackupTime="02:00Z-03:00Z",
                 PreferredBackupPeriod="Monday,Thursday", EnableBackupLog=1).keys() == {"RequestId"}
    by_time = call(sdk, frozen, "dds", "CreateDBInstance", **terraform_dds_create(
        EngineVersion=source["EngineVersion"], SrcDBInstanceId=MONGO, RestoreTime=now))
    assert re.fullmatch(r"dds-bp1[0-9a-f]{13}", by_time["DBInstanceId"])
    assert call(sdk, frozen, "dds", "CreateDBInstance", **terraform_dds_create(
        EngineVersion=source["EngineVersion"], SrcDBInstanceId=MONGO, BackupId="1")) == \
        (400, "InvalidBackupSetID.NotFound", "Specified backup set ID does not exist.")
    assert call(sdk, frozen, "dds", "CreateDBInstance", **terraform_dds_create(
        EngineVersion=source["EngineVersion"], SrcDBInstanceId="dds-missing", BackupId=backup_id)) == DDS_GONE


def test_mongodb_describe_regions(frozen):
    [region] = call("new-sdk-v3", frozen, "dds", "DescribeRegions", RegionId="cn-hangzhou",
                    AcceptLanguage="en")["Regions"]["DdsRegion"]
    assert (region["RegionName"], region["EndPoint"]) == ("China (Hangzhou)", "mongodb.aliyuncs.com")
    assert {"ZoneId": "cn-hangzhou-h", "ZoneName": "Hangzhou Zone H", "VpcEnabled": True} in region["Zones"]["Zone"]


def test_durations_are_configurable(start_emulator):
    server = start_emulator("--instance-create-duration", "0", "--instance-delete-duration", "0",
                            "--instance-restart-duration", "0")
    created = call("old-sdk-v1", server, "rds", "CreateDBInstance", **terraform_rds_create())
    assert rds_status("old-sdk-v1", server, created["DBInstanceId"]) == "Running"
    call("old-sdk-v1", server, "rds", "RestartDBInstance", DBInstanceId=created["DBInstanceId"])
    assert rds_status("old-sdk-v1", server, created["DBInstanceId"]) == "Running"
    call("old-sdk-v1", server, "rds", "DeleteDBInstance", DBInstanceId=created["DBInstanceId"])
    assert rds_status("old-sdk-v1", server, created["DBInstanceId"]) == RDS_GONE["DescribeDBInstanceAttribute"]
    config = server.control("GET", "/_emulator/config")[1]
    assert (config["instanceCreateDuration"], config["instanceRestartDuration"], config["instanceDeleteDuration"]) == \
        ("0.0", "0.0", "0.0")


# -- Backup policies of instances that live ------------------------------------------------------------------------

@pytest.mark.parametrize("sdk", SDKS)
@pytest.mark.parametrize("product", ["rds", "dds"])
def test_backup_policy_follows_the_instance_status(sdk, product, frozen):
    """Terraform creates an instance, waits for Running, then sets its backup policy: the policy operations see the
    status as it is now (Creating, then Running), and a deleted instance as gone."""
    create, status = (terraform_rds_create, rds_status) if product == "rds" else (terraform_dds_create, dds_status)
    instance_id = call(sdk, frozen, product, "CreateDBInstance", **create())["DBInstanceId"]
    assert call(sdk, frozen, product, "ModifyBackupPolicy", DBInstanceId=instance_id, BackupRetentionPeriod="8") == STATE
    wait(frozen, lambda: status(sdk, frozen, instance_id), "Running")
    assert "RequestId" in call(sdk, frozen, product, "ModifyBackupPolicy", DBInstanceId=instance_id,
                               BackupRetentionPeriod="8")
    assert str(call(sdk, frozen, product, "DescribeBackupPolicy", DBInstanceId=instance_id)["BackupRetentionPeriod"]) == "8"
    call(sdk, frozen, product, "DeleteDBInstance", DBInstanceId=instance_id)
    advance(frozen, "10s")
    for action in ("DescribeBackupPolicy", "ModifyBackupPolicy"):
        gone = call(sdk, frozen, product, action, DBInstanceId=instance_id, BackupRetentionPeriod="9")
        assert isinstance(gone, tuple) and gone[1].endswith("NotFound"), (action, gone)
