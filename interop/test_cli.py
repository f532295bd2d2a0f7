"""The `kaizen` command-line client against a running Kaizen server.

Data is created with the real mlflow client; the CLI (pointed at the server with
MLFLOW_TRACKING_URI) must show it in readable tables. These tests need the Kaizen
binary and are skipped when INTEROP_TARGET=mlflow.
"""

from __future__ import annotations

import re
import socket
import time

import pytest
from mlflow.entities import Metric, Param, RunTag

pytestmark = pytest.mark.kaizen_only


def _ok(result) -> str:
    assert result.returncode == 0, (
        f"exit {result.returncode}\n--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    )
    assert result.stdout.strip(), "command printed nothing"
    return result.stdout


def _has_id(out: str, run_id: str) -> bool:
    """Tables may shorten run ids; the first 8 characters must be shown at least."""
    return run_id in out or run_id[:8] in out


@pytest.fixture
def populated(client, unique):
    """An experiment with three finished runs carrying params, metrics and tags."""
    name = unique("cli-exp")
    exp_id = client.create_experiment(name, tags={"team": "cli"})
    runs = {}
    t0 = int(time.time() * 1000)
    for i, (run_name, rmse, model) in enumerate(
        [("cli-good", 0.25, "forest"), ("cli-medium", 0.5, "linear"), ("cli-bad", 1.5, "linear")]
    ):
        run = client.create_run(exp_id, run_name=run_name, start_time=t0 + i)
        rid = run.info.run_id
        client.log_batch(
            rid,
            metrics=[Metric("rmse", rmse, t0, 0), Metric("rmse", rmse / 2, t0 + 1, 1)],
            params=[Param("model", model), Param("depth", str(i + 3))],
            tags=[RunTag("owner", f"owner-{run_name}")],
        )
        client.set_terminated(rid, "FINISHED")
        runs[run_name] = rid
    return {"name": name, "exp_id": exp_id, "runs": runs}


def test_experiments_list(kaizen_cli, client, unique):
    names = [unique("cli-list-a"), unique("cli-list-b")]
    ids = [client.create_experiment(n) for n in names]
    out = _ok(kaizen_cli("experiments", "list"))
    for name, exp_id in zip(names, ids):
        assert name in out
        line = next(line for line in out.splitlines() if name in line)
        assert re.search(rf"(?<![0-9]){exp_id}(?![0-9])", line), f"id {exp_id} not on the line: {line!r}"
    assert "Default" in out


def test_runs_list(kaizen_cli, populated):
    out = _ok(kaizen_cli("runs", "list", "--experiment", populated["name"]))
    for run_name, run_id in populated["runs"].items():
        assert run_name in out, run_name
        assert _has_id(out, run_id), run_id
    assert "FINISHED" in out


def test_runs_list_with_filter(kaizen_cli, populated):
    out = _ok(kaizen_cli("runs", "list", "--experiment", populated["name"], "--filter", "params.model = 'linear'"))
    assert "cli-medium" in out and "cli-bad" in out
    assert "cli-good" not in out
    assert not _has_id(out, populated["runs"]["cli-good"])

    out = _ok(kaizen_cli("runs", "list", "--experiment", populated["name"], "--filter", "metrics.rmse < 0.3"))
    # Latest rmse values: good 0.125, medium 0.25, bad 0.75.
    assert "cli-good" in out and "cli-medium" in out
    assert "cli-bad" not in out


def test_runs_list_unknown_experiment_fails(kaizen_cli, unique):
    missing = unique("cli-missing")
    result = kaizen_cli("runs", "list", "--experiment", missing)
    assert result.returncode != 0, result.stdout
    assert missing in (result.stderr + result.stdout)


def test_runs_list_bad_filter_fails(kaizen_cli, populated):
    result = kaizen_cli("runs", "list", "--experiment", populated["name"], "--filter", "metrics.rmse < 1 OR x")
    assert result.returncode != 0, result.stdout
    assert (result.stderr + result.stdout).strip()


def test_runs_describe(kaizen_cli, populated):
    run_id = populated["runs"]["cli-good"]
    out = _ok(kaizen_cli("runs", "describe", run_id))
    assert run_id in out
    assert "cli-good" in out
    assert "FINISHED" in out
    assert populated["exp_id"] in out
    for text in ("model", "forest", "depth", "3", "rmse", "0.125", "owner", "owner-cli-good"):
        assert text in out, text


def test_runs_describe_unknown_run_fails(kaizen_cli):
    missing = "0123456789abcdef0123456789abcdef"
    result = kaizen_cli("runs", "describe", missing)
    assert result.returncode != 0, result.stdout
    assert missing in (result.stderr + result.stdout)


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_server_is_named(kaizen_cli):
    port = _closed_port()
    started = time.monotonic()
    result = kaizen_cli("experiments", "list", "--tracking-uri", f"http://127.0.0.1:{port}")
    elapsed = time.monotonic() - started
    assert result.returncode != 0, result.stdout
    output = result.stderr + result.stdout
    assert (
        f"Cannot reach the tracking server at http://127.0.0.1:{port}: connection refused. "
        "Check --tracking-uri or MLFLOW_TRACKING_URI"
    ) in output, output
    assert elapsed < 10, f"a refused connection took {elapsed:.1f}s to report"


def test_unknown_tracking_host_is_named(kaizen_cli):
    result = kaizen_cli("experiments", "list", "--tracking-uri", "http://no-such-host.invalid:5000")
    assert result.returncode != 0, result.stdout
    output = result.stderr + result.stdout
    assert (
        "Cannot reach the tracking server at http://no-such-host.invalid:5000: unknown host. "
        "Check --tracking-uri or MLFLOW_TRACKING_URI"
    ) in output, output
