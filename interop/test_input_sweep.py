"""Every JSON route of the tracking server, swept with hostile values.

The routes are read from the server's sources (each `endpoints.register(...)`), so a route added later is swept
without anyone listing it here. For each route and method the sweep sends malformed bodies, then a valid-looking
request with one field at a time replaced by a hostile value: the NUL character, wrong types, numbers out of range,
a 70,000-character string, path traversal in several encodings. Every answer must be below 500, an error must be
MLflow's JSON (`error_code`, `message`), and the server must still answer afterwards.

In the replicas topology the same sweep runs through nginx against PostgreSQL, whose text cannot hold U+0000: that
is where a NUL in any field used to become a 500.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
import requests

from interop_helpers import API, JSON_HEADERS

pytestmark = pytest.mark.kaizen_only

SOURCES = Path(__file__).resolve().parent.parent / "Sources" / "KaizenServer"
REGISTER = re.compile(
    r'\.register\(\s*"(?P<path>[^"]+)"(?:,\s*version:\s*(?P<version>\d))?(?:,\s*namespace:\s*"(?P<ns>\w+)")?'
    r",\s*methods:\s*\[(?P<methods>[^\]]*)\]"
)

NUL = "a\u0000b"
HOSTILE = [
    None, "", -1, 2**63, 2**64, -(2**63) - 1, 1e308, 1.5, True, [], {}, [None], [{}], "x" * 70_000,
    "../../../../etc/passwd", "..%2f..%2f..%2fetc%2fpasswd", "%252e%252e%252f", "..\\..\\windows", "\u0000",
    "\U0001f600", " ", "NaN", "-Infinity", "models:/../../x", "runs:/../../x", "file:///etc/passwd",
    "'; DROP TABLE runs; --", "%00",
]
RAW_BODIES = [
    b"", b"null", b"{", b"[]", b'{"a":' + b"[" * 5000 + b"]" * 5000 + b"}", b"\xff\xfe\x00",
    b'{"run_id": NaN}', b'{"max_results": 1e999}', b'{"x": "\\ud800"}', b'{"name": "a", "name": "b"}',
]


def registered_routes() -> list[tuple[str, str]]:
    """(method, path under /api) for every `register(...)` call in the server's sources."""
    routes = set()
    for source in SOURCES.rglob("*.swift"):
        for match in REGISTER.finditer(source.read_text()):
            version = match["version"] or "2"
            path = f"/api/{version}.0/{match['ns'] or 'mlflow'}/{match['path']}"
            for method in re.findall(r"\.(\w+)", match["methods"]):
                routes.add((method.upper(), path))
    return sorted(routes)


ROUTES = registered_routes()


def test_the_sweep_finds_the_routes():
    """The pattern still matches the sources: a broken pattern would sweep nothing and pass."""
    assert len(ROUTES) >= 80, ROUTES
    assert ("POST", f"{API}/runs/log-batch") in ROUTES
    assert ("POST", "/api/2.0/kaizen/endpoints/create") in ROUTES


@pytest.fixture(scope="module")
def seeded(server):
    """Objects the valid-looking requests name, so a request gets past look-ups to the code behind them."""
    s = requests.Session()

    def post(path, body):
        r = s.post(f"{server.url}{API}/{path}", json=body, timeout=60)
        assert r.status_code == 200, r.text
        return r.json()

    tag = uuid.uuid4().hex[:10]
    exp = post("experiments/create", {"name": f"sweep-{tag}"})["experiment_id"]
    run = post("runs/create", {"experiment_id": exp})["run"]["info"]["run_id"]
    post("runs/log-batch", {"run_id": run, "metrics": [{"key": "m", "value": 1, "timestamp": 1, "step": 0}],
                            "params": [{"key": "p", "value": "1"}]})
    model = f"sweep-{tag}"
    post("registered-models/create", {"name": model})
    post("model-versions/create", {"name": model, "source": f"runs:/{run}/model", "run_id": run})
    return {"experiment": exp, "run": run, "model": model, "session": s}


def valid_fields(seeded) -> dict:
    exp, run, model = seeded["experiment"], seeded["run"], seeded["model"]
    return {
        "experiment_id": exp, "experiment_ids": [exp], "run_id": run, "run_uuid": run, "name": model,
        "new_name": model + "-2", "key": "m", "value": "1", "timestamp": 1, "step": 0, "version": "1",
        "stage": "Staging", "alias": "champion", "model_name": model, "source": f"runs:/{run}/model",
        "filter": "", "filter_string": "", "max_results": 10, "order_by": [], "page_token": "",
        "view_type": "ACTIVE_ONLY", "run_view_type": "ACTIVE_ONLY", "metric_key": "m", "tag_key": "t", "path": "",
        "description": "d", "url": "http://127.0.0.1:9/hook", "events": [], "traffic": [],
        "metrics": [{"key": "m", "value": 1, "timestamp": 1, "step": 0}], "params": [{"key": "a", "value": "b"}],
        "tags": [{"key": "t", "value": "v"}], "status": "FINISHED", "end_time": 2, "start_time": 1,
        "run_name": "r", "user_id": "u", "artifact_location": "", "model_id": "m-1", "datasets": [], "models": [],
        "endpoint": "e", "model": f"models:/{model}/1", "window_rows": 10, "window_seconds": 10,
        "step_values": [10, 50], "step_seconds": 1, "columns": ["a"], "experiment_name": "x", "secret": "s",
        "request_id": "q", "prediction": 1,
    }


def is_clear_error(resp: requests.Response) -> bool:
    """Below 500, and an error is MLflow's JSON; or the request line refused as too long before any route (nginx in
    front of the replicas answers a 70,000-character query string with its own 414 page)."""
    if resp.status_code in (414, 431):
        return True
    if resp.status_code >= 500:
        return False
    if resp.status_code < 400:
        return True
    try:
        body = resp.json()
    except ValueError:
        return False
    return isinstance(body, dict) and "error_code" in body and "message" in body


def concrete(path: str) -> str:
    return re.sub(r":(\w+)", lambda m: {"model_id": "m-1", "webhook_id": "w-1", "tag_key": "t"}.get(m[1], "x"), path)


@pytest.mark.parametrize("method,path", ROUTES, ids=[f"{m} {p.split('/', 4)[-1]}" for m, p in ROUTES])
def test_hostile_values_get_clear_errors(server, seeded, method, path):
    session = seeded["session"]
    url = server.url + concrete(path)
    valid = valid_fields(seeded)
    offset = sum(map(ord, path)) % len(HOSTILE)
    bad = []

    def send(what, **kw):
        resp = session.request(method, url, timeout=60, **kw)
        if not is_clear_error(resp):
            bad.append(f"{what}: {resp.status_code} {resp.text[:160]!r}")

    if method != "GET":
        for raw in RAW_BODIES:
            send(f"body {raw[:24]!r}", data=raw, headers=JSON_HEADERS)
    for i, field in enumerate(valid):
        # The NUL character in every field, and one more hostile value, different for each field and route.
        for value in (NUL, HOSTILE[(offset + i) % len(HOSTILE)]):
            body = dict(valid, **{field: value})
            if method == "GET":
                query = {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items() if v is not None}
                send(f"?{field}={str(value)[:24]!r}", params=query)
            else:
                send(f"{field}={str(value)[:24]!r}", json=body)
    assert not bad, f"{len(bad)} answers were not clear errors, first: {bad[:5]}"
    assert session.get(f"{server.url}/health", timeout=30).status_code == 200
