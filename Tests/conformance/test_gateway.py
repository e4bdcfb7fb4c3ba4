"""The RPC gateway in front of CreateBackup (docs/behaviour.md §1), over raw HTTP (urllib).

SDKs cannot produce these requests (malformed escapes, unknown paths, missing Action...), so every case here is
raw HTTP, and each reply's RequestId must equal its x-acs-request-id header.
"""
import json
import xml.etree.ElementTree as ET

import pytest

from expectations import RDS_MISSING_ID, is_request_id

MYSQL = "rm-uf6wjk5xxxxxxx"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
TOO_LARGE = (413, "RequestEntityTooLarge", "The request body is larger than the limit of 1048576 bytes.")
BAD_FORMAT = (400, "InvalidParameter", 'The specified parameter "Format" is not valid.')
NO_API = (404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
BAD_VERSION = (400, "InvalidVersion", "Specified parameter Version is not valid.")
NO_ACTION = (400, "MissingAction", "Action is mandatory for this action.")


def decode_error(where):
    return (400, "InvalidParameter", f'The {where} cannot be decoded: "%ZZ" is not a valid percent-escape.')


def parse(status, headers, body):
    """(status, Code, Message, reply dict, format) of a reply, checking its request id."""
    content_type = headers["Content-Type"]
    if content_type == "text/xml;charset=utf-8":
        root = ET.fromstring(body)
        reply = {child.tag: child.text for child in root}
        fmt = "XML"
    else:
        assert content_type == "application/json;charset=utf-8", content_type
        reply = json.loads(body)
        fmt = "JSON"
    assert is_request_id(headers["x-acs-request-id"])
    assert reply["RequestId"] == headers["x-acs-request-id"]
    return status, reply.get("Code"), reply.get("Message"), reply, fmt


def no_backups(emulator):
    return all(backups == [] for backups in emulator.all_backups().values())


@pytest.mark.parametrize("request_args,expected", [
    pytest.param(dict(query="Action=CreateBackup&Version=2014-08-15&DBInstanceId=%ZZ"), decode_error("query string"),
                 id="2-query-string"),
    pytest.param(dict(query="Action=CreateBackup&Version=2014-08-15", method="POST", headers=FORM,
                      body=b"DBInstanceId=%ZZ"), decode_error("form body"), id="2-form-body"),
    pytest.param(dict(query="Format=YAML&Action=CreateBackup&Version=2014-08-15&DBInstanceId=%ZZ"),
                 decode_error("query string"), id="2-before-3"),
    pytest.param(dict(query="Action=CreateBackup&Version=2014-08-15&Format=YAML&DBInstanceId=" + MYSQL), BAD_FORMAT,
                 id="3-unknown-format"),
    pytest.param(dict(path="/nope", query="Format=YAML"), BAD_FORMAT, id="3-before-4"),
    pytest.param(dict(path="/nope", query="Action=CreateBackup&Version=2014-08-15&DBInstanceId=" + MYSQL), NO_API,
                 id="4-path"),
    pytest.param(dict(method="PUT", query="Action=CreateBackup&Version=2014-08-15&DBInstanceId=" + MYSQL), NO_API,
                 id="4-method-put"),
    pytest.param(dict(method="DELETE", query="Action=CreateBackup&Version=2014-08-15&DBInstanceId=" + MYSQL), NO_API,
                 id="4-method-delete"),
    pytest.param(dict(path="/nope", query="Action=CreateBackup"), NO_API, id="4-before-5"),
    pytest.param(dict(query="Action=CreateBackup&DBInstanceId=" + MYSQL), BAD_VERSION, id="5-no-version"),
    pytest.param(dict(query="Action=CreateBackup&Version=2020-01-01&DBInstanceId=" + MYSQL), BAD_VERSION,
                 id="5-unknown-version"),
    pytest.param(dict(query="DBInstanceId=" + MYSQL), BAD_VERSION, id="5-before-6"),
    pytest.param(dict(query="Version=2014-08-15&DBInstanceId=" + MYSQL), NO_ACTION, id="6-no-action-rds"),
    pytest.param(dict(query="Version=2015-12-01&DBInstanceId=dds-bpxxxxxxxx"), NO_ACTION, id="6-no-action-mongodb"),
    pytest.param(dict(query="Action=NoSuchAction&Version=2014-08-15&DBInstanceId=" + MYSQL), NO_API,
                 id="7-unknown-action-rds"),
    pytest.param(dict(query="Action=NoSuchAction&Version=2015-12-01&DBInstanceId=dds-bpxxxxxxxx"), NO_API,
                 id="7-unknown-action-mongodb"),
])
def test_gateway_errors(request_args, expected, emulator):
    status, code, message, reply, fmt = parse(*emulator.raw(**request_args))
    assert (status, code, message) == expected
    assert fmt == "XML"  # none of these requests asked for JSON
    assert reply["Recommend"].startswith(f"https://api.aliyun.com/troubleshoot?q={code}&")
    assert reply["Recommend"].endswith(f"requestId={reply['RequestId']}")
    assert no_backups(emulator)


def test_unknown_version_recommend_names_no_product(emulator):
    status, code, message, reply, fmt = parse(*emulator.raw("Action=CreateBackup&Version=2020-01-01&Format=JSON"))
    assert (status, code) == BAD_VERSION[:2]
    assert reply["Recommend"] == f"https://api.aliyun.com/troubleshoot?q=InvalidVersion&requestId={reply['RequestId']}"


def test_body_over_one_mebibyte_is_refused(emulator):
    body = b"DBInstanceId=" + MYSQL.encode() + b"&Pad=" + b"x" * (1048576 - 18 - len(MYSQL)) + b"x"
    assert len(body) == 1048577
    status, code, message, reply, fmt = parse(*emulator.raw("Action=CreateBackup&Version=2014-08-15", method="POST",
                                                            headers=FORM, body=body))
    assert (status, code, message) == TOO_LARGE
    assert no_backups(emulator)


def test_body_of_exactly_one_mebibyte_is_read(emulator):
    body = b"DBInstanceId=" + MYSQL.encode() + b"&Pad=" + b"x" * (1048576 - 18 - len(MYSQL))
    assert len(body) == 1048576
    status, code, message, reply, fmt = parse(*emulator.raw("Action=CreateBackup&Version=2014-08-15&Format=JSON",
                                                            method="POST", headers=FORM, body=body))
    assert status == 200, reply
    assert len(emulator.backups(MYSQL)) == 1


def test_undecodable_utf8_is_refused(emulator):
    status, code, message, reply, fmt = parse(*emulator.raw("Action=CreateBackup&Version=2014-08-15&DBInstanceId=%FF"))
    assert (status, code) == (400, "InvalidParameter")
    assert message.startswith("The query string cannot be decoded")
    assert no_backups(emulator)


def test_parameters_in_a_form_body(emulator):
    body = f"Action=CreateBackup&Version=2014-08-15&Format=JSON&DBInstanceId={MYSQL}".encode()
    status, code, message, reply, fmt = parse(*emulator.raw(method="POST", headers=FORM, body=body))
    assert status == 200, reply
    assert fmt == "JSON"
    assert [b["BackupJobId"] for b in emulator.backups(MYSQL)] == [reply["BackupJobId"]]


def test_the_query_string_wins_over_the_body(emulator):
    status, code, message, reply, fmt = parse(*emulator.raw(
        f"Action=CreateBackup&Version=2014-08-15&Format=JSON&DBInstanceId={MYSQL}", method="POST", headers=FORM,
        body=b"DBInstanceId=rm-nope&Format=XML"))
    assert (status, fmt) == (200, "JSON"), reply
    assert len(emulator.backups(MYSQL)) == 1


def test_a_name_sent_twice_keeps_its_first_value(emulator):
    status, code, message, reply, fmt = parse(*emulator.raw(
        f"Action=CreateBackup&Version=2014-08-15&Format=JSON&DBInstanceId={MYSQL}&DBInstanceId=rm-nope"))
    assert status == 200, reply
    assert len(emulator.backups(MYSQL)) == 1


def test_bodies_of_other_content_types_are_ignored(emulator):
    status, code, message, reply, fmt = parse(*emulator.raw(
        "Action=CreateBackup&Version=2014-08-15&Format=JSON", method="POST",
        headers={"Content-Type": "application/json"}, body=json.dumps({"DBInstanceId": MYSQL}).encode()))
    assert (status, code, message) == RDS_MISSING_ID
    assert emulator.backups(MYSQL) == []


def test_action_and_version_from_headers_answer_json(emulator):
    """The new SDK sends Action/Version as x-acs-action / x-acs-version only: JSON by default (§1)."""
    status, code, message, reply, fmt = parse(*emulator.raw(
        f"DBInstanceId={MYSQL}", method="POST", headers={"x-acs-action": "CreateBackup",
                                                           "x-acs-version": "2014-08-15"}))
    assert (status, fmt) == (200, "JSON"), reply
    assert sorted(reply) == ["BackupJobId", "RequestId"]


def test_v3_signed_request_answers_json(emulator):
    status, code, message, reply, fmt = parse(*emulator.raw(
        f"Action=CreateBackup&Version=2015-12-01&DBInstanceId=dds-bpxxxxxxxx", method="POST", sign="v3"))
    assert (status, fmt) == (200, "JSON"), reply
    assert sorted(reply) == ["BackupId", "BackupJobId", "RequestId"]


def test_explicit_format_wins_over_the_headers(emulator):
    status, code, message, reply, fmt = parse(*emulator.raw(
        f"DBInstanceId={MYSQL}&Format=XML", headers={"x-acs-action": "CreateBackup", "x-acs-version": "2014-08-15"}))
    assert (status, fmt) == (200, "XML"), reply


def test_get_and_post_both_work(emulator):
    for method in ("GET", "POST"):
        status, code, message, reply, fmt = parse(*emulator.raw(
            "Action=CreateBackup&Version=2015-12-01&Format=JSON&DBInstanceId=dds-sharded", method=method))
        assert status == 200, reply
        emulator.reset()
