#!/usr/bin/env python3
"""Benchmark MLflow's tracking server and Kaizen's scaled out: replicas on one PostgreSQL database and one S3 bucket,
behind nginx, with the same load on both; Kaizen on SQLite as one process for reference.

Run it through scripts/services.sh, which starts the PostgreSQL server and the S3 server (moto) and exports their
addresses: `scripts/services.sh run -- .venv/bin/python bench/scaleout.py`. Each side gets a database and a bucket
of its own (interop/topology.py: create_database, create_bucket, nginx_config with the README's nginx settings,
replica_environment), and --replicas servers behind one nginx. MLflow's first replica starts alone (it migrates the
empty database), then the others. The phases are bench/tracking.py's:

  1. seed N (10,000) runs: MLflow's database in-process (seed_mlflow_sql), Kaizen through REST; then VACUUM ANALYZE
  2. POST runs/search with a filter and an order over them, checked against the expected runs: median and p95
  3. GET metrics/get-history of a 10,000-point metric: median
     (2 and 3: of --reps requests, after --warmup untimed ones, so that every replica has served its first
     requests, which are slower, before the timing starts)
  4. POST runs/log-metric with wrk at 16 connections through nginx: requests/s, p50/p99, no errors, every
     acknowledged point stored

After the timings it shows that Kaizen's queries on PostgreSQL use indexes: the database gets auto_explain for new
sessions (log_min_duration 0, log_analyze on), one more Kaizen replica is started on it, and one search and one
get-history sent to it; their plans are read from PostgreSQL's log ($KAIZEN_TEST_POSTGRES_LOG, which services.sh
exports) and printed, with the verdict whether any is a sequential scan over runs, metrics, params or
latest_metrics that filters (keeps under 90% of the rows it reads, where an index would read less: a scan of runs
that keeps them all, because the searched experiment holds every run, is what the statement needs). The table has both sides' figures and their ratio (>1 means Kaizen is better), Kaizen on SQLite and
Kaizen-PG's figure over Kaizen-SQLite's, and the goals beside them.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402  (the shared part of the benchmarks, bench/common.py)
    HOST, REPO, Bench, Client, Server, add_mlflow_args, add_output_args, add_server_args, bench_server, close_workdir, fail, finish,
    free_port, log, measure_side, new_parser, preflight, print_comparison, print_header,
)
from tracking import (  # noqa: E402  (the tracking benchmark's phases)
    HISTORY_POINTS, SEARCH_FILTER, SEARCH_MAX, SEARCH_ORDER, add_repetition_args, phase_history, phase_log_metric, phase_search,
    phase_seed, seed_data,
)


def load_topology():
    """interop/topology.py, the test suite's helpers for the replicas' topology."""
    spec = importlib.util.spec_from_file_location("topology", REPO / "interop" / "topology.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


topology = load_topology()

PLAN_TABLES = ("runs", "metrics", "params", "latest_metrics")  # a sequential scan over one of them fails the check
GOALS = {"metric_rps": 20.0, "search_median_ms": 50.0, "history_median_ms": 50.0}  # x MLflow
PG_WITHIN = 2.0  # Kaizen-PG's search and get-history time at most this many times Kaizen-SQLite's


def psql(url: str, *statements: str) -> str:
    out = subprocess.run(["psql", url, "-q", "-At", "-v", "ON_ERROR_STOP=1", *sum((["-c", s] for s in statements), [])],
                         capture_output=True, text=True, timeout=600)
    if out.returncode:
        raise RuntimeError(f"psql {statements}: {out.stderr.strip()[:300]}")
    return out.stdout.strip()


# --------------------------------------------------------------------------- the topology


class Replicas:
    """--replicas servers on a new database and bucket behind nginx; each a common.Server (own process group and
    memory sampler), stopped with stop()."""

    def __init__(self, label: str, argv_fn, args, extra_env: dict, root: Path):
        self.label, self.argv_fn, self.args, self.root = label, argv_fn, args, root
        admin_url, self.s3_url = topology.requirements()
        self.db_url = topology.create_database(admin_url)
        self.bucket = topology.create_bucket(self.s3_url)
        self.env = dict(topology.replica_environment(self.s3_url), MLFLOW_DISABLE_TELEMETRY="true", DO_NOT_TRACK="true",
                        **extra_env)
        self.replicas: list[Server] = []
        self.nginx: Server | None = None

    def replica(self, name: str) -> Server:
        workdir = self.root / name
        workdir.mkdir()
        port = free_port()
        server = Server(f"{self.label} {name}", self.argv_fn(port, self.db_url, f"s3://{self.bucket}/artifacts"),
                        workdir, port, self.env)
        self.replicas.append(server)
        return server

    def start(self) -> dict:
        """The first replica alone (MLflow migrates the database then), the others together, then nginx: the
        first replica's start-up time and the seconds until nginx answered."""
        t0 = time.perf_counter()
        first = self.replica("replica-0").start(timeout=600)
        log(f"{self.label}: replica-0 answered after {first:.1f} s; starting {self.args.replicas - 1} more")
        others = [self.replica(f"replica-{i}") for i in range(1, self.args.replicas)]
        with ThreadPoolExecutor(max(1, len(others))) as pool:
            list(pool.map(lambda s: s.start(timeout=600), others))
        port = free_port()
        conf = topology.nginx_config(self.root, HOST, port, [s.port for s in self.replicas])
        self.nginx = Server(f"{self.label} nginx", ["nginx", "-c", str(conf), "-p", str(self.root)], self.root, port,
                            dict(os.environ))
        self.nginx.start(timeout=60)
        return {"startup_s": first, "topology_start_s": time.perf_counter() - t0}

    def peak_rss_mib(self) -> float:
        return sum(s.peak_hwm_kib() for s in self.replicas) / 1024

    def stop(self) -> None:
        for server in [self.nginx, *self.replicas]:
            if server is not None:
                server.stop()


