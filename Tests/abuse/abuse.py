"""The abuse suite's helpers: what a hostile or broken client does, against the built emulator (README, "Fuzzing and
abuse tests"). Each case starts its own server (the conformance suite's `Emulator`, so the same binary, start-up and
teardown), watches it while the abuse goes on, and checks afterwards that:

* the process is still running;
* `/_emulator/health` answered within `HEALTH_DEADLINE` every time it was asked, about ten times a second;
* its resident memory (VmRSS of /proc/PID/status) stayed under the bound the case states;
* every reply to a malformed request is one of the API's error envelopes (XML, or JSON where asked for).

Every case has a time limit (pytest-timeout; each module sets `pytestmark = CASE_TIME_LIMIT`), so a stalled server
fails the case rather than hanging the suite. This is a module, not a conftest.py: the conformance suite imports its
own conftest by that name, and the two suites may be collected in one run. Cases import the fixtures they use.
"""
import http.client
import importlib.util
import json
import os
import socket
import sys
import threading
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Tests" / "conformance"))
import signing  # noqa: E402,F401  (the conformance suite's own signer, for the cases' signed requests)


def _conformance_conftest():
    """The conformance suite's conftest under a name of its own (its tests import it as `conftest`)."""
    spec = importlib.util.spec_from_file_location("conformance_conftest", ROOT / "Tests" / "conformance" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Its process handling: the same binary ($EMULATOR_BIN), start-up, teardown (SIGTERM, then SIGKILL); and its
# fixture `start_emulator(*flags)`, a fresh process for the case, stopped after it.
_conformance = _conformance_conftest()
Emulator, start_or_fail, start_emulator = _conformance.Emulator, _conformance.start_or_fail, _conformance.start_emulator

HEALTH_DEADLINE = 2.0  # seconds
CASE_TIME_LIMIT = pytest.mark.timeout(120)  # seconds, for a case that sets none of its own
MB = 1024 * 1024


def rss(pid):
    """Resident memory in bytes, from /proc/PID/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for process {pid}")


def cpu_seconds(pid):
    """The processor time the process has used (user and system), from /proc/PID/stat: unlike wall-clock time,
    it does not grow when other processes load the machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def health(port, timeout=HEALTH_DEADLINE):
    """The health endpoint's status, or the reason it did not answer."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        connection.request("GET", "/_emulator/health")
        status = connection.getresponse().status
        connection.close()
        return status
    except OSError as error:
        return f"{type(error).__name__}: {error}"


class Watch:
    """Asks for health every 0.1 s and samples the memory while the `with` block runs; on leaving it, checks the
    process is up, health always answered 200 within HEALTH_DEADLINE, and memory stayed under `rss_limit` bytes."""

    def __init__(self, server, rss_limit):
        self.server = server
        self.rss_limit = rss_limit
        self.peak = self.start = rss(server.process.pid)
        self.failures = []
        self.checks = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            if self.server.process.poll() is not None:
                return
            self.peak = max(self.peak, rss(self.server.process.pid))
            began = time.monotonic()
            status = health(self.server.port)
            self.checks += 1
            if status != 200:
                self.failures.append((round(began, 1), status))
            self._stop.wait(0.1)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, kind, value, traceback):
        self._stop.set()
        self._thread.join(HEALTH_DEADLINE + 1)
        if kind is not None:
            return False
        print(f"resident memory {self.start / MB:.1f} -> peak {self.peak / MB:.1f} MB; health asked {self.checks} times")
        code = self.server.process.poll()
        assert code is None, f"the emulator exited ({code}); stderr: {self.server.stderr()[-2000:]}"
        assert self.checks > 0
        assert not self.failures, f"health did not answer {len(self.failures)} of {self.checks} times: {self.failures[:5]}"
        assert self.peak < self.rss_limit, \
            f"resident memory reached {self.peak / MB:.1f} MB (bound {self.rss_limit / MB:.0f} MB, start {self.start / MB:.1f} MB)"
        return False


@pytest.fixture
def server(start_emulator):
    """A fresh emulator with the default flags, for one case."""
    return start_emulator()


# -- raw HTTP ---------------------------------------------------------------------------------------------------

def connect(port, timeout=10.0):
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class Reply:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        return f"Reply({self.status}, {self.headers}, {self.body[:300]!r})"


class Connection:
    """A raw HTTP/1.1 connection: sends bytes exactly as given and reads replies one at a time (what arrives past one
    reply is kept for the next, so pipelined replies stay apart)."""

    def __init__(self, port, timeout=10.0):
        self.sock = connect(port, timeout)
        self.buffer = b""

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.sock.close()

    def send(self, data):
        self.sock.sendall(data)

    def _more(self):
        chunk = self.sock.recv(65536)
        self.buffer += chunk
        return bool(chunk)

    def reply(self, method="GET"):
        """The next reply (to the end of the connection when it has no Content-Length); None if it closed first."""
        while b"\r\n\r\n" not in self.buffer:
            if not self._more():
                return Reply(0, {}, self.buffer) if self.buffer else None
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if method == "HEAD" or status in (204, 304):
            return Reply(status, headers, b"")
        if "content-length" in headers:
            length = int(headers["content-length"])
            while len(self.buffer) < length and self._more():
                pass
            body, self.buffer = self.buffer[:length], self.buffer[length:]
            return Reply(status, headers, body)
        while self._more():
            pass
        body, self.buffer = self.buffer, b""
        return Reply(status, headers, body)

    def closed_by_server(self, timeout=5.0):
        """Whether the server closes the connection within `timeout` (anything it sends first is skipped)."""
        self.sock.settimeout(timeout)
        try:
            while self.sock.recv(65536):
                pass
            return True
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True


def exchange(port, data, timeout=10.0, method="GET"):
    """Sends raw bytes on a new connection and reads one reply."""
    with Connection(port, timeout) as connection:
        connection.send(data)
        return connection.reply(method)


def assert_envelope(reply, status):
    """The API's error envelope: XML (`<Error>` with Code and Message) or JSON (`Code` and `Message`)."""
    assert reply is not None, "the connection was closed without a reply"
    assert reply.status == status, reply
    body = reply.body.decode("utf-8", "replace")
    if body.startswith("<?xml"):
        root = ElementTree.fromstring(body)
        assert root.findtext("Code") and root.findtext("Message"), body
    else:
        fields = json.loads(body)
        assert fields.get("Code") and fields.get("Message"), body
    return body
