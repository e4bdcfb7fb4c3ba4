"""Running the emulator as a service (issue #5): environment twins, health check, control token, request
logs, graceful shutdown. The binary is started as CI service containers start it: by environment only."""
import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

import signing
from conftest import BINARY


class Process:
    """The emulator started with an environment (and optional flags), its stdout and stderr kept."""

    def __init__(self, env, *flags):
        environment = {k: v for k, v in os.environ.items() if not k.startswith("ALIYUN_EMULATOR_")}
        environment.update({"ALIYUN_EMULATOR_PORT": "0", **env})
        self.process = subprocess.Popen([BINARY, *flags], env=environment, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        match = re.fullmatch(r"aliyun-db-emulator listening on http://(\S+):(\d+)\n", line)
        assert match, (line, self.process.stderr.read() if self.process.poll() is not None else "")
        self.port = int(match.group(2))

    def get(self, path, headers=None):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def config(self, headers=None):
        status, body = self.get("/_emulator/config", headers)
        assert status == 200, body
        return json.loads(body)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        return code, self.process.stderr.read()


@pytest.fixture
def run():
    started = []

    def start(env=None, *flags):
        process = Process(env or {}, *flags)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


@pytest.mark.parametrize("variable,value,key,expected", [
    ("HOST", "0.0.0.0", "host", "0.0.0.0"),
    ("WORKERS", "3", "workers", 3),
    ("MAX_CONNECTIONS", "100", "maxConnections", 100),
    ("STATE", "{tmp}/state.db", "state", "{tmp}/state.db"),
    ("FIXTURES", "{tmp}", "fixtures", "{tmp}"),
    ("SIGNATURE", "off", "signature", "off"),
    ("RDS_PROFILE", "legacy", "rdsDailyQuota", 10),
    ("BACKUP_DURATION", "0", "backupDuration", "0.0"),
    ("RDS_DAILY_QUOTA", "3", "rdsDailyQuota", 3),
    ("MONGODB_DAILY_QUOTA", "4", "mongodbDailyQuota", 4),
    ("LOG_LEVEL", "warning", "logLevel", "warning"),
    ("LOG_FORMAT", "json", "logFormat", "json"),
    ("JOURNAL_SIZE", "7", "journalSize", 7),
])
def test_every_option_has_an_environment_twin(variable, value, key, expected, run, tmp_path):
    (tmp_path / "instances.json").write_text('[{"DBInstanceId": "rm-only", "Engine": "MySQL"}]')
    process = run({f"ALIYUN_EMULATOR_{variable}": value.format(tmp=tmp_path)})
    assert process.config()[key] == (expected.format(tmp=tmp_path) if isinstance(expected, str) else expected)
    assert process.config()["port"] == process.port  # ALIYUN_EMULATOR_PORT=0 was honoured


def test_the_control_token_variable_protects_the_control_api(run):
    process = run({"ALIYUN_EMULATOR_CONTROL_TOKEN": "s3cret"})
    assert process.get("/_emulator/instances")[0] == 401
    assert process.get("/_emulator/instances", {"Authorization": "Bearer wrong"})[0] == 401
    status, body = process.get("/_emulator/config", {"Authorization": "Bearer s3cret"})
    assert status == 200 and json.loads(body)["controlToken"] == "set (hidden)" and "s3cret" not in body
    assert process.get("/_emulator/health")[0] == 200  # health checks need no token


def test_a_flag_wins_over_its_variable(run):
    process = run({"ALIYUN_EMULATOR_RDS_DAILY_QUOTA": "3", "ALIYUN_EMULATOR_SIGNATURE": "off"}, "--rds-daily-quota", "5")
    config = process.config()
    assert (config["rdsDailyQuota"], config["signature"]) == (5, "off")


@pytest.mark.parametrize("variable,value,message", [
    ("PORT", "eighty", 'ALIYUN_EMULATOR_PORT: "eighty" is not a port from 0 to 65535'),
    ("WORKERS", "0", 'ALIYUN_EMULATOR_WORKERS: "0" is not a number of threads from 1 to 64'),
    ("SIGNATURE", "loose", 'ALIYUN_EMULATOR_SIGNATURE: "loose" is not one of strict, off'),
    ("BACKUP_DURATION", "-3", 'ALIYUN_EMULATOR_BACKUP_DURATION: "-3" is not a number of seconds from 0 to 31536000'),
    ("BACKUP_DURATION", "0x10", 'ALIYUN_EMULATOR_BACKUP_DURATION: "0x10" is not a number of seconds from 0 to 31536000'),
    ("RDS_DAILY_QUOTA", "many", 'ALIYUN_EMULATOR_RDS_DAILY_QUOTA: "many" is not a whole number, 0 or more'),
    ("RDS_PROFILE", "old", 'ALIYUN_EMULATOR_RDS_PROFILE: "old" is not one of current, legacy'),
    ("LOG_FORMAT", "xml", 'ALIYUN_EMULATOR_LOG_FORMAT: "xml" is not one of text, json'),
    ("JOURNAL_SIZE", "-1", 'ALIYUN_EMULATOR_JOURNAL_SIZE: "-1" is not a number of requests from 0 to 1000000'),
    ("JOURNAL_SIZE", "1000001",
     'ALIYUN_EMULATOR_JOURNAL_SIZE: "1000001" is not a number of requests from 0 to 1000000'),
])
def test_a_bad_variable_is_named(variable, value, message):
    environment = {**os.environ, f"ALIYUN_EMULATOR_{variable}": value}
    result = subprocess.run([BINARY], env=environment, capture_output=True, text=True, timeout=10)
    assert result.returncode == 64
    assert result.stderr == f"aliyun-db-emulator: {message}\n"
    assert result.stdout == ""


def test_healthcheck_against_a_live_and_a_dead_server(run):
    process = run()
    live = subprocess.run([BINARY, "healthcheck", "--url", f"http://127.0.0.1:{process.port}/_emulator/health"],
                          capture_output=True, text=True, timeout=10)
    assert (live.returncode, live.stderr) == (0, "")
    by_variable = subprocess.run([BINARY, "healthcheck"], env={**os.environ, "ALIYUN_EMULATOR_PORT": str(process.port)},
                                 capture_output=True, timeout=10)
    assert by_variable.returncode == 0
    process.stop()
    dead = subprocess.run([BINARY, "healthcheck", "--url", f"http://127.0.0.1:{process.port}/_emulator/health"],
                          capture_output=True, text=True, timeout=10)
    assert dead.returncode == 1
    assert dead.stderr == f"aliyun-db-emulator healthcheck: http://127.0.0.1:{process.port}/_emulator/health: no answer\n"


def test_version():
    result = subprocess.run([BINARY, "--version"], capture_output=True, text=True, timeout=10)
    assert (result.returncode, result.stdout) == (0, "0.1.0\n")


def signed_create(port, instance="rm-uf6wjk5xxxxxxx"):
    query = [("Action", "CreateBackup"), ("Version", "2014-08-15"), ("DBInstanceId", instance), ("Format", "JSON")]
    url = f"http://127.0.0.1:{port}/?" + urllib.parse.urlencode(signing.sign_v1("GET", query))
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_one_log_line_per_request_and_no_secret(run):
    process = run({"ALIYUN_EMULATOR_LOG_FORMAT": "json", "ALIYUN_EMULATOR_CONTROL_TOKEN": "tok3n",
                   "ALIYUN_EMULATOR_RDS_DAILY_QUOTA": "0"})
    status, body = signed_create(process.port)
    assert status == 403
    code, stderr = process.stop()
    assert code == 0
    lines = [json.loads(line) for line in stderr.splitlines()]
    requests = [line for line in lines if line["message"] == "request"]
    assert len(requests) == 1
    assert {k: requests[0][k] for k in ("product", "action", "account", "status", "code", "request_id")} == {
        "product": "Rds", "action": "CreateBackup", "account": "default", "status": "403",
        "code": "Exceeded.BackupTimes", "request_id": body["RequestId"]}
    assert float(requests[0]["latency_ms"]) >= 0
    started = [line for line in lines if line["message"] == "started"][0]
    assert started["listen"] == f"http://127.0.0.1:{process.port}" and started["state"] == ":memory:"
    assert "testsecret" not in stderr and "tok3n" not in stderr and "Signature" not in stderr


def test_sigterm_during_load_loses_no_acknowledged_backup(run, tmp_path):
    state = str(tmp_path / "state.db")
    process = run({"ALIYUN_EMULATOR_STATE": state, "ALIYUN_EMULATOR_BACKUP_DURATION": "0",
                   "ALIYUN_EMULATOR_RDS_DAILY_QUOTA": "1000000", "ALIYUN_EMULATOR_LOG_LEVEL": "warning"})
    acknowledged = []
    lock = threading.Lock()
    stop = threading.Event()

    def load():
        while not stop.is_set():
            try:
                status, body = signed_create(process.port)
            except (OSError, urllib.error.URLError, json.JSONDecodeError):
                return  # the server has stopped accepting
            if status == 200:
                with lock:
                    acknowledged.append(body["BackupJobId"])

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    began = time.monotonic()
    process.process.send_signal(signal.SIGTERM)
    code = process.process.wait(timeout=5)
    took = time.monotonic() - began
    stop.set()
    for thread in threads:
        thread.join()
    assert code == 0
    print(f"shutdown under load took {took * 1000:.0f} ms after {len(acknowledged)} acknowledged backups")
    assert len(acknowledged) > 10
    again = run({"ALIYUN_EMULATOR_STATE": state, "ALIYUN_EMULATOR_SIGNATURE": "off"})
    stored = set()
    while True:  # the listing comes in pages of at most 1,000
        status, body = again.get(f"/_emulator/instances/rm-uf6wjk5xxxxxxx/backups?limit=1000&offset={len(stored)}")
        page = {backup["BackupJobId"] for backup in json.loads(body)}
        if not page:
            break
        stored |= page
    assert set(acknowledged) <= stored


def test_a_second_signal_exits_at_once(run):
    process = run()
    process.process.send_signal(signal.SIGTERM)
    time.sleep(0.05)  # inside the graceful stop's grace period
    process.process.send_signal(signal.SIGINT)
    assert process.process.wait(timeout=5) == 128 + signal.SIGINT


def test_help_documents_every_option_with_its_default_and_variable():
    result = subprocess.run([BINARY, "--help"], capture_output=True, text=True, timeout=10)
    assert result.returncode == 0
    text = " ".join(result.stdout.split())  # help wraps lines
    for option in ["host", "port", "workers", "state", "fixtures", "signature", "rds-profile", "backup-duration",
                   "rds-daily-quota", "mongodb-daily-quota", "log-level", "log-format", "control-token", "journal-size"]:
        variable = "ALIYUN_EMULATOR_" + option.upper().replace("-", "_")
        assert f"--{option} <" in text, option
        assert re.search(rf"\(default: [^;]+; env: {variable}\)", text), option


def test_an_unprotected_control_api_on_all_interfaces_is_warned_about(run):
    exposed = run({"ALIYUN_EMULATOR_HOST": "0.0.0.0"})
    assert "the control API is open to anyone" in exposed.stop()[1]
    protected = run({"ALIYUN_EMULATOR_HOST": "0.0.0.0", "ALIYUN_EMULATOR_CONTROL_TOKEN": "t"})
    assert "the control API is open" not in protected.stop()[1]
    local = run()
    assert "the control API is open" not in local.stop()[1]
