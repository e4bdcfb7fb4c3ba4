"""Starts the built emulator for the conformance tests.

* The binary is $EMULATOR_BIN, else <repo>/.build/debug/aliyun-db-emulator.
* Every server is started on ``--port 0``; start-up waits (10 s at most) for the single line
  ``aliyun-db-emulator listening on http://127.0.0.1:PORT`` and fails the test clearly otherwise.
* Teardown sends SIGTERM, waits, and sends SIGKILL if the process lingers: no orphans.
* ``emulator``: one session-wide server with default flags, reset (POST /_emulator/reset) before every test
  that uses it (the autouse fixture ``_reset_shared_emulator``).
* ``emulator_with(*flags)``: a session-wide server per distinct set of flags, reset on each use.
* ``start_emulator(*flags)``: a fresh process owned by the test (for restarts, kill -9, state files).
* ``client_factory`` / ``client``: parametrized over the three ways users call CreateBackup (see clients.py).

The control API is driven with the standard library only (urllib).
"""
import json
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

import signing
from clients import SDK_KINDS, make_client
from expectations import UUID  # noqa: F401 (also imported from here by other test modules)

ROOT = Path(__file__).resolve().parents[2]
BINARY = os.environ.get("EMULATOR_BIN", str(ROOT / ".build" / "debug" / "aliyun-db-emulator"))
STARTUP_TIMEOUT = 10.0
BINARY_WAIT = 30.0  # the binary may be briefly missing while it is being rebuilt
READY_LINE = re.compile(r"aliyun-db-emulator listening on http://127\.0\.0\.1:(\d+)")


class EmulatorStartError(Exception):
    def __init__(self, message, exit_code=None, stderr=""):
        super().__init__(message)
        self.exit_code = exit_code
        self.stderr = stderr


