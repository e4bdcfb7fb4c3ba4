"""What goes over the wire (docs/behaviour.md §1) and what each SDK makes of it.

Raw HTTP requests use urllib; their request id must equal the x-acs-request-id header.
"""
import json
import re
import xml.etree.ElementTree as ET

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException as OldServerException
from alibabacloud_tea_openapi.exceptions import ClientException as NewClientException

from expectations import (
    DDS_BAD_STATE, DDS_NOT_FOUND, RDS_BAD_STATE, RDS_MISSING_ID, RDS_NOT_FOUND, expect_error, is_digits,
    is_request_id,
)

XML_DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>"
XML = "text/xml;charset=utf-8"
JSON = "application/json;charset=utf-8"
MYSQL = "rm-uf6wjk5xxxxxxx"
REPLICA = "dds-bpxxxxxxxx"


def create_backup_query(version="2014-08-15", **params):
    return {"Action": "CreateBackup", "Version": version, **params}


def recommend(code, product, request_id):
    return f"https://api.aliyun.com/troubleshoot?q={code}&product={product}&requestId={request_id}"


def check_headers(headers, content_type):
    assert headers["Content-Type"] == content_type
    assert is_request_id(headers["x-acs-request-id"])
    assert headers["Date"]
    return headers["x-acs-request-id"]


# --- XML ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", [None, "XML", "xml", "Xml"])
def test_rds_success_in_xml(fmt, emulator):
    params = create_backup_query(DBInstanceId=MYSQL, **({"Format": fmt} if fmt else {}))
    status, headers, body = emulator.raw(params)
    assert status == 200, body
    request_id = check_headers(headers, XML)
    assert body.startswith(f"{XML_DECLARATION}<CreateBackupResponse><RequestId>{request_id}</RequestId>"), body
    assert not re.search(r">\s+<", body), "whitespace between elements"
    root = ET.fromstring(body)
    assert root.tag == "CreateBackupResponse"
    assert [child.tag for child in root] == ["RequestId", "BackupJobId"]
    job_id = root.find("BackupJobId").text
    assert is_digits(job_id)
    assert body == (f"{XML_DECLARATION}<CreateBackupResponse><RequestId>{request_id}</RequestId>"
                    f"<BackupJobId>{job_id}</BackupJobId></CreateBackupResponse>")
    assert [b["BackupJobId"] for b in emulator.backups(MYSQL)] == [job_id]


def test_mongodb_success_in_xml(emulator):
    status, headers, body = emulator.raw(create_backup_query("2015-12-01", DBInstanceId=REPLICA))
    assert status == 200, body
    request_id = check_headers(headers, XML)
    assert body.startswith(f"{XML_DECLARATION}<CreateBackupResponse><RequestId>{request_id}</RequestId>"), body
    root = ET.fromstring(body)
    assert sorted(child.tag for child in root) == ["BackupId", "BackupJobId", "RequestId"]
    assert is_digits(root.find("BackupId").text) and is_digits(root.find("BackupJobId").text)
    [backup] = emulator.backups(REPLICA)
    assert (backup["BackupId"], backup["BackupJobId"]) == (root.find("BackupId").text, root.find("BackupJobId").text)


@pytest.mark.parametrize("version,instance,expected,product", [
    pytest.param("2014-08-15", "rm-stopped", RDS_BAD_STATE, "Rds", id="rds"),
    pytest.param("2015-12-01", "dds-restoring", DDS_BAD_STATE, "Dds", id="mongodb"),
])
def test_error_in_xml(version, instance, expected, product, emulator):
    status, headers, body = emulator.raw(create_backup_query(version, DBInstanceId=instance))
    request_id = check_headers(headers, XML)
    assert status == expected[0]
    assert body.startswith(f"{XML_DECLARATION}<Error><RequestId>{request_id}</RequestId>"), body
    assert not re.search(r">\s+<", body)
    # Recommend is wrapped in CDATA on the wire.
    assert f"<Recommend><![CDATA[{recommend(expected[1], product, request_id)}]]></Recommend>" in body, body
    root = ET.fromstring(body)
    assert root.tag == "Error"
    assert sorted(child.tag for child in root) == sorted(["RequestId", "HostId", "Code", "Message", "Recommend"])
    assert (root.findtext("Code"), root.findtext("Message")) == expected[1:]
    assert root.findtext("HostId") == "127.0.0.1"  # the Host header without its port
    assert root.findtext("RequestId") == request_id
    assert emulator.backups(instance) == []


# --- JSON ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["JSON", "json", "Json"])
def test_rds_success_in_json(fmt, emulator):
    status, headers, body = emulator.raw(create_backup_query(DBInstanceId=MYSQL, Format=fmt))
    assert status == 200, body
    request_id = check_headers(headers, JSON)
    reply = json.loads(body)
    assert list(reply)[0] == "RequestId"
    assert sorted(reply) == ["BackupJobId", "RequestId"]
    assert reply["RequestId"] == request_id
    assert isinstance(reply["BackupJobId"], str) and is_digits(reply["BackupJobId"])
    assert body == json.dumps(reply, separators=(",", ":")), "not compact"


