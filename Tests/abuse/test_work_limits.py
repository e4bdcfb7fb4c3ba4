"""Issue #20.2: work before authentication is bounded by the request's size. A V1 request with 100,000 parameters
once cost a worker 20 s of processor time; a V3 request naming one header 8,000 times took 8.6 s and 144 MB. Each
is now answered with an error envelope for a small part of that, and the server keeps serving."""
import urllib.parse

from abuse import CASE_TIME_LIMIT, MB, Watch, assert_envelope, cpu_seconds, exchange, server, start_emulator  # noqa: F401 (fixtures)

import signing  # noqa: E402 (on the path once abuse is imported)

pytestmark = CASE_TIME_LIMIT

CPU_BOUND = 2.0  # seconds of the server's processor time: a tenth of what the first once took


def test_a_hundred_thousand_parameters(server):
    # Routed, with every signature parameter, so that only the signature check itself is left to refuse it.
    common = [("Action", "DescribeDBInstances"), ("Version", "2014-08-15"), *signing.v1_common(), ("Signature", "x")]
    query = urllib.parse.urlencode(common) + "&" + "&".join(f"{n:x}=" for n in range(100_000))  # under 1 MiB
    request = (f"POST / HTTP/1.1\r\nHost: rds.aliyuncs.com\r\nContent-Type: application/x-www-form-urlencoded\r\n"
               f"Content-Length: {len(query)}\r\n\r\n{query}").encode()
    with Watch(server, rss_limit=256 * MB):
        before = cpu_seconds(server.process.pid)
        reply = exchange(server.port, request, timeout=30)
        used = cpu_seconds(server.process.pid) - before
    assert_envelope(reply, 400)
    assert used < CPU_BOUND, f"the request cost {used:.1f} s of processor time"


def v3_request(server, signed_extra, extra_lines):
    """A V3-signed DescribeDBInstances whose SignedHeaders ends with `signed_extra` and which carries `extra_lines`."""
    pairs = [("Action", "DescribeDBInstances"), ("Version", "2014-08-15")]
    headers = signing.sign_v3("GET", server.endpoint, pairs, {})
    authorization = headers.pop("Authorization")
    signed = "host;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;" + signed_extra
    authorization = authorization.replace(authorization.split("SignedHeaders=")[1].split(",")[0], signed)
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + extra_lines
    return (f"GET /?Action=DescribeDBInstances&Version=2014-08-15 HTTP/1.1\r\nHost: {server.endpoint}\r\n{lines}"
            f"Authorization: {authorization}\r\n\r\n").encode()


def test_a_repeated_header_named_eight_thousand_times(server):
    # Sent 100 times, named 8,000 times: each naming once copied every value.
    request = v3_request(server, ";".join(["x-r"] * 8000), "x-r: 1\r\n" * 100)
    with Watch(server, rss_limit=128 * MB):
        before = cpu_seconds(server.process.pid)
        reply = exchange(server.port, request, timeout=30)
        used = cpu_seconds(server.process.pid) - before
    assert_envelope(reply, 400)
    assert used < CPU_BOUND, f"the request cost {used:.1f} s of processor time"


def test_four_thousand_header_fields(server):
    request = v3_request(server, "x-r", "x-r: 1\r\n" * 4000)
    with Watch(server, rss_limit=128 * MB):
        assert_envelope(exchange(server.port, request, timeout=30), 431)
