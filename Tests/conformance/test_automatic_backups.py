"""A week passes (issue #21): automatic backups appear as the emulator's clock passes each period day's window, with
the policy's times and mode, a set past its retention is gone (automatic or manual), and CreateBackup still has its whole daily quota;
with both SDK generations. The expected sets are computed here, independently, from the policy."""
import datetime

import pytest
from aliyunsdkcore.utils import parameter_helper
from alibabacloud_tea_openapi.utils import Utils

from test_lifecycle import SDKS, advance, call

MINUTE, DAY = 60_000, 86_400_000
DURATION = 85_000  # an automatic backup's length (docs/behaviour.md §12)


def iso(milliseconds):
    return datetime.datetime.fromtimestamp(milliseconds / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def expected_starts(since, now, retention_days):
    """Every 30 minutes at :15 and :45 (the window 03:00Z-04:00Z's backup at 03:15, and the interval's grid), every
    day, from `since`; listed once ended and until `retention_days` after their end."""
    first = -(-since // (30 * MINUTE)) * 30 * MINUTE + 15 * MINUTE
    if first - 30 * MINUTE >= since:
        first -= 30 * MINUTE
    starts = range(first, now - DURATION + 1, 30 * MINUTE)
    return [start for start in starts if start + DURATION + retention_days * DAY > now]


def all_sets(sdk, server, **filters):
    sets, number = [], 1
    while True:
        reply = call(sdk, server, "rds", "DescribeBackups", DBInstanceId="rm-uf6wjk5xxxxxxx", PageSize=100,
                     PageNumber=number, **filters)
        page = reply["Items"]["Backup"]
        sets += page
        if len(page) < 100:
            return int(reply["TotalRecordCount"]), sets
        number += 1


@pytest.mark.parametrize("sdk", SDKS)
def test_a_week_passes(sdk, start_emulator, monkeypatch):
    server = start_emulator("--backup-duration", "0")
    emulator_time = lambda: server.control("GET", "/_emulator/clock")[1]["now"]
    monkeypatch.setattr(parameter_helper, "get_iso_8061_date", emulator_time)
    monkeypatch.setattr(Utils, "get_timestamp", staticmethod(emulator_time))
    server.control("POST", "/_emulator/clock", {"freeze": True})
    since = server.control("GET", "/_emulator/clock")[1]["nowMilliseconds"]
    policy = call(sdk, server, "rds", "ModifyBackupPolicy", DBInstanceId="rm-uf6wjk5xxxxxxx",
                  PreferredBackupPeriod="Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday",
                  PreferredBackupTime="03:00Z-04:00Z", BackupRetentionPeriod="7", BackupInterval="30")
    assert isinstance(policy, dict), policy
    # Two manual sets: one kept the policy's 7 days, one its own 30.
    assert "BackupJobId" in call(sdk, server, "rds", "CreateBackup", DBInstanceId="rm-uf6wjk5xxxxxxx")
    assert "BackupJobId" in call(sdk, server, "rds", "CreateBackup", DBInstanceId="rm-uf6wjk5xxxxxxx",
                                 BackupRetentionPeriod="30")
    total, made = all_sets(sdk, server, BackupMode="Manual")
    assert total == 2
    assert sorted(entry["ExpectExpireTime"] for entry in made) == [iso(since + 7 * DAY), iso(since + 30 * DAY)]
    # The change starts a full backup at once (at the next whole minute, unless a scheduled one starts then).
    advance(server, "3m")
    _, started = all_sets(sdk, server, BackupMode="Automated")
    assert iso(-(-since // MINUTE) * MINUTE) in [entry["BackupStartTime"] for entry in started]

    advance(server, "8d")
    now = server.control("GET", "/_emulator/clock")[1]["nowMilliseconds"]
    total, sets = all_sets(sdk, server, BackupMode="Automated")
    expected = expected_starts(since, now, 7)
    assert total == len(expected) == len(sets)
    assert [entry["BackupStartTime"] for entry in sets] == [iso(start) for start in reversed(expected)]
    assert {(entry["BackupMode"], entry["BackupInitiator"], entry["BackupStatus"], entry["BackupMethod"])
            for entry in sets} == {("Automated", "System", "Success", "Physical")}
    assert all(entry["BackupEndTime"] == iso(start + DURATION) for entry, start in zip(sets, reversed(expected)))
    assert all(entry["ExpectExpireTime"] == iso(start + DURATION + 7 * DAY) for entry, start in zip(sets, reversed(expected)))
    # The first day's sets are past their retention: gone; so is the manual set kept 7 days, not the one kept 30.
    assert expected[0] > since + DAY - 30 * MINUTE and expected_starts(since, now, 30)[0] < since + 30 * MINUTE
    total, kept = all_sets(sdk, server, BackupMode="Manual")
    assert total == 1 and [entry["ExpectExpireTime"] for entry in kept] == [iso(since + 30 * DAY)]

    # Automatic sets do not use the manual quota: CreateBackup still has all 20 of today's.
    for _ in range(20):
        assert "BackupJobId" in call(sdk, server, "rds", "CreateBackup", DBInstanceId="rm-uf6wjk5xxxxxxx")
    assert call(sdk, server, "rds", "CreateBackup", DBInstanceId="rm-uf6wjk5xxxxxxx")[1] == "Exceeded.BackupTimes"
    total_now, _ = all_sets(sdk, server)
    assert total_now == len(expected) + 21
    manual, _ = all_sets(sdk, server, BackupMode="Manual")
    assert manual == 21


@pytest.mark.parametrize("sdk", SDKS)
def test_mongodb_a_week_passes(sdk, start_emulator, monkeypatch):
    server = start_emulator()
    emulator_time = lambda: server.control("GET", "/_emulator/clock")[1]["now"]
    monkeypatch.setattr(parameter_helper, "get_iso_8061_date", emulator_time)
    monkeypatch.setattr(Utils, "get_timestamp", staticmethod(emulator_time))
    server.control("POST", "/_emulator/clock", {"freeze": True})
    since = server.control("GET", "/_emulator/clock")[1]["nowMilliseconds"]
    assert set(call(sdk, server, "dds", "ModifyBackupPolicy", DBInstanceId="dds-bpxxxxxxxx", PreferredBackupTime="03:00Z-04:00Z",
                    PreferredBackupPeriod="Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday",
                    BackupRetentionPeriod=7)) == {"RequestId"}
    advance(server, "7d")
    now = server.control("GET", "/_emulator/clock")[1]["nowMilliseconds"]
    reply = call(sdk, server, "dds", "DescribeBackups", DBInstanceId="dds-bpxxxxxxxx")
    sets = reply["Backups"]["Backup"]
    # One a day at 03:15, seven in a week.
    starts = [start for start in range(since - since % DAY + 3 * 3_600_000 + 15 * MINUTE, now - DURATION + 1, DAY)
              if start >= since]
    assert reply["TotalCount"] == len(starts) == len(sets) == 7
    assert [entry["BackupStartTime"] for entry in sets] == [iso(start) for start in reversed(starts)]
    assert {entry["BackupMode"] for entry in sets} == {"Automated"}
    assert [entry["BackupExpireTime"] for entry in sets] == [iso(start + DURATION + 7 * DAY) for start in reversed(starts)]
    policy = call(sdk, server, "dds", "DescribeBackupPolicy", DBInstanceId="dds-bpxxxxxxxx")
    assert policy["PreferredNextBackupTime"] == iso(starts[-1] + DAY)[:16] + "Z"
