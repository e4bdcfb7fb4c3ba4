"""Issue #20.5: running out of file descriptors. At the descriptor limit the accept loop once spun at 136% of a
processor, health stopped answering and libevent logged "Too many open files" 2.6 million times in 8 s. The server
now pauses accepting while descriptors run out, says so once in a while, and serves again as soon as connections
close; `--max-connections` keeps it below the limit."""
import resource
import time

from abuse import CASE_TIME_LIMIT, Connection, MB, connect, cpu_seconds, health, start_emulator  # noqa: F401 (fixtures)

pytestmark = CASE_TIME_LIMIT

LIMIT = 64  # descriptors the server may open
HELD = 120  # connections the clients open and keep open
SECONDS = 4.0


def hold(port, count):
    held = []
    for _ in range(count):
        try:
            held.append(connect(port, timeout=2))
        except OSError:
            break  # the listen backlog is full: the clients are the ones refused
    return held


def test_more_connections_than_descriptors(start_emulator):
    server = start_emulator("--log-level", "warning")
    resource.prlimit(server.process.pid, resource.RLIMIT_NOFILE, (LIMIT, LIMIT))
    held = hold(server.port, HELD)
    try:
        before = cpu_seconds(server.process.pid)
        time.sleep(SECONDS)
        used = cpu_seconds(server.process.pid) - before
    finally:
        for sock in held:
            sock.close()
    # Spinning would use about all of the time; pausing, a small part of it.
    assert used < SECONDS / 4, f"{used:.1f} s of processor time in {SECONDS} s with every descriptor taken"
    output = server.stderr() + "\n".join(server.stdout_lines)
    assert output.count("Too many open files") <= 10, output[-2000:]
    # Once the clients let go, it serves again.
    deadline = time.monotonic() + 5
    while (status := health(server.port)) != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert status == 200, status
    assert server.process.poll() is None


def test_a_connection_past_max_connections_waits_for_a_free_one(start_emulator):
    server = start_emulator("--max-connections", "8")
    held = hold(server.port, 8)
    try:
        with Connection(server.port) as waiting:
            waiting.send(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
            held.pop().close()
            reply = waiting.reply()
            assert reply.status == 200, reply
    finally:
        for sock in held:
            sock.close()