def test_mongodb_success_in_json(emulator):
    status, headers, body = emulator.raw(create_backup_query("2015-12-01", DBInstanceId=REPLICA, Format="JSON"))
    assert status == 200, body
    request_id = check_headers(headers, JSON)
    reply = json.loads(body)
    assert list(reply)[0] == "RequestId" and reply["RequestId"] == request_id
    assert sorted(reply) == ["BackupId", "BackupJobId", "RequestId"]
    assert isinstance(reply["BackupId"], str) and isinstance(reply["BackupJobId"], str)


@pytest.mark.parametrize("version,params,expected,product", [
    pytest.param("2014-08-15", {"DBInstanceId": "rm-nope"}, RDS_NOT_FOUND, "Rds", id="rds-not-found"),
    pytest.param("2014-08-15", {}, RDS_MISSING_ID, "Rds", id="rds-missing-id"),
    pytest.param("2015-12-01", {"DBInstanceId": "dds-nope"}, DDS_NOT_FOUND, "Dds", id="mongodb-not-found"),
])
def test_error_in_json(version, params, expected, product, emulator):
    status, headers, body = emulator.raw(create_backup_query(version, Format="JSON", **params))
    request_id = check_headers(headers, JSON)
    reply = json.loads(body)
    assert list(reply) == ["RequestId", "HostId", "Code", "Message", "Recommend"]
    assert (status, reply["Code"], reply["Message"]) == expected
    assert reply["RequestId"] == request_id
    assert reply["HostId"] == "127.0.0.1"
    assert reply["Recommend"] == recommend(expected[1], product, request_id)
    assert body == json.dumps(reply, separators=(",", ":")), "not compact"


def test_host_id_echoes_the_host_header(emulator):
    status, headers, body = emulator.raw(create_backup_query(DBInstanceId="rm-nope", Format="JSON"),
                                         headers={"Host": "rds.aliyuncs.com:8080"})
    assert status == 404
    assert json.loads(body)["HostId"] == "rds.aliyuncs.com"


def test_request_ids_are_fresh_for_every_request(emulator):
    seen = set()
    for _ in range(5):
        status, headers, body = emulator.raw(create_backup_query(DBInstanceId="rm-nope", Format="JSON"))
        assert json.loads(body)["RequestId"] == headers["x-acs-request-id"]
        seen.add(headers["x-acs-request-id"])
    assert len(seen) == 5


# --- what each SDK surfaces --------------------------------------------------------------------------------

@pytest.mark.parametrize("product,params,expected,recommend_product", [
    pytest.param("rds", {"DBInstanceId": "rm-nope"}, RDS_NOT_FOUND, "Rds", id="rds-404"),
    pytest.param("rds", {"DBInstanceId": "rm-stopped"}, RDS_BAD_STATE, "Rds", id="rds-403"),
    pytest.param("rds", {}, RDS_MISSING_ID, "Rds", id="rds-400"),
    pytest.param("dds", {"DBInstanceId": "dds-restoring"}, DDS_BAD_STATE, "Dds", id="mongodb-403"),
    pytest.param("dds", {"DBInstanceId": "dds-nope"}, DDS_NOT_FOUND, "Dds", id="mongodb-404"),
])
def test_what_the_sdk_surfaces_on_error(product, params, expected, recommend_product, client, emulator):
    error = expect_error(emulator, client, product, params, expected)
    status, code, message = expected
    native = error.sdk_exception
    if client.kind == "old-sdk":
        assert isinstance(native, OldServerException)
        assert native.get_http_status() == status
        assert native.get_error_code() == code
        assert native.get_error_msg() == message
        assert is_request_id(native.get_request_id())
    else:
        assert isinstance(native, NewClientException)  # 4xx: ClientException (not Server/Throttling)
        assert native.code == code
        assert native.status_code == status
        assert native.data["statusCode"] == status
        assert native.message == f"code: {status}, {message} request id: {native.request_id}"
        assert is_request_id(native.request_id)
        assert native.data["RequestId"] == native.request_id
        assert (native.data["Code"], native.data["Message"]) == (code, message)
        assert native.data["HostId"] == "127.0.0.1"
        assert native.data["Recommend"] == recommend(code, recommend_product, native.request_id)


def test_the_new_sdk_reports_the_header_request_id_on_success(client, emulator):
    reply = client.create_backup("rds", DBInstanceId=MYSQL)
    if client.kind == "old-sdk":  # the old SDK returns only the body
        assert is_request_id(json.loads(reply.sdk_result)["RequestId"])
    else:
        response = reply.sdk_result
        assert response.headers["x-acs-request-id"] == response.body.request_id == reply["RequestId"]
        assert response.headers["content-type"] == JSON
    assert is_request_id(reply["RequestId"])

