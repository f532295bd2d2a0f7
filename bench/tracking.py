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
  7. peak RSS (VmHWM) summed over the server's process tree

The load generator is wrk (Debian package `wrk`), driven by Lua scripts for the POST bodies.
Run with the project's venv: `.venv/bin/python bench/tracking.py --help`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # the only address this benchmark ever talks to
API = "/api/2.0/mlflow"
SEARCH_FILTER = "metrics.rmse < 0.5 and params.alpha = '0.1'"
SEARCH_ORDER = ["metrics.rmse ASC"]
SEARCH_MAX = 1000
HISTORY_POINTS = 10_000
BATCH = 1000  # metrics per log-batch request (the API's maximum)
SEQ_BATCHES = 20
TS0 = 1_700_000_000_000  # fixed base timestamp (ms) so both servers get identical data

CHECKS: list[str] = []  # failed checks, printed at the end (exit status 1 if any)
NOISE: list[str] = []  # warnings that the machine was busy with other work


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def fail(msg: str) -> None:
    CHECKS.append(msg)
    log("CHECK FAILED: " + msg)


# --------------------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def proc_table() -> dict[int, int]:
    """pid -> ppid for every process visible in /proc."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode(errors="replace")
        except OSError:
            continue
        # the command name is in parentheses and may itself hold spaces or parentheses
        rest = stat[stat.rfind(")") + 2 :].split()
        table[int(entry)] = int(rest[1])
    return table


def process_tree(root: int) -> list[int]:
    table = proc_table()
    children: dict[int, list[int]] = {}
    for pid, ppid in table.items():
        children.setdefault(ppid, []).append(pid)
    tree, todo = [], [root] if root in table else []
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_cpu_ticks(pid: int) -> int:
    """utime + stime of one process, in clock ticks (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode(errors="replace")
    except OSError:
        return 0
    rest = stat[stat.rfind(")") + 2 :].split()
    return int(rest[11]) + int(rest[12])


def machine_busy_ticks() -> int:
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v) - v[3] - v[4]  # all but idle and iowait


def read_status_kib(pid: int) -> dict[str, int]:
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    name, value = line.split(":", 1)
                    out[name] = int(value.split()[0])
    except OSError:
        pass
    return out


