"""Authentication (docs/authentication.md): signatures V1 and V3 checked as strictly as Alibaba Cloud does,
through both SDK generations and a hand-written client (signing.py)."""
import datetime
import urllib.parse

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.auth.credentials import StsTokenCredential
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.utils import parameter_helper
from aliyunsdkrds.request.v20140815.CreateBackupRequest import CreateBackupRequest
from alibabacloud_rds20140815 import models as rds_models
from alibabacloud_rds20140815.client import Client as RdsClient
from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.utils import Utils

import signing
from expectations import is_request_id

INSTANCE = "rm-pg-local"
NOT_FOUND = (404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
INACTIVE = (400, "InvalidAccessKeyId.Inactive", "Specified access key is disabled.")
EXPIRED = (400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
REPLAYED = (400, "SignatureNonceUsed", "Specified signature nonce was used already.")
NO_TOKEN = (400, "MissingSecurityToken", "SecurityToken is mandatory for this action.")
BAD_TOKEN = (400, "InvalidSecurityToken.Mismatch", "Specified security token does not match the access key.")


def old_sdk(server, key_id, secret, token=None, instance=INSTANCE):
    """(status, code, message, request id) or the reply dict, as aliyun-python-sdk-core surfaces it."""
    credential = StsTokenCredential(key_id, secret, token) if token else None
    client = AcsClient(credential=credential, region_id="cn-hangzhou") if token else AcsClient(key_id, secret, "cn-hangzhou")
    request = CreateBackupRequest()
    request.set_DBInstanceId(instance)
    request.set_endpoint(server.endpoint)
    try:
        import json
        return json.loads(client.do_action_with_exception(request))
    except ServerException as error:
        return (error.get_http_status(), error.get_error_code(), error.get_error_msg(), error.get_request_id())


def new_sdk(server, key_id, secret, token=None, algorithm=None, instance=INSTANCE):
    config = open_api_models.Config(access_key_id=key_id, access_key_secret=secret, security_token=token,
                                    endpoint=server.endpoint, protocol="http")
    if algorithm:
        config.signature_algorithm = algorithm
    try:
        return RdsClient(config).create_backup(rds_models.CreateBackupRequest(dbinstance_id=instance)).body.to_map()
    except ClientException as error:
        prefix, suffix = f"code: {error.status_code}, ", f" request id: {error.request_id}"
        assert error.message.startswith(prefix) and error.message.endswith(suffix)
        return (error.status_code, error.code, error.message[len(prefix):-len(suffix)], error.request_id)


CALLERS = {
    "old-sdk-v1": old_sdk,
    "new-sdk-v3": new_sdk,
    "new-sdk-v1": lambda *args, **kwargs: new_sdk(*args, algorithm="v2", **kwargs),
}


def refused(result, expected):
    assert isinstance(result, tuple), f"expected {expected}, got success {result}"
    assert result[:3] == expected
    assert is_request_id(result[3])


@pytest.mark.parametrize("caller", CALLERS)
def test_the_right_key_is_accepted(caller, emulator):
    reply = CALLERS[caller](emulator, "testid", "testsecret")
    assert sorted(reply) == ["BackupJobId", "RequestId"]
    assert len(emulator.backups(INSTANCE)) == 1


def test_old_sdk_turns_a_wrong_secret_into_a_clear_error(emulator):
    # The server's message ends "server string to sign is:<STS>"; the SDK compares that with its own
    # string to sign and, since they are equal, reports the secret as wrong. It must not crash.
    result = old_sdk(emulator, "testid", "wrong-secret")
    assert result[:3] == (400, "InvalidAccessKeySecret",
                          "The AccessKeySecret is incorrect. Please check your AccessKeyId and AccessKeySecret.")
    assert emulator.backups(INSTANCE) == []


def test_new_sdk_v1_wrong_secret_shows_the_servers_string_to_sign(emulator):
    status, code, message, _ = new_sdk(emulator, "testid", "wrong-secret", algorithm="v2")
    assert (status, code) == (400, "SignatureDoesNotMatch")
    prefix = "Specified signature is not matched with our calculation. server string to sign is:"
    assert message.startswith(prefix + "POST&%2F&AccessKeyId%3Dtestid%26Action%3DCreateBackup%26")
    assert message.count(":") == 1  # what the old SDK relies on when it parses the message


def test_new_sdk_v3_wrong_secret_shows_the_canonical_request(emulator):
    status, code, message, _ = new_sdk(emulator, "testid", "wrong-secret")
    assert (status, code) == (400, "SignatureDoesNotMatch")
    assert message.startswith("Specified signature does not match our calculation. server string to sign is:\n"
                              "ACS3-HMAC-SHA256\n")
    canonical = message.split("canonical request is:\n", 1)[1]
    lines = canonical.split("\n")
    assert lines[:3] == ["POST", "/", f"DBInstanceId={INSTANCE}"]
    assert f"host:{emulator.endpoint}" in lines
    assert lines[-1] == signing.hashlib.sha256(b"").hexdigest()


@pytest.mark.parametrize("caller", CALLERS)
def test_unknown_and_disabled_keys(caller, emulator):
    refused(CALLERS[caller](emulator, "nobody", "testsecret"), NOT_FOUND)
    refused(CALLERS[caller](emulator, "disabledid", "testsecret"), INACTIVE)
    assert emulator.backups(INSTANCE) == []


@pytest.mark.parametrize("caller", CALLERS)
def test_sts_keys_need_their_token(caller, emulator):
    assert "BackupJobId" in CALLERS[caller](emulator, "STS.testid", "testsecret", token="testtoken")
    refused(CALLERS[caller](emulator, "STS.testid", "testsecret", token="not-the-token"), BAD_TOKEN)
    refused(CALLERS[caller](emulator, "STS.testid", "testsecret"), NO_TOKEN)
    refused(CALLERS[caller](emulator, "testid", "testsecret", token="testtoken"), BAD_TOKEN)


@pytest.mark.parametrize("caller", CALLERS)
def test_a_replayed_nonce_is_refused(caller, emulator, monkeypatch):
    monkeypatch.setattr(parameter_helper, "get_uuid", lambda: "fixed-nonce-" + caller)
    monkeypatch.setattr(Utils, "get_nonce", staticmethod(lambda: "fixed-nonce-" + caller))
    assert "BackupJobId" in CALLERS[caller](emulator, "testid", "testsecret")
    refused(CALLERS[caller](emulator, "testid", "testsecret", instance="rm-mysql-nodb"), REPLAYED)
    assert emulator.backups("rm-mysql-nodb") == []
    # The same nonce from another key is another nonce.
    assert "BackupJobId" in CALLERS[caller](emulator, "otherid", "othersecret", instance="rm-other-account")


@pytest.mark.parametrize("caller", CALLERS)
def test_a_timestamp_off_by_more_than_fifteen_minutes_is_refused(caller, emulator, monkeypatch):
    stale = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=16)).strftime("%Y-%m-%dT%H:%M:%SZ")
    monkeypatch.setattr(parameter_helper, "get_iso_8061_date", lambda: stale)
    monkeypatch.setattr(Utils, "get_timestamp", staticmethod(lambda: stale))
    refused(CALLERS[caller](emulator, "testid", "testsecret"), EXPIRED)


