#!/usr/bin/env python3
"""Benchmark Kaizen's web UI against MLflow's, on the same data, in one headless Chromium.

One run starts each server in turn (bench/common.py) on a fresh temporary directory, seeds it with the same data,
loads its pages in Debian's Chromium (selenium), and prints both figures and the ratio (">1" means Kaizen is better):

  1. an experiment of N (10,000) runs, each with 20 metrics, 20 params and 10 tags: the runs page until its first
     rows are shown (Kaizen: its ready signal and the run count; MLflow: the newest run's name in the page), median of 3
  2. a run whose metric has 1,000,000 steps and one spike: the data each UI asks for to draw the chart (Kaizen:
     GET kaizen/metrics/series, 1,000 min/max/last buckets; MLflow: GET mlflow/metrics/get-history-bulk-interval, the
     320 sampled points its charts request), time (median of 3), bytes, and whether the spike is in it
  3. the same run's chart page until the chart is drawn (Kaizen: the chart's drawn mark; MLflow: a plot in the page)
  4. the weight of the script and styles the runs page loaded, gzipped (MLflow's counted from what it served)

Kaizen is seeded through its REST API, MLflow in-process through its own SqlAlchemyStore tables (through its REST
API this takes many minutes). Run with the project's venv: `.venv/bin/python bench/ui.py --help`.
"""

from __future__ import annotations

import gzip
import json
import math
import random
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    TS0, add_mlflow_args, add_output_args, add_server_args, finish, log, new_parser, preflight, print_comparison,
    print_header, run_servers,
)
from tracking import seed_mlflow_sql, seed_rest  # noqa: E402

SPIKE_STEP = 777_777
SPIKE = 1000.0


def ui_runs(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    return [{
        "name": f"run-{i:05d}", "start_time": TS0 + i,
        "tags": [(f"t{k:02d}", rng.choice(["red", "green", "blue"])) for k in range(10)],
        "params": [(f"p{k:02d}", str(rng.randint(0, 9))) for k in range(20)],
        "metrics": [(f"m{k:02d}", rng.random() * (k + 1)) for k in range(20)],
    } for i in range(n)]


def long_values(steps: int):
    for step in range(steps):
        yield step, SPIKE if step == SPIKE_STEP else 1.0 / (1.0 + step / 10_000) + 0.01 * math.sin(step / 50)


def seed_long_rest(client, exp: str, steps: int, threads: int) -> str:
    run_id = client.create_run(exp, "long-run")
    values = list(long_values(steps))

    def chunk(first: int) -> None:
        client.post("/runs/log-batch", {"run_id": run_id, "metrics": [
            {"key": "loss", "value": v, "timestamp": TS0 + s, "step": s} for s, v in values[first:first + 1000]]})

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(chunk, range(0, steps, 1000)))
    return run_id