def bench_replicas(label: str, argv_fn, args, extra_env: dict, phases) -> dict:
    """Start the topology of `label`, run phases(Bench) against nginx, stop it."""
    slug = "".join(c if c.isalnum() else "-" for c in label.lower()).strip("-")
    root = Path(tempfile.mkdtemp(prefix=f"kaizen-scaleout-{slug}-"))
    res: dict = {"workdir": str(root), "errors": {}}
    t0 = time.perf_counter()
    topo = None
    try:
        topo = Replicas(label, argv_fn, args, extra_env, root)
        res.update(database=topo.db_url, bucket=topo.bucket, replicas=args.replicas)
        log(f"{label}: database {topo.db_url}, bucket {topo.bucket}; starting {args.replicas} replicas")
        res.update(topo.start())
        res["argv"] = topo.replicas[0].argv
        try:
            res["version"] = Client(topo.nginx.base).send("GET", "/version", timeout=10).text.strip()[:40]
        except Exception:
            res["version"] = "?"
        bench = Bench(label, topo.nginx, Client(topo.nginx.base, label), topo.db_url, root, res, args)
        phases(bench, topo)
        res["peak_rss_mib"] = topo.peak_rss_mib()
        res["server_cpu_s"] = sum(s.cpu_seconds() for s in topo.replicas)
        res["peak_rss_by_replica"] = {s.name: s.breakdown() for s in topo.replicas}
    finally:
        if topo is not None:
            topo.stop()
        close_workdir(label, root, t0, args, res)
    return res


# --------------------------------------------------------------------------- query plans

LOG_ENTRY = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
TOUCHES_TRACKING = re.compile(r"\b(runs|metrics|latest_metrics|params|tags)\b")
SEQ_SCAN = re.compile(r"seq scan on (\w+)", re.IGNORECASE)
ACTUAL_ROWS = re.compile(r"actual time=[\d.]+\.\.[\d.]+ rows=(\d+) loops=(\d+)")
REMOVED = re.compile(r"Rows Removed by Filter: (\d+)")
SCAN_KEPT_AT_LEAST = 0.9  # a sequential scan keeping a smaller share of the rows it reads fails the check


