#!/usr/bin/env python3
"""Writes AWS Signature Version 4 reference vectors for KaizenS3's signer, signed by botocore itself.

Usage: make_sigv4_vectors.py OUT.json

Each vector holds a request's inputs (method, endpoint style, bucket, raw key and query, headers, body, credentials,
region, time) and what botocore's S3SigV4Auth (header auth) or S3SigV4QueryAuth (presigned URL) made of it: the
URL, the Authorization and X-Amz-* headers, or the presigned URL. The URL is built here the way botocore's REST
serializer builds it (key encoded with '/' and '~' kept, query items percent-encoded), so the Swift test checks its
own URL building too. The clock is botocore's own hook: `botocore.auth.get_current_datetime`, which every signer
calls for its timestamp, is patched to the vector's time while it signs.
"""

import datetime
import hashlib
import json
import sys
from unittest import mock
from urllib.parse import quote

import botocore
import botocore.auth
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials


def encode(text, safe):
    return quote(text.encode("utf-8"), safe=safe)


def build_url(style, scheme, authority, region, bucket, key, query):
    """The request URL, as KaizenS3's S3Endpoint builds it."""
    encoded_key = encode(key, "/~") if key is not None else None
    if style == "path":
        host = authority
        path = "/" + bucket + ("/" + encoded_key if encoded_key is not None else "")
    else:
        host = f"{bucket}.s3.{region}.amazonaws.com"
        path = "/" + (encoded_key or "")
    items = []
    for name, value in query:
        items.append(encode(name, "-_.~") if value is None else f"{encode(name, '-_.~')}={encode(value, '-_.~')}")
    return f"{scheme}://{host}{path}" + ("?" + "&".join(items) if items else "")


CREDENTIALS = {
    "plain": ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None),
    "session": (
        "ASIAEXAMPLESESSION",
        "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
        "IQoJb3JpZ2luX2VjEFAaCXVzLWVhc3QtMSJHMEUCIQD+token/with=padding==",
    ),
    "testing": ("testing", "testing", None),
}

KEYS = [
    "plain.txt",
    "1/0123456789abcdef0123456789abcdef/artifacts/model/MLmodel",
    "with space/and  two spaces.txt",
    "unicode/é ü ß 日本語 🚀.json",
    "symbols/a+b~c=d&e.txt",
    "percent/100%/x%2Fy.bin",
    "double//slash///key",
    "quotes/'\"<>#?;:@$,!*()[]{}|\\^`.txt",
    "tilde~/under_score-dash.dot",
]

TIMES = [
    datetime.datetime(2026, 3, 14, 15, 9, 26, tzinfo=datetime.timezone.utc),
    datetime.datetime(2024, 2, 29, 0, 0, 0, tzinfo=datetime.timezone.utc),
    datetime.datetime(1999, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc),
]

BODIES = [b"", b"hello, world\n", bytes(range(256)) * 3, "{\"é\": \"日本\"}".encode()]

ENDPOINTS = [
    ("path", "http", "127.0.0.1:5050"),
    ("path", "http", "localhost:9000"),
    ("path", "https", "S3.Example.COM:443"),
    ("virtual", "https", None),
]


def operations():
    """(name, method, key or None, query, headers, body or None, unsigned) for header-signed requests."""
    token = "1/abc=def/ghi+jkl=="
    yield "get-object", "GET", 0, [], [], b"", False
    yield "get-range", "GET", 1, [], [("Range", "bytes=0-1023")], b"", False
    yield "head", "HEAD", 2, [], [], b"", False
    yield "delete-object", "DELETE", 3, [], [], b"", False
    yield "put-small", "PUT", 4, [], [("Content-Type", "text/plain")], BODIES[1], False
    yield "put-binary", "PUT", 5, [], [("Content-Type", "application/octet-stream")], BODIES[2], False
    yield "put-unsigned", "PUT", 6, [], [("Content-Length", "768")], BODIES[2], True
    yield "put-empty", "PUT", 7, [], [], b"", False
    yield "put-meta", "PUT", 8, [], [
        ("Content-Type", "application/json; charset=utf-8"),
        ("Content-MD5", "XrY7u+Ae7tCTyyK7j1rNww=="),
        ("x-amz-meta-Note", "  two   spaces\tand a tab  "),
        ("X-Amz-Meta-Other", "x"),
    ], BODIES[3], False
    yield "list", "GET", None, [("list-type", "2"), ("prefix", "1/abc/artifacts/"), ("delimiter", "/")], [], b"", False
    yield "list-continued", "GET", None, [
        ("list-type", "2"), ("prefix", "dir with space/é/"), ("delimiter", "/"), ("continuation-token", token),
        ("max-keys", "1000"),
    ], [], b"", False
    yield "list-no-delimiter", "GET", None, [("list-type", "2"), ("prefix", "a+b=c&d")], [], b"", False
    yield "create-multipart", "POST", 0, [("uploads", None)], [("Content-Type", "application/octet-stream")], b"", False
    yield "upload-part", "PUT", 3, [("partNumber", "2"), ("uploadId", "VXBsb2FkIElE+/=")], [], BODIES[1], False
    yield "upload-part-unsigned", "PUT", 4, [("partNumber", "10"), ("uploadId", "abc")], [], BODIES[2], True
    yield "complete-multipart", "POST", 5, [("uploadId", "VXBsb2FkIElE+/=")], [("Content-Type", "application/xml")], (
        b"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"e\"</ETag></Part>"
        b"</CompleteMultipartUpload>"
    ), False
    yield "abort-multipart", "DELETE", 6, [("uploadId", "VXBsb2FkIElE+/=")], [], b"", False
    yield "delete-objects", "POST", None, [("delete", None)], [
        ("Content-Type", "application/xml"), ("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="),
    ], b"<Delete><Object><Key>a</Key></Object></Delete>", False


