"""A 200 means committed: a server killed with SIGKILL mid-load loses no acknowledged write.

With INTEROP_TOPOLOGY=replicas the server is nginx in front of replicas on PostgreSQL: one replica is killed mid-load,
only the requests open on it fail, the load goes on through the others, and no acknowledged write is lost.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time

import pytest
import requests

from conftest import _LIVE_PROCESSES, _start_server, _stop_process, stop_server

pytestmark = pytest.mark.kaizen_only


def _post(url: str, path: str, body: dict) -> requests.Response:
    return requests.post(f"{url}/api/2.0/mlflow/{path}", json=body, timeout=10)


def test_sigkill_under_load_loses_no_acknowledged_write(tmp_path):
    root = tmp_path / "durable"
    root.mkdir()
    server = _start_server(root)
    # One process alone: the server itself. Behind nginx: one of the replicas, while the others carry on.
    victim = server.replicas[0].proc if server.replicas else server.proc
    killed_at = [0.0]
    try:
        run_id = _post(server.url, "runs/create", {"experiment_id": "0", "start_time": 1}).json()["run"]["info"]["run_id"]
        acknowledged: list[set[int]] = [set() for _ in range(8)]
        after_kill = [0] * 8
        failures = [0] * 8
        stop = threading.Event()

        def writer(worker: int) -> None:
            session = requests.Session()
            step = 0
            while not stop.is_set():
                try:
                    resp = session.post(
                        f"{server.url}/api/2.0/mlflow/runs/log-metric",
                        json={"run_id": run_id, "key": f"w{worker}", "value": step, "timestamp": 1, "step": step},
                        timeout=5,
                    )
                except requests.RequestException:
                    if not server.replicas:
                        return  # the server is gone
                    failures[worker] += 1
                    session = requests.Session()
                    step += 1
                    continue
                if resp.status_code == 200:
                    acknowledged[worker].add(step)
                    if killed_at[0]:
                        after_kill[worker] += 1
                else:
                    failures[worker] += 1
                step += 1

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait(timeout=10)
        killed_at[0] = time.monotonic()
        if server.replicas:
            time.sleep(1.5)  # the load goes on through the other replicas
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    finally:
        if server.replicas:
            stop_server(server)
        else:
            _stop_process(server.proc)
            if server.proc in _LIVE_PROCESSES:
                _LIVE_PROCESSES.remove(server.proc)

    total = sum(len(steps) for steps in acknowledged)
    assert total > 50, f"too few writes were acknowledged before the kill ({total})"

    if server.replicas:
        # Only the requests in flight on the killed replica may fail: at most one per writer.
        assert sum(after_kill) > 50, f"the load stopped when one replica died ({after_kill})"
        assert sum(failures) <= len(failures), f"more requests failed than were open on the killed replica: {failures}"
    else:
        with sqlite3.connect(server.db_path) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    restarted = _start_server(root) if not server.replicas else _start_server(tmp_path / "restarted", reuse=server)
    try:
        for worker, steps in enumerate(acknowledged):
            resp = requests.get(
                f"{restarted.url}/api/2.0/mlflow/metrics/get-history",
                params={"run_id": run_id, "metric_key": f"w{worker}"},
                timeout=30,
            )
            assert resp.status_code == 200, resp.text
            stored = {int(m["step"]) for m in resp.json().get("metrics", [])}
            missing = steps - stored
            assert not missing, f"worker {worker}: acknowledged steps lost after SIGKILL: {sorted(missing)[:10]}"
        latest = requests.get(f"{restarted.url}/api/2.0/mlflow/runs/get", params={"run_id": run_id}, timeout=10).json()
        keys = {m["key"] for m in latest["run"]["data"].get("metrics", [])}
        assert keys >= {f"w{w}" for w, steps in enumerate(acknowledged) if steps}
    finally:
        stop_server(restarted)
