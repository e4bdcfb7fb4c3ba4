"""Writes the request seeds of the fuzz targets: real requests of the SDKs, as they reach the server.

A recording server answers every request with a small success body and keeps the bytes it received; the SDK
clients of the conformance suite (Tests/conformance/clients.py) and its independent signer (signing.py) send
the requests. Each is saved as HTTP/1.1 text under Fuzz/Corpus/<target>/ (Request, SignatureV1 or SignatureV3).
Run with the conformance suite's Python: .venv/bin/python Fuzz/capture-seeds.py
"""
import hashlib
import socket
import sys
import threading
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "conformance"))
import signing  # noqa: E402
from clients import make_client  # noqa: E402
from alibabacloud_dds20151201 import models as dds_models  # noqa: E402
from alibabacloud_rds20140815 import models as rds_models  # noqa: E402

REPLY = b'{"RequestId":"seed","BackupJobId":"1","BackupId":"1"}'
captured = []


def serve(listener):
    while True:
        connection, _ = listener.accept()
        with connection:
            data = b""
            while b"\r\n\r\n" not in data:
                data += connection.recv(65536)
            head, _, body = data.partition(b"\r\n\r\n")
            length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            while len(body) < length:
                body += connection.recv(65536)
            captured.append(head + b"\r\n\r\n" + body)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                               b"Content-Length: %d\r\n\r\n%s" % (len(REPLY), REPLY))


def main():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    endpoint = f"127.0.0.1:{listener.getsockname()[1]}"
    threading.Thread(target=serve, args=(listener,), daemon=True).start()
    seeds = {"Request": [], "SignatureV1": [], "SignatureV3": []}

    def take(*targets):
        request = captured.pop()
        for target in targets:
            seeds[target].append(request)

    # CreateBackup as users send it: the old SDK and the new one signing V1 (v2 in its terms) and V3.
    for kind, target in (("old-sdk", "SignatureV1"), ("new-sdk-v2", "SignatureV1"), ("new-sdk-v3", "SignatureV3")):
        client = make_client(kind, endpoint)
        client.create_backup("rds", DBInstanceId="rm-uf6wjk5xxxxxxx", BackupMethod="Physical")
        take("Request", target)
        client.create_backup("dds", DBInstanceId="dds-bpxxxxxxxx")
        take("Request", target)
    # The Describe operations of the new SDK (V3), paging and time filters included.
    client = make_client("new-sdk-v3", endpoint)
    calls = [
        (client.rds.describe_backups, rds_models.DescribeBackupsRequest(
            dbinstance_id="rm-uf6wjk5xxxxxxx", start_time="2025-01-01T00:00Z", end_time="2026-12-31T00:00Z",
            page_number=2, page_size=30)),
        (client.rds.describe_backup_tasks, rds_models.DescribeBackupTasksRequest(dbinstance_id="rm-uf6wjk5xxxxxxx")),
        (client.rds.describe_dbinstances, rds_models.DescribeDBInstancesRequest(region_id="cn-hangzhou", page_size=100)),
        (client.dds.describe_backups, dds_models.DescribeBackupsRequest(
            dbinstance_id="dds-bpxxxxxxxx", backup_id="1,2", page_number=1, page_size=30)),
        (client.dds.describe_dbinstance_attribute, dds_models.DescribeDBInstanceAttributeRequest(
            dbinstance_id="dds-bpxxxxxxxx")),
    ]
    for call, request in calls:
        try:
            call(request)
        except Exception:  # the canned reply does not fit every model: the request is what matters
            pass
        take("Request", "SignatureV3")
    # Raw requests signed by the conformance suite's own signer: a form body (V1) and a query with a body (V3).
    form = [("Action", "CreateBackup"), ("Version", "2014-08-15"), ("DBInstanceId", "rm-uf6wjk5xxxxxxx"),
            ("Format", "XML")]
    body = urllib.parse.urlencode(form).encode()
    query = urllib.parse.urlencode(signing.sign_v1("POST", [], form))
    urllib.request.urlopen(urllib.request.Request(
        f"http://{endpoint}/?{query}", data=body, method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"})).read()
    take("Request", "SignatureV1")
    pairs = [("Action", "DescribeBackupTasks"), ("Version", "2015-12-01"), ("DBInstanceId", "dds-bpxxxxxxxx")]
    body = b"BackupJobId=1"
    headers = signing.sign_v3("POST", endpoint, pairs, {"Content-Type": "application/x-www-form-urlencoded"}, body)
    urllib.request.urlopen(urllib.request.Request(
        f"http://{endpoint}/?{urllib.parse.urlencode(pairs)}", data=body, method="POST", headers=headers)).read()
    take("Request", "SignatureV3")

    for target, requests in seeds.items():
        folder = ROOT / "Fuzz" / "Corpus" / target
        folder.mkdir(parents=True, exist_ok=True)
        for request in requests:
            (folder / f"sdk-{hashlib.sha1(request).hexdigest()[:12]}").write_bytes(request)
        print(f"{target}: {len(requests)} seeds")


if __name__ == "__main__":
    main()
