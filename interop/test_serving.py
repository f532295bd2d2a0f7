"""`kaizen models serve` (and `kaizen models predict`) against the real `mlflow models serve`.

A module fixture trains three scikit-learn models, converts them with skl2onnx and logs
them with the real client (`mlflow.onnx.log_model(..., registered_model_name=...)`) to
the tracking server under test:

* ``serving-rf``: RandomForestClassifier (20 trees) on breast_cancer, ZipMap output
  (``output_label``, ``output_probability``), **column** signature from a float32
  DataFrame; version 1 is in stage Production and carries alias ``champion``;
* ``serving-lr``: StandardScaler + LogisticRegression, ``zipmap=False`` (``label``,
  ``probabilities``), **tensor** signature (float32, [-1, 30]);
* ``serving-reg``: Ridge on diabetes (``variable``, [N, 1]), column signature;
* ``serving-mlp``: an MLPRegressor whose weights are stored as ONNX external data
  (a ``*.data`` file next to ``model.onnx``): the whole folder has to be downloaded.

Expected predictions come from onnxruntime. Payload tables (`OK_CASES`, `ERROR_CASES`,
`MLFLOW_ONLY_FAILURES`) hold what `mlflow models serve` 3.17 was observed to answer;
the `[mlflow-...]` variants check that against the reference server (they also run with
INTEROP_TARGET=mlflow, which is how this file is validated without the Kaizen binary),
the `[kaizen-...]` variants hold Kaizen to the same, and `test_same_answer_as_mlflow`
sends each payload to both servers and compares status, error_code and JSON.

What MLflow does that is easy to get wrong (observed, see the tables for the rest):

* a DataFrame request (dataframe_split / dataframe_records / CSV / list of records)
  gets one record per row **only for a column signature (or none)**; for a *tensor*
  signature the DataFrame is turned into an array and the answer is the dict of
  output name -> full-shape lists, as for ``{"inputs": [[...]]}``;
* a non-numeric string in a float column is 400 **BAD_REQUEST** (not
  INVALID_PARAMETER_VALUE); a missing column is 400 INVALID_PARAMETER_VALUE with
  sqlstate KAM01 and error_class SCHEMA_ENFORCEMENT_FAILED;
* 415 answers are ``text/plain``; 404/405 are FastAPI's ``{"detail": ...}``;
* an array of the wrong shape for a tensor signature (wrong width, 1-D, 3-D, empty)
  is 400 INVALID_PARAMETER_VALUE (schema enforcement), not an evaluation error;
* ``POST /ping`` is 405 (FastAPI), ``GET /invocations`` 405, unknown paths 404;
* NaN / Infinity predictions are written as the bare tokens ``NaN`` / ``Infinity``;
* no Content-Type at all is a bare 500 (a bug Kaizen does not copy: it answers 415).
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
import requests

from conftest import HOST, _die_with_pytest, _free_port, _reset_client_state
from interop_helpers import ONNX_REQUIREMENTS, RawResponse, error_body, raw_request
from serving_helpers import (
    KAIZEN_SERVE_TIMEOUT_S,
    MLFLOW_SERVE_TIMEOUT_S,
    ScoringServer,
    json_diff,
    kaizen_env,
    kaizen_serve_command,
    metric_sum,
    parse_prometheus,
    start_kaizen_serve,
    start_mlflow_serve,
    stop_scoring_server,
    wait_until_ready,
)

pytestmark = [
    pytest.mark.filterwarnings("ignore::FutureWarning"),  # stage APIs are deprecated in the client
    pytest.mark.filterwarnings("ignore::UserWarning"),
]

RF, LR, REG, MLP = "serving-rf", "serving-lr", "serving-reg", "serving-mlp"
ALIAS_MODEL = "serving-alias"
# Kaizen answers /version like the MLflow release it is compatible with.
KAIZEN_MLFLOW_VERSION = "3.17.2"
ORT_TOL = dict(rtol=1e-5, atol=1e-5)  # Kaizen's engine vs onnxruntime
PEER_TOL = dict(rtol=1e-6, atol=1e-6)  # Kaizen vs mlflow models serve (both float32 widened to double)

JSON_CT = {"Content-Type": "application/json"}
CSV_CT = {"Content-Type": "text/csv"}


# --------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------


@dataclass
class Served:
    """One logged model: its data, where it lives, and onnxruntime's answers."""

    key: str
    name: str  # registered model name
    columns: list[str]  # feature names (the signature's columns, or the data's for a tensor signature)
    data: np.ndarray  # the whole data set, float32
    rows: np.ndarray  # the rows the payloads carry, float32
    signature: str  # "columns" | "tensor"
    run_id: str
    model_id: str
    version: str
    local_dir: Path  # the model folder, downloaded with mlflow.artifacts.download_artifacts
    sess: object = field(repr=False)
    output_names: list[str] = field(default_factory=list)

    def run(self, matrix: np.ndarray) -> list:
        return self.sess.run(None, {"X": np.ascontiguousarray(matrix, dtype=np.float32)})

    @staticmethod
    def _jsonable(value):
        if isinstance(value, list):  # ZipMap: list of {class: probability}
            return [{str(k): float(np.float32(v)) for k, v in row.items()} for row in value]
        return np.asarray(value).tolist()

    def expected_columns(self, matrix: np.ndarray) -> dict:
        """{"output": full-shape lists}: what a tensor-shaped request gets."""
        return {n: self._jsonable(v) for n, v in zip(self.output_names, self.run(matrix))}

    def expected_records(self, matrix: np.ndarray) -> list[dict]:
        """One record per row, an output of one element per row as a scalar: what a DataFrame request gets."""
        if len(matrix) == 0:
            return []
        outputs = self.run(matrix)
        records = []
        for i in range(len(matrix)):
            rec = {}
            for name, value in zip(self.output_names, outputs):
                if isinstance(value, list):
                    rec[name] = {str(k): float(np.float32(v)) for k, v in value[i].items()}
                else:
                    row = np.asarray(value)[i]
                    rec[name] = row.reshape(-1)[0].item() if row.size == 1 else row.tolist()
            records.append(rec)
        return records

    def expected(self, matrix: np.ndarray, layout: str):
        return self.expected_records(matrix) if layout == "records" else self.expected_columns(matrix)


def _log_onnx(onx, name: str, signature) -> dict:
    import mlflow
    import mlflow.onnx

    with mlflow.start_run() as run:
        info = mlflow.onnx.log_model(onx, name="model", signature=signature, registered_model_name=name,
                                     pip_requirements=ONNX_REQUIREMENTS)
    return {"run_id": run.info.run_id, "model_id": info.model_id, "version": str(info.registered_model_version)}


def _session(model_dir: Path):
    import onnxruntime as ort

    return ort.InferenceSession(str(model_dir / "model.onnx"), providers=["CPUExecutionProvider"])


