"""Issue #20.7: every reply to a malformed request is the API's error envelope with the right status, where the
connection can still carry one; libevent's own HTML page once answered eighteen of them, and an 8 MiB
Content-Length with a short body got no reply until the 120-s timeout."""
import pytest

from abuse import CASE_TIME_LIMIT, Connection, MB, Watch, assert_envelope, exchange, server, start_emulator  # noqa: F401 (fixtures)

pytestmark = CASE_TIME_LIMIT

HOST = b"Host: rds.aliyuncs.com\r\n"
MALFORMED = [
    ("bad request line", b"GET\r\n\r\n", 400),
    ("request line with spaces only", b"   \r\n\r\n", 400),
    ("unknown version", b"GET / HTTP/9.9\r\n" + HOST + b"\r\n", 400),
    ("unknown method", b"BREW / HTTP/1.1\r\n" + HOST + b"\r\n", 501),
    ("header without colon", b"GET / HTTP/1.1\r\n" + HOST + b"NoColonHere\r\n\r\n", 400),
    ("oversized header block", b"GET / HTTP/1.1\r\n" + HOST + b"X-Big: " + b"a" * (2 * MB) + b"\r\n\r\n", 431),
    ("bad chunk size", b"POST / HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n", 400),
    ("negative content length", b"POST / HTTP/1.1\r\n" + HOST + b"Content-Length: -5\r\n\r\n", 400),
    ("content length over 16 MiB", b"POST / HTTP/1.1\r\n" + HOST + b"Content-Length: 17000000\r\n\r\n", 413),
    ("1 MiB query value", b"GET /?Action=" + b"a" * MB + b" HTTP/1.1\r\n" + HOST + b"\r\n", 414),
]


@pytest.mark.parametrize("name,request_bytes,status", MALFORMED, ids=[case[0] for case in MALFORMED])
def test_malformed_requests_get_an_envelope(server, name, request_bytes, status):
    with Watch(server, rss_limit=256 * MB):
        assert_envelope(exchange(server.port, request_bytes, timeout=10), status)


def test_a_large_content_length_with_a_short_body_is_answered_at_once(server):
    with Connection(server.port, timeout=10) as connection:
        connection.send(b"POST / HTTP/1.1\r\n" + HOST + b"Content-Length: 8388608\r\n\r\nAction=x")
        assert_envelope(connection.reply(), 413)
