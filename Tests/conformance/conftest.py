"""Starts the built emulator for the conformance tests and wraps the three ways users call it."""
import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARY = os.environ.get("EMULATOR_BIN", str(ROOT / ".build" / "debug" / "aliyun-db-emulator"))
UUID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")


class Emulator:
    """One emulator process; stopped with SIGTERM (SIGKILL if it lingers)."""

    def __init__(self, *flags):
        self.flags = flags
        self.process = subprocess.Popen(
            [BINARY, "--port", "0", *flags], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline().strip()
        match = re.fullmatch(r"aliyun-db-emulator listening on http://127\.0\.0\.1:(\d+)", line)
        if not match:
            self.process.kill()
            raise RuntimeError(f"emulator did not start: {line!r}")
        self.port = int(match.group(1))
        self.endpoint = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.endpoint}"

    def stop(self, sig=signal.SIGTERM):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def control(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                text = response.read().decode()
                return response.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read().decode() or "null")

    def backups(self, instance_id):
        status, body = self.control("GET", f"/_emulator/instances/{instance_id}/backups")
        assert status == 200
        return body

    def raw(self, query, method="GET", body=None, headers=None):
        """A plain HTTP request; returns (status, headers, body text)."""
        request = urllib.request.Request(f"{self.url}/?{query}", data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()


@pytest.fixture
def start_emulator():
    """Starts emulators with the given flags; all are stopped after the test."""
    started = []

    def start(*flags):
        emulator = Emulator(*flags)
        started.append(emulator)
        return emulator

    yield start
    for emulator in started:
        emulator.stop()


@pytest.fixture(scope="session")
def shared_emulator():
    emulator = Emulator()
    yield emulator
    emulator.stop()


@pytest.fixture
def emulator(shared_emulator):
    """The shared emulator, back at its fixtures."""
    assert shared_emulator.control("POST", "/_emulator/reset")[0] == 200
    return shared_emulator