@pytest.fixture(scope="module")
def models(server, tmp_path_factory) -> dict[str, Served]:
    """Train, convert, log and register the models; download each model folder."""
    import mlflow
    import pandas as pd
    from mlflow import MlflowClient
    from mlflow.models import infer_signature
    from onnx import numpy_helper
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.datasets import load_breast_cancer, load_diabetes
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.neural_network import MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    mlflow.set_tracking_uri(server.url)
    _reset_client_state()
    client = MlflowClient(server.url)
    root = tmp_path_factory.mktemp("serving-models")

    bc = load_breast_cancer(as_frame=True)
    bc_x = bc.data.astype(np.float32)
    bc_cols = list(bc_x.columns)
    X = bc_x.to_numpy()
    y = bc.target.to_numpy()
    db = load_diabetes(as_frame=True)
    db_x = db.data.astype(np.float32)
    db_cols = list(db_x.columns)
    DX = db_x.to_numpy()
    dy = db.target.to_numpy()

    rf = RandomForestClassifier(n_estimators=20, max_depth=6, random_state=0).fit(X, y)
    lr = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X, y)
    reg = Ridge(alpha=0.5).fit(DX, dy)
    mlp = MLPRegressor(hidden_layer_sizes=(48,), max_iter=300, random_state=0).fit(DX, dy)

    init = lambda n: [("X", FloatTensorType([None, n]))]  # noqa: E731
    rf_onx = to_onnx(rf, initial_types=init(30))  # ZipMap (the default)
    lr_onx = to_onnx(lr, initial_types=init(30), options={"zipmap": False})
    reg_onx = to_onnx(reg, initial_types=init(10))
    mlp_onx = to_onnx(mlp, initial_types=init(10))
    # skl2onnx writes weights as float_data, which onnx never moves out; as raw_data the 10x48 weights
    # (1,920 bytes) go to a `<uuid>.data` file beside model.onnx (mlflow saves with save_as_external_data).
    for tensor_proto in mlp_onx.graph.initializer:
        tensor_proto.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(tensor_proto), tensor_proto.name))

    rf_sig = infer_signature(bc_x, pd.DataFrame({"output_label": rf.predict(X)}))
    lr_sig = infer_signature(X, lr.predict_proba(X).astype(np.float32))  # tensor signature
    reg_sig = infer_signature(db_x, pd.DataFrame({"variable": reg.predict(DX).astype(np.float32)}))
    mlp_sig = infer_signature(db_x, pd.DataFrame({"variable": mlp.predict(DX).astype(np.float32)}))

    # Rows whose forest probabilities are not 0/1 (so a wrong float shows), plus row 0 (certain).
    proba = rf.predict_proba(X)[:, 1]
    bc_rows = [0] + [int(i) for i in np.flatnonzero((proba > 0.05) & (proba < 0.95))[:3]]
    assert len(bc_rows) == 4

    specs = [
        ("rf", RF, rf_onx, rf_sig, bc_cols, X, X[bc_rows], "columns"),
        ("lr", LR, lr_onx, lr_sig, bc_cols, X, X[bc_rows], "tensor"),
        ("reg", REG, reg_onx, reg_sig, db_cols, DX, DX[:4], "columns"),
        ("mlp", MLP, mlp_onx, mlp_sig, db_cols, DX, DX[:4], "columns"),
    ]
    out: dict[str, Served] = {}
    for key, name, onx, sig, cols, data, rows, kind in specs:
        ids = _log_onnx(onx, name, sig)
        assert ids["version"] == "1", ids
        local = Path(mlflow.artifacts.download_artifacts(f"models:/{name}/1", dst_path=str(root / f"{key}-local")))
        sess = _session(local)
        out[key] = Served(
            key=key, name=name, columns=cols, data=data, rows=np.ascontiguousarray(rows), signature=kind,
            run_id=ids["run_id"], model_id=ids["model_id"], version=ids["version"], local_dir=local, sess=sess,
            output_names=[o.name for o in sess.get_outputs()],
        )
    client.transition_model_version_stage(RF, "1", "Production")
    client.set_registered_model_alias(RF, "champion", "1")

    assert out["rf"].output_names == ["output_label", "output_probability"]
    assert out["lr"].output_names == ["label", "probabilities"]
    assert out["reg"].output_names == ["variable"]
    assert list(out["mlp"].local_dir.glob("*.data")), "the MLP was meant to be saved with external tensor data"
    _reset_client_state()
    return out


# --------------------------------------------------------------------------------------
# Scoring servers (module-scoped: started once, shared by the tests)
# --------------------------------------------------------------------------------------


def _start_all(starters: dict[str, Callable[[], ScoringServer]], timeout: float) -> dict[str, ScoringServer]:
    """Start every server first, then wait for each: they boot in parallel."""
    started: dict[str, ScoringServer] = {}
    try:
        for key, start in starters.items():
            started[key] = start()
        for srv in started.values():
            wait_until_ready(srv, timeout)
    except BaseException:
        for srv in started.values():
            stop_scoring_server(srv)
        raise
    return started


@pytest.fixture(scope="module")
def mlflow_scorers(models, tmp_path_factory) -> dict[str, ScoringServer]:
    """`mlflow models serve` on the downloaded rf, lr and reg folders (started together: ~5-15 s)."""
    work = tmp_path_factory.mktemp("mlflow-serve")
    starters = {k: (lambda k=k: start_mlflow_serve(models[k].local_dir, work, wait=False)) for k in ("rf", "lr", "reg")}
    servers = _start_all(starters, MLFLOW_SERVE_TIMEOUT_S)
    try:
        yield servers
    finally:
        for srv in servers.values():
            stop_scoring_server(srv)


@pytest.fixture(scope="module")
def kaizen_scorers(models, server, tmp_path_factory) -> dict[str, ScoringServer]:
    """`kaizen models serve -m models:/<name>/1` for rf, lr and reg (reg with explicit batching settings)."""
    work = tmp_path_factory.mktemp("kaizen-serve")
    extra = {"rf": (), "lr": (), "reg": ("--max-batch-size", "16", "--max-batch-wait-ms", "20")}
    starters = {
        k: (lambda k=k: start_kaizen_serve(f"models:/{models[k].name}/1", work, *extra[k],
                                           tracking_uri=server.url, wait=False))
        for k in ("rf", "lr", "reg")
    }
    servers = _start_all(starters, KAIZEN_SERVE_TIMEOUT_S)
    try:
        yield servers
    finally:
        for srv in servers.values():
            stop_scoring_server(srv)


TARGETS = [
    pytest.param("mlflow", id="mlflow"),
    pytest.param("kaizen", id="kaizen", marks=pytest.mark.kaizen_only),
]


def _scorers(request, target: str) -> dict[str, ScoringServer]:
    return request.getfixturevalue("mlflow_scorers" if target == "mlflow" else "kaizen_scorers")


# --------------------------------------------------------------------------------------
# Payloads
# --------------------------------------------------------------------------------------


@dataclass
class Req:
    body: bytes | None
    headers: dict[str, str]
    matrix: np.ndarray | None = None  # the rows the expected predictions are computed from
    method: str = "POST"
    path: str = "/invocations"


def _j(obj) -> bytes:
    return json.dumps(obj).encode()


def _mat(m: Served, matrix) -> np.ndarray:
    return m.rows if matrix is None else matrix


def split(m: Served, matrix=None, *, reverse=False, index=False, names=True, params=None, headers=None) -> Req:
    mat = _mat(m, matrix)
    cols, data = list(m.columns), mat.tolist()
    if reverse:
        cols, data = cols[::-1], [row[::-1] for row in data]
    body: dict = {"data": data}
    if names:
        body["columns"] = cols
    if index:
        body["index"] = [10 + i for i in range(len(data))]
    payload: dict = {"dataframe_split": body}
    if params is not None:
        payload["params"] = params
    return Req(_j(payload), JSON_CT if headers is None else headers, mat)


def records(m: Served, matrix=None, *, key="dataframe_records", edit=None) -> Req:
    mat = _mat(m, matrix)
    recs = [dict(zip(m.columns, row)) for row in mat.tolist()]
    if edit:
        recs = [edit(i, r) for i, r in enumerate(recs)]
    if key == "dataframe_records":
        return Req(_j({"dataframe_records": recs}), JSON_CT, mat)
    return Req(_j({key: recs}), JSON_CT, mat)


def tensor(m: Served, matrix=None, *, key="inputs") -> Req:
    mat = _mat(m, matrix)
    return Req(_j({key: mat.tolist()}), JSON_CT, mat)


def named_tensor(m: Served, *, key="inputs") -> Req:
    return Req(_j({key: {"X": m.rows.tolist()}}), JSON_CT, m.rows)


def column_dict(m: Served, *, scalars=False) -> Req:
    if scalars:
        return Req(_j({"inputs": {c: float(m.rows[0, i]) for i, c in enumerate(m.columns)}}), JSON_CT, m.rows[:1])
    return Req(_j({"inputs": {c: m.rows[:, i].tolist() for i, c in enumerate(m.columns)}}), JSON_CT, m.rows)


