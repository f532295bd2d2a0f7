#!/usr/bin/env python3
"""Benchmark `kaizen models serve` against `mlflow models serve` on the same model, with the same load.

The model: RandomForestClassifier(n_estimators=100, max_depth=10, random_state=0) trained on scikit-learn's
breast cancer data (569 rows, 30 float features), converted with skl2onnx (input X float[None, 30], zipmap on, as
skl2onnx converts by default) and saved with mlflow.onnx.save_model with a column signature over the 30 named
float columns. Both servers get the same model folder and the same requests: POST /invocations with
{"dataframe_split": {"columns": [...], "data": [...]}}, one row or 100 rows per request.

One run starts each server in turn (never two at once) on a free 127.0.0.1 port: Kaizen with its default adaptive
batching, Kaizen with --no-batching, then MLflow (`--env-manager local`, one uvicorn worker: its default). For each:

  1. start-up: from spawn to the first 200 on GET /ping
  2. idle RSS once settled, summed over the server's whole process tree
  3. correctness: every request body posted once; labels must equal onnxruntime's (run in this process on the same
     rows) and probabilities be within 1e-5 of them
  4. wrk (a Lua script cycling through 64 one-row or 16 hundred-row bodies) at 1 and 8 connections, --seconds
     each after a warm-up: requests/s, p50 and p99 latency, non-2xx responses (must be 0), peak RSS
  5. peak RSS (sum of VmHWM over the tree) and RSS once settled after the load

The table gives every figure and the ratio Kaizen vs MLflow (">1" always means Kaizen is better), then the issue's
goals: at 8 connections at least 50x MLflow's requests/s, p99 under 5 ms for one-row requests, 10x less memory.
The goals are reported (met or missed), never asserted; the exit status is 1 only if a check failed (wrong
predictions, a non-2xx response, a server that would not start). The helpers (server process group, memory sampler,
wrk driver, report) are bench/common.py. Run with the project's venv: `.venv/bin/python bench/serving.py --help`.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# bench/ holds onnx.py: its folder goes to the end of the path, so that `import onnx` (by skl2onnx, mlflow) finds the
# package and `import common` still finds bench/common.py.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]
from common import (  # noqa: E402  (the shared part of the benchmarks, bench/common.py)
    HOST, REPO, WRK_INVOCATIONS, bench_server, fail, finish, log, lua_long_string, measure_side, new_parser, preflight,
    print_header, run_wrk,
)

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # training in this process; the servers get the caller's environment

TREES, DEPTH = 100, 10
PAYLOADS = {"1 row": (1, 64), "100 rows": (100, 16)}  # name: (rows per request, distinct bodies wrk cycles through)
CONNECTIONS = (1, 8)
TOLERANCE = 1e-5
GOAL_THROUGHPUT = 50.0  # Kaizen/MLflow requests/s at 8 connections
GOAL_P99_MS = 5.0  # Kaizen's p99, one-row requests
GOAL_MEMORY = 10.0  # MLflow/Kaizen peak RSS



# --------------------------------------------------------------------------- model and payloads


def make_model(folder: Path) -> dict:
    """Train, convert and save the model as an MLflow model folder; the rows, the payload bodies and onnxruntime's
    answers to them."""
    import mlflow.onnx
    import numpy as np
    import onnxruntime as ort
    import skl2onnx
    import sklearn
    from mlflow.models import infer_signature
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.datasets import load_breast_cancer
    from sklearn.ensemble import RandomForestClassifier

    data = load_breast_cancer(as_frame=True)
    X, y = data.data, data.target
    t0 = time.perf_counter()
    rf = RandomForestClassifier(n_estimators=TREES, max_depth=DEPTH, random_state=0, n_jobs=1).fit(X.values, y.values)
    onx = skl2onnx.to_onnx(rf, initial_types=[("X", FloatTensorType([None, X.shape[1]]))])  # zipmap on (the default)
    mlflow.onnx.save_model(onx, str(folder), signature=infer_signature(X.astype("float32")))
    onnx_bytes = (folder / "model.onnx").stat().st_size
    log(f"model: trained, converted and saved in {time.perf_counter() - t0:.1f} s -> {folder} "
        f"({onnx_bytes / 1024:.0f} KiB ONNX)")

    columns = [str(c) for c in X.columns]
    rows = X.values  # float64, the data set's own short decimals: the servers read them as float32
    sess = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    bodies = {}
    for kind, (n, count) in PAYLOADS.items():
        bodies[kind] = []
        for b in range(count):
            idx = [(b * n + j) % len(rows) for j in range(n)]
            part = rows[idx]
            body = json.dumps({"dataframe_split": {"columns": columns, "data": part.tolist()}})
            labels, probs = sess.run(None, {"X": part.astype(np.float32)})
            bodies[kind].append({"body": body, "labels": [int(v) for v in labels],
                                 "probs": [[float(p[k]) for k in sorted(p)] for p in probs]})
    return {"bodies": bodies, "onnx_bytes": onnx_bytes, "outputs": [o.name for o in onx.graph.output],
            "versions": {"scikit-learn": sklearn.__version__, "skl2onnx": skl2onnx.__version__,
                         "onnxruntime": ort.__version__, "numpy": np.__version__},
            "train_accuracy": float(rf.score(X.values, y.values))}


def parse_predictions(answer: dict) -> tuple[list, list]:
    """Labels and probability rows from a /invocations answer: MLflow's records ({"output_label": l,
    "output_probability": {"0": p0, "1": p1}} per row) or, if a server answers in columns, the same by column."""
    preds = answer["predictions"]
    if isinstance(preds, dict):
        labels, probs = preds["output_label"], preds["output_probability"]
    else:
        labels = [r["output_label"] for r in preds]
        probs = [r["output_probability"] for r in preds]
    rows = []
    for p in probs:
        if isinstance(p, dict):
            rows.append([float(p[k]) for k in sorted(p, key=lambda k: int(k))])
        else:
            rows.append([float(v) for v in p])
    return [int(v) for v in labels], rows


def check_answers(b, model: dict) -> dict:
    """POST every body once; compare with onnxruntime. The answers are kept to compare the servers afterwards."""
    answers, bad = {}, 0
    for kind, items in model["bodies"].items():
        for i, item in enumerate(items):
            r = b.client.send("POST", "/invocations", item["body"].encode(), timeout=60)
            answers[f"{kind}#{i}"] = r.text
            if r.status_code != 200:
                bad += 1
                fail(f"{b.label}: {kind} body #{i}: HTTP {r.status_code}: {r.text[:300]}")
                continue
            try:
                labels, probs = parse_predictions(r.json())
            except Exception as e:
                bad += 1
                fail(f"{b.label}: {kind} body #{i}: unreadable answer ({type(e).__name__}: {e}): {r.text[:300]}")
                continue
            if len(labels) != len(item["labels"]) or labels != item["labels"]:
                bad += 1
                fail(f"{b.label}: {kind} body #{i}: labels {labels[:10]} differ from onnxruntime's {item['labels'][:10]}")
                continue
            diff = max((abs(a - e) for got, exp in zip(probs, item["probs"]) for a, e in zip(got, exp)), default=0.0)
            if len(probs) != len(item["probs"]) or any(len(g) != len(e) for g, e in zip(probs, item["probs"])) \
                    or diff > TOLERANCE:
                bad += 1
                fail(f"{b.label}: {kind} body #{i}: probabilities differ from onnxruntime's by {diff:.2e} "
                     f"(tolerance {TOLERANCE:g}) or have another shape")
    n = len(answers)
    log(f"{b.label}: predictions: {n - bad} of {n} bodies agree with onnxruntime")
    return {"check_bodies": n, "check_bad": bad, "answers": answers}


# --------------------------------------------------------------------------- load


class RssPeak:
    """Samples the server tree's RSS sum every 0.1 s while a wrk run lasts: the highest sum."""

    def __init__(self, server):
        self.server, self.peak, self._stop = server, 0, threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, self.server.sample())
            except Exception:
                pass
            self._stop.wait(0.1)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def wrk_cell(b, kind: str, script: str, conns: int, seconds: int, threads: int) -> dict:
    rows = PAYLOADS[kind][0]
    tag = f"{kind.replace(' ', '')}-c{conns}"
    with RssPeak(b.server) as rss:
        w = run_wrk(script, b.server.base + "/invocations", min(threads, conns), conns, seconds, b.workdir, tag)
    cell = {
        "requests": w["requests"],
        "rps": w["ok_requests"] / w["duration_s"],
        "rows_per_s": w["ok_requests"] * rows / w["duration_s"],
        "p50_ms": w["lat_p50_us"] / 1e3,
        "p90_ms": w["lat_p90_us"] / 1e3,
        "p99_ms": w["lat_p99_us"] / 1e3,
        "max_ms": w["lat_max_us"] / 1e3,
        "mean_ms": w["lat_mean_us"] / 1e3,
        "non2xx": w["err_status"],
        "socket_errors": w["socket_errors"],
        "rss_peak_mib": rss.peak / 1024,
        "wrk_threads": min(threads, conns),
    }
    log(f"{b.label}: {kind}, {conns} conn: {cell['rps']:.0f} req/s, p50 {cell['p50_ms']:.2f} ms, "
        f"p99 {cell['p99_ms']:.2f} ms, {cell['non2xx']} non-2xx, {cell['socket_errors']} socket errors, "
        f"RSS peak {cell['rss_peak_mib']:.0f} MiB")
    if w["err_status"] or w["socket_errors"]:
        fail(f"{b.label}: {kind}, {conns} connections: {w['err_status']} non-2xx responses, "
             f"{w['socket_errors']} socket errors")
    if w["requests"] == 0:
        fail(f"{b.label}: {kind}, {conns} connections: no request completed in {seconds} s")
    return cell


