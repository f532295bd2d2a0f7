"""The inference log with real processes: a Kaizen control plane (`kaizen server`), `kaizen models serve
--inference-log NAME` on a scikit-learn model converted with skl2onnx and logged with the real `mlflow` client, and
plain HTTP.

Checked: every scored request answers an `X-Request-Id` (the caller's own when it sends one); the log's segments reach
the control plane and are listed there; their gzip'd JSON lines hold exactly the rows sent, with the inputs as sent
and the outputs as answered; a server killed with SIGKILL loses at most the rows its `/metrics` counted as unshipped;
the segments route refuses malformed, mismatched and hostile uploads without storing anything, and stores a resent
segment once.
"""

from __future__ import annotations

import gzip
import json
import signal
import time

import pytest
import requests

from conftest import HOST
from interop_helpers import ONNX_REQUIREMENTS
from serving_helpers import parse_prometheus, start_kaizen_serve, stop_scoring_server

SEGMENTS = "/api/2.0/kaizen/monitor/segments"


@pytest.fixture(scope="module")
def iris_model(server):
    """Registered model `log-iris-<n>` version 1: a logistic regression on iris, as ONNX."""
    import mlflow
    import mlflow.onnx
    from mlflow.models import infer_signature
    from skl2onnx import to_onnx
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    mlflow.set_tracking_uri(server.url)
    X, y = load_iris(return_X_y=True, as_frame=True)
    X = X.astype("float32").rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
    model = LogisticRegression(max_iter=500).fit(X, y)
    name = f"log-iris-{int(time.time() * 1000) % 100000}"
    with mlflow.start_run():
        mlflow.onnx.log_model(to_onnx(model, X[:1].values, options={"zipmap": False}), name="model",
                              signature=infer_signature(X, model.predict(X)), registered_model_name=name,
                              pip_requirements=ONNX_REQUIREMENTS)
    return {"name": name, "X": X}


def unshipped(srv) -> dict[str, float]:
    _, samples = parse_prometheus(requests.get(f"{srv.url}/metrics", timeout=10).text)
    values = {}
    for name, labels, value in samples:
        if name.startswith("kaizen_inference_log"):
            values[name + "".join(f"/{v}" for v in labels.values())] = value
    return values


def stored_lines(server, name: str, *, served: bool = True) -> list[dict]:
    listed = requests.get(f"{server.url}/api/2.0/kaizen/monitor/segments/list", params={"endpoint": name}, timeout=10)
    assert listed.status_code == 200, listed.text
    lines = []
    for segment in listed.json()["segments"]:
        blob = requests.get(f"{server.url}/api/2.0/mlflow-artifacts/artifacts/{segment['path']}", timeout=10)
        assert blob.status_code == 200, (segment, blob.text)
        text = gzip.decompress(blob.content).decode()
        rows = [json.loads(line) for line in text.splitlines()]
        assert len(rows) == segment["records"], segment
        if served:
            assert len({row["kaizen.request_id"] for row in rows}) == segment["requests"], segment
        lines += rows
    return lines


def wait_shipped(srv, timeout: float = 30) -> dict[str, float]:
    deadline = time.time() + timeout
    while True:
        values = unshipped(srv)
        if (values["kaizen_inference_log_unshipped_rows/queued"] == 0
                and values["kaizen_inference_log_unshipped_rows/segment"] == 0):
            return values
        assert time.time() < deadline, values
        time.sleep(0.2)


