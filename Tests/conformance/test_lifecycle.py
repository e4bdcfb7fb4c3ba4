"""The backup lifecycle as clients live it (issue #4): CreateBackup, poll DescribeBackupTasks until Finished,
read the BackupId, DescribeBackups, DeleteBackup, with both SDK generations, driven by the emulator's clock
(POST /_emulator/clock) rather than by sleeping."""
import datetime
import importlib
import json
import re

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.utils import parameter_helper
from alibabacloud_dds20151201 import models as dds_models
from alibabacloud_dds20151201.client import Client as DdsClient
from alibabacloud_rds20140815 import models as rds_models
from alibabacloud_rds20140815.client import Client as RdsClient
from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from alibabacloud_tea_openapi.utils import Utils

SDKS = ["old-sdk-v1", "new-sdk-v3", "new-sdk-v1"]
PACKAGES = {"rds": ("aliyunsdkrds", "v20140815", rds_models, RdsClient),
            "dds": ("aliyunsdkdds", "v20151201", dds_models, DdsClient)}


def call(sdk, server, product, action, **params):
    """Any operation through one SDK generation: the reply dict, or (status, code, message)."""
    package, version, models, client_class = PACKAGES[product]
    if sdk == "old-sdk-v1":
        module = importlib.import_module(f"{package}.request.{version}.{action}Request")
        request = getattr(module, f"{action}Request")()
        request.set_endpoint(server.endpoint)
        for name, value in params.items():
            request.add_query_param(name, value)
        try:
            return json.loads(AcsClient("testid", "testsecret", "cn-hangzhou").do_action_with_exception(request))
        except ServerException as error:
            return (error.get_http_status(), error.get_error_code(), error.get_error_msg())
    config = open_api_models.Config(access_key_id="testid", access_key_secret="testsecret",
                                    endpoint=server.endpoint, protocol="http")
    if sdk == "new-sdk-v1":
        config.signature_algorithm = "v2"
    method = re.sub(r"(?<!^)(?=[A-Z][a-z])", "_", action.replace("DBInstance", "Dbinstance")).lower()
    request = getattr(models, f"{action}Request")().from_map(params)
    try:
        return getattr(client_class(config), method)(request).body.to_map()
    except AlibabaCloudException as error:  # ClientException (4xx) or ServerException (5xx)
        return (error.status_code, error.code, error.message.split(", ", 1)[1].rsplit(" request id: ", 1)[0])


