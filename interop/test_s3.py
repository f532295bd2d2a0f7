"""S3 artifact storage: `kaizen server --artifacts-destination s3://bucket/prefix` against moto's S3 server.

moto_server (from the virtualenv) is started once for the module on 127.0.0.1 and a free port, unless
KAIZEN_TEST_S3_URL names one already. The real mlflow client logs artifacts and a model through the server's
artifact proxy; boto3 then checks that every object is in the bucket and the server wrote nothing to its own disk.
Multipart uploads go through MLflow's `mpu` routes with the parts PUT straight to presigned S3 URLs, also with the
upload created on one server process and completed on another. INTEROP_TARGET=mlflow runs the module against
MLflow's own server on the same moto bucket (all but the Kaizen-only checks pass there).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import boto3
import pytest
import requests
from botocore.config import Config

from conftest import (
    HOST,
    IS_MLFLOW,
    KAIZEN_BIN,
    STARTUP_TIMEOUT_S,
    _LIVE_PROCESSES,
    Server,
    _die_with_pytest,
    _free_port,
    _mlflow_executable,
    _start_server,
    _stop_process,
)
from interop_helpers import SKLEARN_REQUIREMENTS, raw_request

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
BUCKET = "kaizen-interop-" + uuid.uuid4().hex[:12]
PREFIX = "mlartifacts"
MPU = "/api/2.0/mlflow-artifacts/mpu"
# S3 refuses parts below 5 MiB but the last, and moto checks that too.
PART_SIZE = 5 * 1024 * 1024


@pytest.fixture(scope="module")
def s3_url():
    """moto's S3 endpoint: KAIZEN_TEST_S3_URL, or a moto_server of this module's own."""
    given = os.environ.get("KAIZEN_TEST_S3_URL")
    if given:
        yield given.rstrip("/")
        return
    with _moto_server(Path(os.environ.get("TMPDIR", "/tmp"))) as url:
        yield url


@contextmanager
def _moto_server(log_dir: Path):
    """A moto_server of the test's own on a free port, its log in `log_dir`; yields its URL and stops it after."""
    port = _free_port()
    moto = Path(sys.executable).parent / "moto_server"
    log = open(log_dir / f"moto-{port}.log", "wb")
    proc = subprocess.Popen(
        [str(moto), "-H", HOST, "-p", str(port)], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True, preexec_fn=_die_with_pytest,
    )
    _LIVE_PROCESSES.append(proc)
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{url}/moto-api/", timeout=1)
                break
            except requests.RequestException:
                assert proc.poll() is None and time.monotonic() < deadline, "moto_server did not start"
                time.sleep(0.2)
        yield url
    finally:
        _stop_process(proc)
        _LIVE_PROCESSES.remove(proc)
        log.close()


@pytest.fixture(scope="module")
def s3(s3_url):
    """A boto3 client for moto, with the module's bucket created."""
    client = boto3.client("s3", endpoint_url=s3_url, config=Config(signature_version="s3v4"), **{
        "aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"})
    client.create_bucket(Bucket=BUCKET)
    return client


def start_s3_server(root: Path, s3_url: str, *, default_artifact_root: str | None = None) -> Server:
    """A tracking server whose artifacts live in s3://BUCKET/PREFIX, with the S3 variables in its environment."""
    root.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    db_path = root / "kaizen.db"
    log_path = root / "server.log"
    command = [
        "--host", HOST, "--port", str(port), "--backend-store-uri", f"sqlite:///{db_path}",
        "--artifacts-destination", f"s3://{BUCKET}/{PREFIX}",
    ]
    if default_artifact_root:
        command += ["--default-artifact-root", default_artifact_root]
    command = [*_mlflow_executable(), "server", *command, "--workers", "1"] if IS_MLFLOW else [str(KAIZEN_BIN), "server", *command]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "AWS_"))}
    env.update(CREDENTIALS, MLFLOW_S3_ENDPOINT_URL=s3_url)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            command, cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_die_with_pytest,
        )
    _LIVE_PROCESSES.append(proc)
    server = Server(url=f"http://{HOST}:{port}", port=port, root=root, artifact_root=root / "unused",
                    db_path=db_path, log_path=log_path, proc=proc)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"server exited during startup\n{server.log_tail()}"
        try:
            if requests.get(f"{server.url}/health", timeout=2).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.2)
    _stop_process(proc)
    pytest.fail(f"server did not start\n{server.log_tail()}", pytrace=False)