def test_every_request_is_logged_with_its_id_inputs_and_outputs(server, iris_model, tmp_path):
    name = iris_model["name"]
    X = iris_model["X"]
    srv = start_kaizen_serve(f"models:/{name}/1", tmp_path, "--inference-log", name, "--log-segment-seconds", "0.5",
                             "--no-access-log", tracking_uri=server.url)
    try:
        sent = {}
        session = requests.Session()
        for start in range(0, 150, 3):
            rows = X.iloc[start:start + (1 if start % 2 else 3)]
            body = {"dataframe_split": json.loads(rows.to_json(orient="split", index=False))}
            headers = {"X-Request-Id": f"caller-{start}"} if start % 5 == 0 else {}
            answer = session.post(f"{srv.url}/invocations", json=body, headers=headers, timeout=10)
            assert answer.status_code == 200, answer.text
            request_id = answer.headers["X-Request-Id"]
            if start % 5 == 0:
                assert request_id == f"caller-{start}"
            sent[request_id] = (rows, answer.json()["predictions"])
        # Open Inference Protocol requests are logged the same way: the tensor's columns under the signature's names.
        for start in (10, 100):
            rows = X.iloc[start:start + 2]
            body = {"inputs": [{"name": "X", "shape": [2, 4], "datatype": "FP32",
                                "data": [float(v) for v in rows.values.ravel()]}]}
            answer = session.post(f"{srv.url}/v2/models/{name}/infer", json=body, timeout=10)
            assert answer.status_code == 200, answer.text
            outputs = {output["name"]: output["data"] for output in answer.json()["outputs"]}
            predictions = [{"label": outputs["label"][i], "probabilities": outputs["probabilities"][3 * i:3 * i + 3]}
                           for i in range(2)]
            sent[answer.headers["X-Request-Id"]] = (rows, predictions)
        refused = session.post(f"{srv.url}/invocations", data="{", headers={"Content-Type": "application/json"})
        assert refused.status_code == 400 and refused.headers.get("X-Request-Id")
        bad_tensor = {"inputs": [{"name": "X", "shape": [1, 4], "datatype": "BYTES", "data": ["a", "b", "c", "d"]}]}
        refused_v2 = session.post(f"{srv.url}/v2/models/{name}/infer", json=bad_tensor, timeout=10)
        assert refused_v2.status_code == 400 and refused_v2.headers.get("X-Request-Id"), refused_v2.text
        wait_shipped(srv)
        lines = stored_lines(server, name)
        # A refused request is one line with the reason its caller got, and no inputs or outputs.
        refusals = sorted((line for line in lines if "kaizen.refused" in line), key=lambda line: line["kaizen.time"])
        assert [line["kaizen.request_id"] for line in refusals] == [refused.headers["X-Request-Id"],
                                                                   refused_v2.headers["X-Request-Id"]]
        assert refusals[0]["kaizen.refused"] == refused.json()["message"][:200], refusals
        assert refusals[1]["kaizen.refused"] == refused_v2.json()["error"][:200], refusals
        assert not any(key in refusals[0] for key in X.columns) and refusals[0]["kaizen.version"] == "1"
        lines = [line for line in lines if "kaizen.refused" not in line]
        assert len(lines) == sum(len(rows) for rows, _ in sent.values())
        by_request = {}
        for line in lines:
            by_request.setdefault(line["kaizen.request_id"], []).append(line)
        assert set(by_request) == set(sent)
        for request_id, (rows, predictions) in sent.items():
            logged = sorted(by_request[request_id], key=lambda line: line["kaizen.row"])
            assert [line["kaizen.row"] for line in logged] == list(range(len(rows)))
            for line, (_, row), prediction in zip(logged, rows.iterrows(), predictions):
                assert line["kaizen.version"] == "1"
                for column in X.columns:
                    assert line[column] == pytest.approx(float(row[column]), rel=1e-6), (column, line)
                assert line["output.label"] == prediction["label"]
                assert [line[f"output.probabilities_{k}"] for k in range(3)] == pytest.approx(
                    prediction["probabilities"], rel=1e-9)
    finally:
        stop_scoring_server(srv)


def test_a_killed_server_loses_at_most_what_it_counted_unshipped(server, iris_model, tmp_path):
    name = iris_model["name"] + "-kill"
    X = iris_model["X"]
    # Segments close every ~4 KB of lines, so some are shipped and the last one is open when the server dies.
    srv = start_kaizen_serve(f"models:/{iris_model['name']}/1", tmp_path, "--inference-log", name,
                             "--log-segment-mb", "0.004", "--log-segment-seconds", "3600", "--no-access-log",
                             tracking_uri=server.url)
    try:
        session = requests.Session()
        ids = set()
        for start in range(100):
            rows = X.iloc[start:start + 1]
            body = {"dataframe_split": json.loads(rows.to_json(orient="split", index=False))}
            answer = session.post(f"{srv.url}/invocations", json=body, timeout=10)
            assert answer.status_code == 200
            ids.add(answer.headers["X-Request-Id"])
        time.sleep(1.5)
        before = unshipped(srv)
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait(10)
    finally:
        stop_scoring_server(srv)
    counted = (before["kaizen_inference_log_unshipped_rows/queued"]
               + before["kaizen_inference_log_unshipped_rows/segment"])
    assert counted > 0, before
    lines = stored_lines(server, name)
    logged = {line["kaizen.request_id"] for line in lines}
    assert logged <= ids
    assert len(lines) == len(logged)
    assert len(ids) - len(logged) <= counted, (len(ids), len(logged), before)
    assert len(lines) >= before["kaizen_inference_log_shipped_records_total"]


