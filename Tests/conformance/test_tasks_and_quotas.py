"""Backup tasks, daily quotas, the legacy RDS profile and concurrent callers (docs/behaviour.md §3 Profiles, §4,
§5, §6 Atomicity), through all three SDK paths.

Servers with particular flags come from the ``emulator_with`` pool: started once per set of flags, reset before
every use.
"""
import threading
import time

import pytest

from clients import ApiError, make_client
from expectations import (
    DDS_JOB_EXISTS, DDS_QUOTA, DDS_REPLY_KEYS, RDS_BAD_METHOD, RDS_BAD_STRATEGY, RDS_JOB_EXISTS, RDS_LEGACY_REPLY_KEYS,
    RDS_QUOTA, expect_error, expect_success, is_request_id,
)

MYSQL = "rm-uf6wjk5xxxxxxx"
REPLICA = "dds-bpxxxxxxxx"
INSTANT = ("--backup-duration", "0")
LEGACY = ("--rds-profile", "legacy", "--backup-duration", "0")


def use_up(server, client, product, params, count, keys=None):
    """`count` successes in a row; returns the replies."""
    return [expect_success(server, client, product, params, keys=keys)[0] for _ in range(count)]


# --- tasks ------------------------------------------------------------------------------------------------

def test_instant_tasks_are_never_in_progress(client_factory, emulator_with):
    server = emulator_with(*INSTANT)
    client = client_factory(server)
    for product, instance in (("rds", MYSQL), ("dds", REPLICA)):
        use_up(server, client, product, {"DBInstanceId": instance}, 2)
        assert [b["InProgress"] for b in server.backups(instance)] == [False, False]


def test_a_task_ends_after_the_backup_duration(emulator_with):
    """--backup-duration 1: refused while the task runs, accepted again once it has ended (§5)."""
    server = emulator_with("--backup-duration", "1")
    client = make_client("new-sdk-v3", server.endpoint)
    started = time.monotonic()
    expect_success(server, client, "rds", {"DBInstanceId": MYSQL})
    expect_success(server, client, "dds", {"DBInstanceId": REPLICA})
    expect_error(server, client, "rds", {"DBInstanceId": MYSQL}, RDS_JOB_EXISTS)
    expect_error(server, client, "dds", {"DBInstanceId": REPLICA}, DDS_JOB_EXISTS)
    assert time.monotonic() - started < 1, "too slow to observe the running task"
    time.sleep(1.2)
    assert [b["InProgress"] for b in server.backups(MYSQL)] == [False]
    expect_success(server, client, "rds", {"DBInstanceId": MYSQL})
    expect_success(server, client, "dds", {"DBInstanceId": REPLICA})


def test_the_job_is_checked_before_the_quota(client_factory, emulator_with):
    server = emulator_with("--rds-daily-quota", "1", "--mongodb-daily-quota", "1")
    client = client_factory(server)
    expect_success(server, client, "rds", {"DBInstanceId": MYSQL})
    expect_error(server, client, "rds", {"DBInstanceId": MYSQL}, RDS_JOB_EXISTS)
    expect_success(server, client, "dds", {"DBInstanceId": REPLICA})
    expect_error(server, client, "dds", {"DBInstanceId": REPLICA}, DDS_JOB_EXISTS)


# --- daily quotas ---------------------------------------------------------------------------------------------

def test_rds_default_quota_is_twenty_a_day_per_instance(client_factory, emulator_with):
    server = emulator_with(*INSTANT)
    client = client_factory(server)
    use_up(server, client, "rds", {"DBInstanceId": MYSQL}, 20)
    expect_error(server, client, "rds", {"DBInstanceId": MYSQL}, RDS_QUOTA)
    expect_error(server, client, "rds", {"DBInstanceId": MYSQL, "BackupMethod": "Logical"}, RDS_QUOTA)
    assert len(server.backups(MYSQL)) == 20
    expect_success(server, client, "rds", {"DBInstanceId": "rm-pg-local"})  # the quota is per instance
    expect_success(server, client, "dds", {"DBInstanceId": REPLICA})
    server.reset()  # back to the fixtures, no backups: the count starts again
    expect_success(server, client, "rds", {"DBInstanceId": MYSQL})


