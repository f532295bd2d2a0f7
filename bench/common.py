#!/usr/bin/env python3
"""The shared part of the Kaizen vs MLflow benchmarks (bench/tracking.py, bench/registry.py, bench/serving.py).

The server process group with its start-up timing and memory sampler, the HTTP client, the wrk
driver, the command-line options both take, the machine header, the loop that benchmarks Kaizen and
then MLflow (each on a free 127.0.0.1 port, in its own fresh temporary directory, stopped with its
whole process group at the end), the comparison table and the closing report. A benchmark supplies
its own phases; this module is not run by itself.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
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
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # the only address the benchmarks ever talk to
API = "/api/2.0/mlflow"
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


def proc_stat_cpu() -> tuple[int, int]:
    """Clock ticks of all CPUs since boot, from /proc/stat: (all, idle + iowait)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v), v[3] + v[4]


def machine_busy_ticks() -> int:
    total, idle = proc_stat_cpu()
    return total - idle  # all but idle and iowait


def cpu_busy(window: float = 1.0) -> float:
    """Fraction of all CPUs' time that was busy during the window (from /proc/stat)."""
    try:
        t1, i1 = proc_stat_cpu()
        time.sleep(window)
        t2, i2 = proc_stat_cpu()
        return 1 - (i2 - i1) / max(1, t2 - t1)
    except OSError:
        return 0.0


def spawn_server(command: list[str], env: dict, workdir: Path, port: int, path: str = "/ping",
                 timeout: float = 180.0, poll: float = 0.005) -> tuple[subprocess.Popen, float]:
    """Starts `command` in its own session (output in workdir/stdout) and waits for a 200 on `path`: the process and
    the seconds from spawn to that 200."""
    workdir.mkdir(parents=True, exist_ok=True)
    out = open(workdir / "stdout", "wb")
    began = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT,
                               start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{command[:4]} exited: {(workdir / 'stdout').read_text()[-2000:]}")
        try:
            if requests.get(f"http://{HOST}:{port}{path}", timeout=2).status_code == 200:
                return process, time.perf_counter() - began
        except requests.RequestException:
            pass
        time.sleep(poll)
    process.kill()
    raise RuntimeError(f"{command[:4]} did not start")


def stop_server(process: subprocess.Popen) -> None:
    """SIGTERM to the server's process group, SIGKILL after 20 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


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

    def start(self, timeout: float = 180.0, ready_path: str = "/health") -> float:
        """Spawn the server; the seconds until GET ready_path first answered 200."""
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
                    f"{self.name} exited with {self.proc.returncode} before answering {ready_path}\n"
                    + self.log_tail()
                )
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError(f"{self.name} did not answer {ready_path} within {timeout:.0f} s\n" + self.log_tail())
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", ready_path)
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

    def send(self, method: str, path: str, body: dict | bytes | None = None, params: dict | None = None,
             timeout: float = 300) -> requests.Response:
        """One request to base + path (with a JSON body if any), its response read to the end."""
        if body is None:
            r = self.session.request(method, self.base + path, params=params, timeout=timeout)
        else:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            r = self.session.request(method, self.base + path, params=params, data=data,
                                     headers={"Content-Type": "application/json"}, timeout=timeout)
        _ = r.content
        return r

    def post(self, path: str, body: dict | bytes, timeout: float = 300) -> dict:
        r = ok200(self.send("POST", API + path, body, timeout=timeout), f"POST {path}")
        return r.json() if r.content.strip() else {}

    def get(self, path: str, params: dict, timeout: float = 300) -> dict:
        return ok200(self.send("GET", API + path, params=params, timeout=timeout), f"GET {path}").json()

    def create_experiment(self, name: str) -> str:
        return self.post("/experiments/create", {"name": name})["experiment_id"]

    def create_run(self, exp: str, name: str, start_time: int = TS0, tags=()) -> str:
        body = {"experiment_id": exp, "user_id": "bench", "run_name": name, "start_time": start_time}
        if tags:
            body["tags"] = [{"key": k, "value": v} for k, v in tags]
        return self.post("/runs/create", body)["run"]["info"]["run_id"]


def ok200(r: requests.Response, what: str) -> requests.Response:
    """r, if it is a 200; else an error naming `what` (the request)."""
    if r.status_code != 200:
        raise RuntimeError(f"{what} -> {r.status_code}: {r.text[:300]}")
    return r


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


def latency_ms(prefix: str, times: list[float]) -> dict:
    """prefix_median_ms and prefix_p95_ms of the times (s)."""
    return {f"{prefix}_median_ms": statistics.median(times) * 1e3, f"{prefix}_p95_ms": pct(times, 95) * 1e3}


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


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def wrk_version() -> str:
    try:
        out = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
        return " ".join((out.stdout + out.stderr).split()[:2])
    except Exception:
        return "?"


# POST /invocations with one of the bodies per request: each thread walks all bodies, threads out of step.
WRK_INVOCATIONS = r"""
local bodies = {
__BODIES__
}
local headers = {["Content-Type"] = "application/json"}
local reqs = {}
request = function()
  counter = counter + 1
  local i = (counter * 7 + tid) % #bodies + 1
  local r = reqs[i]
  if r == nil then
    r = wrk.format("POST", "/invocations", headers, bodies[i])
    reqs[i] = r
  end
  return r