def proc_role(pid: int) -> str:
    """A short name for what a process is, for the memory breakdown."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return "?"
    if not argv:
        return "?"
    if "python" not in os.path.basename(argv[0]):
        return os.path.basename(argv[0])
    rest = argv[1:]
    while rest and rest[0].startswith("-") and rest[0] not in ("-m", "-c"):
        rest = rest[1:]
    if len(rest) >= 2 and rest[0] == "-m":
        return rest[1]
    if len(rest) >= 2 and rest[0] == "-c":
        code = rest[1]
        if "spawn_main" in code:
            return "multiprocessing worker"
        if "resource_tracker" in code:
            return "multiprocessing resource_tracker"
        return "python -c"
    return os.path.basename(rest[0]) if rest else "python"


class Server:
    """One server process group, with start-up timing and a memory sampler."""

    def __init__(self, name: str, argv: list[str], workdir: Path, port: int, env: dict):
        self.name, self.argv, self.workdir, self.port, self.env = name, argv, workdir, port, env
        self.base = f"http://{HOST}:{port}"
        self.proc: subprocess.Popen | None = None
        self.hwm_kib: dict[int, int] = {}  # per pid: highest VmHWM seen
        self.max_rss_sum_kib = 0  # highest simultaneous sum of VmRSS seen
        self.pids_seen: set[int] = set()
        self.roles: dict[int, str] = {}
        self.cpu_ticks: dict[int, int] = {}  # per pid: highest utime + stime seen
        self._stop_sampler = threading.Event()
        self._sampler: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self, timeout: float = 180.0) -> float:
        logfile = open(self.workdir / "server.log", "wb")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv,
            cwd=self.workdir,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: stop() kills the whole tree
        )
        logfile.close()
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.proc.returncode} before answering /health\n"
                    + self.log_tail()
                )
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError(f"{self.name} did not answer /health within {timeout:.0f} s\n" + self.log_tail())
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/health")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    elapsed = time.perf_counter() - t0
                    break
            except OSError:
                pass
            time.sleep(0.005)
        self._sampler = threading.Thread(target=self._sample_loop, daemon=True)
        self._sampler.start()
        return elapsed

    def log_tail(self, n: int = 30) -> str:
        try:
            lines = (self.workdir / "server.log").read_text(errors="replace").splitlines()
            return "\n".join("    | " + line for line in lines[-n:])
        except OSError:
            return ""

    def sample(self) -> int:
        """Record VmHWM of every process in the tree; return the current VmRSS sum (KiB)."""
        if self.proc is None:
            return 0
        rss = 0
        for pid in process_tree(self.proc.pid):
            st = read_status_kib(pid)
            if not st:
                continue
            rss += st.get("VmRSS", 0)
            if pid not in self.roles:
                self.roles[pid] = proc_role(pid)
            ticks = proc_cpu_ticks(pid)
            with self._lock:
                self.cpu_ticks[pid] = max(self.cpu_ticks.get(pid, 0), ticks)
                self.pids_seen.add(pid)
                self.hwm_kib[pid] = max(self.hwm_kib.get(pid, 0), st.get("VmHWM", 0))
        with self._lock:
            self.max_rss_sum_kib = max(self.max_rss_sum_kib, rss)
        return rss

    def _sample_loop(self) -> None:
        while not self._stop_sampler.wait(0.2):
            try:
                self.sample()
            except Exception:  # a process vanished mid-walk; the next sample catches up
                pass

    def idle_rss_kib(self, min_wait: float = 3.0, window: float = 2.0, max_wait: float = 30.0) -> tuple[int, float]:
        """VmRSS sum once the tree has settled: at least min_wait after the first 200, then the
        same processes and under 1% growth over the last `window` seconds (workers that are still
        importing keep growing)."""
        t0 = time.perf_counter()
        history = []
        while True:
            history.append((time.perf_counter(), self.sample(), len(process_tree(self.proc.pid))))
            now = history[-1][0]
            old = [h for h in history if now - h[0] >= window]
            if old and now - t0 >= min_wait:
                ref = old[-1]
                if abs(history[-1][1] - ref[1]) <= max(1024, ref[1] // 100) and history[-1][2] == ref[2]:
                    return history[-1][1], now - t0
            if now - t0 > max_wait:
                return history[-1][1], now - t0
            time.sleep(0.1)

    def peak_hwm_kib(self) -> int:
        self.sample()
        with self._lock:
            return sum(self.hwm_kib.values())

    def cpu_seconds(self) -> float:
        self.sample()
        with self._lock:
            return sum(self.cpu_ticks.values()) / CLK_TCK

    def breakdown(self) -> dict[str, dict]:
        """Peak RSS (VmHWM, MiB) and process count per kind of process."""
        out: dict[str, dict] = {}
        with self._lock:
            for pid, hwm in self.hwm_kib.items():
                role = out.setdefault(self.roles.get(pid, "?"), {"processes": 0, "peak_rss_mib": 0.0})
                role["processes"] += 1
                role["peak_rss_mib"] = round(role["peak_rss_mib"] + hwm / 1024, 1)
        return dict(sorted(out.items(), key=lambda kv: -kv[1]["peak_rss_mib"]))

    def stop(self) -> None:
        self._stop_sampler.set()
        if self.proc is None or self.proc.poll() is not None and not process_tree(self.proc.pid):
            return
        pids = set(process_tree(self.proc.pid))
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        deadline = time.time() + 5
        while time.time() < deadline and any(os.path.exists(f"/proc/{p}") for p in pids):
            time.sleep(0.1)
        # whatever is left (of the group, or of the tree if a child left the group): SIGKILL
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


# --------------------------------------------------------------------------- HTTP helpers


class Client:
    def __init__(self, base: str, label: str = ""):
        self.base, self.label = base, label
        self.search_exp = ""  # experiment seeded for the search benchmark
        self.local = threading.local()

    @property
    def session(self) -> requests.Session:
        s = getattr(self.local, "s", None)
        if s is None:
            s = self.local.s = requests.Session()
        return s

    def post(self, path: str, body: dict | bytes, timeout: float = 300) -> dict:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        r = self.session.post(
            self.base + API + path, data=data, headers={"Content-Type": "application/json"}, timeout=timeout
        )
        if r.status_code != 200:
            raise RuntimeError(f"POST {path} -> {r.status_code}: {r.text[:300]}")
        return r.json() if r.content.strip() else {}

    def get(self, path: str, params: dict, timeout: float = 300) -> dict:
        r = self.session.get(self.base + API + path, params=params, timeout=timeout)
        if r.status_code != 200:
            raise RuntimeError(f"GET {path} -> {r.status_code}: {r.text[:300]}")
        return r.json()

    def create_experiment(self, name: str) -> str:
        return self.post("/experiments/create", {"name": name})["experiment_id"]

    def create_run(self, exp: str, name: str, start_time: int = TS0, tags=()) -> str:
        body = {"experiment_id": exp, "user_id": "bench", "run_name": name, "start_time": start_time}
        if tags:
            body["tags"] = [{"key": k, "value": v} for k, v in tags]
        return self.post("/runs/create", body)["run"]["info"]["run_id"]


def timed(fn, reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def pct(values: list[float], q: float) -> float:
    """q-th percentile, nearest-rank on the sorted sample."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(q / 100 * len(s) + 0.5)) - 1))
    return s[k]


