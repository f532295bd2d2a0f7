"""Deployment endpoints with real processes: a Kaizen control plane (`kaizen server`), two replicas of
`kaizen models serve --endpoint NAME`, scikit-learn models converted with skl2onnx and logged with the real `mlflow`
client, and a client that counts `X-Kaizen-Model-Version`.

Checked: the REST API and the CLI; each replica serves the versions by the endpoint's weights (shares within a few
points), keys stick to a version, a weight change is followed within one poll interval while load runs without a
failed request, and shadow traffic never reaches the caller while its agreement is counted.
"""

from __future__ import annotations

import collections
import json
import threading
import time

import pytest
import requests

from conftest import HOST, _free_port
from interop_helpers import ONNX_REQUIREMENTS
from serving_helpers import (
    KAIZEN_BIN, _spawn, kaizen_env, metric_sum, parse_prometheus, stop_scoring_server, wait_until_ready,
)

POLL_S = 1.0
ROWS = 5


@pytest.fixture(scope="module")
def cancer(server):
    """Registered model `endpoint-cancer-<n>`: version 1 a forest, version 2 the same with labels flipped."""
    import mlflow
    import mlflow.onnx
    from mlflow.models import infer_signature
    from skl2onnx import to_onnx
    from sklearn.datasets import load_breast_cancer
    from sklearn.ensemble import RandomForestClassifier

    mlflow.set_tracking_uri(server.url)
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X.astype("float32").rename(columns=lambda c: c.replace(" ", "_"))
    name = f"endpoint-cancer-{int(time.time() * 1000) % 100000}"
    labels = {}
    for version, target in ((1, y), (2, 1 - y)):
        model = RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0).fit(X, target)
        with mlflow.start_run():
            mlflow.onnx.log_model(to_onnx(model, X[:1].values), name="model",
                                  signature=infer_signature(X, model.predict(X)), registered_model_name=name,
                                  pip_requirements=ONNX_REQUIREMENTS)
        labels[str(version)] = model.predict(X.head(ROWS)).tolist()
    body = {"dataframe_split": json.loads(X.head(ROWS).to_json(orient="split", index=False))}
    return {"name": name, "body": body, "labels": labels}


def api(server, path: str, method: str = "GET", **body) -> requests.Response:
    url = f"{server.url}/api/2.0/kaizen/endpoints/{path}"
    if method == "GET":
        return requests.get(url, params=body, timeout=30)
    return requests.request(method, url, json=body, timeout=30)


def traffic(**weights: int) -> list[dict]:
    return [{"version": version.lstrip("v"), "weight": weight} for version, weight in weights.items()]


def count_versions(url: str, body: dict, n: int, *, keys: bool = False, expected=None) -> collections.Counter:
    """POST /invocations n times; the versions that answered. Every answer must be a 200 and, when `expected` maps
    versions to labels, carry the labels of the version that says it answered."""
    counts: collections.Counter = collections.Counter()
    with requests.Session() as session:
        for index in range(n):
            headers = {"X-Kaizen-Routing-Key": f"user-{index}"} if keys else {}
            answer = session.post(f"{url}/invocations", json=body, headers=headers, timeout=30)
            assert answer.status_code == 200, answer.text
            version = answer.headers["X-Kaizen-Model-Version"]
            if expected is not None:
                got = [row["output_label"] for row in answer.json()["predictions"]]
                assert got == expected[version], (version, got)
            counts[version] += 1
    return counts


