"""Kaizen as seen by the real `mlflow` Python client.

Everything here goes through the public mlflow API (fluent functions and
MlflowClient) exactly as a Kaizen user would write it, and checks the values
that come back from the server.
"""

from __future__ import annotations

import json
import math
import re
import time
import uuid
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
import requests
from mlflow import MlflowClient
from mlflow.entities import LoggedModelStatus, Metric, Param, RunStatus, RunTag, ViewType
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import (
    INVALID_PARAMETER_VALUE,
    RESOURCE_ALREADY_EXISTS,
    RESOURCE_DOES_NOT_EXIST,
    ErrorCode,
)

RUN_ID_RE = re.compile(r"^[0-9a-f]{32}$")
GENERATED_NAME_RE = re.compile(r"^[a-z]+-[a-z]+-\d+$")


def error_code(exc: MlflowException) -> str:
    return exc.error_code


def code_name(code: int) -> str:
    return ErrorCode.Name(code)


def now_ms() -> int:
    return int(time.time() * 1000)


# ======================================================================================
# Experiments and runs through the fluent API
# ======================================================================================


def test_health_and_version(tracking_uri):
    health = requests.get(f"{tracking_uri}/health", timeout=10)
    assert health.status_code == 200 and health.text.strip() == "OK"
    version = requests.get(f"{tracking_uri}/version", timeout=10)
    assert version.status_code == 200 and version.text.strip()


def test_default_experiment_exists(client):
    exp = client.get_experiment("0")
    assert exp.experiment_id == "0"
    assert exp.name == "Default"
    assert exp.lifecycle_stage == "active"
    by_name = client.get_experiment_by_name("Default")
    assert by_name is not None and by_name.experiment_id == "0"


def test_set_experiment_creates_then_reuses(client, unique):
    name = unique("set-exp")
    assert client.get_experiment_by_name(name) is None

    exp = mlflow.set_experiment(name)
    assert exp.name == name
    assert exp.experiment_id and exp.experiment_id != "0"
    assert exp.lifecycle_stage == "active"
    assert exp.artifact_location.startswith("mlflow-artifacts:/")
    assert exp.creation_time and exp.creation_time > 0

    again = mlflow.set_experiment(name)
    assert again.experiment_id == exp.experiment_id

    by_name = client.get_experiment_by_name(name)
    assert by_name.experiment_id == exp.experiment_id
    by_id = mlflow.set_experiment(experiment_id=exp.experiment_id)
    assert by_id.name == name

    with mlflow.start_run() as run:
        pass
    assert run.info.experiment_id == exp.experiment_id


def test_start_run_with_name(client, unique):
    exp = mlflow.set_experiment(unique("named-run"))
    before = now_ms()
    with mlflow.start_run(run_name="my-named-run") as active:
        run_id = active.info.run_id
        assert RUN_ID_RE.match(run_id), run_id
        assert active.info.run_name == "my-named-run"
        assert active.info.status == "RUNNING"
        assert mlflow.active_run().info.run_id == run_id

    assert mlflow.active_run() is None
    run = client.get_run(run_id)
    assert run.info.run_id == run_id
    assert run.info.experiment_id == exp.experiment_id
    assert run.info.run_name == "my-named-run"
    assert run.data.tags["mlflow.runName"] == "my-named-run"
    assert run.info.status == "FINISHED"
    assert run.info.lifecycle_stage == "active"
    assert before - 5000 <= run.info.start_time <= run.info.end_time <= now_ms() + 5000
    assert run.info.artifact_uri.endswith(f"/{run_id}/artifacts")
    assert run.info.artifact_uri.startswith(f"mlflow-artifacts:/{exp.experiment_id}/")
    # The client's standard tags come back too.
    assert "mlflow.user" in run.data.tags
    assert run.data.tags.get("mlflow.source.type") == "LOCAL"


def test_start_run_generates_name(client, unique):
    mlflow.set_experiment(unique("generated-name"))
    with mlflow.start_run() as active:
        run_id = active.info.run_id
        generated = active.info.run_name
    assert generated, "the server must generate a run name"
    assert GENERATED_NAME_RE.match(generated), generated
    run = client.get_run(run_id)
    assert run.info.run_name == generated
    assert run.data.tags["mlflow.runName"] == generated


def test_end_run_with_failed_status_and_nested_runs(client, unique):
    mlflow.set_experiment(unique("status"))
    with mlflow.start_run(run_name="parent") as parent:
        with mlflow.start_run(run_name="child", nested=True) as child:
            pass
    mlflow.start_run(run_name="failing")
    failing_id = mlflow.active_run().info.run_id
    mlflow.end_run(status="FAILED")

    assert client.get_run(child.info.run_id).data.tags["mlflow.parentRunId"] == parent.info.run_id
    assert client.get_run(child.info.run_id).info.status == "FINISHED"
    assert client.get_run(parent.info.run_id).info.status == "FINISHED"
    failed = client.get_run(failing_id)
    assert failed.info.status == "FAILED"
    assert failed.info.end_time is not None


# ======================================================================================
# Params, metrics, tags
# ======================================================================================