def seq_scans(plan: str) -> list[dict]:
    """The sequential scans in a plan: the table, the rows it kept and the rows it read (kept + removed by the
    filter), per loop."""
    lines = plan.splitlines()
    scans = []
    for i, line in enumerate(lines):
        match = SEQ_SCAN.search(line)
        if not match:
            continue
        actual = ACTUAL_ROWS.search(line)
        kept = int(actual.group(1)) if actual else 0
        removed = 0
        depth = len(line) - len(line.lstrip())
        for detail in lines[i + 1 :]:
            if len(detail) - len(detail.lstrip()) <= depth or "->" in detail:
                break
            if m := REMOVED.search(detail):
                removed = int(m.group(1))
        scans.append({"table": match.group(1), "kept": kept, "read": kept + removed})
    return scans


def wasteful(scan: dict) -> bool:
    """A sequential scan that keeps less than SCAN_KEPT_AT_LEAST of the rows it reads, where an index would have read
    less. A scan that keeps (nearly) every row it reads, such as runs when the searched experiment holds them
    all, reads what the statement needs; its filters' own lookups must still go through indexes."""
    return scan["read"] > 0 and scan["kept"] < SCAN_KEPT_AT_LEAST * scan["read"]


def log_size(path: Path) -> int:
    return path.stat().st_size


def plans_between(path: Path, start: int, end: int) -> list[str]:
    """auto_explain's plans in PostgreSQL's log between two offsets, of statements over the tracking tables."""
    with open(path, "rb") as f:
        f.seek(start)
        text = f.read(end - start).decode(errors="replace")
    entries: list[list[str]] = []
    for line in text.splitlines():
        if LOG_ENTRY.match(line) or not entries:
            entries.append([])
        entries[-1].append(line)
    plans = ["\n".join(e) for e in entries if "plan:" in e[0]]
    return [p for p in plans if TOUCHES_TRACKING.search(p)]


def settled_log_size(path: Path) -> int:
    """The log's size once PostgreSQL stopped writing to it (a statement's plan is logged as it ends)."""
    size = log_size(path)
    for _ in range(50):
        time.sleep(0.2)
        now = log_size(path)
        if now == size:
            return size
        size = now
    return size


def capture_plans(b: Bench, topo: Replicas) -> dict:
    """auto_explain on Kaizen's database for new sessions; one more replica, started on it, gets one search and one
    get-history; their plans from PostgreSQL's log, and the sequential scans over the tracking tables in them."""
    pg_log = os.environ.get("KAIZEN_TEST_POSTGRES_LOG", "")
    if not pg_log or not Path(pg_log).is_file():
        raise RuntimeError("KAIZEN_TEST_POSTGRES_LOG is not set to PostgreSQL's log: run through scripts/services.sh")
    pg_log = Path(pg_log)
    db = topo.db_url.split("?")[0].rsplit("/", 1)[1]
    psql(topo.db_url, f"ALTER DATABASE {db} SET session_preload_libraries = 'auto_explain'",
         f"ALTER DATABASE {db} SET auto_explain.log_min_duration = 0",
         f"ALTER DATABASE {db} SET auto_explain.log_analyze = on")
    extra = topo.replica("replica-explain")
    try:
        extra.start(timeout=120)
        client = Client(extra.base, f"{b.label} (explained)")
        search = {"experiment_ids": [b.client.search_exp], "filter": SEARCH_FILTER, "order_by": SEARCH_ORDER,
                  "max_results": SEARCH_MAX}
        history = {"run_id": b.res["history_run_id"], "metric_key": "k", "max_results": 25000}
        out: dict = {"plans": {}}
        start = settled_log_size(pg_log)
        for name, send in (("search", lambda: client.post("/runs/search", search)),
                           ("get-history", lambda: client.get("/metrics/get-history", history))):
            send()
            end = settled_log_size(pg_log)
            out["plans"][name] = plans_between(pg_log, start, end)
            start = end
    finally:
        extra.stop()
        psql(topo.db_url, f"ALTER DATABASE {db} RESET ALL")
    out["seq_scans"] = [dict(scan, statement=name) for name, plans in out["plans"].items() for p in plans
                        for scan in seq_scans(p)]
    out["seq_scans_tracking"] = sorted({s["table"] for s in out["seq_scans"] if s["table"] in PLAN_TABLES
                                        and wasteful(s)})
    for name, plans in out["plans"].items():
        if not plans:
            fail(f"{b.label}: auto_explain logged no plan of {name} over the tracking tables in {pg_log}")
    if out["seq_scans_tracking"]:
        fail(f"{b.label}: a sequential scan filtering {', '.join(out['seq_scans_tracking'])} in the plans of search "
             "or get-history")
    return out