def csv(m: Served, matrix=None, *, columns=None, headers=None, cells=None) -> Req:
    mat = _mat(m, matrix)
    cols = columns or m.columns
    lines = [",".join(cols)]
    for row in mat.tolist():
        lines.append(",".join(cells or [repr(float(v)) for v in row]))
    return Req(("\n".join(lines) + "\n").encode(), CSV_CT if headers is None else headers, mat)


def raw(body: bytes | str | None, headers=None, *, method="POST", path="/invocations") -> Callable[[Served], Req]:
    data = body.encode() if isinstance(body, str) else body
    return lambda m: Req(data, JSON_CT if headers is None else headers, None, method, path)


def _with_nan(col: int, row: int | None = None):
    """Records with null in column `col` (every row), or without that key in row `row`: NaN for pandas."""

    def build(m: Served) -> Req:
        mat = m.rows.copy()
        name = m.columns[col]
        recs = [dict(zip(m.columns, x)) for x in m.rows.tolist()]
        if row is None:
            mat[:, col] = np.nan
            for rec in recs:
                rec[name] = None
        else:
            mat[row, col] = np.nan
            del recs[row][name]
        return Req(_j({"dataframe_records": recs}), JSON_CT, mat)

    return build


def _numeric_strings(m: Served) -> Req:
    recs = [{c: repr(v) for c, v in zip(m.columns, row)} for row in m.rows.tolist()]
    return Req(_j({"dataframe_records": recs}), JSON_CT, m.rows)


def _integers(m: Served) -> Req:
    ints = np.round(m.rows).astype(np.int64)
    recs = [dict(zip(m.columns, row)) for row in ints.tolist()]
    return Req(_j({"dataframe_records": recs}), JSON_CT, ints.astype(np.float32))


def _huge(m: Served) -> Req:
    mat = m.rows.copy()
    mat[:, 0] = np.float32(np.inf)  # 1e300 is +inf as a float32
    recs = [dict(zip(m.columns, row), **{m.columns[0]: 1e300}) for row in m.rows.tolist()]
    return Req(_j({"dataframe_records": recs}), JSON_CT, mat)


def _drop_column(m: Served, form: str) -> Req:
    cols = m.columns[1:]
    data = m.rows[:, 1:].tolist()
    if form == "split":
        return Req(_j({"dataframe_split": {"columns": cols, "data": data}}), JSON_CT)
    if form == "csv":
        lines = [",".join(cols)] + [",".join(repr(v) for v in row) for row in data]
        return Req(("\n".join(lines) + "\n").encode(), CSV_CT)
    return Req(_j({"dataframe_records": [dict(zip(cols, row)) for row in data]}), JSON_CT)


def _bad_cell(m: Served, value) -> Req:
    recs = [dict(zip(m.columns, row)) for row in m.rows.tolist()]
    recs[1][m.columns[0]] = value
    return Req(_j({"dataframe_records": recs}), JSON_CT)


@dataclass(frozen=True)
class Case:
    id: str
    model: str  # "rf" | "lr" | "reg"
    build: Callable[[Served], Req]
    layout: str | None = None  # 200 cases: "records" (one per row) | "columns" (output -> full-shape lists)
    status: int = 200
    code: str | None = None  # expected error_code (None: not checked)
    contains: tuple[str, ...] = ()  # fragments of the error message (JSON) or body (text)
    fields: tuple[tuple[str, str], ...] = ()  # further fields of the JSON error
    text_body: bool = False  # MLflow answers text/plain (415)


def _ids(cases):
    return [c.id for c in cases]


EMPTY_BC = np.zeros((0, 30), dtype=np.float32)
EMPTY_DB = np.zeros((0, 10), dtype=np.float32)
SCHEMA_FIELDS = (("sqlstate", "KAM01"), ("error_class", "SCHEMA_ENFORCEMENT_FAILED"))

# Payloads both servers accept: 200 with onnxruntime's predictions in the given layout.
OK_CASES = [
    # column signature + ZipMap: DataFrame-shaped requests -> one record per row
    Case("rf-split", "rf", split, "records"),
    Case("rf-split-reordered-columns", "rf", lambda m: split(m, reverse=True), "records"),
    Case("rf-split-with-index", "rf", lambda m: split(m, index=True), "records"),
    Case("rf-split-with-params", "rf", lambda m: split(m, params={"unused": 1}), "records"),
    Case("rf-split-charset-UTF-8", "rf",
         lambda m: split(m, headers={"Content-Type": "application/json; charset=UTF-8"}), "records"),
    Case("rf-split-no-rows", "rf", lambda m: split(m, EMPTY_BC), "records"),
    Case("rf-records", "rf", records, "records"),
    Case("rf-records-extra-column", "rf", lambda m: records(m, edit=lambda i, r: {**r, "extra": 1.0}), "records"),
    Case("rf-records-numeric-strings", "rf", _numeric_strings, "records"),
    Case("rf-records-integers", "rf", _integers, "records"),
    Case("rf-records-null-is-nan", "rf", _with_nan(0), "records"),
    Case("rf-inputs-records", "rf", lambda m: records(m, key="inputs"), "records"),
    Case("rf-instances-records", "rf", lambda m: records(m, key="instances"), "records"),
    Case("rf-inputs-column-dict", "rf", column_dict, "records"),
    Case("rf-csv", "rf", csv, "records"),
    Case("rf-csv-charset-utf-8", "rf", lambda m: csv(m, headers={"Content-Type": "text/csv; charset=utf-8"}),
         "records"),
    # tensor signature: every accepted form, DataFrames included, -> output name -> full-shape lists
    Case("lr-split", "lr", split, "columns"),
    Case("lr-split-without-columns", "lr", lambda m: split(m, names=False), "columns"),
    Case("lr-records", "lr", records, "columns"),
    Case("lr-inputs-list-of-lists", "lr", tensor, "columns"),
    Case("lr-instances-list-of-lists", "lr", lambda m: tensor(m, key="instances"), "columns"),
    Case("lr-inputs-one-row", "lr", lambda m: tensor(m, m.rows[:1]), "columns"),
    Case("lr-inputs-integers", "lr", lambda m: Req(_j({"inputs": np.round(m.rows).astype(int).tolist()}), JSON_CT,
                                                   np.round(m.rows).astype(np.float32)), "columns"),
    # column signature, one [N, 1] float output -> {"variable": scalar} per row
    Case("reg-split", "reg", split, "records"),
    Case("reg-split-params-not-a-dict", "reg", lambda m: split(m, params=5), "records"),
    Case("reg-records", "reg", records, "records"),
    Case("reg-records-null-is-nan", "reg", _with_nan(0), "records"),
    Case("reg-records-key-missing-in-one-record", "reg", _with_nan(0, row=1), "records"),
    Case("reg-records-1e300-is-infinity", "reg", _huge, "records"),
    Case("reg-inputs-column-dict", "reg", column_dict, "records"),
    Case("reg-inputs-column-dict-of-scalars", "reg", lambda m: column_dict(m, scalars=True), "records"),
    Case("reg-csv", "reg", csv, "records"),
    Case("reg-csv-header-only", "reg", lambda m: csv(m, EMPTY_DB), "records"),
]

_MORE = ("The input must be a JSON dictionary with exactly one of the input fields",)
_TYPES = ("This predictor only supports the following content types",)