def test_params_metrics_tags_round_trip(client, unique):
    mlflow.set_experiment(unique("logging"))
    with mlflow.start_run() as run:
        mlflow.log_param("alpha", 0.5)
        mlflow.log_params({"solver": "lbfgs", "max_iter": 200, "layers": [64, 32]})
        mlflow.log_metric("loss", 0.9, step=0)
        mlflow.log_metric("loss", 0.5, step=1)
        mlflow.log_metric("loss", 0.25, step=2)
        mlflow.log_metrics({"accuracy": 0.75, "f1": 0.7}, step=3)
        mlflow.set_tag("team", "vision")
        mlflow.set_tags({"stage": "dev", "priority": 1})
    data = client.get_run(run.info.run_id).data

    assert data.params == {"alpha": "0.5", "solver": "lbfgs", "max_iter": "200", "layers": "[64, 32]"}
    assert data.metrics["loss"] == pytest.approx(0.25)  # latest step wins
    assert data.metrics["accuracy"] == pytest.approx(0.75)
    assert data.metrics["f1"] == pytest.approx(0.7)
    assert data.tags["team"] == "vision"
    assert data.tags["stage"] == "dev"
    assert data.tags["priority"] == "1"


def test_latest_metric_is_highest_step_not_last_logged(client, unique):
    exp_id = client.create_experiment(unique("latest"))
    run_id = client.create_run(exp_id).info.run_id
    t0 = now_ms()
    client.log_metric(run_id, "m", 5.0, timestamp=t0, step=5)
    client.log_metric(run_id, "m", 2.0, timestamp=t0 + 10, step=2)  # logged later, lower step
    assert client.get_run(run_id).data.metrics["m"] == pytest.approx(5.0)
    client.log_metric(run_id, "m", 7.0, timestamp=t0 + 20, step=5)  # same step, newer timestamp
    assert client.get_run(run_id).data.metrics["m"] == pytest.approx(7.0)
    history = client.get_metric_history(run_id, "m")
    assert sorted((m.step, m.value) for m in history) == [(2, 2.0), (5, 5.0), (5, 7.0)]


def test_metric_history_values_steps_timestamps(client, unique):
    exp_id = client.create_experiment(unique("history"))
    run_id = client.create_run(exp_id).info.run_id
    t0 = 1_700_000_000_000
    expected = [(step, 1.0 / (step + 1), t0 + step * 1000) for step in range(10)]
    for step, value, ts in expected:
        client.log_metric(run_id, "val_loss", value, timestamp=ts, step=step)
    client.log_metric(run_id, "other", 42.0, timestamp=t0, step=0)

    history = client.get_metric_history(run_id, "val_loss")
    assert len(history) == len(expected)
    got = sorted((m.step, m.value, m.timestamp) for m in history)
    for (step, value, ts), (g_step, g_value, g_ts) in zip(expected, got):
        assert g_step == step
        assert g_value == pytest.approx(value)
        assert g_ts == ts
    assert all(m.key == "val_loss" for m in history)
    assert [m.value for m in client.get_metric_history(run_id, "other")] == [42.0]
    assert client.get_metric_history(run_id, "never-logged") == []


def test_nan_and_infinite_metrics(client, unique):
    mlflow.set_experiment(unique("nan"))
    with mlflow.start_run() as run:
        mlflow.log_metric("nan_metric", float("nan"))
        mlflow.log_metric("pos_inf", float("inf"))
        mlflow.log_metric("neg_inf", float("-inf"))
        mlflow.log_metric("normal", 1.5)
    metrics = client.get_run(run.info.run_id).data.metrics
    assert math.isnan(metrics["nan_metric"])
    # Infinities may be stored as +/- DBL_MAX (as the reference server does) or kept as inf.
    assert metrics["pos_inf"] >= 1.7976931348623157e308
    assert metrics["neg_inf"] <= -1.7976931348623157e308
    assert metrics["normal"] == 1.5
    history = client.get_metric_history(run.info.run_id, "nan_metric")
    assert len(history) == 1 and math.isnan(history[0].value)


def test_params_are_immutable(client, unique):
    mlflow.set_experiment(unique("immutable"))
    with mlflow.start_run() as run:
        mlflow.log_param("alpha", "0.5")
        mlflow.log_param("alpha", "0.5")  # same value again is fine
        with pytest.raises(MlflowException) as excinfo:
            mlflow.log_param("alpha", "0.9")
        assert error_code(excinfo.value) == code_name(INVALID_PARAMETER_VALUE)
        assert "alpha" in str(excinfo.value)
        with pytest.raises(MlflowException) as excinfo:
            mlflow.log_params({"alpha": "1.0", "beta": "2"})
        assert error_code(excinfo.value) == code_name(INVALID_PARAMETER_VALUE)
    assert client.get_run(run.info.run_id).data.params["alpha"] == "0.5"


def test_logging_to_deleted_run_raises(client, unique):
    exp_id = client.create_experiment(unique("deleted-run"))
    run_id = client.create_run(exp_id).info.run_id
    client.log_param(run_id, "before", "1")
    client.delete_run(run_id)
    for call in (
        lambda: client.log_param(run_id, "after", "1"),
        lambda: client.log_metric(run_id, "after", 1.0),
        lambda: client.set_tag(run_id, "after", "1"),
        lambda: client.log_batch(run_id, metrics=[Metric("after", 1.0, now_ms(), 0)]),
    ):
        with pytest.raises(MlflowException) as excinfo:
            call()
        assert error_code(excinfo.value) == code_name(INVALID_PARAMETER_VALUE)
    run = client.get_run(run_id)
    assert run.info.lifecycle_stage == "deleted"
    assert "after" not in run.data.params and "after" not in run.data.metrics


