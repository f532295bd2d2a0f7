"""`kaizen models build-image` against real container tools.

The image is built from an ONNX model logged with the real mlflow client to the module's Kaizen server, then
checked with tools that know nothing of Kaizen (Debian packages, `make image-tools` installs them):

* ``skopeo`` reads the OCI layout, the archives and the registry;
* ``docker-registry`` (distribution 2.8) receives pushes: one anonymous on loopback, one behind token
  authentication with a token service written here (RS256 JWTs whose ``x5c`` header carries the self-signed
  certificate the registry trusts);
* ``umoci`` unpacks the image (checking every layer's diff id) and ``runc`` runs it as user 65532 on a
  read-only root, where it must answer like ``kaizen models serve`` on the host and stop on SIGTERM.

A fake registry (``http.server``) misbehaves on purpose: a wrong ``Docker-Content-Digest``, a redirect loop.

Every service starts once per module on a free port of 127.0.0.1 and is stopped afterwards; builds always use
``--store`` in the module's temporary folder, which is removed at the end (bundles and stores are large).
umoci and runc need root; their tests are skipped otherwise.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import resource
import re
import shutil
import subprocess
import threading
import time
import uuid
import warnings
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
import requests

from conftest import HOST, KAIZEN_BIN, _LIVE_PROCESSES, _die_with_pytest, _free_port, _reset_client_state, _stop_process
from interop_helpers import ONNX_REQUIREMENTS
from serving_helpers import json_diff, start_kaizen_serve, stop_scoring_server

pytestmark = [
    pytest.mark.kaizen_only,
    pytest.mark.filterwarnings("ignore::FutureWarning"),
    pytest.mark.filterwarnings("ignore::UserWarning"),
]

TOOLS = ("docker-registry", "skopeo", "umoci", "runc", "podman")
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_root = pytest.mark.skipif(not IS_ROOT, reason="umoci unpack and runc run need root")

ORT_TOL = dict(rtol=1e-5, atol=1e-5)  # Kaizen's ONNX engine vs onnxruntime
PUSHED = re.compile(r"Pushed (\S+)@(sha256:[0-9a-f]{64}): (\d+) blobs uploaded, (\d+) already there, in [0-9.]+ s")
BUILD_TIMEOUT_S = 300
TOKEN_SERVICE = "kaizen-interop-registry"
TOKEN_ISSUER = "kaizen-interop-token-issuer"
TOKEN_USER, TOKEN_PASSWORD = "builder", "s3cret-pa55"


# --------------------------------------------------------------------------------------
# Running commands
# --------------------------------------------------------------------------------------


def run(cmd: list[str], *, env: dict[str, str] | None = None, timeout: float = 120, check: bool = True,
        cwd: Path | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], env=env, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} exited with {proc.returncode}\n"
                             f"---- stdout ----\n{proc.stdout[-3000:]}\n---- stderr ----\n{proc.stderr[-3000:]}")
    return proc


def skopeo_json(*args: str) -> dict:
    return json.loads(run(["skopeo", *args]).stdout)


@dataclass
class Ctx:
    """What every build needs: the tracking server, a hermetic environment, the module's scratch folder."""

    tracking_uri: str
    work: Path
    docker_config: Path  # an empty DOCKER_CONFIG: no credentials unless a test says so

    def env(self, **extra: str) -> dict[str, str]:
        drop = ("MLFLOW_", "KAIZEN_REGISTRY_", "KAIZEN_IMAGE_STORE", "DOCKER_CONFIG", "REGISTRY_AUTH_FILE",
                "SOURCE_DATE_EPOCH")
        env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
        env.update(MLFLOW_TRACKING_URI=self.tracking_uri, NO_COLOR="1", DOCKER_CONFIG=str(self.docker_config),
                   REGISTRY_AUTH_FILE=str(self.work / "no-such-auth.json"))
        env.update(extra)
        return env

    def build(self, model_uri: str, tag: str, store: Path, *args: str, check: bool = True,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """`kaizen models build-image -m MODEL_URI -t TAG --store STORE ARGS...`"""
        cmd = [KAIZEN_BIN, "models", "build-image", "-m", model_uri, "-t", tag, "--store", store, *args]
        return run(cmd, env=env or self.env(), timeout=BUILD_TIMEOUT_S, check=check)


# --------------------------------------------------------------------------------------
# OCI layouts
# --------------------------------------------------------------------------------------


def blob_path(layout: Path, digest: str) -> Path:
    algorithm, hex_digest = digest.split(":", 1)
    return layout / "blobs" / algorithm / hex_digest


def read_blob(layout: Path, digest: str) -> bytes:
    data = blob_path(layout, digest).read_bytes()
    assert "sha256:" + hashlib.sha256(data).hexdigest() == digest, f"blob {digest} in {layout} does not hash to it"
    return data


def index_entries(layout: Path) -> list[dict]:
    path = layout / "index.json"
    return json.loads(path.read_text())["manifests"] if path.exists() else []


def entries_named(layout: Path, tag: str) -> list[dict]:
    return [m for m in index_entries(layout) if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag]


@dataclass
class Image:
    """A built image in a layout: its manifest digest, manifest and config."""

    layout: Path
    tag: str  # the ref name in the layout's index (oci:LAYOUT:TAG)
    reference: str
    digest: str
    manifest: dict
    config: dict
    stdout: str = ""

    @property
    def layers(self) -> list[str]:
        return [layer["digest"] for layer in self.manifest["layers"]]

    @property
    def config_digest(self) -> str:
        return self.manifest["config"]["digest"]

    @property
    def blobs(self) -> list[str]:
        return [self.digest, self.config_digest, *self.layers]

    @property
    def labels(self) -> dict[str, str]:
        return self.config["config"]["Labels"]


def image_in(layout: Path, reference: str, stdout: str = "") -> Image:
    """The image the layout's index lists under `reference`'s tag, which must name exactly one manifest."""
    tag = reference.rsplit(":", 1)[-1]
    named = entries_named(layout, tag)
    assert len(named) == 1, f"index.json of {layout} names {len(named)} manifests {tag!r}: {index_entries(layout)}"
    digest = named[0]["digest"]
    manifest = json.loads(read_blob(layout, digest))
    config = json.loads(read_blob(layout, manifest["config"]["digest"]))
    return Image(layout, tag, reference, digest, manifest, config, stdout)


def build_image(ctx: Ctx, model_uri: str, reference: str, store: Path, *args: str) -> Image:
    proc = ctx.build(model_uri, reference, store, *args)
    image = image_in(store, reference, proc.stdout)
    assert f"Built {reference} {image.digest}" in proc.stdout, proc.stdout
    return image


def pushed(stdout: str) -> tuple[str, str, int, int]:
    """(reference, digest, uploaded, already there) from the `Pushed ...` line."""
    match = PUSHED.search(stdout)
    assert match, f"no 'Pushed ...' line in:\n{stdout}"
    return match.group(1), match.group(2), int(match.group(3)), int(match.group(4))


def same_files(expected_root: Path, actual_root: Path) -> None:
    """Every file, folder and link under expected_root is under actual_root, with the same bytes or target."""
    for path in sorted(expected_root.rglob("*")):
        rel = path.relative_to(expected_root)
        other = actual_root / rel
        if path.is_symlink():
            assert other.is_symlink(), f"{rel} is not a link in {actual_root}"
            assert os.readlink(other) == os.readlink(path), rel
        elif path.is_dir():
            assert other.is_dir() and not other.is_symlink(), f"{rel} is not a folder in {actual_root}"
        else:
            assert other.is_file() and not other.is_symlink(), f"{rel} is missing from {actual_root}"
            assert other.read_bytes() == path.read_bytes(), f"{rel} differs in {actual_root}"


def umoci_unpack(layout: Path, tag: str, bundle: Path) -> Path:
    """`umoci unpack` (which checks each layer against its diff id); the bundle's rootfs."""
    run(["umoci", "unpack", "--image", f"{layout}:{tag}", bundle], timeout=180)
    return bundle / "rootfs"


# --------------------------------------------------------------------------------------
# Processes: docker-registry, runc containers
# --------------------------------------------------------------------------------------


def start_process(cmd: list, log_path: Path, cwd: Path) -> subprocess.Popen:
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([str(c) for c in cmd], cwd=cwd, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_pytest)
    _LIVE_PROCESSES.append(proc)
    return proc


def stop_process(proc: subprocess.Popen) -> None:
    _stop_process(proc)
    if proc in _LIVE_PROCESSES:
        _LIVE_PROCESSES.remove(proc)


def tail(path: Path, n: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


@dataclass
class Registry:
    """A docker-registry process on 127.0.0.1."""

    port: int
    storage: Path
    log_path: Path
    proc: subprocess.Popen = field(repr=False)

    @property
    def host(self) -> str:
        return f"{HOST}:{self.port}"

    def repository_exists(self, repository: str) -> bool:
        return (self.storage / "docker/registry/v2/repositories" / repository).exists()


def start_registry(root: Path, auth: dict | None = None) -> Registry:
    """docker-registry with filesystem storage in root/storage, listening on a free port of 127.0.0.1."""
    root.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    config = {
        "version": "0.1",
        "log": {"level": "info", "accesslog": {"disabled": False}},
        "storage": {"filesystem": {"rootdirectory": str(root / "storage")}, "delete": {"enabled": True}},
        "http": {"addr": f"{HOST}:{port}"},
    }
    if auth:
        config["auth"] = auth
    config_path = root / "config.yml"
    config_path.write_text(json.dumps(config, indent=2))  # JSON is YAML
    log_path = root / "registry.log"
    proc = start_process(["docker-registry", "serve", config_path], log_path, root)
    registry = Registry(port, root / "storage", log_path, proc)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"docker-registry exited with {proc.returncode}\n{tail(log_path)}")
        try:
            if requests.get(f"http://{registry.host}/v2/", timeout=2).status_code in (200, 401):
                return registry
        except requests.RequestException:
            pass
        time.sleep(0.1)
    stop_process(proc)
    raise AssertionError(f"docker-registry did not answer within 30 s\n{tail(log_path)}")


_CONTAINERS: list[str] = []


def runc_state(container: str) -> dict | None:
    proc = run(["runc", "state", container], check=False)
    return json.loads(proc.stdout) if proc.returncode == 0 else None


def runc_delete(container: str) -> None:
    run(["runc", "delete", "-f", container], check=False)
    if container in _CONTAINERS:
        _CONTAINERS.remove(container)


def proc_status(pid: int) -> dict[str, str]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


# --------------------------------------------------------------------------------------
# Token service for the registry (docker distribution's token authentication)
# --------------------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenService:
    """Issues RS256 JWTs to clients with the right Basic credentials.

    The JWT header carries the signing certificate in `x5c`; the registry accepts it because that self-signed
    certificate is its `rootcertbundle`. Claims: iss, sub, aud (the service), exp/nbf/iat, jti and `access`
    with the requested repository actions.
    """

    def __init__(self, folder: Path):
        import datetime

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID

        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, TOKEN_ISSUER)])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.cert_der = cert.public_bytes(serialization.Encoding.DER)
        self.root_bundle = folder / "token-root.pem"
        self.root_bundle.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        self.requests: list[dict] = []  # what each token request asked for, and what was answered
        self.lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                user = service.user_of(self.headers.get("Authorization", ""))
                record = {"path": url.path, "query": query, "user": user}
                if url.path != "/token":
                    status, body = 404, b"{}"
                elif user is None:
                    status, body = 401, b'{"details":"wrong user name or password"}'
                else:
                    token = service.token(user, query.get("service", [""])[0], query.get("scope", []))
                    status, body = 200, json.dumps({"token": token, "access_token": token, "expires_in": 300}).encode()
                record["status"] = status
                with service.lock:
                    service.requests.append(record)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                if status == 401:
                    self.send_header("WWW-Authenticate", 'Basic realm="kaizen-interop"')
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer((HOST, 0), Handler)
        self.realm = f"http://{HOST}:{self.httpd.server_address[1]}/token"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @staticmethod
    def user_of(authorization: str) -> str | None:
        """The user of a Basic header with the right password, else None."""
        if not authorization.startswith("Basic "):
            return None
        try:
            user, _, password = base64.b64decode(authorization[6:]).decode().partition(":")
        except ValueError:
            return None
        return user if (user, password) == (TOKEN_USER, TOKEN_PASSWORD) else None

    def token(self, user: str, audience: str, scopes: list[str]) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        access = []
        for scope in scopes:
            kind, name, actions = scope.split(":") if scope.count(":") == 2 else ("", "", "")
            granted = [a for a in actions.split(",") if a in ("pull", "push")]
            if kind == "repository" and granted:
                access.append({"type": "repository", "name": name, "actions": granted})
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(self.cert_der).decode()]}
        claims = {"iss": TOKEN_ISSUER, "sub": user, "aud": audience, "exp": now + 300, "nbf": now - 10, "iat": now,
                  "jti": uuid.uuid4().hex, "access": access}
        signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + b64url(signature)

    def registry_auth(self) -> dict:
        return {"token": {"realm": self.realm, "service": TOKEN_SERVICE, "issuer": TOKEN_ISSUER,
                          "rootcertbundle": str(self.root_bundle)}}

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def docker_config(folder: Path, registry: str, user: str, password: str) -> Path:
    """A DOCKER_CONFIG folder whose config.json has `auths[registry].auth` = base64(user:password)."""
    folder.mkdir(parents=True, exist_ok=True)
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    (folder / "config.json").write_text(json.dumps({"auths": {registry: {"auth": auth}}}))
    return folder