class Emulator:
    """One emulator process, started on --port 0 with the given flags."""

    def __init__(self, *flags, timeout=STARTUP_TIMEOUT):
        self.flags = tuple(str(flag) for flag in flags)
        self.process = None
        self.stdout_lines = []
        self._stderr = tempfile.TemporaryFile()
        self._start(timeout)

    # -- process -----------------------------------------------------------------------------------

    _gave_up = False  # once the binary stayed unusable for BINARY_WAIT, later starts fail at once

    def _popen(self):
        deadline = time.monotonic() + (0 if Emulator._gave_up else BINARY_WAIT)
        while True:
            try:
                return subprocess.Popen([BINARY, "--port", "0", *self.flags], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=self._stderr)
            except OSError as error:  # missing (being rebuilt) or "text file busy" (being written)
                if time.monotonic() >= deadline:
                    Emulator._gave_up = True
                    raise EmulatorStartError(f"cannot run the emulator binary {BINARY} "
                                             f"(set EMULATOR_BIN to override): {error}") from error
                time.sleep(0.5)

    def _start(self, timeout):
        self.process = self._popen()
        ready = threading.Event()

        def drain():  # read stdout to its end so that the pipe can never fill up
            for raw in self.process.stdout:
                self.stdout_lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                ready.set()
            ready.set()

        self._drain_thread = threading.Thread(target=drain, daemon=True)
        self._drain_thread.start()
        if not ready.wait(timeout):
            description = self._describe()
            self.kill()
            raise EmulatorStartError(f"no ready line within {timeout} s from {description}", None, self.stderr())
        line = self.stdout_lines[0] if self.stdout_lines else ""
        match = READY_LINE.fullmatch(line)
        if not match:
            description = self._describe()
            code = self.kill()
            raise EmulatorStartError(f"unexpected first line {line!r} from {description}", code, self.stderr())
        self.port = int(match.group(1))
        self.endpoint = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.endpoint}"

    def _describe(self):
        time.sleep(0.05)
        code = self.process.poll()
        return (f"{' '.join([BINARY, *self.flags])} (exit code {code}; stdout {self.stdout_lines!r}; "
                f"stderr {self.stderr()!r})")

    def stderr(self):
        self._stderr.flush()
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM, timeout=5.0):
        """Stops the process with `sig` (SIGTERM by default), then SIGKILL if it lingers."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            try:
                self.process.send_signal(sig)
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        if self.process.poll() is None:
            self.process.kill()
        code = self.process.wait()
        self._drain_thread.join(2)  # stdout reaches its end once the process is gone
        if not self._drain_thread.is_alive():
            self.process.stdout.close()
        return code

    def kill(self):
        """kill -9."""
        return self.stop(signal.SIGKILL)

    # -- control API (JSON, urllib) -----------------------------------------------------------------

    def control(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                text = response.read().decode()
                return response.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as error:
            text = error.read().decode()
            return error.code, (json.loads(text) if text else None)

    def _ok(self, method, path, body=None, expect=(200,)):
        status, reply = self.control(method, path, body)
        assert status in expect, f"{method} {path} -> {status} {reply!r}"
        return reply

    def health(self):
        return self._ok("GET", "/_emulator/health")

    def reset(self):
        return self._ok("POST", "/_emulator/reset")

    def instances(self):
        return self._ok("GET", "/_emulator/instances")

    def instance(self, instance_id):
        return self._ok("GET", f"/_emulator/instances/{urllib.parse.quote(instance_id)}")

    def patch_instance(self, instance_id, fields):
        return self._ok("PATCH", f"/_emulator/instances/{urllib.parse.quote(instance_id)}", fields)

    def put_instance(self, entry):
        return self._ok("PUT", f"/_emulator/instances/{urllib.parse.quote(entry['DBInstanceId'])}", entry,
                        expect=(200, 201))

    def delete_instance(self, instance_id):
        return self._ok("DELETE", f"/_emulator/instances/{urllib.parse.quote(instance_id)}", expect=(200, 204))

    def backups(self, instance_id):
        """Every backup of the instance, oldest first: the listing comes in pages of at most 1,000."""
        backups = []
        while True:
            page = self._ok("GET", f"/_emulator/instances/{urllib.parse.quote(instance_id)}/backups"
                                   f"?limit=1000&offset={len(backups)}")
            backups += page
            if len(page) < 1000:
                return backups

    def all_backups(self):
        """{DBInstanceId: [backup, ...]} for every instance."""
        return {entry["DBInstanceId"]: self.backups(entry["DBInstanceId"]) for entry in self.instances()}

    # -- raw HTTP ----------------------------------------------------------------------------------

    def raw(self, query="", method="GET", body=None, headers=None, path="/", sign="v1"):
        """A plain HTTP request; returns (status, headers, body text). Never raises on 4xx/5xx.

        `sign`: "v1" (default) adds the common parameters and a V1 signature with testid/testsecret,
        covering a form body too; "v3" signs with ACS3-HMAC-SHA256 headers; None sends it as given.
        A query that does not decode is sent as given (the gateway refuses it before any signature)."""
        if isinstance(query, dict):
            query = urllib.parse.urlencode(query)
        headers = dict(headers or {})
        broken_escape = re.compile(rb"%(?![0-9A-Fa-f]{2})")
        if sign and (broken_escape.search(query.encode()) or (body and broken_escape.search(body))):
            sign = None  # keep the malformed request exactly as the test wrote it
        if sign:
            try:
                pairs = urllib.parse.parse_qsl(query, keep_blank_values=True, errors="strict")
                is_form = any(k.lower() == "content-type" and "x-www-form-urlencoded" in v for k, v in headers.items())
                body_pairs = (urllib.parse.parse_qsl(body.decode(), keep_blank_values=True, errors="strict")
                              if body and is_form else [])
            except (UnicodeDecodeError, ValueError):
                sign = None
        if sign == "v1":
            query = urllib.parse.urlencode(signing.sign_v1(method, pairs, body_pairs))
        elif sign == "v3":
            headers = signing.sign_v3(method, self.endpoint, pairs, headers, body or b"")
        url = self.url + path + (f"?{query}" if query else "")
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()


def start_or_fail(*flags):
    try:
        return Emulator(*flags)
    except EmulatorStartError as error:
        pytest.fail(f"the emulator did not start: {error}", pytrace=False)


@pytest.fixture
def start_emulator():
    """Starts fresh emulator processes with the given flags; all are stopped after the test."""
    started = []

    def start(*flags):
        emulator = start_or_fail(*flags)
        started.append(emulator)
        return emulator

    yield start
    for emulator in started:
        emulator.stop()


@pytest.fixture(scope="session")
def _emulator_pool():
    pool = {}
    yield pool
    for emulator in pool.values():
        emulator.stop()


@pytest.fixture
def emulator_with(_emulator_pool):
    """A session-wide server for these flags (started once), reset to its fixtures before it is returned."""

    def get(*flags):
        key = tuple(str(flag) for flag in flags)
        emulator = _emulator_pool.get(key)
        if emulator is None or emulator.process.poll() is not None:
            emulator = _emulator_pool[key] = start_or_fail(*key)
        emulator.reset()
        return emulator

    return get


@pytest.fixture(scope="session")
def shared_emulator():
    emulator = start_or_fail()
    yield emulator
    emulator.stop()


@pytest.fixture(autouse=True)
def _reset_shared_emulator(request):
    """Puts the shared default server back at its fixtures before each test that uses it."""
    if {"emulator", "client"} & set(request.fixturenames):
        shared = request.getfixturevalue("shared_emulator")
        if shared.process.poll() is not None:
            pytest.fail(f"the shared emulator has died: {shared.stderr()!r}", pytrace=False)
        shared.reset()


@pytest.fixture
def emulator(shared_emulator):
    """The shared default server (--backup-duration 5, current profile), back at its fixtures."""
    return shared_emulator


@pytest.fixture(params=SDK_KINDS)
def client_factory(request):
    """make(server) -> a client of one SDK generation pointed at that server."""

    def make(server):
        return make_client(request.param, server.endpoint)

    make.kind = request.param
    return make


@pytest.fixture
def client(client_factory, emulator):
    return client_factory(emulator)
