"""Unmodified clients (issue #24): both Python SDK generations, constructed as production code constructs them (an
access key and a region; no endpoint, no protocol), reach the emulator only through the environment (the CA in
REQUESTS_CA_BUNDLE / SSL_CERT_FILE) and a host-name mapping. The mapping lives in a private mount and network
namespace (unshare) with its own /etc/hosts and loopback, where the emulator listens on the real ports: 443 for the
new SDK's default HTTPS, 80 for the old SDK's default plain HTTP. The machine's /etc/hosts is never touched.

Each case runs real_endpoints.py in its own namespace. As root, `unshare --mount --net`; otherwise with a user
namespace mapping the caller to root. Skipped, saying why, only where neither can be made."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BINARY

RUNNER = Path(__file__).resolve().parent / "real_endpoints.py"
UNSHARE = (["unshare", "--mount", "--net"] if os.geteuid() == 0
           else ["unshare", "--user", "--map-root-user", "--mount", "--net"])
JOURNEYS = [("rds", "cn-hangzhou", "rds.aliyuncs.com"), ("dds", "ap-southeast-1", "mongodb.ap-southeast-1.aliyuncs.com")]


def namespace_problem():
    """Why no namespace can be made here, or None."""
    try:
        probe = subprocess.run(UNSHARE + ["sh", "-c", "mount --bind /dev/null /dev/null"], capture_output=True,
                               text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unshare cannot run: {error}"
    if probe.returncode != 0:
        return f"{' '.join(UNSHARE)} is not permitted here: {probe.stderr.strip()}"
    return None


PROBLEM = namespace_problem()
pytestmark = pytest.mark.skipif(PROBLEM is not None, reason=f"no private mount and network namespace: {PROBLEM}")


def journey(sdk, product, region, trust="ca"):
    run = subprocess.run(UNSHARE + [sys.executable, str(RUNNER), BINARY, sdk, product, region, trust],
                         capture_output=True, text=True, timeout=300)
    lines = run.stdout.strip().splitlines()
    assert lines, f"no result (exit {run.returncode}): {run.stderr[-2000:]}"
    return json.loads(lines[-1])


def check(result, product, endpoint):
    assert "error" not in result, result["error"]
    assert result["endpoint"] == endpoint
    job = str(result["created"]["BackupJobId"])
    if product == "rds":
        [task] = result["tasks"]["Items"]["BackupJob"]
        assert (str(task["BackupJobId"]), task["BackupStatus"]) == (job, "Finished")
        backup_ids = [backup["BackupId"] for backup in result["backups"]["Items"]["Backup"]]
        assert str(task["BackupId"]) in backup_ids
    else:
        [task] = result["tasks"]["BackupJobs"]
        assert (str(task["BackupjobId"]), task["BackupSetStatus"]) == (job, "Finished")
        backup_ids = [backup["BackupId"] for backup in result["backups"]["Backups"]["Backup"]]
        assert str(result["created"]["BackupId"]) in backup_ids


@pytest.mark.parametrize("product,region,endpoint", JOURNEYS)
def test_the_new_sdk_on_its_default_https_with_the_ca_in_the_environment(product, region, endpoint):
    check(journey("new", product, region), product, endpoint)


@pytest.mark.parametrize("product,region,endpoint", JOURNEYS)
def test_the_old_sdk_on_its_default_plain_http_port_80(product, region, endpoint):
    # Plain HTTP needs no authority: the environment carries none.
    check(journey("old", product, region, trust="none"), product, endpoint)


@pytest.mark.parametrize("product,region,endpoint", JOURNEYS)
def test_without_the_ca_the_new_sdk_fails_its_tls_handshake(product, region, endpoint):
    result = journey("new", product, region, trust="none")
    assert "certificate verify failed" in result.get("error", "").lower(), result