# Payloads both servers refuse, with the status and error_code MLflow gives.
ERROR_CASES = [
    Case("body-is-a-list", "rf", raw("[1, 2]"), status=400, code="BAD_REQUEST", contains=_MORE),
    Case("body-is-a-number", "rf", raw("3"), status=400, code="BAD_REQUEST", contains=_MORE),
    Case("body-is-a-string", "rf", raw('"abc"'), status=400, code="BAD_REQUEST", contains=_MORE),
    Case("body-is-null", "rf", raw("null"), status=400, code="BAD_REQUEST", contains=_MORE),
    Case("two-input-keys", "rf",
         lambda m: Req(_j({"dataframe_split": {"columns": m.columns, "data": m.rows.tolist()},
                           "inputs": m.rows.tolist()}), JSON_CT),
         status=400, code="BAD_REQUEST", contains=_MORE),
    Case("no-input-key", "rf", raw("{}"), status=400, code="BAD_REQUEST", contains=_MORE),
    Case("only-params", "rf", raw('{"params": {}}'), status=400, code="BAD_REQUEST", contains=_MORE),
    Case("unknown-key", "rf", raw('{"data": [[1.0]]}'), status=400, code="BAD_REQUEST", contains=_MORE),
    Case("invalid-json", "rf", raw("{not json"), status=400, code="BAD_REQUEST",
         contains=("Ensure that input is a valid JSON formatted string",)),
    Case("empty-body", "rf", raw(b""), status=400, code="BAD_REQUEST"),
    Case("rf-records-missing-column", "rf", lambda m: _drop_column(m, "records"), status=400,
         code="INVALID_PARAMETER_VALUE", contains=("missing inputs", "mean radius"), fields=SCHEMA_FIELDS),
    Case("rf-split-missing-column", "rf", lambda m: _drop_column(m, "split"), status=400,
         code="INVALID_PARAMETER_VALUE", contains=("missing inputs", "mean radius"), fields=SCHEMA_FIELDS),
    Case("reg-csv-missing-column", "reg", lambda m: _drop_column(m, "csv"), status=400,
         code="INVALID_PARAMETER_VALUE", contains=("missing inputs", "age"), fields=SCHEMA_FIELDS),
    Case("rf-records-no-rows", "rf", raw('{"dataframe_records": []}'), status=400, code="INVALID_PARAMETER_VALUE"),
    Case("reg-split-without-columns", "reg", lambda m: split(m, names=False), status=400,
         code="INVALID_PARAMETER_VALUE"),
    # a value that does not convert: BAD_REQUEST (not INVALID_PARAMETER_VALUE), naming the column
    Case("rf-records-non-numeric-string", "rf", lambda m: _bad_cell(m, "abc"), status=400, code="BAD_REQUEST",
         contains=("mean radius",)),
    Case("reg-records-nested-list", "reg", lambda m: _bad_cell(m, [1.0]), status=400, code="BAD_REQUEST",
         contains=("age",)),
    Case("reg-csv-non-numeric", "reg", lambda m: csv(m, m.rows[:1], cells=["abc"] + ["0.1"] * 9), status=400,
         code="BAD_REQUEST"),
    Case("reg-split-width-mismatch", "reg",
         lambda m: Req(_j({"dataframe_split": {"columns": m.columns[:9], "data": m.rows.tolist()}}), JSON_CT),
         status=400, code="BAD_REQUEST"),
    Case("split-data-not-a-list", "rf", lambda m: Req(_j({"dataframe_split": {"columns": m.columns, "data": 5}}),
                                                      JSON_CT), status=400, code="BAD_REQUEST"),
    Case("records-not-a-list", "rf", raw('{"dataframe_records": 5}'), status=400, code="BAD_REQUEST"),
    Case("rf-inputs-a-string", "rf", raw('{"inputs": "abc"}'), status=400, code="BAD_REQUEST"),
    Case("lr-inputs-ragged", "lr", lambda m: Req(_j({"inputs": [m.rows[0].tolist(), m.rows[1].tolist()[:5]]}),
                                                 JSON_CT), status=400, code="BAD_REQUEST"),
    Case("lr-inputs-strings", "lr", raw(json.dumps({"inputs": [["a"] * 30]})), status=400, code="BAD_REQUEST"),
    Case("lr-inputs-wrong-width", "lr", lambda m: tensor(m, m.rows[:, :29]), status=400,
         code="INVALID_PARAMETER_VALUE"),
    Case("lr-inputs-one-dimensional", "lr", lambda m: Req(_j({"inputs": m.rows[0].tolist()}), JSON_CT), status=400,
         code="INVALID_PARAMETER_VALUE"),
    Case("lr-inputs-three-dimensional", "lr", lambda m: Req(_j({"inputs": [m.rows.tolist()]}), JSON_CT),
         status=400, code="INVALID_PARAMETER_VALUE"),
    Case("lr-inputs-empty-list", "lr", raw('{"inputs": []}'), status=400, code="INVALID_PARAMETER_VALUE"),
    # status only: MLflow's INVALID_PARAMETER_VALUE here is an accident of pandas, either code is fine
    Case("reg-inputs-a-number", "reg", raw('{"inputs": 5}'), status=400),
    Case("reg-records-of-numbers", "reg", raw('{"dataframe_records": [1, 2]}'), status=400),
    # content types: 415 in text/plain
    Case("charset-latin-1", "rf", lambda m: split(m, headers={"Content-Type": "application/json; charset=latin-1"}),
         status=415, contains=("The scoring server only supports UTF-8",), text_body=True),
    Case("csv-charset-latin-1", "reg", lambda m: csv(m, headers={"Content-Type": "text/csv; charset=latin-1"}),
         status=415, contains=("The scoring server only supports UTF-8",), text_body=True),
    Case("format-pandas-split", "rf",
         lambda m: split(m, headers={"Content-Type": "application/json; format=pandas-split"}),
         status=415, contains=("Unrecognized content type parameters: format",), text_body=True),
    Case("application-xml", "rf", raw("<a/>", {"Content-Type": "application/xml"}), status=415, contains=_TYPES,
         text_body=True),
    Case("text-plain", "rf", lambda m: split(m, headers={"Content-Type": "text/plain"}), status=415,
         contains=_TYPES, text_body=True),
    Case("media-type-is-case-sensitive", "rf", lambda m: split(m, headers={"Content-Type": "Application/JSON"}),
         status=415, contains=_TYPES, text_body=True),
    # methods and paths
    Case("get-invocations", "rf", raw(None, {}, method="GET"), status=405),
    Case("post-ping", "rf", raw(b"", {}, method="POST", path="/ping"), status=405),
    Case("unknown-path", "rf", raw(None, {}, method="GET", path="/no/such/path"), status=404),
]

# Forms `mlflow models serve` refuses but Kaizen answers (layout = what Kaizen must answer).
MLFLOW_ONLY_FAILURES = [
    # list of lists for a column signature: MLflow's schema enforcement wants named columns
    (Case("rf-inputs-list-of-lists", "rf", tensor, "columns"), 400, "INVALID_PARAMETER_VALUE"),
    (Case("rf-instances-list-of-lists", "rf", lambda m: tensor(m, key="instances"), "columns"), 400,
     "INVALID_PARAMETER_VALUE"),
    (Case("rf-inputs-named-tensor", "rf", named_tensor, "columns"), 400, "INVALID_PARAMETER_VALUE"),
    (Case("reg-inputs-list-of-lists", "reg", tensor, "columns"), 400, "INVALID_PARAMETER_VALUE"),
    # named tensor for an unnamed tensor signature: MLflow wants a bare array
    (Case("lr-inputs-named-tensor", "lr", named_tensor, "columns"), 400, "BAD_REQUEST"),
    (Case("lr-instances-named-tensor", "lr", lambda m: named_tensor(m, key="instances"), "columns"), 400,
     "BAD_REQUEST"),
    # CSV with a tensor signature: MLflow fails in parse_csv_input ("TensorSpec only supports numpy types")
    (Case("lr-csv", "lr", csv, "columns"), 400, "BAD_REQUEST"),
    # a list of records with a tensor signature
    (Case("lr-inputs-records", "lr", lambda m: records(m, key="inputs"), "columns"), 400, "INVALID_PARAMETER_VALUE"),
]


def send(srv: ScoringServer, req: Req, timeout: float = 60) -> RawResponse:
    return raw_request(srv.url, req.method, req.path, req.body, req.headers, timeout=timeout)


