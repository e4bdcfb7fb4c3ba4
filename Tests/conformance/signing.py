"""Request signing written from Alibaba's documentation, independently of the emulator's Swift code
and of the SDKs: the "hand-written client" of the authentication tests, and how raw-HTTP tests sign.

V1: HMAC-SHA1 over METHOD&%2F&<encoded sorted query> (alibaba-api.md §4.1).
V3: ACS3-HMAC-SHA256 over the canonical request (alibaba-api.md §4.2).
"""
import base64
import datetime
import hashlib
import hmac
import urllib.parse
import uuid

KEY_ID, SECRET = "testid", "testsecret"


def encode(text):
    """RFC 3986: only A-Z a-z 0-9 - _ . ~ stay as they are."""
    return urllib.parse.quote(text, safe="~")


def canonical_query(pairs):
    return "&".join(f"{name}={value}" for name, value in sorted((encode(n), encode(v)) for n, v in pairs))


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def v1_string_to_sign(method, pairs):
    return f"{method}&%2F&{encode(canonical_query([(n, v) for n, v in pairs if n != 'Signature']))}"


def v1_signature(string_to_sign, secret):
    digest = hmac.new((secret + "&").encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def v1_common(key_id=KEY_ID, timestamp=None, nonce=None):
    return [("AccessKeyId", key_id), ("SignatureMethod", "HMAC-SHA1"), ("SignatureVersion", "1.0"),
            ("SignatureNonce", nonce or uuid.uuid4().hex), ("Timestamp", timestamp or now_iso())]


def sign_v1(method, query_pairs, body_pairs=(), key_id=KEY_ID, secret=SECRET, timestamp=None, nonce=None):
    """Adds the common parameters and the signature to the query; returns the new query pairs."""
    names = {name for name, _ in list(query_pairs) + list(body_pairs)}
    added = [(n, v) for n, v in v1_common(key_id, timestamp, nonce) if n not in names]
    query = list(query_pairs) + added
    signature = v1_signature(v1_string_to_sign(method, query + list(body_pairs)), secret)
    return query + [("Signature", signature)]


def sign_v3(method, host, query_pairs, headers, body=b"", key_id=KEY_ID, secret=SECRET, date=None, nonce=None):
    """Returns the headers to send: the given ones, the x-acs-* ones V3 needs, and Authorization."""
    headers = {name.lower(): value for name, value in headers.items()}
    headers.setdefault("x-acs-date", date or now_iso())
    headers.setdefault("x-acs-signature-nonce", nonce or uuid.uuid4().hex)
    headers["x-acs-content-sha256"] = hashlib.sha256(body).hexdigest()
    headers["host"] = host
    signed = sorted(name for name in headers if name.startswith("x-acs-") or name in ("host", "content-type"))
    canonical_headers = "".join(f"{name}:{headers[name].strip()}\n" for name in signed)
    canonical = "\n".join([method, "/", canonical_query(query_pairs), canonical_headers,
                           ";".join(signed), headers["x-acs-content-sha256"]])
    string_to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    signature = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = f"ACS3-HMAC-SHA256 Credential={key_id},SignedHeaders={';'.join(signed)},Signature={signature}"
    del headers["host"]  # urllib sends Host itself, with the same value
    return headers
