"""The team topology for the interop suite: N Kaizen replicas on one PostgreSQL database and one S3 bucket,
behind nginx.

``INTEROP_TOPOLOGY=replicas`` makes every server the suite starts such a topology instead of one process on SQLite
and a folder; the tests are the same and must pass the same. It needs ``KAIZEN_TEST_POSTGRES_URL`` (a server where
it may create databases) and ``KAIZEN_TEST_S3_URL`` (an S3 endpoint that takes the test credentials), which
``scripts/services.sh`` provides. Each topology gets a database and a bucket of its own.

nginx's configuration here is the README's sample: requests and responses stream through unbuffered, any body
size, keep-alive to the replicas, and a request that could not reach a replica at all is retried on the next one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import requests

REPLICAS = int(os.environ.get("INTEROP_REPLICAS", "3"))
S3_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}

NGINX_CONF = """\
worker_processes 1;
daemon off;
{user}
pid {root}/nginx.pid;
error_log {root}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {root}/nginx-temp/body;
    proxy_temp_path {root}/nginx-temp/proxy;
    fastcgi_temp_path {root}/nginx-temp/fastcgi;
    uwsgi_temp_path {root}/nginx-temp/uwsgi;
    scgi_temp_path {root}/nginx-temp/scgi;

    upstream kaizen {{
{servers}
        keepalive 32;
    }}
    server {{
        listen {host}:{port};
        # Artifacts and models stream through: no size limit, nothing buffered to disk.
        client_max_body_size 0;
        proxy_request_buffering off;
        proxy_buffering off;
        proxy_buffer_size 64k;
        proxy_buffers 4 64k;
        proxy_busy_buffers_size 64k;
        # Paths nginx itself refuses (`..` above the root) get an error in the API's format, not an HTML page.
        error_page 400 /kaizen-bad-request;
        location = /kaizen-bad-request {{
            internal;
            default_type application/json;
            return 400 '{{"error_code": "INVALID_PARAMETER_VALUE", "message": "Invalid path"}}';
        }}
        location / {{
            proxy_pass http://kaizen;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 300s;
            proxy_next_upstream error timeout;
        }}
    }}
}}
"""


def is_enabled() -> bool:
    return os.environ.get("INTEROP_TOPOLOGY", "single").strip().lower() == "replicas"


def requirements() -> tuple[str, str]:
    """The PostgreSQL and S3 URLs the topology runs on; a clear failure when either is missing."""
    postgres = os.environ.get("KAIZEN_TEST_POSTGRES_URL", "")
    s3 = os.environ.get("KAIZEN_TEST_S3_URL", "")
    missing = [name for name, value in (("KAIZEN_TEST_POSTGRES_URL", postgres), ("KAIZEN_TEST_S3_URL", s3)) if not value]
    if missing:
        raise RuntimeError(
            f"INTEROP_TOPOLOGY=replicas needs {', '.join(missing)}: run it through scripts/services.sh "
            "(make interop-replicas)"
        )
    if not shutil.which("nginx"):
        raise RuntimeError("INTEROP_TOPOLOGY=replicas needs nginx: run `make services-tools`")
    return postgres, s3


def create_database(admin_url: str) -> str:
    """A new empty database on the test server; returns its URL."""
    name = f"kz_{uuid.uuid4().hex[:16]}"
    subprocess.run(["psql", admin_url, "-q", "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    base, _, query = admin_url.partition("?")
    base = base.rsplit("/", 1)[0]
    return f"{base}/{name}" + (f"?{query}" if query else "")


def create_bucket(s3_url: str) -> str:
    name = f"kz-{uuid.uuid4().hex[:16]}"
    response = requests.put(f"{s3_url}/{name}", timeout=30)
    response.raise_for_status()
    return name


def list_objects(s3_url: str, bucket: str) -> list[str]:
    """The keys in a bucket (the S3 server of the tests answers unsigned requests)."""
    import xml.etree.ElementTree as ET

    keys: list[str] = []
    token = None
    while True:
        params = {"list-type": "2"}
        if token:
            params["continuation-token"] = token
        response = requests.get(f"{s3_url}/{bucket}", params=params, timeout=30)
        response.raise_for_status()
        root = ET.fromstring(response.content)
        ns = {"s3": root.tag.split("}")[0].strip("{")} if root.tag.startswith("{") else {}
        prefix = "s3:" if ns else ""
        keys += [e.text or "" for e in root.iterfind(f"{prefix}Contents/{prefix}Key", ns)]
        if (root.findtext(f"{prefix}IsTruncated", default="false", namespaces=ns) or "").lower() != "true":
            return keys
        token = root.findtext(f"{prefix}NextContinuationToken", namespaces=ns)


def replica_environment(s3_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_") and not k.startswith("AWS_")}
    env.update(S3_CREDENTIALS)
    env["MLFLOW_S3_ENDPOINT_URL"] = s3_url
    # Replicas behind one address share the UI's secret, so a page from one is accepted by the others.
    env["KAIZEN_UI_SECRET"] = "interop-replicas"
    return env


def nginx_config(root: Path, host: str, port: int, replica_ports: list[int]) -> Path:
    (root / "nginx-temp").mkdir(exist_ok=True)
    servers = "\n".join(f"        server {host}:{p} max_fails=1 fail_timeout=2s;" for p in replica_ports)
    user = "user root;" if os.geteuid() == 0 else ""
    conf = root / "nginx.conf"
    conf.write_text(NGINX_CONF.format(user=user, root=root, servers=servers, host=host, port=port))
    return conf


def stray_files(replica_roots: list[Path]) -> list[str]:
    """Files a replica left on its disk other than its log: artifacts must all be in the bucket."""
    found = []
    for root in replica_roots:
        for path in root.rglob("*"):
            if path.is_file() and path.name != "server.log":
                found.append(str(path))
    return found
