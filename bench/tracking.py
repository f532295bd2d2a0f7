#!/usr/bin/env python3
"""Benchmark Kaizen's tracking server against MLflow's, with the same load on both.

One run starts each server in turn on a free 127.0.0.1 port, each on its own fresh
temporary directory, drives it, stops it (its whole process group), and prints a table
with both figures and the ratio (">1" always means Kaizen is better):

  1. start-up time: spawn to the first 200 on GET /health (fresh, empty store)
  2. idle RSS right after start-up, summed over the server's process tree
  3. POST runs/log-metric requests/s at 16 connections (wrk), non-2xx count, p50/p99
  4. POST runs/log-batch with 1000 metrics per request: 20 sequential requests, then wrk at 4
     connections; metrics/s
  5. POST runs/search with a filter and an order over N (10,000) seeded runs: median and p95
  6. GET metrics/get-history of a 10,000-point metric: median
     (5 and 6: of --reps requests, after --warmup untimed ones)
  7. peak RSS (VmHWM) summed over the server's process tree

The load generator is wrk (Debian package `wrk`), driven by Lua scripts for the POST bodies.
The part shared with bench/registry.py (server process group, memory sampler, wrk driver, report)
is bench/common.py. Run with the project's venv: `.venv/bin/python bench/tracking.py --help`.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402  (the shared part of the benchmarks, bench/common.py)
    API, TS0, Bench, Client, add_mlflow_args, add_output_args, add_server_args, fail, finish, latency_ms, log, new_parser,
    ok200, preflight, print_comparison, print_header, run_servers, run_wrk, timed,
)

SEARCH_FILTER = "metrics.rmse < 0.5 and params.alpha = '0.1'"
SEARCH_ORDER = ["metrics.rmse ASC"]
SEARCH_MAX = 1000
HISTORY_POINTS = 10_000
BATCH = 1000  # metrics per log-batch request (the API's maximum)
SEQ_BATCHES = 20


# --------------------------------------------------------------------------- wrk

WRK_POST = r"""
local path = "__PATH__"
local headers = {["Content-Type"] = "application/json"}
request = function()
  counter = counter + 1
__BODY__
  return wrk.format("POST", path, headers, body)
end
"""

# The Lua of a request's `body`, from `counter` (this thread's requests so far) and `tid` (the thread's number).
LOG_METRIC_BODY = r"""
  local step = counter * 64 + tid  -- unique per request across threads
  local body = string.format('{"run_id":"__RUN__","key":"loss","value":0.5,"timestamp":%d,"step":%d}',
                             __TS0__ + step, step)
"""

LOG_BATCH_BODY = r"""
  local base = (counter * 64 + tid) * 100  -- 10 keys x 100 unique steps per request
  local parts = {}
  for i = 0, 999 do
    local step = base + (i % 100)
    parts[i + 1] = string.format('{"key":"m%d","value":%d.25,"timestamp":%d,"step":%d}',
                                 math.floor(i / 100), i, __TS0__ + step, step)
  end
  local body = '{"run_id":"__RUN__","metrics":[' .. table.concat(parts, ",") .. ']}'
"""


def wrk_post(client: Client, path: str, body: str, run_id: str, conns: int, duration: int, workdir: Path) -> dict:
    """wrk (2 threads) at `conns` connections, POSTing to API + path the bodies that the Lua `body` makes for
    run_id; its script and output are named after the path's last part."""
    script = (WRK_POST.replace("__PATH__", API + path).replace("__BODY__", body.strip("\n"))
              .replace("__RUN__", run_id).replace("__TS0__", str(TS0)))
    return run_wrk(script, client.base + API + path, 2, conns, duration, workdir, path.rsplit("/", 1)[1])


# --------------------------------------------------------------------------- seeded data