def _floats(value):
    if isinstance(value, float):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _floats(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _floats(v)


def check_predictions(resp: RawResponse, m: Served, req: Req, layout: str, tol=ORT_TOL) -> None:
    assert resp.status == 200, resp
    assert resp.headers.get("content-type", "").startswith("application/json"), resp
    payload = resp.json()
    assert isinstance(payload, dict) and list(payload) == ["predictions"], resp
    expected = m.expected(req.matrix, layout)
    diff = json_diff(expected, payload["predictions"], **tol)
    assert diff is None, f"{diff}\nexpected {json.dumps(expected)[:600]}\ngot {resp.text[:600]}"
    # floats are float32 results widened to double (0.9800000190734863), not rounded decimals
    for v in _floats(payload["predictions"]):
        assert np.isnan(v) or float(np.float32(v)) == v, f"{v!r} is not a float32 value"


def check_error(resp: RawResponse, case: Case) -> None:
    assert resp.status == case.status, f"expected HTTP {case.status}, got {resp!r}"
    if case.text_body:
        assert resp.headers.get("content-type", "").startswith("text/plain"), resp
        text = resp.text
    elif case.code is not None or case.fields:
        payload = error_body(resp)
        if case.code is not None:
            assert payload["error_code"] == case.code, f"expected error_code {case.code}, got {payload!r}"
        for key, value in case.fields:
            assert payload.get(key) == value, f"expected {key}={value!r}: {payload!r}"
        text = payload.get("message", "")
    else:
        text = resp.text
    for fragment in case.contains:
        assert fragment in text, f"{fragment!r} not in {text[:500]!r}"


# --------------------------------------------------------------------------------------
# The scoring protocol, per server
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS)
def test_health_and_version(request, target, models):
    srv = _scorers(request, target)["rf"]
    for path in ("/ping", "/health"):
        r = raw_request(srv.url, "GET", path)
        assert r.status == 200, (path, r)
        assert r.body == b"\n", (path, r)
        assert r.headers.get("content-type", "").startswith("application/json"), (path, r)
    r = raw_request(srv.url, "GET", "/version")
    assert r.status == 200, r
    import mlflow

    assert r.text == (mlflow.__version__ if target == "mlflow" else KAIZEN_MLFLOW_VERSION), r


@pytest.mark.parametrize("case", OK_CASES, ids=_ids(OK_CASES))
@pytest.mark.parametrize("target", TARGETS)
def test_scoring(request, target, case, models):
    m = models[case.model]
    req = case.build(m)
    check_predictions(send(_scorers(request, target)[case.model], req), m, req, case.layout)


@pytest.mark.parametrize("case", ERROR_CASES, ids=_ids(ERROR_CASES))
@pytest.mark.parametrize("target", TARGETS)
def test_scoring_errors(request, target, case, models):
    srv = _scorers(request, target)[case.model]
    check_error(send(srv, case.build(models[case.model])), case)


@pytest.mark.parametrize("target", TARGETS)
def test_no_content_type(request, target, models):
    """MLflow answers a body without Content-Type with a bare 500 (a bug); Kaizen with a 4xx."""
    m = models["rf"]
    srv = _scorers(request, target)["rf"]
    req = split(m, headers={})
    resp = send(srv, req)
    if target == "mlflow":
        assert resp.status == 500, resp
    else:
        assert 400 <= resp.status < 500, resp


@pytest.mark.parametrize("case,status,code", MLFLOW_ONLY_FAILURES, ids=[c.id for c, _, _ in MLFLOW_ONLY_FAILURES])
def test_mlflow_rejects(mlflow_scorers, models, case, status, code):
    """Documents the forms the reference server refuses (Kaizen answers them, see below)."""
    resp = send(mlflow_scorers[case.model], case.build(models[case.model]))
    assert resp.status == status, resp
    assert error_body(resp)["error_code"] == code, resp


@pytest.mark.kaizen_only
@pytest.mark.parametrize("case,status,code", MLFLOW_ONLY_FAILURES, ids=[c.id for c, _, _ in MLFLOW_ONLY_FAILURES])
def test_kaizen_accepts_what_mlflow_rejects(kaizen_scorers, models, case, status, code):
    m = models[case.model]
    req = case.build(m)
    check_predictions(send(kaizen_scorers[case.model], req), m, req, case.layout)


# --------------------------------------------------------------------------------------
# Kaizen and MLflow side by side
# --------------------------------------------------------------------------------------

_PEER_CASES = OK_CASES + ERROR_CASES


@pytest.mark.kaizen_only
@pytest.mark.parametrize("case", _PEER_CASES, ids=_ids(_PEER_CASES))
def test_same_answer_as_mlflow(kaizen_scorers, mlflow_scorers, models, case):
    req = case.build(models[case.model])
    theirs = send(mlflow_scorers[case.model], req)
    ours = send(kaizen_scorers[case.model], req)
    assert ours.status == theirs.status, f"mlflow {theirs!r}\nkaizen {ours!r}"
    if theirs.status == 200:
        diff = json_diff(theirs.json(), ours.json(), **PEER_TOL)
        assert diff is None, f"{diff}\nmlflow {theirs.text[:600]}\nkaizen {ours.text[:600]}"
        return
    their_ct = theirs.headers.get("content-type", "")
    if their_ct.startswith("text/plain"):
        assert ours.headers.get("content-type", "").startswith("text/plain"), ours
    if case.code is not None:
        assert error_body(ours)["error_code"] == error_body(theirs)["error_code"], f"mlflow {theirs!r}\nkaizen {ours!r}"


# --------------------------------------------------------------------------------------
# Model URIs
# --------------------------------------------------------------------------------------


def _uri_forms(models: dict[str, Served], tmp: Path) -> dict[str, tuple[str, str | None, str | None]]:
    """form -> (URI, V2 model name, registered version)."""
    rf = models["rf"]
    onnx_file = tmp / "bc-forest.onnx"
    if not onnx_file.exists():
        shutil.copy(rf.local_dir / "model.onnx", onnx_file)
    folder = tmp / "bc-forest-folder"
    if not folder.exists():
        shutil.copytree(rf.local_dir, folder)
    return {
        "registry-version": (f"models:/{RF}/1", RF, "1"),
        "registry-stage": (f"models:/{RF}/Production", RF, "1"),
        "registry-alias": (f"models:/{RF}@champion", RF, "1"),
        "run-artifact": (f"runs:/{rf.run_id}/model", None, None),
        "logged-model": (f"models:/{rf.model_id}", None, None),
        "local-folder": (str(folder), "bc-forest-folder", None),
        "onnx-file": (str(onnx_file), "bc-forest", None),
    }


URI_FORMS = ["registry-version", "registry-stage", "registry-alias", "run-artifact", "logged-model",
             "local-folder", "onnx-file"]


@pytest.mark.parametrize("form", URI_FORMS)
def test_uri_forms_resolve_with_mlflow_client(models, form, tmp_path):
    """The URIs Kaizen is given below do name the model for the real client too."""
    import mlflow

    uri, _, _ = _uri_forms(models, tmp_path)[form]
    if form == "onnx-file":
        assert Path(uri).is_file()
        return
    if form == "local-folder":
        local = Path(uri)
    else:
        local = Path(mlflow.artifacts.download_artifacts(uri, dst_path=str(tmp_path / "dl")))
    assert (local / "MLmodel").is_file() and (local / "model.onnx").is_file(), sorted(os.listdir(local))


