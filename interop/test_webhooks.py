"""Kaizen registry webhooks, managed with the real `mlflow` client and received by a local listener.

A small threaded HTTP server on 127.0.0.1 records every POST it receives (headers and
raw body). Its answer depends on the first path segment of the webhook URL:

* ``/ok/...``    answers 200 at once;
* ``/flaky/...`` answers 500 to the first attempt of each delivery id, 200 to later ones;
* ``/slow/...``  holds the request for up to 10 s before answering 200.

The server under test is started with webhooks to plain-http private addresses allowed
(`SERVER_LOCAL_WEBHOOKS`). The long-lived webhooks are created before the first registry
event of the module, so a server that caches its subscriber lists for a while still
delivers every event to them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from mlflow import MlflowClient
from mlflow.entities.webhook import WebhookStatus
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import RESOURCE_DOES_NOT_EXIST, ErrorCode

from interop_helpers import API, JSON_HEADERS

SERVER_LOCAL_WEBHOOKS = True  # read by conftest's `server` fixture

DELIVERY_WAIT_S = 15.0
SIGNED_SECRET = "kaizen-signing-secret"
FLAKY_SECRET = "kaizen-flaky-secret"
STAGE_SECRET = "kaizen-stage-secret"
ENVELOPE_KEYS = {"entity", "action", "timestamp", "data"}


# ======================================================================================
# Local listener
# ======================================================================================


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    received_at: float  # time.time()
    answered: int = 0

    @property
    def envelope(self) -> dict:
        return json.loads(self.body)

    @property
    def data(self) -> dict:
        return self.envelope.get("data") or {}

    @property
    def event(self) -> tuple[str, str]:
        env = self.envelope
        return env.get("entity"), env.get("action")

    @property
    def delivery_id(self) -> str | None:
        return self.headers.get("x-mlflow-delivery-id")


class Listener:
    """Records webhook POSTs; see the module docstring for how it answers."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self.cond = threading.Condition()
        self.release_slow = threading.Event()
        self._attempted_ids: set[str] = set()
        listener = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 (http.server naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                record = Delivery(
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    received_at=time.time(),
                )
                status = listener._answer_for(record)
                record.answered = status
                with listener.cond:
                    listener.deliveries.append(record)
                    listener.cond.notify_all()
                if record.path.startswith("/slow/"):
                    listener.release_slow.wait(10)
                reply = b'{"ok": true}' if status == 200 else b'{"error": "try again"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):  # keep pytest output clean
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="webhook-listener", daemon=True)

    def _answer_for(self, record: Delivery) -> int:
        if record.path.startswith("/flaky/"):
            with self.cond:
                first = record.delivery_id not in self._attempted_ids
                self._attempted_ids.add(record.delivery_id)
            return 500 if first else 200
        return 200

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.release_slow.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def matching(self, path: str, name: str | None = None, event: tuple[str, str] | None = None) -> list[Delivery]:
        with self.cond:
            found = [d for d in self.deliveries if d.path == path]
        if name is not None:
            found = [d for d in found if _safe_data(d).get("name") == name]
        if event is not None:
            found = [d for d in found if _safe_event(d) == event]
        return found

    def wait_for(self, path: str, count: int = 1, name: str | None = None, event: tuple[str, str] | None = None,
                 timeout: float = DELIVERY_WAIT_S) -> list[Delivery]:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                found = self.matching(path, name, event)
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    with_path = [(d.path, d.body[:300]) for d in self.deliveries]
                    raise AssertionError(
                        f"expected {count} deliver(ies) to {path} (name={name}, event={event}) within "
                        f"{timeout:.0f}s, got {len(found)}; all received: {with_path}"
                    )
                self.cond.wait(min(remaining, 0.2))


def _safe_data(d: Delivery) -> dict:
    try:
        return d.data
    except ValueError:
        return {}


def _safe_event(d: Delivery) -> tuple[str, str] | None:
    try:
        return d.event
    except ValueError:
        return None


# ======================================================================================
# Fixtures
# ======================================================================================


@pytest.fixture(scope="module")
def listener():
    lst = Listener()
    lst.start()
    try:
        yield lst
    finally:
        lst.stop()