def wait_for_share(url: str, body: dict, version: str, share: float, timeout: float) -> float:
    """Seconds until samples of 100 requests show `version` with at least `share`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        counts = count_versions(url, body, 100)
        if counts[version] / 100 >= share:
            return time.monotonic() - start
    raise AssertionError(f"version {version} never reached {share:.0%} within {timeout} s")


def test_endpoint_crud_and_cli(server, cancer, kaizen_cli):
    name = cancer["name"] + "-crud"
    created = api(server, "create", "POST", name=name, model_name=cancer["name"], traffic=traffic(v1=100))
    assert created.status_code == 200, created.text
    assert created.json()["endpoint"]["revision"] == 1
    bad = api(server, "update", "PATCH", name=name, traffic=traffic(v1=60))
    assert bad.status_code == 400 and "sum to 100" in bad.json()["message"]
    described = kaizen_cli("endpoints", "update", name, "--traffic", "1=70,2=30")
    assert described.returncode == 0, described.stderr
    assert "v1: 70%, v2: 30%" in described.stdout
    listed = kaizen_cli("endpoints", "list")
    assert name in listed.stdout and "v1:70 v2:30" in listed.stdout
    history = requests.get(f"{server.url}/api/2.0/kaizen/registered-models/history",
                           params={"name": cancer["name"]}, timeout=30).json()["events"]
    assert [e["action"] for e in history if e["action"].endswith("_endpoint")][-2:] == [
        "create_endpoint", "update_endpoint"]
    deleted = kaizen_cli("endpoints", "delete", name)
    assert deleted.returncode == 0, deleted.stderr
    assert api(server, "get", name=name).status_code == 404


@pytest.fixture(scope="module")
def replicas(server, cancer, tmp_path_factory):
    """Two replicas of `kaizen models serve --endpoint NAME`, endpoint created 50/50 over versions 1 and 2."""
    name = cancer["name"]
    created = api(server, "create", "POST", name=name, model_name=name, traffic=traffic(v1=50, v2=50))
    assert created.status_code == 200, created.text
    work = tmp_path_factory.mktemp("endpoint-replicas")
    started = []
    try:
        for index in range(2):
            port = _free_port()
            command = [str(KAIZEN_BIN), "models", "serve", "--endpoint", name, "--host", HOST, "--port", str(port),
                       "--poll-interval", str(POLL_S), "--no-access-log"]
            replica = _spawn("kaizen", command, kaizen_env(server.url), work / f"replica-{index}", port)
            started.append(wait_until_ready(replica, 60))
        yield started
    finally:
        for replica in started:
            stop_scoring_server(replica)


def test_replicas_split_by_weight_and_keys_stick(replicas, cancer):
    for replica in replicas:
        counts = count_versions(replica.url, cancer["body"], 400, expected=cancer["labels"])
        assert set(counts) == {"1", "2"}
        assert abs(counts["1"] / 400 - 0.5) < 0.1, counts  # 5 standard deviations of a fair split of 400
    # The same key gets the same version on every replica: the split is a hash of the key, not per process.
    for index in range(50):
        key = {"X-Kaizen-Routing-Key": f"customer-{index}"}
        answers = {requests.post(f"{r.url}/invocations", json=cancer["body"], headers=key, timeout=30)
                   .headers["X-Kaizen-Model-Version"] for r in replicas for _ in range(3)}
        assert len(answers) == 1, (index, answers)


def test_weight_change_is_followed_without_failed_requests(server, replicas, cancer):
    name = cancer["name"]
    failures: list[str] = []
    stop = threading.Event()

    def load(url: str) -> None:
        with requests.Session() as session:
            while not stop.is_set():
                try:
                    answer = session.post(f"{url}/invocations", json=cancer["body"], timeout=30)
                    if answer.status_code != 200:
                        failures.append(f"{answer.status_code} {answer.text[:200]}")
                except requests.RequestException as error:
                    failures.append(str(error))

    threads = [threading.Thread(target=load, args=(r.url,), daemon=True) for r in replicas]
    for thread in threads:
        thread.start()
    try:
        changed = api(server, "update", "PATCH", name=name, traffic=traffic(v1=0, v2=100))
        assert changed.status_code == 200, changed.text
        for replica in replicas:
            # One poll interval, plus the time to sample: the old weights may answer until the next poll.
            waited = wait_for_share(replica.url, cancer["body"], "2", 1.0, timeout=POLL_S * 3 + 5)
            assert waited < POLL_S * 3 + 5
        back = api(server, "update", "PATCH", name=name, traffic=traffic(v1=90, v2=10))
        assert back.status_code == 200, back.text
        for replica in replicas:
            wait_for_share(replica.url, cancer["body"], "1", 0.75, timeout=POLL_S * 3 + 5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert failures == []


def test_shadow_traffic_never_reaches_the_caller(server, replicas, cancer):
    name = cancer["name"]
    changed = api(server, "update", "PATCH", name=name, traffic=traffic(v1=100), shadow=traffic(v2=100))
    assert changed.status_code == 200, changed.text
    for replica in replicas:
        wait_for_share(replica.url, cancer["body"], "1", 1.0, timeout=POLL_S * 3 + 5)
        counts = count_versions(replica.url, cancer["body"], 100, expected=cancer["labels"])
        assert counts == {"1": 100}
        # Copies are scored off the request path: give the mirror a moment, then read its counters.
        deadline = time.monotonic() + 10
        while True:
            _, samples = parse_prometheus(requests.get(f"{replica.url}/metrics", timeout=10).text)
            compared = metric_sum(samples, "kaizen_shadow_rows_total", version="2")
            if compared >= 100 * ROWS or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert compared >= 100 * ROWS
        agreed = metric_sum(samples, "kaizen_shadow_agreed_rows_total", version="2")
        # Version 2 predicts the opposite label: it agrees with version 1 on no row.
        disagreements = sum(a != b for a, b in zip(cancer["labels"]["1"], cancer["labels"]["2"]))
        assert agreed == compared * (ROWS - disagreements) / ROWS
