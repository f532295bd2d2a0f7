"""Shared fixtures for the Kaizen interoperability suite.

The suite drives a Kaizen tracking server with the real ``mlflow`` Python client
and with raw HTTP. Every test module gets its own server process, listening on a
free port on 127.0.0.1, with its own SQLite database and artifact directory in a
pytest temporary directory.

Target selection (environment variable ``INTEROP_TARGET``):

* ``kaizen`` (default): starts ``$KAIZEN_BIN`` (default ``.build/debug/kaizen``)
  as ``kaizen server --host 127.0.0.1 --port P --backend-store-uri sqlite:///…
  --artifacts-destination …``.
* ``mlflow``: starts the reference ``mlflow server`` from the same virtualenv with
  the same options (plus ``--workers 1``). This is how the suite itself is
  validated: every test that is not marked Kaizen-only must pass against it.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

import topology

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET = os.environ.get("INTEROP_TARGET", "kaizen").strip().lower() or "kaizen"
IS_MLFLOW = TARGET == "mlflow"
KAIZEN_BIN = Path(os.environ.get("KAIZEN_BIN", str(REPO_ROOT / ".build" / "debug" / "kaizen")))
# The reference server needs ~10 s to start on an idle machine (much more under load).
STARTUP_TIMEOUT_S = float(os.environ.get("INTEROP_STARTUP_TIMEOUT", "90" if IS_MLFLOW else "30"))
HOST = "127.0.0.1"

if TARGET not in ("kaizen", "mlflow"):
    raise pytest.UsageError(f"INTEROP_TARGET must be 'kaizen' or 'mlflow', got {TARGET!r}")

# The client retries 5xx answers up to 7 times with exponential backoff (minutes in
# total). A server bug should fail a test quickly instead, so retries are turned off
# for the whole session unless the caller chose otherwise.
os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "60")
# Keep the client quiet and deterministic.
os.environ.setdefault("MLFLOW_ENABLE_ASYNC_LOGGING", "false")
os.environ.setdefault("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true")
for _var in ("MLFLOW_TRACKING_URI", "MLFLOW_EXPERIMENT_ID", "MLFLOW_EXPERIMENT_NAME", "MLFLOW_RUN_ID"):
    os.environ.pop(_var, None)


def pytest_configure(config):
    config.addinivalue_line("markers", "kaizen_only: needs the Kaizen binary (skipped when INTEROP_TARGET=mlflow)")


def pytest_report_header(config):
    if IS_MLFLOW:
        return "interop target: reference mlflow server"
    return f"interop target: kaizen ({KAIZEN_BIN})"


def pytest_collection_modifyitems(config, items):
    if not IS_MLFLOW:
        return
    skip = pytest.mark.skip(reason="Kaizen-only test (INTEROP_TARGET=mlflow)")
    for item in items:
        if item.get_closest_marker("kaizen_only"):
            item.add_marker(skip)


# --------------------------------------------------------------------------------------
# Server process
# --------------------------------------------------------------------------------------

_LIVE_PROCESSES: list[subprocess.Popen] = []


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _stop_process(proc: subprocess.Popen) -> None:
    """Stop a server we started: SIGTERM to its own process group, then SIGKILL."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # the group we created with start_new_session
    except (ProcessLookupError, PermissionError):
        proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()
        proc.wait(timeout=10)


@atexit.register
def _stop_leftovers() -> None:  # last resort if pytest is interrupted hard
    for proc in list(_LIVE_PROCESSES):
        try:
            _stop_process(proc)
        except Exception:
            pass