def test_log_batch_large_is_split_by_client_and_accepted(client, unique):
    exp_id = client.create_experiment(unique("batch"))
    run_id = client.create_run(exp_id).info.run_id
    ts = now_ms()
    metrics = [Metric("series", float(i), ts + i, i) for i in range(2500)]
    metrics += [Metric(f"m{i}", float(i), ts, 0) for i in range(50)]
    params = [Param(f"p{i}", str(i)) for i in range(150)]
    tags = [RunTag(f"t{i}", f"v{i}") for i in range(120)]
    client.log_batch(run_id, metrics=metrics, params=params, tags=tags)
    run = client.get_run(run_id)
    assert run.data.metrics["series"] == 2499.0
    assert run.data.metrics["m49"] == 49.0
    assert len(run.data.params) == 150 and run.data.params["p149"] == "149"
    assert run.data.tags["t119"] == "v119"
    history = client.get_metric_history(run_id, "series")
    assert len(history) == 2500
    assert sorted(m.step for m in history) == list(range(2500))


# ======================================================================================
# Artifacts
# ======================================================================================


def test_log_artifact_and_download(client, unique, scratch):
    mlflow.set_experiment(unique("artifacts"))
    notes = scratch / "notes.txt"
    notes.write_text("hello kaizen\nsecond line\n")
    blob = scratch / "weights.bin"
    payload = bytes(range(256)) * 64 + b"\x00\xff" * 100
    blob.write_bytes(payload)
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(notes))
        mlflow.log_artifact(str(blob), artifact_path="sub/dir")
        mlflow.log_text("plain text body", "texts/readme.md")
        mlflow.log_dict({"lr": 0.1, "layers": [1, 2]}, "cfg/config.json")
    run_id = run.info.run_id

    top = {(f.path, f.is_dir) for f in client.list_artifacts(run_id)}
    assert top == {("notes.txt", False), ("sub", True), ("texts", True), ("cfg", True)}
    sub = client.list_artifacts(run_id, "sub/dir")
    assert [(f.path, f.is_dir, f.file_size) for f in sub] == [("sub/dir/weights.bin", False, len(payload))]

    dst = scratch / "download"
    dst.mkdir()
    local = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="notes.txt", dst_path=str(dst))
    assert Path(local).read_text() == "hello kaizen\nsecond line\n"
    local_bin = client.download_artifacts(run_id, "sub/dir/weights.bin", str(dst))
    assert Path(local_bin).read_bytes() == payload
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/texts/readme.md") == "plain text body"
    assert mlflow.artifacts.load_dict(f"runs:/{run_id}/cfg/config.json") == {"lr": 0.1, "layers": [1, 2]}

    everything = Path(mlflow.artifacts.download_artifacts(run_id=run_id, dst_path=str(scratch / "all")))
    assert (everything / "notes.txt").read_text() == "hello kaizen\nsecond line\n"
    assert (everything / "sub" / "dir" / "weights.bin").read_bytes() == payload
    assert (everything / "cfg" / "config.json").is_file()


def test_log_artifacts_directory(client, unique, scratch):
    src = scratch / "outputs"
    (src / "plots" / "deep").mkdir(parents=True)
    (src / "summary.csv").write_text("a,b\n1,2\n")
    (src / "plots" / "curve.svg").write_text("<svg/>")
    (src / "plots" / "deep" / "empty.txt").write_text("")
    mlflow.set_experiment(unique("log-artifacts"))
    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(src), artifact_path="outputs")
    run_id = run.info.run_id
    assert [f.path for f in client.list_artifacts(run_id)] == ["outputs"]
    listed = {(f.path, f.is_dir) for f in client.list_artifacts(run_id, "outputs")}
    assert listed == {("outputs/summary.csv", False), ("outputs/plots", True)}
    got = Path(client.download_artifacts(run_id, "outputs", str(scratch / "dl")))
    assert (got / "summary.csv").read_text() == "a,b\n1,2\n"
    assert (got / "plots" / "curve.svg").read_text() == "<svg/>"
    assert (got / "plots" / "deep" / "empty.txt").read_bytes() == b""


# ======================================================================================
# Datasets
# ======================================================================================


def test_log_input_dataset(client, unique):
    from sklearn.datasets import load_iris

    iris = load_iris(as_frame=True)
    df = iris.frame
    dataset = mlflow.data.from_pandas(df, name="iris-train", targets="target")
    exp = mlflow.set_experiment(unique("datasets"))
    with mlflow.start_run() as run:
        mlflow.log_input(dataset, context="training", tags={"split": "train"})
    inputs = client.get_run(run.info.run_id).inputs.dataset_inputs
    assert len(inputs) == 1
    got = inputs[0].dataset
    expected = dataset._to_mlflow_entity()
    assert got.name == "iris-train"
    assert got.digest == dataset.digest == expected.digest
    assert got.source_type == expected.source_type
    assert json.loads(got.source) == json.loads(expected.source)
    assert json.loads(got.schema) == json.loads(expected.schema)
    colspec = json.loads(got.schema)["mlflow_colspec"]
    assert [c["name"] for c in colspec] == list(df.columns)
    assert json.loads(got.profile) == {"num_rows": 150, "num_elements": 750}
    tags = {t.key: t.value for t in inputs[0].tags}
    assert tags["mlflow.data.context"] == "training"
    assert tags["split"] == "train"

    # The same dataset object logged again to another run keeps its identity.
    with mlflow.start_run() as run2:
        mlflow.log_input(dataset, context="eval")
    again = client.get_run(run2.info.run_id).inputs.dataset_inputs
    assert [d.dataset.digest for d in again] == [dataset.digest]
    assert {t.key: t.value for t in again[0].tags}["mlflow.data.context"] == "eval"
    with mlflow.start_run() as plain:
        pass
    assert client.get_run(plain.info.run_id).inputs.dataset_inputs == []

    def hits(filter_string):
        return set(mlflow.search_runs([exp.experiment_id], filter_string=filter_string)["run_id"])

    assert hits("dataset.name = 'iris-train'") == {run.info.run_id, run2.info.run_id}
    assert hits("datasets.context = 'training'") == {run.info.run_id}
    assert hits(f"datasets.digest IN ('{dataset.digest}')") == {run.info.run_id, run2.info.run_id}