def phases(b, model: dict) -> None:
    """Correctness check, then per payload a warm-up and a wrk run at each connection count, then settled RSS."""
    args = b.args
    b.phase("check", lambda: check_answers(b, model))  # if it fails, the load still runs; the check is listed
    cells = b.res.setdefault("cells", {})
    for kind, items in model["bodies"].items():
        script = WRK_INVOCATIONS.replace(
            "__BODIES__", ",\n".join(lua_long_string(item["body"]) for item in items))
        if args.warmup > 0:
            def warm():
                w = run_wrk(script, b.server.base + "/invocations", min(args.wrk_threads, max(args.connections)),
                            max(args.connections), args.warmup, b.workdir, f"{kind.replace(' ', '')}-warmup")
                if w["err_status"] or w["socket_errors"]:
                    fail(f"{b.label}: {kind}, warm-up: {w['err_status']} non-2xx, {w['socket_errors']} socket errors")
                return {}
            b.phase(f"{kind} warm-up", warm)
        for conns in args.connections:
            def run(conns=conns):
                cells[f"{kind}|{conns}"] = wrk_cell(b, kind, script, conns, args.seconds, args.wrk_threads)
                return {}
            b.phase(f"{kind}, {conns} connections", run)

    def settle():
        rss, dt = b.server.idle_rss_kib(min_wait=1.0, window=2.0, max_wait=20.0)
        log(f"{b.label}: RSS after the load {rss / 1024:.1f} MiB (settled in {dt:.1f} s)")
        return {"after_load_rss_mib": rss / 1024}

    b.phase("RSS after load", settle)


