"""Issue #20.3: the nonce ledger grew with every signed request for as long as the process lived (110 MB after
1.67 M nonces, still 110 MB 31 minutes later). It now holds at most --nonce-capacity nonces, refuses past that with
an envelope, and has room again once they expire (in real time: NonceLedgerTests and SignatureClockTests, which can
move the real time; here the emulator's clock moves, and frees nothing)."""
import urllib.parse

from abuse import CASE_TIME_LIMIT, assert_envelope, exchange, start_emulator  # noqa: F401 (fixtures)

import signing  # noqa: E402 (on the path once abuse is imported)

pytestmark = CASE_TIME_LIMIT


def signed_describe(server, timestamp):
    pairs = [("Action", "DescribeDBInstances"), ("Version", "2014-08-15"), ("RegionId", "cn-hangzhou"), ("Format", "JSON")]
    query = urllib.parse.urlencode(signing.sign_v1("GET", pairs, timestamp=timestamp))
    return exchange(server.port, f"GET /?{query} HTTP/1.1\r\nHost: rds.aliyuncs.com\r\n\r\n".encode())


def test_the_nonce_ledger_is_bounded_whatever_the_emulators_clock_does(start_emulator):
    server = start_emulator("--nonce-capacity", "5")
    now = server.control("GET", "/_emulator/clock")[1]["now"]
    for _ in range(5):
        assert signed_describe(server, now).status == 200
    assert "Throttling.User" in assert_envelope(signed_describe(server, now), 400)
    # Nonces expire in real time (at most 30 minutes after their request): moving the emulator's clock past that
    # neither frees the ledger nor lets it grow.
    later = server.control("POST", "/_emulator/clock", {"advance": "31m"})[1]["now"]
    assert "Throttling.User" in assert_envelope(signed_describe(server, later), 400)
    assert "Throttling.User" in assert_envelope(signed_describe(server, now), 400)
