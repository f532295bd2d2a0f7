"""Small helpers shared by the interoperability tests (raw HTTP, error assertions)."""

from __future__ import annotations

import http.client
import json
import os
from dataclasses import dataclass
from urllib.parse import urlsplit

IS_MLFLOW = os.environ.get("INTEROP_TARGET", "kaizen").strip().lower() == "mlflow"

API = "/api/2.0/mlflow"
ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts"
JSON_HEADERS = {"Content-Type": "application/json"}

# Declared to the client's `log_model` so that it does not load each model in a subprocess to infer them (3 to 5 s a
# model here, all on the client's side): the server never reads them. `test_log_model_and_load_pyfunc` keeps the
# client's default.
ONNX_REQUIREMENTS = ["onnx", "onnxruntime"]
SKLEARN_REQUIREMENTS = ["scikit-learn", "skops"]


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body)

    def __repr__(self) -> str:  # readable assertion messages
        snippet = self.text[:400]
        return f"<RawResponse {self.status} {self.headers.get('content-type')!r} {snippet!r}>"


def raw_request(
    base_url: str,
    method: str,
    target: str,
    body: bytes | str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 60,
) -> RawResponse:
    """Send one HTTP request with the request-target exactly as given.

    `requests`/urllib3 normalise paths (they collapse `..` segments), which would
    hide exactly the inputs the traversal tests need to deliver, so this goes
    through http.client and writes the target byte for byte.
    """
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        hdrs = dict(headers or {})
        conn.putrequest(method, target, skip_host="Host" in hdrs, skip_accept_encoding=True)
        if isinstance(body, str):
            body = body.encode("utf-8")
        if body is not None:
            hdrs.setdefault("Content-Length", str(len(body)))
        elif method in ("POST", "PUT", "PATCH"):
            hdrs.setdefault("Content-Length", "0")
        for key, value in hdrs.items():
            conn.putheader(key, value)
        conn.endheaders()
        if body:
            conn.send(body)
        resp = conn.getresponse()
        data = resp.read()
        return RawResponse(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
    finally:
        conn.close()


def error_body(resp) -> dict:
    """The JSON error object of a `requests` or raw response (asserts it is one)."""
    raw = resp.body if isinstance(resp, RawResponse) else resp.content
    try:
        payload = json.loads(raw)
    except ValueError as exc:
        raise AssertionError(f"error body is not JSON: {resp!r}") from exc
    assert isinstance(payload, dict), f"error body is not a JSON object: {payload!r}"
    assert isinstance(payload.get("error_code"), str), f"error body lacks error_code: {payload!r}"
    assert isinstance(payload.get("message", ""), str), f"message is not a string: {payload!r}"
    return payload


def status_of(resp) -> int:
    return resp.status if isinstance(resp, RawResponse) else resp.status_code


def assert_error(resp, status: int | tuple[int, ...], error_code: str | tuple[str, ...] | None = None,
                 message_contains: str | None = None) -> dict:
    """Assert an MLflow-style JSON error: HTTP status, error_code and (optionally) a message fragment."""
    statuses = (status,) if isinstance(status, int) else tuple(status)
    assert status_of(resp) in statuses, f"expected HTTP {statuses}, got {resp!r}"
    payload = error_body(resp)
    if error_code is not None:
        codes = (error_code,) if isinstance(error_code, str) else tuple(error_code)
        assert payload["error_code"] in codes, f"expected error_code {codes}, got {payload!r}"
    if message_contains is not None:
        assert message_contains in payload.get("message", ""), f"message lacks {message_contains!r}: {payload!r}"
    return payload