@pytest.mark.parametrize("product,mine,theirs", [
    ("rds", "rm-uf6wjk5xxxxxxx", "rm-other-account"), ("dds", "dds-bpxxxxxxxx", "dds-other-account")])
def test_one_account_never_sees_anothers_instances(product, mine, theirs, emulator):
    version = "2014-08-15" if product == "rds" else "2015-12-01"
    not_found = "InvalidDBInstanceName.NotFound" if product == "rds" else "InvalidDBInstanceId.NotFound"

    def create(instance, key_id, secret):
        query = [("Action", "CreateBackup"), ("Version", version), ("DBInstanceId", instance), ("Format", "JSON")]
        signed = signing.sign_v1("GET", query, key_id=key_id, secret=secret)
        status, _, body = emulator.raw(urllib.parse.urlencode(signed), sign=None)
        return status, body

    assert create(theirs, "testid", "testsecret")[0] == 404
    assert not_found in create(theirs, "testid", "testsecret")[1]
    assert create(mine, "otherid", "othersecret")[0] == 404
    assert create(theirs, "otherid", "othersecret")[0] == 200
    assert create(mine, "testid", "testsecret")[0] == 200
    assert emulator.instance(theirs)["AccountId"] == "other"
    assert emulator.instance(mine)["AccountId"] == "default"