def stop(server: Server) -> None:
    _stop_process(server.proc)
    if server.proc in _LIVE_PROCESSES:
        _LIVE_PROCESSES.remove(server.proc)


@pytest.fixture(scope="module")
def server(tmp_path_factory, s3_url, s3):
    """This module's server: the conftest fixtures (tracking_uri, client) use it."""
    srv = start_s3_server(tmp_path_factory.mktemp("s3-server"), s3_url)
    try:
        yield srv
    finally:
        stop(srv)


@pytest.fixture(scope="module")
def second_server(tmp_path_factory, s3_url, s3, server):
    """Another server process on the same bucket (and its own database)."""
    srv = start_s3_server(tmp_path_factory.mktemp("s3-server-2"), s3_url)
    try:
        yield srv
    finally:
        stop(srv)


def keys(s3, prefix: str) -> dict[str, int]:
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
        for item in page.get("Contents", []):
            found[item["Key"]] = item["Size"]
    return found


def object_bytes(s3, key: str) -> bytes:
    return s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def run_prefix(run) -> str:
    uri = run.info.artifact_uri
    assert uri.startswith("mlflow-artifacts:/"), uri
    return f"{PREFIX}/{uri.removeprefix('mlflow-artifacts:').lstrip('/')}"


def local_files(server: Server) -> list[str]:
    """What the server left in its own folder, but its database and log."""
    found = []
    for path in server.root.rglob("*"):
        if path.is_file() and not path.name.startswith(("kaizen.db", "server.log")):
            found.append(str(path.relative_to(server.root)))
    return found


def test_server_info_reports_multipart(server):
    info = requests.get(f"{server.url}/api/3.0/mlflow/server-info", timeout=10)
    if info.status_code == 404 and IS_MLFLOW:
        pytest.skip("this mlflow server has no server-info")
    assert info.json()["multipart_uploads_enabled"] is True


def test_logged_artifacts_are_objects_in_the_bucket(server, s3, tmp_path, unique):
    import mlflow

    tree = tmp_path / "tree"
    (tree / "sub dir").mkdir(parents=True)
    files = {
        "notes.txt": b"hello from kaizen\n",
        "sub dir/data é+1.json": json.dumps({"a": [1, 2, 3]}).encode(),
        "sub dir/blob.bin": os.urandom(300_000),
    }
    for name, data in files.items():
        (tree / name).write_bytes(data)
    mlflow.set_experiment(unique("s3"))
    with mlflow.start_run() as run:
        mlflow.log_param("p", 1)
        mlflow.log_artifact(str(tree / "notes.txt"))
        mlflow.log_artifacts(str(tree), artifact_path="tree")
    base = run_prefix(run)
    stored = keys(s3, base + "/")
    expected = {f"{base}/notes.txt": len(files["notes.txt"])}
    expected.update({f"{base}/tree/{name}": len(data) for name, data in files.items()})
    assert stored == expected
    for name, data in files.items():
        assert object_bytes(s3, f"{base}/tree/{name}") == data
    assert local_files(server) == []

    listed = sorted(f.path for f in mlflow.MlflowClient().list_artifacts(run.info.run_id, "tree"))
    assert listed == ["tree/notes.txt", "tree/sub dir"]
    out = Path(mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="tree", dst_path=str(tmp_path / "out")))
    for name, data in files.items():
        assert (out / name).read_bytes() == data

    # A range reads only its bytes (a Kaizen extension); a missing file is a 404 and a directory a 400, as with a folder.
    target = f"/api/2.0/mlflow-artifacts/artifacts/{base.removeprefix(PREFIX + '/')}/tree/sub%20dir/blob.bin"
    if not IS_MLFLOW:  # MLflow's server ignores Range, and answers 500 for both of the others on S3
        partial = requests.get(server.url + target, headers={"Range": "bytes=1000-1999"}, timeout=30)
        assert partial.status_code == 206
        assert partial.content == files["sub dir/blob.bin"][1000:2000]
        assert requests.get(server.url + target + "-missing", timeout=30).status_code == 404
        assert requests.get(server.url + target.rsplit("/", 1)[0], timeout=30).status_code == 400

    from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

    get_artifact_repository(run.info.artifact_uri).delete_artifacts("tree/sub dir")
    assert sorted(keys(s3, base + "/")) == [f"{base}/notes.txt", f"{base}/tree/notes.txt"]


