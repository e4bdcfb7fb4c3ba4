"""The honest answer for the rest (issue #22): a real action of either API that the emulator does not emulate
answers 501 NotImplemented.ByEmulator, a name that is no action stays 404 InvalidAction.NotFound, neither SDK
generation retries the 501, and GET /_emulator/actions lists what is emulated and what is not."""
import re
from pathlib import Path

import pytest
from aliyunsdkcore.client import AcsClient

from test_gateway import NO_API, parse
from test_lifecycle import SDKS, call

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_COUNTS = {"Rds": 413, "Dds": 135}  # the union of both SDK generations (scripts/update-actions.py)


def not_emulated(action, product, version):
    return (501, "NotImplemented.ByEmulator",
            f"{action} is an action of {product} API version {version} that aliyun-db-emulator does not emulate.")


def generated_actions(path):
    return re.findall(r'"(\w+)"', (ROOT / path).read_text())


@pytest.mark.parametrize("query,expected", [
    pytest.param("Action=DescribeSlowLogs&Version=2014-08-15", not_emulated("DescribeSlowLogs", "Rds", "2014-08-15"),
                 id="rds-old-sdk-action"),
    pytest.param("Action=RdsCustomInit&Version=2014-08-15", not_emulated("RdsCustomInit", "Rds", "2014-08-15"),
                 id="rds-new-sdk-only-action"),
    pytest.param("Action=DescribeAuditRecords&Version=2015-12-01",
                 not_emulated("DescribeAuditRecords", "Dds", "2015-12-01"), id="dds-action"),
    # A real action of the other product is no action of this one.
    pytest.param("Action=DescribeAuditRecords&Version=2014-08-15", NO_API, id="dds-action-under-rds"),
    pytest.param("Action=DescribeSlowLog&Version=2014-08-15", NO_API, id="misspelt"),
    pytest.param("Action=describeslowlogs&Version=2014-08-15", NO_API, id="wrong-case"),
])
@pytest.mark.parametrize("fmt", ["JSON", "XML"])
def test_the_answer_for_actions_not_emulated(query, expected, fmt, emulator):
    status, code, message, reply, got_format = parse(*emulator.raw(f"{query}&Format={fmt}"))
    assert (status, code, message) == expected and got_format == fmt
    product = "Rds" if "2014-08-15" in query else "Dds"
    assert reply["Recommend"].startswith(f"https://api.aliyun.com/troubleshoot?q={code}&product={product}&")


def test_the_answer_comes_before_authentication(emulator):
    """Like an unknown action, it needs no signature: the request could never have been served."""
    status, code, *_ = parse(*emulator.raw("Action=DescribeSlowLogs&Version=2014-08-15&Format=JSON", sign=None))
    assert (status, code) == (501, "NotImplemented.ByEmulator")


@pytest.mark.parametrize("sdk", SDKS)
@pytest.mark.parametrize("product,action,params", [
    ("rds", "DescribeSlowLogs", dict(DBInstanceId="rm-uf6wjk5xxxxxxx", StartTime="2024-01-01Z", EndTime="2024-01-02Z")),
    ("dds", "DescribeAuditRecords", dict(DBInstanceId="dds-bpxxxxxxxx", StartTime="2024-01-01T00:00Z",
                                         EndTime="2024-01-02T00:00Z")),
])
def test_no_sdk_retries_the_answer(sdk, product, action, params, start_emulator):
    server = start_emulator()
    code, version = ("Rds", "2014-08-15") if product == "rds" else ("Dds", "2015-12-01")
    assert call(sdk, server, product, action, **params) == not_emulated(action, code, version)
    server.health()  # the request log line of the action is written before this one is answered
    assert len(re.findall(rf"action={action} .*status=501", server.stderr())) == 1


def test_the_old_sdk_does_not_retry_even_with_retries_asked_for(start_emulator):
    from aliyunsdkrds.request.v20140815.DescribeSlowLogsRequest import DescribeSlowLogsRequest
    server = start_emulator()
    client = AcsClient("testid", "testsecret", "cn-hangzhou", auto_retry=True, max_retry_time=5)
    request = DescribeSlowLogsRequest()
    request.set_endpoint(server.endpoint)
    request.set_DBInstanceId("rm-uf6wjk5xxxxxxx")
    with pytest.raises(Exception) as raised:
        client.do_action_with_exception(request)
    assert raised.value.get_http_status() == 501
    server.health()
    assert len(re.findall(r"action=DescribeSlowLogs .*status=501", server.stderr())) == 1


def test_the_catalogue_of_actions(emulator):
    status, catalogue = emulator.control("GET", "/_emulator/actions")
    assert status == 200
    products = {entry["product"]: entry for entry in catalogue["products"]}
    assert [(entry["product"], entry["version"]) for entry in catalogue["products"]] == \
        [("Rds", "2014-08-15"), ("Dds", "2015-12-01")]
    for product, path in (("Rds", "Sources/RDSService/RDSAPIActions.swift"),
                          ("Dds", "Sources/MongoDBService/MongoDBAPIActions.swift")):
        entry = products[product]
        emulated, missing = entry["emulated"], entry["notEmulated"]
        assert "CreateBackup" in emulated and "DescribeDBInstances" in emulated
        assert not set(emulated) & set(missing)
        everything = sorted(emulated + missing, key=str.encode)
        assert everything == generated_actions(path) and len(everything) == REFERENCE_COUNTS[product]
        assert emulated == sorted(emulated, key=str.encode) and missing == sorted(missing, key=str.encode)
    version = {"Rds": "2014-08-15", "Dds": "2015-12-01"}
    for product, entry in products.items():  # every listed action answers as listed
        for action in entry["notEmulated"][:5] + entry["notEmulated"][-5:]:
            status, code, *_ = parse(*emulator.raw(f"Action={action}&Version={version[product]}&Format=JSON"))
            assert (status, code) == (501, "NotImplemented.ByEmulator")
        for action in entry["emulated"]:
            status, code, *_ = parse(*emulator.raw(f"Action={action}&Version={version[product]}&Format=JSON"))
            assert status != 501 and code != "InvalidAction.NotFound", (action, code)


def test_the_generated_lists_are_current():
    """scripts/update-actions.py --installed --check: the lists match the SDKs this suite runs with."""
    import subprocess
    import sys
    result = subprocess.run([sys.executable, str(ROOT / "scripts/update-actions.py"), "--installed", "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
