"""Helpers for the model-serving tests (`test_serving.py`).

Scoring servers are started the way conftest starts tracking servers: on a free port
on 127.0.0.1, in their own session (process group) with PR_SET_PDEATHSIG, registered
in conftest's `_LIVE_PROCESSES` so an interrupted run still stops them, and stopped by
process group. Two kinds:

* `kaizen models serve -m URI ...` (`start_kaizen_serve`);
* the reference `mlflow models serve -m FOLDER --env-manager local` (`start_mlflow_serve`),
  which execs `uvicorn`, so the virtualenv's bin folder goes first on PATH.

Also here: comparison of prediction JSON with tolerances, and a parser for the
Prometheus text format.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from conftest import (
    HOST,
    KAIZEN_BIN,
    _LIVE_PROCESSES,
    _die_with_pytest,
    _free_port,
    _mlflow_executable,
    _stop_process,
)

KAIZEN_SERVE_TIMEOUT_S = float(os.environ.get("INTEROP_SERVE_TIMEOUT", "60"))
# `mlflow models serve` needs ~5 s on an idle machine, far more when several start at once.
MLFLOW_SERVE_TIMEOUT_S = float(os.environ.get("INTEROP_MLFLOW_SERVE_TIMEOUT", "120"))


@dataclass
class ScoringServer:
    """A running scoring server (Kaizen's or MLflow's)."""

    kind: str  # "kaizen" | "mlflow"
    url: str
    port: int
    proc: subprocess.Popen = field(repr=False)
    stdout_path: Path
    stderr_path: Path
    cmd: list[str] = field(default_factory=list)

    def stderr(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""

    def stdout(self) -> str:
        try:
            return self.stdout_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, n: int = 40) -> str:
        out = self.stdout().splitlines()[-n:]
        err = self.stderr().splitlines()[-n:]
        return (
            f"---- {self.kind} scoring server: {' '.join(self.cmd)}\n"
            "---- stdout (tail) ----\n" + "\n".join(out) + "\n---- stderr (tail) ----\n" + "\n".join(err)
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def assert_alive(self) -> None:
        assert self.alive(), f"scoring server exited with {self.proc.returncode}\n{self.log_tail()}"
        try:
            r = requests.get(f"{self.url}/ping", timeout=10)
        except requests.RequestException as exc:  # pragma: no cover - diagnostic path
            raise AssertionError(f"scoring server no longer answers /ping: {exc!r}\n{self.log_tail()}") from exc
        assert r.status_code == 200, f"/ping answered {r.status_code}: {r.text!r}"

    def stop(self) -> None:
        stop_scoring_server(self)


def stop_scoring_server(srv: ScoringServer | None) -> None:
    if srv is None:
        return
    _stop_process(srv.proc)
    if srv.proc in _LIVE_PROCESSES:
        _LIVE_PROCESSES.remove(srv.proc)


def _spawn(kind: str, cmd: list[str], env: dict[str, str], workdir: Path, port: int) -> ScoringServer:
    workdir.mkdir(parents=True, exist_ok=True)
    stdout_path = workdir / f"{kind}-serve-{port}.stdout"
    stderr_path = workdir / f"{kind}-serve-{port}.stderr"
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        proc = subprocess.Popen(
            cmd,
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
            preexec_fn=_die_with_pytest if sys.platform.startswith("linux") else None,
        )
    _LIVE_PROCESSES.append(proc)
    return ScoringServer(kind, f"http://{HOST}:{port}", port, proc, stdout_path, stderr_path, cmd)


def wait_until_ready(srv: ScoringServer, timeout: float) -> ScoringServer:
    """Poll GET /ping until it answers 200; fail (and stop the process) on exit or timeout."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        if srv.proc.poll() is not None:
            code = srv.proc.returncode
            stop_scoring_server(srv)
            raise AssertionError(f"{srv.kind} scoring server exited during startup with code {code}\n{srv.log_tail()}")
        try:
            r = requests.get(f"{srv.url}/ping", timeout=2)
            if r.status_code == 200:
                return srv
            last = f"HTTP {r.status_code}"
        except requests.RequestException as exc:
            last = exc
        time.sleep(0.1)
    stop_scoring_server(srv)
    raise AssertionError(
        f"{srv.kind} scoring server not ready within {timeout:.0f}s (last: {last!r})\n{srv.log_tail()}"
    )


