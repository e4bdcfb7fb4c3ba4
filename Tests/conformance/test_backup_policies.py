"""Backup policies as real clients drive them (issue #21, workflow-api.md §2-§5, client-workflows.md), with both SDK
generations: Terraform's alicloud_db_backup_policy update, Terraform's alicloud_mongodb_instance backup settings, and
Ansible's read-compare-modify-read."""
import pytest

from test_lifecycle import SDKS, call


def wait_running(sdk, server, product, instance):
    """What Terraform does before and after each ModifyBackupPolicy: poll the instance until it is Running."""
    reply = call(sdk, server, product, "DescribeDBInstanceAttribute", DBInstanceId=instance)
    entry = (reply["Items"]["DBInstanceAttribute"] if product == "rds" else reply["DBInstances"]["DBInstance"])[0]
    assert entry["DBInstanceStatus"] == "Running"


@pytest.mark.parametrize("sdk", SDKS)
def test_terraform_rds_policy_update(sdk, emulator):
    instance = "rm-uf6wjk5xxxxxxx"
    wait_running(sdk, emulator, "rds", instance)
    # As the provider sends it: its unset optional settings travel as empty strings and change nothing.
    data = call(sdk, emulator, "rds", "ModifyBackupPolicy", DBInstanceId=instance, BackupPolicyMode="DataBackupPolicy",
                PreferredBackupPeriod="Monday,Wednesday,Friday", PreferredBackupTime="10:00Z-11:00Z",
                BackupRetentionPeriod="14", CompressType="", ReleasedKeepPolicy="", Category="")
    assert isinstance(data, dict), data
    assert data["DBInstanceID"] == instance and data["CompressType"] == "1"
    wait_running(sdk, emulator, "rds", instance)
    log = call(sdk, emulator, "rds", "ModifyBackupPolicy", DBInstanceId=instance, BackupPolicyMode="LogBackupPolicy",
               EnableBackupLog="True", LogBackupRetentionPeriod="10", LocalLogRetentionHours="24",
               LocalLogRetentionSpace="40", HighSpaceUsageProtection="Disable", LogBackupLocalRetentionNumber=50)
    assert isinstance(log, dict), log
    assert (log["EnableBackupLog"], log["LocalLogRetentionHours"], log["LocalLogRetentionSpace"]) == ("1", 24, "40")
    wait_running(sdk, emulator, "rds", instance)
    policy = call(sdk, emulator, "rds", "DescribeBackupPolicy", DBInstanceId=instance)
    # Every field the provider reads (a missing one makes it panic), with the types it expects.
    assert policy["PreferredBackupTime"] == "10:00Z-11:00Z"
    assert policy["PreferredBackupPeriod"] == "Monday,Wednesday,Friday"
    assert policy["BackupRetentionPeriod"] == 14
    assert policy["EnableBackupLog"] == "1" and policy["BackupLog"] == "Enable"
    assert policy["LogBackupRetentionPeriod"] == 10
    assert policy["EnableIncrementDataBackup"] is False
    assert (policy["LocalLogRetentionHours"], policy["LocalLogRetentionSpace"], policy["HighSpaceUsageProtection"]) == \
        (24, "40", "Disable")
    assert policy["PreferredNextBackupTime"].endswith(":15Z") and "T10:" in policy["PreferredNextBackupTime"]
    # Destroying the resource sets the provider's defaults back.
    reset = call(sdk, emulator, "rds", "ModifyBackupPolicy", DBInstanceId=instance,
                 PreferredBackupPeriod="Tuesday,Thursday,Saturday", BackupRetentionPeriod="7",
                 PreferredBackupTime="02:00Z-03:00Z")
    assert isinstance(reset, dict), reset
    policy = call(sdk, emulator, "rds", "DescribeBackupPolicy", DBInstanceId=instance)
    # The log retention kept from before (10 days) is shortened with the data retention.
    assert (policy["BackupRetentionPeriod"], policy["LogBackupRetentionPeriod"]) == (7, 7)