# --------------------------------------------------------------------------- wrk

WRK_COMMON = r"""
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
counter = 0
function done(summary, latency, requests)
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"err_connect":%d,"err_read":%d,"err_write":%d,' ..
    '"err_status":%d,"err_timeout":%d,"lat_mean_us":%.1f,"lat_p50_us":%d,"lat_p90_us":%d,' ..
    '"lat_p99_us":%d,"lat_max_us":%d}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout, latency.mean,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""

WRK_LOG_METRIC = r"""
local path = "/api/2.0/mlflow/runs/log-metric"
local headers = {["Content-Type"] = "application/json"}
local fmt = '{"run_id":"__RUN__","key":"loss","value":0.5,"timestamp":%d,"step":%d}'
request = function()
  counter = counter + 1
  local step = counter * 64 + tid  -- unique per request across threads
  return wrk.format("POST", path, headers, string.format(fmt, __TS0__ + step, step))
end
"""

WRK_LOG_BATCH = r"""
local path = "/api/2.0/mlflow/runs/log-batch"
local headers = {["Content-Type"] = "application/json"}
local head = '{"run_id":"__RUN__","metrics":['
request = function()
  counter = counter + 1
  local base = (counter * 64 + tid) * 100  -- 10 keys x 100 unique steps per request
  local parts = {}
  for i = 0, 999 do
    local step = base + (i % 100)
    parts[i + 1] = string.format('{"key":"m%d","value":%d.25,"timestamp":%d,"step":%d}',
                                 math.floor(i / 100), i, __TS0__ + step, step)
  end
  return wrk.format("POST", path, headers, head .. table.concat(parts, ",") .. "]}")