def kaizen_env(tracking_uri: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    if tracking_uri:
        env["MLFLOW_TRACKING_URI"] = tracking_uri
    env.setdefault("NO_COLOR", "1")
    return env


def kaizen_serve_command(uri: str, port: int, *extra: str) -> list[str]:
    return [str(KAIZEN_BIN), "models", "serve", "-m", uri, "--host", HOST, "--port", str(port), *extra]


def start_kaizen_serve(
    uri: str,
    workdir: Path,
    *extra: str,
    tracking_uri: str | None = None,
    wait: bool = True,
    timeout: float = KAIZEN_SERVE_TIMEOUT_S,
) -> ScoringServer:
    """`kaizen models serve -m URI --host 127.0.0.1 --port P [extra...]`, MLFLOW_TRACKING_URI=tracking_uri."""
    port = _free_port()
    srv = _spawn("kaizen", kaizen_serve_command(uri, port, *extra), kaizen_env(tracking_uri), workdir, port)
    return wait_until_ready(srv, timeout) if wait else srv


def mlflow_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    # `mlflow models serve` runs `bash -c "exec uvicorn ..."`: uvicorn must be on PATH.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def start_mlflow_serve(model_dir: Path, workdir: Path, *, wait: bool = True) -> ScoringServer:
    """The reference scoring server on a local model folder, in this virtualenv (`--env-manager local`)."""
    port = _free_port()
    cmd = [
        *_mlflow_executable(), "models", "serve", "-m", str(model_dir),
        "--env-manager", "local", "-h", HOST, "-p", str(port), "-w", "1",
    ]
    srv = _spawn("mlflow", cmd, mlflow_env(), workdir, port)
    return wait_until_ready(srv, MLFLOW_SERVE_TIMEOUT_S) if wait else srv


# --------------------------------------------------------------------------------------
# Comparing JSON
# --------------------------------------------------------------------------------------


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def json_diff(expected, actual, *, rtol: float = 1e-6, atol: float = 1e-6, path: str = "$") -> str | None:
    """None when `actual` equals `expected` (numbers within tolerance, int stays int); else where they differ.

    Floats compare with |a - e| <= atol + rtol * |e| (NaN equals NaN). An integer in `expected`
    (a class label) must be an integer in `actual`, with the same value. Object key order is ignored.
    """
    if isinstance(expected, bool) or isinstance(actual, bool):
        return None if expected is actual else f"{path}: expected {expected!r}, got {actual!r}"
    if _is_int(expected):
        if not _is_int(actual):
            return f"{path}: expected the integer {expected!r}, got {actual!r}"
        return None if expected == actual else f"{path}: expected {expected!r}, got {actual!r}"
    if isinstance(expected, float):
        if not (isinstance(actual, float) or _is_int(actual)):
            return f"{path}: expected a number {expected!r}, got {actual!r}"
        a, e = float(actual), expected
        if math.isnan(e) or math.isnan(a):
            return None if math.isnan(e) and math.isnan(a) else f"{path}: expected {e!r}, got {a!r}"
        if math.isinf(e) or math.isinf(a):
            return None if e == a else f"{path}: expected {e!r}, got {a!r}"
        return None if abs(a - e) <= atol + rtol * abs(e) else f"{path}: expected {e!r}, got {a!r}"
    if isinstance(expected, str) or expected is None:
        return None if expected == actual else f"{path}: expected {expected!r}, got {actual!r}"
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return f"{path}: expected a list, got {type(actual).__name__} {str(actual)[:200]}"
        if len(expected) != len(actual):
            return f"{path}: expected {len(expected)} items, got {len(actual)}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            d = json_diff(e, a, rtol=rtol, atol=atol, path=f"{path}[{i}]")
            if d:
                return d
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{path}: expected an object, got {type(actual).__name__} {str(actual)[:200]}"
        if set(expected) != set(actual):
            return f"{path}: expected keys {sorted(expected)}, got {sorted(actual)}"
        for k in expected:
            d = json_diff(expected[k], actual[k], rtol=rtol, atol=atol, path=f"{path}.{k}")
            if d:
                return d
        return None
    return f"{path}: cannot compare {expected!r}"


# --------------------------------------------------------------------------------------
# Prometheus text format
# --------------------------------------------------------------------------------------

_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_prometheus(text: str) -> tuple[dict[str, str], list[tuple[str, dict[str, str], float]]]:
    """(TYPE by metric name, samples as (name, labels, value)). Asserts every sample line parses."""
    types: dict[str, str] = {}
    samples: list[tuple[str, dict[str, str], float]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            parts = line.split()
            if len(parts) >= 4 and parts[1] == "TYPE":
                types[parts[2]] = parts[3]
            continue
        m = _SAMPLE.match(line)
        assert m, f"not a Prometheus sample line: {line!r}"
        labels = dict(_LABEL.findall(m.group(3) or ""))
        samples.append((m.group(1), labels, float(m.group(4))))
    return types, samples


def metric_sum(samples, name: str, **labels: str) -> float:
    """Sum of the samples called `name` whose labels include `labels`."""
    return sum(
        value for n, lab, value in samples if n == name and all(lab.get(k) == v for k, v in labels.items())
    )