@pytest.fixture(scope="module")
def hooks(server, listener) -> dict:
    """The webhooks the delivery tests rely on, created before any registry event of the module."""
    client = MlflowClient(tracking_uri=server.url)
    signed = client.create_webhook(
        name="signed-hook",
        url=listener.url("/ok/signed"),
        events=[
            "registered_model.created",
            "model_version.created",
            "model_version_alias.created",
            "model_version_alias.deleted",
        ],
        description="signed deliveries",
        secret=SIGNED_SECRET,
    )
    flaky = client.create_webhook(
        name="flaky-hook", url=listener.url("/flaky/tags"), events=["model_version_tag.set"], secret=FLAKY_SECRET
    )
    slow = client.create_webhook(
        name="slow-hook", url=listener.url("/slow/tags"), events=["model_version_tag.deleted"]
    )
    return {"signed": signed, "flaky": flaky, "slow": slow}


def code_name(code: int) -> str:
    return ErrorCode.Name(code)


def _new_run(client: MlflowClient) -> str:
    return client.create_run("0").info.run_id


def _expected_signature(secret: str, delivery: Delivery) -> str:
    signed = (
        f"{delivery.headers['x-mlflow-delivery-id']}.{delivery.headers['x-mlflow-timestamp']}.".encode()
        + delivery.body
    )
    return "v1," + base64.b64encode(hmac.new(secret.encode(), signed, hashlib.sha256).digest()).decode()


def _check_delivery(delivery: Delivery, secret: str | None, entity: str, action: str, t0: float) -> dict:
    """Headers, signature and envelope of one delivery; returns its `data`."""
    headers = delivery.headers
    assert headers.get("content-type", "").startswith("application/json"), headers
    delivery_id = headers.get("x-mlflow-delivery-id")
    assert delivery_id, headers
    uuid.UUID(delivery_id)  # a UUID
    stamp = headers.get("x-mlflow-timestamp", "")
    assert stamp.isdigit(), headers
    assert t0 - 60 <= int(stamp) <= time.time() + 60, (stamp, t0)
    if secret is None:
        assert "x-mlflow-signature" not in headers, headers
    else:
        signature = headers.get("x-mlflow-signature", "")
        assert signature.startswith("v1,"), headers
        assert hmac.compare_digest(signature, _expected_signature(secret, delivery)), (
            signature, _expected_signature(secret, delivery))
        assert signature != _expected_signature(secret + "x", delivery)

    envelope = delivery.envelope
    assert set(envelope) == ENVELOPE_KEYS, envelope
    assert envelope["entity"] == entity and envelope["action"] == action, envelope
    when = datetime.fromisoformat(envelope["timestamp"])
    assert when.utcoffset() == timedelta(0), envelope["timestamp"]
    assert t0 - 60 <= when.timestamp() <= time.time() + 60, envelope["timestamp"]
    assert isinstance(envelope["data"], dict), envelope
    return envelope["data"]


# ======================================================================================
# Webhook management through the client
# ======================================================================================


def test_webhook_crud(client, listener, unique):
    t0 = int(time.time() * 1000)
    name = unique("crud-hook")
    created = client.create_webhook(
        name=name,
        url=listener.url("/ok/crud"),
        events=["model_version.created", "model_version_alias.deleted"],
        description="first",
        secret="s3cret",
    )
    hook_id = created.webhook_id
    uuid.UUID(hook_id)
    assert created.name == name
    assert created.url == listener.url("/ok/crud")
    assert {(e.entity.value, e.action.value) for e in created.events} == {
        ("model_version", "created"), ("model_version_alias", "deleted"),
    }
    assert len(created.events) == 2
    assert created.description == "first"
    assert created.status == WebhookStatus.ACTIVE
    assert created.secret is None  # never returned
    assert t0 - 5000 <= created.creation_timestamp <= int(time.time() * 1000) + 5000
    assert created.last_updated_timestamp == created.creation_timestamp

    got = client.get_webhook(hook_id)
    assert (got.webhook_id, got.name, got.url, got.description, got.status) == (
        hook_id, name, created.url, "first", WebhookStatus.ACTIVE)
    assert got.secret is None
    assert hook_id in {w.webhook_id for w in client.list_webhooks()}

    updated = client.update_webhook(hook_id, description="second", status="DISABLED",
                                    events=["model_version_tag.set"])
    assert updated.webhook_id == hook_id
    assert updated.description == "second"
    assert updated.status == WebhookStatus.DISABLED
    assert [(e.entity.value, e.action.value) for e in updated.events] == [("model_version_tag", "set")]
    assert updated.name == name and updated.url == created.url  # unchanged fields stay
    assert updated.last_updated_timestamp >= created.creation_timestamp
    # Disabled webhooks are still listed.
    listed = {w.webhook_id: w for w in client.list_webhooks()}
    assert listed[hook_id].status == WebhookStatus.DISABLED

    client.delete_webhook(hook_id)
    with pytest.raises(MlflowException) as excinfo:
        client.get_webhook(hook_id)
    assert excinfo.value.error_code == code_name(RESOURCE_DOES_NOT_EXIST)
    assert f"Webhook with ID {hook_id} not found." in excinfo.value.message
    assert hook_id not in {w.webhook_id for w in client.list_webhooks()}