end
"""


def lua_long_string(s: str) -> str:
    """`s` as a Lua long string literal, with enough `=` that it cannot end early."""
    level = 0
    while f"]{'=' * level}]" in s:
        level += 1
    return f"[{'=' * level}[{s}]{'=' * level}]"



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


# --------------------------------------------------------------------------- command line


def new_parser(doc: str) -> argparse.ArgumentParser:
    return argparse.ArgumentParser(description=doc.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)


def add_mlflow_args(p: argparse.ArgumentParser, no_jobs_help: str) -> None:
    """--mlflow-workers and --mlflow-no-jobs."""
    p.add_argument("--mlflow-workers", type=int, default=None, help="MLflow's --workers (default: MLflow's own, 4)")
    p.add_argument("--mlflow-no-jobs", action="store_true", help=no_jobs_help)


def add_output_args(p: argparse.ArgumentParser) -> None:
    """--skip-mlflow and --json."""
    p.add_argument("--skip-mlflow", action="store_true", help="benchmark Kaizen only (quick check)")
    p.add_argument("--json", metavar="OUT", help="write all results to this JSON file")


def add_server_args(p: argparse.ArgumentParser, seed_threads_help: str) -> None:
    """--seed-threads, --kaizen-bin, --mlflow-bin, --keep and -v."""
    p.add_argument("--seed-threads", type=int, default=8, help=seed_threads_help)
    p.add_argument("--kaizen-bin", default=os.environ.get("KAIZEN_BIN", str(REPO / ".build/release/kaizen")),
                   help="Kaizen binary (default $KAIZEN_BIN, else .build/release/kaizen)")
    p.add_argument("--mlflow-bin", default=str(Path(sys.executable).parent / "mlflow"),
                   help="mlflow CLI (default: the one beside this Python, i.e. .venv/bin/mlflow)")
    p.add_argument("--keep", action="store_true", help="keep the servers' temp dirs (logs, databases, wrk output)")
    p.add_argument("-v", "--verbose", action="store_true", help="print tracebacks of failed phases")


def preflight(args) -> int:
    """2 (after saying why) if wrk, the Kaizen binary (unless args.skip_kaizen) or, unless --skip-mlflow, MLflow
    is missing; else 0.
    Also turns SIGTERM/SIGHUP into an exception, so the servers are always stopped."""
    if not have_wrk():
        print("error: wrk is not installed; it is the load generator of this benchmark.\n"
              "       Install it with: apt-get install -y wrk", file=sys.stderr)
        return 2
    if not getattr(args, "skip_kaizen", False) and not os.access(args.kaizen_bin, os.X_OK):
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

    def on_signal(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    return 0


# --------------------------------------------------------------------------- one server


class Bench:
    """One running server, as a benchmark's phases see it."""

    def __init__(self, label: str, server: Server, client: Client, db_uri: str, workdir: Path, res: dict, args):
        self.label, self.server, self.client, self.db_uri, self.workdir = label, server, client, db_uri, workdir
        self.res, self.args = res, args

    def phase(self, name: str, fn) -> bool:
        """Run fn and add the results it returns to res. If it fails, that is a failed check, the next phase
        runs unless the server died, and the answer is False."""
        t0 = time.perf_counter()
        try:
            self.res.update(fn())
            log(f"{self.label}: {name} done in {time.perf_counter() - t0:.1f} s")
            return True
        except Exception as e:
            self.res["errors"][name] = f"{type(e).__name__}: {e}"
            fail(f"{self.label}: {name} failed: {type(e).__name__}: {str(e)[:300]}")
            if self.args.verbose:
                traceback.print_exc()
            if self.server.proc.poll() is not None:
                raise RuntimeError(f"{self.label} died (exit {self.server.proc.returncode})\n{self.server.log_tail()}") from e
            return False

    def seed(self, use_sql: bool, sql, rest) -> tuple[str, float]:
        """Seed MLflow's store in-process with sql() if use_sql, else the server through REST with rest();
        how it was seeded, and the seconds it took."""
        t0 = time.perf_counter()
        if use_sql:
            sql()
            how = "in-process (SQL)"
        else:
            rest()
            how = f"REST, {self.args.seed_threads} threads"
        return how, time.perf_counter() - t0