def test_logged_model_lives_in_the_bucket_and_loads(server, s3, unique):
    import mlflow
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    X = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [0.9, 0.1]])
    y = np.array([0, 1, 0, 1])
    model = LogisticRegression().fit(X, y)
    mlflow.set_experiment(unique("s3-model"))
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(model, name="model", registered_model_name=unique("s3m"),
                                        pip_requirements=SKLEARN_REQUIREMENTS)
    model_prefix = f"{PREFIX}/{info.artifact_path.removeprefix('mlflow-artifacts:').lstrip('/')}"
    stored = keys(s3, model_prefix + "/")
    assert f"{model_prefix}/MLmodel" in stored
    assert len(stored) >= 4
    loaded = mlflow.pyfunc.load_model(info.model_uri)
    assert list(loaded.predict(X)) == list(model.predict(X))
    assert local_files(server) == []


def test_multipart_upload_through_presigned_urls(server, s3, tmp_path, unique, monkeypatch):
    import mlflow

    monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", "true")
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", str(PART_SIZE))
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", str(PART_SIZE))
    big = tmp_path / "weights.bin"
    data = os.urandom(2 * PART_SIZE + 12_345)
    big.write_bytes(data)
    mlflow.set_experiment(unique("s3-mpu"))
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(big), artifact_path="large")
    key = f"{run_prefix(run)}/large/weights.bin"
    head = s3.head_object(Bucket=BUCKET, Key=key)
    # An ETag "<md5>-3" is S3's mark of an object assembled from three parts.
    assert head["ETag"].strip('"').endswith("-3"), head["ETag"]
    assert hashlib.sha256(object_bytes(s3, key)).hexdigest() == hashlib.sha256(data).hexdigest()
    assert s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []
    assert local_files(server) == []


def test_multipart_created_on_one_server_completes_on_another(server, second_server, s3):
    directory = f"0/{uuid.uuid4().hex}/artifacts"
    data = os.urandom(PART_SIZE + 777)
    created = requests.post(f"{server.url}{MPU}/create/{directory}", json={"path": "/home/me/big.bin", "num_parts": 2}, timeout=30)
    assert created.status_code == 200, created.text
    body = created.json()
    assert [c["part_number"] for c in body["credentials"]] == [1, 2]
    parts = []
    for credential, chunk in zip(body["credentials"], [data[:PART_SIZE], data[PART_SIZE:]]):
        assert credential["url"].startswith(s3.meta.endpoint_url), credential["url"]
        put = requests.put(credential["url"], data=chunk, headers=credential.get("headers") or {}, timeout=60)
        assert put.status_code == 200, put.text
        parts.append({"part_number": credential["part_number"], "etag": put.headers["ETag"], "url": credential["url"]})
    done = requests.post(f"{second_server.url}{MPU}/complete/{directory}",
                         json={"path": "big.bin", "upload_id": body["upload_id"], "parts": parts}, timeout=30)
    assert done.status_code == 200, done.text
    assert done.json() == {}
    assert object_bytes(s3, f"{PREFIX}/{directory}/big.bin") == data
    downloaded = requests.get(f"{second_server.url}/api/2.0/mlflow-artifacts/artifacts/{directory}/big.bin", timeout=60)
    assert hashlib.sha256(downloaded.content).hexdigest() == hashlib.sha256(data).hexdigest()

    # Abort on the other server: the upload and its parts are gone.
    created = requests.post(f"{second_server.url}{MPU}/create/{directory}", json={"path": "gone.bin", "num_parts": 1}, timeout=30).json()
    requests.put(created["credentials"][0]["url"], data=b"partial", timeout=30)
    aborted = requests.post(f"{server.url}{MPU}/abort/{directory}", json={"path": "gone.bin", "upload_id": created["upload_id"]}, timeout=30)
    assert aborted.status_code == 200, aborted.text
    assert s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []
    assert f"{PREFIX}/{directory}/gone.bin" not in keys(s3, PREFIX + "/")