def _wait_for_serving_line(srv: ScoringServer, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "Serving" in srv.stderr():
            return
        time.sleep(0.05)
    raise AssertionError(f"no 'Serving' line on stderr\n{srv.log_tail()}")


@pytest.mark.kaizen_only
@pytest.mark.parametrize("form", URI_FORMS)
def test_serve_uri_forms(models, server, form, tmp_path):
    uri, v2_name, version = _uri_forms(models, tmp_path)[form]
    m = models["rf"]
    local = form in ("local-folder", "onnx-file")
    # a local model needs no tracking server; the local folder also runs without the micro-batcher
    extra = ("--no-batching",) if form == "local-folder" else ()
    srv = start_kaizen_serve(uri, tmp_path, *extra, tracking_uri=None if local else server.url)
    try:
        _wait_for_serving_line(srv)
        req = split(m)
        resp = send(srv, req)
        check_predictions(resp, m, req, "records")
        if version is not None and "x-kaizen-model-version" in resp.headers:
            assert resp.headers["x-kaizen-model-version"] == version
        req = tensor(m)
        check_predictions(send(srv, req), m, req, "columns")
        if v2_name is not None:
            meta = requests.get(f"{srv.url}/v2/models/{v2_name}", timeout=10)
            assert meta.status_code == 200, meta.text
            assert meta.json()["name"] == v2_name
    finally:
        stop_scoring_server(srv)


@pytest.mark.kaizen_only
def test_serve_with_tracking_uri_option(models, server, tmp_path):
    """--tracking-uri instead of MLFLOW_TRACKING_URI."""
    m = models["rf"]
    srv = start_kaizen_serve(f"models:/{RF}/1", tmp_path, "--tracking-uri", server.url, tracking_uri=None)
    try:
        req = records(m)
        check_predictions(send(srv, req), m, req, "records")
    finally:
        stop_scoring_server(srv)


@pytest.mark.kaizen_only
def test_serve_model_with_external_data(models, server, tmp_path):
    """The MLP's weights live in a `*.data` file beside model.onnx: the whole folder must come down."""
    m = models["mlp"]
    srv = start_kaizen_serve(f"models:/{MLP}/1", tmp_path, tracking_uri=server.url)
    try:
        req = split(m)
        check_predictions(send(srv, req), m, req, "records", tol=dict(rtol=1e-4, atol=1e-4))
    finally:
        stop_scoring_server(srv)


def _hostile_folder(models: dict[str, Served], tmp: Path, kind: str) -> str:
    import yaml

    folder = tmp / f"hostile-{kind}"
    shutil.copytree(models["rf"].local_dir, folder)
    mlmodel = yaml.safe_load((folder / "MLmodel").read_text())
    if kind == "data-traversal":
        mlmodel["flavors"]["onnx"]["data"] = "../../../../../../etc/passwd"
        mlmodel["flavors"]["python_function"]["data"] = "../../../../../../etc/passwd"
    elif kind == "data-absolute":
        mlmodel["flavors"]["onnx"]["data"] = "/etc/passwd"
    elif kind == "symlink-out":
        (folder / "model.onnx").unlink()
        (folder / "model.onnx").symlink_to("/etc/passwd")
    elif kind == "no-onnx-flavor":
        mlmodel["flavors"].pop("onnx")
    elif kind == "not-onnx":
        (folder / "model.onnx").write_bytes(b"this is not a protobuf")
    (folder / "MLmodel").write_text(yaml.safe_dump(mlmodel))
    return str(folder)


HOSTILE = ["runs-dotdot", "runs-id-dotdot", "models-encoded-dotdot", "models-dotdot", "data-traversal",
           "data-absolute", "symlink-out", "no-onnx-flavor", "not-onnx", "missing-version"]


@pytest.mark.kaizen_only
@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_model_uri_is_refused(models, server, kind, tmp_path):
    """The command exits non-zero with a message, and serves nothing."""
    uris = {
        "runs-dotdot": "runs:/../../etc/passwd",
        "runs-id-dotdot": f"runs:/{models['rf'].run_id}/../../../../../etc",
        "models-encoded-dotdot": "models:/%2e%2e/1",
        "models-dotdot": "models:/../../etc/passwd/1",
        "missing-version": f"models:/{RF}/99",
    }
    uri = uris.get(kind) or _hostile_folder(models, tmp_path, kind)
    port = _free_port()
    proc = subprocess.Popen(
        kaizen_serve_command(uri, port), env=kaizen_env(server.url), cwd=tmp_path,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=_die_with_pytest,
    )
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        try:
            served = requests.get(f"http://{HOST}:{port}/ping", timeout=2).status_code
        except requests.RequestException:
            served = None
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"`models serve -m {uri}` still running after 60 s (/ping: {served})")
    assert proc.returncode > 0, f"exit {proc.returncode}\n{out}\n{err}"
    assert (out + err).strip(), "no message"
    assert "Serving" not in err, err
    assert "Fatal error" not in err, err  # a refusal, not a crash
    with pytest.raises(OSError):
        socket.create_connection((HOST, port), timeout=2).close()


# --------------------------------------------------------------------------------------
# Open Inference Protocol v2
# --------------------------------------------------------------------------------------


def _v2_request(m: Served, rows: np.ndarray, **extra) -> dict:
    body = {"inputs": [{"name": "X", "shape": list(rows.shape), "datatype": "FP32",
                        "data": rows.reshape(-1).tolist()}]}
    body.update(extra)
    return body


@pytest.mark.kaizen_only
def test_v2_server_endpoints(kaizen_scorers):
    url = kaizen_scorers["lr"].url
    assert requests.get(f"{url}/v2/health/live", timeout=10).json() == {"live": True}
    assert requests.get(f"{url}/v2/health/ready", timeout=10).json() == {"ready": True}
    meta = requests.get(f"{url}/v2", timeout=10)
    assert meta.status_code == 200
    body = meta.json()
    assert body["name"] == "kaizen" and isinstance(body["version"], str) and body["version"]
    assert body["extensions"] == []


@pytest.mark.kaizen_only
def test_v2_model_metadata(kaizen_scorers, models):
    url = kaizen_scorers["lr"].url
    for path in (f"/v2/models/{LR}", f"/v2/models/{LR}/versions/1"):
        r = requests.get(url + path, timeout=10)
        assert r.status_code == 200, (path, r.text)
        meta = r.json()
        assert meta["name"] == LR
        assert meta["platform"] == "onnx_onnxv1"
        if "versions" in meta:
            assert "1" in meta["versions"], meta
        assert meta["inputs"] == [{"name": "X", "datatype": "FP32", "shape": [-1, 30]}], meta
        assert meta["outputs"] == [
            {"name": "label", "datatype": "INT64", "shape": [-1]},
            {"name": "probabilities", "datatype": "FP32", "shape": [-1, 2]},
        ], meta
    r = requests.get(f"{url}/v2/models/{LR}/ready", timeout=10)
    assert r.status_code == 200 and r.json().get("ready") is True and r.json().get("name") == LR, r.text


def _check_v2_outputs(body: dict, m: Served, rows: np.ndarray, names=("label", "probabilities")) -> None:
    label, proba = m.run(rows)
    outputs = {o["name"]: o for o in body["outputs"]}
    assert sorted(outputs) == sorted(names), body
    if "label" in names:
        out = outputs["label"]
        assert out["datatype"] == "INT64" and out["shape"] == [len(rows)], out
        data = np.asarray(out["data"]).reshape(-1)
        assert all(isinstance(v, int) for v in data.tolist()) and data.tolist() == label.tolist(), out
    if "probabilities" in names:
        out = outputs["probabilities"]
        assert out["datatype"] == "FP32" and out["shape"] == [len(rows), 2], out
        np.testing.assert_allclose(np.asarray(out["data"], dtype=np.float64).reshape(-1), proba.reshape(-1),
                                   **ORT_TOL)


@pytest.mark.kaizen_only
@pytest.mark.parametrize("path", [f"/v2/models/{LR}/infer", f"/v2/models/{LR}/versions/1/infer"])
def test_v2_infer(kaizen_scorers, models, path):
    m = models["lr"]
    rows = m.rows[:2]
    r = requests.post(kaizen_scorers["lr"].url + path, json=_v2_request(m, rows, id="42"), timeout=30)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["model_name"] == LR and body["id"] == "42", body
    if "model_version" in body:
        assert body["model_version"] == "1"
    _check_v2_outputs(body, m, rows)


