"""Seeds a Kaizen (or MLflow) tracking server with the data the web UI tests and benchmark read, through the
REST API: an experiment of many runs with metrics, params and tags, and one run with a long metric history."""

from __future__ import annotations

import math
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

_local = threading.local()


def _session() -> requests.Session:
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session


def post(url: str, path: str, body: dict) -> dict:
    r = _session().post(f"{url}/api/2.0/mlflow/{path}", json=body, timeout=60)
    r.raise_for_status()
    return r.json()


def big_experiment(url: str, name: str, runs: int = 10_000, metrics: int = 20, params: int = 20, tags: int = 10,
                   workers: int = 4, seed: int = 7) -> tuple[str, list[str]]:
    """An experiment of `runs` runs, each with `metrics` metrics (one value), `params` params and `tags` tags.
    Values are deterministic per run index, so tests can predict orders and filters."""
    experiment_id = post(url, "experiments/create", {"name": name})["experiment_id"]
    start = int(time.time() * 1000) - runs * 1000

    def one(i: int) -> str:
        rng = random.Random(seed * 1_000_003 + i)
        run_id = post(url, "runs/create", {"experiment_id": experiment_id, "run_name": f"run-{i:05d}",
                                           "start_time": start + i * 1000})["run"]["info"]["run_id"]
        batch = {
            "run_id": run_id,
            "metrics": [{"key": f"m{k:02d}", "value": round(rng.random() * (k + 1), 6), "timestamp": start + i * 1000,
                         "step": 0} for k in range(metrics)],
            "params": [{"key": f"p{k:02d}", "value": str(rng.randint(0, 9) if k else i % 7)} for k in range(params)],
            "tags": [{"key": f"t{k:02d}", "value": ["red", "green", "blue"][(i + k) % 3]} for k in range(tags)],
        }
        post(url, "runs/log-batch", batch)
        return run_id

    with ThreadPoolExecutor(workers) as pool:
        ids = list(pool.map(one, range(runs)))
    return experiment_id, ids


def long_run(url: str, experiment_id: str, steps: int = 1_000_000, spike_step: int = 777_777, key: str = "loss",
             batch: int = 1000, workers: int = 4) -> str:
    """A run whose metric `key` has one value per step, smooth but for one spike of 1000 at `spike_step`."""
    run_id = post(url, "runs/create", {"experiment_id": experiment_id, "run_name": "long-run"})["run"]["info"]["run_id"]
    now = int(time.time() * 1000)

    def chunk(first: int) -> None:
        values = []
        for step in range(first, min(first + batch, steps)):
            value = 1000.0 if step == spike_step else 1.0 / (1.0 + step / 10_000) + 0.01 * math.sin(step / 50)
            values.append({"key": key, "value": value, "timestamp": now + step, "step": step})
        post(url, "runs/log-batch", {"run_id": run_id, "metrics": values})

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(chunk, range(0, steps, batch)))
    return run_id
