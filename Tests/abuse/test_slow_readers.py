"""Issue #20.4: a client that sends and never reads. Twenty connections pipelining requests without reading a
reply once made the server buffer without limit (17 to 255 MB in 15 s); it now stops reading from a connection
whose replies are not being read: its memory stays bounded and health answers while the twenty send."""
import socket
import threading
import time

from abuse import CASE_TIME_LIMIT, MB, Watch, connect, start_emulator  # noqa: F401 (fixtures)

pytestmark = CASE_TIME_LIMIT

CONNECTIONS = 20
SECONDS = 10.0
REQUESTS = (b"GET /?Action=DescribeDBInstances&Version=2014-08-15&RegionId=cn-hangzhou&Format=JSON HTTP/1.1\r\n"
            b"Host: rds.aliyuncs.com\r\n\r\n") * 64


def flood(sock):
    """Sends pipelined requests until the socket is shut down; blocks while the server does not read."""
    try:
        while True:
            sock.sendall(REQUESTS)
    except OSError:
        return


def test_clients_that_never_read(start_emulator):
    server = start_emulator("--signature", "off", "--log-level", "warning")
    sockets = [connect(server.port) for _ in range(CONNECTIONS)]
    for sock in sockets:
        sock.settimeout(None)  # sendall waits for the server to read, however long
    clients = [threading.Thread(target=flood, args=(sock,), daemon=True) for sock in sockets]
    try:
        with Watch(server, rss_limit=128 * MB):
            for client in clients:
                client.start()
            time.sleep(SECONDS)
    finally:
        for sock in sockets:
            sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for client in clients:
            client.join(5)
