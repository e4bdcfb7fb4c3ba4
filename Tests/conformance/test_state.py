"""State files, kill -9 durability and the process itself (docs/behaviour.md §6), with fresh processes."""
import json
import signal
import sqlite3
from pathlib import Path

import pytest

from clients import make_client
from conftest import Emulator, EmulatorStartError
from expectations import RDS_BAD_STATE, RDS_JOB_EXISTS, expect_error, expect_success

FIXTURES = Path(__file__).resolve().parents[2] / "Fixtures" / "instances.json"
MYSQL = "rm-uf6wjk5xxxxxxx"
APPLICATION_ID = 0x41444245


def fixture_ids():
    return sorted(entry["DBInstanceId"] for entry in json.loads(FIXTURES.read_text()))


def test_acknowledged_backups_survive_kill_dash_nine(client_factory, start_emulator, tmp_path):
    state = tmp_path / "state.db"
    first = start_emulator("--state", state)
    client = client_factory(first)
    rds, _ = expect_success(first, client, "rds", {"DBInstanceId": MYSQL})
    dds, _ = expect_success(first, client, "dds", {"DBInstanceId": "dds-bpxxxxxxxx"})
    first.patch_instance("rm-stopped", {"DBInstanceStatus": "Running"})
    first.patch_instance("rm-pg-local", {"DBInstanceStatus": "Stopped"})
    assert first.kill() == -signal.SIGKILL

    second = start_emulator("--state", state)
    client = client_factory(second)
    assert [b["BackupJobId"] for b in second.backups(MYSQL)] == [rds["BackupJobId"]]
    assert [(b["BackupId"], b["BackupJobId"]) for b in second.backups("dds-bpxxxxxxxx")] == \
        [(dds["BackupId"], dds["BackupJobId"])]
    assert second.instance("rm-stopped")["DBInstanceStatus"] == "Running"
    assert second.instance("rm-pg-local")["DBInstanceStatus"] == "Stopped"
    # The surviving task is still in progress (5 s from its start), and the patched instances behave as patched.
    expect_error(second, client, "rds", {"DBInstanceId": MYSQL}, RDS_JOB_EXISTS)
    expect_error(second, client, "rds", {"DBInstanceId": "rm-pg-local"}, RDS_BAD_STATE)
    later, _ = expect_success(second, client, "rds", {"DBInstanceId": "rm-stopped"})
    # The id sequence never repeats, not even across a restart.
    assert later["BackupJobId"] not in (rds["BackupJobId"], dds["BackupJobId"])


def test_a_fresh_state_file_is_seeded_from_the_fixtures(start_emulator, tmp_path):
    state = tmp_path / "fresh.db"
    assert not state.exists()
    server = start_emulator("--state", state)
    assert state.exists()
    assert sorted(entry["DBInstanceId"] for entry in server.instances()) == fixture_ids()
    assert server.instance("rm-stopped")["DBInstanceStatus"] == "Stopped"
    assert all(backups == [] for backups in server.all_backups().values())
    assert server.stop() is not None
    with sqlite3.connect(state) as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert db.execute("PRAGMA user_version").fetchone()[0] == 15
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        # Version 6: instances and scripted outcomes are kept by instance id, without a rowid.
        for table in ("instances", "next_backup_outcomes", "backup_totals"):
            assert "WITHOUT ROWID" in db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        # Version 7: SQLite numbers backups; no table of its own keeps the highest number.
        assert db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'backup_sequence'").fetchone()[0] == 0


def test_reset_of_a_file_backed_server_returns_to_the_fixtures(client_factory, start_emulator, tmp_path):
    state = tmp_path / "state.db"
    server = start_emulator("--state", state, "--backup-duration", "0")
    client = client_factory(server)
    expect_success(server, client, "rds", {"DBInstanceId": MYSQL})
    server.patch_instance("rm-stopped", {"DBInstanceStatus": "Running"})
    server.reset()
    server.stop()
    again = start_emulator("--state", state)
    assert again.backups(MYSQL) == []
    assert again.instance("rm-stopped")["DBInstanceStatus"] == "Stopped"


def _refused_at_start(*flags):
    """The process exits with a failure status, without a ready line, explaining why on stderr."""
    with pytest.raises(EmulatorStartError) as caught:
        Emulator(*flags).stop()
    error = caught.value
    assert error.exit_code not in (None, 0, -signal.SIGKILL), str(error)
    assert error.stderr.strip(), str(error)
    return error


def test_a_foreign_sqlite_file_is_refused(tmp_path):
    state = tmp_path / "other.db"
    with sqlite3.connect(state) as db:
        db.execute("CREATE TABLE t (x)")
    _refused_at_start("--state", state)
    with sqlite3.connect(state) as db:  # and left alone
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]


def test_a_newer_schema_is_refused(tmp_path):
    state = tmp_path / "newer.db"
    with sqlite3.connect(state) as db:
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute("PRAGMA user_version = 99")
        db.execute("CREATE TABLE t (x)")
    _refused_at_start("--state", state)


def test_sigterm_stops_the_server(start_emulator):
    server = start_emulator()
    assert server.health() == {"status": "ok"}
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(timeout=5)  # raises if SIGTERM is not enough


def test_custom_fixtures_directory(start_emulator, tmp_path):
    (tmp_path / "instances.json").write_text(json.dumps([
        {"DBInstanceId": "rm-custom", "Engine": "PostgreSQL", "DBInstanceStorageType": "cloud_essd"}]))
    server = start_emulator("--fixtures", tmp_path)
    assert [entry["DBInstanceId"] for entry in server.instances()] == ["rm-custom"]
    client = make_client("new-sdk-v3", server.endpoint)
    expect_success(server, client, "rds", {"DBInstanceId": "rm-custom", "BackupMethod": "Snapshot"}, "Snapshot")