def presign_operations():
    yield "presign-get", "GET", 0, [], [], 3600
    yield "presign-get-unicode", "GET", 3, [], [], 900
    yield "presign-upload-part", "PUT", 1, [("partNumber", "1"), ("uploadId", "VXBsb2FkIElE+/=")], [], 3600
    yield "presign-upload-part-symbols", "PUT", 4, [("partNumber", "7"), ("uploadId", "a b&c")], [], 604800
    yield "presign-put-content-type", "PUT", 7, [], [("Content-Type", "text/plain")], 60
    yield "presign-head", "HEAD", 8, [], [], 3600


def sign_headers(vector, creds, moment):
    access, secret, token = creds
    request = AWSRequest(method=vector["method"], url=vector["url"], headers=dict(vector["headers"]),
                         data=bytes.fromhex(vector["body_hex"]))
    if vector["unsigned"]:
        request.context["client_config"] = Config(s3={"payload_signing_enabled": False})
    with mock.patch.object(botocore.auth, "get_current_datetime", lambda *args, **kwargs: moment.replace(tzinfo=None)):
        S3SigV4Auth(Credentials(access, secret, token), "s3", vector["region"]).add_auth(request)
    vector["expected_headers"] = {
        name.lower(): value for name, value in request.headers.items()
        if name.lower().startswith("x-amz-") or name.lower() == "authorization"
    }


def sign_query(vector, creds, moment):
    access, secret, token = creds
    request = AWSRequest(method=vector["method"], url=vector["url"], headers=dict(vector["headers"]))
    with mock.patch.object(botocore.auth, "get_current_datetime", lambda *args, **kwargs: moment.replace(tzinfo=None)):
        S3SigV4QueryAuth(Credentials(access, secret, token), "s3", vector["region"],
                         expires=vector["expires"]).add_auth(request)
    vector["presigned_url"] = request.url


def main():
    out = sys.argv[1]
    vectors = []
    counter = 0
    for name, method, key_index, query, headers, body, unsigned in operations():
        # Every operation on every endpoint style, rotating credentials, regions and times through them.
        for style, scheme, authority in ENDPOINTS:
            creds_name = ["plain", "session", "testing"][counter % 3]
            region = ["us-east-1", "eu-west-2"][counter % 2]
            moment = TIMES[counter % len(TIMES)]
            counter += 1
            key = None if key_index is None else KEYS[key_index]
            vector = {
                "name": f"{name}/{style}/{authority or 'aws'}/{creds_name}/{region}",
                "kind": "header", "method": method, "style": style, "scheme": scheme, "authority": authority,
                "bucket": "kaizen-bucket", "key": key, "query": [[n, v] for n, v in query],
                "headers": [[n, v] for n, v in headers], "body_hex": body.hex(),
                "payload_sha256": hashlib.sha256(body).hexdigest(), "unsigned": unsigned,
                "access_key": CREDENTIALS[creds_name][0], "secret_key": CREDENTIALS[creds_name][1],
                "session_token": CREDENTIALS[creds_name][2], "region": region,
                "time": int(moment.timestamp()),
            }
            vector["url"] = build_url(style, scheme, authority, region, vector["bucket"], key, query)
            sign_headers(vector, CREDENTIALS[creds_name], moment)
            vectors.append(vector)
    for name, method, key_index, query, headers, expires in presign_operations():
        for style, scheme, authority in ENDPOINTS:
            for creds_name in ["plain", "session"]:
                region = ["us-east-1", "eu-west-2"][counter % 2]
                moment = TIMES[counter % len(TIMES)]
                counter += 1
                key = KEYS[key_index]
                vector = {
                    "name": f"{name}/{style}/{authority or 'aws'}/{creds_name}/{region}",
                    "kind": "presign", "method": method, "style": style, "scheme": scheme, "authority": authority,
                    "bucket": "kaizen-bucket", "key": key, "query": [[n, v] for n, v in query],
                    "headers": [[n, v] for n, v in headers], "expires": expires,
                    "access_key": CREDENTIALS[creds_name][0], "secret_key": CREDENTIALS[creds_name][1],
                    "session_token": CREDENTIALS[creds_name][2], "region": region,
                    "time": int(moment.timestamp()),
                }
                vector["url"] = build_url(style, scheme, authority, region, vector["bucket"], key, query)
                sign_query(vector, CREDENTIALS[creds_name], moment)
                vectors.append(vector)
    document = {"generator": "interop/s3/make_sigv4_vectors.py", "botocore": botocore.__version__, "vectors": vectors}
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=1, ensure_ascii=False)
        handle.write("\n")
    print(f"{len(vectors)} vectors from botocore {botocore.__version__} -> {out}")


if __name__ == "__main__":
    main()
