"""The request journal seen from each SDK generation: what a test verifies its client sent."""
import urllib.parse

import pytest

from clients import ApiError

SIGNATURE_VERSION = {"old-sdk": "V1", "new-sdk-v3": "V3", "new-sdk-v2": "V1"}


def journal(server, **filters):
    status, body = server.control("GET", "/_emulator/requests?" + urllib.parse.urlencode(filters))
    assert status == 200, body
    return body["requests"]


@pytest.mark.parametrize("product,instance,refusal", [
    ("rds", "rm-uf6wjk5xxxxxxx", "BackupJobExists"),
    ("dds", "dds-bpxxxxxxxx", "OperationDenied.BackupJobExists"),
])
def test_each_sdk_generation_can_verify_what_it_sent(client, client_factory, emulator, product, instance, refusal):
    emulator.control("POST", "/_emulator/clock", {"reset": True})  # the SDKs sign with the real time
    accepted = client.create_backup(product, DBInstanceId=instance, BackupMethod="Physical")
    with pytest.raises(ApiError) as refused:  # the first backup is still running
        client.create_backup(product, DBInstanceId=instance, BackupMethod="Physical")

    sent = journal(emulator, action="CreateBackup", instance=instance)
    assert [entry.get("code") for entry in sent] == [None, refused.value.code] == [None, refusal]
    assert [entry["requestId"] for entry in sent] == [accepted["RequestId"], refused.value.request_id]
    for entry in sent:
        assert entry["parameters"]["BackupMethod"] == "Physical"
        assert entry["signatureVersion"] == SIGNATURE_VERSION[client_factory.kind]
        assert (entry["accessKeyId"], entry["account"]) == ("testid", "default")
        assert entry["product"] == {"rds": "Rds", "dds": "Dds"}[product]
        # A V1 signature is a parameter, shown redacted; a V3 one is a header, never recorded.
        assert entry["parameters"].get("Signature") == ("(redacted)" if entry["signatureVersion"] == "V1" else None)
    assert sent[1]["rule"] == refusal and sent[1]["status"] == refused.value.http_status
    status, counted = emulator.control("GET", f"/_emulator/requests/count?code={refusal}")
    assert (status, counted) == (200, {"count": 1})