@pytest.mark.parametrize("sdk", SDKS)
def test_terraform_rds_policy_errors(sdk, emulator):
    refused = call(sdk, emulator, "rds", "ModifyBackupPolicy", DBInstanceId="rm-uf6wjk5xxxxxxx",
                   PreferredBackupPeriod="Monday", PreferredBackupTime="10:00Z-11:00Z", BackupRetentionPeriod="7")
    assert refused == (400, "InvalidPreferredBackupPeriod.Malformed", "Specified backup period is not valid.")
    assert call(sdk, emulator, "rds", "ModifyBackupPolicy", DBInstanceId="rm-stopped", BackupRetentionPeriod="8")[:2] \
        == (403, "IncorrectDBInstanceState")
    assert call(sdk, emulator, "rds", "DescribeBackupPolicy", DBInstanceId="rm-gone") == \
        (404, "InvalidDBInstanceName.NotFound", "Invalid DBInstanceId NotFound.")


@pytest.mark.parametrize("sdk", SDKS)
def test_terraform_mongodb_backup_settings(sdk, emulator):
    instance = "dds-bpxxxxxxxx"
    wait_running(sdk, emulator, "dds", instance)
    reply = call(sdk, emulator, "dds", "ModifyBackupPolicy", DBInstanceId=instance, PreferredBackupTime="20:00Z-21:00Z",
                 PreferredBackupPeriod="Monday,Thursday,Sunday", BackupRetentionPeriod=14, SnapshotBackupType="Flash",
                 BackupInterval="60", EnableBackupLog=1, LogBackupRetentionPeriod=7)
    assert isinstance(reply, dict) and set(reply) == {"RequestId"}, reply
    wait_running(sdk, emulator, "dds", instance)
    policy = call(sdk, emulator, "dds", "DescribeBackupPolicy", DBInstanceId=instance)
    assert (policy["PreferredBackupTime"], policy["PreferredBackupPeriod"]) == ("20:00Z-21:00Z", "Monday,Thursday,Sunday")
    # MongoDB types these the other way round from RDS (workflow-api.md §1.2).
    assert policy["BackupRetentionPeriod"] == "14" and policy["EnableBackupLog"] == 1 and policy["BackupInterval"] == 60
    assert policy["SnapshotBackupType"] == "Flash" and policy["LogBackupRetentionPeriod"] == 7
    assert policy["PreferredNextBackupTime"].endswith("T20:15Z")
    standard = call(sdk, emulator, "dds", "ModifyBackupPolicy", DBInstanceId=instance, SnapshotBackupType="Standard")
    assert standard == (400, "InvalidParameter", 'The specified parameter "BackupInterval" is not valid.')


@pytest.mark.parametrize("sdk", SDKS)
def test_ansible_read_compare_modify_read(sdk, emulator):
    instance = "rm-mysql-cloud"
    wanted = {"PreferredBackupPeriod": "Monday,Saturday", "PreferredBackupTime": "23:00Z-24:00Z",
              "BackupRetentionPeriod": 30}
    before = call(sdk, emulator, "rds", "DescribeBackupPolicy", DBInstanceId=instance)
    changes = {name: value for name, value in wanted.items() if before[name] != value}
    assert changes == wanted
    modified = call(sdk, emulator, "rds", "ModifyBackupPolicy", DBInstanceId=instance,
                    **{name: str(value) for name, value in changes.items()})
    assert isinstance(modified, dict), modified
    after = call(sdk, emulator, "rds", "DescribeBackupPolicy", DBInstanceId=instance)
    assert {name: after[name] for name in wanted} == wanted
    assert after["BackupMethod"] == "Snapshot"  # a cloud-disk MySQL instance backs up by snapshot
    # Nothing else moved.
    assert {k: v for k, v in after.items() if k not in wanted and k not in ("RequestId", "PreferredNextBackupTime")} == \
        {k: v for k, v in before.items() if k not in wanted and k not in ("RequestId", "PreferredNextBackupTime")}