@pytest.fixture
def frozen(emulator):
    """The shared emulator with its clock frozen at the present (so signatures stay valid)."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert emulator.control("POST", "/_emulator/clock", {"set": now, "freeze": True})[0] == 200
    yield emulator
    emulator.control("POST", "/_emulator/clock", {"reset": True})


def advance(server, duration):
    status, clock = server.control("POST", "/_emulator/clock", {"advance": duration})
    assert status == 200, clock
    return clock


@pytest.mark.parametrize("sdk", SDKS)
def test_rds_journey(sdk, frozen):
    created = call(sdk, frozen, "rds", "CreateBackup", DBInstanceId="rm-uf6wjk5xxxxxxx")
    job = created["BackupJobId"]
    seen = []
    for _ in range(20):
        task = call(sdk, frozen, "rds", "DescribeBackupTasks", DBInstanceId="rm-uf6wjk5xxxxxxx", BackupJobId=job)
        [item] = task["Items"]["BackupJob"]
        assert (item["JobMode"], item["TaskAction"]) == ("Manual", "TempBackupTask")
        seen.append(item["BackupStatus"])
        if item["BackupStatus"] == "Finished":
            break
        assert "BackupId" not in item  # only once Finished
        advance(frozen, "0.5s")
    stages = [stage for index, stage in enumerate(seen) if index == 0 or seen[index - 1] != stage]
    assert stages == ["Preparing", "Waiting", "Uploading", "Checking", "Finished"]
    assert len(seen) == 11  # 5 s in steps of 0.5 s
    backup_id = item["BackupId"]
    backups = call(sdk, frozen, "rds", "DescribeBackups", DBInstanceId="rm-uf6wjk5xxxxxxx")
    assert (backups["TotalRecordCount"], backups["PageNumber"], backups["PageRecordCount"]) == ("1", "1", "1")
    [backup] = backups["Items"]["Backup"]
    assert backup["BackupId"] == backup_id
    assert (backup["BackupStatus"], backup["BackupMode"], backup["BackupInitiator"], backup["BackupMethod"]) == \
        ("Success", "Manual", "User", "Physical")
    assert backup["BackupSize"] > 0 and backup["IsAvail"] == 1 and backup["StoreStatus"] == "Enabled"
    assert call(sdk, frozen, "rds", "DeleteBackup", DBInstanceId="rm-uf6wjk5xxxxxxx", BackupId=backup_id).keys() == {"RequestId"}
    assert call(sdk, frozen, "rds", "DescribeBackups", DBInstanceId="rm-uf6wjk5xxxxxxx")["TotalRecordCount"] == "0"
    assert call(sdk, frozen, "rds", "DeleteBackup", DBInstanceId="rm-uf6wjk5xxxxxxx", BackupId=backup_id) == \
        (404, "InvalidBackupSetID.NotFound", "Specified backup set ID does not exist.")


@pytest.mark.parametrize("sdk", SDKS)
def test_mongodb_journey(sdk, frozen):
    created = call(sdk, frozen, "dds", "CreateBackup", DBInstanceId="dds-bpxxxxxxxx", BackupMethod="Logical")
    seen = []
    for _ in range(20):
        jobs = call(sdk, frozen, "dds", "DescribeBackupTasks", DBInstanceId="dds-bpxxxxxxxx", BackupJobId=created["BackupJobId"])
        [job] = jobs["BackupJobs"]
        assert job["BackupjobId"] == created["BackupJobId"] and job["JobMode"] == "Manual"
        seen.append((job["BackupSetStatus"], job.get("Progress")))
        if job["BackupSetStatus"] == "Finished":
            break
        advance(frozen, "0.5s")
    assert seen == [("Scheduled", "0%"), ("Checking", "10%"), ("Backuping", "20%"), ("Backuping", "30%"),
                    ("Backuping", "40%"), ("Backuping", "50%"), ("Backuping", "60%"), ("Backuping", "70%"),
                    ("Backuping", "80%"), ("Backuping", "90%"), ("Finished", None)]
    backups = call(sdk, frozen, "dds", "DescribeBackups", DBInstanceId="dds-bpxxxxxxxx")
    assert (backups["TotalCount"], backups["PageNumber"], backups["PageSize"]) == (1, 1, 30)
    [backup] = backups["Backups"]["Backup"]
    assert (backup["BackupId"], backup["BackupJobId"]) == (created["BackupId"], created["BackupJobId"])
    assert (backup["BackupStatus"], backup["BackupMethod"], backup["IsAvail"]) == ("Success", "Logical", True)


@pytest.mark.parametrize("sdk", SDKS)
def test_instances_are_described(sdk, emulator):
    rds = call(sdk, emulator, "rds", "DescribeDBInstanceAttribute", DBInstanceId="rm-uf6wjk5xxxxxxx")
    [attribute] = rds["Items"]["DBInstanceAttribute"]
    assert (attribute["DBInstanceStatus"], attribute["Engine"], attribute["ZoneId"]) == ("Running", "MySQL", "cn-hangzhou-h")
    listed = call(sdk, emulator, "rds", "DescribeDBInstances", RegionId="cn-hangzhou", Engine="MariaDB")
    assert [i["DBInstanceId"] for i in listed["Items"]["DBInstance"]] == ["rm-mariadb"]
    dds = call(sdk, emulator, "dds", "DescribeDBInstanceAttribute", DBInstanceId="dds-standalone")
    [instance] = dds["DBInstances"]["DBInstance"]
    assert (instance["KindCode"], instance["DBInstanceType"]) == ("3", "replicate")
    assert call(sdk, emulator, "rds", "DescribeDBInstanceAttribute", DBInstanceId="rm-nope") == \
        (400, "InvalidDBInstanceId.NotFound", "The DBInstanceId provided does not exist in records.")


RDS_STAGES = ["Preparing", "Waiting", "Uploading", "Checking"]
DDS_STAGES = ["Scheduled", "Checking", "Backuping"]


@pytest.mark.parametrize("product,instance,stage", [("rds", "rm-uf6wjk5xxxxxxx", s) for s in RDS_STAGES]
                         + [("dds", "dds-bpxxxxxxxx", s) for s in DDS_STAGES])
def test_a_task_fails_at_the_scripted_stage(product, instance, stage, frozen):
    assert frozen.control("PUT", f"/_emulator/instances/{instance}/next-backup", {"fail": stage})[0] == 200
    created = call("new-sdk-v3", frozen, product, "CreateBackup", DBInstanceId=instance)
    advance(frozen, "10s")
    if product == "rds":
        [job] = call("new-sdk-v3", frozen, product, "DescribeBackupTasks", DBInstanceId=instance,
                     BackupJobId=created["BackupJobId"])["Items"]["BackupJob"]
        assert (job["BackupStatus"], job["BackupProgressStatus"]) == ("Failed", stage)
        assert "BackupId" not in job
        [backup] = call("new-sdk-v3", frozen, product, "DescribeBackups", DBInstanceId=instance,
                        BackupStatus="Failed")["Items"]["Backup"]
        assert (backup["BackupStatus"], backup["IsAvail"], backup["BackupSize"]) == ("Failed", 0, 0)
    else:
        [job] = call("new-sdk-v3", frozen, product, "DescribeBackupTasks", DBInstanceId=instance,
                     BackupJobId=created["BackupJobId"])["BackupJobs"]
        assert job["BackupSetStatus"] == "Failed" and "Progress" not in job
        [backup] = call("new-sdk-v3", frozen, product, "DescribeBackups", DBInstanceId=instance)["Backups"]["Backup"]
        assert (backup["BackupStatus"], backup["IsAvail"]) == ("Failed", False)
    # The failed task no longer blocks: the next backup is accepted.
    assert "BackupJobId" in call("new-sdk-v3", frozen, product, "CreateBackup", DBInstanceId=instance)


def test_a_task_held_at_a_stage_waits_for_the_clock(frozen):
    assert frozen.control("PUT", "/_emulator/instances/rm-uf6wjk5xxxxxxx/next-backup",
                          {"hold": "Uploading", "for": "10m"})[0] == 200
    created = call("old-sdk-v1", frozen, "rds", "CreateBackup", DBInstanceId="rm-uf6wjk5xxxxxxx")
    advance(frozen, "5m")
    [job] = call("old-sdk-v1", frozen, "rds", "DescribeBackupTasks", DBInstanceId="rm-uf6wjk5xxxxxxx",
                 BackupJobId=created["BackupJobId"])["Items"]["BackupJob"]
    assert (job["BackupStatus"], job["Process"]) == ("Uploading", "50")
    assert call("old-sdk-v1", frozen, "rds", "CreateBackup", DBInstanceId="rm-uf6wjk5xxxxxxx")[1] == "BackupJobExists"
    advance(frozen, "5m")
    advance(frozen, "3s")
    [job] = call("old-sdk-v1", frozen, "rds", "DescribeBackupTasks", DBInstanceId="rm-uf6wjk5xxxxxxx",
                 BackupJobId=created["BackupJobId"])["Items"]["BackupJob"]
    assert job["BackupStatus"] == "Finished"


def test_the_signature_window_follows_the_real_time_too(frozen, monkeypatch):
    advance(frozen, "16m")
    # The SDK signs with the real time, now 16 minutes from the emulator's clock: accepted.
    assert "BackupJobId" in call("new-sdk-v3", frozen, "rds", "CreateBackup", DBInstanceId="rm-uf6wjk5xxxxxxx")
    # A time 16 minutes from the real time, and 32 from the emulator's clock, is not.
    stale = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=16)).strftime("%Y-%m-%dT%H:%M:%SZ")
    monkeypatch.setattr(Utils, "get_timestamp", staticmethod(lambda: stale))
    assert call("new-sdk-v3", frozen, "rds", "CreateBackup", DBInstanceId="rm-mysql-nodb") == \
        (400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")


@pytest.mark.parametrize("sdk", SDKS)
def test_a_new_day_frees_the_quota(sdk, start_emulator, monkeypatch):
    server = start_emulator("--backup-duration", "0", "--rds-daily-quota", "1")
    # After a large jump, signed requests must carry the emulator's time (README, "Virtual clock").
    emulator_time = lambda: server.control("GET", "/_emulator/clock")[1]["now"]
    monkeypatch.setattr(parameter_helper, "get_iso_8061_date", emulator_time)
    monkeypatch.setattr(Utils, "get_timestamp", staticmethod(emulator_time))
    assert "BackupJobId" in call(sdk, server, "rds", "CreateBackup", DBInstanceId="rm-uf6wjk5xxxxxxx")
    assert call(sdk, server, "rds", "CreateBackup", DBInstanceId="rm-uf6wjk5xxxxxxx")[1] == "Exceeded.BackupTimes"
    advance(server, "25h")
    assert "BackupJobId" in call(sdk, server, "rds", "CreateBackup", DBInstanceId="rm-uf6wjk5xxxxxxx")