def seed_data(n: int, seed: int) -> list[dict]:
    """The runs for the search benchmark; identical for both servers."""
    rng = random.Random(seed)
    runs = []
    for i in range(n):
        runs.append({
            "name": f"run-{i:05d}",
            "start_time": TS0 + i,
            "tags": [("team", rng.choice(["vision", "nlp", "tabular"]))],
            "params": [
                ("alpha", rng.choice(["0.01", "0.1", "0.5", "1.0"])),
                ("l1_ratio", rng.choice(["0.1", "0.5", "0.9"])),
                ("model", rng.choice(["ridge", "lasso", "elasticnet"])),
            ],
            "metrics": [
                ("rmse", rng.random()),
                ("mae", rng.random()),
                ("r2", rng.random()),
            ],
        })
    return runs


def expected_search(runs: list[dict]) -> list[tuple[str, float]]:
    hits = [
        (dict(r["metrics"])["rmse"], r["name"])
        for r in runs
        if dict(r["metrics"])["rmse"] < 0.5 and dict(r["params"])["alpha"] == "0.1"
    ]
    hits.sort()
    return [(name, rmse) for rmse, name in hits[:SEARCH_MAX]]


def seed_rest(client: Client, exp: str, runs: list[dict], threads: int) -> None:
    """Seed through the REST API: runs/create then runs/log-batch, with a thread pool."""

    def one(r):
        run_id = client.create_run(exp, r["name"], r["start_time"], r["tags"])
        client.post("/runs/log-batch", {
            "run_id": run_id,
            "params": [{"key": k, "value": v} for k, v in r["params"]],
            "metrics": [{"key": k, "value": v, "timestamp": r["start_time"], "step": 0} for k, v in r["metrics"]],
        })

    with ThreadPoolExecutor(threads) as pool:
        for f in [pool.submit(one, r) for r in runs]:
            f.result()


def seed_mlflow_sql(db_uri: str, exp: str, runs: list[dict]) -> None:
    """Seed MLflow's database in-process, writing the same rows that its SqlAlchemyStore's
    create_run + log_batch write (runs, tags incl. mlflow.runName, params, metrics,
    latest_metrics), but in bulk: through the REST API this takes many minutes."""
    import uuid

    from mlflow.entities import LifecycleStage, RunStatus, SourceType
    from mlflow.store.tracking.dbmodels.models import SqlLatestMetric, SqlMetric, SqlParam, SqlRun, SqlTag
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
    from mlflow.utils.mlflow_tags import MLFLOW_RUN_NAME
    from mlflow.utils.uri import append_to_uri_path

    store = SqlAlchemyStore(db_uri, "mlflow-artifacts:/")
    experiment = store.get_experiment(exp)
    for start in range(0, len(runs), 1000):
        with store.ManagedSessionMaker(read_only=False) as session:
            rows = []
            for r in runs[start : start + 1000]:
                run_id = uuid.uuid4().hex
                run = SqlRun(
                    name=r["name"],
                    artifact_uri=append_to_uri_path(experiment.artifact_location, run_id, "artifacts"),
                    run_uuid=run_id,
                    experiment_id=exp,
                    source_type=SourceType.to_string(SourceType.UNKNOWN),
                    source_name="",
                    entry_point_name="",
                    user_id="bench",
                    status=RunStatus.to_string(RunStatus.RUNNING),
                    start_time=r["start_time"],
                    end_time=None,
                    deleted_time=None,
                    source_version="",
                    lifecycle_stage=LifecycleStage.ACTIVE,
                )
                run.tags = [SqlTag(key=k, value=v) for k, v in r["tags"]] + [
                    SqlTag(key=MLFLOW_RUN_NAME, value=r["name"])
                ]
                rows.append(run)
                rows += [SqlParam(run_uuid=run_id, key=k, value=v) for k, v in r["params"]]
                for k, v in r["metrics"]:
                    for cls in (SqlMetric, SqlLatestMetric):
                        rows.append(cls(run_uuid=run_id, key=k, value=v, timestamp=r["start_time"], step=0, is_nan=False))
            session.add_all(rows)
    store.engine.dispose()


