"""Hostile and malformed HTTP input against the Kaizen tracking server.

Raw HTTP only (``requests`` and, where a request-target must reach the server
byte for byte, ``http.client``). Every test checks the status code and the JSON
error body, and that the server still answers ``/health`` afterwards. The
artifact traversal probes additionally check that a canary file placed *outside*
the artifact root is never read, overwritten or deleted.

A handful of inputs make the reference MLflow server answer 500 (or follow a
symlink on DELETE); Kaizen must answer those with a 4xx. Those assertions are
marked Kaizen-only and skipped when INTEROP_TARGET=mlflow.
"""

from __future__ import annotations

import json
import math
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from interop_helpers import API, ARTIFACTS, IS_MLFLOW, JSON_HEADERS, assert_error, error_body, raw_request

kaizen_only = pytest.mark.kaizen_only

CANARY_TEXT = "kaizen-canary-" + uuid.uuid4().hex
OTHER_TEXT = "kaizen-outside-" + uuid.uuid4().hex


# --------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------


class Api:
    """Thin JSON client over `requests` for one server."""

    def __init__(self, base_url: str):
        self.base = base_url
        self.session = requests.Session()

    def post(self, endpoint: str, payload=None, *, data=None, headers=None, timeout=60):
        if data is None:
            data = json.dumps(payload)
        hdrs = dict(JSON_HEADERS) if headers is None else headers
        return self.session.post(f"{self.base}{API}/{endpoint}", data=data, headers=hdrs, timeout=timeout)

    def get(self, endpoint: str, params=None, timeout=60):
        return self.session.get(f"{self.base}{API}/{endpoint}", params=params, timeout=timeout)

    def raw(self, method: str, target: str, body=None, headers=None, timeout=60):
        return raw_request(self.base, method, target, body=body, headers=headers, timeout=timeout)


@pytest.fixture(scope="module")
def api(server) -> Api:
    return Api(server.url)


@pytest.fixture(scope="module")
def run_id(api) -> str:
    exp = api.post("experiments/create", {"name": f"bad-input-{uuid.uuid4().hex[:12]}"})
    assert exp.status_code == 200, exp.text
    run = api.post("runs/create", {"experiment_id": exp.json()["experiment_id"], "start_time": int(time.time() * 1000)})
    assert run.status_code == 200, run.text
    return run.json()["run"]["info"]["run_id"]


class Canary:
    """Files outside the artifact root that hostile requests try to reach."""

    def __init__(self, server):
        self.artifact_root: Path = server.artifact_root
        self.outside: Path = server.root / "outside"  # sibling of the artifact root
        self.file: Path = self.outside / "canary.txt"
        self.victim_dir: Path = self.outside / "victim"
        self.victim_file: Path = self.victim_dir / "keep.txt"
        self.reset()

    def reset(self) -> None:
        self.victim_dir.mkdir(parents=True, exist_ok=True)
        self.file.write_text(CANARY_TEXT)
        self.victim_file.write_text(OTHER_TEXT)

    def snapshot(self) -> set[str]:
        return {str(p.relative_to(self.outside)) for p in self.outside.rglob("*")}

    def assert_intact(self, baseline: set[str] | None = None) -> None:
        assert self.file.is_file(), "canary outside the artifact root was deleted"
        assert self.file.read_text() == CANARY_TEXT, "canary outside the artifact root was overwritten"
        assert self.victim_file.is_file() and self.victim_file.read_text() == OTHER_TEXT, "victim dir was touched"
        if baseline is not None:
            assert self.snapshot() == baseline, "files appeared next to the canary (write escaped the root)"


@pytest.fixture(scope="module")
def canary(server) -> Canary:
    return Canary(server)


@pytest.fixture(autouse=True)
def _server_survives(server):
    """Every test in this module must leave the server answering /health."""
    yield
    server.assert_alive()


def assert_no_leak(resp, *secrets: str) -> None:
    body = resp.text if hasattr(resp, "text") else str(resp)
    for secret in secrets or (CANARY_TEXT, OTHER_TEXT):
        assert secret not in body, f"response leaked a file outside the artifact root: {resp!r}"


# ======================================================================================
# Malformed bodies, wrong types, missing fields
# ======================================================================================


def test_malformed_json(api):
    resp = api.post("experiments/create", data='{"name": "unterminated')
    # The reference server answers 400 INVALID_PARAMETER_VALUE (it treats an unparsable body as empty).
    assert_error(resp, 400, ("INVALID_PARAMETER_VALUE", "BAD_REQUEST", "MALFORMED_REQUEST"))