# --------------------------------------------------------------------------- report


def cell(side: dict, kind: str, conns: int, key: str):
    return side.get("cells", {}).get(f"{kind}|{conns}", {}).get(key)


def rows_of(args) -> list:
    """(key, label, unit, getter, higher_is_better, format) of every row of the table."""
    rows = [
        ("startup_ms", "start-up to first /ping 200", "ms", lambda s: s.get("startup_s") and s["startup_s"] * 1e3,
         False, "{:.0f}"),
        ("idle_rss_mib", "idle RSS after start-up", "MiB", lambda s: s.get("idle_rss_mib"), False, "{:.1f}"),
    ]
    for kind, (n, _) in PAYLOADS.items():
        for c in args.connections:
            key = f"{kind}|{c}|"
            get = lambda name, k=kind, c=c: lambda s: cell(s, k, c, name)  # noqa: E731
            rows.append((key + "rps", f"{kind}, {c} conn{'s' if c > 1 else ''}: requests/s", "req/s", get("rps"),
                         True, "{:.0f}"))
            if n > 1:
                rows.append((key + "rows_per_s", "  rows/s", "rows/s", get("rows_per_s"), True, "{:.0f}"))
            rows += [
                (key + "p50_ms", "  latency p50", "ms", get("p50_ms"), False, "{:.2f}"),
                (key + "p99_ms", "  latency p99", "ms", get("p99_ms"), False, "{:.2f}"),
                (key + "errors", "  non-2xx + socket errors (must be 0)", "",
                 lambda s, k=kind, c=c: None if cell(s, k, c, "non2xx") is None
                 else cell(s, k, c, "non2xx") + cell(s, k, c, "socket_errors"), None, "{:d}"),
                (key + "rss_peak_mib", "  peak RSS during this run", "MiB", get("rss_peak_mib"), False, "{:.1f}"),
            ]
    rows += [
        ("peak_rss_mib", "peak RSS (sum of VmHWM over the tree)", "MiB", lambda s: s.get("peak_rss_mib"), False,
         "{:.1f}"),
        ("max_rss_sum_mib", "highest sampled RSS sum", "MiB", lambda s: s.get("max_rss_sum_mib"), False, "{:.1f}"),
        ("after_load_rss_mib", "RSS after the load, settled", "MiB", lambda s: s.get("after_load_rss_mib"), False,
         "{:.1f}"),
        ("processes", "processes in the tree", "", lambda s: s.get("idle_processes"), None, "{:d}"),
    ]
    return rows