def print_plans(res: dict) -> None:
    plans = res.get("plans")
    if not plans:
        return
    print("\nPostgreSQL's plans of Kaizen's statements (auto_explain, log_analyze on, one more replica):")
    for name, entries in plans["plans"].items():
        print(f"\n-- {name}: {len(entries)} statement(s) over runs/metrics/params/latest_metrics/tags")
        for entry in entries:
            lines = entry.splitlines()
            print(LOG_ENTRY.sub("", lines[0]).split("LOG:", 1)[-1].strip())
            for line in lines[1:]:
                print("   " + line.replace("\t", "    ", 1))
    tracking = plans["seq_scans_tracking"]
    print(f"\nverdict (grep -i 'seq scan'; one fails when it keeps under {SCAN_KEPT_AT_LEAST:.0%} of what it reads): " + (
        f"SEQUENTIAL SCAN filtering {', '.join(tracking)}" if tracking else
        f"no filtering sequential scan over {', '.join(PLAN_TABLES)}: the search and get-history filter through "
        "indexes"))
    for scan in plans["seq_scans"]:
        share = f" ({scan['kept'] / scan['read']:.0%})" if scan["read"] else ""
        print(f"  {scan['statement']}: Seq Scan on {scan['table']} kept {scan['kept']:,} of the {scan['read']:,} rows "
              f"it read{share}")


# --------------------------------------------------------------------------- phases


def phases(b: Bench, runs: list[dict], topo: Replicas | None) -> None:
    """Seed the runs (then VACUUM ANALYZE on PostgreSQL), then search, get-history and log-metric; on Kaizen's topology,
    the plans of its search and get-history."""
    client, args = b.client, b.args

    def seed():
        res = phase_seed(b, runs)
        # As autovacuum does within a minute or so of a bulk load (inserts alone start it since PostgreSQL 13): the
        # planner has the tables' statistics, and the visibility map lets an index answer without the table.
        if topo is not None:
            psql(topo.db_url, "VACUUM ANALYZE")
        return res

    if not b.phase("seed", seed):
        return
    b.phase("search", lambda: phase_search(client, runs, args.reps, args.warmup))
    exp = client.create_experiment("bench-load")
    b.phase("get-history", lambda: phase_history(client, exp, args.reps, args.warmup))
    b.phase("log-metric", lambda: phase_log_metric(client, exp, args.duration, b.workdir))
    if topo is not None and not b.label.startswith("MLflow") and "history_run_id" in b.res:
        b.phase("plans", lambda: {"plans": capture_plans(b, topo)})


# --------------------------------------------------------------------------- report