def test_webhook_list_pages(client, listener, unique):
    ids = [
        client.create_webhook(name=unique("page-hook"), url=listener.url("/ok/pages"),
                              events=["registered_model.created"], status="DISABLED").webhook_id
        for _ in range(3)
    ]
    seen, token, pages = [], None, 0
    while True:
        page = client.list_webhooks(max_results=2, page_token=token)
        assert len(page) <= 2
        seen.extend(w.webhook_id for w in page)
        pages += 1
        token = page.token
        if not token:
            break
        assert pages < 50
    assert set(ids) <= set(seen)
    assert len(seen) == len(set(seen))
    assert pages >= 2
    for hook_id in ids:
        client.delete_webhook(hook_id)


def test_webhook_rejects_bad_url_scheme(client, unique):
    with pytest.raises(MlflowException) as excinfo:
        client.create_webhook(name=unique("ftp-hook"), url="ftp://127.0.0.1/x", events=["model_version.created"])
    assert "Invalid webhook URL scheme: 'ftp'" in excinfo.value.message


def test_webhook_test_sends_example_payload(client, listener, unique):
    t0 = time.time()
    hook = client.create_webhook(name=unique("probe-hook"), url=listener.url("/ok/probe"),
                                 events=["model_version.created"], secret="probe-secret")
    result = client.test_webhook(hook.webhook_id)
    assert result.success is True
    assert result.response_status == 200
    (delivery,) = listener.wait_for("/ok/probe")
    data = _check_delivery(delivery, "probe-secret", "model_version", "created", t0)
    assert data == {
        "name": "example_model",
        "version": "1",
        "source": "models:/123",
        "run_id": "abcd1234abcd5678",
        "tags": {"example_key": "example_value"},
        "description": "An example model version",
    }
    client.delete_webhook(hook.webhook_id)


# ======================================================================================
# Deliveries
# ======================================================================================


def test_model_created_deliveries_are_signed(client, hooks, listener, unique):
    t0 = time.time()
    name = unique("wh-model")
    run_id = _new_run(client)
    client.create_registered_model(name, tags={"t": "1"}, description="dd")
    client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id, tags={"a": "b"}, description="vd")
    client.create_model_version(name, "s3://bucket/models/plain")

    (model_created,) = listener.wait_for("/ok/signed", name=name, event=("registered_model", "created"))
    data = _check_delivery(model_created, SIGNED_SECRET, "registered_model", "created", t0)
    assert data == {"name": name, "tags": {"t": "1"}, "description": "dd"}

    versions = listener.wait_for("/ok/signed", count=2, name=name, event=("model_version", "created"))
    assert len(versions) == 2
    by_version = {}
    for delivery in versions:
        data = _check_delivery(delivery, SIGNED_SECRET, "model_version", "created", t0)
        by_version[data["version"]] = data
    assert by_version["1"] == {
        "name": name, "version": "1", "source": f"runs:/{run_id}/model", "run_id": run_id,
        "tags": {"a": "b"}, "description": "vd",
    }
    assert by_version["2"] == {
        "name": name, "version": "2", "source": "s3://bucket/models/plain", "run_id": None,
        "tags": {}, "description": None,
    }
    # Every delivery has its own id.
    ids = [d.delivery_id for d in [model_created, *versions]]
    assert len(set(ids)) == 3


