#!/usr/bin/env python3
"""Benchmark Kaizen's ONNX engine against onnxruntime: the same models and rows, one thread each.

Four scikit-learn classifiers (logistic regression, random forest, histogram gradient boosting, MLP) are
trained on make_classification data (20k training rows) and converted with skl2onnx (zipmap=False). For
each model, onnxruntime (in this process) and then Kaizen (`kaizen onnx bench`, a subprocess) are measured
on the same 100k evaluation rows, never at the same time:

  1. load: creating a session / loading the model from its file, median of 5
  2. rows/s at batch 1,000 and 100,000: median per-call rate over >= 2 s of repeated calls
  3. single-row latency: median and p99 of 5000 one-row calls after 300 warm-up calls, rows cycled

The table gives both figures and their ratio (>1 always means Kaizen is better). Trained models are
cached under bench/out/onnx/. Run with the project's venv: `.venv/bin/python bench/onnx.py --help`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# This file is named onnx.py: its folder goes to the end of the path, so that `import onnx` finds the package
# and `import common` still finds bench/common.py.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # single-threaded training, and no idle thread pools during the timing

import json  # noqa: E402
import statistics  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
import skl2onnx  # noqa: E402
import sklearn  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from common import NOISE, REPO, fail, finish, log, machine_info, new_parser, pct  # noqa: E402

MODELS = {
    "logreg": lambda: LogisticRegression(max_iter=1000),
    "rf": lambda: RandomForestClassifier(n_estimators=100, max_depth=10, random_state=0, n_jobs=1),
    "hgb": lambda: HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=0),
    "mlp": lambda: MLPClassifier(hidden_layer_sizes=(100, 100), max_iter=200, random_state=0),
}
TREES = ("rf", "hgb")  # the goal: faster than onnxruntime on these, at least equal on the others
BATCHES = (1000, 100_000)
CACHE = REPO / "bench/out/onnx" / f"v1-sklearn{sklearn.__version__}-skl2onnx{skl2onnx.__version__}-onnx{onnx.__version__}"

ROWS = [  # label, unit, figure of one engine's results, higher_is_better
    ("load, median", "ms", lambda s: s["load_ms"]["median"], False),
    *[(f"rows/s, batch {b:,}", "rows/s", lambda s, b=b: s["rows_per_second"][str(b)], True) for b in BATCHES],
    ("single row, median", "us", lambda s: s["single_row_us"]["median"], False),
    ("single row, p99", "us", lambda s: s["single_row_us"]["p99"], False),
]


# --------------------------------------------------------------------------- data and models


def make_data() -> tuple[np.ndarray, ...]:
    """Standardised float32 rows and their labels: 20k to train on and the other 100k to evaluate on."""
    X, y = make_classification(n_samples=120_000, n_features=30, n_informative=15, n_redundant=5, random_state=0)
    X = StandardScaler().fit(X[:20_000]).transform(X).astype(np.float32)
    return X[:20_000], y[:20_000], X[20_000:], y[20_000:]


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def prepare(names: list[str], X_train, y_train, X_eval, y_eval) -> tuple[Path, dict[str, Path]]:
    """The eval rows as a TensorProto file and each model's ONNX file, made unless already in the cache."""
    CACHE.mkdir(parents=True, exist_ok=True)
    rows = CACHE / "rows.pb"
    if not rows.exists():
        write_atomic(rows, numpy_helper.from_array(X_eval, "rows").SerializeToString())
    paths = {}
    for name in names:
        path = paths[name] = CACHE / f"{name}.onnx"
        if path.exists():
            continue
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # the MLP may stop at max_iter unconverged: fine here
            est = MODELS[name]().fit(X_train, y_train)
        write_atomic(path, skl2onnx.to_onnx(est, X_train[:1], options={"zipmap": False}).SerializeToString())
        log(f"{name}: trained and converted in {time.perf_counter() - t0:.0f} s, accuracy on the eval rows "
            f"{est.score(X_eval, y_eval):.3f} -> {path.relative_to(REPO)}")
    return rows, paths


# --------------------------------------------------------------------------- measurements


def session(model: str | bytes) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])