end
"""


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def wrk_version() -> str:
    try:
        out = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
        return " ".join((out.stdout + out.stderr).split()[:2])
    except Exception:
        return "?"


def run_wrk(script: str, url: str, threads: int, conns: int, duration: int, workdir: Path, tag: str) -> dict:
    lua = workdir / f"{tag}.lua"
    lua.write_text(WRK_COMMON + script)
    cmd = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{duration}s", "--timeout", "60s", "--latency", "-s", str(lua), url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 120)
    (workdir / f"{tag}.wrk.txt").write_text(out.stdout + out.stderr)
    for line in out.stdout.splitlines():
        if line.startswith("WRKJSON "):
            res = json.loads(line[len("WRKJSON ") :])
            res["duration_s"] = res["duration_us"] / 1e6
            res["socket_errors"] = sum(res[k] for k in ("err_connect", "err_read", "err_write", "err_timeout"))
            res["ok_requests"] = res["requests"] - res["err_status"]
            return res
    raise RuntimeError(f"wrk gave no result (exit {out.returncode}):\n{out.stdout}\n{out.stderr}")


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


def phase_search(client: Client, runs: list[dict], reps: int) -> dict:
    expected = expected_search(runs)
    body = json.dumps({
        "experiment_ids": [client.search_exp],
        "filter": SEARCH_FILTER,
        "order_by": SEARCH_ORDER,
        "max_results": SEARCH_MAX,
    }).encode()
    last = {}

    def once():
        r = client.session.post(
            client.base + API + "/runs/search", data=body, headers={"Content-Type": "application/json"}, timeout=300
        )
        _ = r.content
        last["r"] = r

    once()  # warm-up, and the correctness check
    r = last["r"]
    if r.status_code != 200:
        raise RuntimeError(f"runs/search -> {r.status_code}: {r.text[:300]}")
    got = [
        (run["info"].get("run_name"), {m["key"]: m["value"] for m in run["data"].get("metrics", [])}.get("rmse"))
        for run in r.json().get("runs", [])
    ]
    ok = got == expected
    if not ok:
        fail(f"{client.label}: runs/search returned {len(got)} runs, expected {len(expected)} (or a different order/values)")
    times = timed(once, reps)
    return {
        "search_hits": len(got),
        "search_ok": ok,
        "search_median_ms": statistics.median(times) * 1e3,
        "search_p95_ms": pct(times, 95) * 1e3,
        "search_min_ms": min(times) * 1e3,
    }


def phase_history(client: Client, exp: str, reps: int) -> dict:
    run_id = client.create_run(exp, "history")
    for start in range(0, HISTORY_POINTS, BATCH):
        client.post("/runs/log-batch", {
            "run_id": run_id,
            "metrics": [{"key": "k", "value": s * 0.001, "timestamp": TS0 + s, "step": s} for s in range(start, start + BATCH)],
        })
    params = {"run_id": run_id, "metric_key": "k", "max_results": 25000}
    last = {}

    def once():
        r = client.session.get(client.base + API + "/metrics/get-history", params=params, timeout=300)
        _ = r.content
        last["r"] = r

    once()
    r = last["r"]
    if r.status_code != 200:
        raise RuntimeError(f"metrics/get-history -> {r.status_code}: {r.text[:300]}")
    data = r.json()
    points = data.get("metrics", [])
    steps = sorted(int(m["step"]) for m in points)
    ok = steps == list(range(HISTORY_POINTS)) and not data.get("next_page_token")
    if not ok:
        fail(f"{client.label}: get-history returned {len(points)} points, expected {HISTORY_POINTS} (steps 0..{HISTORY_POINTS - 1})")
    times = timed(once, reps)
    return {
        "history_points": len(points),
        "history_ok": ok,
        "history_median_ms": statistics.median(times) * 1e3,
        "history_p95_ms": pct(times, 95) * 1e3,
    }


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
    script = WRK_LOG_BATCH.replace("__RUN__", run_wrk_id).replace("__TS0__", str(TS0))
    w = run_wrk(script, client.base + API + "/runs/log-batch", 2, 4, duration, workdir, "log-batch")
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
    script = WRK_LOG_METRIC.replace("__RUN__", run_id).replace("__TS0__", str(TS0))
    w = run_wrk(script, client.base + API + "/runs/log-metric", 2, 16, duration, workdir, "log-metric")
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


def bench_server(label: str, argv_fn, db_name: str, args, runs: list[dict], keep: bool, extra_env: dict) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"kaizen-bench-{label.lower()}-"))
    port = free_port()
    db_uri = f"sqlite:///{workdir}/{db_name}"
    argv = argv_fn(port, db_uri, str(workdir / "art"))
    env = dict(os.environ, MLFLOW_DISABLE_TELEMETRY="true", DO_NOT_TRACK="true", **extra_env)
    server = Server(label, argv, workdir, port, env)
    res: dict = {"argv": argv, "workdir": str(workdir), "errors": {}}
    client = Client(server.base, label)
    t_all = time.perf_counter()
    busy0, self0 = machine_busy_ticks(), os.times()
    log(f"{label}: starting {' '.join(argv)}")
    try:
        res["startup_s"] = server.start()
        log(f"{label}: /health 200 after {res['startup_s']:.2f} s")
        idle, settle = server.idle_rss_kib()
        res["idle_rss_mib"] = idle / 1024
        res["idle_settle_s"] = settle
        res["idle_processes"] = len(process_tree(server.proc.pid))
        log(f"{label}: idle RSS {idle / 1024:.1f} MiB over {res['idle_processes']} processes (settled {settle:.1f} s)")
        try:
            res["version"] = requests.get(server.base + "/version", timeout=10).text.strip()[:40]
        except Exception:
            res["version"] = "?"

        def phase(name, fn):
            t0 = time.perf_counter()
            try:
                res.update(fn())
                log(f"{label}: {name} done in {time.perf_counter() - t0:.1f} s")
            except Exception as e:
                res["errors"][name] = f"{type(e).__name__}: {e}"
                fail(f"{label}: {name} failed: {type(e).__name__}: {str(e)[:300]}")
                if args.verbose:
                    traceback.print_exc()
                if server.proc.poll() is not None:
                    raise RuntimeError(f"{label} died (exit {server.proc.returncode})\n{server.log_tail()}") from e

        def seed():
            exp = client.create_experiment("bench-search")
            client.search_exp = exp
            t0 = time.perf_counter()
            if label == "MLflow":
                seed_mlflow_sql(db_uri, exp, runs)
                how = "in-process (SQL)"
            else:
                seed_rest(client, exp, runs, args.seed_threads)
                how = f"REST, {args.seed_threads} threads"
            dt = time.perf_counter() - t0
            log(f"{label}: seeded {len(runs)} runs via {how} in {dt:.1f} s")
            return {"seed_s": dt, "seed_how": how}

        phase("seed", seed)
        if "seed" not in res["errors"]:
            phase("search", lambda: phase_search(client, runs, args.reps))
        exp = None
        try:
            exp = client.create_experiment("bench-load")
        except Exception as e:
            fail(f"{label}: experiments/create failed: {e}")
        if exp is not None:
            phase("get-history", lambda: phase_history(client, exp, args.reps))
            phase("log-batch", lambda: phase_log_batch(client, exp, args.duration, workdir))
            phase("log-metric", lambda: phase_log_metric(client, exp, args.duration, workdir))
        res["peak_rss_mib"] = server.peak_hwm_kib() / 1024
        res["max_rss_sum_mib"] = server.max_rss_sum_kib / 1024
        res["processes_seen"] = len(server.pids_seen)
        # CPU taken by other processes while this server was measured: a noise indicator
        wall = time.perf_counter() - t_all
        self1 = os.times()
        own = sum(self1[:4]) - sum(self0[:4])  # this script and its finished children (wrk)
        busy = (machine_busy_ticks() - busy0) / CLK_TCK
        res["server_cpu_s"] = server.cpu_seconds()
        res["other_cpu_cores"] = max(0.0, (busy - own - res["server_cpu_s"]) / wall)
        log(f"{label}: CPU: server {res['server_cpu_s']:.0f} s, benchmark+wrk {own:.0f} s, "
            f"other processes {res['other_cpu_cores']:.2f} cores on average over {wall:.0f} s")
        if res["other_cpu_cores"] > 0.15:
            NOISE.append(f"{label}: other processes used {res['other_cpu_cores']:.2f} of {os.cpu_count()} cores "
                         "on average while it was measured")
        res["peak_rss_by_process"] = server.breakdown()
        log(f"{label}: peak RSS (sum of VmHWM) {res['peak_rss_mib']:.1f} MiB over {res['processes_seen']} processes: "
            + ", ".join(f"{k} x{v['processes']} {v['peak_rss_mib']:.0f} MiB" for k, v in res["peak_rss_by_process"].items()))
    finally:
        server.stop()
        res["wall_s"] = time.perf_counter() - t_all
        log(f"{label}: stopped; {res['wall_s']:.0f} s in all")
        if keep:
            log(f"{label}: kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return res


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


def ratio(key: str, higher: bool | None, m: dict, k: dict):
    if higher is None or key not in m or key not in k:
        return None
    a, b = (k[key], m[key]) if higher else (m[key], k[key])
    if not b:
        return None
    return a / b


def print_table(results: dict, n_runs: int) -> dict:
    m, k = results.get("MLflow", {}), results.get("Kaizen", {})
    ratios = {}
    print()
    print(f"search_runs: {n_runs} runs, filter \"{SEARCH_FILTER}\", order {SEARCH_ORDER[0]}, max_results {SEARCH_MAX}"
          f" -> {k.get('search_hits', m.get('search_hits', '?'))} runs")
    print("GET /version: " + ", ".join(f"{name} {side.get('version', '?')}" for name, side in results.items()))
    w = 44
    print(f"{'':{w}} {'unit':>9} {'MLflow':>11} {'Kaizen':>11} {'ratio':>8}")
    for key, label, unit, higher, fmt in ROWS:
        cells = []
        for side in (m, k):
            cells.append(fmt(side[key]) if key in side else "-")
        r = ratio(key, higher, m, k)
        if r is not None:
            ratios[key] = r
        print(f"{label:{w}} {unit:>9} {cells[0]:>11} {cells[1]:>11} {(f'{r:.2f}x' if r is not None else ''):>8}")
    print("ratio: Kaizen/MLflow for throughput, MLflow/Kaizen for times and memory: >1 means Kaizen is better.")
    return ratios


def cpu_busy(window: float = 1.0) -> float:
    """Fraction of all CPUs' time that was busy during the window (from /proc/stat)."""

    def read():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + v[4]  # total, idle + iowait

    try:
        t1, i1 = read()
        time.sleep(window)
        t2, i2 = read()
        return 1 - (i2 - i1) / max(1, t2 - t1)
    except OSError:
        return 0.0


