"""What docker/check-image.sh asks of the running image, through the official Python SDK and the standard library.

    check_image.py first  HTTP_PORT HTTPS_PORT CA_FILE   a signed CreateBackup (prints its BackupJobId), and the
                                                          HTTPS port's health through the image's own authority
    check_image.py second HTTP_PORT JOB_ID                after a restart: the backup is still there
"""
import json
import ssl
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Tests" / "conformance"))
from clients import make_client  # noqa: E402

INSTANCE = "rm-uf6wjk5xxxxxxx"


def get(url, context=None):
    with urllib.request.urlopen(url, timeout=10, context=context) as response:
        return response.status, json.loads(response.read().decode() or "null")


def first(http_port, https_port, ca_file):
    reply = make_client("new-sdk-v3", f"127.0.0.1:{http_port}").create_backup("rds", DBInstanceId=INSTANCE)
    job = reply["BackupJobId"]
    status, _ = get(f"https://127.0.0.1:{https_port}/_emulator/health", ssl.create_default_context(cafile=ca_file))
    assert status == 200, f"HTTPS health: {status}"
    print(job)


def second(http_port, job):
    status, backups = get(f"http://127.0.0.1:{http_port}/_emulator/instances/{INSTANCE}/backups")
    jobs = [backup["BackupJobId"] for backup in backups]
    assert status == 200 and jobs == [job], f"after the restart, {INSTANCE} has backups {jobs}, not [{job}]"


if __name__ == "__main__":
    {"first": first, "second": second}[sys.argv[1]](*sys.argv[2:])