# --------------------------------------------------------------------------------------
# A registry that misbehaves
# --------------------------------------------------------------------------------------

WRONG_DIGEST = "sha256:" + hashlib.sha256(b"not the blob you sent").hexdigest()


class FakeRegistry:
    """Speaks just enough of the distribution API to take a push, and misbehaves by repository:

    * `wrong-digest/...`: blobs are missing; their upload is answered 201 with the Docker-Content-Digest
      WRONG_DIGEST;
    * `redirect-loop/...`: every HEAD of a blob is redirected (307) to the same blob, forever.

    Every request is recorded as (method, path).
    """

    def __init__(self):
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def answer(self, status: int, headers: dict[str, str] | None = None, body: bytes = b""):
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def record(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                with fake.lock:
                    fake.requests.append((self.command, self.path))

            def do_GET(self):
                self.record()
                self.answer(200 if self.path == "/v2/" else 404, {"Content-Type": "application/json"}, b"{}")

            def do_HEAD(self):
                self.record()
                path = urlsplit(self.path).path
                if "/redirect-loop/" in path:
                    self.answer(307, {"Location": f"{path}?hop={len(fake.requests)}"})
                else:
                    self.answer(404)

            def do_POST(self):
                self.record()
                repository = self.path.split("/blobs/uploads")[0]
                self.answer(202, {"Location": f"{repository}/blobs/uploads/{uuid.uuid4()}",
                                  "Docker-Upload-UUID": "x", "Range": "0-0"})

            def do_PUT(self):
                self.record()
                path = urlsplit(self.path).path
                if "/manifests/" in path:
                    self.answer(201, {})
                else:
                    self.answer(201, {"Docker-Content-Digest": WRONG_DIGEST, "Location": path})

        self.httpd = ThreadingHTTPServer((HOST, 0), Handler)
        self.host = f"{HOST}:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def seen(self, method: str, fragment: str = "") -> list[str]:
        with self.lock:
            return [path for m, path in self.requests if m == method and fragment in path]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# --------------------------------------------------------------------------------------
# Module fixtures
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def image_tools():
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not installed: `make image-tools` installs them (Debian)", pytrace=False)


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """The module's scratch folder; removed at the end (stores and bundles take hundreds of megabytes)."""
    folder = tmp_path_factory.mktemp("image")
    try:
        yield folder
    finally:
        for container in list(_CONTAINERS):
            runc_delete(container)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def ctx(server, work) -> Ctx:
    empty = work / "docker-config-empty"
    empty.mkdir()
    return Ctx(tracking_uri=server.url, work=work, docker_config=empty)


@dataclass
class OnnxModel:
    name: str
    run_id: str
    columns: list[str]
    rows: np.ndarray
    local_dir: Path  # version 1, downloaded
    sess: object = field(repr=False)

    def payload(self) -> dict:
        return {"dataframe_split": {"columns": self.columns, "data": self.rows.tolist()}}

    def expected(self, sess=None) -> list[dict]:
        out = (sess or self.sess).run(None, {"X": self.rows})[0]
        return [{"variable": float(v)} for v in np.asarray(out).reshape(-1)]


def log_onnx_regressor(name: str, scale: float = 1.0, offset: float = 0.0):
    """Ridge on the diabetes data (target * scale + offset), converted with skl2onnx, logged and registered."""
    import mlflow
    import mlflow.onnx
    import onnxruntime as ort
    import pandas as pd
    from mlflow.models import infer_signature
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import Ridge

    db = load_diabetes(as_frame=True)
    frame = db.data.astype(np.float32)
    X = frame.to_numpy()
    reg = Ridge(alpha=0.5).fit(X, db.target.to_numpy() * scale + offset)
    onx = to_onnx(reg, initial_types=[("X", FloatTensorType([None, X.shape[1]]))])
    signature = infer_signature(frame, pd.DataFrame({"variable": reg.predict(X).astype(np.float32)}))
    with mlflow.start_run() as active:
        info = mlflow.onnx.log_model(onx, name="model", signature=signature, registered_model_name=name,
                                     pip_requirements=ONNX_REQUIREMENTS)
    sess = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    return active.info.run_id, str(info.registered_model_version), list(frame.columns), X, sess


@pytest.fixture(scope="module")
def onnx_model(server, work) -> OnnxModel:
    """Version 1 of a registered ONNX model, with alias `champion`."""
    import mlflow
    from mlflow import MlflowClient

    mlflow.set_tracking_uri(server.url)
    _reset_client_state()
    name = f"image-ridge-{uuid.uuid4().hex[:8]}"
    run_id, version, columns, X, sess = log_onnx_regressor(name)
    assert version == "1"
    MlflowClient(server.url).set_registered_model_alias(name, "champion", "1")
    local = Path(mlflow.artifacts.download_artifacts(f"models:/{name}/1", dst_path=str(work / "model-v1")))
    _reset_client_state()
    return OnnxModel(name, run_id, columns, np.ascontiguousarray(X[:8]), local, sess)


@pytest.fixture(scope="module")
def store(work) -> Path:
    """The image store most builds share (its layer cache makes rebuilds fast)."""
    return work / "store"


@pytest.fixture(scope="module")
def registry(work):
    reg = start_registry(work / "registry")
    try:
        yield reg
    finally:
        stop_process(reg.proc)


@pytest.fixture(scope="module")
def image_v1(ctx, onnx_model, registry, store) -> Image:
    """models:/NAME@champion (version 1) built as REGISTRY/kaizen/NAME:v1."""
    reference = f"{registry.host}/kaizen/{onnx_model.name}:v1"
    digest_file = ctx.work / "v1.digest"
    image = build_image(ctx, f"models:/{onnx_model.name}@champion", reference, store, "--digest-file", digest_file)
    assert digest_file.read_text() == image.digest + "\n"
    return image


@pytest.fixture(scope="module")
def pushed_v1(ctx, onnx_model, registry, store, image_v1) -> tuple[str, str, int, int]:
    """The same build again, pushed to the registry: the `Pushed` line's fields."""
    proc = ctx.build(f"models:/{onnx_model.name}@champion", image_v1.reference, store, "--push")
    return pushed(proc.stdout)


@pytest.fixture(scope="module")
def token_service(work):
    service = TokenService(work)
    try:
        yield service
    finally:
        service.close()


@pytest.fixture(scope="module")
def token_registry(work, token_service):
    reg = start_registry(work / "token-registry", auth=token_service.registry_auth())
    try:
        yield reg
    finally:
        stop_process(reg.proc)


@pytest.fixture(scope="module")
def fake_registry():
    fake = FakeRegistry()
    try:
        yield fake
    finally:
        fake.close()


# --------------------------------------------------------------------------------------
# 1. Build from a registered ONNX model by alias; skopeo reads the layout
# --------------------------------------------------------------------------------------


def test_build_from_alias_has_model_labels(image_v1, onnx_model):
    info = skopeo_json("inspect", f"oci:{image_v1.layout}:v1")
    assert info["Digest"] == image_v1.digest
    assert info["Layers"] == image_v1.layers and len(info["Layers"]) == 3
    labels = info["Labels"]
    assert labels["io.kaizen.model.name"] == onnx_model.name
    assert labels["io.kaizen.model.version"] == "1"
    assert labels["io.kaizen.model.alias"] == "champion"
    assert labels["io.kaizen.model.run-id"] == onnx_model.run_id
    assert labels["io.kaizen.model.uri"] == f"models:/{onnx_model.name}@champion"
    assert labels["org.opencontainers.image.version"] == "1"
    assert labels["org.opencontainers.image.created"] == "1970-01-01T00:00:00Z"  # SOURCE_DATE_EPOCH unset: 0

    config = skopeo_json("inspect", "--config", f"oci:{image_v1.layout}:v1")
    assert config == image_v1.config
    assert config["os"] == "linux" and config["architecture"] in ("amd64", "arm64")
    assert config["config"]["User"] == "65532:65532"
    assert config["config"]["StopSignal"] == "SIGTERM"
    assert config["config"]["ExposedPorts"] == {"8080/tcp": {}}
    assert config["config"]["Entrypoint"] == [
        "/usr/local/bin/kaizen", "models", "serve", "-m", "/opt/kaizen/model", "--model-name", onnx_model.name,
        "--model-version", "1", "-h", "0.0.0.0", "-p", "8080",
    ]
    assert labels["io.kaizen.model.digest"] == config["rootfs"]["diff_ids"][2]  # the model layer's diff id


# --------------------------------------------------------------------------------------
# 2. Push to docker-registry; skopeo copies it back byte for byte
# --------------------------------------------------------------------------------------


def test_push_to_registry_and_copy_back(ctx, registry, image_v1, pushed_v1):
    reference, digest, uploaded, already = pushed_v1
    assert reference == image_v1.reference
    assert digest == image_v1.digest, "the pushed build is not the same image as the first build"
    assert (uploaded, already) == (4, 0)  # 3 layers + config into an empty registry

    repository = image_v1.reference.split("/", 1)[1].rsplit(":", 1)[0]
    r = requests.get(f"http://{registry.host}/v2/{repository}/manifests/v1", timeout=10,
                     headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
    assert r.status_code == 200, r.text
    assert r.headers["Docker-Content-Digest"] == image_v1.digest
    assert r.content == read_blob(image_v1.layout, image_v1.digest)

    copy = ctx.work / "copied-from-registry"
    run(["skopeo", "copy", "--preserve-digests", "--src-tls-verify=false",
         f"docker://{image_v1.reference}", f"oci:{copy}:v1"], timeout=180)
    copied = image_in(copy, image_v1.reference)
    assert copied.digest == image_v1.digest
    names = sorted(p.name for p in (copy / "blobs" / "sha256").iterdir())
    assert names == sorted(d.split(":")[1] for d in image_v1.blobs)
    for blob in image_v1.blobs:
        assert read_blob(copy, blob) == read_blob(image_v1.layout, blob), f"{blob} changed on the way"


# --------------------------------------------------------------------------------------
# 3. umoci unpack + runc run: serves like `kaizen models serve`, as 65532, stops on SIGTERM
# --------------------------------------------------------------------------------------


@needs_root
def test_runs_under_runc_like_models_serve(ctx, server, onnx_model, image_v1):
    bundle = ctx.work / "bundle-v1"
    rootfs = umoci_unpack(image_v1.layout, "v1", bundle)
    assert (rootfs / "opt/kaizen/model/MLmodel").read_bytes() == (onnx_model.local_dir / "MLmodel").read_bytes()
    config_path = bundle / "config.json"
    spec = json.loads(config_path.read_text())
    assert spec["process"]["user"] == {"uid": 65532, "gid": 65532}
    port = _free_port()
    spec["process"]["terminal"] = False
    spec["process"]["args"] += ["-p", str(port)]
    spec["root"]["readonly"] = True
    spec["linux"]["namespaces"] = [ns for ns in spec["linux"]["namespaces"] if ns["type"] != "network"]
    config_path.write_text(json.dumps(spec))

    container = f"kaizen-interop-{uuid.uuid4().hex[:12]}"
    log_path = ctx.work / f"{container}.log"
    host = None
    _CONTAINERS.append(container)
    try:
        with open(log_path, "wb") as log:
            started = subprocess.run(["runc", "run", "--detach", "--bundle", str(bundle), container],
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=log, timeout=60)
        assert started.returncode == 0, tail(log_path)
        url = f"http://{HOST}:{port}"
        deadline = time.monotonic() + 30
        ping = None
        while ping is None or ping.status_code != 200:  # 503 while the model loads
            assert time.monotonic() < deadline, f"/ping never answered 200 ({ping})\n{tail(log_path)}"
            try:
                ping = requests.get(f"{url}/ping", timeout=2)
            except requests.RequestException:
                pass
            time.sleep(0.05)

        state = runc_state(container)
        assert state and state["status"] == "running", state
        pid = state["pid"]
        status = proc_status(pid)
        assert status["Uid"].split() == ["65532"] * 4, status["Uid"]
        assert status["Gid"].split() == ["65532"] * 4, status["Gid"]
        root_mount = [line.split() for line in Path(f"/proc/{pid}/mountinfo").read_text().splitlines()
                      if line.split()[4] == "/"]
        assert root_mount and "ro" in root_mount[-1][5].split(","), root_mount

        in_container = requests.post(f"{url}/invocations", json=onnx_model.payload(), timeout=30)
        assert in_container.status_code == 200, in_container.text
        host = start_kaizen_serve(f"models:/{onnx_model.name}/1", ctx.work / "host-serve", tracking_uri=server.url)
        on_host = requests.post(f"{host.url}/invocations", json=onnx_model.payload(), timeout=30)
        assert on_host.status_code == 200, on_host.text
        assert in_container.json() == on_host.json()
        diff = json_diff(onnx_model.expected(), in_container.json()["predictions"], **ORT_TOL)
        assert diff is None, diff

        killed = time.monotonic()
        run(["runc", "kill", container, "TERM"])
        while True:
            state = runc_state(container)
            if state is None or state["status"] == "stopped":
                break
            assert time.monotonic() - killed < 5, f"still {state['status']} 5 s after SIGTERM\n{tail(log_path)}"
            time.sleep(0.01)
        elapsed = time.monotonic() - killed
        assert elapsed < 1.0, f"the container took {elapsed:.2f} s to exit after SIGTERM"
    finally:
        stop_scoring_server(host)
        runc_delete(container)
        shutil.rmtree(bundle, ignore_errors=True)


# --------------------------------------------------------------------------------------
# 4. A new model version: only the model layer and the config are uploaded
# --------------------------------------------------------------------------------------


def test_second_push_uploads_only_model_layer_and_config(ctx, client, onnx_model, registry, store, image_v1,
                                                         pushed_v1):
    run_id, version, *_ = log_onnx_regressor(onnx_model.name, scale=10, offset=1000)
    assert version == "2"
    client.set_registered_model_alias(onnx_model.name, "champion", "2")

    reference = f"{registry.host}/kaizen/{onnx_model.name}:v2"
    proc = ctx.build(f"models:/{onnx_model.name}@champion", reference, store, "--push")
    v2 = image_in(store, reference, proc.stdout)
    ref, digest, uploaded, already = pushed(proc.stdout)
    assert (ref, digest) == (reference, v2.digest)
    assert v2.layers[:2] == image_v1.layers[:2], "the runtime and binary layers changed"
    assert v2.layers[2] != image_v1.layers[2] and v2.config_digest != image_v1.config_digest
    assert (uploaded, already) == (2, 2), proc.stdout  # model layer + config; runtime + binary were there

    info = skopeo_json("inspect", "--tls-verify=false", f"docker://{reference}")
    assert info["Digest"] == v2.digest and info["Layers"] == v2.layers
    assert info["Labels"]["io.kaizen.model.version"] == "2"
    assert info["Labels"]["io.kaizen.model.alias"] == "champion"
    assert info["Labels"]["io.kaizen.model.run-id"] == run_id
    # The first tag still names the first image.
    assert skopeo_json("inspect", "--tls-verify=false", f"docker://{image_v1.reference}")["Digest"] == image_v1.digest

    # Pushing the same image again uploads nothing.
    again = ctx.build(f"models:/{onnx_model.name}@champion", reference, store, "--push")
    assert pushed(again.stdout)[1:] == (v2.digest, 0, 4), again.stdout


# --------------------------------------------------------------------------------------
# 5. Reproducible builds
# --------------------------------------------------------------------------------------


def test_builds_are_reproducible(ctx, onnx_model):
    uri = f"models:/{onnx_model.name}/1"
    reference = "127.0.0.1:5/kaizen/repro:1"
    env = ctx.env(SOURCE_DATE_EPOCH="1700000000")
    stores = [ctx.work / "repro-a", ctx.work / "repro-b"]
    # Both at once (level 1 keeps them quick): fresh stores, nothing cached.
    procs = [subprocess.Popen([str(KAIZEN_BIN), "models", "build-image", "-m", uri, "-t", reference,
                               "--store", str(s), "--no-cache", "--compression-level", "1"],
                              env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for s in stores]
    for p in procs:
        out, err = p.communicate(timeout=BUILD_TIMEOUT_S)
        assert p.returncode == 0, err
        assert out.count("(built)") == 3, out
    a, b = (image_in(s, reference) for s in stores)
    assert a.digest == b.digest
    assert a.config["created"] == "2023-11-14T22:13:20Z"
    for blob in a.blobs:
        assert read_blob(a.layout, blob) == read_blob(b.layout, blob)

    proc = ctx.build(uri, "127.0.0.1:5/kaizen/repro:labelled", stores[0], "--compression-level", "1",
                     "--label", "team=vision", env=env)
    labelled = image_in(stores[0], "127.0.0.1:5/kaizen/repro:labelled", proc.stdout)
    # The runtime and binary layers come from the cache; the model is downloaded again (new files), so its layer
    # is written again, to the same bytes.
    assert re.findall(r"\((cached|built)\)", proc.stdout)[:2] == ["cached", "cached"], proc.stdout
    assert labelled.layers == a.layers
    assert labelled.config["rootfs"] == a.config["rootfs"]
    assert labelled.config_digest != a.config_digest and labelled.digest != a.digest
    assert labelled.labels == {**a.labels, "team": "vision"}


# --------------------------------------------------------------------------------------
# 6. Token authentication
# --------------------------------------------------------------------------------------


def test_push_with_token_authentication(ctx, onnx_model, store, token_service, token_registry):
    uri = f"models:/{onnx_model.name}/1"
    reference = f"{token_registry.host}/kaizen/secure:v1"
    good = docker_config(ctx.work / "docker-config-good", token_registry.host, TOKEN_USER, TOKEN_PASSWORD)
    proc = ctx.build(uri, reference, store, "--push", env=ctx.env(DOCKER_CONFIG=str(good)))
    image = image_in(store, reference, proc.stdout)
    assert pushed(proc.stdout)[1:] == (image.digest, 4, 0)

    issued = [r for r in token_service.requests if r["status"] == 200]
    assert issued, token_service.requests
    assert issued[0]["user"] == TOKEN_USER
    assert issued[0]["query"]["service"] == [TOKEN_SERVICE]
    assert issued[0]["query"]["scope"] == ["repository:kaizen/secure:pull,push"]

    creds = f"{TOKEN_USER}:{TOKEN_PASSWORD}"
    info = skopeo_json("inspect", "--tls-verify=false", "--creds", creds, f"docker://{reference}")
    assert info["Digest"] == image.digest
    assert info["Labels"]["io.kaizen.model.name"] == onnx_model.name
    # Without credentials the registry refuses skopeo too: the token service really guards it.
    anonymous = run(["skopeo", "inspect", "--tls-verify=false", "--no-creds", f"docker://{reference}"], check=False)
    assert anonymous.returncode != 0 and "unauthorized" in anonymous.stderr.lower(), anonymous.stderr

    # The other places credentials come from: the environment, and a containers auth file.
    by_env = ctx.env(KAIZEN_REGISTRY_USERNAME=TOKEN_USER, KAIZEN_REGISTRY_PASSWORD=TOKEN_PASSWORD)
    proc = ctx.build(uri, f"{token_registry.host}/kaizen/secure:from-env", store, "--push", env=by_env)
    assert pushed(proc.stdout)[1:] == (image.digest, 0, 4), proc.stdout
    auth_file = docker_config(ctx.work / "containers-auth", token_registry.host, TOKEN_USER, TOKEN_PASSWORD)
    by_file = ctx.env(REGISTRY_AUTH_FILE=str(auth_file / "config.json"))
    proc = ctx.build(uri, f"{token_registry.host}/kaizen/secure:from-auth-file", store, "--push", env=by_file)
    assert pushed(proc.stdout)[1:] == (image.digest, 0, 4), proc.stdout
    for tag in ("from-env", "from-auth-file"):
        tagged = skopeo_json("inspect", "--tls-verify=false", "--creds", creds,
                             f"docker://{token_registry.host}/kaizen/secure:{tag}")
        assert tagged["Digest"] == image.digest

    before = len(token_service.requests)
    denied = f"{token_registry.host}/kaizen/denied:v1"
    bad = docker_config(ctx.work / "docker-config-bad", token_registry.host, TOKEN_USER, "wrong-password")
    proc = ctx.build(uri, denied, store, "--push", check=False, env=ctx.env(DOCKER_CONFIG=str(bad)))
    assert proc.returncode != 0, proc.stdout
    assert "Error:" in proc.stderr and "refused the credentials" in proc.stderr, proc.stderr
    assert "Pushed" not in proc.stdout
    assert [r["status"] for r in token_service.requests[before:]] == [401]
    assert not token_registry.repository_exists("kaizen/denied")
    missing = run(["skopeo", "inspect", "--tls-verify=false", "--creds", creds, f"docker://{denied}"], check=False)
    assert missing.returncode != 0 and "unknown" in missing.stderr.lower(), missing.stderr


# --------------------------------------------------------------------------------------
# 7. A registry that lies or loops
# --------------------------------------------------------------------------------------


def test_wrong_digest_from_registry_stops_the_push(ctx, onnx_model, store, fake_registry):
    reference = f"{fake_registry.host}/wrong-digest/model:v1"
    proc = ctx.build(f"models:/{onnx_model.name}/1", reference, store, "--push", check=False)
    assert proc.returncode != 0, proc.stdout
    assert "Error:" in proc.stderr and "answered digest" in proc.stderr and WRONG_DIGEST in proc.stderr, proc.stderr
    assert len(fake_registry.seen("PUT", "/wrong-digest/model/blobs/uploads/")) == 1  # stopped at the first blob
    assert fake_registry.seen("PUT", "/manifests/") == []


def test_redirect_loop_stops_the_push(ctx, onnx_model, store, fake_registry):
    reference = f"{fake_registry.host}/redirect-loop/model:v1"
    proc = ctx.build(f"models:/{onnx_model.name}/1", reference, store, "--push", check=False)
    assert proc.returncode != 0, proc.stdout
    assert "Error:" in proc.stderr and "redirect" in proc.stderr, proc.stderr
    assert len(fake_registry.seen("HEAD", "/redirect-loop/")) == 6  # the request and five redirects
    assert fake_registry.seen("POST", "/redirect-loop/") == []
    assert fake_registry.seen("PUT", "/redirect-loop/") == []


# --------------------------------------------------------------------------------------
# 8. Hostile model folders; long names
# --------------------------------------------------------------------------------------


def hostile(folder: Path, kind: str) -> None:
    if kind == "relative-to-etc-passwd":
        (folder / "passwd").symlink_to("../" * 40 + "etc/passwd")
    elif kind == "to-outside-folder":
        outside = folder.parent / "outside"
        outside.mkdir()
        (outside / "secret.txt").write_text("not part of the model")
        (folder / "extra").mkdir()
        (folder / "extra" / "leak").symlink_to("../../outside")
    elif kind == "absolute":
        (folder / "passwd").symlink_to("/etc/passwd")
    elif kind == "fifo":
        os.mkfifo(folder / "pipe")


@pytest.mark.parametrize(
    "kind, words",
    [("relative-to-etc-passwd", ("link", "outside")), ("to-outside-folder", ("link", "outside")),
     ("absolute", ("link", "absolute")), ("fifo", ("not a regular file",))],
)
def test_hostile_model_folder_is_refused(ctx, onnx_model, tmp_path, kind, words):
    folder = tmp_path / "model"
    shutil.copytree(onnx_model.local_dir, folder)
    hostile(folder, kind)
    fresh = tmp_path / "store"
    proc = ctx.build(str(folder), "127.0.0.1:5/kaizen/hostile:v1", fresh, check=False)
    assert proc.returncode != 0, proc.stdout
    assert proc.stderr.startswith("Error:"), proc.stderr
    for word in words:
        assert word in proc.stderr, proc.stderr
    assert entries_named(fresh, "v1") == []
    blobs = fresh / "blobs" / "sha256"
    assert not blobs.exists() or not any(blobs.iterdir()), sorted(blobs.iterdir())


@needs_root
def test_long_names_survive_umoci_unpack(ctx, onnx_model, store):
    folder = ctx.work / "model-long-names"
    shutil.copytree(onnx_model.local_dir, folder)
    deep = folder / "assets" / ("d" * 60) / ("e" * 60) / ("f" * 60)
    deep.mkdir(parents=True)
    (deep / ("g" * 120 + ".txt")).write_bytes(os.urandom(3000))
    (deep / "small.bin").write_bytes(b"\x00\x01\x02 kaizen")
    (deep / ("modèle-données-" * 6 + ".json")).write_text('{"ü": 1}')  # UTF-8, over 100 bytes
    link_target = "/".join(["d" * 60, "e" * 60, "f" * 60, "small.bin"])  # relative, inside, > 100 bytes
    (folder / "assets" / "long-link").symlink_to(link_target)
    assert len(str((deep / ("g" * 120 + ".txt")).relative_to(folder.parent))) > 255

    reference = "127.0.0.1:5/kaizen/long-names:v1"
    image = build_image(ctx, str(folder), reference, store)
    rootfs = umoci_unpack(store, image.tag, ctx.work / "bundle-long-names")
    try:
        same_files(folder, rootfs / "opt/kaizen/model")
        assert os.readlink(rootfs / "opt/kaizen/model/assets/long-link") == link_target
    finally:
        shutil.rmtree(ctx.work / "bundle-long-names", ignore_errors=True)


# --------------------------------------------------------------------------------------
# 9. Archives
# --------------------------------------------------------------------------------------


def test_outputs_readable_by_skopeo(ctx, onnx_model, store):
    reference = "127.0.0.1:5/kaizen/outputs:v1"
    oci_archive, docker_archive, layout = ctx.work / "image.oci.tar", ctx.work / "image.docker.tar", ctx.work / "out"
    image = build_image(ctx, f"models:/{onnx_model.name}/1", reference, store, "--output", "oci-archive",
                        oci_archive, "--output", f"docker-archive:{docker_archive}", "--output", f"oci:{layout}")
    for line in (f"Wrote oci-archive {oci_archive}", f"Wrote docker-archive {docker_archive}", f"Wrote oci {layout}"):
        assert line in image.stdout

    info = skopeo_json("inspect", f"oci-archive:{oci_archive}")
    assert info["Digest"] == image.digest and info["Layers"] == image.layers
    assert info["Labels"] == image.labels
    assert skopeo_json("inspect", f"oci-archive:{oci_archive}:v1")["Digest"] == image.digest  # by its ref name

    assert image_in(layout, reference).digest == image.digest
    assert skopeo_json("inspect", f"oci:{layout}:v1")["Digest"] == image.digest

    info = skopeo_json("inspect", f"docker-archive:{docker_archive}")
    assert info["Labels"] == image.labels
    assert info["Layers"] == image.config["rootfs"]["diff_ids"]  # skopeo names docker-archive layers by diff id
    named = skopeo_json("inspect", f"docker-archive:{docker_archive}:{reference}")  # found by its RepoTags entry
    assert named["Name"] == reference.rsplit(":", 1)[0] and named["Labels"] == image.labels
    config = skopeo_json("inspect", "--config", f"docker-archive:{docker_archive}")
    assert config["rootfs"]["diff_ids"] == image.config["rootfs"]["diff_ids"]

    copy = ctx.work / "copied-from-docker-archive"
    run(["skopeo", "copy", f"docker-archive:{docker_archive}", f"oci:{copy}:copied"], timeout=180)
    copied = image_in(copy, "copied")
    assert copied.config["rootfs"]["diff_ids"] == image.config["rootfs"]["diff_ids"]
    assert copied.labels == image.labels
    assert copied.config["config"]["Entrypoint"] == image.config["config"]["Entrypoint"]


# --------------------------------------------------------------------------------------
# The store's index: one manifest per tag, no entry lost to a concurrent build
# --------------------------------------------------------------------------------------


def test_same_tag_of_two_repositories_is_not_ambiguous(ctx, onnx_model, store):
    """`oci:STORE:TAG` names the image built last with that tag, for skopeo and umoci alike."""
    uri = f"models:/{onnx_model.name}/1"
    first = build_image(ctx, uri, "127.0.0.1:5/kaizen/first:shared", store, "--label", "which=first")
    second = build_image(ctx, uri, "127.0.0.1:5/kaizen/second:shared", store, "--label", "which=second")
    assert first.digest != second.digest
    assert len(entries_named(store, "shared")) == 1
    assert skopeo_json("inspect", f"oci:{store}:shared")["Labels"]["which"] == "second"
    tags = run(["umoci", "ls", "--layout", store]).stdout.split()
    assert tags.count("shared") == 1, tags


def test_concurrent_builds_keep_every_tag(ctx, onnx_model, store):
    """Builds into one store at the same time each add their entry to its index.json; none is lost."""
    references = [f"127.0.0.1:5/kaizen/parallel-{i}:p{i}" for i in range(6)]
    procs = [subprocess.Popen([str(KAIZEN_BIN), "models", "build-image", "-m", f"models:/{onnx_model.name}/1",
                               "-t", ref, "--store", str(store)], env=ctx.env(), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for ref in references]
    digests = set()
    for proc in procs:
        out, err = proc.communicate(timeout=BUILD_TIMEOUT_S)
        assert proc.returncode == 0, err
        digests.add(re.search(r"Built \S+ (sha256:[0-9a-f]{64})", out).group(1))
    assert len(digests) == 1  # the same model, binary and epoch: the same image
    names = [m["annotations"]["io.containerd.image.name"] for m in index_entries(store)]
    assert sorted(set(names) & set(references)) == sorted(references), names
    for ref in references:
        assert image_in(store, ref).digest in digests


# --------------------------------------------------------------------------------------
# Podman: a docker-archive loads, and the image runs
# --------------------------------------------------------------------------------------


@pytest.mark.skipif(not IS_ROOT, reason="podman here runs as root")
def test_docker_archive_loads_and_runs_in_podman(ctx, onnx_model, store):
    reference = "127.0.0.1:5/kaizen/podman:v1"
    archive = ctx.work / "podman.docker.tar"
    image = build_image(ctx, f"models:/{onnx_model.name}/1", reference, store, "--output", "docker-archive", archive)
    storage = ctx.work / "podman"
    # Storage of its own (vfs needs no kernel overlay support).
    podman = ["podman", "--root", storage / "root", "--runroot", storage / "run", "--storage-driver", "vfs",
              "--cgroup-manager", "cgroupfs", "--events-backend", "none"]
    loaded = run([*podman, "load", "-i", archive], timeout=300)
    assert f"Loaded image: {reference}" in loaded.stdout + loaded.stderr
    inspected = json.loads(run([*podman, "image", "inspect", reference]).stdout)[0]
    assert inspected["Config"]["Labels"] == image.labels
    assert inspected["Config"]["User"] == "65532:65532"

    port = _free_port()
    name = f"kaizen-interop-{uuid.uuid4().hex[:12]}"
    # Podman raises open files and processes to its own defaults, which a sandbox may forbid; lowering is allowed.
    limits = []
    for flag, which in (("nofile", resource.RLIMIT_NOFILE), ("nproc", resource.RLIMIT_NPROC)):
        soft, _ = resource.getrlimit(which)
        value = 4096 if soft == resource.RLIM_INFINITY else min(soft, 4096)
        limits += ["--ulimit", f"{flag}={value}:{value}"]
    started = run([*podman, "run", "-d", "--name", name, "--network", "host", "--read-only", *limits, reference,
                   "-p", str(port)], timeout=120)
    try:
        url = f"http://{HOST}:{port}"
        deadline = time.monotonic() + 30
        ready = None
        while ready is None or ready.status_code != 200:
            assert time.monotonic() < deadline, f"/v2/health/ready never answered 200: {started.stdout}"
            try:
                ready = requests.get(f"{url}/v2/health/ready", timeout=2)
            except requests.RequestException:
                pass
            time.sleep(0.05)
        answer = requests.post(f"{url}/invocations", json=onnx_model.payload(), timeout=30)
        assert answer.status_code == 200, answer.text
        diff = json_diff(onnx_model.expected(), answer.json()["predictions"], **ORT_TOL)
        assert diff is None, diff
        # podman stop sends the image's stop signal (SIGTERM) and waits; a clean exit is status 0.
        run([*podman, "stop", "-t", "5", name], timeout=60)
        state = json.loads(run([*podman, "inspect", name]).stdout)[0]["State"]
        assert state["ExitCode"] == 0, state
    finally:
        run([*podman, "rm", "-f", name], check=False, timeout=60)
        run([*podman, "system", "reset", "-f"], check=False, timeout=120)


# --------------------------------------------------------------------------------------
# Basic authentication: docker-registry's htpasswd
# --------------------------------------------------------------------------------------


def bcrypt_hash(password: str) -> str:
    """A bcrypt hash (what the registry's htpasswd accepts) from the C library's crypt(3) (libxcrypt on Debian)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt

        return crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH))


def test_push_with_basic_authentication(ctx, onnx_model, store, work):
    htpasswd = work / "htpasswd"
    htpasswd.write_text(f"ci:{bcrypt_hash('basic-secret')}\n")
    registry = start_registry(work / "basic-registry", auth={"htpasswd": {"realm": "kaizen", "path": str(htpasswd)}})
    try:
        uri = f"models:/{onnx_model.name}/1"
        reference = f"{registry.host}/kaizen/basic:v1"
        good = docker_config(work / "docker-config-basic", registry.host, "ci", "basic-secret")
        proc = ctx.build(uri, reference, store, "--push", env=ctx.env(DOCKER_CONFIG=str(good)))
        image = image_in(store, reference, proc.stdout)
        assert pushed(proc.stdout)[1] == image.digest
        info = skopeo_json("inspect", "--tls-verify=false", "--creds", "ci:basic-secret", f"docker://{reference}")
        assert info["Digest"] == image.digest

        denied = f"{registry.host}/kaizen/basic-denied:v1"
        bad = docker_config(work / "docker-config-basic-bad", registry.host, "ci", "wrong")
        proc = ctx.build(uri, denied, store, "--push", check=False, env=ctx.env(DOCKER_CONFIG=str(bad)))
        assert proc.returncode != 0 and "refused the credentials of user 'ci'" in proc.stderr, proc.stderr
        assert not registry.repository_exists("kaizen/basic-denied")

        anonymous = ctx.build(uri, denied, store, "--push", check=False)
        assert anonymous.returncode != 0 and "needs credentials" in anonymous.stderr, anonymous.stderr
    finally:
        stop_process(registry.proc)


def test_rebuilding_a_downloaded_model_reuses_every_layer(ctx, onnx_model, store):
    """The model folder is downloaded anew for each build; its layer is still found in the cache by content."""
    uri = f"models:/{onnx_model.name}/1"
    first = ctx.build(uri, "127.0.0.1:5/kaizen/rebuild:a", store)
    again = ctx.build(uri, "127.0.0.1:5/kaizen/rebuild:b", store)
    assert again.stdout.count("(cached)") == 3, again.stdout
    assert image_in(store, "127.0.0.1:5/kaizen/rebuild:a", first.stdout).digest == \
        image_in(store, "127.0.0.1:5/kaizen/rebuild:b", again.stdout).digest