def ratio_of(m, k, higher: bool | None):
    if higher is None or m is None or k is None or not (k if not higher else m):
        return None
    return k / m if higher else m / k


def print_table(results: dict, args) -> dict:
    """Every figure of every server, and each Kaizen configuration's ratio to MLflow. The ratios by Kaizen label."""
    labels = [label for label in results if label != "MLflow"]
    m = results.get("MLflow", {})
    cols = (["MLflow"] if "MLflow" in results else []) + labels
    nratios = len(labels) if "MLflow" in results else 0
    w, uw, cw = 40, 7, 13
    print()
    print(f"{'':{w}} {'unit':>{uw}} " + " ".join(f"{c.replace('Kaizen --', '--')[:cw]:>{cw}}" for c in cols)
          + "".join(f" {f'ratio {i + 1}':>8}" for i in range(nratios)))
    ratios: dict = {label: {} for label in labels}
    for key, label_text, unit, get, higher, fmt in rows_of(args):
        cells = []
        for c in cols:
            try:
                v = get(results[c])
                cells.append(fmt.format(v) if v is not None else "-")
            except Exception:
                cells.append("-")
        rs = []
        if "MLflow" in results:
            for label in labels:
                try:
                    r = ratio_of(get(m), get(results[label]), higher)
                except Exception:
                    r = None
                if r is not None:
                    ratios[label][key] = r
                rs.append(f"{r:.2f}x" if r is not None else "")
        print(f"{label_text:{w}} {unit:>{uw}} " + " ".join(f"{c:>{cw}}" for c in cells)
              + "".join(f" {r:>8}" for r in rs))
    if nratios:
        print("; ".join(f"ratio {i + 1}: {label} vs MLflow" for i, label in enumerate(labels))
              + ": Kaizen/MLflow for throughput, MLflow/Kaizen for times and memory: >1 means Kaizen is better.")
    return ratios


def goals(results: dict) -> dict:
    """The issue's goals for each Kaizen configuration: met, missed, or not measured (None)."""
    m = results.get("MLflow", {})
    out = {}
    for label, k in results.items():
        if label == "MLflow":
            continue
        g = out[label] = {}
        for kind in PAYLOADS:
            r = ratio_of(cell(m, kind, 8, "rps"), cell(k, kind, 8, "rps"), True)
            g[f"throughput {kind}, 8 conns >= {GOAL_THROUGHPUT:g}x MLflow"] = {
                "value": r, "unit": "x", "met": None if r is None else r >= GOAL_THROUGHPUT}
        for c in CONNECTIONS:
            p = cell(k, "1 row", c, "p99_ms")
            g[f"p99 1 row, {c} conn{'s' if c > 1 else ''} < {GOAL_P99_MS:g} ms"] = {
                "value": p, "unit": "ms", "met": None if p is None else p < GOAL_P99_MS}
        r = ratio_of(m.get("peak_rss_mib"), k.get("peak_rss_mib"), False)
        g[f"memory (peak RSS) >= {GOAL_MEMORY:g}x less"] = {
            "value": r, "unit": "x", "met": None if r is None else r >= GOAL_MEMORY}
        r = ratio_of(m.get("idle_rss_mib"), k.get("idle_rss_mib"), False)
        g[f"memory (idle RSS) >= {GOAL_MEMORY:g}x less"] = {
            "value": r, "unit": "x", "met": None if r is None else r >= GOAL_MEMORY}
    return out