# --------------------------------------------------------------------------- phases


def phase_search(client: Client, runs: list[dict], reps: int, warmup: int) -> dict:
    expected = expected_search(runs)
    body = json.dumps({
        "experiment_ids": [client.search_exp],
        "filter": SEARCH_FILTER,
        "order_by": SEARCH_ORDER,
        "max_results": SEARCH_MAX,
    }).encode()
    once = lambda: client.send("POST", API + "/runs/search", body)  # noqa: E731
    r = ok200(once(), "runs/search")  # the first warm-up request, and the correctness check
    got = [
        (run["info"].get("run_name"), {m["key"]: m["value"] for m in run["data"].get("metrics", [])}.get("rmse"))
        for run in r.json().get("runs", [])
    ]
    ok = got == expected
    if not ok:
        fail(f"{client.label}: runs/search returned {len(got)} runs, expected {len(expected)} (or a different order/values)")
    timed(once, warmup - 1)
    times = timed(once, reps)
    return {"search_hits": len(got), "search_ok": ok, **latency_ms("search", times),
            "search_min_ms": min(times) * 1e3}


def phase_history(client: Client, exp: str, reps: int, warmup: int) -> dict:
    run_id = client.create_run(exp, "history")
    for start in range(0, HISTORY_POINTS, BATCH):
        client.post("/runs/log-batch", {
            "run_id": run_id,
            "metrics": [{"key": "k", "value": s * 0.001, "timestamp": TS0 + s, "step": s} for s in range(start, start + BATCH)],
        })
    params = {"run_id": run_id, "metric_key": "k", "max_results": 25000}
    once = lambda: client.send("GET", API + "/metrics/get-history", params=params)  # noqa: E731
    r = ok200(once(), "metrics/get-history")
    data = r.json()
    points = data.get("metrics", [])
    steps = sorted(int(m["step"]) for m in points)
    ok = steps == list(range(HISTORY_POINTS)) and not data.get("next_page_token")
    if not ok:
        fail(f"{client.label}: get-history returned {len(points)} points, expected {HISTORY_POINTS} (steps 0..{HISTORY_POINTS - 1})")
    timed(once, warmup - 1)
    times = timed(once, reps)
    return {"history_points": len(points), "history_ok": ok, "history_run_id": run_id, **latency_ms("history", times)}


def phase_log_batch(client: Client, exp: str, duration: int, workdir: Path) -> dict:
    run_seq = client.create_run(exp, "log-batch-sequential")
    bodies = [
        json.dumps({
            "run_id": run_seq,
            "metrics": [
                {"key": f"m{i // 100}", "value": i + 0.25, "timestamp": TS0 + b * 100 + i % 100, "step": b * 100 + i % 100}
                for i in range(BATCH)
            ],
        }).encode()
        for b in range(SEQ_BATCHES)
    ]
    times = []
    for body in bodies:
        t0 = time.perf_counter()
        client.post("/runs/log-batch", body)
        times.append(time.perf_counter() - t0)
    res = {
        "batch_seq_metrics_per_s": SEQ_BATCHES * BATCH / sum(times),
        "batch_seq_median_ms": statistics.median(times) * 1e3,
    }
    run_wrk_id = client.create_run(exp, "log-batch-wrk")
    w = wrk_post(client, "/runs/log-batch", LOG_BATCH_BODY, run_wrk_id, 4, duration, workdir)
    res.update({
        "batch_c4_requests": w["requests"],
        "batch_c4_metrics_per_s": w["ok_requests"] * BATCH / w["duration_s"],
        "batch_c4_non2xx": w["err_status"],
        "batch_c4_socket_errors": w["socket_errors"],
        "batch_c4_p50_ms": w["lat_p50_us"] / 1e3,
    })
    if w["err_status"] or w["socket_errors"]:
        fail(f"{client.label}: log-batch (wrk, 4 connections): {w['err_status']} non-2xx, {w['socket_errors']} socket errors")
    if w["requests"] == 0:
        fail(f"{client.label}: log-batch (wrk, 4 connections): no request completed in {duration} s")
    return res