def machine_info() -> dict:
    info = {
        "nproc": len(os.sched_getaffinity(0)),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "wrk": wrk_version(),
    }
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                info["mem_gib"] = round(int(line.split()[1]) / 2**20, 1)
                break
    except OSError:
        pass
    try:
        info["kaizen_commit"] = subprocess.run(
            ["git", "-C", str(REPO), "describe", "--always", "--dirty"], capture_output=True, text=True, timeout=10
        ).stdout.strip() or "(no commit)"
    except Exception:
        info["kaizen_commit"] = "?"
    return info


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--duration", type=int, default=10, help="seconds of each wrk run (default 10)")
    p.add_argument("--runs", type=int, default=10_000, help="runs seeded for the search benchmark (default 10000)")
    p.add_argument("--reps", type=int, default=10, help="timed repetitions of search and get-history (default 10)")
    p.add_argument("--mlflow-workers", type=int, default=None, help="MLflow's --workers (default: MLflow's own, 4)")
    p.add_argument("--mlflow-no-jobs", action="store_true",
                   help="start MLflow with MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false (no job runner and its "
                        "huey consumer processes; MLflow's default is to run them)")
    p.add_argument("--skip-mlflow", action="store_true", help="benchmark Kaizen only (quick check)")
    p.add_argument("--json", metavar="OUT", help="write all results to this JSON file")
    p.add_argument("--seed", type=int, default=42, help="random seed of the seeded runs (default 42)")
    p.add_argument("--seed-threads", type=int, default=8, help="threads seeding Kaizen over REST (default 8)")
    p.add_argument("--kaizen-bin", default=os.environ.get("KAIZEN_BIN", str(REPO / ".build/release/kaizen")),
                   help="Kaizen binary (default $KAIZEN_BIN, else .build/release/kaizen)")
    p.add_argument("--mlflow-bin", default=str(Path(sys.executable).parent / "mlflow"),
                   help="mlflow CLI (default: the one beside this Python, i.e. .venv/bin/mlflow)")
    p.add_argument("--keep", action="store_true", help="keep the servers' temp dirs (logs, databases, wrk output)")
    p.add_argument("-v", "--verbose", action="store_true", help="print tracebacks of failed phases")
    args = p.parse_args()
    if args.runs < 1 or args.duration < 1 or args.reps < 1:
        p.error("--runs, --duration and --reps must be positive")

    if not have_wrk():
        print("error: wrk is not installed; it is the load generator of this benchmark.\n"
              "       Install it with: apt-get install -y wrk", file=sys.stderr)
        return 2
    if not os.access(args.kaizen_bin, os.X_OK):
        print(f"error: Kaizen binary not found or not executable: {args.kaizen_bin}\n"
              "       Build it with `make release` (or set KAIZEN_BIN).", file=sys.stderr)
        return 2
    if not args.skip_mlflow:
        if not os.access(args.mlflow_bin, os.X_OK):
            print(f"error: mlflow CLI not found: {args.mlflow_bin} (run `make venv`, or pass --mlflow-bin)", file=sys.stderr)
            return 2
        try:
            import mlflow  # noqa: F401  (seeding MLflow's store in-process needs it)
        except ImportError:
            print("error: this Python cannot import mlflow; run the benchmark with .venv/bin/python", file=sys.stderr)
            return 2

    # Turn SIGTERM/SIGHUP into an exception so the servers are always stopped.
    def on_signal(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    info = machine_info()
    if not args.skip_mlflow:
        from importlib.metadata import version

        info["mlflow"] = version("mlflow")
    print(f"machine: {info['nproc']} CPUs ({info.get('cpu', '?')}), {info.get('mem_gib', '?')} GiB, Linux {info['kernel']}")
    print(f"versions: Kaizen {info['kaizen_commit']} ({args.kaizen_bin}), mlflow {info.get('mlflow', '-')}, "
          f"python {info['python']}, sqlite {info['sqlite']}, {info['wrk']}")
    print(f"load: wrk {args.duration} s per run; search over {args.runs} runs"
          + (" (reduced from 10000)" if args.runs != 10_000 else "") + f"; {args.reps} timed repetitions", flush=True)

    busy = cpu_busy()
    info["cpu_busy_at_start"] = round(busy, 2)
    if busy > 0.2:
        print(f"warning: the machine is not idle ({busy:.0%} of its CPU time is busy with other work);"
              " the figures may be noisy", flush=True)

    runs = seed_data(args.runs, args.seed)
    results: dict = {}
    t0 = time.perf_counter()

    def kaizen_argv(port, db_uri, art):
        return [args.kaizen_bin, "server", "--host", HOST, "--port", str(port),
                "--backend-store-uri", db_uri, "--artifacts-destination", art]

    def mlflow_argv(port, db_uri, art):
        argv = [args.mlflow_bin, "server", "--host", HOST, "--port", str(port),
                "--backend-store-uri", db_uri, "--artifacts-destination", art]
        if args.mlflow_workers:
            argv += ["--workers", str(args.mlflow_workers)]
        return argv

    try:
        for label, argv_fn, db in (("Kaizen", kaizen_argv, "kaizen.db"), ("MLflow", mlflow_argv, "mlflow.db")):
            if label == "MLflow" and args.skip_mlflow:
                continue
            try:
                extra_env = {}
                if label == "MLflow" and args.mlflow_no_jobs:
                    extra_env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
                results[label] = bench_server(label, argv_fn, db, args, runs, args.keep, extra_env)
            except KeyboardInterrupt:
                raise
            except Exception as e:
                fail(f"{label}: {e}")
                results.setdefault(label, {})["fatal"] = str(e)
        for label in results:
            results[label]["version"] = results[label].get("version", "?")
    except KeyboardInterrupt:
        log("interrupted; servers stopped")
        return 130

    ratios = print_table(results, args.runs)
    total = time.perf_counter() - t0
    print(f"total time {total:.0f} s" + "".join(f"; {k} {v.get('wall_s', 0):.0f} s" for k, v in results.items()))
    for n in NOISE:
        print(f"warning: {n}; the figures may be noisy")
    if CHECKS:
        print("\nFAILED CHECKS:")
        for c in CHECKS:
            print("  - " + c)
    if args.json:
        out = {
            "machine": info,
            "config": {"duration_s": args.duration, "runs": args.runs, "reps": args.reps, "seed": args.seed,
                       "mlflow_workers": args.mlflow_workers, "mlflow_no_jobs": args.mlflow_no_jobs, "search_filter": SEARCH_FILTER,
                       "search_order_by": SEARCH_ORDER, "search_max_results": SEARCH_MAX},
            "results": results,
            "ratios": ratios,
            "failed_checks": CHECKS,
            "noise_warnings": NOISE,
        }
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 1 if CHECKS else 0


if __name__ == "__main__":
    sys.exit(main())