def rows(n: int) -> list:
    return [
        # key, label, unit, higher_is_better, format
        ("startup_s", "start-up, first replica", "ms", False, lambda v: f"{v * 1e3:.0f}"),
        ("seed_s", f"seeding {n} runs (MLflow: SQL, Kaizen: REST)", "s", None, lambda v: f"{v:.1f}"),
        ("metric_rps", "log-metric, 16 connections", "req/s", True, lambda v: f"{v:.0f}"),
        ("metric_p50_ms", "  latency p50", "ms", False, lambda v: f"{v:.2f}"),
        ("metric_p99_ms", "  latency p99", "ms", False, lambda v: f"{v:.2f}"),
        ("metric_non2xx", "  non-2xx responses (must be 0)", "", None, lambda v: f"{v:d}"),
        ("metric_socket_errors", "  socket errors (must be 0)", "", None, lambda v: f"{v:d}"),
        ("search_median_ms", "search_runs filter+order, median", "ms", False, lambda v: f"{v:.1f}"),
        ("search_p95_ms", "search_runs filter+order, p95", "ms", False, lambda v: f"{v:.1f}"),
        ("history_median_ms", f"get-history {HISTORY_POINTS} points, median", "ms", False, lambda v: f"{v:.1f}"),
        ("peak_rss_mib", "peak RSS, all replicas (sum of VmHWM)", "MiB", False, lambda v: f"{v:.1f}"),
    ]


PG_RATIO_KEYS = ("metric_rps", "search_median_ms", "search_p95_ms", "history_median_ms")


def print_table(results: dict, names: tuple[str, str], n_runs: int, replicas: int) -> dict:
    """The comparison with Kaizen on SQLite beside it, then the goals; the ratios."""
    k, lite = results.get(names[1], {}), results.get("Kaizen SQLite", {})
    pg_over_lite = {key: k[key] / lite[key] for key in PG_RATIO_KEYS if k.get(key) and lite.get(key)}

    def lite_cell(row):
        key, fmt = row[0], row[4]
        return fmt(lite[key]) if key in lite else "-"

    print(f"\n{replicas} replicas behind nginx, each side on its own PostgreSQL database and S3 bucket; search_runs: "
          f"{n_runs} runs, filter \"{SEARCH_FILTER}\", order {SEARCH_ORDER[0]}, max_results {SEARCH_MAX}"
          f" -> {k.get('search_hits', '?')} runs")
    ratios = print_comparison(results, rows(n_runs), 46, 5, 11, names, (
        ("Kaizen SQLite", 13, lite_cell),
        ("PG/SQLite", 9, lambda row: f"{pg_over_lite[row[0]]:.2f}x" if row[0] in pg_over_lite else ""),
    ))
    print("PG/SQLite: Kaizen on PostgreSQL (replicas) over Kaizen on SQLite (one process), figure over figure.")

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    print("\ngoals:")
    # Ratios to two decimals: a ratio of 49.95x is a miss, and "50.0x: MISSED" reads as a contradiction.
    errors = k.get("metric_non2xx", 1) + k.get("metric_socket_errors", 1)
    r = ratios.get("metric_rps")
    print(f"  log-metric >= {GOALS['metric_rps']:.0f}x MLflow with 0 errors: "
          + (f"{r:.2f}x, {errors} errors: {verdict(r >= GOALS['metric_rps'] and errors == 0)}" if r else "not measured"))
    for key, what in (("search_median_ms", "search_runs"), ("history_median_ms", "get-history")):
        r, pg = ratios.get(key), pg_over_lite.get(key)
        print(f"  {what} >= {GOALS[key]:.0f}x MLflow: " + (f"{r:.2f}x: {verdict(r >= GOALS[key])}" if r else "not measured")
              + f"; Kaizen-PG within {PG_WITHIN:.0f}x of Kaizen-SQLite: "
              + (f"{pg:.2f}x: {verdict(pg <= PG_WITHIN)}" if pg else "not measured"))
    print_plans(k)
    return {"vs_mlflow": ratios, "kaizen_pg_over_sqlite": pg_over_lite}


# --------------------------------------------------------------------------- main