def test_rds_quota_flag(client_factory, emulator_with):
    server = emulator_with("--backup-duration", "0", "--rds-daily-quota", "3", "--mongodb-daily-quota", "2")
    client = client_factory(server)
    use_up(server, client, "rds", {"DBInstanceId": MYSQL}, 3)
    expect_error(server, client, "rds", {"DBInstanceId": MYSQL}, RDS_QUOTA)
    assert len(server.backups(MYSQL)) == 3


def test_mongodb_default_quota_is_twenty_a_day_per_instance(client_factory, emulator_with):
    server = emulator_with(*INSTANT)
    client = client_factory(server)
    use_up(server, client, "dds", {"DBInstanceId": REPLICA}, 20)
    expect_error(server, client, "dds", {"DBInstanceId": REPLICA}, DDS_QUOTA)
    assert len(server.backups(REPLICA)) == 20
    expect_success(server, client, "dds", {"DBInstanceId": "dds-sharded"})
    expect_success(server, client, "rds", {"DBInstanceId": MYSQL})


def test_mongodb_quota_flag(client_factory, emulator_with):
    server = emulator_with("--backup-duration", "0", "--rds-daily-quota", "3", "--mongodb-daily-quota", "2")
    client = client_factory(server)
    use_up(server, client, "dds", {"DBInstanceId": "dds-cloud", "BackupMethod": "Snapshot"}, 2)
    expect_error(server, client, "dds", {"DBInstanceId": "dds-cloud", "BackupMethod": "Snapshot"}, DDS_QUOTA)
    assert len(server.backups("dds-cloud")) == 2


# --- the legacy RDS profile (seed 001) --------------------------------------------------------------------

def test_legacy_reply_is_request_id_only(client_factory, emulator_with):
    server = emulator_with(*LEGACY)
    client = client_factory(server)
    reply, backup = expect_success(server, client, "rds", {"DBInstanceId": MYSQL}, "Physical",
                                   keys=RDS_LEGACY_REPLY_KEYS)
    assert sorted(reply) == ["RequestId"]
    if client.kind != "old-sdk":
        assert reply.sdk_result.body.backup_job_id is None
        assert reply.sdk_result.body.request_id == reply["RequestId"]


def test_legacy_quota_is_ten_a_day(client_factory, emulator_with):
    server = emulator_with(*LEGACY)
    client = client_factory(server)
    use_up(server, client, "rds", {"DBInstanceId": MYSQL}, 10, keys=RDS_LEGACY_REPLY_KEYS)
    expect_error(server, client, "rds", {"DBInstanceId": MYSQL}, RDS_QUOTA)
    assert len(server.backups(MYSQL)) == 10


def test_legacy_quota_flag_overrides_the_profile(client_factory, emulator_with):
    server = emulator_with(*LEGACY, "--rds-daily-quota", "12")
    client = client_factory(server)
    use_up(server, client, "rds", {"DBInstanceId": MYSQL}, 12, keys=RDS_LEGACY_REPLY_KEYS)
    expect_error(server, client, "rds", {"DBInstanceId": MYSQL}, RDS_QUOTA)


@pytest.mark.parametrize("instance", [MYSQL, "rm-mysql-cloud", "rm-pg-cloud", "rm-mssql-cloud"])
def test_legacy_refuses_snapshot(instance, client_factory, emulator_with):
    server = emulator_with(*LEGACY)
    expect_error(server, client_factory(server), "rds", {"DBInstanceId": instance, "BackupMethod": "Snapshot"},
                 RDS_BAD_METHOD)


def test_legacy_backup_type_on_any_engine(client_factory, emulator_with):
    server = emulator_with(*LEGACY)
    client = client_factory(server)
    expect_success(server, client, "rds", {"DBInstanceId": MYSQL, "BackupType": "FullBackup"}, "Physical",
                   keys=RDS_LEGACY_REPLY_KEYS)
    expect_success(server, client, "rds", {"DBInstanceId": "rm-pg-local", "BackupType": "Auto"}, "Physical",
                   keys=RDS_LEGACY_REPLY_KEYS)