def rows_per_second(run, X: np.ndarray, size: int, seconds: float) -> float:
    """Median per-call rows/s over repeated calls filling `seconds` (at least 3), after one untimed call; the
    batches are made beforehand and cycled: up to 8 consecutive slices of `size` rows, as Kaizen's CLI does."""
    batches = [np.ascontiguousarray(X[i * size:(i + 1) * size]) for i in range(max(1, min(8, len(X) // size)))]
    run(batches[0])
    rates, i, deadline = [], 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(rates) < 3:
        t0 = time.perf_counter()
        run(batches[i % len(batches)])
        rates.append(size / (time.perf_counter() - t0))
        i += 1
    return statistics.median(rates)


def single_row(run, X: np.ndarray, calls: int, warmup: int) -> dict:
    """Microseconds per one-row call: `warmup` untimed calls, then `calls` timed ones, cycling through the rows."""
    times = []
    for call in range(warmup + calls):
        row = X[call % len(X):call % len(X) + 1]
        t0 = time.perf_counter()
        run(row)
        dt = time.perf_counter() - t0
        if call >= warmup:
            times.append(dt * 1e6)
    return {"median": statistics.median(times), "p99": pct(times, 99), "min": min(times), "calls": len(times)}


def bench_ort(path: Path, X: np.ndarray, a) -> dict:
    """onnxruntime's figures, in the shape of `kaizen onnx bench`'s JSON."""
    loads = []
    for _ in range(a.loads):
        t0 = time.perf_counter()
        sess = session(str(path))
        loads.append((time.perf_counter() - t0) * 1e3)
    name = sess.get_inputs()[0].name
    run = lambda x: sess.run(None, {name: x})  # noqa: E731  (both outputs, label and probabilities)
    return {"load_ms": {"median": statistics.median(loads), "min": min(loads)},
            "rows_per_second": {str(b): rows_per_second(run, X, b, a.seconds) for b in BATCHES},
            "single_row_us": single_row(run, X, a.calls, a.warmup)}


def call_floor(X: np.ndarray, a) -> dict:
    """onnxruntime's Python call overhead: single-row figures of an Identity model on float[1,30]."""
    io = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [1, X.shape[1]]) for n in ("x", "y")]
    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "floor", io[:1], io[1:])
    sess = session(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8).SerializeToString())
    return single_row(lambda x: sess.run(None, {"x": x}), X, a.calls, a.warmup)


def bench_kaizen(path: Path, rows: Path, X: np.ndarray, a) -> dict:
    cmd = [a.kaizen_bin, "onnx", "bench", str(path), "--input", str(rows), *[f"--batch={b}" for b in BATCHES],
           f"--seconds={a.seconds}", f"--calls={a.calls}", f"--warmup={a.warmup}", f"--loads={a.loads}"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"`{' '.join(cmd)}` exited with {out.returncode}: {out.stderr.strip()[-500:]}")
    res = json.loads(out.stdout)
    if (res.get("rows"), res.get("features")) != X.shape:
        fail(f"{path.stem}: Kaizen read {res.get('rows')} x {res.get('features')} rows, expected {X.shape[0]} x {X.shape[1]}")
    return res


