"""Monitoring rules and alerts with real processes: a Kaizen control plane started with a fast rule evaluation
(`--monitor-interval-seconds 0.5 --monitor-grace-seconds 1`), `kaizen models serve --inference-log` on a
scikit-learn model logged with the real `mlflow` client, and a webhook listener on 127.0.0.1.

Checked: rules are refused with clear errors when malformed; a rule fires exactly once per window (and version) it
holds, as a signed `monitor.alert` webhook delivery carrying the figures, listed by the alerts API, kept in the
model's audit trail; a rule on a drifted column fires only for the windows with shifted traffic; the tracking
server's /metrics exposes the latest window's figures as gauges, and keeps them when traffic stops.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
import requests

from conftest import HOST, KAIZEN_BIN, _LIVE_PROCESSES, _die_with_pytest, _free_port, _stop_process
from interop_helpers import ONNX_REQUIREMENTS
from serving_helpers import parse_prometheus, start_kaizen_serve, stop_scoring_server
from test_webhooks import Listener, _expected_signature

WINDOW_S = 3
SECRET = "monitor-secret"


@pytest.fixture(scope="module")
def control_plane(tmp_path_factory):
    root = tmp_path_factory.mktemp("monitor-alerts")
    port = _free_port()
    command = [str(KAIZEN_BIN), "server", "--host", HOST, "--port", str(port), "--backend-store-uri",
               f"sqlite:///{root / 'kaizen.db'}", "--artifacts-destination", str(root / "artifacts"),
               "--webhook-allowed-schemes", "http", "--webhook-allow-private-ips",
               "--monitor-interval-seconds", "0.5", "--monitor-grace-seconds", "1"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    with open(root / "server.log", "wb") as log:
        proc = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True,
                                preexec_fn=_die_with_pytest if sys.platform.startswith("linux") else None)
    _LIVE_PROCESSES.append(proc)
    url = f"http://{HOST}:{port}"
    deadline = time.time() + 60
    while True:
        try:
            if requests.get(f"{url}/health", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        assert time.time() < deadline and proc.poll() is None, (root / "server.log").read_text()
        time.sleep(0.2)
    try:
        yield url
    finally:
        _stop_process(proc)
        _LIVE_PROCESSES.remove(proc)


def api(url: str, path: str, method: str = "GET", **body) -> requests.Response:
    full = f"{url}/api/2.0/kaizen/monitor/{path}"
    if method == "GET":
        return requests.get(full, params=body, timeout=30)
    return requests.post(full, json=body, timeout=30)


def test_rules_are_validated(control_plane):
    for rules, message in (
        (["accuracy <"], "is not a number"), (["speed > 1"], "Unknown figure 'speed'"),
        (["missing_share > 0.1"], "needs a column"), (["accuracy(age) > 1"], "takes no column"),
        (["accuracy ~ 1"], "expected <"), (["rows"], "compare the figure"), ([{"name": "x"}], "condition string"),
        (["rows > 1", "rows > 1"], "same name"),
    ):
        answer = api(control_plane, "rules/set", "POST", endpoint="e1", rules=rules)
        assert answer.status_code == 400 and message in answer.json()["message"], (rules, answer.text)
    answer = api(control_plane, "rules/set", "POST", endpoint="../e", rules=["rows > 1"])
    assert answer.status_code == 400 and "Invalid endpoint" in answer.json()["message"]
    answer = api(control_plane, "rules/set", "POST", endpoint="e1", rules=["rows > 1"], window_seconds=0)
    assert answer.status_code == 400 and "window_seconds" in answer.json()["message"]


def test_alerts_fire_once_per_window_as_signed_webhooks(control_plane, tmp_path):
    import mlflow
    import mlflow.onnx
    from mlflow.models import infer_signature
    from skl2onnx import to_onnx
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    mlflow.set_tracking_uri(control_plane)
    X, y = load_iris(return_X_y=True, as_frame=True)
    X.columns = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    model = LogisticRegression(max_iter=500).fit(X, y)
    name = "alert-iris"
    with mlflow.start_run():
        mlflow.onnx.log_model(to_onnx(model, X[:1].values.astype("float32"), options={"zipmap": False}),
                              name="model", signature=infer_signature(X.astype("float32"), model.predict(X)),
                              registered_model_name=name, pip_requirements=ONNX_REQUIREMENTS)
    X.to_csv(tmp_path / "reference.csv", index=False)
    stored = requests.post(f"{control_plane}/api/2.0/kaizen/monitor/reference",
                           params={"endpoint": name}, data=(tmp_path / "reference.csv").read_bytes(), timeout=30)
    assert stored.status_code == 200, stored.text
    listener = Listener()
    listener.start()
    srv = None
    try:
        hook = requests.post(f"{control_plane}/api/2.0/mlflow/webhooks", json={
            "name": "monitor-hook", "url": listener.url("/alerts"), "secret": SECRET,
            "events": [{"entity": "monitor", "action": "alert"}]}, timeout=30)
        assert hook.status_code == 200, hook.text
        answer = api(control_plane, "rules/set", "POST", endpoint=name, window_seconds=WINDOW_S, model_name=name,
                     rules=["rows >= 1", {"name": "petal drift", "condition": "column_drift(petal_width)"}])
        assert answer.status_code == 200, answer.text
        srv = start_kaizen_serve(f"models:/{name}/1", tmp_path, "--inference-log", name, "--log-segment-seconds",
                                 "0.3", "--no-access-log", tracking_uri=control_plane)
        session = requests.Session()
        # Steady traffic for two windows, then shifted petal widths for two more.
        windows = {}
        for phase, shift in (("steady", 0.0), ("shifted", 1.5)):
            end = time.time() + 2 * WINDOW_S
            while time.time() < end:
                rows = X.sample(3, random_state=int(time.time() * 1000) % 100000).copy()
                rows["petal_width"] += shift
                body = {"dataframe_split": json.loads(rows.to_json(orient="split", index=False))}
                assert session.post(f"{srv.url}/invocations", json=body, timeout=10).status_code == 200
                windows.setdefault(int(time.time() // WINDOW_S) * WINDOW_S * 1000, set()).add(phase)
                time.sleep(0.02)
        # Every window with traffic is evaluated once it is over (grace 1 s) and again on later ticks.
        time.sleep(WINDOW_S + 3)
        deliveries = listener.wait_for("/alerts", count=len(windows))
        time.sleep(2)
        deliveries = listener.matching("/alerts")
        seen = []
        for delivery in deliveries:
            assert delivery.headers["x-mlflow-signature"] == _expected_signature(SECRET, delivery)
            envelope = delivery.envelope
            assert (envelope["entity"], envelope["action"]) == ("monitor", "alert"), envelope
            data = envelope["data"]
            assert data["endpoint"] == name and data["version"] == "1"
            seen.append((data["rule"], data["window_start"]))
        assert len(seen) == len(set(seen)), f"an alert fired twice: {sorted(seen)}"
        rows_alerts = {start for rule, start in seen if rule == "rows >= 1"}
        assert rows_alerts == set(windows), (sorted(rows_alerts), sorted(windows))
        drift_alerts = {start for rule, start in seen if rule == "petal drift"}
        # A window that holds both phases may drift or not; a steady-only window never does, a shifted-only one
        # always does.
        steady_only = {start for start, phases in windows.items() if phases == {"steady"}}
        shifted_only = {start for start, phases in windows.items() if phases == {"shifted"}}
        assert steady_only and shifted_only, windows
        assert not drift_alerts & steady_only, (drift_alerts, windows)
        assert shifted_only <= drift_alerts, (drift_alerts, windows)
        listed = api(control_plane, "alerts/list", endpoint=name).json()["alerts"]
        assert sorted((a["rule"], a["window_start"]) for a in listed) == sorted(seen)
        audit = requests.get(f"{control_plane}/api/2.0/kaizen/registered-models/history", params={"name": name},
                             timeout=30)
        assert audit.status_code == 200, audit.text
        actions = [event["action"] for event in audit.json()["events"]]
        assert actions.count("monitor_alert") == len(seen), actions
        # Once the windows with traffic have left the evaluated range, the gauges keep their last figures.
        quiet_from = (max(windows) / 1000 + WINDOW_S) + 2 * WINDOW_S + 1 + 1
        time.sleep(max(0.0, quiet_from - time.time()))
        _, samples = parse_prometheus(requests.get(f"{control_plane}/metrics", timeout=10).text)
        names = {sample[0] for sample in samples}
        assert {"kaizen_monitor_window_rows", "kaizen_monitor_drift_score", "kaizen_monitor_alerts_total"} <= names
        counts = {labels["rule"]: value for metric, labels, value in samples if metric == "kaizen_monitor_alerts_total"}
        assert counts["rows >= 1"] == len(rows_alerts)
    finally:
        stop_scoring_server(srv)
        listener.stop()