def print_goals(g: dict) -> None:
    for label, items in g.items():
        print(f"goals (the issue), {label}:")
        for name, v in items.items():
            if v["value"] is None:
                print(f"  {name:44} not measured")
            else:
                value = f"{v['value']:.1f}x" if v["unit"] == "x" else f"{v['value']:.2f} ms"
                print(f"  {name:44} {value:>10}  {'met' if v['met'] else 'MISSED'}")


def compare_servers(results: dict) -> None:
    """How each Kaizen configuration's answers compare with MLflow's: byte for byte, labels, largest difference of
    the probabilities (tree sums in another order can differ in the last bits of a float32)."""
    m = results.get("MLflow", {}).get("answers")
    for label, side in results.items():
        k = side.get("answers")
        if label == "MLflow" or not m or not k:
            continue
        keys = [key for key in m if key in k]
        same_bytes, same_labels, diff, unreadable = 0, 0, 0.0, 0
        for key in keys:
            same_bytes += m[key] == k[key]
            try:
                (ml, mp), (kl, kp) = parse_predictions(json.loads(m[key])), parse_predictions(json.loads(k[key]))
            except Exception:
                unreadable += 1
                continue
            same_labels += ml == kl
            diff = max([diff] + [abs(a - b) for x, y in zip(mp, kp) for a, b in zip(x, y)])
        side["answers_vs_mlflow"] = {"bodies": len(keys), "byte_identical": same_bytes, "labels_equal": same_labels,
                                     "max_probability_difference": diff, "unreadable": unreadable}
        print(f"answers: {label} vs MLflow on {len(keys)} bodies: {same_bytes} byte-identical, labels equal on "
              f"{same_labels}, probabilities differ by at most {diff:.1e}"
              + (f", {unreadable} unreadable" if unreadable else ""))


# --------------------------------------------------------------------------- main