# --- The hand-written client -------------------------------------------------------------------------------

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test_hand_signed_form_body_post(emulator):
    body_pairs = [("Action", "CreateBackup"), ("Version", "2015-12-01"), ("DBInstanceId", "dds-bpxxxxxxxx"),
                  ("BackupMethod", "Logical"), ("Format", "JSON")] + signing.v1_common()
    signature = signing.v1_signature(signing.v1_string_to_sign("POST", body_pairs), signing.SECRET)
    body = urllib.parse.urlencode(body_pairs + [("Signature", signature)]).encode()
    status, _, reply = emulator.raw("", method="POST", body=body, headers=FORM, sign=None)
    assert status == 200, reply
    assert [b["BackupMethod"] for b in emulator.backups("dds-bpxxxxxxxx")] == ["Logical"]


def test_a_body_changed_after_signing_is_refused(emulator):
    body_pairs = [("Action", "CreateBackup"), ("Version", "2015-12-01"), ("DBInstanceId", "dds-bpxxxxxxxx"),
                  ("Format", "JSON")] + signing.v1_common()
    signature = signing.v1_signature(signing.v1_string_to_sign("POST", body_pairs), signing.SECRET)
    tampered = [(n, "dds-cloud" if n == "DBInstanceId" else v) for n, v in body_pairs]
    status, _, reply = emulator.raw("", method="POST", headers=FORM, sign=None,
                                    body=urllib.parse.urlencode(tampered + [("Signature", signature)]).encode())
    assert status == 400 and '"Code":"SignatureDoesNotMatch"' in reply
    assert "DBInstanceId%3Ddds-cloud" in reply  # the server's string to sign shows what it received


def test_get_and_post_sign_differently(emulator):
    query = [("Action", "CreateBackup"), ("Version", "2014-08-15"), ("DBInstanceId", INSTANCE), ("Format", "JSON")]
    signed_for_get = urllib.parse.urlencode(signing.sign_v1("GET", query))
    assert emulator.raw(signed_for_get, method="POST", sign=None)[0] == 400
    assert emulator.raw(signed_for_get, method="GET", sign=None)[0] == 200


def test_an_empty_signature_type_is_part_of_the_signed_string(emulator):
    query = [("Action", "CreateBackup"), ("Version", "2014-08-15"), ("DBInstanceId", INSTANCE), ("Format", "JSON"),
             ("SignatureType", "")]
    signed = signing.sign_v1("GET", query)
    assert emulator.raw(urllib.parse.urlencode(signed), sign=None)[0] == 200
    without = [(n, v) for n, v in signed if n != "SignatureType"]
    assert emulator.raw(urllib.parse.urlencode(without), sign=None)[0] == 400


V1_MISSING = ["AccessKeyId", "Signature", "SignatureMethod", "SignatureVersion", "Timestamp", "SignatureNonce"]


@pytest.mark.parametrize("name", V1_MISSING)
def test_v1_missing_parts(name, emulator):
    query = [("Action", "CreateBackup"), ("Version", "2014-08-15"), ("DBInstanceId", INSTANCE), ("Format", "JSON")]
    signed = [(n, v) for n, v in signing.sign_v1("GET", query) if n != name]
    status, _, reply = emulator.raw(urllib.parse.urlencode(signed), sign=None)
    assert status == 400
    assert f'"Code":"Missing{name}","Message":"{name} is mandatory for this action."' in reply


