"""Progressive rollouts with real processes: the Kaizen control plane (`kaizen server`, which runs the rollout
controller), a replica of `kaizen models serve --endpoint`, scikit-learn models converted with skl2onnx and logged
with the real `mlflow` client (with input examples), load from a client that records `X-Kaizen-Model-Version`, and
the `kaizen rollouts` CLI.

Scenarios (the issue's numbering): (1) a good candidate is promoted through every step, each version serving its
weight's share; (3) a candidate with flipped labels, which never errs, is rolled back by prediction divergence at
its first step; (4) a candidate ten times slower is stopped by the pre-traffic latency contract check, and, where the
rollout loosens that check, rolled back at its first step by the p99 latency analysis; (5) a shadow rollout: callers only get the stable answers and the agreement is reported; (6) no
traffic: the rollout waits, then pauses, never promotes; (8) a candidate whose label is the string "0" where the
stable one gives the number 0 fails the contract check before any traffic.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time

import pytest
import requests

from conftest import HOST, _free_port
from interop_helpers import ONNX_REQUIREMENTS
from serving_helpers import KAIZEN_BIN, _spawn, kaizen_env, stop_scoring_server, wait_until_ready

STEP_REQUESTS = 40
STEP_SECONDS = 2
# A good candidate's predictions differ from the stable one's only by sampling noise, which the divergence check must
# not mistake for a change: at 40 predictions a side the Jensen-Shannon distance of two samples of the same binary
# distribution is often above 0.1; at 200 (the default minimum) it is about 0.04.
GOOD_STEP_REQUESTS = 200


@pytest.fixture(scope="module")
def models(server):
    """`rollout-cancer-<n>`: v1 a forest, v2 the same with another seed (a good candidate), v3 with flipped labels,
    v4 with string labels; each logged with an input example."""
    import mlflow
    import mlflow.onnx
    from mlflow.models import infer_signature
    from skl2onnx import to_onnx
    from sklearn.datasets import load_breast_cancer
    from sklearn.ensemble import RandomForestClassifier

    mlflow.set_tracking_uri(server.url)
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X.astype("float32").rename(columns=lambda c: c.replace(" ", "_"))
    name = f"rollout-cancer-{int(time.time() * 1000) % 100000}"
    for seed, labels in ((0, y), (1, y), (0, 1 - y), (0, y.astype(str))):
        model = RandomForestClassifier(n_estimators=10, max_depth=4, random_state=seed).fit(X, labels)
        with mlflow.start_run():
            mlflow.onnx.log_model(to_onnx(model, X[:1].values), name="model", input_example=X.head(3),
                                  signature=infer_signature(X, model.predict(X)), registered_model_name=name, pip_requirements=ONNX_REQUIREMENTS)
    rows = json.loads(X.head(40).to_json(orient="split", index=False))
    return {"name": name, "rows": rows}


def api(server, path: str, method: str = "GET", **body) -> requests.Response:
    url = f"{server.url}/api/2.0/kaizen/{path}"
    if method == "GET":
        return requests.get(url, params=body, timeout=30)
    return requests.request(method, url, json=body, timeout=30)


@pytest.fixture
def endpoint(server, models, tmp_path):
    """A fresh endpoint on version 1 and one replica serving it; yields (name, replica url)."""
    name = f"{models['name']}-{os.urandom(3).hex()}"
    created = api(server, "endpoints/create", "POST", name=name, model_name=models["name"],
                  traffic=[{"version": "1", "weight": 100}])
    assert created.status_code == 200, created.text
    port = _free_port()
    command = [str(KAIZEN_BIN), "models", "serve", "--endpoint", name, "--host", HOST, "--port", str(port),
               "--poll-interval", "0.5", "--report-interval", "0.5", "--no-access-log"]
    replica = wait_until_ready(_spawn("kaizen", command, kaizen_env(server.url), tmp_path / "replica", port), 60)
    try:
        yield name, replica.url
    finally:
        stop_scoring_server(replica)


class Load:
    """Requests one row at a time from a background thread, recording (time, version that answered). With `labels`
    (one per row), it also sends each answered request's true label to the server's `POST /feedback`, ten at a
    time."""

    def __init__(self, url: str, rows: dict, labels: list | None = None):
        self.url, self.rows, self.labels = url, rows, labels
        self.feedback: list[dict] = []
        self.answers: list[tuple[float, str, list]] = []
        self.failures: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        with requests.Session() as session:
            index = 0
            while not self.stop.is_set():
                row = index % len(self.rows["data"])
                body = {"dataframe_split": {"columns": self.rows["columns"], "data": self.rows["data"][row:row + 1]}}
                try:
                    answer = session.post(f"{self.url}/invocations", json=body, timeout=30)
                    if answer.status_code != 200:
                        self.failures.append(answer.text[:200])
                    else:
                        self.answers.append((time.time() * 1000, answer.headers["X-Kaizen-Model-Version"],
                                             answer.json()["predictions"]))
                        if self.labels is not None:
                            self.send_feedback(session, answer.headers["X-Request-Id"], self.labels[row])
                except requests.RequestException as error:
                    self.failures.append(str(error))
                index += 1
                time.sleep(0.002)

    def send_feedback(self, session: requests.Session, request_id: str, label) -> None:
        self.feedback.append({"request_id": request_id, "label": label})
        if len(self.feedback) >= 10:
            answer = session.post(f"{self.url}/feedback", json=self.feedback, timeout=30)
            if answer.status_code != 200:
                self.failures.append(answer.text[:200])
            self.feedback = []

    def __enter__(self) -> "Load":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=30)


def rollout_cli(server, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(KAIZEN_BIN), "rollouts", *args], env=kaizen_env(server.url), capture_output=True,
                          text=True, timeout=120)


def wait_for_phase(server, endpoint: str, phases: set[str], timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    rollout = None
    while time.monotonic() < deadline:
        answer = api(server, "rollouts/get", endpoint=endpoint)
        if answer.status_code == 404:  # not started yet (an alias move is noticed at the controller's next pass)
            time.sleep(0.25)
            continue
        rollout = answer.json()["rollout"]
        if rollout["phase"] in phases:
            return rollout
        time.sleep(0.25)
    raise AssertionError(f"the rollout never reached {phases}: {json.dumps(rollout)[:2000]}")


def start(server, endpoint: str, version: str, strategy: str = "canary", **extra) -> dict:
    settings = {"step_requests": STEP_REQUESTS, "step_seconds": STEP_SECONDS, **extra}
    started = api(server, "rollouts/start", "POST", endpoint=endpoint, version=version, strategy=strategy,
                  **settings)
    assert started.status_code == 200, started.text
    return started.json()["rollout"]


def test_good_candidate_is_promoted_through_every_step(server, models, endpoint):
    name, url = endpoint
    with Load(url, models["rows"]) as load:
        started = rollout_cli(server, "start", name, "--to", "2", "--strategy", "canary", "--steps", "20,50,100",
                              "--step-requests", str(GOOD_STEP_REQUESTS), "--step-seconds", str(STEP_SECONDS))
        assert started.returncode == 0, started.stderr
        watched = rollout_cli(server, "status", name, "--watch", "--interval", "0.5")
        rollout = api(server, "rollouts/get", endpoint=name).json()["rollout"]
    assert watched.returncode == 0, watched.stdout[-3000:] + watched.stderr
    assert rollout["phase"] == "promoted", rollout
    assert [c["name"] for c in rollout["contract_checks"]] == ["loads", "signature", "examples", "latency"]
    assert all(c["passed"] for c in rollout["contract_checks"]), rollout["contract_checks"]
    assert [record["decision"] for record in rollout["history"]] == ["advanced"] * 3
    assert load.failures == []
    # The share each version served during a step matches its weight. The replica follows a new weight within
    # its poll interval, so the first second of each step is left out.
    for record in rollout["history"][:-1]:
        window = [version for t, version, _ in load.answers if record["started_at"] + 1000 <= t <= record["decided_at"]]
        assert len(window) >= 50, (record, len(window))
        share = window.count("2") / len(window)
        assert abs(share - record["weights"]["candidate"] / 100) < 0.15, (record["weights"], share, len(window))
    endpoint_now = api(server, "endpoints/get", name=name).json()["endpoint"]
    assert endpoint_now["traffic"] == [{"version": "2", "weight": 100}]
    events = requests.get(f"{server.url}/api/2.0/kaizen/registered-models/history", params={"name": models["name"]},
                          timeout=30).json()["events"]
    assert {"start_rollout", "advance_rollout"} <= {event["action"] for event in events}


def test_flipped_labels_are_rolled_back_by_divergence(server, models, endpoint):
    name, url = endpoint
    with Load(url, models["rows"]) as load:
        start(server, name, "3", steps=[20, 50, 100])
        rollout = wait_for_phase(server, name, {"rolled_back", "promoted", "paused"}, timeout=60)
        time.sleep(1.5)  # the replica's next poll takes the candidate's traffic away
        settled = len(load.answers)
        time.sleep(1.0)
    assert rollout["phase"] == "rolled_back", rollout
    assert rollout["history"][0]["decision"] == "failed"
    failed = {c["name"]: c for c in rollout["history"][0]["verdict"]["checks"]}
    assert failed["prediction_divergence"]["outcome"] == "fail"
    assert failed["error_rate"]["outcome"] == "pass"  # no errors at all: divergence is what caught it
    assert failed["prediction_divergence"]["figures"]["js_distance"] > 0.5
    assert load.failures == []
    assert {version for _, version, _ in load.answers[settled:]} == {"1"}
    assert api(server, "endpoints/get", name=name).json()["endpoint"]["traffic"] == [{"version": "1", "weight": 100}]


def test_shadow_rollout_answers_only_with_stable(server, models, endpoint):
    name, url = endpoint
    with Load(url, models["rows"]) as load:
        start(server, name, "3", strategy="shadow")
        rollout = wait_for_phase(server, name, {"shadow_completed", "rolled_back", "paused", "promoted"}, 60)
    assert load.failures == []
    assert {version for _, version, _ in load.answers} == {"1"}
    assert rollout["phase"] == "rolled_back", rollout  # flipped labels: the shadow disagrees on every row
    checks = {c["name"]: c for c in rollout["history"][-1]["verdict"]["checks"]}
    assert checks["shadow_agreement"]["outcome"] == "fail"
    assert checks["shadow_agreement"]["figures"]["agreement"] == 0
    assert checks["shadow_agreement"]["figures"]["compared"] >= STEP_REQUESTS


def test_no_traffic_pauses_and_never_promotes(server, models, endpoint):
    name, _ = endpoint
    start(server, name, "2", steps=[50, 100], step_timeout_seconds=4)
    rollout = wait_for_phase(server, name, {"paused", "promoted", "rolled_back"}, timeout=30)
    assert rollout["phase"] == "paused", rollout
    assert rollout["reason"] == "step_timeout"
    outcomes = {c["outcome"] for c in (rollout.get("latest_evaluation") or rollout["history"][-1])["verdict"]["checks"]}
    assert outcomes == {"not_yet"}
    resumed = rollout_cli(server, "abort", name)
    assert resumed.returncode == 0, resumed.stderr
    assert api(server, "rollouts/get", endpoint=name).json()["rollout"]["phase"] == "aborted"
    assert api(server, "endpoints/get", name=name).json()["endpoint"]["traffic"] == [{"version": "1", "weight": 100}]


def test_a_string_where_stable_gives_a_number_fails_the_contract(server, models, endpoint):
    name, url = endpoint
    start(server, name, "4")
    rollout = wait_for_phase(server, name, {"rolled_back", "step", "promoted"}, timeout=60)
    assert rollout["phase"] == "rolled_back", rollout
    checks = {c["name"]: c for c in rollout["contract_checks"]}
    assert not checks["examples"]["passed"]
    assert "a string" in checks["examples"]["detail"] and "a number" in checks["examples"]["detail"]
    # The candidate never got traffic.
    assert api(server, "endpoints/get", name=name).json()["endpoint"]["traffic"] == [{"version": "1", "weight": 100}]


def test_moving_a_followed_alias_rolls_out_and_a_failure_moves_it_back(server, models, client, tmp_path):
    name = f"{models['name']}-alias-{os.urandom(3).hex()}"
    client.set_registered_model_alias(models["name"], "champion", "1")
    created = api(server, "endpoints/create", "POST", name=name, model_name=models["name"],
                  traffic=[{"version": "1", "weight": 100}], follow_alias="champion",
                  alias_rollout={"strategy": "canary", "steps": [20, 100], "step_requests": GOOD_STEP_REQUESTS,
                                 "step_seconds": STEP_SECONDS})
    assert created.status_code == 200, created.text
    assert created.json()["endpoint"]["alias_rollout"]["strategy"] == {"name": "canary", "steps": [20, 100]}
    port = _free_port()
    command = [str(KAIZEN_BIN), "models", "serve", "--endpoint", name, "--host", HOST, "--port", str(port),
               "--poll-interval", "0.5", "--report-interval", "0.5", "--no-access-log"]
    replica = wait_until_ready(_spawn("kaizen", command, kaizen_env(server.url), tmp_path / "replica", port), 60)
    try:
        with Load(replica.url, models["rows"]) as load:
            client.set_registered_model_alias(models["name"], "champion", "2")  # a good candidate
            promoted = wait_for_phase(server, name, {"promoted", "rolled_back", "paused"}, timeout=90)
            assert promoted["phase"] == "promoted" and promoted["candidate_version"] == "2", promoted
            client.set_registered_model_alias(models["name"], "champion", "3")  # flipped labels
            deadline = time.monotonic() + 90
            while True:
                rollout = api(server, "rollouts/get", endpoint=name).json()["rollout"]
                if rollout["candidate_version"] == "3" and rollout["phase"] in {"rolled_back", "promoted", "paused"}:
                    break
                assert time.monotonic() < deadline, rollout
                time.sleep(0.25)
        assert rollout["phase"] == "rolled_back", rollout
        assert load.failures == []
        # The failed rollout moved the alias back, as the rollout controller, in the audit trail.
        assert client.get_model_version_by_alias(models["name"], "champion").version == "2"
        events = requests.get(f"{server.url}/api/2.0/kaizen/registered-models/history",
                              params={"name": models["name"]}, timeout=30).json()["events"]
        moved_back = [e for e in events if e["actor"] == "kaizen-rollouts" and "alias" in e["action"]]
        assert moved_back, [e["action"] for e in events]
        assert api(server, "endpoints/get", name=name).json()["endpoint"]["traffic"] == [
            {"version": "2", "weight": 100}]

        # Pointing the alias at the version that failed once more is a deliberate retry: a new rollout starts.
        with Load(replica.url, models["rows"]):
            client.set_registered_model_alias(models["name"], "champion", "3")
            deadline = time.monotonic() + 90
            while True:
                retry = api(server, "rollouts/get", endpoint=name).json()["rollout"]
                if retry["id"] != rollout["id"] and retry["phase"] in {"rolled_back", "promoted", "paused"}:
                    break
                assert time.monotonic() < deadline, retry
                time.sleep(0.25)
        assert retry["candidate_version"] == "3" and retry["phase"] == "rolled_back", retry
        assert client.get_model_version_by_alias(models["name"], "champion").version == "2"
        # With the alias back on the stable version, nothing more starts.
        time.sleep(2)
        assert api(server, "rollouts/get", endpoint=name).json()["rollout"]["id"] == retry["id"]
    finally:
        stop_scoring_server(replica)


def test_restarts_mid_rollout_lose_nothing(tmp_path):
    """(7) SIGKILL a replica and the control plane mid-rollout: a new replica picks up the current weights, the
    restarted control plane resumes from the database, the rollout is promoted, and every request the surviving
    replica answered is in the reports the control plane kept (a report sent while it was down is sent again)."""
    import sqlite3

    import mlflow
    import mlflow.onnx
    from mlflow.models import infer_signature
    from skl2onnx import to_onnx
    from sklearn.datasets import load_breast_cancer
    from sklearn.ensemble import RandomForestClassifier

    from conftest import _server_command
    from serving_helpers import metric_sum, parse_prometheus

    root = tmp_path / "control-plane"
    (root / "artifacts").mkdir(parents=True)
    port = _free_port()
    command = _server_command(port, root / "kaizen.db", root / "artifacts")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    url = f"http://{HOST}:{port}"

    def start_control_plane() -> subprocess.Popen:
        log = open(root / "server.log", "ab")
        process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{url}/health", timeout=2).status_code == 200:
                    return process
            except requests.RequestException:
                time.sleep(0.1)
        raise AssertionError((root / "server.log").read_text()[-3000:])

    class ControlPlane:  # what `api` and `rollout_cli` need of a server
        pass

    plane = ControlPlane()
    plane.url = url
    control = start_control_plane()
    replicas = []
    loads = []
    try:
        mlflow.set_tracking_uri(url)
        X, y = load_breast_cancer(return_X_y=True, as_frame=True)
        X = X.astype("float32").rename(columns=lambda c: c.replace(" ", "_"))
        # Both versions are the same forest: this test is about restarts, and two differently seeded forests
        # disagree on enough of the 40 rows that a step's sample can cross the divergence gate by chance.
        for _ in range(2):
            model = RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0).fit(X, y)
            with mlflow.start_run():
                mlflow.onnx.log_model(to_onnx(model, X[:1].values), name="model", input_example=X.head(3),
                                      signature=infer_signature(X, model.predict(X)), registered_model_name="restart",
                                      pip_requirements=ONNX_REQUIREMENTS)
        rows = json.loads(X.head(40).to_json(orient="split", index=False))
        created = api(plane, "endpoints/create", "POST", name="restart", model_name="restart",
                      traffic=[{"version": "1", "weight": 100}])
        assert created.status_code == 200, created.text

        def start_replica(index: int):
            replica_port = _free_port()
            replica_command = [str(KAIZEN_BIN), "models", "serve", "--endpoint", "restart", "--host", HOST, "--port",
                               str(replica_port), "--poll-interval", "0.5", "--report-interval", "0.5",
                               "--no-access-log"]
            replica = wait_until_ready(_spawn("kaizen", replica_command, kaizen_env(url),
                                              tmp_path / f"replica-{index}", replica_port), 60)
            replicas.append(replica)
            load = Load(replica.url, rows).__enter__()
            loads.append(load)
            return replica, load

        doomed, doomed_load = start_replica(0)
        survivor, survivor_load = start_replica(1)
        start(plane, "restart", "2", steps=[20, 50, 100], step_requests=100, step_seconds=3)
        wait_for_phase(plane, "restart", {"step"}, timeout=60)

        doomed_load.__exit__()
        os.killpg(doomed.proc.pid, 9)
        doomed.proc.wait(timeout=10)
        start_replica(2)

        os.killpg(control.pid, 9)
        control.wait(timeout=10)
        time.sleep(2)  # replicas keep serving; their reports fail and wait
        control = start_control_plane()

        rollout = wait_for_phase(plane, "restart", {"promoted", "rolled_back", "paused", "aborted"}, timeout=120)
        assert rollout["phase"] == "promoted", json.dumps(rollout, indent=1)
        assert [record["decision"] for record in rollout["history"]] == ["advanced"] * 3
        for load in loads[1:]:
            load.__exit__()
        assert survivor_load.failures == [] and loads[-1].failures == []

        # Every /invocations request the survivor answered is in the reports kept for one of the replica ids.
        time.sleep(2)
        _, samples = parse_prometheus(requests.get(f"{survivor.url}/metrics", timeout=10).text)
        answered = metric_sum(samples, "kaizen_requests_total", endpoint="/invocations")
        with sqlite3.connect(root / "kaizen.db") as db:
            reported: dict[str, int] = {}
            for replica_id, body in db.execute("SELECT replica_id, body FROM endpoint_reports"):
                versions = json.loads(body)["versions"]
                reported[replica_id] = reported.get(replica_id, 0) + sum(v["requests"] for v in versions.values())
        assert answered > 0 and answered in reported.values(), (answered, reported)
    finally:
        for load in loads:
            load.stop.set()
        for replica in replicas:
            stop_scoring_server(replica)
        if control.poll() is None:
            os.killpg(control.pid, 15)
            control.wait(timeout=20)


def test_blue_green_switches_all_traffic_after_one_judged_step(server, models, endpoint):
    name, url = endpoint
    with Load(url, models["rows"]) as load:
        time.sleep(1)  # the stable version's figures, which a step at 100% has no live traffic for
        start(server, name, "2", strategy="blue-green")
        rollout = wait_for_phase(server, name, {"promoted", "rolled_back", "paused"}, timeout=60)
        time.sleep(1.5)
        settled = len(load.answers)
        time.sleep(1)
    assert rollout["phase"] == "promoted", rollout
    assert rollout["strategy"] == {"name": "blue_green"}
    assert [(r["weights"]["candidate"], r["decision"]) for r in rollout["history"]] == [(100, "advanced")]
    assert load.failures == []
    assert {version for _, version, _ in load.answers[settled:]} == {"2"}


def failing_candidate(server, name: str) -> str:
    """Logs a version of `name` that refuses about a fifth of the inputs at run time: version 1's forest, plus a
    lookup that goes out of range when `mean_texture` is 23 or more (an evaluation error, a 400, as onnxruntime
    refuses it too). Its input example and the stable one's are in range, so the contract checks pass."""
    import mlflow
    import mlflow.onnx
    import numpy as np
    import onnx
    from mlflow.models import infer_signature
    from onnx import TensorProto, helper, numpy_helper
    from skl2onnx import to_onnx
    from sklearn.datasets import load_breast_cancer
    from sklearn.ensemble import RandomForestClassifier

    mlflow.set_tracking_uri(server.url)
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X.astype("float32").rename(columns=lambda c: c.replace(" ", "_"))
    model = RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0).fit(X, y)
    onx = to_onnx(model, X[:1].values)
    graph = onx.graph
    label = graph.output[0].name
    for node in graph.node:
        node.output[:] = [f"{label}_raw" if out == label else out for out in node.output]
    graph.initializer.extend([
        numpy_helper.from_array(np.array([1], dtype=np.int64), "texture_column"),
        numpy_helper.from_array(np.array([1 / 2.3], dtype=np.float32), "scale"),
        numpy_helper.from_array(np.array([-1], dtype=np.int64), "flat"),
        numpy_helper.from_array(np.zeros(10, dtype=np.int64), "table"),
    ])
    graph.node.extend([
        helper.make_node("Gather", [graph.input[0].name, "texture_column"], ["texture"], axis=1),
        helper.make_node("Mul", ["texture", "scale"], ["scaled"]),
        helper.make_node("Cast", ["scaled"], ["index_2d"], to=TensorProto.INT64),
        helper.make_node("Reshape", ["index_2d", "flat"], ["index"]),
        helper.make_node("Gather", ["table", "index"], ["zeros"], axis=0),
        helper.make_node("Add", [f"{label}_raw", "zeros"], [label]),
    ])
    onnx.checker.check_model(onx)
    with mlflow.start_run():
        info = mlflow.onnx.log_model(onx, name="model", input_example=X.head(3),
                                     signature=infer_signature(X, model.predict(X)), registered_model_name=name,
                                     pip_requirements=ONNX_REQUIREMENTS)
    return str(info.registered_model_version)


