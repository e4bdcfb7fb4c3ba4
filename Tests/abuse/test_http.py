"""Issue #20.6: HTTP as clients rely on it. HEAD replies once carried a body and no Content-Length, so the next
reply on a kept-alive connection started with stray bytes; two different Content-Length headers were accepted and
the rest of the body parsed as a new request (request smuggling); CONNECT kept the connection open after
`Connection: close`; a client sending one header byte a second stayed connected for ever; the `Bearer` scheme of
the control token was case-sensitive."""
import select

import pytest

from abuse import CASE_TIME_LIMIT, Connection, assert_envelope, exchange, server, start_emulator  # noqa: F401 (fixtures)

pytestmark = CASE_TIME_LIMIT

GET_HEALTH = b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n"


def test_head_has_a_length_and_no_body_and_the_next_reply_is_clean(server):
    with Connection(server.port) as connection:
        connection.send(b"HEAD /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n" + GET_HEALTH)
        head = connection.reply(method="HEAD")
        following = connection.reply()
    assert head.status == 200 and head.header("content-length") is not None, head
    assert following.status == 200 and following.body.startswith(b"{") and b'"ok"' in following.body, following


def test_two_different_content_lengths_are_refused_and_nothing_is_smuggled(server):
    smuggled = b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n"
    body = b"Action=DescribeDBInstances&" + smuggled
    with Connection(server.port) as connection:
        connection.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                        b"Content-Length: 27\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        assert_envelope(connection.reply(), 400)
        assert connection.closed_by_server(), "the connection stayed open after a request with two lengths"


def test_connect_with_connection_close_is_answered_and_closed(server):
    with Connection(server.port) as connection:
        connection.send(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nConnection: close\r\n\r\n")
        reply = connection.reply()
        assert reply is not None and reply.status >= 400, reply
        assert connection.closed_by_server(), "the connection stayed open after Connection: close"


@pytest.mark.timeout(60)
def test_a_header_sent_a_byte_a_second_meets_a_deadline(server):
    request = b"GET /?Action=DescribeDBInstances&Version=2014-08-15 HTTP/1.1\r\nHost: rds.aliyuncs.com\r\n"
    with Connection(server.port, timeout=30) as connection:
        for byte in request + b"X-Slow: " + b"a" * 40:
            connection.send(bytes([byte]))
            if select.select([connection.sock], [], [], 1.0)[0]:
                break  # the server answered: what its deadline does
        else:
            pytest.fail("the server was still reading the header after 40 s")
        reply = connection.reply()
        assert_envelope(reply, 408)


def test_the_bearer_scheme_is_case_insensitive(start_emulator):
    server = start_emulator("--control-token", "secret-token")
    for scheme in (b"Bearer", b"bearer", b"BEARER"):
        reply = exchange(server.port, b"GET /_emulator/config HTTP/1.1\r\nHost: x\r\n"
                                      b"Authorization: %s secret-token\r\n\r\n" % scheme)
        assert reply.status == 200, (scheme, reply)
    assert exchange(server.port, b"GET /_emulator/config HTTP/1.1\r\nHost: x\r\n\r\n").status == 401