def count_history(client: Client, run_id: str, key: str) -> int:
    n, token = 0, None
    while True:
        params = {"run_id": run_id, "metric_key": key, "max_results": 25000}
        if token:
            params["page_token"] = token
        data = client.get("/metrics/get-history", params)
        n += len(data.get("metrics", []))
        token = data.get("next_page_token")
        if not token:
            return n


def phase_log_metric(client: Client, exp: str, duration: int, workdir: Path) -> dict:
    run_id = client.create_run(exp, "log-metric")
    w = wrk_post(client, "/runs/log-metric", LOG_METRIC_BODY, run_id, 16, duration, workdir)
    res = {
        "metric_requests": w["requests"],
        "metric_rps": w["ok_requests"] / w["duration_s"],
        "metric_non2xx": w["err_status"],
        "metric_socket_errors": w["socket_errors"],
        "metric_p50_ms": w["lat_p50_us"] / 1e3,
        "metric_p99_ms": w["lat_p99_us"] / 1e3,
    }
    if w["err_status"] or w["socket_errors"]:
        fail(f"{client.label}: log-metric (wrk, 16 connections): {w['err_status']} non-2xx, {w['socket_errors']} socket errors")
    # The server must have stored what it acknowledged (wrk stops counting in-flight requests).
    time.sleep(0.5)
    stored = count_history(client, run_id, "loss")
    res["metric_stored"] = stored
    if not w["ok_requests"] <= stored <= w["requests"] + 16:
        fail(f"{client.label}: log-metric: {w['ok_requests']} acknowledged, but get-history has {stored} points")
    return res


# --------------------------------------------------------------------------- one server


def phase_seed(b: Bench, runs: list[dict]) -> dict:
    """Create the search experiment and seed the runs into it: MLflow's store in-process (its database URI is
    b.db_uri), Kaizen through REST."""
    client = b.client
    exp = client.create_experiment("bench-search")
    client.search_exp = exp
    how, dt = b.seed(b.label.startswith("MLflow"), lambda: seed_mlflow_sql(b.db_uri, exp, runs),
                     lambda: seed_rest(client, exp, runs, b.args.seed_threads))
    log(f"{b.label}: seeded {len(runs)} runs via {how} in {dt:.1f} s")
    return {"seed_s": dt, "seed_how": how}


def phases(b: Bench, runs: list[dict]) -> None:
    """Seed the runs, then search, get-history, log-batch and log-metric."""
    client, args = b.client, b.args
    b.phase("seed", lambda: phase_seed(b, runs))
    if "seed" not in b.res["errors"]:
        b.phase("search", lambda: phase_search(client, runs, args.reps, args.warmup))
    exp = None
    try:
        exp = client.create_experiment("bench-load")
    except Exception as e:
        fail(f"{b.label}: experiments/create failed: {e}")
    if exp is not None:
        b.phase("get-history", lambda: phase_history(client, exp, args.reps, args.warmup))
        b.phase("log-batch", lambda: phase_log_batch(client, exp, args.duration, b.workdir))
        b.phase("log-metric", lambda: phase_log_metric(client, exp, args.duration, b.workdir))


# --------------------------------------------------------------------------- report