def test_legacy_backup_strategy_only_with_logical(client_factory, emulator_with):
    server = emulator_with(*LEGACY)
    client = client_factory(server)
    expect_error(server, client, "rds", {"DBInstanceId": "rm-mssql-local", "BackupType": "FullBackup",
                                         "BackupStrategy": "instance"}, RDS_BAD_STRATEGY)
    expect_success(server, client, "rds", {"DBInstanceId": MYSQL, "BackupMethod": "Logical",
                                           "BackupStrategy": "db", "DBName": "rds_mysql"}, "Logical",
                   keys=RDS_LEGACY_REPLY_KEYS)


def test_legacy_profile_leaves_mongodb_alone(client_factory, emulator_with):
    server = emulator_with(*LEGACY)
    client = client_factory(server)
    use_up(server, client, "dds", {"DBInstanceId": REPLICA}, 11, keys=DDS_REPLY_KEYS)  # not the RDS quota of 10


# --- concurrency ---------------------------------------------------------------------------------------------

def concurrently(clients, product, params):
    """Every client calls CreateBackup at once; returns a list of replies (dict) or ApiError."""
    results = [None] * len(clients)
    barrier = threading.Barrier(len(clients))

    def run(index):
        barrier.wait()
        try:
            results[index] = clients[index].create_backup(product, **params)
        except ApiError as error:
            results[index] = error
        except Exception as error:  # noqa: BLE001 (reported by the assertions below)
            results[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads), "a caller hung"
    return results


def split(results):
    successes = [r for r in results if isinstance(r, dict)]
    errors = [r for r in results if isinstance(r, ApiError)]
    others = [r for r in results if not isinstance(r, (dict, ApiError))]
    assert not others, others
    for error in errors:
        assert is_request_id(error.request_id)
    request_ids = [r["RequestId"] for r in successes] + [e.request_id for e in errors]
    assert len(set(request_ids)) == len(results), "request ids repeat"
    return successes, errors


@pytest.mark.parametrize("product,instance,refusal", [
    pytest.param("rds", MYSQL, RDS_JOB_EXISTS, id="rds"),
    pytest.param("dds", REPLICA, DDS_JOB_EXISTS, id="mongodb"),
])
def test_32_concurrent_calls_on_an_idle_instance_give_one_success(product, instance, refusal, client_factory,
                                                                  emulator):
    clients = [client_factory(emulator) for _ in range(32)]
    successes, errors = split(concurrently(clients, product, {"DBInstanceId": instance}))
    assert len(successes) == 1
    assert len(errors) == 31
    assert {(e.http_status, e.code, e.message) for e in errors} == {refusal}
    assert [b["BackupJobId"] for b in emulator.backups(instance)] == [successes[0]["BackupJobId"]]


@pytest.mark.parametrize("product,instance,refusal", [
    pytest.param("rds", MYSQL, RDS_QUOTA, id="rds"),
    pytest.param("dds", REPLICA, DDS_QUOTA, id="mongodb"),
])
def test_32_concurrent_calls_never_overshoot_the_quota(product, instance, refusal, client_factory, emulator_with):
    server = emulator_with("--backup-duration", "0", "--rds-daily-quota", "20", "--mongodb-daily-quota", "20")
    clients = [client_factory(server) for _ in range(32)]
    successes, errors = split(concurrently(clients, product, {"DBInstanceId": instance}))
    assert len(successes) == 20
    assert len(errors) == 12
    assert {(e.http_status, e.code, e.message) for e in errors} == {refusal}
    listed = server.backups(instance)
    assert len(listed) == 20
    assert sorted(b["BackupJobId"] for b in listed) == sorted(r["BackupJobId"] for r in successes)
    assert len({r["BackupJobId"] for r in successes}) == 20