def test_a_candidate_failing_on_a_fifth_of_inputs_is_rolled_back(server, models, endpoint):
    name, url = endpoint
    version = failing_candidate(server, models["name"])
    with Load(url, models["rows"]) as load:
        start(server, name, version, steps=[20, 50, 100])
        rollout = wait_for_phase(server, name, {"rolled_back", "promoted", "paused"}, timeout=60)
        time.sleep(1.5)
        failures_settled = len(load.failures)
        answers_settled = len(load.answers)
        time.sleep(1)
    assert rollout["phase"] == "rolled_back", rollout
    assert all(check["passed"] for check in rollout["contract_checks"]), rollout["contract_checks"]
    assert rollout["history"][0]["decision"] == "failed"
    error_rate = {c["name"]: c for c in rollout["history"][0]["verdict"]["checks"]}["error_rate"]
    assert error_rate["outcome"] == "fail", error_rate
    assert error_rate["figures"]["candidate_rate"] > 0.1 and error_rate["figures"]["stable_rate"] == 0
    # Only the candidate's step cost failed requests, and only then.
    assert 0 < failures_settled and len(load.failures) == failures_settled
    assert {v for _, v, _ in load.answers[answers_settled:]} == {"1"}


def slow_candidate(server, name: str, tmp_path, target_ms: float) -> str:
    """Logs a version of `name` that answers as version 1's forest does but spends at least `target_ms` per row on
    Kaizen's engine: a chain of 256x256 MatMuls over the input whose sum, times zero, is added to the label. The chain
    is sized with `kaizen onnx bench` on the binary under test, so the slowdown holds for debug and release builds."""
    import mlflow
    import mlflow.onnx
    import numpy as np
    import onnx
    from mlflow.models import infer_signature
    from onnx import TensorProto, helper, numpy_helper
    from skl2onnx import to_onnx
    from sklearn.datasets import load_breast_cancer
    from sklearn.ensemble import RandomForestClassifier

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X.astype("float32").rename(columns=lambda c: c.replace(" ", "_"))
    model = RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0).fit(X, y)
    rng = np.random.default_rng(0)
    weights = [numpy_helper.from_array(rng.random((30, 256), dtype=np.float32) * 1e-4, "w_in"),
               numpy_helper.from_array(rng.random((256, 256), dtype=np.float32) / 256, "w"),
               numpy_helper.from_array(np.zeros(1, dtype=np.float32), "zero")]

    def build(links: int):
        onx = to_onnx(model, X[:1].values)
        graph = onx.graph
        label = graph.output[0].name
        for node in graph.node:
            node.output[:] = [f"{label}_raw" if out == label else out for out in node.output]
        graph.initializer.extend(weights)
        graph.node.extend([helper.make_node("MatMul", [graph.input[0].name, "w_in"], ["h0"])])
        graph.node.extend(helper.make_node("MatMul", [f"h{i}", "w"], [f"h{i + 1}"]) for i in range(links))
        graph.node.extend([
            helper.make_node("ReduceSum", [f"h{links}"], ["total"], keepdims=0),
            helper.make_node("Mul", ["total", "zero"], ["nothing"]),
            helper.make_node("Cast", ["nothing"], ["nothing_int"], to=TensorProto.INT64),
            helper.make_node("Add", [f"{label}_raw", "nothing_int"], [label]),
        ])
        onnx.checker.check_model(onx)
        return onx

    def single_row_ms(links: int) -> float:
        path = tmp_path / f"slow-{links}.onnx"
        onnx.save(build(links), path)
        rows = tmp_path / "rows.pb"
        rows.write_bytes(numpy_helper.from_array(X.head(20).values).SerializeToString())
        bench = subprocess.run([str(KAIZEN_BIN), "onnx", "bench", str(path), "--input", str(rows), "--batch", "1",
                                "--seconds", "0.2", "--calls", "20", "--warmup", "2", "--loads", "1"],
                               capture_output=True, text=True, timeout=300, check=True)
        return json.loads(bench.stdout)["single_row_us"]["median"] / 1000

    # A shared machine's timings wander, and the forest adds a fixed cost the chain does not scale: grow the chain
    # until one measurement reaches the target, with a margin, instead of trusting one straight-line estimate.
    links, measured = 1, single_row_ms(1)
    for _ in range(6):
        if measured >= target_ms:
            break
        links = max(links + 1, int(np.ceil(links * target_ms * 1.25 / measured)))
        measured = single_row_ms(links)
    assert measured >= target_ms * 0.8, (links, measured, target_ms)
    mlflow.set_tracking_uri(server.url)
    with mlflow.start_run():
        info = mlflow.onnx.log_model(build(links), name="model", input_example=X.head(3),
                                     signature=infer_signature(X, model.predict(X)), registered_model_name=name,
                                     pip_requirements=ONNX_REQUIREMENTS)
    return str(info.registered_model_version)


