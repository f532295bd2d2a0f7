"""`kaizen ci init github`: the continuous-delivery workflow and Kubernetes manifests it writes.

The workflow is read back as YAML and checked for what makes it work: the repository_dispatch trigger that a Kaizen
webhook sends (see test_webhooks.py::test_github_repository_dispatch_target), the filter on the model and alias, the
build-image command that pushes by digest, and the rollout by digest. The manifests must use the model server's
port, user and Open Inference Protocol health routes.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

KAIZEN_BIN = Path(os.environ.get("KAIZEN_BIN", Path(__file__).resolve().parents[1] / ".build/debug/kaizen"))


def ci_init(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(KAIZEN_BIN), "ci", "init", *args, "--directory", str(folder)],
        capture_output=True, text=True, timeout=60,
    )


def test_github_workflow_and_manifests(tmp_path):
    result = ci_init(tmp_path, "github", "--model", "Fraud Model", "--image", "ghcr.io/acme/fraud", "--replicas", "3")
    assert result.returncode == 0, result.stderr
    workflow = yaml.safe_load((tmp_path / ".github/workflows/kaizen-deploy.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["repository_dispatch"]["types"] == ["kaizen.model_version_alias.created"]
    assert "version" in triggers["workflow_dispatch"]["inputs"]
    job = workflow["jobs"]["deploy"]
    assert "github.event.client_payload.data.name == 'Fraud Model'" in job["if"]
    assert "github.event.client_payload.data.alias == 'champion'" in job["if"]
    assert workflow["env"]["IMAGE"] == "ghcr.io/acme/fraud"
    assert workflow["env"]["MODEL_NAME"] == "Fraud Model"
    steps = {step["name"]: step for step in job["steps"]}
    build = steps["Build and push the image"]
    assert "kaizen models build-image" in build["run"]
    assert "--push" in build["run"] and "--digest-file digest.txt" in build["run"]
    assert build["env"]["VERSION"] == "${{ github.event.client_payload.data.version || inputs.version }}"
    rollout = steps["Roll out by digest"]["run"]
    assert 'set image deployment/fraud-model server="$IMAGE@$DIGEST"' in rollout
    assert "rollout status deployment/fraud-model" in rollout

    deployment, service = yaml.safe_load_all((tmp_path / "deploy/kubernetes/fraud-model.yaml").read_text())
    assert deployment["kind"] == "Deployment" and service["kind"] == "Service"
    assert deployment["spec"]["replicas"] == 3
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsUser"] == 65532
    [container] = pod["containers"]
    assert container["name"] == "server"
    assert container["ports"] == [{"name": "http", "containerPort": 8080}]
    assert container["readinessProbe"]["httpGet"]["path"] == "/v2/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/v2/health/live"
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert deployment["spec"]["template"]["metadata"]["labels"].items() >= selector.items()
    assert service["spec"]["selector"] == selector
    assert service["spec"]["ports"][0]["targetPort"] == "http"


def test_existing_files_are_kept_unless_forced(tmp_path):
    assert ci_init(tmp_path, "github", "--model", "m", "--image", "ghcr.io/acme/m").returncode == 0
    workflow = tmp_path / ".github/workflows/kaizen-deploy.yml"
    workflow.write_text("# mine\n")
    again = ci_init(tmp_path, "github", "--model", "m", "--image", "ghcr.io/acme/m")
    assert again.returncode != 0
    assert "exists; pass --force" in again.stderr
    assert workflow.read_text() == "# mine\n"
    forced = ci_init(tmp_path, "github", "--model", "m", "--image", "ghcr.io/acme/m", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "repository_dispatch" in workflow.read_text()


@pytest.mark.parametrize(
    "args, message",
    [
        (["gitlab", "--model", "m", "--image", "ghcr.io/a/m"], "knows github"),
        (["github", "--model", "m", "--image", "ghcr.io/a/m:v1"], "--image"),
        (["github", "--model", "m", "--image", "ghcr.io/a/m@sha256:00"], "--image"),
        (["github", "--model", "m", "--image", "ghcr.io/a/m", "--alias", "bad alias'"], "--alias"),
        (["github", "--model", "m", "--image", "ghcr.io/a/m", "--name", "../etc"], "--name"),
        (["github", "--model", "m", "--image", "ghcr.io/a/m", "--namespace", "Prod"], "--namespace"),
    ],
)
def test_bad_arguments_are_refused(tmp_path, args, message):
    result = ci_init(tmp_path, *args)
    assert result.returncode != 0
    assert message in result.stderr
    assert not (tmp_path / ".github").exists()