@pytest.mark.parametrize("name,value,code", [
    ("SignatureMethod", "HMAC-SHA256", "InvalidSignatureMethod"),
    ("SignatureVersion", "2.0", "InvalidSignatureVersion"),
    ("Timestamp", "2024-01-01 00:00:00", "InvalidTimeStamp.Format"),
    ("Timestamp", "2020-01-01T00:00:00Z", "InvalidTimeStamp.Expired"),
])
def test_v1_unsupported_or_malformed_parts(name, value, code, emulator):
    query = [("Action", "CreateBackup"), ("Version", "2014-08-15"), ("DBInstanceId", INSTANCE), ("Format", "JSON"),
             (name, value)]
    status, _, reply = emulator.raw(urllib.parse.urlencode(signing.sign_v1("GET", query)), sign=None)
    assert status == 400 and f'"Code":"{code}"' in reply


def test_hand_signed_v3_request(emulator):
    status, _, reply = emulator.raw("DBInstanceId=" + INSTANCE, method="POST", sign="v3",
                                    headers={"x-acs-action": "CreateBackup", "x-acs-version": "2014-08-15"})
    assert status == 200, reply


def test_v3_body_hash_is_checked_against_the_body_received(emulator):
    headers = signing.sign_v3("POST", emulator.endpoint, [("DBInstanceId", INSTANCE)],
                              {"x-acs-action": "CreateBackup", "x-acs-version": "2014-08-15",
                               "content-type": "application/octet-stream"}, body=b"")
    status, _, reply = emulator.raw("DBInstanceId=" + INSTANCE, method="POST", body=b"Extra=1", headers=headers,
                                    sign=None)
    assert status == 400 and '"Code":"SignatureDoesNotMatch"' in reply
    assert signing.hashlib.sha256(b"Extra=1").hexdigest() in reply


@pytest.mark.parametrize("drop,detail", [
    ("x-acs-date", "The x-acs-date header is missing."),
    ("x-acs-signature-nonce", "The x-acs-signature-nonce header is missing."),
])
def test_v3_missing_parts(drop, detail, emulator):
    headers = signing.sign_v3("POST", emulator.endpoint, [("DBInstanceId", INSTANCE)],
                              {"x-acs-action": "CreateBackup", "x-acs-version": "2014-08-15"})
    del headers[drop]
    status, _, reply = emulator.raw("DBInstanceId=" + INSTANCE, method="POST", headers=headers, sign=None)
    assert status == 400
    assert f'"Code":"IncompleteSignature","Message":"The request signature does not conform to Aliyun standards. {detail}"' in reply


def test_v3_an_unsigned_content_type_is_refused(emulator):
    # urllib adds Content-Type to a POST with a body; the V3 doc requires it to be signed.
    headers = signing.sign_v3("POST", emulator.endpoint, [("DBInstanceId", INSTANCE)],
                              {"x-acs-action": "CreateBackup", "x-acs-version": "2014-08-15"}, body=b"A=1")
    status, _, reply = emulator.raw("DBInstanceId=" + INSTANCE, method="POST", body=b"A=1", headers=headers, sign=None)
    assert status == 400
    assert "The content-type header must be listed in SignedHeaders." in reply


def test_signature_off_accepts_anything_but_keeps_accounts(start_emulator):
    server = start_emulator("--signature", "off")
    assert "BackupJobId" in new_sdk(server, "testid", "wrong-secret")
    assert "BackupJobId" in old_sdk(server, "nobody", "x", instance="rm-uf6wjk5xxxxxxx")
    # A known key still acts for its own account.
    refused(new_sdk(server, "otherid", "anything", instance="rm-mysql-nodb"),
            (404, "InvalidDBInstanceName.NotFound", "The database instance does not exist."))
    assert "BackupJobId" in new_sdk(server, "otherid", "anything", instance="rm-other-account")
    status, _, _ = server.raw("Action=CreateBackup&Version=2014-08-15&DBInstanceId=rm-mysql-nodb", sign=None)
    assert status == 200