ROWS = [
    # key, label, unit, higher_is_better, format
    ("startup_s", "start-up to first /health 200", "ms", False, lambda v: f"{v * 1e3:.0f}"),
    ("idle_rss_mib", "idle RSS after start-up", "MiB", False, lambda v: f"{v:.1f}"),
    ("metric_rps", "log-metric, 16 connections", "req/s", True, lambda v: f"{v:.0f}"),
    ("metric_p50_ms", "  latency p50", "ms", False, lambda v: f"{v:.2f}"),
    ("metric_p99_ms", "  latency p99", "ms", False, lambda v: f"{v:.2f}"),
    ("metric_non2xx", "  non-2xx responses (must be 0)", "", None, lambda v: f"{v:d}"),
    ("batch_seq_metrics_per_s", f"log-batch x{BATCH}, {SEQ_BATCHES} sequential", "metrics/s", True, lambda v: f"{v:.0f}"),
    ("batch_c4_metrics_per_s", f"log-batch x{BATCH}, 4 connections", "metrics/s", True, lambda v: f"{v:.0f}"),
    ("batch_c4_non2xx", "  non-2xx responses (must be 0)", "", None, lambda v: f"{v:d}"),
    ("search_median_ms", "search_runs filter+order, median", "ms", False, lambda v: f"{v:.1f}"),
    ("search_p95_ms", "search_runs filter+order, p95", "ms", False, lambda v: f"{v:.1f}"),
    ("history_median_ms", f"get-history {HISTORY_POINTS} points, median", "ms", False, lambda v: f"{v:.1f}"),
    ("peak_rss_mib", "peak RSS (sum of VmHWM)", "MiB", False, lambda v: f"{v:.1f}"),
]


def print_table(results: dict, n_runs: int) -> dict:
    m, k = results.get("MLflow", {}), results.get("Kaizen", {})
    print()
    print(f"search_runs: {n_runs} runs, filter \"{SEARCH_FILTER}\", order {SEARCH_ORDER[0]}, max_results {SEARCH_MAX}"
          f" -> {k.get('search_hits', m.get('search_hits', '?'))} runs")
    return print_comparison(results, ROWS, 44, 9, 11)


def add_repetition_args(p) -> None:
    """--reps and --warmup, for the search and get-history phases (here and in bench/scaleout.py)."""
    p.add_argument("--reps", type=int, default=10, help="timed repetitions of search and get-history (default 10)")
    p.add_argument("--warmup", type=int, default=10,
                   help="untimed search and get-history requests before the timed ones (default 10): a server's first "
                        "requests after it starts are slower, and behind a balancer each replica has its own")


def main() -> int:
    p = new_parser(__doc__)
    p.add_argument("--duration", type=int, default=10, help="seconds of each wrk run (default 10)")
    p.add_argument("--runs", type=int, default=10_000, help="runs seeded for the search benchmark (default 10000)")
    add_repetition_args(p)
    add_mlflow_args(p, "start MLflow with MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false (no job runner and its "
                       "huey consumer processes; MLflow's default is to run them)")
    add_output_args(p)
    p.add_argument("--seed", type=int, default=42, help="random seed of the seeded runs (default 42)")
    add_server_args(p, "threads seeding Kaizen over REST (default 8)")
    args = p.parse_args()
    if args.runs < 1 or args.duration < 1 or args.reps < 1 or args.warmup < 1:
        p.error("--runs, --duration, --reps and --warmup must be positive")
    if preflight(args):
        return 2

    info = print_header(args, f"load: wrk {args.duration} s per run; search over {args.runs} runs"
                        + (" (reduced from 10000)" if args.runs != 10_000 else "") + f"; {args.warmup} warm-up and {args.reps} timed repetitions")
    runs = seed_data(args.runs, args.seed)
    t0 = time.perf_counter()
    results = run_servers(args, "kaizen-bench-", lambda b: phases(b, runs), settle_field=True)
    if results is None:
        return 130
    for label in results:
        results[label]["version"] = results[label].get("version", "?")

    ratios = print_table(results, args.runs)
    return finish(args, t0, results, {
        "machine": info,
        "config": {"duration_s": args.duration, "runs": args.runs, "reps": args.reps, "warmup": args.warmup, "seed": args.seed,
                   "mlflow_workers": args.mlflow_workers, "mlflow_no_jobs": args.mlflow_no_jobs, "search_filter": SEARCH_FILTER,
                   "search_order_by": SEARCH_ORDER, "search_max_results": SEARCH_MAX},
        "results": results,
        "ratios": ratios,
    })


if __name__ == "__main__":
    sys.exit(main())
