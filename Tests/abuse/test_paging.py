"""Issue #20.1: extreme integers in paging parameters. `PageNumber=9223372036854775807&PageSize=2` once killed the
process (`(PageNumber - 1) * PageSize` overflowed). Every such value gets a reply, a page or an error envelope,
and the process serves the next request."""
import http.client
import json

import pytest

from abuse import CASE_TIME_LIMIT, MB, Watch, start_emulator  # noqa: F401 (fixtures)

pytestmark = CASE_TIME_LIMIT

EXTREMES = ["9223372036854775807", "9223372036854775808", "-9223372036854775808", str(2 ** 62), "0", "-1",
            "99999999999999999999999"]
OPERATIONS = [("2014-08-15", "DescribeDBInstances", "&RegionId=cn-hangzhou"),
              ("2015-12-01", "DescribeDBInstances", "&RegionId=cn-hangzhou"),
              ("2014-08-15", "DescribeBackups", "&DBInstanceId=rm-uf6wjk5xxxxxxx"),
              ("2015-12-01", "DescribeBackups", "&DBInstanceId=dds-bpxxxxxxxx")]


@pytest.fixture
def paging_server(start_emulator):
    return start_emulator("--signature", "off")


@pytest.mark.parametrize("version,action,extra", OPERATIONS, ids=[f"{action}-{version}" for version, action, _ in OPERATIONS])
def test_extreme_paging_gets_a_reply_and_the_process_stays_up(paging_server, version, action, extra):
    connection = http.client.HTTPConnection("127.0.0.1", paging_server.port, timeout=10)
    with Watch(paging_server, rss_limit=256 * MB):
        for number in EXTREMES:
            for size in ["2", "30", number]:
                query = f"/?Action={action}&Version={version}&Format=JSON&PageNumber={number}&PageSize={size}{extra}"
                connection.request("GET", query)
                response = connection.getresponse()
                body = json.loads(response.read())
                assert response.status == 200 or 400 <= response.status < 500, (query, response.status, body)
                assert body["RequestId"]
                if response.status != 200:
                    assert body["Code"] and body["Message"], (query, body)
    connection.close()
