"""Runs inside a private mount and network namespace (test_real_endpoints.py starts it with unshare): brings up the
namespace's own loopback, bind-mounts a hosts file that maps the real endpoint names to it over /etc/hosts (the
machine's own file is never touched), starts the emulator on ports 80 (HTTP) and 443 (HTTPS), and runs one SDK
journey in a fresh Python process whose only configuration is its environment. Prints one JSON line: what the
journey saw, or the error it ended with.

    real_endpoints.py BINARY SDK PRODUCT REGION TRUST      (SDK: old or new; PRODUCT: rds or dds; TRUST: ca or none)
    real_endpoints.py --client SDK PRODUCT REGION          (the journey itself, run by the above)
"""
import fcntl
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

INSTANCES = {"rds": "rm-uf6wjk5xxxxxxx", "dds": "dds-bpxxxxxxxx"}
# What production code resolves: RDS in cn-hangzhou is rds.aliyuncs.com, MongoDB in ap-southeast-1 is
# mongodb.ap-southeast-1.aliyuncs.com, in both SDK generations' endpoint tables. Only these names are mapped.
MAPPED = ["rds.aliyuncs.com", "mongodb.ap-southeast-1.aliyuncs.com"]
# Variables that would point a client somewhere else than the environment this test gives it.
CLEARED = ["SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "HTTP_PROXY", "HTTPS_PROXY",
           "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy"]


def client_journey(sdk, product, region):
    """CreateBackup → DescribeBackupTasks → DescribeBackups, with the client built as production code builds it: an
    access key and a region, no endpoint, no protocol."""
    instance = INSTANCES[product]
    if sdk == "new":
        from alibabacloud_tea_openapi import models as open_api_models
        if product == "rds":
            from alibabacloud_rds20140815 import models
            from alibabacloud_rds20140815.client import Client
        else:
            from alibabacloud_dds20151201 import models
            from alibabacloud_dds20151201.client import Client
        client = Client(open_api_models.Config(access_key_id="testid", access_key_secret="testsecret", region_id=region))
        created = client.create_backup(models.CreateBackupRequest(dbinstance_id=instance)).body.to_map()
        tasks = client.describe_backup_tasks(models.DescribeBackupTasksRequest(
            dbinstance_id=instance, backup_job_id=str(created["BackupJobId"]))).body.to_map()
        backups = client.describe_backups(models.DescribeBackupsRequest(dbinstance_id=instance)).body.to_map()
        return {"endpoint": client._endpoint, "created": created, "tasks": tasks, "backups": backups}
    from aliyunsdkcore.client import AcsClient
    package = "aliyunsdkrds.request.v20140815" if product == "rds" else "aliyunsdkdds.request.v20151201"
    client = AcsClient("testid", "testsecret", region)

    def call(action, **parameters):
        module = __import__(f"{package}.{action}Request", fromlist=[f"{action}Request"])
        request = getattr(module, f"{action}Request")()
        for name, value in parameters.items():
            getattr(request, f"set_{name}")(value)
        reply = json.loads(client.do_action_with_exception(request))
        return request, reply

    request, created = call("CreateBackup", DBInstanceId=instance)
    endpoint = client._resolve_endpoint(request)
    _, tasks = call("DescribeBackupTasks", DBInstanceId=instance, BackupJobId=created["BackupJobId"])
    _, backups = call("DescribeBackups", DBInstanceId=instance)
    return {"endpoint": endpoint, "created": created, "tasks": tasks, "backups": backups}


def bring_up_loopback():
    """`ip link set lo up`, without needing iproute2: the interface's flags through SIOCGIFFLAGS / SIOCSIFFLAGS."""
    get_flags, set_flags, up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        flags = struct.unpack("16sH", fcntl.ioctl(probe, get_flags, struct.pack("16sH", b"lo", 0)))[1]
        fcntl.ioctl(probe, set_flags, struct.pack("16sH", b"lo", flags | up))


def wait_for_port(port, deadline):
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the emulator is not listening on port {port}")


def in_namespace(binary, sdk, product, region, trust):
    folder = tempfile.mkdtemp(prefix="real-endpoints-")
    hosts = os.path.join(folder, "hosts")
    with open(hosts, "w") as file:
        file.write("127.0.0.1 localhost\n" + "".join(f"127.0.0.1 {name}\n" for name in MAPPED))
    bring_up_loopback()
    subprocess.run(["mount", "--bind", hosts, "/etc/hosts"], check=True, capture_output=True)
    tls = os.path.join(folder, "tls")
    emulator = subprocess.Popen(
        [binary, "--host", "127.0.0.1", "--port", "80", "--https-port", "443", "--tls-dir", tls, "--backup-duration", "0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        wait_for_port(80, deadline)
        wait_for_port(443, deadline)
        authority = os.path.join(folder, "ca.pem")
        with open(authority, "wb") as file:
            file.write(subprocess.run([binary, "ca", "--tls-dir", tls], check=True, capture_output=True).stdout)
        environment = {name: value for name, value in os.environ.items() if name not in CLEARED}
        if trust == "ca":
            environment.update(REQUESTS_CA_BUNDLE=authority, SSL_CERT_FILE=authority)
        journey = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--client", sdk, product, region],
            env=environment, capture_output=True, text=True, timeout=120)
        lines = journey.stdout.strip().splitlines()
        return json.loads(lines[-1]) if lines else {"error": f"no result; stderr: {journey.stderr[-2000:]}"}
    finally:
        emulator.terminate()
        try:
            emulator.wait(timeout=5)
        except subprocess.TimeoutExpired:
            emulator.kill()


def main(arguments):
    if arguments[0] == "--client":
        try:
            result = client_journey(*arguments[1:])
        except Exception as error:  # the test reads what went wrong
            result = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(result, default=str))
        return
    try:
        result = in_namespace(*arguments)
    except Exception as error:
        result = {"error": f"namespace set-up: {type(error).__name__}: {error}"}
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