def test_body_without_required_field(api):
    resp = api.post("experiments/create", data="{}")
    assert_error(resp, 400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter 'name'")


@pytest.mark.parametrize("body", ["", "null"], ids=["empty", "null"])
def test_empty_or_null_body(api, body):
    # The reference server reads both as {} and reports the missing 'name'.
    resp = api.post("experiments/create", data=body)
    assert_error(resp, 400, ("INVALID_PARAMETER_VALUE", "BAD_REQUEST", "MALFORMED_REQUEST"))


@kaizen_only  # the reference server answers these with an HTML 500
@pytest.mark.parametrize("body", ["[1, 2]", '"just a string"', "42", "true"], ids=["array", "string", "number", "bool"])
def test_non_object_json_body(api, body):
    resp = api.post("experiments/create", data=body)
    assert_error(resp, 400, ("INVALID_PARAMETER_VALUE", "BAD_REQUEST", "MALFORMED_REQUEST"))


def test_deeply_nested_json_does_not_crash(api, run_id):
    depth = 200_000
    body = '{"run_id": "%s", "metrics": %s%s}' % (run_id, "[" * depth, "]" * depth)
    resp = api.post("runs/log-batch", data=body)
    if IS_MLFLOW:
        assert resp.status_code in (400, 500)  # the reference server answers an HTML 500 here
    else:
        assert_error(resp, 400)


def test_invalid_utf8_body(api):
    resp = api.post("experiments/create", data=b'{"name": "\xff\xfe\xfd"}')
    assert_error(resp, 400, ("INVALID_PARAMETER_VALUE", "BAD_REQUEST", "MALFORMED_REQUEST"))


@pytest.mark.parametrize(
    ("endpoint", "payload", "fragment"),
    [
        ("experiments/create", {"name": 123}, "Invalid value 123 for parameter 'name' supplied"),
        ("experiments/create", {"name": ["a"]}, "for parameter 'name' supplied"),
        ("runs/create", {"experiment_id": "0", "start_time": "abc"}, "for parameter 'start_time' supplied"),
        ("runs/log-metric", {"run_id": 31, "key": "m", "value": 1.0, "timestamp": 1},
         "Invalid value 31 for parameter 'run_id' supplied"),
        ("runs/log-metric", {"run_id": "RUN", "key": "m", "value": "abc", "timestamp": 1},
         "for parameter 'value' supplied"),
        ("runs/log-metric", {"run_id": "RUN", "key": "m", "value": 1.0, "timestamp": 1, "step": "foo"},
         "for parameter 'step' supplied"),
        ("runs/log-parameter", {"run_id": "RUN", "key": "p", "value": 5}, "for parameter 'value' supplied"),
        ("runs/log-batch", {"run_id": "RUN", "metrics": "x"}, "for parameter 'metrics' supplied"),
        ("runs/search", {"experiment_ids": "0"}, "for parameter 'experiment_ids' supplied"),
        ("runs/search", {"experiment_ids": ["0"], "max_results": "abc"}, "for parameter 'max_results' supplied"),
        ("runs/search", {"experiment_ids": ["0"], "max_results": 50001},
         "Invalid value 50001 for parameter 'max_results'"),
        ("runs/search", {"experiment_ids": ["0"], "max_results": -1}, "max_results"),
    ],
    ids=["name-int", "name-list", "start_time-str", "run_id-int", "value-str", "step-str", "param-value-int",
         "metrics-str", "experiment_ids-str", "max_results-str", "max_results-too-big", "max_results-negative"],
)
def test_wrong_types(api, run_id, endpoint, payload, fragment):
    payload = {k: (run_id if v == "RUN" else v) for k, v in payload.items()}
    resp = api.post(endpoint, payload)
    assert_error(resp, 400, "INVALID_PARAMETER_VALUE", fragment)


@pytest.mark.parametrize(
    ("method", "endpoint", "payload", "fragment"),
    [
        ("POST", "experiments/create", {"artifact_location": "x"}, "Missing value for required parameter 'name'"),
        ("GET", "experiments/get", {}, "Missing value for required parameter 'experiment_id'"),
        ("GET", "experiments/get-by-name", {}, "Missing value for required parameter 'experiment_name'"),
        ("GET", "runs/get", {}, "Missing value for required parameter 'run_id'"),
        ("POST", "runs/log-metric", {"run_id": "RUN", "key": "m", "value": 1.0},
         "Missing value for required parameter 'timestamp'"),
        ("POST", "runs/log-metric", {"run_id": "RUN", "value": 1.0, "timestamp": 1},
         "Missing value for required parameter 'key'"),
        ("POST", "runs/log-batch", {"run_id": "RUN", "metrics": [{"key": "a", "timestamp": 1}]},
         "Missing value for required parameter 'metrics[0].value'"),
        ("GET", "metrics/get-history", {"run_id": "RUN"}, "Missing value for required parameter 'metric_key'"),
    ],
    ids=["create-experiment-name", "get-experiment-id", "get-by-name-name", "get-run-id", "log-metric-timestamp",
         "log-metric-key", "log-batch-metric-value", "get-history-metric_key"],
)
def test_missing_fields(api, run_id, method, endpoint, payload, fragment):
    payload = {k: (run_id if v == "RUN" else v) for k, v in payload.items()}
    resp = api.get(endpoint, payload) if method == "GET" else api.post(endpoint, payload)
    assert_error(resp, 400, "INVALID_PARAMETER_VALUE", fragment)


def test_conflicting_field_aliases(api, run_id):
    resp = api.post("runs/log-parameter", {"run_id": run_id, "runId": run_id, "key": "alias", "value": "1"})
    assert_error(resp, 400, "INVALID_PARAMETER_VALUE")


def test_invalid_metric_name(api, run_id):
    resp = api.post("runs/log-metric", {"run_id": run_id, "key": "../x", "value": 1.0, "timestamp": 1})
    assert_error(resp, 400, "INVALID_PARAMETER_VALUE", "../x")


def test_value_length_limits(api, run_id):
    resp = api.post("experiments/create", {"name": "x" * 501})
    assert_error(resp, 400, "INVALID_PARAMETER_VALUE", "name")
    resp = api.post("experiments/set-experiment-tag", {"experiment_id": "0", "key": "k", "value": "x" * 20001})
    assert_error(resp, 400, "INVALID_PARAMETER_VALUE", "value")
    # Over-long param values are truncated silently (6000 characters), not rejected.
    resp = api.post("runs/log-parameter", {"run_id": run_id, "key": "long", "value": "y" * 6001})
    assert resp.status_code == 200, resp.text
    run = api.get("runs/get", {"run_id": run_id}).json()["run"]
    params = {p["key"]: p["value"] for p in run["data"]["params"]}
    assert params["long"] == "y" * 6000


def test_nan_metric_as_string(api, run_id):
    resp = api.post("runs/log-metric", {"run_id": run_id, "key": "nan_raw", "value": "NaN", "timestamp": 1, "step": 0})
    assert resp.status_code == 200, resp.text
    metrics = {m["key"]: m["value"] for m in api.get("runs/get", {"run_id": run_id}).json()["run"]["data"]["metrics"]}
    assert metrics["nan_raw"] == "NaN" or (isinstance(metrics["nan_raw"], float) and math.isnan(metrics["nan_raw"]))


# ======================================================================================
# Unknown ids, routes, methods
# ======================================================================================

UNKNOWN_RUN = "0123456789abcdef0123456789abcdef"


UNKNOWN_ID_CASES = [
    ("GET", "runs/get", {"run_id": UNKNOWN_RUN}, UNKNOWN_RUN),
    ("GET", "experiments/get", {"experiment_id": "99999"}, "99999"),
    ("GET", "experiments/get-by-name", {"experiment_name": "no-such-experiment-" + uuid.uuid4().hex}, None),
    ("POST", "runs/log-parameter", {"run_id": UNKNOWN_RUN, "key": "a", "value": "b"}, UNKNOWN_RUN),
    ("POST", "runs/log-metric", {"run_id": UNKNOWN_RUN, "key": "a", "value": 1, "timestamp": 1, "step": 0},
     UNKNOWN_RUN),
    ("POST", "runs/log-batch", {"run_id": UNKNOWN_RUN, "params": [{"key": "a", "value": "b"}]}, UNKNOWN_RUN),
    ("POST", "runs/set-tag", {"run_id": UNKNOWN_RUN, "key": "a", "value": "b"}, UNKNOWN_RUN),
    ("POST", "runs/update", {"run_id": UNKNOWN_RUN, "status": "FINISHED"}, UNKNOWN_RUN),
    ("POST", "runs/delete", {"run_id": UNKNOWN_RUN}, UNKNOWN_RUN),
    ("POST", "runs/restore", {"run_id": UNKNOWN_RUN}, UNKNOWN_RUN),
    ("POST", "runs/create", {"experiment_id": "99999"}, "99999"),
    ("POST", "experiments/delete", {"experiment_id": "99999"}, "99999"),
    ("POST", "experiments/restore", {"experiment_id": "99999"}, "99999"),
    ("POST", "experiments/update", {"experiment_id": "99999", "new_name": "x"}, "99999"),
    ("POST", "experiments/set-experiment-tag", {"experiment_id": "99999", "key": "k", "value": "v"}, "99999"),
]


@pytest.mark.parametrize(
    ("method", "endpoint", "payload", "fragment"),
    UNKNOWN_ID_CASES,
    ids=[f"{case[0]}-{case[1]}" for case in UNKNOWN_ID_CASES],
)
def test_unknown_ids(api, method, endpoint, payload, fragment):
    resp = api.get(endpoint, payload) if method == "GET" else api.post(endpoint, payload)
    assert_error(resp, 404, "RESOURCE_DOES_NOT_EXIST", fragment)


def test_non_integer_experiment_id(api):
    resp = api.get("experiments/get", {"experiment_id": "abc"})
    assert_error(resp, 400, "INVALID_PARAMETER_VALUE", "abc")


def test_duplicate_experiment_name(api):
    name = f"dup-{uuid.uuid4().hex[:12]}"
    assert api.post("experiments/create", {"name": name}).status_code == 200
    resp = api.post("experiments/create", {"name": name})
    assert_error(resp, 400, "RESOURCE_ALREADY_EXISTS", name)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"{API}/does-not-exist"),
        ("POST", f"{API}/runs/does-not-exist"),
        ("GET", "/api/2.0/mlflow"),
        ("GET", "/api/9.9/mlflow/runs/get?run_id=x"),
        ("GET", "/no/such/route"),
    ],
)
def test_unknown_route(api, method, path):
    resp = api.raw(method, path, body=b"{}" if method == "POST" else None,
                   headers=JSON_HEADERS if method == "POST" else None)
    assert resp.status == 404, resp
    if "json" in resp.headers.get("content-type", ""):
        payload = error_body(resp)
        assert payload["error_code"] == "ENDPOINT_NOT_FOUND", payload