def _die_with_pytest() -> None:
    """Runs in the server child before exec: ask Linux to SIGTERM it if pytest dies (even by SIGKILL)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except Exception:
        pass


def _mlflow_executable() -> list[str]:
    exe = Path(sys.executable).parent / "mlflow"
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-m", "mlflow"]


@dataclass
class Server:
    """A running tracking server under test."""

    url: str
    port: int
    root: Path  # private temp dir of this server; the artifact root is inside it
    artifact_root: Path
    db_path: Path
    log_path: Path
    proc: subprocess.Popen = field(repr=False)
    # INTEROP_TOPOLOGY=replicas: `proc` is nginx, these are the replicas behind it (see topology.py).
    replicas: list["Replica"] = field(default_factory=list, repr=False)
    s3_url: str = ""
    bucket: str = ""
    database_url: str = ""

    @property
    def processes(self) -> list[subprocess.Popen]:
        return [p for p in (self.proc, *(r.proc for r in self.replicas)) if p is not None]

    @property
    def is_mlflow(self) -> bool:
        return IS_MLFLOW

    def health(self, timeout: float = 10.0) -> tuple[int, str]:
        r = requests.get(f"{self.url}/health", timeout=timeout)
        return r.status_code, r.text

    def assert_alive(self) -> None:
        for proc in self.processes:
            assert proc.poll() is None, f"server process exited with {proc.returncode}\n{self.log_tail()}"
        try:
            status, text = self.health()
        except requests.RequestException as exc:  # pragma: no cover - diagnostic path
            raise AssertionError(f"server no longer answers /health: {exc!r}\n{self.log_tail()}") from exc
        assert status == 200, f"/health answered {status}: {text!r}"
        assert text.strip() == "OK", f"/health body {text!r}"

    def log_tail(self, n: int = 60) -> str:
        logs = [self.log_path, *(r.log_path for r in self.replicas)]
        parts = []
        for path in logs:
            try:
                lines = path.read_text(errors="replace").splitlines()
            except OSError:
                parts.append(f"(no log at {path})")
                continue
            parts.append(f"---- {path.name} of {path.parent.name} (tail) ----\n" + "\n".join(lines[-n:]))
        return "\n".join(parts)


@dataclass
class Replica:
    """One of the Kaizen processes behind nginx."""

    port: int
    root: Path
    log_path: Path
    proc: subprocess.Popen = field(repr=False)


def _server_command(port: int, db_path: Path, artifact_root: Path, local_webhooks: bool = False) -> list[str]:
    common = [
        "--host", HOST,
        "--port", str(port),
        "--backend-store-uri", f"sqlite:///{db_path}",
        "--artifacts-destination", str(artifact_root),
    ]
    if IS_MLFLOW:
        return [*_mlflow_executable(), "server", *common, "--workers", "1"]
    extra = ["--webhook-allowed-schemes", "http,https", "--webhook-allow-private-ips"] if local_webhooks else []
    return [str(KAIZEN_BIN), "server", *common, *extra]


def _start_server(
    root: Path, *, local_webhooks: bool = False, reuse: Server | None = None, single: bool = False
) -> Server:
    """Start a server in `root`.

    single: one process on SQLite and a folder, whatever INTEROP_TOPOLOGY says (for tests of the local folder).
    local_webhooks: allow webhook URLs with the http scheme that point at private
    addresses such as 127.0.0.1, so a test can receive deliveries on a local listener
    (by default only https URLs to public addresses are accepted).
    """
    if not IS_MLFLOW and not (KAIZEN_BIN.is_file() and os.access(KAIZEN_BIN, os.X_OK)):
        pytest.fail(
            f"Kaizen binary not found at {KAIZEN_BIN}. Build it (`swift build`) or set KAIZEN_BIN; "
            "INTEROP_TARGET=mlflow runs the suite against the reference server instead.",
            pytrace=False,
        )
    if topology.is_enabled() and not IS_MLFLOW and not single:
        return _start_replicas(root, local_webhooks=local_webhooks, reuse=reuse)
    artifact_root = root / "artifacts"
    artifact_root.mkdir(parents=True, exist_ok=True)
    db_path = root / "kaizen.db"
    log_path = root / "server.log"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    if IS_MLFLOW and local_webhooks:
        env["MLFLOW_WEBHOOK_ALLOWED_SCHEMES"] = "http,https"
        env["MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS"] = "true"
    cmd = _server_command(port, db_path, artifact_root, local_webhooks)
    with open(log_path, "wb") as log:
        proc = _spawn(cmd, cwd=root, env=env, log=log)
    server = Server(
        url=f"http://{HOST}:{port}",
        port=port,
        root=root,
        artifact_root=artifact_root,
        db_path=db_path,
        log_path=log_path,
        proc=proc,
    )
    _wait_healthy(server, server.url, [proc], " ".join(cmd))
    return server


def _spawn(cmd: list[str], *, cwd: Path, env: dict[str, str], log) -> subprocess.Popen:
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_die_with_pytest if sys.platform.startswith("linux") else None,
    )
    _LIVE_PROCESSES.append(proc)
    return proc


def _wait_healthy(server: Server, url: str, procs: list[subprocess.Popen], what: str) -> None:
    """Waits until `url` answers /health; stops `procs` and fails the test if it never does."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    last_error: object = None
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                for other in procs:
                    _stop_process(other)
                    if other in _LIVE_PROCESSES:
                        _LIVE_PROCESSES.remove(other)
                pytest.fail(
                    f"server exited during startup with code {proc.returncode}: {what}\n{server.log_tail()}",
                    pytrace=False,
                )
        try:
            r = requests.get(f"{url}/health", timeout=2)
            if r.status_code == 200:
                return
            last_error = f"HTTP {r.status_code}"
        except requests.RequestException as exc:
            last_error = exc
        time.sleep(0.2)
    for proc in procs:
        _stop_process(proc)
        if proc in _LIVE_PROCESSES:
            _LIVE_PROCESSES.remove(proc)
    pytest.fail(
        f"server did not answer /health within {STARTUP_TIMEOUT_S:.0f}s (last: {last_error!r})\n{server.log_tail()}",
        pytrace=False,
    )


