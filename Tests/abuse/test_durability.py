"""kill -9 and SIGTERM while clients create backups as fast as they can: every backup the emulator acknowledged
(a 200 reply with its id) is found after a restart with the same state file. The sequential version of this
(a few backups, then kill -9) is in the conformance suite (test_state.py); this one kills it mid-load."""
import http.client
import json
import signal
import threading
import time

import pytest

from abuse import CASE_TIME_LIMIT, MB, Watch, start_emulator  # noqa: F401 (a fixture)

pytestmark = CASE_TIME_LIMIT

CLIENTS = 4
LOAD_SECONDS = 3.0
# RDS acknowledges a BackupJobId, MongoDB a BackupId; each is how the control API lists the backup.
TARGETS = [("2014-08-15", "rm-uf6wjk5xxxxxxx", "BackupJobId"), ("2015-12-01", "dds-bpxxxxxxxx", "BackupId")]


def load(port, target, acknowledged, stop):
    """CreateBackup over one kept-alive connection until `stop` or the server goes; records the acknowledged ids."""
    version, instance, id_field = target
    path = f"/?Action=CreateBackup&Version={version}&DBInstanceId={instance}&Format=JSON"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        while not stop.is_set():
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            if response.status == 200:
                acknowledged.append((instance, json.loads(body)[id_field]))
    except (OSError, http.client.HTTPException):
        pass  # the server was killed or stopped mid-request: that request was not acknowledged
    finally:
        connection.close()


@pytest.mark.timeout(90)
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_every_acknowledged_backup_survives_a_stop_under_load(start_emulator, tmp_path, sig):
    state = tmp_path / "state.db"
    flags = ("--state", state, "--signature", "off", "--backup-duration", "0",
             "--rds-daily-quota", "1000000", "--mongodb-daily-quota", "1000000", "--log-level", "warning")
    first = start_emulator(*flags)
    acknowledged, stop = [], threading.Event()
    clients = [threading.Thread(target=load, args=(first.port, TARGETS[n % 2], acknowledged, stop))
               for n in range(CLIENTS)]
    with Watch(first, rss_limit=256 * MB):
        for client in clients:
            client.start()
        time.sleep(LOAD_SECONDS)
    # Stopped while the clients still send: some requests are in flight.
    code = first.stop(sig)
    stop.set()
    for client in clients:
        client.join(15)
    assert code == (-signal.SIGKILL if sig == signal.SIGKILL else 0), first.stderr()[-2000:]
    assert len(acknowledged) > 100, f"only {len(acknowledged)} backups acknowledged in {LOAD_SECONDS} s"

    second = start_emulator("--state", state)
    for _, instance, id_field in TARGETS:
        listed = {backup[id_field] for backup in second.backups(instance)}
        missing = [backup_id for name, backup_id in acknowledged if name == instance and backup_id not in listed]
        assert not missing, f"{len(missing)} acknowledged {instance} backups are gone after the restart: {missing[:5]}"