@pytest.mark.kaizen_only
@pytest.mark.parametrize("binary_in", [True, False], ids=["binary-in", "json-in"])
@pytest.mark.parametrize("binary_out", [True, False], ids=["binary-out", "json-out"])
def test_triton_client(kaizen_scorers, models, binary_in, binary_out):
    """The real Triton HTTP client, with and without the binary tensor data extension (its default is binary)."""
    import tritonclient.http as triton

    m = models["lr"]
    rows = m.rows[:3]
    client = triton.InferenceServerClient(url=kaizen_scorers["lr"].url.removeprefix("http://"))
    assert client.is_server_live() and client.is_server_ready() and client.is_model_ready(LR)
    assert client.get_model_metadata(LR)["inputs"] == [{"name": "X", "datatype": "FP32", "shape": [-1, 30]}]
    tensor = triton.InferInput("X", list(rows.shape), "FP32")
    tensor.set_data_from_numpy(rows.astype(np.float32), binary_data=binary_in)
    outputs = [triton.InferRequestedOutput(name, binary_data=binary_out) for name in ("label", "probabilities")]
    result = client.infer(LR, [tensor], outputs=outputs, request_id="9")
    label, proba = m.run(rows)
    assert result.get_response()["id"] == "9"
    assert result.as_numpy("label").tolist() == label.tolist()
    np.testing.assert_allclose(result.as_numpy("probabilities"), proba, **ORT_TOL)
    # The client's defaults: binary input, all outputs, no outputs named.
    plain = triton.InferInput("X", list(rows.shape), "FP32")
    plain.set_data_from_numpy(rows.astype(np.float32))
    assert client.infer(LR, [plain]).as_numpy("label").tolist() == label.tolist()


@pytest.mark.kaizen_only
def test_v2_infer_nested_data_and_requested_outputs(kaizen_scorers, models):
    """Tensor data may come in its natural nested form; `outputs` picks what comes back."""
    m = models["lr"]
    rows = m.rows[:3]
    url = f"{kaizen_scorers['lr'].url}/v2/models/{LR}/infer"
    body = _v2_request(m, rows)
    body["inputs"][0]["data"] = rows.tolist()
    r = requests.post(url, json=body, timeout=30)
    assert r.status_code == 200, r.text
    _check_v2_outputs(r.json(), m, rows)
    r = requests.post(url, json=_v2_request(m, rows, outputs=[{"name": "probabilities"}]), timeout=30)
    assert r.status_code == 200, r.text
    _check_v2_outputs(r.json(), m, rows, names=("probabilities",))


def _v2_bad(m: Served) -> dict[str, tuple[int, object]]:
    rows = m.rows[:2]
    flat = rows.reshape(-1).tolist()
    ok = _v2_request(m, rows)

    def with_input(**changes):
        body = json.loads(json.dumps(ok))
        body["inputs"][0].update(changes)
        return body

    return {
        "wrong-datatype": (400, with_input(datatype="BYTES", data=["a"] * 60)),
        "unknown-datatype": (400, with_input(datatype="FP128")),
        "data-shorter-than-shape": (400, with_input(data=flat[:-1])),
        "shape-too-narrow": (400, with_input(shape=[2, 29], data=rows[:, :29].reshape(-1).tolist())),
        "unknown-input-name": (400, with_input(name="Y")),
        "no-inputs": (400, {"inputs": []}),
        "inputs-not-a-list": (400, {"inputs": 5}),
        "invalid-json": (400, b"{not json"),
    }


V2_BAD = ["wrong-datatype", "unknown-datatype", "data-shorter-than-shape", "shape-too-narrow", "unknown-input-name",
          "no-inputs", "inputs-not-a-list", "invalid-json"]


@pytest.mark.kaizen_only
@pytest.mark.parametrize("kind", V2_BAD)
def test_v2_bad_requests(kaizen_scorers, models, kind):
    status, body = _v2_bad(models["lr"])[kind]
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    r = requests.post(f"{kaizen_scorers['lr'].url}/v2/models/{LR}/infer", data=data, headers=JSON_CT, timeout=30)
    assert r.status_code == status, r.text
    err = r.json()
    assert isinstance(err.get("error"), str) and err["error"], err


@pytest.mark.kaizen_only
def test_v2_unknown_model_and_version(kaizen_scorers, models):
    url = kaizen_scorers["lr"].url
    body = _v2_request(models["lr"], models["lr"].rows[:2])
    for method, path in [("GET", "/v2/models/no-such-model"), ("GET", "/v2/models/no-such-model/ready"),
                         ("POST", "/v2/models/no-such-model/infer")]:
        r = requests.request(method, url + path, json=body if method == "POST" else None, timeout=10)
        assert r.status_code == 404, (path, r.status_code, r.text)
        assert isinstance(r.json().get("error"), str), r.text
    r = requests.post(f"{url}/v2/models/{LR}/versions/99/infer", json=body, timeout=10)
    assert r.status_code in (400, 404), r.text
    assert isinstance(r.json().get("error"), str), r.text


# --------------------------------------------------------------------------------------
# Metrics, concurrency, limits
# --------------------------------------------------------------------------------------


@pytest.mark.kaizen_only
def test_metrics(kaizen_scorers, models):
    srv = kaizen_scorers["rf"]
    m = models["rf"]

    def scrape():
        r = requests.get(f"{srv.url}/metrics", timeout=10)
        assert r.status_code == 200, r.text
        assert r.headers.get("content-type", "").startswith("text/plain"), r.headers
        return parse_prometheus(r.text)

    _, before = scrape()
    for _ in range(3):
        assert send(srv, split(m)).status == 200
    assert send(srv, _drop_column(m, "records")).status == 400
    types, after = scrape()
    names = {name for name, _, _ in after}
    for required in ("kaizen_requests_total", "kaizen_request_duration_seconds_bucket",
                     "kaizen_request_duration_seconds_sum", "kaizen_request_duration_seconds_count",
                     "kaizen_rows_total"):
        assert required in names, f"{required} missing from /metrics: {sorted(names)}"
    assert any(n.startswith("kaizen_batch_size") for n in names), sorted(names)
    assert types.get("kaizen_request_duration_seconds") == "histogram", types
    assert any(n == "kaizen_request_duration_seconds_bucket" and lab.get("le") == "+Inf" for n, lab, _ in after)
    labelled = dict(model=RF, version="1")
    assert metric_sum(after, "kaizen_rows_total", **labelled) - metric_sum(before, "kaizen_rows_total", **labelled) \
        >= 3 * len(m.rows)
    assert metric_sum(after, "kaizen_requests_total", **labelled) \
        - metric_sum(before, "kaizen_requests_total", **labelled) >= 4
    assert any(n.startswith("kaizen_batch_size") and lab.get("model") == RF and lab.get("version") == "1"
               for n, lab, _ in after)