def bench_server(label: str, argv_fn, db_name: str, extra_env: dict, args, prefix: str, phases,
                 settle_field: bool, ready_path: str = "/health") -> dict:
    """Start one server in a fresh temporary directory, measure its start-up (until GET ready_path answers 200)
    and idle RSS, run phases(Bench), then its peak RSS and CPU, and stop it. settle_field: record idle_settle_s."""
    slug = "".join(c if c.isalnum() else "-" for c in label.lower()).strip("-")
    workdir = Path(tempfile.mkdtemp(prefix=f"{prefix}{slug}-"))
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
        res["startup_s"] = server.start(ready_path=ready_path)
        log(f"{label}: {ready_path} 200 after {res['startup_s']:.2f} s")
        idle, settle = server.idle_rss_kib()  # also lets every process of the tree finish starting
        res["idle_rss_mib"] = idle / 1024
        if settle_field:
            res["idle_settle_s"] = settle
        res["idle_processes"] = len(process_tree(server.proc.pid))
        log(f"{label}: idle RSS {idle / 1024:.1f} MiB over {res['idle_processes']} processes (settled {settle:.1f} s)")
        try:
            r = requests.get(server.base + "/version", timeout=10)
            res["version"] = r.text.strip()[:40] if r.status_code == 200 else "?"
        except Exception:
            res["version"] = "?"
        phases(Bench(label, server, client, db_uri, workdir, res, args))
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
        close_workdir(label, workdir, t_all, args, res)
    return res