def segment_query(name: str, **overrides) -> dict:
    query = {"endpoint": name, "replica_id": "replica-a", "sequence": 1, "first_time": 1764806400000,
             "last_time": 1764806401000, "records": 2, "requests": 1, "dropped": 0}
    query.update(overrides)
    return query


def test_segments_route_refuses_bad_uploads_and_stores_resends_once(server, unique):
    name = unique("segments")
    body = gzip.compress(b'{"a": 1}\n{"a": 2}\n')
    url = server.url + SEGMENTS
    cases = [
        (segment_query(name), b"not gzip", "not gzip data"),
        (segment_query(name), body[:-6], "cannot be decompressed"),
        (segment_query(name, records=3), body, "holds 2 complete lines"),
        (segment_query(name), gzip.compress(b'{"a": 1}\n{"a": 2}'), "holds 1 complete lines"),
        (segment_query("../etc"), body, "Invalid endpoint"),
        (segment_query("%2e%2e"), body, "Invalid endpoint"),
        (segment_query(name, replica_id="a/../../b"), body, "Invalid replica_id"),
        (segment_query(name, sequence=0), body, "'sequence'"),
        (segment_query(name, sequence="x"), body, "sequence"),
        (segment_query(name, requests=5), body, "requests"),
        (segment_query(name, last_time=1), body, "first <= last"),
        ({"endpoint": name}, body, "replica_id"),
    ]
    for query, data, message in cases:
        answer = requests.post(url, params=query, data=data, headers={"Content-Type": "application/gzip"}, timeout=10)
        assert answer.status_code == 400, (query, answer.text)
        assert answer.json()["error_code"] == "INVALID_PARAMETER_VALUE", answer.text
        assert message in answer.json()["message"], (message, answer.text)
    listed = requests.get(f"{server.url}/api/2.0/kaizen/monitor/segments/list", params={"endpoint": name}, timeout=10)
    assert listed.json()["segments"] == []
    bomb = gzip.compress(b"\n" * (600 << 20))
    answer = requests.post(url, params=segment_query(name, records=1), data=bomb, timeout=60)
    assert answer.status_code == 400 and "decompresses to more than" in answer.json()["message"], answer.text
    first = requests.post(url, params=segment_query(name), data=body, timeout=10)
    again = requests.post(url, params=segment_query(name), data=gzip.compress(b"{}\n{}\n"), timeout=10)
    assert (first.status_code, again.status_code) == (200, 200), (first.text, again.text)
    assert first.json()["stored"] is True and again.json()["stored"] is False
    assert first.json()["segment"] == again.json()["segment"]
    assert stored_lines(server, name, served=False) == [{"a": 1}, {"a": 2}]
    bad = requests.get(f"{server.url}/api/2.0/kaizen/monitor/segments/list", params={"endpoint": "../x"}, timeout=10)
    assert bad.status_code == 400, bad.text