@pytest.mark.kaizen_only
def test_concurrent_requests_get_their_own_rows(kaizen_scorers, models):
    """With the micro-batcher stacking requests, each answer must still hold exactly its own rows."""
    srv = kaizen_scorers["reg"]
    m = models["reg"]
    rng = np.random.default_rng(7)
    payloads = []
    for i in range(8):
        idx = rng.choice(len(m.data), size=1 + i, replace=False)
        payloads.append(split(m, m.data[idx]))
    failures: list[str] = []

    def worker(req: Req) -> None:
        session = requests.Session()
        expected = m.expected_records(req.matrix)
        for _ in range(15):
            try:
                r = session.post(srv.url + "/invocations", data=req.body, headers=req.headers, timeout=30)
            except requests.RequestException as exc:
                failures.append(repr(exc))
                continue
            diff = json_diff(expected, r.json().get("predictions") if r.status_code == 200 else None, **ORT_TOL)
            if r.status_code != 200 or diff:
                failures.append(f"{r.status_code} {diff} {r.text[:200]}")

    threads = [threading.Thread(target=worker, args=(p,)) for p in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failures, failures[:5]


@pytest.mark.kaizen_only
def test_oversized_body_is_refused_and_server_stays_up(kaizen_scorers, models):
    srv = kaizen_scorers["rf"]
    size = 200 * 1024 * 1024
    row = b"[" + b",".join([b"1.5"] * 30) + b"],"
    chunk = row * (1024 * 1024 // len(row))
    conn = http.client.HTTPConnection(HOST, srv.port, timeout=60)
    sent = 0
    status = None
    try:
        conn.putrequest("POST", "/invocations")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(size))
        conn.endheaders()
        conn.send(b'{"inputs": [')
        sent = 12
        while sent < size:
            piece = chunk[: size - sent]
            conn.send(piece)
            sent += len(piece)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server stopped reading: fine, as long as it said why (below) or at least refused
    try:
        resp = conn.getresponse()
        status = resp.status
        resp.read()
    except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
        status = None
    finally:
        conn.close()
    if status is None:
        assert sent < size, "the connection was dropped only after the whole 200 MB had been sent"
    else:
        assert status in (413, 400), status
    srv.assert_alive()
    m = models["rf"]
    req = split(m)
    check_predictions(send(srv, req), m, req, "records")


# --------------------------------------------------------------------------------------
# Alias moved under load
# --------------------------------------------------------------------------------------


@pytest.mark.kaizen_only
def test_alias_move_under_load(server, client, tmp_path):
    import mlflow
    import pandas as pd
    from mlflow.models import infer_signature
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import Ridge

    db = load_diabetes(as_frame=True)
    db_x = db.data.astype(np.float32)
    DX = db_x.to_numpy()
    versions = {}
    sessions = {}
    # v2 predicts on a ten times larger scale plus 1000: every answer tells which version gave it
    for target in (db.target.to_numpy(), db.target.to_numpy() * 10 + 1000):
        reg = Ridge(alpha=0.5).fit(DX, target)
        onx = to_onnx(reg, initial_types=[("X", FloatTensorType([None, 10]))])
        sig = infer_signature(db_x, pd.DataFrame({"variable": reg.predict(DX).astype(np.float32)}))
        ids = _log_onnx(onx, ALIAS_MODEL, sig)
        import onnxruntime as ort

        sessions[ids["version"]] = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
        versions[ids["version"]] = ids
    assert sorted(versions) == ["1", "2"]
    client.set_registered_model_alias(ALIAS_MODEL, "champion", "1")
    rows = DX[:8]
    expected = {v: [float(x) for x in s.run(None, {"X": rows})[0].reshape(-1)] for v, s in sessions.items()}
    body = json.dumps({"dataframe_split": {"columns": list(db_x.columns), "data": rows.tolist()}}).encode()

    srv = start_kaizen_serve(f"models:/{ALIAS_MODEL}@champion", tmp_path, "--poll-interval", "1",
                             tracking_uri=server.url)
    try:
        results: list[tuple[float, float, str | None, str | None]] = []  # (start, end, version, header)
        failures: list[str] = []
        lock = threading.Lock()
        t0 = time.monotonic()
        stop_at = t0 + 7.0

        def which(preds) -> str | None:
            for v, exp in expected.items():
                if json_diff(exp, preds, **ORT_TOL) is None:
                    return v
            return None

        def worker() -> None:
            session = requests.Session()
            while time.monotonic() < stop_at:
                start = time.monotonic()
                try:
                    r = session.post(srv.url + "/invocations", data=body, headers=JSON_CT, timeout=30)
                except requests.RequestException as exc:
                    with lock:
                        failures.append(repr(exc))
                    continue
                end = time.monotonic()
                if r.status_code != 200:
                    with lock:
                        failures.append(f"{r.status_code} {r.text[:200]}")
                    continue
                preds = [rec.get("variable") for rec in r.json()["predictions"]]
                version = which(preds)
                with lock:
                    if version is None:
                        failures.append(f"answer is neither v1's nor v2's: {preds}")
                    results.append((start, end, version, r.headers.get("X-Kaizen-Model-Version")))

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(2.0)
        client.set_registered_model_alias(ALIAS_MODEL, "champion", "2")
        moved = time.monotonic()
        for t in threads:
            t.join(timeout=60)
        assert not failures, failures[:5]
        assert len(results) >= 20, f"only {len(results)} answers in 7 s"
        before = [r for r in results if r[1] < moved]
        assert before and all(r[2] == "1" for r in before), "answers finished before the move must come from v1"
        v2 = [r for r in results if r[2] == "2"]
        assert v2, f"v2 never answered within {stop_at - moved:.1f} s of the move (poll interval 1 s)"
        first_v2_end = min(r[1] for r in v2)
        late_v1 = [r for r in results if r[2] == "1" and r[0] > first_v2_end]
        assert not late_v1, f"{len(late_v1)} requests sent after v2 had answered still got v1"
        for _, _, version, header in results:
            if header is not None:
                assert header == version, (header, version)
        srv.assert_alive()
    finally:
        stop_scoring_server(srv)


# --------------------------------------------------------------------------------------
# Graceful stop
# --------------------------------------------------------------------------------------


@pytest.mark.kaizen_only
def test_sigterm_lets_in_flight_requests_finish(models, server, tmp_path):
    """Requests whose bodies are still arriving when SIGTERM comes are answered; then the process exits 0."""
    m = models["reg"]
    srv = start_kaizen_serve(f"models:/{REG}/1", tmp_path, tracking_uri=server.url)
    socks = []
    try:
        req = split(m, m.data[:200])
        body = req.body
        head = (
            f"POST /invocations HTTP/1.1\r\nHost: {HOST}:{srv.port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        for _ in range(3):
            s = socket.create_connection((HOST, srv.port), timeout=30)
            s.sendall(head + body[: len(body) // 2])
            socks.append(s)
        time.sleep(0.5)  # the server has accepted the connections and is reading the bodies
        srv.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert srv.proc.poll() is None, f"exited with requests in flight\n{srv.log_tail()}"
        for s in socks:
            s.sendall(body[len(body) // 2:])
        for s in socks:
            resp = http.client.HTTPResponse(s)
            resp.begin()
            data = resp.read()
            assert resp.status == 200, (resp.status, data[:300])
            got = json.loads(data)["predictions"]
            diff = json_diff(m.expected_records(req.matrix), got, **ORT_TOL)
            assert diff is None, diff
        code = srv.proc.wait(timeout=30)
        assert code == 0, f"exit code {code}\n{srv.log_tail()}"
    finally:
        for s in socks:
            s.close()
        stop_scoring_server(srv)


# --------------------------------------------------------------------------------------
# Batch scoring: kaizen models predict
# --------------------------------------------------------------------------------------


PREDICT_CASES = [("rf", "csv", "output_label"), ("lr", "csv", "label"), ("reg", "jsonl", "variable")]


@pytest.mark.kaizen_only
@pytest.mark.parametrize("key,fmt,column", PREDICT_CASES, ids=[f"{k}-{f}" for k, f, _ in PREDICT_CASES])
def test_models_predict_file(kaizen_cli, models, key, fmt, column, tmp_path):
    import pandas as pd

    m = models[key]
    rng = np.random.default_rng(3)
    matrix = m.data[rng.choice(len(m.data), size=1000, replace=True)]
    frame = pd.DataFrame(matrix, columns=m.columns)
    src = tmp_path / f"input.{fmt}"
    dst = tmp_path / f"output.{fmt}"
    if fmt == "csv":
        frame.to_csv(src, index=False)
    else:
        src.write_text("".join(json.dumps(dict(zip(m.columns, row))) + "\n" for row in matrix.tolist()))
    # Batches of 37 rows: one batch is scored while the next is read, and the answers keep the input's order.
    result = kaizen_cli("models", "predict", "-m", f"models:/{m.name}/1", "--input", str(src), "--output", str(dst),
                        "--batch-size", "37", timeout=180)
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    expected = m.run(matrix)[0].reshape(len(matrix), -1)[:, 0]
    if fmt == "csv":
        out = pd.read_csv(dst)
        assert len(out) == 1000, out.shape
        assert column in out.columns, list(out.columns)
        got = out[column].to_numpy()
    else:
        lines = [json.loads(line) for line in dst.read_text().splitlines() if line.strip()]
        assert len(lines) == 1000
        got = np.array([rec[column] for rec in lines])
    if expected.dtype.kind in "iu":
        assert got.tolist() == expected.tolist()
    else:
        np.testing.assert_allclose(got.astype(np.float64), expected.astype(np.float64), **ORT_TOL)