# ======================================================================================
# search_runs
# ======================================================================================

# Runs of the search corpus: name -> (params, metrics, tags, status)
CORPUS = {
    "alpha-1": ({"model": "random_forest", "lr": "0.1", "group": "a"},
                {"rmse": 0.30, "acc": 0.90, "score": 2.0}, {"team": "red", "stage": "dev"}, "FINISHED"),
    "alpha-2": ({"model": "linear", "lr": "0.01", "group": "a"},
                {"rmse": 0.55, "acc": 0.80, "score": float("nan")}, {"team": "Red", "stage": "prod"}, "FINISHED"),
    "beta-1": ({"model": "random_forest", "lr": "0.5", "group": "b"},
               {"rmse": 0.20, "score": 1.0}, {"team": "blue"}, "FAILED"),
    "beta-2": ({"model": "gbm", "group": "b"}, {"acc": 0.95}, {"team": "blue"}, "FINISHED"),
    "gamma-1": ({"group": "c"}, {"rmse": 0.75}, {}, "RUNNING"),
}
DELETED_RUN = "deleted-1"


@pytest.fixture(scope="module")
def corpus(server):
    """One experiment with the CORPUS runs (plus a deleted one), created once per module."""
    client = MlflowClient(tracking_uri=server.url)
    name = f"search-corpus-{uuid.uuid4().hex[:12]}"
    exp_id = client.create_experiment(name)
    ids = {}
    base = 1_700_000_000_000
    runs = [*CORPUS.items(), (DELETED_RUN, ({}, {"rmse": 0.1}, {}, "FINISHED"))]
    for i, (run_name, (params, metrics, tags, status)) in enumerate(runs):
        run = client.create_run(exp_id, start_time=base + i * 1000, run_name=run_name)
        rid = run.info.run_id
        client.log_batch(
            rid,
            metrics=[Metric(k, v, base, 0) for k, v in metrics.items()],
            params=[Param(k, v) for k, v in params.items()],
            tags=[RunTag(k, v) for k, v in tags.items()],
        )
        if status != "RUNNING":
            client.set_terminated(rid, status=status, end_time=base + i * 1000 + 500)
        ids[run_name] = rid
    client.delete_run(ids[DELETED_RUN])
    return {"exp_id": exp_id, "name": name, "ids": ids, "base": base}


def names_of(df: pd.DataFrame) -> list[str]:
    return list(df["tags.mlflow.runName"])


def test_search_runs_returns_dataframe(corpus):
    df = mlflow.search_runs(experiment_ids=[corpus["exp_id"]])
    assert isinstance(df, pd.DataFrame)
    assert len(df) == len(CORPUS)
    for column in ("run_id", "experiment_id", "status", "artifact_uri", "start_time", "end_time",
                   "metrics.rmse", "metrics.acc", "params.model", "params.lr", "tags.team",
                   "tags.mlflow.runName"):
        assert column in df.columns, column
    # Default order: newest start_time first.
    assert names_of(df) == ["gamma-1", "beta-2", "beta-1", "alpha-2", "alpha-1"]
    row = df.set_index("tags.mlflow.runName").loc["alpha-1"]
    assert row["run_id"] == corpus["ids"]["alpha-1"]
    assert row["experiment_id"] == corpus["exp_id"]
    assert row["status"] == "FINISHED"
    assert row["metrics.rmse"] == pytest.approx(0.30)
    assert row["params.model"] == "random_forest"
    assert row["tags.team"] == "red"
    assert pd.Timestamp(row["start_time"]).value // 10**6 == corpus["base"]
    beta2 = df.set_index("tags.mlflow.runName").loc["beta-2"]
    assert pd.isna(beta2["metrics.rmse"])
    assert pd.isna(beta2["params.lr"])
    gamma = df.set_index("tags.mlflow.runName").loc["gamma-1"]
    assert gamma["status"] == "RUNNING"
    assert pd.isna(gamma["end_time"])


@pytest.mark.parametrize(
    ("filter_string", "expected"),
    [
        ("metrics.rmse < 0.5", {"alpha-1", "beta-1"}),
        ("metrics.rmse >= 0.55", {"alpha-2", "gamma-1"}),
        ("metrics.acc = 0.9", {"alpha-1"}),
        ("metrics.rmse != 0.3", {"alpha-2", "beta-1", "gamma-1"}),
        ("metric.acc > 0.85", {"alpha-1", "beta-2"}),
        ("metrics.rmse <= 2e-1", {"beta-1"}),
        ("params.model = 'random_forest'", {"alpha-1", "beta-1"}),
        ("params.model != 'random_forest'", {"alpha-2", "beta-2"}),
        ("param.lr = \"0.01\"", {"alpha-2"}),
        ("params.lr LIKE '0.%'", {"alpha-1", "alpha-2", "beta-1"}),
        ("params.model LIKE '%forest'", {"alpha-1", "beta-1"}),
        ("params.model ILIKE '%FOREST%'", {"alpha-1", "beta-1"}),
        ("tags.team = 'red'", {"alpha-1"}),
        ("tags.team LIKE 'r%'", {"alpha-1"}),
        ("tags.team ILIKE 'RE%'", {"alpha-1", "alpha-2"}),
        ("tags.team != 'blue'", {"alpha-1", "alpha-2"}),
        ("tag.stage = 'prod'", {"alpha-2"}),
        ("tags.`mlflow.runName` = 'gamma-1'", {"gamma-1"}),
        ("attributes.status = 'FAILED'", {"beta-1"}),
        ("attributes.status != 'FINISHED'", {"beta-1", "gamma-1"}),
        ("attributes.run_name LIKE 'alpha-%'", {"alpha-1", "alpha-2"}),
        ("attributes.run_name ILIKE 'BETA%'", {"beta-1", "beta-2"}),
        ("run_name = 'beta-2'", {"beta-2"}),
        ("status = 'RUNNING'", {"gamma-1"}),
        ("params.group = 'a' and metrics.rmse < 0.5", {"alpha-1"}),
        ("metrics.rmse < 0.5 AND params.model = 'random_forest' AND tags.team = 'blue'", {"beta-1"}),
        ("metrics.never_logged > 0", set()),
        ("params.model = 'no-such-model'", set()),
    ],
)
def test_search_runs_filters(corpus, filter_string, expected):
    df = mlflow.search_runs(experiment_ids=[corpus["exp_id"]], filter_string=filter_string)
    assert isinstance(df, pd.DataFrame)
    got = set(names_of(df)) if len(df) else set()
    assert got == expected, f"{filter_string!r}: got {sorted(got)}, want {sorted(expected)}"


