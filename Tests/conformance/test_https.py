"""The HTTPS port (--https-port): TLS 1.2 and 1.3 with a certificate from the emulator's own authority, the same
API as the plain port, the certificate really checked, and plain HTTP on it refused cleanly."""
import os
import shutil
import socket
import ssl
import subprocess
import sys
import warnings

import pytest

from alibabacloud_rds20140815 import models as rds_models
from alibabacloud_rds20140815.client import Client as NewRdsClient
from alibabacloud_tea_openapi import models as open_api_models

from conftest import BINARY, ROOT
from clients import ACCESS_KEY_ID, ACCESS_KEY_SECRET


@pytest.fixture
def https(start_emulator, tmp_path):
    emulator = start_emulator("--https-port", "0", "--tls-dir", tmp_path / "tls")
    config = emulator._ok("GET", "/_emulator/config")
    emulator.https_port = config["httpsPort"]
    emulator.ca = str(tmp_path / "tls" / "ca.pem")
    assert config["tlsCA"] == emulator.ca
    return emulator


def read_reply(connection, head_only=False):
    """One HTTP reply from the connection (it may come in several TLS records): head and body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        assert chunk, f"the connection ended inside a reply: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0 if head_only else int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                                          if line.lower().startswith(b"content-length:")))
    while len(body) < length:
        chunk = connection.recv(65536)
        assert chunk, "the connection ended inside a body"
        body += chunk
    return head, body


def request_over_tls(port, context, server_name="rds.aliyuncs.com", request=None):
    """One request over a TLS connection; (the protocol version, the raw reply)."""
    request = request or b"GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=server_name) as tls:
            version = tls.version()
            tls.sendall(request)
            reply = b""
            while chunk := tls.recv(65536):
                reply += chunk
            return version, reply


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
@pytest.mark.parametrize("server_name", ["rds.aliyuncs.com", "mongodb.cn-shanghai.aliyuncs.com", "localhost"])
def test_the_handshake_completes_with_tls_1_2_and_1_3_for_a_client_trusting_the_authority(https, version, server_name):
    context = ssl.create_default_context(cafile=https.ca)
    context.minimum_version = context.maximum_version = version
    negotiated, reply = request_over_tls(https.https_port, context, server_name)
    assert negotiated == {ssl.TLSVersion.TLSv1_2: "TLSv1.2", ssl.TLSVersion.TLSv1_3: "TLSv1.3"}[version]
    assert reply.startswith(b"HTTP/1.1 200 OK\r\n")
    assert reply.endswith(b'\r\n\r\n{"status":"ok"}')


def test_tls_1_1_is_refused(https):
    context = ssl.create_default_context(cafile=https.ca)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        context.maximum_version = ssl.TLSVersion.TLSv1_1
    try:
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    except ssl.SSLError:
        pass
    with pytest.raises(ssl.SSLError):
        request_over_tls(https.https_port, context)


def test_a_client_without_the_authority_fails_verification(https):
    context = ssl.create_default_context()  # the system's authorities only
    with pytest.raises(ssl.SSLCertVerificationError):
        request_over_tls(https.https_port, context)


def test_a_name_outside_the_certificate_fails_verification(https):
    context = ssl.create_default_context(cafile=https.ca)
    with pytest.raises(ssl.SSLCertVerificationError, match="match"):
        request_over_tls(https.https_port, context, server_name="example.com")


def test_the_new_sdk_creates_a_backup_over_https_with_its_default_protocol(https, monkeypatch):
    # The SDK builds its TLS context with ssl.create_default_context(), which reads SSL_CERT_FILE.
    monkeypatch.setenv("SSL_CERT_FILE", https.ca)
    config = open_api_models.Config(access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET,
                                    endpoint=f"127.0.0.1:{https.https_port}", region_id="cn-hangzhou")
    assert config.protocol in (None, "https", "HTTPS")  # nothing set: the SDK's default, HTTPS
    client = NewRdsClient(config)
    response = client.create_backup(rds_models.CreateBackupRequest(dbinstance_id="rm-uf6wjk5xxxxxxx",
                                                                   backup_method="Physical"))
    assert response.status_code == 200
    assert response.body.backup_job_id
    # The same state as the plain port's: the request is in the journal, as a signed, accepted CreateBackup.
    [entry] = https._ok("GET", "/_emulator/requests")["requests"]
    assert (entry["action"], entry["signatureVersion"], entry["status"]) == ("CreateBackup", "V3", 200)
    assert entry["instance"] == "rm-uf6wjk5xxxxxxx"


def test_the_sdk_without_the_authority_fails_its_handshake(https, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    config = open_api_models.Config(access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET,
                                    endpoint=f"127.0.0.1:{https.https_port}", region_id="cn-hangzhou")
    with pytest.raises(Exception, match="(?i)certificate verify failed"):
        NewRdsClient(config).create_backup(rds_models.CreateBackupRequest(dbinstance_id="rm-uf6wjk5xxxxxxx"))
    assert https._ok("GET", "/_emulator/requests")["total"] == 0


def test_plain_http_to_the_tls_port_is_refused_and_the_server_keeps_serving(https):
    with socket.create_connection(("127.0.0.1", https.https_port), timeout=10) as raw:
        raw.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        reply = b""
        try:
            while chunk := raw.recv(65536):
                reply += chunk
        except ConnectionResetError:
            pass
    # No HTTP in clear: at most a TLS alert record (content type 21), then the connection ends.
    assert not reply.startswith(b"HTTP/")
    assert reply == b"" or reply[0] == 21
    context = ssl.create_default_context(cafile=https.ca)
    assert request_over_tls(https.https_port, context)[1].startswith(b"HTTP/1.1 200 OK")
    assert https.health()


def test_keep_alive_serves_several_requests_on_one_tls_connection(https):
    context = ssl.create_default_context(cafile=https.ca)
    with socket.create_connection(("127.0.0.1", https.https_port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            for _ in range(3):
                tls.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
                head, body = read_reply(tls)
                assert head.startswith(b"HTTP/1.1 200 OK\r\n") and body == b'{"status":"ok"}'
            tls.sendall(b"HEAD /_emulator/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            head, _ = read_reply(tls, head_only=True)
            assert head.startswith(b"HTTP/1.1 200 OK\r\n") and b"Content-Length: 15" in head
            assert tls.recv(65536) == b""  # nothing after the head, then the end


def test_the_ca_subcommand_prints_the_authority_the_server_uses(https, tmp_path):
    printed = subprocess.run([BINARY, "ca", "--tls-dir", tmp_path / "tls"], capture_output=True, text=True, timeout=30)
    assert printed.returncode == 0, printed.stderr
    with open(https.ca) as kept:
        assert printed.stdout == kept.read()
    assert printed.stdout.startswith("-----BEGIN CERTIFICATE-----\n")


@pytest.mark.parametrize("flags,message", [
    (["--tls-cert", "/nonexistent/cert.pem", "--tls-key", "/nonexistent/key.pem"], "/nonexistent/cert.pem: no such file"),
    (["--tls-cert", "{tmp}/notpem.txt", "--tls-key", "{tmp}/notpem.txt"], "not a PEM certificate"),
    (["--tls-cert", "{tls}/server.pem", "--tls-key", "{tls}/ca-key.pem"], "is not the key of the certificate"),
    (["--tls-cert", "{tls}/server.pem"], "needs --tls-key"),
])
def test_bad_certificate_files_stop_start_up_with_a_clear_message(https, tmp_path, flags, message):
    (tmp_path / "notpem.txt").write_text("hello\n")
    flags = [flag.replace("{tmp}", str(tmp_path)).replace("{tls}", str(tmp_path / "tls")) for flag in flags]
    run = subprocess.run([BINARY, "--port", "0", "--https-port", "0", *flags], capture_output=True, text=True,
                         timeout=30, stdin=subprocess.DEVNULL)
    assert run.returncode != 0
    assert run.stdout == ""
    assert message in run.stderr
    assert run.stderr.startswith("aliyun-db-emulator: ") and run.stderr.count("\n") == 1


def test_the_users_own_certificate_is_served(https, start_emulator, tmp_path):
    tls = tmp_path / "tls"
    own = start_emulator("--https-port", "0", "--tls-cert", tls / "server.pem", "--tls-key", tls / "server-key.pem")
    config = own._ok("GET", "/_emulator/config")
    assert config["tlsCert"] == str(tls / "server.pem") and "tlsDir" not in config
    context = ssl.create_default_context(cafile=https.ca)
    assert request_over_tls(config["httpsPort"], context)[1].startswith(b"HTTP/1.1 200 OK")


def test_a_restart_reuses_the_authority_and_the_server_certificate(start_emulator, tmp_path):
    tls = tmp_path / "tls"
    first = start_emulator("--https-port", "0", "--tls-dir", tls)
    kept = {name: (tls / name).read_bytes() for name in ("ca.pem", "ca-key.pem", "server.pem", "server-key.pem")}
    first.stop()
    again = start_emulator("--https-port", "0", "--tls-dir", tls)
    assert {name: (tls / name).read_bytes() for name in kept} == kept
    port = again._ok("GET", "/_emulator/config")["httpsPort"]
    context = ssl.create_default_context(cafile=str(tls / "ca.pem"))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="rds.cn-hangzhou.aliyuncs.com") as connection:
            served = ssl.DER_cert_to_PEM_cert(connection.getpeercert(binary_form=True))
    assert served.strip() == kept["server.pem"].decode().split("-----END CERTIFICATE-----")[0].strip() + \
        "\n-----END CERTIFICATE-----"


def test_the_ca_subcommand_keeps_the_authority_beside_a_state_file(tmp_path):
    state = tmp_path / "state.db"
    printed = subprocess.run([BINARY, "ca", "--state", state], capture_output=True, text=True, timeout=30)
    assert printed.returncode == 0, printed.stderr
    folder = tmp_path / "aliyun-db-emulator-tls"
    assert printed.stdout == (folder / "ca.pem").read_text()
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert oct((folder / "ca-key.pem").stat().st_mode & 0o777) == "0o600"
    assert not state.exists()  # printing the authority opens no state
    again = subprocess.run([BINARY, "ca"], capture_output=True, text=True, timeout=30,
                           env={**os.environ, "ALIYUN_EMULATOR_STATE": str(state)})
    assert again.stdout == printed.stdout


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_node_trusts_the_authority_through_node_extra_ca_certs(https):
    script = ("require('https').get({host: '127.0.0.1', port: %d, path: '/_emulator/health', "
              "servername: 'rds.cn-hangzhou.aliyuncs.com'}, reply => { let body = ''; "
              "reply.on('data', data => body += data); reply.on('end', () => console.log(reply.statusCode, body)) })"
              ".on('error', error => { console.log(error.message); process.exit(1) })") % https.https_port
    trusted = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=60,
                             env={**os.environ, "NODE_EXTRA_CA_CERTS": https.ca})
    assert (trusted.returncode, trusted.stdout) == (0, '200 {"status":"ok"}\n'), trusted.stderr
    untrusted = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=60,
                               env={name: value for name, value in os.environ.items() if name != "NODE_EXTRA_CA_CERTS"})
    assert untrusted.returncode == 1 and "certificate" in untrusted.stdout, untrusted.stdout


JAVA_CHECK = """
import java.net.URI;
import java.net.http.*;
public class Check {
    public static void main(String[] arguments) throws Exception {
        var reply = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(arguments[0])).build(),
                                                    HttpResponse.BodyHandlers.ofString());
        System.out.println(reply.statusCode() + " " + reply.body());
    }
}
"""


@pytest.mark.skipif(shutil.which("java") is None or shutil.which("keytool") is None, reason="no Java")
def test_java_trusts_the_authority_through_a_trust_store_made_with_keytool(https, tmp_path):
    (tmp_path / "Check.java").write_text(JAVA_CHECK)
    store = tmp_path / "emulator.jks"
    subprocess.run(["keytool", "-importcert", "-noprompt", "-alias", "aliyun-db-emulator", "-file", https.ca,
                    "-keystore", store, "-storepass", "changeit"], check=True, capture_output=True, timeout=60)
    url = f"https://localhost:{https.https_port}/_emulator/health"
    trusted = subprocess.run(["java", f"-Djavax.net.ssl.trustStore={store}", "-Djavax.net.ssl.trustStorePassword=changeit",
                              tmp_path / "Check.java", url], capture_output=True, text=True, timeout=120)
    assert (trusted.returncode, trusted.stdout) == (0, '200 {"status":"ok"}\n'), trusted.stderr
    untrusted = subprocess.run(["java", tmp_path / "Check.java", url], capture_output=True, text=True, timeout=120)
    assert untrusted.returncode != 0 and "PKIX path building failed" in untrusted.stderr


def test_the_certificates_endpoint_names_match_the_installed_sdks():
    """scripts/update-endpoints.py --check: the names the generated certificate covers are the SDKs' tables'."""
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "update-endpoints.py"), "--check"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr + " (run scripts/update-endpoints.py with this Python)"