def main() -> int:
    p = new_parser(__doc__)
    p.add_argument("--replicas", type=int, default=3, help="replicas of each server behind nginx (default 3)")
    p.add_argument("--duration", type=int, default=10, help="seconds of the log-metric wrk run (default 10)")
    p.add_argument("--runs", type=int, default=10_000, help="runs seeded for the search benchmark (default 10000)")
    add_repetition_args(p)
    add_mlflow_args(p, "start MLflow's replicas with MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false (no job runner)")
    add_output_args(p)
    p.add_argument("--skip-sqlite", action="store_true", help="leave out Kaizen on SQLite (the reference column)")
    p.add_argument("--seed", type=int, default=42, help="random seed of the seeded runs (default 42)")
    add_server_args(p, "threads seeding Kaizen over REST (default 8)")
    args = p.parse_args()
    if args.runs < 1 or args.duration < 1 or args.reps < 1 or args.warmup < 1 or args.replicas < 1:
        p.error("--replicas, --runs, --duration, --reps and --warmup must be positive")
    if preflight(args):
        return 2
    try:
        admin_url, _ = topology.requirements()
        pg_version = psql(admin_url, "SHOW server_version")
    except (RuntimeError, OSError) as e:
        print(f"error: {e}\n       run it as: scripts/services.sh run -- {sys.executable} bench/scaleout.py",
              file=sys.stderr)
        return 2

    info = print_header(args, f"load: {args.replicas} replicas behind nginx, PostgreSQL {pg_version}; wrk "
                        f"{args.duration} s; search over {args.runs} runs"
                        + (" (reduced from 10000)" if args.runs != 10_000 else "") + f"; {args.warmup} warm-up and {args.reps} timed repetitions")
    info["postgresql"] = pg_version
    runs = seed_data(args.runs, args.seed)
    names = (f"MLflow x{args.replicas}", f"Kaizen x{args.replicas}")

    def kaizen_argv(port, db_uri, art):
        return [args.kaizen_bin, "server", "--host", HOST, "--port", str(port), "--backend-store-uri", db_uri,
                "--artifacts-destination", art]

    def mlflow_argv(port, db_uri, art):
        argv = [args.mlflow_bin, "server", "--host", HOST, "--port", str(port), "--backend-store-uri", db_uri,
                "--artifacts-destination", art]
        return argv + (["--workers", str(args.mlflow_workers)] if args.mlflow_workers else [])

    mlflow_env = {"MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"} if args.mlflow_no_jobs else {}
    sides = [(names[1], lambda: bench_replicas(names[1], kaizen_argv, args, {}, lambda b, t: phases(b, runs, t)))]
    if not args.skip_mlflow:
        sides.append((names[0], lambda: bench_replicas(names[0], mlflow_argv, args, mlflow_env,
                                                       lambda b, t: phases(b, runs, t))))
    if not args.skip_sqlite:
        sides.append(("Kaizen SQLite", lambda: bench_server("Kaizen SQLite", kaizen_argv, "kaizen.db", {}, args,
                                                            "kaizen-scaleout-", lambda b: phases(b, runs, None), False)))
    t0 = time.perf_counter()
    results: dict = {}
    try:
        for label, run in sides:
            measure_side(results, label, run)
    except KeyboardInterrupt:
        log("interrupted; servers stopped")
        return 130

    ratios = print_table(results, names, args.runs, args.replicas)
    return finish(args, t0, results, {
        "machine": info,
        "config": {"replicas": args.replicas, "duration_s": args.duration, "runs": args.runs, "reps": args.reps, "warmup": args.warmup,
                   "seed": args.seed, "mlflow_workers": args.mlflow_workers, "mlflow_no_jobs": args.mlflow_no_jobs,
                   "search_filter": SEARCH_FILTER, "search_order_by": SEARCH_ORDER, "search_max_results": SEARCH_MAX,
                   "goals": {"vs_mlflow": GOALS, "kaizen_pg_within_sqlite": PG_WITHIN}},
        "results": results,
        "ratios": ratios,
    })


if __name__ == "__main__":
    sys.exit(main())
