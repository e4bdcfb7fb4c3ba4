"""The three ways users call CreateBackup, behind one interface.

call(sdk, emulator, product, **params) returns ("ok", body dict) or
("error", http_status, code, message, request_id), as each SDK surfaces them.
"""
import json

from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkdds.request.v20151201.CreateBackupRequest import CreateBackupRequest as OldDdsCreateBackup
from aliyunsdkrds.request.v20140815.CreateBackupRequest import CreateBackupRequest as OldRdsCreateBackup

from alibabacloud_dds20151201 import models as dds_models
from alibabacloud_dds20151201.client import Client as DdsClient
from alibabacloud_rds20140815 import models as rds_models
from alibabacloud_rds20140815.client import Client as RdsClient
from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_openapi.exceptions import ClientException

SDKS = ["old-sdk-v1", "new-sdk-v3", "new-sdk-v1"]

# Parameter name -> the new SDK's model field.
FIELDS = {"DBInstanceId": "dbinstance_id", "BackupMethod": "backup_method", "BackupType": "backup_type",
          "BackupStrategy": "backup_strategy", "DBName": "dbname", "BackupRetentionPeriod": "backup_retention_period"}


def call(sdk, emulator, product, **params):
    if sdk == "old-sdk-v1":
        return _old(emulator, product, params)
    return _new(emulator, product, params, "v2" if sdk == "new-sdk-v1" else None)


def _old(emulator, product, params):
    client = AcsClient("testid", "testsecret", "cn-hangzhou")
    request = OldRdsCreateBackup() if product == "rds" else OldDdsCreateBackup()
    request.set_endpoint(emulator.endpoint)
    for name, value in params.items():
        request.add_query_param(name, value)
    try:
        return ("ok", json.loads(client.do_action_with_exception(request)))
    except ServerException as error:
        return ("error", error.get_http_status(), error.get_error_code(), error.get_error_msg(), error.get_request_id())


def _new(emulator, product, params, algorithm):
    config = open_api_models.Config(access_key_id="testid", access_key_secret="testsecret",
                                    endpoint=emulator.endpoint, protocol="http", region_id="cn-hangzhou")
    if algorithm:
        config.signature_algorithm = algorithm
    fields = {FIELDS[name]: value for name, value in params.items()}
    try:
        if product == "rds":
            response = RdsClient(config).create_backup(rds_models.CreateBackupRequest(**fields))
        else:
            response = DdsClient(config).create_backup(dds_models.CreateBackupRequest(**fields))
        assert response.status_code == 200
        return ("ok", response.body.to_map())
    except ClientException as error:
        prefix = f"code: {error.status_code}, "
        suffix = f" request id: {error.request_id}"
        assert error.message.startswith(prefix) and error.message.endswith(suffix), error.message
        return ("error", error.status_code, error.code, error.message[len(prefix):-len(suffix)], error.request_id)
