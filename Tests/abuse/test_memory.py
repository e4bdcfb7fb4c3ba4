"""Issue #20.3: memory that never came back. MongoDB DescribeBackups with BackupId lists of growing length took the
process from 17 to 872 MB (a prepared statement kept per distinct SQL text); the memory now stays bounded."""
import http.client

from abuse import CASE_TIME_LIMIT, MB, Watch, start_emulator  # noqa: F401 (fixtures)

pytestmark = CASE_TIME_LIMIT

LISTS = 1500  # BackupId lists of 1 to 1,500 ids: as many distinct statements as the cache could once have kept


def test_backup_id_lists_of_growing_length(start_emulator):
    server = start_emulator("--signature", "off", "--log-level", "warning")
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    with Watch(server, rss_limit=128 * MB):
        for length in range(1, LISTS + 1):
            ids = ",".join(str(56_640_000 + n) for n in range(1, length + 1))  # MongoDB BackupIds of sequences 1...
            connection.request("GET", "/?Action=DescribeBackups&Version=2015-12-01&DBInstanceId=dds-bpxxxxxxxx"
                                      f"&Format=JSON&BackupId={ids}")
            response = connection.getresponse()
            response.read()
            assert response.status in (200, 400), response.status
    connection.close()