def stable_request_ms(url: str, rows: dict) -> float:
    """The median time of one-row requests to the stable version, as the load's client sees them."""
    times = []
    with requests.Session() as session:
        for index in range(60):
            body = {"dataframe_split": {"columns": rows["columns"], "data": rows["data"][index % 40:index % 40 + 1]}}
            began = time.perf_counter()
            assert session.post(f"{url}/invocations", json=body, timeout=30).status_code == 200
            times.append((time.perf_counter() - began) * 1000)
    return sorted(times)[len(times) // 2]


def test_a_ten_times_slower_candidate_is_stopped_by_latency(server, models, endpoint, tmp_path):
    """(4) A candidate that gives the same answers ten times more slowly (its model time alone is ten times the
    stable version's whole request time). With the default limits the pre-traffic `latency` contract check stops it;
    a rollout whose owner loosened that check (`contract_latency_floor_ms`) lets the candidate take its first step,
    where the `latency_p99` analysis compares it with the stable version on the same live traffic and rolls it back."""
    name, url = endpoint
    version = slow_candidate(server, models["name"], tmp_path, target_ms=10 * stable_request_ms(url, models["rows"]))

    start(server, name, version, steps=[20, 50, 100])
    rollout = wait_for_phase(server, name, {"rolled_back", "step", "promoted"}, timeout=120)
    assert rollout["phase"] == "rolled_back", rollout
    checks = {c["name"]: c for c in rollout["contract_checks"]}
    assert checks["examples"]["passed"] and not checks["latency"]["passed"], checks
    assert api(server, "endpoints/get", name=name).json()["endpoint"]["traffic"] == [{"version": "1", "weight": 100}]

    with Load(url, models["rows"]) as load:
        started = rollout_cli(server, "start", name, "--to", version, "--strategy", "canary", "--steps", "20,50,100",
                              "--step-requests", str(STEP_REQUESTS), "--step-seconds", str(STEP_SECONDS),
                              "--threshold", "contract_latency_floor_ms=10000")
        assert started.returncode == 0, started.stderr
        assert "before traffic, 3x the stable time on examples above 10000 ms" in started.stdout, started.stdout
        rollout = wait_for_phase(server, name, {"rolled_back", "promoted", "paused"}, timeout=120)
        time.sleep(1.5)
        settled = len(load.answers)
        time.sleep(1)
    assert rollout["phase"] == "rolled_back", rollout
    assert all(check["passed"] for check in rollout["contract_checks"]), rollout["contract_checks"]
    assert rollout["history"][0]["decision"] == "failed"
    checks = {c["name"]: c for c in rollout["history"][0]["verdict"]["checks"]}
    assert checks["latency_p99"]["outcome"] == "fail", checks
    assert checks["latency_p99"]["figures"]["ratio"] > 3, checks["latency_p99"]
    assert checks["error_rate"]["outcome"] == "pass" and load.failures == []
    assert {v for _, v, _ in load.answers} == {"1", version}
    assert {v for _, v, _ in load.answers[settled:]} == {"1"}


def test_accuracy_gates_judge_the_candidate_on_feedback_and_on_estimates(server, tmp_path, kaizen_cli):
    """The gates on the inference log: a candidate less accurate on the labels sent back is rolled back by
    `accuracy`; one whose served probabilities are much less confident is rolled back by `estimated_accuracy`
    before any of its labels arrive; the stable model again as candidate passes both and is promoted."""
    import mlflow
    import mlflow.onnx
    import numpy as np
    from mlflow.models import infer_signature
    from skl2onnx import to_onnx
    from sklearn.datasets import load_breast_cancer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    mlflow.set_tracking_uri(server.url)
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X.astype("float32").rename(columns=lambda c: c.replace(" ", "_"))
    rng = np.random.default_rng(0)
    noisy = y.copy()
    flipped = rng.random(len(y)) < 0.3
    noisy[flipped] = 1 - noisy[flipped]
    # v1 the stable forest (97% on the rows sent); v2 a barely fitted logistic regression (89%); v3 a forest fitted
    # on 30% flipped labels (94%, but far less confident); v4 the stable forest again.
    name = f"gated-{os.urandom(3).hex()}"
    for model in (RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0).fit(X, y),
                  LogisticRegression(C=1e-7, max_iter=2000).fit(X, y),
                  RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0).fit(X, noisy),
                  RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0).fit(X, y)):
        with mlflow.start_run():
            mlflow.onnx.log_model(to_onnx(model, X[:1].values, options={"zipmap": False}), name="model",
                                  input_example=X.head(3), signature=infer_signature(X, model.predict(X)),
                                  registered_model_name=name, pip_requirements=ONNX_REQUIREMENTS)
    picks = rng.permutation(len(X))[:200]
    rows = json.loads(X.iloc[picks].to_json(orient="split", index=False))
    labels = [int(v) for v in y.iloc[picks]]
    created = api(server, "endpoints/create", "POST", name=name, model_name=name,
                  traffic=[{"version": "1", "weight": 100}])
    assert created.status_code == 200, created.text
    port = _free_port()
    command = [str(KAIZEN_BIN), "models", "serve", "--endpoint", name, "--host", HOST, "--port", str(port),
               "--poll-interval", "0.5", "--report-interval", "0.5", "--log-segment-seconds", "0.5",
               "--no-access-log"]
    replica = wait_until_ready(_spawn("kaizen", command, kaizen_env(server.url), tmp_path / "replica", port), 60)
    try:
        # The performance reference: the stable version's labelled traffic.
        start_ms = int(time.time() * 1000)
        with Load(replica.url, rows, labels) as load:
            while len(load.answers) < 300:
                time.sleep(0.1)
        time.sleep(1.5)  # the last segment ships
        done = kaizen_cli("monitor", "reference", name, "--window", f"{start_ms}/{int(time.time() * 1000)}")
        assert done.returncode == 0, done.stderr + done.stdout

        def roll_out(version: str, with_labels: bool, **thresholds) -> dict:
            with Load(replica.url, rows, labels if with_labels else None) as load:
                start(server, name, version, steps=[50, 100], step_requests=40, step_seconds=2,
                      thresholds={"max_js_distance": 1, **thresholds})
                rollout = wait_for_phase(server, name, {"promoted", "rolled_back", "paused"}, timeout=120)
            assert not load.failures, load.failures[:3]
            return rollout

        def last_checks(rollout: dict) -> dict:
            return {check["name"]: check for check in rollout["history"][-1]["verdict"]["checks"]}

        worse = roll_out("2", True, max_accuracy_drop=0.03, min_labels=100)
        assert worse["phase"] == "rolled_back", json.dumps(worse, indent=1)
        accuracy = last_checks(worse)["accuracy"]
        assert accuracy["outcome"] == "fail", accuracy
        assert accuracy["figures"]["candidate_accuracy"] < accuracy["figures"]["stable_accuracy"] - 0.03, accuracy
        assert accuracy["figures"]["candidate_labels"] >= 100 and accuracy["figures"]["p_value"] < 0.01, accuracy
        assert "estimated_accuracy" not in last_checks(worse)

        unsure = roll_out("3", False, max_estimated_accuracy_drop=0.05)
        assert unsure["phase"] == "rolled_back", json.dumps(unsure, indent=1)
        estimated = last_checks(unsure)["estimated_accuracy"]
        assert estimated["outcome"] == "fail", estimated
        assert estimated["figures"]["drop"] > 0.05 and estimated["figures"]["candidate_rows"] >= 40, estimated
        assert "down" in estimated["reason"], estimated

        same = roll_out("4", True, max_accuracy_drop=0.03, max_estimated_accuracy_drop=0.05, min_labels=40)
        assert same["phase"] == "promoted", json.dumps(same, indent=1)
        for record in same["history"]:
            checks = {check["name"]: check for check in record["verdict"]["checks"]}
            assert checks["accuracy"]["outcome"] == "pass" and checks["estimated_accuracy"]["outcome"] == "pass"
        print(accuracy["reason"], estimated["reason"], sep="\n")
        status = rollout_cli(server, "status", name)
        assert "accuracy -3.00 pts at most (40 labels), estimated accuracy -5.00 pts at most" in status.stdout, status
    finally:
        stop_scoring_server(replica)
