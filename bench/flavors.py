#!/usr/bin/env python3
"""Benchmark serving the models MLflow users log, in their own formats: `kaizen models serve` (which reads skops,
XGBoost and LightGBM files natively) against `mlflow models serve` (which loads them with scikit-learn, XGBoost and
LightGBM in Python), on the same model folders, in the same run.

Models, saved with the real `mlflow.<flavor>.save_model` in each flavor's default format:

  - `diabetes-ridge`: the README tour's Ridge(alpha=0.1) on scikit-learn's diabetes data (NumPy input, so `inputs`
    request bodies), skops
  - `cancer-forest`: RandomForestClassifier(n_estimators=100, max_depth=10) on the breast cancer data, skops
  - `cancer-xgboost`: XGBClassifier(n_estimators=300, max_depth=6), ubj
  - `cancer-lightgbm`: a lightgbm.train binary Booster of 300 trees (num_leaves 31), LightGBM text

For each model, each server in turn (never two at once) on a free 127.0.0.1 port (MLflow: `--env-manager local`,
one uvicorn worker, its default):

  1. start-up: from spawn to the first 200 on GET /ping
  2. idle RSS, summed over the server's process tree
  3. correctness: the answers of the two servers to the same bodies must agree (labels equal, numbers within 1e-6)
  4. wrk at 8 connections (2 threads), a warm-up then `--seconds`, on one-row and 100-row bodies: requests/s, p99,
     non-2xx (must be 0)
  5. peak RSS over the run

Then batch scoring: `kaizen models predict` on a CSV of `--batch-rows` rows against the library's own `predict` on
one thread in this process (scikit-learn with n_jobs=1, XGBoost with nthread=1, LightGBM with num_threads=1), rows/s.

Goals (issue 15): at 8 connections at least 100x MLflow's one-row requests/s, 10x less memory, start-up in
milliseconds. Reported, never asserted; exit status 1 only if a check failed. Run: `make release &&
.venv/bin/python bench/flavors.py`.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]
from common import (  # noqa: E402
    HOST, REPO, WRK_INVOCATIONS, fail, finish, free_port, log, lua_long_string, process_tree, read_status_kib,
    run_wrk, spawn_server, stop_server,
)

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import requests  # noqa: E402

PAYLOADS = {"1 row": (1, 64), "100 rows": (100, 16)}
GOAL_THROUGHPUT = 100.0
GOAL_MEMORY = 10.0


def save_models(root: Path) -> dict:
    import lightgbm as lgb
    import mlflow.lightgbm
    import mlflow.sklearn
    import mlflow.xgboost
    import xgboost as xgb
    from sklearn.datasets import load_breast_cancer, load_diabetes
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import Ridge

    Xd, yd = load_diabetes(return_X_y=True)
    cancer = load_breast_cancer(as_frame=True)
    Xc, yc = cancer.data, cancer.target
    models = {}
    ridge = Ridge(alpha=0.1).fit(Xd, yd)
    mlflow.sklearn.save_model(ridge, root / "diabetes-ridge", input_example=Xd[:2])
    models["diabetes-ridge"] = {"X": Xd, "predict": ridge.predict, "tensor": True}
    forest = RandomForestClassifier(n_estimators=100, max_depth=10, random_state=0, n_jobs=1).fit(Xc, yc)
    mlflow.sklearn.save_model(forest, root / "cancer-forest", input_example=Xc[:2],
                              skops_trusted_types=["sklearn.tree._tree.Tree"])
    models["cancer-forest"] = {"X": Xc, "predict": forest.predict}
    booster = xgb.XGBClassifier(n_estimators=300, max_depth=6, random_state=0, n_jobs=1).fit(Xc, yc)
    mlflow.xgboost.save_model(booster, root / "cancer-xgboost", input_example=Xc[:2])
    models["cancer-xgboost"] = {"X": Xc, "predict": booster.predict}
    light = lgb.train({"objective": "binary", "num_leaves": 31, "verbose": -1, "num_threads": 1, "seed": 0},
                      lgb.Dataset(Xc, yc), 300)
    mlflow.lightgbm.save_model(light, root / "cancer-lightgbm", input_example=Xc[:2])
    models["cancer-lightgbm"] = {"X": Xc, "predict": light.predict}
    for name, model in models.items():
        model["folder"] = root / name
        X = model["X"]
        values = X.values if hasattr(X, "values") else X
        model["bodies"] = {}
        for kind, (rows, count) in PAYLOADS.items():
            bodies = []
            for b in range(count):
                part = values[[(b * rows + j) % len(values) for j in range(rows)]].tolist()
                if model.get("tensor"):
                    bodies.append(json.dumps({"inputs": part}))
                else:
                    bodies.append(json.dumps({"dataframe_split": {"columns": [str(c) for c in X.columns],
                                                                  "data": part}}))
            model["bodies"][kind] = bodies
    return models


def rss_mib(pid: int, key: str = "VmRSS") -> float:
    return sum(read_status_kib(p).get(key, 0) for p in process_tree(pid)) / 1024


def predictions(url: str, body: str) -> list:
    answer = requests.post(f"{url}/invocations", data=body, headers={"Content-Type": "application/json"}, timeout=120)
    if answer.status_code != 200:
        fail(f"{url}: {answer.status_code} {answer.text[:300]}")
        return []
    return answer.json()["predictions"]


def serve(label: str, command: list[str], port: int, model: dict, args, workdir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    process, startup = spawn_server(command, env, workdir, port)
    url = f"http://{HOST}:{port}"
    result: dict = {"startup_ms": startup * 1000}
    try:
        time.sleep(1)
        result["idle_rss_mib"] = rss_mib(process.pid)
        result["answers"] = [predictions(url, body) for body in model["bodies"]["100 rows"][:4]]
        for kind, bodies in model["bodies"].items():
            script = WRK_INVOCATIONS.replace("__BODIES__", ",\n".join(lua_long_string(b) for b in bodies))
            tag = f"{label}-{kind.replace(' ', '')}"
            run_wrk(script, url + "/invocations", 2, 8, args.warmup, workdir, tag + "-warmup")
            run = run_wrk(script, url + "/invocations", 2, 8, args.seconds, workdir, tag)
            if run["err_status"] or run["socket_errors"]:
                fail(f"{label}, {kind}: {run['err_status']} non-2xx, {run['socket_errors']} socket errors")
            result[kind] = {"rps": run["ok_requests"] / run["duration_s"], "p99_ms": run["lat_p99_us"] / 1000}
            log(f"{label}, {kind}: {result[kind]['rps']:.0f} req/s, p99 {result[kind]['p99_ms']:.2f} ms")
        result["peak_rss_mib"] = rss_mib(process.pid, "VmHWM")
    finally:
        stop_server(process)
    return result


def agree(name: str, kaizen: list, mlflow: list) -> None:
    for got, want in zip(kaizen, mlflow):
        a, b = np.asarray(got), np.asarray(want)
        if a.shape != b.shape:
            fail(f"{name}: answers of shapes {a.shape} and {b.shape}")
        elif b.dtype.kind in "iub" or a.dtype.kind in "iub":
            if not np.array_equal(a, b):
                fail(f"{name}: labels differ")
        elif not np.allclose(a.astype(float), b.astype(float), rtol=1e-6, atol=1e-6):
            fail(f"{name}: answers differ by {np.max(np.abs(a.astype(float) - b.astype(float)))}")


def batch(name: str, model: dict, args, workdir: Path) -> dict:
    """`kaizen models predict` over a CSV of --batch-rows rows, and the library's own predict on one thread."""
    X = model["X"]
    values = X.values if hasattr(X, "values") else X
    rows = values[np.arange(args.batch_rows) % len(values)]
    columns = [str(c) for c in X.columns] if hasattr(X, "columns") else [f"c{i}" for i in range(values.shape[1])]
    csv = workdir / f"{name}.csv"
    with open(csv, "w") as out:
        out.write(",".join(columns) + "\n")
        np.savetxt(out, rows, delimiter=",", fmt="%.17g")
    result = {}
    if not model.get("tensor"):  # a tensor-signature model takes no CSV columns by name
        began = time.perf_counter()
        done = subprocess.run([args.kaizen_bin, "models", "predict", "-m", str(model["folder"]), "-i", str(csv),
                               "-o", str(workdir / f"{name}.out.csv")], capture_output=True, text=True)
        seconds = time.perf_counter() - began
        if done.returncode != 0:
            fail(f"{name}: kaizen models predict failed: {done.stderr[-500:]}")
        result["kaizen_rows_per_s"] = args.batch_rows / seconds
    frame = rows
    if hasattr(X, "columns"):
        import pandas as pd
        frame = pd.DataFrame(rows, columns=X.columns)
    times = []
    for _ in range(3):
        began = time.perf_counter()
        model["predict"](frame)
        times.append(time.perf_counter() - began)
    result["library_rows_per_s"] = args.batch_rows / statistics.median(times)
    return result


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kaizen-bin", default=os.environ.get("KAIZEN_BIN", str(REPO / ".build/release/kaizen")))
    parser.add_argument("--seconds", type=int, default=8, help="wrk run per payload and server")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--batch-rows", type=int, default=200_000)
    parser.add_argument("--only", help="comma-separated model names")
    parser.add_argument("--json", metavar="OUT")
    args = parser.parse_args()
    t0 = time.perf_counter()
    if shutil.which("wrk") is None or not os.access(args.kaizen_bin, os.X_OK):
        print("error: needs wrk (make bench-tools) and a Kaizen binary (make release)", file=sys.stderr)
        return 2
    root = Path(tempfile.mkdtemp(prefix="kaizen-bench-flavors-"))
    models = save_models(root)
    if args.only:
        models = {k: v for k, v in models.items() if k in args.only.split(",")}
    results: dict = {}
    for name, model in models.items():
        workdir = root / f"{name}-runs"
        port = free_port()
        kaizen = serve(f"{name} kaizen", [args.kaizen_bin, "models", "serve", "-m", str(model["folder"]), "--host",
                                          HOST, "--port", str(port), "--no-access-log"], port, model, args, workdir)
        port = free_port()
        mlflow = serve(f"{name} mlflow", [str(Path(sys.executable).parent / "mlflow"), "models", "serve", "-m",
                                          str(model["folder"]), "--env-manager", "local", "-h", HOST, "-p", str(port),
                                          "-w", "1"], port, model, args, workdir)
        agree(name, kaizen.pop("answers"), mlflow.pop("answers"))
        results[name] = {"kaizen": kaizen, "mlflow": mlflow, "batch": batch(name, model, args, workdir)}
    print()
    print(f"{'model':<18} {'':<22} {'MLflow':>12} {'Kaizen':>12} {'ratio':>9}")
    goals = []
    for name, r in results.items():
        k, m = r["kaizen"], r["mlflow"]
        rows = [("start-up, ms", m["startup_ms"], k["startup_ms"], m["startup_ms"] / k["startup_ms"]),
                ("idle RSS, MiB", m["idle_rss_mib"], k["idle_rss_mib"], m["idle_rss_mib"] / k["idle_rss_mib"]),
                ("peak RSS, MiB", m["peak_rss_mib"], k["peak_rss_mib"], m["peak_rss_mib"] / k["peak_rss_mib"])]
        for kind in PAYLOADS:
            rows.append((f"{kind}, 8 conns, req/s", m[kind]["rps"], k[kind]["rps"], k[kind]["rps"] / m[kind]["rps"]))
            rows.append((f"{kind}, p99 ms", m[kind]["p99_ms"], k[kind]["p99_ms"], m[kind]["p99_ms"] / k[kind]["p99_ms"]))
        b = r["batch"]
        if "kaizen_rows_per_s" in b:
            rows.append(("batch rows/s vs library", b["library_rows_per_s"], b["kaizen_rows_per_s"],
                         b["kaizen_rows_per_s"] / b["library_rows_per_s"]))
        else:
            rows.append(("library rows/s (1 thread)", b["library_rows_per_s"], float("nan"), float("nan")))
        for index, (what, mv, kv, ratio) in enumerate(rows):
            print(f"{name if index == 0 else '':<18} {what:<22} {mv:>12.1f} {kv:>12.1f} {ratio:>8.1f}x")
        throughput = k["1 row"]["rps"] / m["1 row"]["rps"]
        memory = m["peak_rss_mib"] / k["peak_rss_mib"]
        goals.append((f"{name}: 1-row throughput >= {GOAL_THROUGHPUT:.0f}x", throughput, throughput >= GOAL_THROUGHPUT))
        goals.append((f"{name}: peak memory >= {GOAL_MEMORY:.0f}x less", memory, memory >= GOAL_MEMORY))
        goals.append((f"{name}: start-up in milliseconds (< 1 s)", k["startup_ms"], k["startup_ms"] < 1000))
    print("\ngoals (issue 15):")
    for what, value, met in goals:
        print(f"  {what:<48} {value:>9.1f}  {'met' if met else 'MISSED'}")
    shutil.rmtree(root, ignore_errors=True)
    return finish(args, t0, {}, {"results": results, "goals": [list(g) for g in goals]})


if __name__ == "__main__":
    sys.exit(main())