def main() -> int:
    p = new_parser(__doc__)
    p.add_argument("--seconds", "--duration", type=int, default=10, dest="seconds",
                   help="seconds of each wrk run (default 10)")
    p.add_argument("--warmup", type=int, default=2,
                   help="seconds of an untimed wrk run at the most connections before each payload's runs (default 2)")
    p.add_argument("--connections", type=int, nargs="+", default=list(CONNECTIONS),
                   help="wrk connection counts (default 1 8; the goals use 1 and 8)")
    p.add_argument("--wrk-threads", type=int, default=2, help="wrk threads, at most one per connection (default 2)")
    p.add_argument("--only", choices=("kaizen", "mlflow"), help="benchmark one server only")
    p.add_argument("--skip-no-batching", action="store_true", help="do not run Kaizen a second time with --no-batching")
    p.add_argument("--kaizen-args", default="", help="extra arguments for `kaizen models serve`, e.g. "
                   "'--max-batch-size 64 --max-batch-wait-ms 1' (both Kaizen runs)")
    p.add_argument("--mlflow-workers", type=int, default=None,
                   help="MLflow's --workers (default: MLflow's own, 1 uvicorn worker)")
    p.add_argument("--json", metavar="OUT", help="write all results to this JSON file")
    p.add_argument("--kaizen-bin", default=os.environ.get("KAIZEN_BIN", str(REPO / ".build/release/kaizen")),
                   help="Kaizen binary (default $KAIZEN_BIN, else .build/release/kaizen)")
    p.add_argument("--mlflow-bin", default=str(Path(sys.executable).parent / "mlflow"),
                   help="mlflow CLI (default: the one beside this Python, i.e. .venv/bin/mlflow)")
    p.add_argument("--keep", action="store_true", help="keep the temp dirs (model folder, server logs, wrk scripts and output)")
    p.add_argument("-v", "--verbose", action="store_true", help="print tracebacks of failed phases")
    args = p.parse_args()
    if min(args.seconds, args.wrk_threads, *args.connections) < 1 or args.warmup < 0:
        p.error("--seconds, --wrk-threads and --connections must be positive, --warmup not negative")
    args.skip_mlflow = args.only == "kaizen"
    args.skip_kaizen = args.only == "mlflow"
    if preflight(args):
        return 2
    try:
        import mlflow  # noqa: F401  (saves the model folder)
        import onnxruntime  # noqa: F401
        import skl2onnx  # noqa: F401
    except ImportError as e:
        print(f"error: {e}; run the benchmark with the project's venv (.venv/bin/python, `make venv`)", file=sys.stderr)
        return 2

    info = print_header(args, f"load: wrk {args.seconds} s per run after a {args.warmup} s warm-up, "
                              f"{' and '.join(map(str, args.connections))} connections (wrk threads: "
                              f"min({args.wrk_threads}, connections)); payloads: "
                              + ", ".join(f"{k} ({c} distinct bodies)" for k, (_, c) in PAYLOADS.items()))
    t0 = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="kaizen-bench-serving-"))
    folder = root / "model"
    results: dict = {}
    try:
        model = make_model(folder)
        print(f"model: RandomForestClassifier({TREES} trees, max_depth {DEPTH}, random_state 0) on breast_cancer "
              f"(569 x 30), skl2onnx zipmap on: outputs {', '.join(model['outputs'])}; "
              f"{model['onnx_bytes'] / 1024:.0f} KiB ONNX; "
              + ", ".join(f"{k} {v}" for k, v in model["versions"].items()), flush=True)

        extra = shlex.split(args.kaizen_args)
        configs = []
        if not args.skip_kaizen:
            configs.append(("Kaizen", [], "default, adaptive batching"))
            if not args.skip_no_batching:
                configs.append(("Kaizen --no-batching", ["--no-batching"], "no batching"))
        if not args.skip_mlflow:
            configs.append(("MLflow", None, f"{args.mlflow_workers or 1} uvicorn worker(s)"))
        for label, kaizen_flags, what in configs:
            if kaizen_flags is not None:
                def argv_fn(port, _db, _art, flags=kaizen_flags):
                    return [args.kaizen_bin, "models", "serve", "-m", str(folder), "--host", HOST, "--port", str(port),
                            *flags, *extra]
                env = {}
            else:
                def argv_fn(port, _db, _art):
                    argv = [args.mlflow_bin, "models", "serve", "-m", str(folder), "--env-manager", "local",
                            "-h", HOST, "-p", str(port)]
                    return argv + (["--workers", str(args.mlflow_workers)] if args.mlflow_workers else [])
                # mlflow models serve runs `uvicorn` from PATH: the venv's, as with an activated venv
                env = {"PATH": str(Path(args.mlflow_bin).parent) + os.pathsep + os.environ.get("PATH", "")}
            if measure_side(results, label, lambda: bench_server(
                    label, argv_fn, "unused.db", env, args, "kaizen-bench-serving-", lambda b: phases(b, model),
                    settle_field=True, ready_path="/ping")):
                results[label]["config"] = what
    except KeyboardInterrupt:
        log("interrupted; servers stopped")
        return 130
    finally:
        if args.keep:
            log(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)

    ratios = print_table(results, args)
    compare_servers(results)
    g = goals(results)
    if "MLflow" in results and any(label != "MLflow" for label in results):
        print_goals(g)
    if not args.skip_mlflow:
        print(f"MLflow: `mlflow models serve --env-manager local`, {args.mlflow_workers or 1} uvicorn worker(s)"
              f"{'' if args.mlflow_workers else ' (its default)'}, onnxruntime with its default threads and options")
    if args.kaizen_args and not args.skip_kaizen:
        print(f"Kaizen: `kaizen models serve ... {args.kaizen_args}`")
    for side in results.values():
        side.pop("answers", None)  # the raw answers are large; the JSON keeps the comparison counts
    return finish(args, t0, results, {
        "machine": info,
        "config": {"seconds": args.seconds, "warmup_s": args.warmup, "connections": args.connections,
                   "wrk_threads": args.wrk_threads, "payloads": {k: {"rows": n, "bodies": c} for k, (n, c) in PAYLOADS.items()},
                   "mlflow_workers": args.mlflow_workers, "kaizen_args": args.kaizen_args,
                   "model": {"estimator": f"RandomForestClassifier(n_estimators={TREES}, max_depth={DEPTH}, random_state=0)",
                             "data": "sklearn breast_cancer, 569 x 30", "zipmap": True,
                             "onnx_bytes": model["onnx_bytes"], "outputs": model["outputs"],
                             "train_accuracy": model["train_accuracy"], "versions": model["versions"]}},
        "results": results,
        "ratios": ratios,
        "goals": g,
    })


if __name__ == "__main__":
    sys.exit(main())