def _start_replicas(root: Path, *, local_webhooks: bool, reuse: Server | None = None) -> Server:
    """The team topology: replicas on a new PostgreSQL database and S3 bucket, behind nginx (topology.py); with
    `reuse`, on the database and bucket of that earlier topology (a restart)."""
    try:
        admin_url, s3_url = topology.requirements()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    root.mkdir(parents=True, exist_ok=True)
    database_url = reuse.database_url if reuse else topology.create_database(admin_url)
    bucket = reuse.bucket if reuse else topology.create_bucket(s3_url)
    env = topology.replica_environment(s3_url)
    front_port = _free_port()
    server = Server(
        url=f"http://{HOST}:{front_port}",
        port=front_port,
        root=root,
        artifact_root=root / "no-local-artifacts",
        db_path=root / "no-local-database",
        log_path=root / "nginx-error.log",
        proc=None,  # type: ignore[arg-type]  # nginx, started once the replicas answer
        s3_url=s3_url,
        bucket=bucket,
        database_url=database_url,
    )
    extra = ["--webhook-allowed-schemes", "http,https", "--webhook-allow-private-ips"] if local_webhooks else []
    for index in range(topology.REPLICAS):
        replica_root = root / f"replica-{index}"
        replica_root.mkdir()
        port = _free_port()
        cmd = [
            str(KAIZEN_BIN), "server", "--host", HOST, "--port", str(port),
            "--backend-store-uri", database_url,
            "--artifacts-destination", f"s3://{bucket}/artifacts",
            *extra,
        ]
        with open(replica_root / "server.log", "wb") as log:
            proc = _spawn(cmd, cwd=replica_root, env=env, log=log)
        replica = Replica(port=port, root=replica_root, log_path=replica_root / "server.log", proc=proc)
        server.replicas.append(replica)
    for replica in server.replicas:
        _wait_healthy(server, f"http://{HOST}:{replica.port}", [r.proc for r in server.replicas], "kaizen replicas")
    conf = topology.nginx_config(root, HOST, front_port, [r.port for r in server.replicas])
    with open(root / "nginx.log", "wb") as log:
        server.proc = _spawn(["nginx", "-c", str(conf), "-p", str(root)], cwd=root, env=dict(os.environ), log=log)
    _wait_healthy(server, server.url, server.processes, "nginx in front of the replicas")
    return server