def test_reference_feedback_and_report(server, iris_model, tmp_path, kaizen_cli):
    """Traffic from the training distribution, then with two columns shifted; labels for half the requests. The
    report flags exactly the shifted columns in the shifted range, and its accuracy, F1 and precision equal
    scikit-learn's on the labelled pairs."""
    import numpy as np
    from sklearn.datasets import load_iris
    from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

    name = iris_model["name"] + "-report"
    # The data as clients hold it (float64), not the float32 copy the model was converted with: the reference and
    # the requests must write the same decimals.
    X = load_iris(as_frame=True).data.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
    y = load_iris().target
    reference = tmp_path / "reference.csv"
    X.to_csv(reference, index=False)
    done = kaizen_cli("monitor", "reference", name, str(reference))
    assert done.returncode == 0, done.stderr
    assert "150 rows" in done.stdout
    srv = start_kaizen_serve(f"models:/{iris_model['name']}/1", tmp_path, "--inference-log", name,
                             "--log-segment-seconds", "0.5", "--no-access-log", tracking_uri=server.url)
    rng = np.random.default_rng(7)
    session = requests.Session()
    phases = {}
    probabilities = {}
    try:
        for phase, shift in (("steady", {}), ("shifted", {"sepal_length": 3.0, "petal_width": 1.5})):
            start = int(time.time() * 1000)
            answers = []
            for _ in range(80):
                picks = rng.integers(0, len(X), size=int(rng.integers(1, 4)))
                rows = X.iloc[picks].copy()
                for column, delta in shift.items():
                    rows[column] = rows[column] + delta
                body = {"dataframe_split": json.loads(rows.to_json(orient="split", index=False))}
                answer = session.post(f"{srv.url}/invocations", json=body, timeout=10)
                assert answer.status_code == 200, answer.text
                answers.append((answer.headers["X-Request-Id"], [int(y[i]) for i in picks],
                                [p["label"] for p in answer.json()["predictions"]]))
                probabilities[answer.headers["X-Request-Id"]] = [p["probabilities"]
                                                                 for p in answer.json()["predictions"]]
            if phase == "shifted":
                # Refused requests are logged with their reason, apart from the scored rows.
                for body in ({"dataframe_split": {"columns": ["sepal_length"], "data": [[1.0]]}},) * 3:
                    assert session.post(f"{srv.url}/invocations", json=body, timeout=10).status_code == 400
                for _ in range(2):
                    assert session.post(f"{srv.url}/invocations", data="{", timeout=10,
                                        headers={"Content-Type": "application/json"}).status_code == 400
            time.sleep(0.05)
            phases[phase] = (start, int(time.time() * 1000), answers)
        # Labels for every other request: through the server's POST /feedback, and from a file with the CLI.
        labelled = [a for phase in phases.values() for a in phase[2]][::2]
        half = len(labelled) // 2
        via_server = [{"request_id": rid, "label": labels} for rid, labels, _ in labelled[:half]]
        answer = session.post(f"{srv.url}/feedback", json=via_server, timeout=10)
        assert answer.status_code == 200, answer.text
        assert answer.json()["accepted"] == sum(len(labels) for _, labels, _ in labelled[:half])
        lines = ["request_id,row,label"] + [f"{rid},{row},{label}" for rid, labels, _ in labelled[half:]
                                            for row, label in enumerate(labels)]
        (tmp_path / "labels.csv").write_text("\n".join(lines) + "\n")
        done = kaizen_cli("monitor", "feedback", name, str(tmp_path / "labels.csv"), "--row-column", "row")
        assert done.returncode == 0, done.stderr
        # Bad feedback: clear errors, nothing kept; an unknown id is kept and simply never joins.
        for bad, message in (({"label": 1}, "request_id"), ({"request_id": "x"}, "label"),
                             ({"request_id": "x", "label": {"a": 1}}, "a label is"),
                             ({"request_id": "x y", "label": 1}, "visible ASCII"),
                             ([], "No feedback"), ({"request_id": "x", "label": 1, "row": -1}, "'row'")):
            answer = session.post(f"{srv.url}/feedback", json=bad, timeout=10)
            assert answer.status_code == 400 and message in answer.json()["message"], (bad, answer.text)
        assert session.post(f"{srv.url}/feedback", data="{", timeout=10).status_code == 400
        assert session.post(f"{srv.url}/feedback", json={"request_id": "never-seen", "label": 1},
                            timeout=10).status_code == 200
        wait_shipped(srv)
    finally:
        stop_scoring_server(srv)

    def report(start: int, end: int) -> dict:
        done = kaizen_cli("monitor", "report", name, "--since", str(start), "--until", str(end), "--window",
                          "1d", "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    for phase, expected in (("steady", set()), ("shifted", {"sepal_length", "petal_width"})):
        start, end, answers = phases[phase]
        result = report(start, end)
        assert len(result["windows"]) == 1, result
        window = result["windows"][0]
        assert window["refused_requests"] == (5 if phase == "shifted" else 0), window
        assert sorted(window["refusals"].values()) == ([2, 3] if phase == "shifted" else []), window["refusals"]
        assert window["rows"] == sum(len(labels) for _, labels, _ in answers)
        assert window["requests"] == len(answers)
        drift = window["drift"]
        flagged = {c["name"] for c in drift["columns"] if c["drift"]}
        assert flagged & set(X.columns) == expected, [(c["name"], c.get("score")) for c in drift["columns"]]
        truth, predicted = [], []
        labelled_ids = {rid for rid, _, _ in labelled}
        for rid, labels, predictions in answers:
            if rid in labelled_ids:
                truth += labels
                predicted += predictions
        assert window["labeled_rows"] == len(truth)
        figures = window["performance"]
        assert abs(figures["accuracy"] - accuracy_score(truth, predicted)) <= 1e-9
        assert abs(figures["f1_macro"] - f1_score(truth, predicted, average="macro")) <= 1e-9
        assert abs(figures["precision_macro"] - precision_score(truth, predicted, average="macro",
                                                                zero_division=0)) <= 1e-9
        assert abs(figures["recall_macro"] - recall_score(truth, predicted, average="macro",
                                                          zero_division=0)) <= 1e-9
    # Per segment: the shifted range split by the predicted class; each segment's rows and accuracy are those of
    # its own requests.
    start, end, answers = phases["shifted"]
    done = kaizen_cli("monitor", "report", name, "--since", str(start), "--until", str(end), "--window", "1d",
                      "--segment-by", "output.label", "--json")
    assert done.returncode == 0, done.stderr
    segmented = json.loads(done.stdout)
    assert segmented["segment_by"] == "output.label"
    by_segment = {w["segment"]: w for w in segmented["windows"]}
    pairs = [(t, p) for rid, labels, predictions in answers if rid in labelled_ids
             for t, p in zip(labels, predictions)]
    rows_by_class = {}
    for _, _, predictions in answers:
        for p in predictions:
            rows_by_class[str(p)] = rows_by_class.get(str(p), 0) + 1
    assert {k: w["rows"] for k, w in by_segment.items()} == rows_by_class, by_segment.keys()
    for value, window in by_segment.items():
        subset = [(t, p) for t, p in pairs if str(p) == value]
        assert window["labeled_rows"] == len(subset)
        if subset:
            assert abs(window["performance"]["accuracy"] - accuracy_score(*zip(*subset))) <= 1e-9
    text = kaizen_cli("monitor", "report", name, "--since", str(start), "--until", str(end), "--window", "1d",
                      "--segment-by", "output.label")
    assert text.returncode == 0 and "output.label=" in text.stdout, text.stdout + text.stderr
    for bad, message in (("no_such_column", "no column 'no_such_column'"), ("kaizen.request_id", "more than")):
        refused = kaizen_cli("monitor", "report", name, "--since", str(phases["steady"][0]), "--until", str(end),
                             "--window", "1d", "--segment-by", bad)
        assert refused.returncode != 0 and message in refused.stderr, refused.stderr
    # The report as a self-contained page: every window's columns drawn as inline SVG, the shifted ones marked.
    page = tmp_path / "report.html"
    done = kaizen_cli("monitor", "report", name, "--since", str(phases["steady"][0]), "--until", str(end),
                      "--window", "1d", "--html", str(page))
    assert done.returncode == 0, done.stderr
    html = page.read_text()
    assert html.startswith("<!doctype html>") and "<script" not in html and "http://" not in html.replace(
        server.url, "")
    assert html.count("<svg") >= len(X.columns) and "sepal_length" in html and "accuracy" in html
    assert '<span class="drift">drift</span>' in html
    text = kaizen_cli("monitor", "report", name, "--since", str(phases["steady"][0]), "--window", "1h")
    assert text.returncode == 0 and "accuracy" in text.stdout, text.stdout + text.stderr
    # An empty range is a report with no windows; a bad window or time is a clear error.
    empty = report(1000, 2000)
    assert empty["windows"] == [] and empty["segments"] == 0
    bad = kaizen_cli("monitor", "report", name, "--window", "soon")
    assert bad.returncode != 0 and "not a duration" in bad.stderr
    # A reference the server cannot read is refused and the stored one stays.
    (tmp_path / "bad.jsonl").write_text('{"a": 1}\n[1, 2]\n')
    refused = kaizen_cli("monitor", "reference", name, str(tmp_path / "bad.jsonl"))
    assert refused.returncode != 0 and "not a JSON object" in refused.stderr, refused.stderr
    assert report(phases["shifted"][0], phases["shifted"][1])["reference"] is True
    # The steady traffic itself as the reference: the shifted traffic drifts from it on the two shifted columns.
    steady_start, steady_end, _ = phases["steady"]
    done = kaizen_cli("monitor", "reference", name, "--window", f"{steady_start}/{steady_end}")
    assert done.returncode == 0, done.stderr
    shifted_window = report(phases["shifted"][0], phases["shifted"][1])["windows"][0]
    shifted = shifted_window["drift"]
    assert {c["name"] for c in shifted["columns"] if c["drift"]} & set(X.columns) == {"sepal_length", "petal_width"}
    # The steady window's labelled rows became the reference for estimated accuracy: the shifted window's estimate,
    # made without its labels, equals `kaizen monitor estimate` (NannyML's CBPE) on the same outputs as files.
    steady_labelled = [(labels, probabilities[rid], predictions) for rid, labels, predictions in phases["steady"][2]
                       if rid in labelled_ids]
    assert f"{sum(len(t) for t, _, _ in steady_labelled)} labelled rows" in done.stdout, done.stdout
    head = "p0,p1,p2,prediction,target\n"
    (tmp_path / "cbpe-reference.csv").write_text(head + "".join(
        f"{p[0]!r},{p[1]!r},{p[2]!r},{guess},{truth}\n" for labels, probs, guesses in steady_labelled
        for truth, p, guess in zip(labels, probs, guesses)))
    shifted_rows = [(p, guess) for rid, _, guesses in phases["shifted"][2]
                    for p, guess in zip(probabilities[rid], guesses)]
    (tmp_path / "cbpe-analysis.csv").write_text(head + "".join(
        f"{p[0]!r},{p[1]!r},{p[2]!r},{guess},\n" for p, guess in shifted_rows))
    estimate = kaizen_cli("monitor", "estimate", "--reference", str(tmp_path / "cbpe-reference.csv"), "--analysis",
                          str(tmp_path / "cbpe-analysis.csv"), "--y-pred-proba", "0=p0", "--y-pred-proba", "1=p1",
                          "--y-pred-proba", "2=p2", "--y-pred", "prediction", "--y-true", "target",
                          "--chunk-size", str(len(shifted_rows)), "--metrics", "accuracy", "--json")
    assert estimate.returncode == 0, estimate.stderr
    expected = json.loads(estimate.stdout)["chunks"][0]["metrics"]["accuracy"]["estimated"]
    live = shifted_window["estimated_performance"]
    assert abs(live["accuracy"] - expected) <= 1e-9, (live, expected)
    assert live["reference_rows"] == sum(len(t) for t, _, _ in steady_labelled)
    assert live["lower_bound"] <= live["accuracy"] <= live["upper_bound"]
    empty = kaizen_cli("monitor", "reference", name, "--window", "1000/2000")
    assert empty.returncode != 0 and "logged no traffic" in empty.stderr
    # A run's artifact as the reference (the model's training data, logged with the real client).
    import mlflow

    mlflow.set_tracking_uri(server.url)
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(reference), artifact_path="data")
    done = kaizen_cli("monitor", "reference", name, "--from", f"runs:/{run.info.run_id}/data/reference.csv")
    assert done.returncode == 0 and "150 rows" in done.stdout, done.stdout + done.stderr
    for bad in (f"runs:/{run.info.run_id}/../x.csv", "runs:/nothex/x.csv", f"runs:/{run.info.run_id}/data/none.csv"):
        refused = kaizen_cli("monitor", "reference", name, "--from", bad)
        assert refused.returncode != 0, bad
    both = kaizen_cli("monitor", "reference", name, str(reference), "--window", "1/2")
    assert both.returncode != 0 and "Give one reference" in both.stderr
