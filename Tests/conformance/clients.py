"""The three ways users call CreateBackup, normalized.

* ``old-sdk``: aliyunsdkcore.client.AcsClient + aliyunsdkrds / aliyunsdkdds CreateBackupRequest,
  ``request.set_endpoint('127.0.0.1:PORT')``; V1 HMAC-SHA1, Format=JSON, parameters in the query string.
* ``new-sdk-v3``: alibabacloud_rds20140815 / alibabacloud_dds20151201 with
  ``Config(endpoint='127.0.0.1:PORT', protocol='http')``; default ACS3-HMAC-SHA256 signing.
* ``new-sdk-v2``: the same with ``signature_algorithm='v2'`` (V1 HMAC-SHA1).

``client.create_backup(product, **params)`` (product ``"rds"`` or ``"dds"``, params named as in the API:
DBInstanceId, BackupMethod, ...) returns the success body as a dict (a ``Reply``, which also keeps what the
SDK returned in ``.sdk_result``) or raises ``ApiError(http_status, code, message, request_id)`` built from what
the SDK surfaces; ``ApiError.sdk_exception`` is the SDK's own exception.
"""
import json
import re

from aliyunsdkcore.acs_exception.exceptions import ServerException as OldServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkdds.request.v20151201.CreateBackupRequest import CreateBackupRequest as OldDdsCreateBackup
from aliyunsdkrds.request.v20140815.CreateBackupRequest import CreateBackupRequest as OldRdsCreateBackup

from alibabacloud_dds20151201 import models as dds_models
from alibabacloud_dds20151201.client import Client as NewDdsClient
from alibabacloud_rds20140815 import models as rds_models
from alibabacloud_rds20140815.client import Client as NewRdsClient
from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException

SDK_KINDS = ("old-sdk", "new-sdk-v3", "new-sdk-v2")
ACCESS_KEY_ID, ACCESS_KEY_SECRET = "testid", "testsecret"

# The new SDK's ClientException.message: "code: <status>, <Message> request id: <RequestId>".
NEW_SDK_MESSAGE = re.compile(r"code: (\d+), (.*) request id: (\S*)", re.S)


class ApiError(Exception):
    def __init__(self, http_status, code, message, request_id, sdk_exception=None):
        super().__init__(f"{http_status} {code}: {message} (request id {request_id})")
        self.http_status = http_status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.sdk_exception = sdk_exception

    def as_tuple(self):
        return (self.http_status, self.code, self.message, self.request_id)


class Reply(dict):
    """A success body; ``sdk_result`` is what the SDK returned (raw bytes, or the typed response)."""
    sdk_result = None


class OldSdkClient:
    kind = "old-sdk"

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.acs = AcsClient(ACCESS_KEY_ID, ACCESS_KEY_SECRET, "cn-hangzhou")

    def create_backup(self, product, **params):
        request = OldRdsCreateBackup() if product == "rds" else OldDdsCreateBackup()
        for name, value in params.items():
            getattr(request, f"set_{name}")(value)  # the generated setter, as a user would call it
        request.set_endpoint(self.endpoint)
        try:
            raw = self.acs.do_action_with_exception(request)
        except OldServerException as error:
            raise ApiError(error.get_http_status(), error.get_error_code(), error.get_error_msg(),
                           error.get_request_id(), error) from None
        reply = Reply(json.loads(raw))
        reply.sdk_result = raw
        return reply


class NewSdkClient:
    def __init__(self, endpoint, signature_algorithm=None):
        self.kind = "new-sdk-v2" if signature_algorithm == "v2" else "new-sdk-v3"
        config = open_api_models.Config(access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET,
                                        endpoint=endpoint, protocol="http", region_id="cn-hangzhou")
        if signature_algorithm:
            config.signature_algorithm = signature_algorithm
        self.rds = NewRdsClient(config)
        self.dds = NewDdsClient(config)

    def create_backup(self, product, **params):
        if product == "rds":
            client, request = self.rds, rds_models.CreateBackupRequest().from_map(params)
        else:
            client, request = self.dds, dds_models.CreateBackupRequest().from_map(params)
        assert request.to_map() == params, f"the SDK model does not carry every parameter: {params}"
        try:
            response = client.create_backup(request)
        except AlibabaCloudException as error:
            # What the user sees is error.message; the server's Message is the middle part of it.
            match = NEW_SDK_MESSAGE.fullmatch(error.message or "")
            message = match.group(2) if match else error.message
            raise ApiError(error.status_code, error.code, message, error.request_id, error) from None
        reply = Reply(response.body.to_map())
        reply.sdk_result = response
        return reply


def make_client(kind, endpoint):
    if kind == "old-sdk":
        return OldSdkClient(endpoint)
    if kind == "new-sdk-v3":
        return NewSdkClient(endpoint)
    if kind == "new-sdk-v2":
        return NewSdkClient(endpoint, "v2")
    raise ValueError(kind)
