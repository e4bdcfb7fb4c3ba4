"""Issue #20.8: the control API's bodies are bounded. A 10 MB PUT /_emulator/instances/x was once stored whole and
held the store's lock for 0.56 s; it is now refused with a 413, and an oversized field with a 400."""
import json

from abuse import CASE_TIME_LIMIT, MB, Watch, exchange, server, start_emulator  # noqa: F401 (fixtures)

pytestmark = CASE_TIME_LIMIT


def control(port, method, path, body):
    return exchange(port, b"%s %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                    % (method.encode(), path.encode(), len(body), body), timeout=30)


def test_large_instances_are_refused(server):
    with Watch(server, rss_limit=256 * MB):
        # 10 MB announced: refused by the transport on its Content-Length, before the body is read. By then libevent
        # has let go of the path, so the refusal is the API's envelope rather than the control API's JSON.
        reply = exchange(server.port, b"PUT /_emulator/instances/dds-big HTTP/1.1\r\nHost: x\r\n"
                                      b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (10 * MB))
        assert reply.status == 413, reply
        assert b"<Code>RequestEntityTooLarge</Code>" in reply.body or json.loads(reply.body)["code"], reply
        # 1.5 MB sent whole: past the control API's own limit.
        entry = json.dumps({"Engine": "MongoDB", "KindCode": "3", "RegionId": "x" * (3 * MB // 2)}).encode()
        reply = control(server.port, "PUT", "/_emulator/instances/dds-big", entry)
        assert reply.status == 413 and json.loads(reply.body)["code"], reply
    assert control(server.port, "GET", "/_emulator/instances/dds-big", b"").status == 404


def test_an_oversized_field_is_refused(server):
    entry = json.dumps({"Engine": "MongoDB", "KindCode": "3", "RegionId": "x" * 100_000}).encode()
    reply = control(server.port, "PUT", "/_emulator/instances/dds-big", entry)
    assert reply.status == 400, reply
    assert "RegionId" in json.loads(reply.body)["message"]