@pytest.mark.parametrize(
    "target",
    [
        f"{MPU}/create/..%2F..%2Ftmp",
        f"{MPU}/create/%252e%252e%252f%252e%252e%252ftmp",
        f"{MPU}/complete/..%2F..%2Ftmp",
        f"{MPU}/abort/..%2F..%2Ftmp",
    ],
)
def test_multipart_traversal_is_refused(server, s3, target):
    before = keys(s3, "")
    response = raw_request(server.url, "POST", target, body=json.dumps({"path": "../x", "num_parts": 1, "upload_id": "u"}),
                           headers={"Content-Type": "application/json"})
    assert response.status == 400, response
    assert keys(s3, "") == before


@pytest.mark.kaizen_only
def test_default_artifact_root_on_s3_lets_the_client_write_directly(tmp_path, s3_url, s3, monkeypatch, unique):
    import mlflow

    # Under the artifacts destination's prefix, so the server can list what the client wrote.
    direct = start_s3_server(tmp_path / "direct", s3_url, default_artifact_root=f"s3://{BUCKET}/{PREFIX}/direct")
    try:
        for name, value in {**CREDENTIALS, "MLFLOW_S3_ENDPOINT_URL": s3_url}.items():
            monkeypatch.setenv(name, value)
        mlflow.set_tracking_uri(direct.url)
        mlflow.set_experiment(unique("direct"))
        note = tmp_path / "direct.txt"
        note.write_text("straight to S3")
        with mlflow.start_run() as run:
            mlflow.log_artifact(str(note))
        uri = run.info.artifact_uri
        assert uri.startswith(f"s3://{BUCKET}/{PREFIX}/direct/") and uri.endswith(f"/{run.info.run_id}/artifacts"), uri
        key = uri.removeprefix(f"s3://{BUCKET}/") + "/direct.txt"
        assert object_bytes(s3, key) == b"straight to S3"
        assert local_files(direct) == []
        # The UI's listing (artifacts/list) reads the bucket for such a run too.
        listed = requests.get(f"{direct.url}/api/2.0/mlflow/artifacts/list", params={"run_id": run.info.run_id}, timeout=30)
        assert listed.json() == {"root_uri": uri, "files": [{"path": "direct.txt", "is_dir": False, "file_size": 14}]}
    finally:
        stop(direct)


def test_local_folder_server_falls_back_to_a_plain_put(tmp_path, monkeypatch, unique):
    """With a local artifact folder the mpu routes answer 501 with MLflow's message, so the client PUTs instead."""
    import mlflow

    local = _start_server(tmp_path / "local", single=True)
    try:
        monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", "true")
        monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", "1024")
        monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", "1024")
        mlflow.set_tracking_uri(local.url)
        mlflow.set_experiment(unique("fallback"))
        data = os.urandom(5000)
        (tmp_path / "f.bin").write_bytes(data)
        with mlflow.start_run() as run:
            mlflow.log_artifact(str(tmp_path / "f.bin"))
        stored = list(local.artifact_root.rglob("f.bin"))
        assert [p.read_bytes() for p in stored] == [data], run.info.artifact_uri
    finally:
        stop(local)