@pytest.fixture(scope="module")
def server(request, tmp_path_factory) -> Server:
    """A fresh server per test module; always stopped afterwards, also on failure.

    A module that sets `SERVER_LOCAL_WEBHOOKS = True` gets a server that delivers
    webhooks to plain-http listeners on 127.0.0.1 (see `_start_server`).
    """
    root = tmp_path_factory.mktemp(f"{TARGET}-server")
    srv = _start_server(root, local_webhooks=bool(getattr(request.module, "SERVER_LOCAL_WEBHOOKS", False)))
    try:
        yield srv
    finally:
        stop_server(srv)
    if srv.replicas:
        stray = topology.stray_files([r.root for r in srv.replicas])
        assert not stray, f"replicas wrote files to their disks; artifacts belong in the bucket: {stray[:20]}"


def stop_server(server: Server) -> None:
    """Stops every process of `server` (nginx first, then its replicas)."""
    for proc in server.processes:
        _stop_process(proc)
        if proc in _LIVE_PROCESSES:
            _LIVE_PROCESSES.remove(proc)


@pytest.fixture(scope="module")
def base_url(server: Server) -> str:
    return server.url


# --------------------------------------------------------------------------------------
# Client state
# --------------------------------------------------------------------------------------


def _reset_client_state() -> None:
    import mlflow
    from mlflow.tracking import fluent

    while mlflow.active_run() is not None:
        mlflow.end_run()
    if "mlflow.sklearn" in sys.modules:
        try:
            sys.modules["mlflow.sklearn"].autolog(disable=True)
        except Exception:
            pass
    fluent._active_experiment_id = None
    for var in ("MLFLOW_EXPERIMENT_ID", "MLFLOW_EXPERIMENT_NAME", "MLFLOW_RUN_ID"):
        os.environ.pop(var, None)
    try:
        fluent._last_active_run_id.set(None)
        fluent._reset_last_logged_model_id()
    except AttributeError:  # private helpers moved in another client version
        pass


@pytest.fixture(autouse=True)
def tracking_uri(server: Server, monkeypatch) -> str:
    """Point the mlflow client at the server under test; reset its state around each test."""
    import mlflow

    monkeypatch.setenv("MLFLOW_TRACKING_URI", server.url)
    mlflow.set_tracking_uri(server.url)
    _reset_client_state()
    try:
        yield server.url
    finally:
        try:
            _reset_client_state()
        except Exception:
            # Ending the run failed (the test already reports why); drop it client-side.
            from mlflow.tracking import fluent

            fluent._active_run_stack.set([])
            _reset_client_state()


@pytest.fixture
def client(tracking_uri):
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=tracking_uri)


@pytest.fixture
def unique():
    """unique('exp') -> 'exp-<12 hex>': names that never collide between tests."""

    def make(prefix: str = "interop") -> str:
        return f"{prefix}-{uuid.uuid4().hex[:12]}"

    return make


@pytest.fixture
def kaizen_cli(server: Server):
    """Run the `kaizen` command-line client against the server under test."""

    def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
        env["MLFLOW_TRACKING_URI"] = server.url
        env.setdefault("NO_COLOR", "1")
        env.setdefault("COLUMNS", "250")
        return subprocess.run(
            [str(KAIZEN_BIN), *args],
            env=env,
            cwd=server.root,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


@pytest.fixture
def scratch(tmp_path) -> Path:
    """A per-test scratch directory (never inside the server's artifact root)."""
    d = tmp_path / "scratch"
    d.mkdir()
    return d


def pytest_sessionfinish(session, exitstatus):
    for proc in list(_LIVE_PROCESSES):
        _stop_process(proc)
        _LIVE_PROCESSES.remove(proc)