def check_parity(paths: dict, X: np.ndarray, a) -> None:
    """Before timing: Kaizen must give onnxruntime's outputs on these exact models (1,000 rows, `kaizen onnx check`)."""
    cases = []
    for name, path in paths.items():
        case = path.parent / "check" / name
        data = case / "test_data_set_0"
        data.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, case / "model.onnx")
        rows = X[:1000]
        sess = session(path.read_bytes())
        (data / "input_0.pb").write_bytes(numpy_helper.from_array(rows, sess.get_inputs()[0].name).SerializeToString())
        for i, (meta, value) in enumerate(zip(sess.get_outputs(), sess.run(None, {sess.get_inputs()[0].name: rows}))):
            (data / f"output_{i}.pb").write_bytes(numpy_helper.from_array(np.asarray(value), meta.name).SerializeToString())
        cases.append(str(case))
    out = subprocess.run([a.kaizen_bin, "onnx", "check", *cases], capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        fail(f"Kaizen's outputs differ from onnxruntime's:\n{out.stdout}{out.stderr}")
    log(f"parity: {out.stdout.strip().splitlines()[-1]} (labels equal, scores within 1e-5 of onnxruntime)")


# --------------------------------------------------------------------------- report


def fmt(value: float, unit: str) -> str:
    if unit == "rows/s":
        return f"{value / 1e6:.2f} M" if value >= 1e6 else f"{value / 1e3:.0f} k"
    return f"{value:.2f}" if unit == "ms" else f"{value:.1f}"


def print_table(results: dict) -> dict:
    """A block per model: both engines' figures, ratio, and the issue's goal on throughput. Where the goal was missed."""
    missed = []
    print(f"\n{'':24} {'unit':>6} {'onnxruntime':>12} {'Kaizen':>10} {'ratio':>7}  goal")
    for name, res in results.items():
        print(f"{name} ({res['onnx_bytes'] / 1024:,.0f} KiB ONNX)")
        o, k = res.get("ort"), res.get("kaizen")
        res["ratios"] = {}
        for label, unit, get, higher in ROWS:
            r = None if o is None or k is None else (get(k) / get(o) if higher else get(o) / get(k))
            goal = ""
            if r is not None:
                res["ratios"][label] = r
            if higher:
                met = r is not None and (r > 1 if name in TREES else r >= 1)
                goal = (">1" if name in TREES else ">=1") + (": met" if met else ": MISSED")
                if not met:
                    missed.append(f"{name} {label}")
            cells = [fmt(get(s), unit) if s else "-" for s in (o, k)]
            print(f"  {label:22} {unit:>6} {cells[0]:>12} {cells[1]:>10} "
                  f"{(f'{r:.2f}x' if r is not None else ''):>7}  {goal}")
    print("ratio: Kaizen/onnxruntime for rows/s, onnxruntime/Kaizen for times: >1 means Kaizen is better.")
    return {"missed": missed}


def main() -> int:
    p = new_parser(__doc__)
    p.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS), help="models to measure (default: all)")
    p.add_argument("--quick", action="store_true", help="short smoke run: 0.3 s per batch size, 500 calls, 2 loads")
    p.add_argument("--json", metavar="OUT", help="write all results to this JSON file")
    p.add_argument("--kaizen-bin", default=os.environ.get("KAIZEN_BIN", str(REPO / ".build/release/kaizen")),
                   help="Kaizen binary (default $KAIZEN_BIN, else .build/release/kaizen)")
    a = p.parse_args()
    a.seconds, a.calls, a.warmup, a.loads = (0.3, 500, 50, 2) if a.quick else (2.0, 5000, 300, 5)
    if not (os.path.isfile(a.kaizen_bin) and os.access(a.kaizen_bin, os.X_OK)):
        print(f"error: Kaizen binary not found or not executable: {a.kaizen_bin}\n"
              "       Build it with `make release` (or set KAIZEN_BIN).", file=sys.stderr)
        return 2

    t0 = time.perf_counter()
    info = {k: v for k, v in machine_info().items() if k not in ("sqlite", "wrk")}
    versions = {"onnxruntime": ort.__version__, "scikit-learn": sklearn.__version__, "skl2onnx": skl2onnx.__version__,
                "onnx": onnx.__version__, "numpy": np.__version__}
    load0 = os.getloadavg()
    print(f"machine: {info['nproc']} CPUs ({info.get('cpu', '?')}), {info.get('mem_gib', '?')} GiB, Linux {info['kernel']}")
    print(f"versions: Kaizen {info['kaizen_commit']} ({a.kaizen_bin}), python {info['python']}, "
          + ", ".join(f"{k} {v}" for k, v in versions.items()))
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in load0)}", flush=True)

    X_train, y_train, X_eval, y_eval = make_data()
    rows, paths = prepare(a.models, X_train, y_train, X_eval, y_eval)
    print(f"rows: {X_eval.shape[0]:,} x {X_eval.shape[1]} float32; both engines on one thread (onnxruntime: 1 intra-op "
          f"and 1 inter-op thread, sequential); rows/s: median over {a.seconds:g} s per batch size; single row: "
          f"{a.calls} calls after {a.warmup}; load: median of {a.loads}" + (" (--quick)" if a.quick else ""), flush=True)

    check_parity({name: paths[name] for name in a.models}, X_eval, a)
    floor = call_floor(X_eval, a)
    results: dict = {}
    for name in a.models:
        t1 = time.perf_counter()
        res = results[name] = {"onnx": str(paths[name]), "onnx_bytes": paths[name].stat().st_size}
        for side, fn in (("ort", lambda: bench_ort(paths[name], X_eval, a)),
                         ("kaizen", lambda: bench_kaizen(paths[name], rows, X_eval, a))):
            try:
                res[side] = fn()
                log(f"{name}: {side} done")
            except Exception as e:
                fail(f"{name}: {side}: {type(e).__name__}: {str(e)[:500]}")
        res["wall_s"] = time.perf_counter() - t1

    load1 = os.getloadavg()
    goal = print_table(results)
    print("goal (the issue): at least equal throughput on every model, faster on the tree ensembles (rf, hgb): "
          + ("met" if not goal["missed"] else "missed on " + "; ".join(goal["missed"])))
    print(f"onnxruntime's Python call floor (Identity on float[1,{X_eval.shape[1]}], session.run): median "
          f"{floor['median']:.1f} us, p99 {floor['p99']:.1f} us; part of every onnxruntime single-row figure above")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in load1)} ({info['nproc']} CPUs)")
    if max(load0[0], load1[0]) > 0.75 * info["nproc"]:
        NOISE.append(f"1-minute load average {max(load0[0], load1[0]):.2f} on {info['nproc']} CPUs")
    return finish(a, t0, results, {
        "machine": info, "versions": versions, "loadavg": {"start": load0, "end": load1},
        "config": {"models": a.models, "batches": BATCHES, "seconds": a.seconds, "calls": a.calls, "warmup": a.warmup,
                   "loads": a.loads, "quick": a.quick, "cache": str(CACHE)},
        "ort_call_floor_us": floor, "results": results, "goal_missed": goal["missed"],
    })


if __name__ == "__main__":
    sys.exit(main())