@pytest.fixture
def moto_checking_signatures(tmp_path):
    """A moto_server of the test's own that checks every request's SigV4 signature (moto's IAM auth on) against an
    IAM user's access key; yields (url, key id, secret). moto checks nothing by default."""
    with _moto_server(tmp_path) as url:
        iam = boto3.client("iam", endpoint_url=url, aws_access_key_id="testing", aws_secret_access_key="testing",
                           region_name="us-east-1")
        iam.create_user(UserName="kaizen")
        iam.put_user_policy(UserName="kaizen", PolicyName="all", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        key = iam.create_access_key(UserName="kaizen")["AccessKey"]
        boto3.client("s3", endpoint_url=url, aws_access_key_id=key["AccessKeyId"],
                     aws_secret_access_key=key["SecretAccessKey"], region_name="us-east-1").create_bucket(Bucket=BUCKET)
        assert requests.post(f"{url}/moto-api/reset-auth", data=b"0", timeout=10).status_code == 200
        yield url, key["AccessKeyId"], key["SecretAccessKey"]


# MLflow's own server fails this one: its downloads from moto with signature checks on fail.
@pytest.mark.kaizen_only
def test_signatures_hold_when_s3_checks_them(tmp_path, moto_checking_signatures, monkeypatch, unique):
    """Uploads (one PUT, and a multipart upload of the server's own), downloads, listings and deletes against an S3
    that refuses a bad signature; a wrong secret is refused. (moto's checks cannot read presigned URLs, so those are
    proved by the signer's botocore vectors instead.)"""
    import mlflow

    url, key_id, secret = moto_checking_signatures
    s3 = boto3.client("s3", endpoint_url=url, aws_access_key_id=key_id, aws_secret_access_key=secret,
                      region_name="us-east-1")
    monkeypatch.setitem(CREDENTIALS, "AWS_ACCESS_KEY_ID", key_id)
    monkeypatch.setitem(CREDENTIALS, "AWS_SECRET_ACCESS_KEY", secret)
    checked = start_s3_server(tmp_path / "checked", url)
    monkeypatch.setitem(CREDENTIALS, "AWS_SECRET_ACCESS_KEY", "not-the-secret")
    wrong = start_s3_server(tmp_path / "wrong", url)
    try:
        monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", "false")
        mlflow.set_tracking_uri(checked.url)
        mlflow.set_experiment(unique("signed"))
        small = tmp_path / "a b+c.txt"
        small.write_bytes(b"signed")
        big = tmp_path / "big.bin"
        data = os.urandom(8 * 1024 * 1024 + 4321)  # past Kaizen's 8 MiB parts: a multipart upload of two
        big.write_bytes(data)
        with mlflow.start_run() as run:
            mlflow.log_artifact(str(small), artifact_path="dir")
            mlflow.log_artifact(str(big), artifact_path="dir")
        base = run_prefix(run)
        assert keys(s3, base + "/") == {f"{base}/dir/a b+c.txt": 6, f"{base}/dir/big.bin": len(data)}
        assert s3.head_object(Bucket=BUCKET, Key=f"{base}/dir/big.bin")["ETag"].strip('"').endswith("-2")
        out = Path(mlflow.artifacts.download_artifacts(run_id=run.info.run_id, dst_path=str(tmp_path / "out")))
        assert (out / "dir" / "big.bin").read_bytes() == data
        assert (out / "dir" / "a b+c.txt").read_bytes() == b"signed"
        from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

        get_artifact_repository(run.info.artifact_uri).delete_artifacts("dir")
        assert keys(s3, base + "/") == {}

        refused = requests.put(f"{wrong.url}/api/2.0/mlflow-artifacts/artifacts/0/x/artifacts/f.txt", data=b"x", timeout=30)
        assert refused.status_code == 500, refused.text
        if not IS_MLFLOW:
            assert "SignatureDoesNotMatch" in refused.json()["message"], refused.text
    finally:
        stop(checked)
        stop(wrong)