def test_search_runs_time_attribute_filter(corpus):
    base = corpus["base"]
    df = mlflow.search_runs(experiment_ids=[corpus["exp_id"]], filter_string=f"attributes.start_time >= {base + 2000}")
    assert set(names_of(df)) == {"beta-1", "beta-2", "gamma-1"}
    df = mlflow.search_runs(experiment_ids=[corpus["exp_id"]], filter_string=f"attributes.end_time < {base + 1000}")
    assert set(names_of(df)) == {"alpha-1"}


def test_search_runs_in_run_id(corpus):
    ids = corpus["ids"]
    wanted = [ids["alpha-2"], ids["gamma-1"]]
    df = mlflow.search_runs(
        experiment_ids=[corpus["exp_id"]],
        filter_string=f"attributes.run_id IN ('{wanted[0]}', '{wanted[1]}')",
    )
    assert set(df["run_id"]) == set(wanted)
    df = mlflow.search_runs(
        experiment_ids=[corpus["exp_id"]],
        filter_string=f"attributes.run_id = '{ids['beta-1']}'",
    )
    assert list(df["run_id"]) == [ids["beta-1"]]
    df = mlflow.search_runs(
        experiment_ids=[corpus["exp_id"]],
        filter_string=f"attributes.run_id NOT IN ('{wanted[0]}', '{wanted[1]}')",
    )
    assert set(names_of(df)) == {"alpha-1", "beta-1", "beta-2"}


@pytest.mark.parametrize(
    ("order_by", "expected"),
    [
        (["metrics.rmse ASC"], ["beta-1", "alpha-1", "alpha-2", "gamma-1", "beta-2"]),
        (["metrics.rmse DESC"], ["gamma-1", "alpha-2", "alpha-1", "beta-1", "beta-2"]),
        (["metrics.rmse"], ["beta-1", "alpha-1", "alpha-2", "gamma-1", "beta-2"]),
        (["params.group ASC", "metrics.rmse DESC"], ["alpha-2", "alpha-1", "beta-1", "beta-2", "gamma-1"]),
        (["params.model DESC", "attributes.run_name ASC"], ["alpha-1", "beta-1", "alpha-2", "beta-2", "gamma-1"]),
        (["tags.team DESC", "attributes.run_name DESC"], ["alpha-1", "beta-2", "beta-1", "alpha-2", "gamma-1"]),
        (["attributes.start_time ASC"], ["alpha-1", "alpha-2", "beta-1", "beta-2", "gamma-1"]),
        (["attributes.run_name DESC"], ["gamma-1", "beta-2", "beta-1", "alpha-2", "alpha-1"]),
    ],
)
def test_search_runs_order_by(corpus, order_by, expected):
    df = mlflow.search_runs(experiment_ids=[corpus["exp_id"]], order_by=order_by)
    assert names_of(df) == expected, f"order_by={order_by}"


def test_search_runs_order_by_nan_and_missing_last(corpus):
    # score: beta-1 1.0, alpha-1 2.0, alpha-2 NaN, others missing.
    asc = names_of(mlflow.search_runs(experiment_ids=[corpus["exp_id"]], order_by=["metrics.score ASC"]))
    assert asc[:2] == ["beta-1", "alpha-1"]
    assert asc[2] == "alpha-2"  # NaN after every number
    assert set(asc[3:]) == {"beta-2", "gamma-1"}  # missing values last
    desc = names_of(mlflow.search_runs(experiment_ids=[corpus["exp_id"]], order_by=["metrics.score DESC"]))
    assert desc[:3] == ["alpha-1", "beta-1", "alpha-2"]  # NaN after every number in both directions
    assert set(desc[3:]) == {"beta-2", "gamma-1"}


def test_search_runs_view_types_and_formats(corpus):
    exp = [corpus["exp_id"]]
    all_runs = mlflow.search_runs(experiment_ids=exp, run_view_type=ViewType.ALL)
    assert set(names_of(all_runs)) == set(CORPUS) | {DELETED_RUN}
    deleted = mlflow.search_runs(experiment_ids=exp, run_view_type=ViewType.DELETED_ONLY)
    assert names_of(deleted) == [DELETED_RUN]
    assert set(deleted["run_id"]) == {corpus["ids"][DELETED_RUN]}

    runs = mlflow.search_runs(experiment_ids=exp, output_format="list", order_by=["metrics.rmse ASC"])
    assert [r.info.run_name for r in runs] == ["beta-1", "alpha-1", "alpha-2", "gamma-1", "beta-2"]
    assert runs[0].data.params["model"] == "random_forest"
    assert runs[0].data.metrics["rmse"] == pytest.approx(0.20)
    assert runs[0].data.tags["team"] == "blue"

    by_name = mlflow.search_runs(experiment_names=[corpus["name"]])
    assert set(names_of(by_name)) == set(CORPUS)
    limited = mlflow.search_runs(experiment_ids=exp, max_results=2, order_by=["attributes.run_name ASC"])
    assert names_of(limited) == ["alpha-1", "alpha-2"]