def test_registered_model_created_without_tags(client, hooks, listener, unique):
    t0 = time.time()
    name = unique("wh-bare")
    client.create_registered_model(name)
    (delivery,) = listener.wait_for("/ok/signed", name=name, event=("registered_model", "created"))
    data = _check_delivery(delivery, SIGNED_SECRET, "registered_model", "created", t0)
    assert data == {"name": name, "tags": {}, "description": ""}


def test_alias_deliveries(client, hooks, listener, unique):
    t0 = time.time()
    name = unique("wh-alias")
    run_id = _new_run(client)
    client.create_registered_model(name)
    for _ in range(2):
        client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id)
    client.set_registered_model_alias(name, "champion", "1")
    client.set_registered_model_alias(name, "champion", "2")  # a move is announced as created again
    client.delete_registered_model_alias(name, "champion")

    created = listener.wait_for("/ok/signed", count=2, name=name, event=("model_version_alias", "created"))
    deleted = listener.wait_for("/ok/signed", count=1, name=name, event=("model_version_alias", "deleted"))
    created_data = [_check_delivery(d, SIGNED_SECRET, "model_version_alias", "created", t0) for d in created]
    assert sorted(created_data, key=lambda d: d["version"]) == [
        {"name": name, "alias": "champion", "version": "1"},
        {"name": name, "alias": "champion", "version": "2"},
    ]
    assert [_check_delivery(d, SIGNED_SECRET, "model_version_alias", "deleted", t0) for d in deleted] == [
        {"name": name, "alias": "champion"},
    ]
    # The signed webhook is not subscribed to tag events.
    client.set_model_version_tag(name, "1", "k", "v")
    listener.wait_for("/flaky/tags", count=2, name=name)  # the tag event was delivered elsewhere (with a retry)
    assert listener.matching("/ok/signed", name=name, event=("model_version_tag", "set")) == []
    # One model, two versions, two alias sets and one alias delete: nothing more, nothing twice.
    everything = listener.wait_for("/ok/signed", count=6, name=name)
    assert len(everything) == 6
    assert len({d.delivery_id for d in everything}) == 6


def test_failed_delivery_is_retried_with_same_id(client, hooks, listener, unique):
    t0 = time.time()
    name = unique("wh-retry")
    run_id = _new_run(client)
    client.create_registered_model(name)
    client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id)
    client.set_model_version_tag(name, "1", "quality", "good")

    attempts = listener.wait_for("/flaky/tags", count=2, name=name)
    first, second = attempts[0], attempts[1]
    assert first.answered == 500 and second.answered == 200
    assert first.delivery_id == second.delivery_id
    assert first.headers["x-mlflow-timestamp"] == second.headers["x-mlflow-timestamp"]
    assert first.body == second.body
    assert first.headers["x-mlflow-signature"] == second.headers["x-mlflow-signature"]
    assert second.received_at >= first.received_at
    data = _check_delivery(second, FLAKY_SECRET, "model_version_tag", "set", t0)
    assert data == {"name": name, "version": "1", "key": "quality", "value": "good"}
    # A success ends the retries.
    time.sleep(1.0)
    assert len(listener.matching("/flaky/tags", name=name)) == 2


def test_registry_call_returns_while_listener_hangs(client, hooks, listener, unique):
    t0 = time.time()
    name = unique("wh-slow")
    run_id = _new_run(client)
    client.create_registered_model(name)
    client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id)
    try:
        started = time.monotonic()
        client.delete_model_version_tag(name, "1", "never-set")  # fires model_version_tag.deleted
        elapsed = time.monotonic() - started
        (delivery,) = listener.wait_for("/slow/tags", name=name)
        assert elapsed < 2.0, f"the registry call took {elapsed:.1f}s while the listener was hanging"
        # The server keeps serving while the delivery is still open.
        started = time.monotonic()
        assert client.get_model_version(name, "1").version == "1"
        assert time.monotonic() - started < 2.0
        data = _check_delivery(delivery, None, "model_version_tag", "deleted", t0)
        assert data == {"name": name, "version": "1", "key": "never-set"}
    finally:
        listener.release_slow.set()


# ======================================================================================
# Kaizen only: stage-transition events and the delivery log
# ======================================================================================


