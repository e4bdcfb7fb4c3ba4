"""Issue #20.9: the clock takes only years it can show and sign, and durations only as documented (`"0x10s"` was
once read as 16 s)."""
import json

from abuse import CASE_TIME_LIMIT, exchange, server, start_emulator  # noqa: F401 (fixtures)

pytestmark = CASE_TIME_LIMIT


def clock(port, body):
    data = json.dumps(body).encode()
    reply = exchange(port, b"POST /_emulator/clock HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(data), data))
    return reply.status, json.loads(reply.body)


def test_the_clock_cannot_pass_the_year_9999(server):
    assert clock(server.port, {"set": "9999-12-31T00:00:00Z", "freeze": True})[0] == 200
    status, reply = clock(server.port, {"advance": "10d"})
    assert status == 400, reply
    shown = json.loads(exchange(server.port, b"GET /_emulator/clock HTTP/1.1\r\nHost: x\r\n\r\n").body)
    assert shown["now"] == "9999-12-31T00:00:00Z", shown


def test_hexadecimal_durations_are_refused(server):
    for text in ("0x10s", "0x10", "1e3s", "inf", "nan"):
        status, reply = clock(server.port, {"advance": text})
        assert status == 400, (text, reply)