def test_search_runs_across_experiments(client, corpus, unique):
    other = client.create_experiment(unique("other"))
    rid = client.create_run(other, run_name="elsewhere").info.run_id
    client.log_metric(rid, "rmse", 0.01)
    df = mlflow.search_runs(experiment_ids=[corpus["exp_id"], other], filter_string="metrics.rmse < 0.25")
    assert set(names_of(df)) == {"beta-1", "elsewhere"}
    assert set(df["experiment_id"]) == {corpus["exp_id"], other}


def test_search_runs_invalid_filter_raises(corpus):
    # A dangling OR: MLflow refuses every OR, Kaizen (whose run filters accept OR) this one.
    with pytest.raises(MlflowException) as excinfo:
        mlflow.search_runs(experiment_ids=[corpus["exp_id"]], filter_string="metrics.rmse < 1 OR")
    assert error_code(excinfo.value) == code_name(INVALID_PARAMETER_VALUE)
    with pytest.raises(MlflowException) as excinfo:
        mlflow.search_runs(experiment_ids=[corpus["exp_id"]], filter_string="metrics.rmse < 'abc'")
    assert error_code(excinfo.value) == code_name(INVALID_PARAMETER_VALUE)


# Kaizen's extension of the grammar: OR and parentheses in run filters. The mlflow client sends the filter
# string as it is (the REST store does not parse it), so these go through the client's own calls.


@pytest.mark.kaizen_only  # MLflow's server refuses OR
@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("metrics.rmse < 0.25", "params.model = 'linear'", {"beta-1", "alpha-2"}),
        ("tags.team = 'blue'", "attributes.status = 'RUNNING'", {"beta-1", "beta-2", "gamma-1"}),
        ("metrics.acc > 0.85", "params.lr LIKE '0.0%'", {"alpha-1", "alpha-2", "beta-2"}),
        ("params.group = 'c'", "metrics.rmse > 0.5", {"alpha-2", "gamma-1"}),
    ],
)
def test_search_runs_or_is_the_union(client, corpus, left, right, expected):
    def names(filter_string: str) -> set[str]:
        return {r.info.run_name for r in client.search_runs([corpus["exp_id"]], filter_string=filter_string)}

    assert names(f"{left} OR {right}") == expected
    assert expected == names(left) | names(right)
    df = mlflow.search_runs(experiment_ids=[corpus["exp_id"]], filter_string=f"({right}) or ({left})")
    assert set(names_of(df)) == expected


@pytest.mark.kaizen_only  # MLflow's server refuses OR and parentheses
def test_search_runs_or_with_groups_order_and_pages(client, corpus):
    exp = [corpus["exp_id"]]
    grouped = "(metrics.rmse < 0.5 OR params.model = 'gbm') AND params.group != 'c'"
    runs = client.search_runs(exp, grouped, order_by=["metrics.rmse ASC"])
    assert [r.info.run_name for r in runs] == ["beta-1", "alpha-1", "beta-2"]
    # AND binds tighter than OR.
    ungrouped = "metrics.rmse < 0.5 OR params.model = 'gbm' AND tags.team = 'red'"
    assert {r.info.run_name for r in client.search_runs(exp, ungrouped)} == {"alpha-1", "beta-1"}
    first = client.search_runs(exp, grouped, max_results=2, order_by=["metrics.rmse ASC"])
    assert [r.info.run_name for r in first] == ["beta-1", "alpha-1"]
    assert first.token
    second = client.search_runs(exp, grouped, max_results=2, order_by=["metrics.rmse ASC"], page_token=first.token)
    assert [r.info.run_name for r in second] == ["beta-2"]
    assert not second.token
    ids = corpus["ids"]
    in_group = (f"(attributes.run_id IN ('{ids['alpha-2']}', '{ids['gamma-1']}') OR tags.team = 'blue')"
                " AND status != 'FAILED'")
    assert {r.info.run_name for r in client.search_runs(exp, in_group)} == {"alpha-2", "beta-2", "gamma-1"}
    with pytest.raises(MlflowException) as excinfo:
        client.search_runs(exp, "(metrics.rmse < 0.5 OR params.model = 'gbm'")
    assert error_code(excinfo.value) == code_name(INVALID_PARAMETER_VALUE)
    assert "Unbalanced parentheses" in excinfo.value.message


def test_search_runs_pagination(client, corpus):
    seen = []
    token = None
    pages = 0
    while True:
        page = client.search_runs(
            [corpus["exp_id"]], max_results=2, order_by=["attributes.run_name ASC"], page_token=token
        )
        pages += 1
        assert len(page) <= 2
        seen.extend(r.info.run_name for r in page)
        token = page.token
        if not token:
            break
        assert pages < 10, "pagination does not terminate"
    assert pages == 3
    assert seen == sorted(CORPUS)

    # Filtered pagination.
    first = client.search_runs([corpus["exp_id"]], "params.group != 'c'", max_results=3,
                               order_by=["metrics.rmse DESC"])
    assert [r.info.run_name for r in first] == ["alpha-2", "alpha-1", "beta-1"]
    assert first.token
    second = client.search_runs([corpus["exp_id"]], "params.group != 'c'", max_results=3,
                                order_by=["metrics.rmse DESC"], page_token=first.token)
    assert [r.info.run_name for r in second] == ["beta-2"]
    assert not second.token

    everything = client.search_runs([corpus["exp_id"]], max_results=50)
    assert len(everything) == len(CORPUS)
    assert not everything.token