def close_workdir(label: str, workdir: Path, started: float, args, res: dict) -> None:
    """After a server stopped: its total wall time into `res`, and its directory removed unless --keep."""
    res["wall_s"] = time.perf_counter() - started
    log(f"{label}: stopped; {res['wall_s']:.0f} s in all")
    if args.keep:
        log(f"{label}: kept {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


def measure_side(results: dict, label: str, run) -> bool:
    """results[label] = run(); a server that could not be measured is a failed check and gets {"fatal": why}, and the
    others are still measured. Ctrl-C is not caught. True if it was measured."""
    try:
        results[label] = run()
        return True
    except KeyboardInterrupt:
        raise
    except Exception as e:
        fail(f"{label}: {e}")
        results.setdefault(label, {})["fatal"] = str(e)
        return False


def run_servers(args, prefix: str, phases, settle_field: bool = False) -> dict | None:
    """bench_server for Kaizen, then for MLflow unless --skip-mlflow: results by label, where a server
    that could not be measured has {"fatal": why}. None if interrupted (the servers are stopped)."""

    def kaizen_argv(port, db_uri, art):
        return [args.kaizen_bin, "server", "--host", HOST, "--port", str(port),
                "--backend-store-uri", db_uri, "--artifacts-destination", art]

    def mlflow_argv(port, db_uri, art):
        argv = [args.mlflow_bin, "server", "--host", HOST, "--port", str(port),
                "--backend-store-uri", db_uri, "--artifacts-destination", art]
        if args.mlflow_workers:
            argv += ["--workers", str(args.mlflow_workers)]
        return argv

    results: dict = {}
    try:
        for label, argv_fn, db in (("Kaizen", kaizen_argv, "kaizen.db"), ("MLflow", mlflow_argv, "mlflow.db")):
            if label == "MLflow" and args.skip_mlflow:
                continue
            extra_env = {}
            if label == "MLflow" and args.mlflow_no_jobs:
                extra_env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
            measure_side(results, label, lambda: bench_server(label, argv_fn, db, extra_env, args, prefix, phases,
                                                              settle_field))
    except KeyboardInterrupt:
        log("interrupted; servers stopped")
        return None
    return results


# --------------------------------------------------------------------------- report


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


def print_header(args, load: str) -> dict:
    """Print the machine, the versions and the load line; warn if the machine is busy. The machine's details."""
    info = machine_info()
    if not args.skip_mlflow:
        from importlib.metadata import version

        info["mlflow"] = version("mlflow")
    print(f"machine: {info['nproc']} CPUs ({info.get('cpu', '?')}), {info.get('mem_gib', '?')} GiB, Linux {info['kernel']}")
    print(f"versions: Kaizen {info['kaizen_commit']} ({args.kaizen_bin}), mlflow {info.get('mlflow', '-')}, "
          f"python {info['python']}, sqlite {info['sqlite']}, {info['wrk']}")
    print(load, flush=True)
    busy = cpu_busy()
    info["cpu_busy_at_start"] = round(busy, 2)
    if busy > 0.2:
        print(f"warning: the machine is not idle ({busy:.0%} of its CPU time is busy with other work);"
              " the figures may be noisy", flush=True)
    return info


def ratio(key: str, higher: bool | None, m: dict, k: dict):
    if higher is None or key not in m or key not in k:
        return None
    a, b = (k[key], m[key]) if higher else (m[key], k[key])
    if not b:
        return None
    return a / b


def print_comparison(results: dict, rows: list, w: int, unit_w: int, col_w: int,
                     names: tuple[str, str] = ("MLflow", "Kaizen"), extra: tuple = ()) -> dict:
    """The servers' versions, then a row per (key, label, unit, higher_is_better, format) with both figures
    and their ratio; the ratios by key. names: the keys in results of MLflow's and Kaizen's figures (and the
    columns' headers); extra: more columns, each (header, width, cell) where cell(row) gives the row's text."""
    m, k = results.get(names[0], {}), results.get(names[1], {})
    ratios = {}
    print("GET /version: " + ", ".join(f"{name} {side.get('version', '?')}" for name, side in results.items()))
    print(f"{'':{w}} {'unit':>{unit_w}} {names[0]:>{col_w}} {names[1]:>{col_w}} {'ratio':>8}"
          + "".join(f" {header:>{width}}" for header, width, _ in extra))
    for row in rows:
        key, label, unit, higher, fmt = row
        cells = [fmt(side[key]) if key in side else "-" for side in (m, k)]
        r = ratio(key, higher, m, k)
        if r is not None:
            ratios[key] = r
        print(f"{label:{w}} {unit:>{unit_w}} {cells[0]:>{col_w}} {cells[1]:>{col_w}} "
              f"{(f'{r:.2f}x' if r is not None else ''):>8}" + "".join(f" {cell(row):>{width}}" for _, width, cell in extra))
    print("ratio: Kaizen/MLflow for throughput, MLflow/Kaizen for times and memory: >1 means Kaizen is better.")
    return ratios


def finish(args, t0: float, results: dict, out: dict) -> int:
    """Print the total time, the noise warnings and the failed checks; write out (with the failed checks and
    noise warnings added) to --json. The exit status: 1 if a check failed."""
    total = time.perf_counter() - t0
    print(f"total time {total:.0f} s" + "".join(f"; {k} {v.get('wall_s', 0):.0f} s" for k, v in results.items()))
    for n in NOISE:
        print(f"warning: {n}; the figures may be noisy")
    if CHECKS:
        print("\nFAILED CHECKS:")
        for c in CHECKS:
            print("  - " + c)
    if args.json:
        out = dict(out, failed_checks=CHECKS, noise_warnings=NOISE)
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 1 if CHECKS else 0
