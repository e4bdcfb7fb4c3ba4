"""The HTTPS port (--https-port) against hostile and broken TLS clients: the plain port's limits hold there too. A
handshake started and left stalled is closed by the request deadline; many stalled handshakes neither stop the server
answering nor hold descriptors or memory; plain HTTP and garbage on the TLS port are refused cleanly; a request sent a
byte a second inside TLS gets its 408 through TLS; clients that leave mid-handshake leak nothing; a client pipelining
over TLS without reading holds no more memory than on the plain port."""
import os
import select
import socket
import ssl
import threading
import time

import pytest

from abuse import CASE_TIME_LIMIT, MB, Watch, assert_envelope, connect, health, start_emulator  # noqa: F401 (fixtures)

pytestmark = CASE_TIME_LIMIT

DEADLINE = 10  # seconds: the request deadline, which the handshake meets too


@pytest.fixture
def tls_server(start_emulator, tmp_path):
    server = start_emulator("--https-port", "0", "--tls-dir", tmp_path / "tls", "--log-level", "warning")
    server.https_port = server._ok("GET", "/_emulator/config")["httpsPort"]
    server.ca = str(tmp_path / "tls" / "ca.pem")
    return server


def client_hello():
    """The first flight of a real TLS client: its ClientHello record."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    session = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
    with pytest.raises(ssl.SSLWantReadError):
        session.do_handshake()
    return outgoing.read()


def closed_within(sock, seconds):
    """Whether the server ends the connection within `seconds` (what it sends first is read and skipped)."""
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        if select.select([sock], [], [], left)[0]:
            try:
                if not sock.recv(65536):
                    return True
            except ConnectionResetError:
                return True
    return False


def descriptors(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def descriptors_settle(pid, bound, seconds=5):
    """Whether the process's descriptors fall to `bound` or fewer within `seconds`: a client sees a connection end
    as evhttp shuts the socket down, and the descriptor is closed a turn of the loop later (later still on a
    loaded machine)."""
    deadline = time.monotonic() + seconds
    while descriptors(pid) > bound and time.monotonic() < deadline:
        time.sleep(0.1)
    return descriptors(pid) <= bound


def tls_connection(server):
    context = ssl.create_default_context(cafile=server.ca)
    return context.wrap_socket(connect(server.https_port, timeout=30), server_hostname="localhost")


@pytest.mark.timeout(60)
def test_a_handshake_started_and_left_stalled_is_closed_by_the_deadline(tls_server):
    with connect(tls_server.https_port, timeout=30) as sock, Watch(tls_server, rss_limit=64 * MB):
        sock.sendall(client_hello()[:20])  # part of the ClientHello, then nothing
        began = time.monotonic()
        assert closed_within(sock, DEADLINE + 5), "the stalled handshake was still open past the deadline"
        assert time.monotonic() - began > DEADLINE - 2, "closed before the deadline"


@pytest.mark.timeout(60)
def test_a_hello_sent_a_byte_a_second_meets_the_deadline(tls_server):
    hello = client_hello()
    with connect(tls_server.https_port, timeout=30) as sock:
        for byte in hello:
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            if select.select([sock], [], [], 1.0)[0]:
                break
        else:
            pytest.fail("the server was still reading the ClientHello after 40 s")
        assert closed_within(sock, 5)


@pytest.mark.timeout(60)
def test_a_request_sent_a_byte_a_second_inside_tls_gets_its_408_through_tls(tls_server):
    request = b"GET /?Action=DescribeDBInstances&Version=2014-08-15 HTTP/1.1\r\nHost: rds.aliyuncs.com\r\nX-Slow: " + b"a" * 40
    with tls_connection(tls_server) as tls:
        for byte in request:
            tls.sendall(bytes([byte]))
            if select.select([tls], [], [], 1.0)[0]:
                break
        else:
            pytest.fail("the server was still reading the header after 40 s")
        reply = b""
        try:
            while chunk := tls.recv(65536):
                reply += chunk
        except (ssl.SSLError, ConnectionResetError):
            pass
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 "), reply
    assert b"Connection: close" in head
    assert b"<Code>RequestTimeout</Code>" in body or b'"RequestTimeout"' in body, reply


@pytest.mark.timeout(90)
def test_many_stalled_handshakes_past_max_connections_are_cleared_and_the_server_answers(start_emulator, tmp_path):
    server = start_emulator("--https-port", "0", "--tls-dir", tmp_path / "tls", "--max-connections", "32",
                            "--log-level", "warning")
    https_port = server._ok("GET", "/_emulator/config")["httpsPort"]
    baseline = descriptors(server.process.pid)
    hello = client_hello()
    held = []
    for _ in range(100):  # three times the limit: the rest wait in the listen backlog
        try:
            sock = connect(https_port, timeout=2)
            sock.sendall(hello[:30])
            held.append(sock)
        except OSError:
            break
    try:
        began = time.monotonic()
        # Stalled handshakes count as idle after two seconds and make room; each meets the deadline anyway. One
        # request, waiting its turn in the backlog (a new connection for each try would join the end of it).
        status = health(server.port, timeout=DEADLINE + 10)
        assert status == 200, f"health did not answer within {DEADLINE + 10} s: {status}"
        # The server ends every stalled handshake itself.
        still_open = [sock for sock in held if not closed_within(sock, 0 if time.monotonic() - began > 3 * DEADLINE
                                                                  else 3 * DEADLINE - (time.monotonic() - began))]
        assert not still_open, f"{len(still_open)} stalled handshakes are still open"
        assert server.process.poll() is None
        assert descriptors_settle(server.process.pid, baseline + 2), descriptors(server.process.pid)
    finally:
        for sock in held:
            sock.close()


def test_garbage_and_plain_http_on_the_tls_port_are_refused_without_a_leak(tls_server):
    pid = tls_server.process.pid
    before = descriptors(pid)
    payloads = [b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", os.urandom(4096), b"\x16\x03\x01\xff\xff" + os.urandom(100),
                b"\x16\x03\x03\x00\x05\x01\x00\x00\x01\x00", b"\x80" * 2000]
    with Watch(tls_server, rss_limit=64 * MB):
        for round_ in range(40):
            with connect(tls_server.https_port) as sock:
                try:
                    sock.sendall(payloads[round_ % len(payloads)])
                except (BrokenPipeError, ConnectionResetError):
                    pass
                assert closed_within(sock, 5), f"payload {round_ % len(payloads)} left the connection open"
    with tls_connection(tls_server) as tls:
        tls.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert tls.recv(65536).startswith(b"HTTP/1.1 200 OK")
    assert descriptors_settle(pid, before + 1), descriptors(pid)


def test_clients_leaving_mid_handshake_or_mid_request_leak_nothing(tls_server):
    pid = tls_server.process.pid
    hello = client_hello()
    with Watch(tls_server, rss_limit=64 * MB):
        for round_ in range(150):
            sock = connect(tls_server.https_port)
            if round_ % 3 == 0:
                sock.sendall(hello)
            elif round_ % 3 == 1:
                sock.sendall(hello[:40])
            else:
                tls = tls_connection(tls_server)
                tls.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nAction=")
                tls.close()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # reset
            sock.close()
        first = descriptors(pid)
        for round_ in range(150):
            with connect(tls_server.https_port) as sock:
                sock.sendall(hello)
    # A second round as large as the first opens no more descriptors than the first left (nothing accumulates).
    assert descriptors_settle(pid, first + 2), descriptors(pid)


def test_a_client_pipelining_over_tls_without_reading_holds_bounded_memory(tls_server):
    requests = (b"GET /?Action=DescribeDBInstances&Version=2014-08-15&RegionId=cn-hangzhou&Format=JSON HTTP/1.1\r\n"
                b"Host: rds.aliyuncs.com\r\n\r\n") * 64
    connections = [tls_connection(tls_server) for _ in range(10)]

    def flood(tls):
        try:
            while True:
                tls.sendall(requests)
        except (OSError, ValueError):
            return

    clients = [threading.Thread(target=flood, args=(tls,), daemon=True) for tls in connections]
    try:
        with Watch(tls_server, rss_limit=128 * MB):
            for client in clients:
                client.start()
            time.sleep(8)
    finally:
        for tls in connections:
            try:
                tls.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            tls.close()
        for client in clients:
            client.join(5)