@pytest.mark.kaizen_only
def test_stage_transition_event(base_url, client, listener, unique):
    t0 = time.time()
    resp = requests.post(
        f"{base_url}{API}/webhooks",
        data=json.dumps({
            "name": unique("stage-hook"),
            "url": listener.url("/ok/stage"),
            "events": [{"entity": "MODEL_VERSION_STAGE", "action": "TRANSITIONED"}],
            "secret": STAGE_SECRET,
        }),
        headers=JSON_HEADERS,
        timeout=30,
    )
    assert resp.status_code == 200, resp.text
    hook = resp.json()["webhook"]
    # Listed apart from MLflow's events, so the mlflow client can still parse the webhook.
    assert hook.get("events", []) == []
    assert hook["kaizen_events"] == [{"entity": "MODEL_VERSION_STAGE", "action": "TRANSITIONED"}]
    assert hook["status"] == "ACTIVE"
    # The mlflow client cannot parse an event type it does not know (get_webhook and
    # list_webhooks raise), so this webhook is removed again at the end.
    try:
        name = unique("wh-stage")
        run_id = _new_run(client)
        client.create_registered_model(name)
        client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id)
        client.transition_model_version_stage(name, "1", "Production")

        (delivery,) = listener.wait_for("/ok/stage", name=name)
        data = _check_delivery(delivery, STAGE_SECRET, "model_version_stage", "transitioned", t0)
        assert data["name"] == name
        assert data["version"] == "1"
        assert "Production" in data.values(), data
    finally:
        gone = requests.delete(f"{base_url}{API}/webhooks/{hook['webhook_id']}", timeout=30)
        assert gone.status_code == 200, gone.text


@pytest.mark.kaizen_only
def test_delivery_log_shows_retry(base_url, client, hooks, listener, unique):
    name = unique("wh-log")
    run_id = _new_run(client)
    client.create_registered_model(name)
    client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id)
    client.set_model_version_tag(name, "1", "quality", "good")
    attempts = listener.wait_for("/flaky/tags", count=2, name=name)
    delivery_id = attempts[0].delivery_id

    hook_id = hooks["flaky"].webhook_id
    deadline = time.monotonic() + DELIVERY_WAIT_S
    entry = None
    while time.monotonic() < deadline:
        resp = requests.get(f"{base_url}{API}/webhooks/{hook_id}/deliveries", timeout=30)
        assert resp.status_code == 200, resp.text
        deliveries = resp.json().get("deliveries", [])
        entry = next((d for d in deliveries if d.get("delivery_id") == delivery_id), None)
        if entry is not None and entry.get("status") == "succeeded":
            break
        time.sleep(0.2)
    assert entry is not None, f"delivery {delivery_id} not in the log"
    assert entry["status"] == "succeeded", entry
    assert isinstance(entry["attempts"], int) and entry["attempts"] >= 2, entry
    assert entry.get("response_status", 200) == 200, entry
    assert "model_version_tag" in json.dumps(entry.get("event")).lower(), entry

    resp = requests.get(f"{base_url}{API}/webhooks/{uuid.uuid4()}/deliveries", timeout=30)
    assert resp.status_code == 404, resp.text


def test_github_repository_dispatch_target(client, listener, unique):
    """A webhook whose URL is a repository's dispatch endpoint gets GitHub's body and the secret as its token."""
    name = unique("wh-gh")
    path = f"/repos/acme/{name}/dispatches"
    token = "ghp_kaizen_example_token"
    client.create_webhook(
        name=unique("deploy"), url=listener.url(path), events=["model_version_alias.created"], secret=token
    )
    run_id = _new_run(client)
    client.create_registered_model(name)
    client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id)
    client.set_registered_model_alias(name, "champion", "1")

    [delivery] = listener.wait_for(path, count=1)
    assert delivery.headers["authorization"] == f"Bearer {token}"
    assert delivery.headers["accept"] == "application/vnd.github+json"
    assert delivery.headers["x-github-api-version"] == "2022-11-28"
    assert "x-mlflow-signature" not in delivery.headers
    body = json.loads(delivery.body)
    assert set(body) == {"event_type", "client_payload"}
    assert body["event_type"] == "kaizen.model_version_alias.created"
    assert set(body["client_payload"]) == ENVELOPE_KEYS
    assert body["client_payload"]["entity"] == "model_version_alias"
    assert body["client_payload"]["data"] == {"name": name, "alias": "champion", "version": "1"}