def test_wrong_method_on_known_route(api):
    resp = api.raw("GET", f"{API}/runs/create")
    assert resp.status in (404, 405), resp
    resp = api.raw("DELETE", f"{API}/runs/get?run_id={UNKNOWN_RUN}")
    assert resp.status in (404, 405), resp


def test_foreign_host_header_rejected(api):
    resp = api.raw("GET", f"{API}/experiments/get?experiment_id=0", headers={"Host": "evil.com"})
    assert resp.status == 403, resp
    assert api.raw("GET", f"{API}/experiments/get?experiment_id=0", headers={"Host": "localhost"}).status == 200


# ======================================================================================
# Content-Type
# ======================================================================================


def test_post_without_content_type(api):
    resp = api.raw("POST", f"{API}/experiments/create", body=json.dumps({"name": f"noct-{uuid.uuid4().hex}"}))
    assert_error(resp, 400, "INVALID_PARAMETER_VALUE", "Content-Type")


def test_post_with_wrong_content_type(api):
    resp = api.post("experiments/create", {"name": f"ct-{uuid.uuid4().hex}"}, headers={"Content-Type": "text/plain"})
    assert_error(resp, 400, "INVALID_PARAMETER_VALUE", "Content-Type")


def test_post_with_json_charset_is_accepted(api):
    name = f"charset-{uuid.uuid4().hex[:12]}"
    resp = api.post("experiments/create", {"name": name},
                    headers={"Content-Type": "application/json; charset=utf-8"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["experiment_id"]


# ======================================================================================
# Limits
# ======================================================================================


def _metrics(n, prefix="m"):
    return [{"key": f"{prefix}{i}", "value": float(i), "timestamp": 1, "step": 0} for i in range(n)]


def _params(n, prefix="p"):
    return [{"key": f"{prefix}{i}", "value": str(i)} for i in range(n)]


def test_batch_with_1001_metrics_rejected(api, run_id):
    resp = api.post("runs/log-batch", {"run_id": run_id, "metrics": _metrics(1001, "over")})
    assert_error(resp, 400, "INVALID_PARAMETER_VALUE", "at most 1000 metrics")
    run = api.get("runs/get", {"run_id": run_id}).json()["run"]
    stored = [m["key"] for m in run["data"].get("metrics", [])]
    assert not any(key.startswith("over") for key in stored), "a rejected batch was partly stored"


def test_batch_limits(api, run_id):
    assert api.post("runs/log-batch", {"run_id": run_id, "metrics": _metrics(1000, "ok")}).status_code == 200
    assert_error(api.post("runs/log-batch", {"run_id": run_id, "params": _params(101, "toomany")}),
                 400, "INVALID_PARAMETER_VALUE", "at most 100 params")
    tags = [{"key": f"t{i}", "value": "v"} for i in range(101)]
    assert_error(api.post("runs/log-batch", {"run_id": run_id, "tags": tags}), 400, "INVALID_PARAMETER_VALUE", "tags")
    mixed = {"run_id": run_id, "metrics": _metrics(950, "mix"), "params": _params(51, "mix")}
    assert_error(api.post("runs/log-batch", mixed), 400, "INVALID_PARAMETER_VALUE")
    dup = {"run_id": run_id, "params": [{"key": "d", "value": "1"}, {"key": "d", "value": "2"}]}
    assert_error(api.post("runs/log-batch", dup), 400, "INVALID_PARAMETER_VALUE", "Duplicate parameter keys")


def test_search_filter_errors(api):
    resp = api.post("runs/search", {"experiment_ids": ["0"], "filter": "metrics.a > 1 or metrics.b < 2"})
    if IS_MLFLOW:
        assert_error(resp, 400, "INVALID_PARAMETER_VALUE", "Invalid clause(s) in filter string: 'or'")
    else:  # Kaizen's extension: run filters accept OR (test_tracking_client.py checks the runs it finds)
        assert resp.status_code == 200, resp.text
    resp = api.post("runs/search", {"experiment_ids": ["0"], "filter": "metrics.a > 1 or"})
    assert_error(resp, 400, "INVALID_PARAMETER_VALUE")
    resp = api.post("experiments/search", {"filter": "name = 'a' or name = 'b'", "max_results": 10})
    assert_error(resp, 400, "INVALID_PARAMETER_VALUE", "Invalid clause(s) in filter string")
    resp = api.post("runs/search", {"experiment_ids": ["0"], "filter": "metrics.a = 'x'"})
    assert_error(resp, 400, "INVALID_PARAMETER_VALUE")
    resp = api.post("runs/search", {"experiment_ids": ["0"], "filter": "foo bar baz"})
    assert_error(resp, 400, "INVALID_PARAMETER_VALUE")
    resp = api.post("runs/search", {"experiment_ids": ["0"], "page_token": "garbage!!"})
    assert_error(resp, 400, "INVALID_PARAMETER_VALUE")


@kaizen_only  # the reference server answers 500 INTERNAL_ERROR here
def test_duplicate_order_by_is_a_client_error(api):
    resp = api.post("runs/search", {"experiment_ids": ["0"], "order_by": ["metrics.a ASC", "metrics.a DESC"]})
    assert_error(resp, 400, "INVALID_PARAMETER_VALUE")


def test_oversized_body(api, server):
    """A 100 MB request body is refused with a 4xx (413 is fine) and the server survives it."""
    size = 100 * 1024 * 1024
    body = b'{"experiment_id": "0", "key": "huge", "value": "' + b"x" * size + b'"}'
    try:
        resp = api.post("experiments/set-experiment-tag", data=body, timeout=120)
    except requests.ConnectionError:
        # A server may answer 413 early and close the connection while the client is still sending.
        resp = None
    if resp is not None:
        assert 400 <= resp.status_code < 500, f"{resp.status_code} {resp.text[:300]}"
    server.assert_alive()
    exp = api.get("experiments/get", {"experiment_id": "0"}).json()["experiment"]
    assert "huge" not in {t["key"] for t in exp.get("tags", [])}


# ======================================================================================
# Artifact path traversal (§7.2 of the reference)
# ======================================================================================


# (id, path after /mlflow-artifacts/artifacts/) aiming at the canary outside the root.
# {ABS} is the canary's absolute path, {ABS_ENC} the same fully percent-encoded.
TRAVERSAL_PROBES = [
    ("dotdot", "../outside/canary.txt"),
    ("dotdot-nested", "1/run/artifacts/../../../../outside/canary.txt"),
    ("encoded-slash", "..%2Foutside%2Fcanary.txt"),
    ("encoded-dots", "%2e%2e/outside/canary.txt"),
    ("fully-encoded", "%2e%2e%2foutside%2fcanary.txt"),
    ("double-encoded", "%252e%252e%252foutside%252fcanary.txt"),
    ("triple-encoded", "%25252e%25252e%25252foutside%25252fcanary.txt"),
    ("mid-path", "a/..%2F..%2Foutside/canary.txt"),
    ("etc-passwd", "..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd"),
    ("etc-passwd-double", "%252e%252e%252f%252e%252e%252f%252e%252e%252f%252e%252e%252fetc%252fpasswd"),
    ("absolute-encoded", "{ABS_ENC}"),
    ("file-uri", "file://{ABS}"),
    ("file-uri-encoded", "file%3A%2F%2F{ABS_ENC}"),
    ("fragment", "x%23/../outside/canary.txt"),
    ("fragment-encoded", "x%23%2F..%2F..%2Foutside%2Fcanary.txt"),
    ("fragment-deep", "1/x%23/../../etc/passwd"),
]
TRAVERSAL_IDS = [probe_id for probe_id, _ in TRAVERSAL_PROBES]

# The reference server answers DELETE on an encoded absolute path with a 308 redirect
# (its router merges the leading slashes) instead of 400.
MLFLOW_DELETE_QUIRKS = {"absolute-encoded"}


def _probe(canary: Canary, probe_id: str) -> str:
    template = dict(TRAVERSAL_PROBES)[probe_id]
    return template.replace("{ABS_ENC}", quote(str(canary.file), safe="")).replace("{ABS}", str(canary.file))


@pytest.mark.parametrize("probe_id", TRAVERSAL_IDS)
def test_traversal_get(api, server, canary, probe_id):
    baseline = canary.snapshot()
    resp = api.raw("GET", f"{ARTIFACTS}/{_probe(canary, probe_id)}")
    assert_no_leak(resp)
    assert "root:" not in resp.text
    assert_error(resp, 400, "INVALID_PARAMETER_VALUE")
    server.assert_alive()
    canary.assert_intact(baseline)


@pytest.mark.parametrize("probe_id", TRAVERSAL_IDS)
def test_traversal_put(api, server, canary, probe_id):
    baseline = canary.snapshot()
    resp = api.raw("PUT", f"{ARTIFACTS}/{_probe(canary, probe_id)}", body=b"PWNED",
                   headers={"Content-Type": "application/octet-stream"})
    assert_error(resp, 400, "INVALID_PARAMETER_VALUE")
    server.assert_alive()
    canary.assert_intact(baseline)


@pytest.mark.parametrize("probe_id", TRAVERSAL_IDS)
def test_traversal_delete(api, server, canary, probe_id):
    baseline = canary.snapshot()
    resp = api.raw("DELETE", f"{ARTIFACTS}/{_probe(canary, probe_id)}")
    if IS_MLFLOW and probe_id in MLFLOW_DELETE_QUIRKS:
        assert resp.status in (308, 400), resp
    else:
        assert_error(resp, 400, "INVALID_PARAMETER_VALUE")
    server.assert_alive()
    canary.assert_intact(baseline)


def test_traversal_delete_directory(api, server, canary):
    """CVE-2024-1560: a double-encoded DELETE aimed at a directory outside the root."""
    baseline = canary.snapshot()
    for target in ("%252e%252e%252foutside%252fvictim", "..%2Foutside%2Fvictim", "..%2Foutside", "../outside/victim"):
        resp = api.raw("DELETE", f"{ARTIFACTS}/{target}")
        assert_error(resp, 400, "INVALID_PARAMETER_VALUE")
        server.assert_alive()
        canary.assert_intact(baseline)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_backslash_is_not_a_separator(api, server, canary, method):
    """On POSIX `..\\x` is a literal file name inside the root: 404 (or 400), never the canary."""
    resp = api.raw(method, f"{ARTIFACTS}/..%5coutside%5ccanary.txt", body=b"PWNED" if method == "PUT" else None)
    assert_no_leak(resp)
    if method == "GET":
        assert_error(resp, (400, 404), ("INVALID_PARAMETER_VALUE", "RESOURCE_DOES_NOT_EXIST"))
    else:
        assert resp.status in (200, 400, 404), resp
    server.assert_alive()
    canary.assert_intact()
    # Clean up a literally named file a PUT may have created inside the root.
    for p in canary.artifact_root.glob("*\\*"):
        p.unlink()


# (id, value of ?path=); {ABS} is the absolute path of the directory holding the canary.
LISTING_PROBES = [
    ("dotdot", ".."),
    ("dotdot-slash", "../"),
    ("dotdot-outside", "../outside"),
    ("nested", "1/run/artifacts/../../../outside"),
    ("encoded", "..%2Foutside"),
    ("encoded-dots", "%2e%2e"),
    ("double-encoded", "%252e%252e%252foutside"),
    ("absolute", "{ABS}"),
    ("absolute-encoded", "{ABS_ENC}"),
    ("file-uri", "file://{ABS}"),
    ("file-uri-encoded", "file%3A%2F%2F{ABS_ENC}"),
    ("fragment", "a%23/../../outside"),
    ("etc", "../../../../../../etc"),
]
LISTING_IDS = [probe_id for probe_id, _ in LISTING_PROBES]


@pytest.mark.parametrize("probe_id", LISTING_IDS)
def test_traversal_list(api, server, canary, probe_id):
    value = dict(LISTING_PROBES)[probe_id]
    value = value.replace("{ABS_ENC}", quote(str(canary.outside), safe="")).replace("{ABS}", str(canary.outside))
    resp = api.raw("GET", f"{ARTIFACTS}?path={value}")
    assert "canary.txt" not in resp.text and "victim" not in resp.text and "passwd" not in resp.text, resp
    assert_error(resp, 400, "INVALID_PARAMETER_VALUE")
    server.assert_alive()
    canary.assert_intact()


def test_legacy_artifact_listing_traversal(api, server, run_id):
    """The tracking API's own listing (artifacts/list) must refuse `..` as well (or not exist)."""
    resp = api.get("artifacts/list", {"run_id": run_id, "path": "../"})
    assert resp.status_code in (400, 404), resp.text
    if resp.status_code == 400:
        assert_error(resp, 400, "INVALID_PARAMETER_VALUE")
    server.assert_alive()


def test_get_artifact_ui_route_traversal(api, server, run_id):
    """CVE-2023-30172: the UI download route (if served) must refuse `..`."""
    resp = api.raw("GET", f"/get-artifact?path=../../../../etc/passwd&run_uuid={run_id}")
    assert "root:" not in resp.text
    assert resp.status in (400, 404), resp
    if resp.status == 400:
        error_body(resp)
    server.assert_alive()


def test_multipart_upload_traversal(api, server, canary):
    baseline = canary.snapshot()
    resp = api.raw("POST", "/api/2.0/mlflow-artifacts/mpu/create/..%2F..%2Foutside",
                   body=json.dumps({"path": "../x", "num_parts": 1}), headers=JSON_HEADERS)
    assert resp.status in (400, 404, 501), resp
    if IS_MLFLOW:
        assert_error(resp, 400, "INVALID_PARAMETER_VALUE")
    server.assert_alive()
    canary.assert_intact(baseline)


def test_artifact_proxy_happy_path_still_works(api, server):
    """Sanity check next to the probes: a normal PUT/GET/list/DELETE round trip."""
    base = f"{ARTIFACTS}/0/{uuid.uuid4().hex}/artifacts"
    put = api.raw("PUT", f"{base}/sub/hello.txt", body=b"hello", headers={"Content-Type": "text/plain"})
    assert put.status == 200, put
    got = api.raw("GET", f"{base}/sub/hello.txt")
    assert got.status == 200 and got.body == b"hello", got
    listing = api.raw("GET", f"{ARTIFACTS}?path={base[len(ARTIFACTS) + 1:]}/sub")
    assert listing.status == 200, listing
    assert listing.json()["files"] == [{"path": "hello.txt", "is_dir": False, "file_size": 5}]
    assert_error(api.raw("GET", f"{base}/sub/missing.txt"), 404, "RESOURCE_DOES_NOT_EXIST")
    deleted = api.raw("DELETE", f"{base}/sub/hello.txt")
    assert deleted.status == 200, deleted
    assert api.raw("GET", f"{base}/sub/hello.txt").status == 404


# ======================================================================================
# Symlinks inside the artifact root
# ======================================================================================


@pytest.fixture
def symlinks(canary):
    base = canary.artifact_root / "links" / uuid.uuid4().hex
    base.mkdir(parents=True)
    dir_link = base / "dirlink"
    file_link = base / "filelink"
    dir_link.symlink_to(canary.outside, target_is_directory=True)
    file_link.symlink_to(canary.file)
    rel = base.relative_to(canary.artifact_root).as_posix()
    yield rel
    canary.reset()


def test_symlink_not_followed_for_read(api, server, canary, symlinks):
    for target in (f"{symlinks}/dirlink/canary.txt", f"{symlinks}/filelink", f"{symlinks}/dirlink/victim/keep.txt"):
        resp = api.raw("GET", f"{ARTIFACTS}/{target}")
        assert_no_leak(resp)
        assert_error(resp, (400, 403, 404))
    resp = api.raw("GET", f"{ARTIFACTS}?path={symlinks}/dirlink")
    assert "canary.txt" not in resp.text and "victim" not in resp.text, resp
    _assert_link_refused(server, resp)
    server.assert_alive()
    canary.assert_intact()


def _assert_link_refused(server, resp) -> None:
    """A path through a symlink in a local artifact folder is refused. Replicas keep artifacts in S3, which has no
    links: there the names are plain keys in the bucket (an empty listing, or a new object), and no disk changes."""
    if server.replicas:
        assert resp.status in (200, 404), resp
        return
    assert_error(resp, (400, 403, 404))


def test_symlink_not_followed_for_write(api, server, canary, symlinks):
    baseline = canary.snapshot()
    for target in (f"{symlinks}/dirlink/new.txt", f"{symlinks}/filelink", f"{symlinks}/dirlink/canary.txt",
                   f"{symlinks}/dirlink/victim/new.txt"):
        resp = api.raw("PUT", f"{ARTIFACTS}/{target}", body=b"PWNED", headers={"Content-Type": "text/plain"})
        _assert_link_refused(server, resp)
        canary.assert_intact(baseline)
    server.assert_alive()


@kaizen_only  # the reference server follows the link on DELETE and removes the file outside the root
def test_symlink_not_followed_for_delete(api, server, canary, symlinks):
    for target in (f"{symlinks}/dirlink/canary.txt", f"{symlinks}/dirlink/victim/keep.txt",
                   f"{symlinks}/dirlink/victim", f"{symlinks}/dirlink"):
        resp = api.raw("DELETE", f"{ARTIFACTS}/{target}")
        assert resp.status < 500, resp
        canary.assert_intact()
    server.assert_alive()


# ======================================================================================
# Experiment artifact_location and model version source (CVE corpus of §7.2)
# ======================================================================================


@pytest.mark.parametrize(
    "location",
    [
        "http:///#/../../../../../../../../../../../../../../etc/",
        "file:///etc/?a=../../",
        "http://x/y;/../../etc",
        "runs:/abc/def",
        "file:///tmp/x#frag",
    ],
)
def test_experiment_artifact_location_rejected(api, location):
    name = f"poc-{uuid.uuid4().hex[:12]}"
    resp = api.post("experiments/create", {"name": name, "artifact_location": location})
    assert_error(resp, 400, "INVALID_PARAMETER_VALUE")
    assert_error(api.get("experiments/get-by-name", {"experiment_name": name}), 404, "RESOURCE_DOES_NOT_EXIST")


@pytest.fixture(scope="module")
def registered_model(api) -> str:
    name = f"cve-model-{uuid.uuid4().hex[:12]}"
    resp = api.post("registered-models/create", {"name": name})
    assert resp.status_code == 200, resp.text
    return name


MODEL_SOURCES_400 = [
    "file:///",
    "file:///etc/",
    "//proc/self/root",
    "/etc",
    "mlflow-artifacts://host/../../../../",
    "http://host/api/2.0/mlflow-artifacts/artifacts/../../../",
    "https://host/api/2.0/mlflow-artifacts/artifacts/../../../",
    "mlflow-artifacts:/..%2f..%2f..%2f",
    "s3:/bucket/a/../../b",
    "runs:/RUN/../../../etc",
    "models:/m-0000/../..",
    "http://host:1/api/2.0/mlflow-artifacts/artifacts%00",
    "/models/artifacts/../../../",
]

# The reference server answers these with 500 INTERNAL_ERROR ("… is not a valid remote uri").
MODEL_SOURCES_500_IN_MLFLOW = [
    "file://\\..\\..\\etc",
    "file://path/to/../../../../some/where/you/should/not/be",
]


def _model_version_count(api, name) -> int:
    resp = api.get("model-versions/search", {"filter": f"name='{name}'", "max_results": 100})
    assert resp.status_code == 200, resp.text
    return len(resp.json().get("model_versions", []))


@pytest.mark.parametrize("source", MODEL_SOURCES_400)
def test_model_version_source_rejected(api, registered_model, run_id, source):
    source = source.replace("RUN", run_id)
    resp = api.post("model-versions/create", {"name": registered_model, "source": source})
    assert_error(resp, 400, "INVALID_PARAMETER_VALUE")
    assert _model_version_count(api, registered_model) == 0


@pytest.mark.parametrize("source", MODEL_SOURCES_500_IN_MLFLOW)
def test_model_version_source_rejected_not_500(api, registered_model, source):
    resp = api.post("model-versions/create", {"name": registered_model, "source": source})
    if IS_MLFLOW:
        assert resp.status_code in (400, 500), resp.text  # reference bug: 500 INTERNAL_ERROR
        error_body(resp)
    else:
        assert_error(resp, 400, "INVALID_PARAMETER_VALUE")
    assert _model_version_count(api, registered_model) == 0


def test_model_version_get_artifact_chain(api, server, registered_model):
    """CVE-2023-1177 / CVE-2023-6977 chain: no version exists, the UI route must not read /etc/passwd."""
    resp = api.raw("GET", f"/model-versions/get-artifact?path=etc/passwd&name={registered_model}&version=1")
    assert "root:" not in resp.text
    assert resp.status in (400, 404), resp
    server.assert_alive()