# ======================================================================================
# MlflowClient: experiments
# ======================================================================================


def test_experiment_crud(client, unique):
    name = unique("crud-exp")
    exp_id = client.create_experiment(name, tags={"owner": "alice", "project": "kaizen"})
    assert isinstance(exp_id, str) and exp_id.isdigit()

    exp = client.get_experiment(exp_id)
    assert exp.name == name
    assert exp.lifecycle_stage == "active"
    assert exp.tags["owner"] == "alice" and exp.tags["project"] == "kaizen"
    assert exp.artifact_location == f"mlflow-artifacts:/{exp_id}"
    assert exp.creation_time > 0 and exp.last_update_time >= exp.creation_time
    assert client.get_experiment_by_name(name).experiment_id == exp_id

    with pytest.raises(MlflowException) as excinfo:
        client.create_experiment(name)
    assert error_code(excinfo.value) == code_name(RESOURCE_ALREADY_EXISTS)

    client.set_experiment_tag(exp_id, "owner", "bob")
    client.set_experiment_tag(exp_id, "extra", "1")
    client.delete_experiment_tag(exp_id, "project")
    tags = client.get_experiment(exp_id).tags
    assert tags["owner"] == "bob" and tags["extra"] == "1" and "project" not in tags

    new_name = unique("crud-renamed")
    client.rename_experiment(exp_id, new_name)
    assert client.get_experiment(exp_id).name == new_name
    assert client.get_experiment_by_name(name) is None
    assert client.get_experiment_by_name(new_name).experiment_id == exp_id

    run_id = client.create_run(exp_id).info.run_id
    client.delete_experiment(exp_id)
    deleted = client.get_experiment(exp_id)
    assert deleted.lifecycle_stage == "deleted"
    assert client.get_run(run_id).info.lifecycle_stage == "deleted"
    active_ids = {e.experiment_id for e in client.search_experiments()}
    assert exp_id not in active_ids
    deleted_ids = {e.experiment_id for e in client.search_experiments(view_type=ViewType.DELETED_ONLY)}
    assert exp_id in deleted_ids
    with pytest.raises(MlflowException) as excinfo:
        client.create_run(exp_id)
    assert error_code(excinfo.value) == code_name(INVALID_PARAMETER_VALUE)

    client.restore_experiment(exp_id)
    assert client.get_experiment(exp_id).lifecycle_stage == "active"
    assert client.get_run(run_id).info.lifecycle_stage == "active"
    assert exp_id in {e.experiment_id for e in client.search_experiments()}


def test_get_experiment_missing(client, unique):
    assert client.get_experiment_by_name(unique("does-not-exist")) is None
    with pytest.raises(MlflowException) as excinfo:
        client.get_experiment("987654321")
    assert error_code(excinfo.value) == code_name(RESOURCE_DOES_NOT_EXIST)


def test_search_experiments_filter_order_pagination(client, unique):
    prefix = unique("sx")
    ids = {}
    for i, kind in enumerate(["cnn", "rnn", "cnn", "gbm", "cnn"]):
        ids[f"{prefix}-{i}"] = client.create_experiment(f"{prefix}-{i}", tags={"kind": kind, "idx": str(i)})

    found = client.search_experiments(filter_string=f"name LIKE '{prefix}-%'", order_by=["name DESC"])
    assert [e.name for e in found] == [f"{prefix}-{i}" for i in (4, 3, 2, 1, 0)]

    cnn = client.search_experiments(filter_string=f"name LIKE '{prefix}%' AND tags.kind = 'cnn'",
                                    order_by=["name ASC"])
    assert [e.name for e in cnn] == [f"{prefix}-0", f"{prefix}-2", f"{prefix}-4"]
    assert cnn[0].tags["kind"] == "cnn"

    exact = client.search_experiments(filter_string=f"attribute.name = '{prefix}-3'")
    assert [e.experiment_id for e in exact] == [ids[f"{prefix}-3"]]
    ilike = client.search_experiments(filter_string=f"name ILIKE '{prefix.upper()}-1'")
    assert [e.name for e in ilike] == [f"{prefix}-1"]

    newest_first = client.search_experiments(filter_string=f"name LIKE '{prefix}-%'",
                                             order_by=["creation_time DESC", "name DESC"])
    assert newest_first[0].name == f"{prefix}-4"

    pages, token, collected = 0, None, []
    while True:
        page = client.search_experiments(filter_string=f"name LIKE '{prefix}-%'", order_by=["name ASC"],
                                         max_results=2, page_token=token)
        pages += 1
        collected.extend(e.name for e in page)
        token = page.token
        if token is None:
            break
        assert token != "", "an exhausted search must not return an empty page token"
        assert pages < 10
    assert pages == 3
    assert collected == [f"{prefix}-{i}" for i in range(5)]

    client.delete_experiment(ids[f"{prefix}-1"])
    active = client.search_experiments(filter_string=f"name LIKE '{prefix}-%'")
    assert f"{prefix}-1" not in {e.name for e in active}
    everything = client.search_experiments(filter_string=f"name LIKE '{prefix}-%'", view_type=ViewType.ALL)
    assert len(everything) == 5


# ======================================================================================
# MlflowClient: runs
# ======================================================================================


