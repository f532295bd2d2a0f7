#!/usr/bin/env python3
"""Benchmark the cost of serving through a deployment endpoint: `kaizen models serve --endpoint` against
`kaizen models serve -m` on the same model, in the same run.

The model is bench/serving.py's (RandomForestClassifier, 100 trees of depth 10, breast cancer data, skl2onnx), logged
twice with the real mlflow client to a Kaizen control plane (`kaizen server`) and registered as versions 1 and 2
(seeds 0 and 1). Three servers run side by side on free 127.0.0.1 ports and are loaded in turn, `--rounds` times, with
wrk (warm-up, then `--seconds` at 8 connections) on one-row and 100-row /invocations bodies; medians are reported:

  1. `-m models:/NAME/1`: one model, the baseline
  2. `--endpoint NAME` with version 1 at 100%: routing, reports to the control plane, the plan's follow-up polls
  3. a second endpoint at 50/50 over versions 1 and 2

The issue's goal: an endpoint of one version gives the same figures as `-m` serving, and a 50/50 split costs under 5%
of throughput. Reported, never asserted; exit status 1 only if a check failed (a non-2xx answer, a server that
would not start). Run: `make release && .venv/bin/python bench/endpoint.py`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]
from common import (  # noqa: E402
    HOST, REPO, WRK_INVOCATIONS, fail, finish, free_port, log, lua_long_string, run_wrk, spawn_server, stop_server,
)

import requests  # noqa: E402

PAYLOADS = {"1 row": (1, 64), "100 rows": (100, 16)}
GOAL_OVERHEAD = 0.05


def start(command: list[str], env: dict, workdir: Path, port: int, path: str = "/ping") -> subprocess.Popen:
    return spawn_server(command, env, workdir, port, path, timeout=120, poll=0.1)[0]


def log_models(tracking: str, name: str) -> dict[str, list[str]]:
    """Logs versions 1 and 2; returns the request bodies of each payload kind."""
    import mlflow
    import mlflow.onnx
    import skl2onnx
    from mlflow.models import infer_signature
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.datasets import load_breast_cancer
    from sklearn.ensemble import RandomForestClassifier

    mlflow.set_tracking_uri(tracking)
    data = load_breast_cancer(as_frame=True)
    X, y = data.data, data.target
    for seed in (0, 1):
        rf = RandomForestClassifier(n_estimators=100, max_depth=10, random_state=seed, n_jobs=1).fit(X.values, y.values)
        onx = skl2onnx.to_onnx(rf, initial_types=[("X", FloatTensorType([None, X.shape[1]]))])
        with mlflow.start_run():
            mlflow.onnx.log_model(onx, name="model", signature=infer_signature(X.astype("float32")),
                                  registered_model_name=name)
    columns = [str(c) for c in X.columns]
    bodies = {}
    for kind, (n, count) in PAYLOADS.items():
        bodies[kind] = [json.dumps({"dataframe_split": {"columns": columns, "data": X.values[
            [(b * n + j) % len(X) for j in range(n)]].tolist()}}) for b in range(count)]
    return bodies


def measure(label: str, url: str, bodies: dict, args, workdir: Path) -> dict:
    results = {}
    label_file = label.replace(" ", "-").replace("/", "-")
    for kind, items in bodies.items():
        script = WRK_INVOCATIONS.replace("__BODIES__", ",\n".join(lua_long_string(b) for b in items))
        run_wrk(script, url, 2, 8, args.warmup, workdir, f"{label_file}-{kind.replace(' ', '')}-warmup")
        result = run_wrk(script, url, 2, 8, args.seconds, workdir, f"{label_file}-{kind.replace(' ', '')}")
        if result["err_status"] or result["socket_errors"]:
            fail(f"{label}, {kind}: {result['err_status']} non-2xx, {result['socket_errors']} socket errors")
        results[kind] = {"rps": result["ok_requests"] / result["duration_s"], "p99_ms": result["lat_p99_us"] / 1000}
        log(f"{label}, {kind}: {results[kind]['rps']:.0f} req/s, p99 {results[kind]['p99_ms']:.2f} ms")
    return results


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kaizen-bin", default=os.environ.get("KAIZEN_BIN", str(REPO / ".build/release/kaizen")))
    parser.add_argument("--seconds", type=int, default=5, help="wrk run per payload, server and round")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5, help="rounds over the three servers; medians are reported")
    parser.add_argument("--json", metavar="OUT")
    args = parser.parse_args()
    t0 = time.perf_counter()
    if shutil.which("wrk") is None or not os.access(args.kaizen_bin, os.X_OK):
        print("error: needs wrk (make bench-tools) and a Kaizen binary (make release)", file=sys.stderr)
        return 2
    root = Path(tempfile.mkdtemp(prefix="kaizen-bench-endpoint-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    server = None
    results: dict = {}
    try:
        port = free_port()
        tracking = f"http://{HOST}:{port}"
        server = start([args.kaizen_bin, "server", "--host", HOST, "--port", str(port)], env, root / "server", port,
                       "/health")
        env["MLFLOW_TRACKING_URI"] = tracking
        name = "bench-endpoint"
        bodies = log_models(tracking, name)
        api = f"{tracking}/api/2.0/kaizen/endpoints"
        created = requests.post(f"{api}/create", json={"name": name, "model_name": name,
                                                       "traffic": [{"version": "1", "weight": 100}]}, timeout=30)
        assert created.status_code == 200, created.text
        # All three servers run at once (an idle server costs nothing but a poll a second) and are loaded in turn,
        # round after round: the machine's drift then weighs on each alike, and the median of the rounds is kept.
        configurations = [
            ("-m", ["-m", f"models:/{name}/1"]),
            ("endpoint 1 version", ["--endpoint", name, "--poll-interval", "1", "--no-inference-log"]),
        ]
        servers = {}
        for label, extra in configurations:
            serve_port = free_port()
            servers[label] = (start([args.kaizen_bin, "models", "serve", *extra, "--host", HOST, "--port",
                                     str(serve_port), "--no-access-log"], env,
                                    root / label.replace(" ", "-").replace("/", "-"), serve_port), serve_port)
        # The split endpoint: a second endpoint at 50/50, served by a third server.
        created = requests.post(f"{api}/create", json={
            "name": f"{name}-split", "model_name": name,
            "traffic": [{"version": "1", "weight": 50}, {"version": "2", "weight": 50}]}, timeout=30)
        assert created.status_code == 200, created.text
        serve_port = free_port()
        servers["endpoint 50/50"] = (start([args.kaizen_bin, "models", "serve", "--endpoint", f"{name}-split",
                                            "--poll-interval", "1", "--no-inference-log", "--host", HOST,
                                            "--port", str(serve_port),
                                            "--no-access-log"], env, root / "endpoint-split", serve_port), serve_port)
        try:
            rounds: dict = {label: {kind: [] for kind in PAYLOADS} for label in servers}
            for round_index in range(args.rounds):
                for label, (_, serve_port) in servers.items():
                    figures = measure(f"{label} round {round_index + 1}", f"http://{HOST}:{serve_port}/invocations",
                                      bodies, args, root)
                    for kind, cell in figures.items():
                        rounds[label][kind].append(cell)
            for label, kinds in rounds.items():
                results[label] = {}
                for kind, cells in kinds.items():
                    rps = sorted(cell["rps"] for cell in cells)
                    p99 = sorted(cell["p99_ms"] for cell in cells)
                    results[label][kind] = {"rps": rps[len(rps) // 2], "p99_ms": p99[len(p99) // 2],
                                            "rounds_rps": [round(cell["rps"]) for cell in cells]}
        finally:
            for process, _ in servers.values():
                stop_server(process)
    except Exception as error:  # noqa: BLE001 (report what failed, then the summary)
        fail(f"{type(error).__name__}: {error}")
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(root, ignore_errors=True)

    print(f"\nkaizen models serve: -m against --endpoint, 8 connections, medians of {args.rounds} rounds of "
          f"{args.seconds} s ({args.kaizen_bin})")
    base = results.get("-m", {})
    for kind in PAYLOADS:
        print(f"\n  {kind}")
        for label, figures in results.items():
            cell = figures.get(kind)
            if not cell:
                continue
            ratio = cell["rps"] / base[kind]["rps"] if kind in base else float("nan")
            note = "" if label == "-m" else (
                f"  {ratio:.3f}x of -m: " + ("met" if ratio >= 1 - GOAL_OVERHEAD else "MISSED") + " (goal >= 0.95)")
            print(f"    {label:<20} {cell['rps']:>9.0f} req/s   p99 {cell['p99_ms']:6.2f} ms{note}")
            print(f"    {'':<20} rounds: {cell['rounds_rps']}")
    return finish(args, t0, {}, results)


if __name__ == "__main__":
    sys.exit(main())