def seed_long_mlflow(db_uri: str, exp: str, steps: int) -> str:
    """The long run in MLflow's own tables, in bulk (the rows its log_batch writes)."""
    from mlflow.entities import LifecycleStage, RunStatus, SourceType
    from mlflow.store.tracking.dbmodels.models import SqlLatestMetric, SqlMetric, SqlRun, SqlTag
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
    from mlflow.utils.mlflow_tags import MLFLOW_RUN_NAME

    store = SqlAlchemyStore(db_uri, "mlflow-artifacts:/")
    experiment = store.get_experiment(exp)
    run_id = uuid.uuid4().hex
    with store.ManagedSessionMaker(read_only=False) as session:
        run = SqlRun(name="long-run", artifact_uri=f"{experiment.artifact_location}/{run_id}/artifacts", run_uuid=run_id,
                     experiment_id=exp, source_type=SourceType.to_string(SourceType.UNKNOWN), source_name="",
                     entry_point_name="", user_id="bench", status=RunStatus.to_string(RunStatus.RUNNING), start_time=TS0,
                     end_time=None, deleted_time=None, source_version="", lifecycle_stage=LifecycleStage.ACTIVE)
        run.tags = [SqlTag(key=MLFLOW_RUN_NAME, value="long-run")]
        session.add(run)
    with store.ManagedSessionMaker(read_only=False) as session:
        session.bulk_insert_mappings(SqlMetric, [
            {"run_uuid": run_id, "key": "loss", "value": v, "timestamp": TS0 + s, "step": s, "is_nan": False}
            for s, v in long_values(steps)])
        last = steps - 1
        session.add(SqlLatestMetric(run_uuid=run_id, key="loss", value=dict(long_values(steps))[last] if steps < 10 else
                                    1.0 / (1.0 + last / 10_000) + 0.01 * math.sin(last / 50), timestamp=TS0 + last,
                                    step=last, is_nan=False))
    store.engine.dispose()
    return run_id


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
                "--disable-extensions", "--no-first-run", "--disable-background-networking"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait(driver, script: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if driver.execute_script(script):
                return
        except Exception:
            pass
        time.sleep(0.01)
    raise TimeoutError(f"not within {timeout} s: {script}")


def page_time(driver, url: str, ready: str, timeout: float = 120) -> float:
    driver.get("about:blank")
    started = time.perf_counter()
    driver.get(url)
    wait(driver, ready, timeout)
    return time.perf_counter() - started


def median3(fn) -> float:
    return statistics.median(fn() for _ in range(3))


def phases(b, runs: list[dict], args) -> None:
    client, kaizen = b.client, b.label == "Kaizen"
    state: dict = {}

    def seed():
        exp = client.create_experiment("ui-runs")
        long_exp = client.create_experiment("ui-long")
        t0 = time.perf_counter()
        if kaizen:
            seed_rest(client, exp, runs, args.seed_threads)
            long_id = seed_long_rest(client, long_exp, args.steps, args.seed_threads)
        else:
            seed_mlflow_sql(b.db_uri, exp, runs)
            long_id = seed_long_mlflow(b.db_uri, long_exp, args.steps)
        state.update(exp=exp, long_exp=long_exp, long=long_id)
        return {"seed_s": time.perf_counter() - t0}

    def pages():
        driver = browser()
        base = client.base
        newest = runs[-1]["name"]
        out = {}
        try:
            if kaizen:
                ready = ("return document.body.dataset.ready === '1' && "
                         "document.getElementById('run-count').textContent.length > 0 && "
                         f"document.body.innerText.includes('{newest}')")
            else:
                ready = f"return document.body.innerText.includes('{newest}')"
            # MLflow's own address of an experiment's runs table (its `#/experiments/<id>` is a GenAI overview).
            out["runs_page_s"] = median3(lambda: page_time(driver, f"{base}/#/experiments/{state['exp']}/runs", ready))
            resources = driver.execute_script(
                "return performance.getEntriesByType('resource').filter(e => /\\.(js|css)(\\?|$)/.test(new URL(e.name).pathname))"
                ".map(e => e.name)")
            size = 0
            for url in set(resources):
                body = requests.get(url, timeout=60).content
                size += len(gzip.compress(body, 9))
            out["ui_gzip_kib"] = size / 1024
            out["ui_files"] = len(set(resources))
            # The data each UI asks for to draw the long run's chart.
            if kaizen:
                url = f"{base}/ajax-api/2.0/kaizen/metrics/series"
                params = {"run_id": state["long"], "metric_key": "loss"}
            else:
                url = f"{base}/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval"
                params = {"run_ids": state["long"], "metric_key": "loss", "max_results": 320}
            times, body = [], b""
            for _ in range(3):
                started = time.perf_counter()
                response = requests.get(url, params=params, timeout=120)
                response.raise_for_status()
                times.append(time.perf_counter() - started)
                body = response.content
            out["chart_data_s"] = statistics.median(times)
            out["chart_data_kib"] = len(body) / 1024
            data = json.loads(body)
            if kaizen:
                values = [bucket[3] for bucket in data.get("buckets", [])] + [p[2] for p in data.get("points", [])]
            else:
                values = [m["value"] for m in data.get("metrics", [])]
            out["chart_points"] = len(values)
            out["spike_kept"] = SPIKE in values
            if kaizen:
                chart = f"{base}/#/experiments/{state['long_exp']}/runs/{state['long']}/charts"
                drawn = "const c = document.querySelector('.card[data-metric=\"loss\"]'); return c && c.dataset.drawn === '1'"
            else:
                chart = f"{base}/#/experiments/{state['long_exp']}/runs/{state['long']}/model-metrics"
                drawn = ("return document.querySelectorAll('.js-plotly-plot .scatterlayer .trace').length > 0 && "
                         "performance.getEntriesByType('resource').some(e => e.name.includes('get-history'))")
            try:
                out["chart_page_s"] = median3(lambda: page_time(driver, chart, drawn, 180))
            except TimeoutError as e:
                out["chart_page_error"] = str(e)
        finally:
            driver.quit()
        return out

    if b.phase("seed", seed):
        b.phase("pages", pages)


ROWS = [
    ("runs_page_s", "runs page of N runs until rows show", "s", False, lambda v: f"{v:.2f}"),
    ("chart_data_s", "chart data of a 1,000,000-step metric", "s", False, lambda v: f"{v:.3f}"),
    ("chart_data_kib", "  its size", "KiB", False, lambda v: f"{v:.0f}"),
    ("chart_points", "  points or buckets", "", None, lambda v: f"{v:d}"),
    ("spike_kept", "  one-step spike in it", "", None, lambda v: "yes" if v else "no"),
    ("chart_page_s", "chart page until the chart is drawn", "s", False, lambda v: f"{v:.2f}"),
    ("ui_gzip_kib", "script and styles loaded, gzipped", "KiB", False, lambda v: f"{v:.0f}"),
    ("ui_files", "  files", "", None, lambda v: f"{v:d}"),
]


def main() -> int:
    p = new_parser(__doc__)
    p.add_argument("--runs", type=int, default=10_000, help="runs in the experiment (default 10000)")
    p.add_argument("--steps", type=int, default=1_000_000, help="steps of the long run's metric (default 1000000)")
    add_mlflow_args(p, "start MLflow with MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false")
    add_output_args(p)
    p.add_argument("--seed", type=int, default=42, help="random seed of the seeded runs (default 42)")
    add_server_args(p, "threads seeding Kaizen over REST (default 8)")
    args = p.parse_args()
    if preflight(args):
        return 2
    info = print_header(args, f"{args.runs} runs x (20 metrics, 20 params, 10 tags); one metric of {args.steps} steps")
    runs = ui_runs(args.runs, args.seed)
    t0 = time.perf_counter()
    results = run_servers(args, "kaizen-ui-bench-", lambda b: phases(b, runs, args))
    if results is None:
        return 130
    ratios = print_comparison(results, ROWS, 44, 5, 10)
    return finish(args, t0, results, {"machine": info, "config": {"runs": args.runs, "steps": args.steps},
                                      "results": results, "ratios": ratios})


if __name__ == "__main__":
    sys.exit(main())