def test_run_crud(client, unique):
    exp_id = client.create_experiment(unique("crud-run"))
    start = now_ms()
    created = client.create_run(exp_id, start_time=start, tags={"origin": "client"}, run_name="first-name")
    run_id = created.info.run_id
    assert RUN_ID_RE.match(run_id)
    assert created.info.status == "RUNNING"
    assert created.info.start_time == start
    assert created.info.run_name == "first-name"

    run = client.get_run(run_id)
    assert run.info.experiment_id == exp_id
    assert run.data.tags["origin"] == "client"
    assert run.data.tags["mlflow.runName"] == "first-name"

    client.update_run(run_id, status="KILLED", name="second-name")
    run = client.get_run(run_id)
    assert run.info.status == "KILLED"
    assert run.info.run_name == "second-name"
    assert run.data.tags["mlflow.runName"] == "second-name"

    end = now_ms()
    client.set_terminated(run_id, status="FINISHED", end_time=end)
    run = client.get_run(run_id)
    assert run.info.status == RunStatus.to_string(RunStatus.FINISHED)
    assert run.info.end_time == end

    client.set_tag(run_id, "k", "v1")
    client.set_tag(run_id, "k", "v2")  # tags are mutable
    client.set_tag(run_id, "gone", "x")
    client.delete_tag(run_id, "gone")
    tags = client.get_run(run_id).data.tags
    assert tags["k"] == "v2" and "gone" not in tags

    client.delete_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == "deleted"
    assert run_id not in {r.info.run_id for r in client.search_runs([exp_id])}
    assert run_id in {r.info.run_id for r in client.search_runs([exp_id], run_view_type=ViewType.DELETED_ONLY)}

    client.restore_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == "active"
    assert run_id in {r.info.run_id for r in client.search_runs([exp_id])}


def test_get_unknown_run_raises(client):
    with pytest.raises(MlflowException) as excinfo:
        client.get_run("0123456789abcdef0123456789abcdef")
    assert error_code(excinfo.value) == code_name(RESOURCE_DOES_NOT_EXIST)


# ======================================================================================
# Models
# ======================================================================================


@pytest.fixture(scope="module")
def iris():
    from sklearn.datasets import load_iris

    data = load_iris(as_frame=True)
    return data.data, data.target


def test_sklearn_autolog(client, unique, iris):
    from sklearn.linear_model import LogisticRegression

    X, y = iris
    exp = mlflow.set_experiment(unique("autolog"))
    mlflow.sklearn.autolog(log_input_examples=False, silent=True)
    try:
        with mlflow.start_run() as run:
            model = LogisticRegression(max_iter=300, C=0.5).fit(X, y)
    finally:
        mlflow.sklearn.autolog(disable=True)

    got = client.get_run(run.info.run_id)
    assert got.data.params["max_iter"] == "300"
    assert got.data.params["C"] == "0.5"
    assert got.data.tags["estimator_name"] == "LogisticRegression"
    assert got.data.tags["estimator_class"] == "sklearn.linear_model._logistic.LogisticRegression"
    expected_acc = model.score(X, y)
    assert got.data.metrics["training_accuracy_score"] == pytest.approx(expected_acc)
    for key in ("training_f1_score", "training_precision_score", "training_recall_score", "training_log_loss"):
        assert key in got.data.metrics, key

    # The model is logged as an MLflow 3 logged model attached to the run.
    models = client.search_logged_models(experiment_ids=[exp.experiment_id])
    assert len(models) == 1
    logged = models[0]
    assert logged.source_run_id == run.info.run_id
    assert logged.model_id.startswith("m-")
    assert logged.status == LoggedModelStatus.READY
    assert [o.model_id for o in got.outputs.model_outputs] == [logged.model_id]

    loaded = mlflow.pyfunc.load_model(f"runs:/{run.info.run_id}/model")
    np.testing.assert_array_equal(np.asarray(loaded.predict(X)), model.predict(X))


def test_log_model_and_load_pyfunc(client, unique, iris):
    from sklearn.linear_model import LogisticRegression

    X, y = iris
    model = LogisticRegression(max_iter=500).fit(X, y)
    expected = model.predict(X)
    exp = mlflow.set_experiment(unique("log-model"))
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(model, name="model", input_example=X.iloc[:3])
    run_id = run.info.run_id

    assert info.model_id.startswith("m-")
    assert info.model_uri == f"models:/{info.model_id}"
    assert info.run_id == run_id
    assert info.signature is not None
    assert [c.name for c in info.signature.inputs.inputs] == list(X.columns)

    logged = client.get_logged_model(info.model_id)
    assert logged.name == "model"
    assert logged.source_run_id == run_id
    assert logged.experiment_id == exp.experiment_id
    assert logged.status == LoggedModelStatus.READY
    assert logged.artifact_location.startswith(f"mlflow-artifacts:/{exp.experiment_id}/models/{info.model_id}")

    artifacts = {a.path for a in client.list_logged_model_artifacts(info.model_id)}
    assert "MLmodel" in artifacts
    assert {"requirements.txt", "conda.yaml", "python_env.yaml", "input_example.json"} <= artifacts

    from_run = mlflow.pyfunc.load_model(f"runs:/{run_id}/model")
    np.testing.assert_array_equal(np.asarray(from_run.predict(X)), expected)
    from_id = mlflow.pyfunc.load_model(f"models:/{info.model_id}")
    np.testing.assert_array_equal(np.asarray(from_id.predict(X)), expected)
    assert from_id.metadata.model_id == info.model_id
    assert from_id.metadata.run_id == run_id

    native = mlflow.sklearn.load_model(info.model_uri)
    np.testing.assert_allclose(native.predict_proba(X), model.predict_proba(X))
