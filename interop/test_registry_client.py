"""The Kaizen model registry as seen by the real `mlflow` Python client.

Registered models, versions, stages, aliases, tags and search go through the public
mlflow API (`mlflow.sklearn.log_model(registered_model_name=...)`, `MlflowClient`,
`mlflow.pyfunc.load_model('models:/...')`) and the tests check the values that come
back. Raw HTTP is used only for what the client cannot express: malformed input and
Kaizen's own audit-trail endpoint. The `kaizen models ...` commands are checked at the
end (Kaizen only).
"""

from __future__ import annotations

import json
import re
import time

import mlflow
import numpy as np
import pytest
import requests
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import (
    INVALID_PARAMETER_VALUE,
    RESOURCE_ALREADY_EXISTS,
    RESOURCE_DOES_NOT_EXIST,
    ErrorCode,
)

from interop_helpers import API, JSON_HEADERS, SKLEARN_REQUIREMENTS, assert_error

# Stage APIs are deprecated in the client and warn on every call; the registry still serves them.
pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")

HISTORY = "/api/2.0/kaizen/registered-models/history"


def code_name(code: int) -> str:
    return ErrorCode.Name(code)


def now_ms() -> int:
    return int(time.time() * 1000)


def _new_run(client: MlflowClient) -> str:
    return client.create_run("0").info.run_id


def _new_model(client: MlflowClient, name: str, versions: int = 0, run_id: str | None = None) -> list[str]:
    """Create registered model `name` with `versions` versions (sources runs:/<run>/model); returns their numbers."""
    client.create_registered_model(name)
    run_id = run_id or _new_run(client)
    return [
        client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id).version for _ in range(versions)
    ]


def _stages(client: MlflowClient, name: str) -> dict[str, str]:
    return {mv.version: mv.current_stage for mv in client.search_model_versions(f"name='{name}'")}


def _assert_missing_model(client: MlflowClient, name: str) -> None:
    with pytest.raises(MlflowException) as excinfo:
        client.get_registered_model(name)
    assert excinfo.value.error_code == code_name(RESOURCE_DOES_NOT_EXIST)
    assert f"Registered Model with name={name} not found" in excinfo.value.message


# ======================================================================================
# Logging scikit-learn models straight into the registry
# ======================================================================================


@pytest.fixture(scope="module")
def iris_registered(server):
    """Two LogisticRegression fits on iris (C=0.01 and C=100) logged as versions 1 and 2 of one model."""
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    mlflow.set_tracking_uri(server.url)
    X, y = load_iris(return_X_y=True, as_frame=True)
    name = f"iris-{int(time.time() * 1000)}"
    models, infos, run_ids = [], [], []
    for c in (0.01, 100.0):
        model = LogisticRegression(C=c, max_iter=2000).fit(X, y)
        with mlflow.start_run() as run:
            info = mlflow.sklearn.log_model(
                model, name="model", registered_model_name=name, input_example=X.iloc[:3],
                pip_requirements=SKLEARN_REQUIREMENTS,
            )
        models.append(model)
        infos.append(info)
        run_ids.append(run.info.run_id)
    predictions = [m.predict(X) for m in models]
    # The two versions must be told apart by their predictions.
    assert not np.array_equal(predictions[0], predictions[1])
    return {"name": name, "X": X, "infos": infos, "run_ids": run_ids, "predictions": predictions}


def test_log_model_registers_versions(client, iris_registered):
    name = iris_registered["name"]
    infos = iris_registered["infos"]
    assert [str(info.registered_model_version) for info in infos] == ["1", "2"]

    for number, info, run_id in zip(("1", "2"), infos, iris_registered["run_ids"]):
        mv = client.get_model_version(name, number)
        assert mv.name == name
        assert mv.version == number
        assert mv.status == "READY"
        assert mv.current_stage == "None"
        assert mv.source == f"models:/{info.model_id}"
        assert re.fullmatch(r"models:/m-[0-9a-f]+", mv.source), mv.source
        assert mv.run_id == run_id
        uri = client.get_model_version_download_uri(name, number)
        assert uri.startswith("mlflow-artifacts:/") and uri.endswith(f"/models/{info.model_id}/artifacts"), uri

    rm = client.get_registered_model(name)
    assert rm.name == name
    assert {mv.version for mv in rm.latest_versions} == {"2"}  # one per stage: both are in None
    found = client.search_model_versions(f"name='{name}'", order_by=["version_number ASC"])
    assert [mv.version for mv in found] == ["1", "2"]
    assert [mv.source for mv in found] == [f"models:/{info.model_id}" for info in infos]


def test_pyfunc_load_by_version_stage_latest_and_alias(client, iris_registered):
    name, X = iris_registered["name"], iris_registered["X"]
    p1, p2 = iris_registered["predictions"]
    client.transition_model_version_stage(name, "1", "Production")
    client.set_registered_model_alias(name, "champion", "1")

    def predict(uri: str):
        return np.asarray(mlflow.pyfunc.load_model(uri).predict(X))

    assert np.array_equal(predict(f"models:/{name}/1"), p1)
    assert np.array_equal(predict(f"models:/{name}/2"), p2)
    assert np.array_equal(predict(f"models:/{name}/Production"), p1)  # latest would be version 2
    assert np.array_equal(predict(f"models:/{name}/latest"), p2)
    assert np.array_equal(predict(f"models:/{name}@champion"), p1)

    with pytest.raises(MlflowException):
        mlflow.pyfunc.load_model(f"models:/{name}/Staging")  # no version in Staging


def test_register_model_from_run_uri(client, unique, iris_registered):
    name = unique("registered-from-run")
    run_id = iris_registered["run_ids"][0]
    mv = mlflow.register_model(f"runs:/{run_id}/model", name)
    assert mv.name == name
    assert mv.version == "1"
    assert mv.status == "READY"
    assert mv.run_id == run_id
    assert mv.source == f"models:/{iris_registered['infos'][0].model_id}"

    again = mlflow.register_model(f"runs:/{run_id}/model", name)  # existing model: a new version
    assert again.version == "2"
    loaded = mlflow.pyfunc.load_model(f"models:/{name}/1")
    assert np.array_equal(np.asarray(loaded.predict(iris_registered["X"])), iris_registered["predictions"][0])


# ======================================================================================
# Registered models: create, get, rename, update, delete, tags
# ======================================================================================


def test_create_get_update_delete_registered_model(client, unique):
    name = unique("rm")
    t0 = now_ms()
    created = client.create_registered_model(name, tags={"team": "vision", "tier": "1"}, description="first")
    assert created.name == name
    assert created.description == "first"
    assert created.tags == {"team": "vision", "tier": "1"}
    assert t0 - 5000 <= created.creation_timestamp <= now_ms() + 5000

    got = client.get_registered_model(name)
    assert got.name == name
    assert got.description == "first"
    assert got.tags == {"team": "vision", "tier": "1"}
    assert got.creation_timestamp == created.creation_timestamp
    assert got.latest_versions == []
    assert got.aliases == {}

    updated = client.update_registered_model(name, description="second")
    assert updated.description == "second"
    assert client.get_registered_model(name).description == "second"

    client.delete_registered_model(name)
    _assert_missing_model(client, name)
    # The name is free again and numbering restarts.
    assert _new_model(client, name, versions=1) == ["1"]


def test_rename_moves_versions(client, unique):
    old, new = unique("rename-old"), unique("rename-new")
    run_id = _new_run(client)
    assert _new_model(client, old, versions=3, run_id=run_id) == ["1", "2", "3"]
    client.delete_model_version(old, "2")
    client.set_registered_model_tag(old, "team", "nlp")
    client.set_model_version_tag(old, "3", "quality", "good")
    client.set_registered_model_alias(old, "champion", "3")

    client.rename_registered_model(old, new)  # the client discards the returned model

    _assert_missing_model(client, old)
    rm = client.get_registered_model(new)
    assert rm.name == new
    assert {mv.version for mv in rm.latest_versions} == {"3"}
    assert rm.tags == {"team": "nlp"}
    assert rm.aliases == {"champion": "3"}
    versions = client.search_model_versions(f"name='{new}'", order_by=["version_number ASC"])
    assert [(mv.name, mv.version) for mv in versions] == [(new, "1"), (new, "3")]
    assert client.get_model_version(new, "3").tags == {"quality": "good"}
    assert client.get_model_version_by_alias(new, "champion").version == "3"
    assert client.search_model_versions(f"name='{old}'") == []
    # Numbering continues after the rename and skips the deleted version's number.
    assert client.create_model_version(new, f"runs:/{run_id}/model", run_id=run_id).version == "4"


def test_registered_model_tags(client, unique):
    name = unique("rm-tags")
    client.create_registered_model(name, tags={"a": "1"})
    client.set_registered_model_tag(name, "b", "2")
    client.set_registered_model_tag(name, "a", "updated")
    client.set_registered_model_tag(name, "empty", "")
    assert client.get_registered_model(name).tags == {"a": "updated", "b": "2", "empty": ""}

    client.delete_registered_model_tag(name, "a")
    assert client.get_registered_model(name).tags == {"b": "2", "empty": ""}
    client.delete_registered_model_tag(name, "never-set")  # deleting a missing key is not an error
    assert client.get_registered_model(name).tags == {"b": "2", "empty": ""}


def test_model_version_tags_and_description(client, unique):
    name = unique("mv-tags")
    run_id = _new_run(client)
    client.create_registered_model(name)
    mv = client.create_model_version(
        name, f"runs:/{run_id}/model", run_id=run_id, tags={"stage": "dev"}, description="initial"
    )
    assert mv.version == "1"
    assert mv.tags == {"stage": "dev"}
    assert mv.description == "initial"
    assert mv.source == f"runs:/{run_id}/model"
    assert mv.run_id == run_id
    assert mv.status == "READY"
    assert mv.current_stage == "None"

    client.set_model_version_tag(name, "1", "accuracy", "0.97")
    client.set_model_version_tag(name, "1", "stage", "qa")
    assert client.get_model_version(name, "1").tags == {"stage": "qa", "accuracy": "0.97"}
    client.delete_model_version_tag(name, "1", "stage")
    assert client.get_model_version(name, "1").tags == {"accuracy": "0.97"}

    updated = client.update_model_version(name, "1", description="reviewed")
    assert updated.description == "reviewed"
    assert client.get_model_version(name, "1").description == "reviewed"
    # The registered model itself carries none of the version's tags.
    assert client.get_registered_model(name).tags == {}


# ======================================================================================
# Stages
# ======================================================================================


def test_get_latest_versions_with_and_without_stages(client, unique):
    name = unique("latest")
    assert _new_model(client, name, versions=5) == ["1", "2", "3", "4", "5"]
    client.transition_model_version_stage(name, "1", "Archived")
    client.transition_model_version_stage(name, "2", "Staging")
    client.transition_model_version_stage(name, "3", "Production")
    client.transition_model_version_stage(name, "4", "Production")
    # version 5 stays in None

    latest = client.get_latest_versions(name)
    assert {mv.current_stage: mv.version for mv in latest} == {
        "Archived": "1", "Staging": "2", "Production": "4", "None": "5",
    }
    assert len(latest) == 4

    assert [mv.version for mv in client.get_latest_versions(name, stages=["Staging"])] == ["2"]
    assert [mv.version for mv in client.get_latest_versions(name, stages=["Production"])] == ["4"]
    both = client.get_latest_versions(name, stages=["production", "ARCHIVED"])  # stage names ignore case
    assert sorted(mv.version for mv in both) == ["1", "4"]
    assert [mv.version for mv in client.get_latest_versions(name, stages=["None"])] == ["5"]

    rm = client.get_registered_model(name)
    assert {mv.current_stage: mv.version for mv in rm.latest_versions} == {
        "Archived": "1", "Staging": "2", "Production": "4", "None": "5",
    }


def test_transition_with_and_without_archiving(client, unique):
    name = unique("transition")
    _new_model(client, name, versions=4)
    mv = client.transition_model_version_stage(name, "1", "Production")
    assert (mv.version, mv.current_stage) == ("1", "Production")
    client.transition_model_version_stage(name, "2", "Production")  # without archiving: both stay
    client.transition_model_version_stage(name, "3", "Staging")
    assert _stages(client, name) == {"1": "Production", "2": "Production", "3": "Staging", "4": "None"}

    mv = client.transition_model_version_stage(name, "4", "Production", archive_existing_versions=True)
    assert (mv.version, mv.current_stage) == ("4", "Production")
    # Only the versions that were in the target stage are archived.
    assert _stages(client, name) == {"1": "Archived", "2": "Archived", "3": "Staging", "4": "Production"}

    mv = client.transition_model_version_stage(name, "1", "staging", archive_existing_versions=True)
    assert mv.current_stage == "Staging"
    assert _stages(client, name) == {"1": "Staging", "2": "Archived", "3": "Archived", "4": "Production"}


def test_stage_names_ignore_case(client, unique):
    name = unique("stage-case")
    _new_model(client, name, versions=1)
    for given, canonical in [("staging", "Staging"), ("PRODUCTION", "Production"), ("archived", "Archived"),
                             ("none", "None")]:
        mv = client.transition_model_version_stage(name, "1", given)
        assert mv.current_stage == canonical
        assert client.get_model_version(name, "1").current_stage == canonical


# ======================================================================================
# Aliases
# ======================================================================================


def test_aliases(client, unique):
    name = unique("alias")
    _new_model(client, name, versions=2)
    client.set_registered_model_alias(name, "champion", "1")
    client.set_registered_model_alias(name, "challenger", "2")

    mv = client.get_model_version_by_alias(name, "champion")
    assert (mv.name, mv.version) == (name, "1")
    assert mv.aliases == ["champion"]
    assert client.get_registered_model(name).aliases == {"champion": "1", "challenger": "2"}
    assert client.get_model_version(name, "2").aliases == ["challenger"]

    # Setting an existing alias moves it.
    client.set_registered_model_alias(name, "champion", "2")
    assert client.get_model_version_by_alias(name, "champion").version == "2"
    assert client.get_model_version(name, "1").aliases == []
    assert sorted(client.get_model_version(name, "2").aliases) == ["challenger", "champion"]
    assert client.get_registered_model(name).aliases == {"champion": "2", "challenger": "2"}

    client.delete_registered_model_alias(name, "champion")
    assert client.get_registered_model(name).aliases == {"challenger": "2"}
    with pytest.raises(MlflowException) as excinfo:
        client.get_model_version_by_alias(name, "champion")
    assert excinfo.value.error_code == code_name(INVALID_PARAMETER_VALUE)
    assert "Registered model alias champion not found." in excinfo.value.message

    # Aliases are case-sensitive.
    with pytest.raises(MlflowException):
        client.get_model_version_by_alias(name, "Challenger")

    # Deleting a version drops the aliases that point at it.
    client.delete_model_version(name, "2")
    assert client.get_registered_model(name).aliases == {}
    with pytest.raises(MlflowException):
        client.get_model_version_by_alias(name, "challenger")


def test_alias_to_unknown_version_fails(client, unique):
    name = unique("alias-missing")
    _new_model(client, name, versions=1)
    with pytest.raises(MlflowException) as excinfo:
        client.set_registered_model_alias(name, "champion", "7")
    assert excinfo.value.error_code == code_name(RESOURCE_DOES_NOT_EXIST)
    assert f"Model Version (name={name}, version=7) not found" in excinfo.value.message
    assert client.get_registered_model(name).aliases == {}


# ======================================================================================
# Search
# ======================================================================================


def test_search_registered_models(client, unique):
    prefix = unique("srch")
    names = [f"{prefix}-a", f"{prefix}-b", f"{prefix}-c"]
    client.create_registered_model(names[0], tags={"team": "red"})
    client.create_registered_model(names[1], tags={"team": "blue"})
    client.create_registered_model(names[2], tags={"team": "red", "env": "prod"})
    client.create_registered_model(unique("other"), tags={"team": "red"})

    def found(**kwargs):
        return [rm.name for rm in client.search_registered_models(**kwargs)]

    assert found(filter_string=f"name LIKE '{prefix}-%'") == names
    assert found(filter_string=f"name = '{names[1]}'") == [names[1]]
    assert found(filter_string=f"name LIKE '{prefix}-%' AND tags.team = 'red'") == [names[0], names[2]]
    assert found(filter_string=f"name LIKE '{prefix}-%' AND tags.env = 'prod'") == [names[2]]
    assert found(filter_string=f"name LIKE '{prefix}-%' AND tags.team LIKE 'bl%'") == [names[1]]
    assert found(filter_string=f"name LIKE '{prefix.upper()}-%'") == []  # LIKE is case-sensitive
    assert found(filter_string=f"name ILIKE '{prefix.upper()}-%'") == names
    assert found(filter_string=f"name LIKE '{prefix}-%'", order_by=["name DESC"]) == names[::-1]

    results = client.search_registered_models(filter_string=f"name = '{names[2]}'")
    assert len(results) == 1 and results[0].tags == {"team": "red", "env": "prod"}

    page1 = client.search_registered_models(
        filter_string=f"name LIKE '{prefix}-%'", max_results=2, order_by=["name ASC"]
    )
    assert [rm.name for rm in page1] == names[:2]
    assert page1.token
    page2 = client.search_registered_models(
        filter_string=f"name LIKE '{prefix}-%'", max_results=2, order_by=["name ASC"], page_token=page1.token
    )
    assert [rm.name for rm in page2] == names[2:]
    assert not page2.token


def test_search_model_versions(client, unique):
    name = unique("srch-mv")
    other = unique("srch-mv-other")
    run_a, run_b = _new_run(client), _new_run(client)
    client.create_registered_model(name)
    client.create_registered_model(other)
    for run_id in (run_a, run_b, run_a):
        client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id)
    client.create_model_version(other, f"runs:/{run_a}/model", run_id=run_a)

    by_name = client.search_model_versions(f"name='{name}'", order_by=["version_number ASC"])
    assert [(mv.name, mv.version) for mv in by_name] == [(name, "1"), (name, "2"), (name, "3")]
    assert [mv.run_id for mv in by_name] == [run_a, run_b, run_a]
    assert all(mv.status == "READY" and mv.current_stage == "None" for mv in by_name)

    desc = client.search_model_versions(f"name='{name}'", order_by=["version_number DESC"])
    assert [mv.version for mv in desc] == ["3", "2", "1"]

    by_run = client.search_model_versions(f"run_id='{run_a}'", order_by=["name ASC", "version_number ASC"])
    assert sorted((mv.name, mv.version) for mv in by_run) == sorted([(name, "1"), (name, "3"), (other, "1")])
    both = client.search_model_versions(f"name='{name}' AND run_id='{run_b}'")
    assert [mv.version for mv in both] == ["2"]

    paged = client.search_model_versions(f"name='{name}'", max_results=2, order_by=["version_number ASC"])
    assert [mv.version for mv in paged] == ["1", "2"]
    assert paged.token
    rest = client.search_model_versions(
        f"name='{name}'", max_results=2, order_by=["version_number ASC"], page_token=paged.token
    )
    assert [mv.version for mv in rest] == ["3"]


def test_delete_model_version_does_not_reuse_number(client, unique):
    name = unique("delete-mv")
    run_id = _new_run(client)
    assert _new_model(client, name, versions=3, run_id=run_id) == ["1", "2", "3"]
    client.delete_model_version(name, "3")
    client.delete_model_version(name, "2")
    with pytest.raises(MlflowException) as excinfo:
        client.get_model_version(name, "3")
    assert excinfo.value.error_code == code_name(RESOURCE_DOES_NOT_EXIST)
    assert f"Model Version (name={name}, version=3) not found" in excinfo.value.message
    assert [mv.version for mv in client.search_model_versions(f"name='{name}'")] == ["1"]
    assert [mv.version for mv in client.get_latest_versions(name)] == ["1"]

    assert client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id).version == "4"
    versions = client.search_model_versions(f"name='{name}'", order_by=["version_number ASC"])
    assert [mv.version for mv in versions] == ["1", "4"]


# ======================================================================================
# Bad input over raw REST
# ======================================================================================


@pytest.fixture
def one_version(client, unique) -> str:
    name = unique("bad-input")
    _new_model(client, name, versions=1)
    return name


def _get(base: str, path: str, **params) -> requests.Response:
    return requests.get(f"{base}{API}/{path}", params=params, timeout=30)


def _send(base: str, method: str, path: str, body: dict, headers: dict | None = None) -> requests.Response:
    return requests.request(
        method, f"{base}{API}/{path}", data=json.dumps(body), headers={**JSON_HEADERS, **(headers or {})},
        timeout=30,
    )


def _assert_message(resp, status: int, code: str, message: str) -> None:
    payload = assert_error(resp, status, code)
    assert payload["message"] == message, payload


def test_unknown_model_and_version(base_url, one_version, unique):
    missing = unique("nope")
    _assert_message(_get(base_url, "registered-models/get", name=missing), 404, "RESOURCE_DOES_NOT_EXIST",
                    f"Registered Model with name={missing} not found")
    _assert_message(_send(base_url, "PATCH", "registered-models/update", {"name": missing, "description": "x"}),
                    404, "RESOURCE_DOES_NOT_EXIST", f"Registered Model with name={missing} not found")
    _assert_message(_send(base_url, "DELETE", "registered-models/delete", {"name": missing}),
                    404, "RESOURCE_DOES_NOT_EXIST", f"Registered Model with name={missing} not found")
    _assert_message(_get(base_url, "model-versions/get", name=one_version, version="9"), 404,
                    "RESOURCE_DOES_NOT_EXIST", f"Model Version (name={one_version}, version=9) not found")
    _assert_message(_get(base_url, "model-versions/get", name=missing, version="1"), 404,
                    "RESOURCE_DOES_NOT_EXIST", f"Model Version (name={missing}, version=1) not found")
    _assert_message(
        _send(base_url, "POST", "model-versions/transition-stage",
              {"name": one_version, "version": "9", "stage": "Staging", "archive_existing_versions": False}),
        404, "RESOURCE_DOES_NOT_EXIST", f"Model Version (name={one_version}, version=9) not found")
    _assert_message(
        _send(base_url, "POST", "model-versions/create", {"name": missing, "source": "s3://bucket/path/model"}),
        404, "RESOURCE_DOES_NOT_EXIST", f"Registered Model with name={missing} not found")


def test_duplicate_registered_model(base_url, one_version):
    resp = _send(base_url, "POST", "registered-models/create", {"name": one_version})
    _assert_message(resp, 400, "RESOURCE_ALREADY_EXISTS", f"Registered Model (name={one_version}) already exists.")


def test_duplicate_registered_model_through_client(client, one_version):
    with pytest.raises(MlflowException) as excinfo:
        client.create_registered_model(one_version)
    assert excinfo.value.error_code == code_name(RESOURCE_ALREADY_EXISTS)


def test_invalid_stage(base_url, client, one_version):
    resp = _send(base_url, "POST", "model-versions/transition-stage",
                 {"name": one_version, "version": "1", "stage": "prod", "archive_existing_versions": False})
    _assert_message(resp, 400, "INVALID_PARAMETER_VALUE",
                    "Invalid Model Version stage: prod. Value must be one of None, Staging, Production, Archived.")
    resp = _send(base_url, "POST", "registered-models/get-latest-versions", {"name": one_version, "stages": ["Live"]})
    _assert_message(resp, 400, "INVALID_PARAMETER_VALUE",
                    "Invalid Model Version stage: Live. Value must be one of None, Staging, Production, Archived.")
    assert client.get_model_version(one_version, "1").current_stage == "None"


@pytest.mark.parametrize("bad_name", ["a/b", "team:model"])
def test_model_name_with_slash_or_colon(base_url, bad_name):
    resp = _send(base_url, "POST", "registered-models/create", {"name": bad_name})
    _assert_message(resp, 400, "INVALID_PARAMETER_VALUE",
                    f"Invalid model name '{bad_name}'. Names cannot contain '/' or ':'.")
    assert _get(base_url, "registered-models/get", name=bad_name).status_code in (400, 404)


def test_reserved_aliases(base_url, client, one_version):
    for alias in ("latest", "LATEST", "Latest"):
        resp = _send(base_url, "POST", "registered-models/alias", {"name": one_version, "alias": alias, "version": "1"})
        _assert_message(resp, 400, "INVALID_PARAMETER_VALUE", "'latest' alias name (case insensitive) is reserved.")
    for alias in ("v1", "V12"):
        resp = _send(base_url, "POST", "registered-models/alias", {"name": one_version, "alias": alias, "version": "1"})
        _assert_message(resp, 400, "INVALID_PARAMETER_VALUE", f"Version alias name '{alias}' is reserved.")
    resp = _send(base_url, "POST", "registered-models/alias", {"name": one_version, "alias": "a.b", "version": "1"})
    _assert_message(resp, 400, "INVALID_PARAMETER_VALUE",
                    "Invalid alias name: 'a.b'. Names may only contain alphanumerics, underscores (_), and dashes (-).")
    assert client.get_registered_model(one_version).aliases == {}

    # Not reserved: a letter after the digits, or no digits.
    for alias in ("v1a", "va"):
        resp = _send(base_url, "POST", "registered-models/alias", {"name": one_version, "alias": alias, "version": "1"})
        assert resp.status_code == 200, resp.text
    assert client.get_registered_model(one_version).aliases == {"v1a": "1", "va": "1"}

    # 'latest' is answered by the server itself: the highest version.
    resp = _get(base_url, "registered-models/alias", name=one_version, alias="latest")
    assert resp.status_code == 200, resp.text
    assert resp.json()["model_version"]["version"] == "1"

    resp = _get(base_url, "registered-models/alias", name=one_version, alias="nope")
    _assert_message(resp, 400, "INVALID_PARAMETER_VALUE", "Registered model alias nope not found.")


def test_oversized_tag_value(base_url, client, one_version):
    big = "x" * 100001
    resp = _send(base_url, "POST", "registered-models/set-tag", {"name": one_version, "key": "k", "value": big})
    _assert_message(resp, 400, "INVALID_PARAMETER_VALUE", "'value' exceeds the maximum length of 100000 characters")
    resp = _send(base_url, "POST", "model-versions/set-tag",
                 {"name": one_version, "version": "1", "key": "k", "value": big})
    _assert_message(resp, 400, "INVALID_PARAMETER_VALUE", "'value' exceeds the maximum length of 100000 characters")
    assert client.get_registered_model(one_version).tags == {}
    assert client.get_model_version(one_version, "1").tags == {}

    # Exactly at the limit is fine.
    client.set_model_version_tag(one_version, "1", "k", "y" * 100000)
    assert client.get_model_version(one_version, "1").tags == {"k": "y" * 100000}


@pytest.mark.parametrize("version", ["abc", "1.0", "one"])
def test_non_integer_version(base_url, one_version, version):
    resp = _get(base_url, "model-versions/get", name=one_version, version=version)
    _assert_message(resp, 400, "INVALID_PARAMETER_VALUE", f"Parameter 'version' must be an integer, got '{version}'.")


def test_non_string_version_in_body(base_url, client, one_version):
    resp = _send(base_url, "POST", "registered-models/alias", {"name": one_version, "alias": "a", "version": 1})
    assert_error(resp, 400, "INVALID_PARAMETER_VALUE")
    assert client.get_registered_model(one_version).aliases == {}


# ======================================================================================
# Audit trail (Kaizen only)
# ======================================================================================


def _history(base: str, name: str) -> list[dict]:
    resp = requests.get(f"{base}{HISTORY}", params={"name": name}, timeout=30)
    assert resp.status_code == 200, resp.text
    events = resp.json().get("events", [])
    assert isinstance(events, list)
    return events


def _check_event_shape(event: dict, t0: int) -> None:
    assert isinstance(event["id"], int), event
    assert isinstance(event["timestamp"], int) and t0 - 5000 <= event["timestamp"] <= now_ms() + 5000, event
    assert isinstance(event["actor"], str) and event["actor"], event
    assert isinstance(event["action"], str), event
    for key in ("before", "after"):
        assert event.get(key) is None or isinstance(event[key], dict), event
    if "version" in event:
        assert isinstance(event["version"], str), event


@pytest.mark.kaizen_only
def test_history_records_operations_in_order(base_url, client, unique):
    name = unique("audit")
    t0 = now_ms()
    run_id = _new_run(client)
    client.create_registered_model(name, description="d0")
    resp = _send(base_url, "POST", "registered-models/set-tag", {"name": name, "key": "team", "value": "red"},
                 headers={"X-Kaizen-User": "alice"})
    assert resp.status_code == 200, resp.text
    client.update_registered_model(name, description="d1")
    client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id)
    client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id)
    client.set_model_version_tag(name, "1", "quality", "good")
    client.delete_model_version_tag(name, "1", "quality")
    client.update_model_version(name, "1", description="checked")
    resp = _send(base_url, "POST", "model-versions/transition-stage",
                 {"name": name, "version": "1", "stage": "Production", "archive_existing_versions": False},
                 headers={"X-Kaizen-User": "bob"})
    assert resp.status_code == 200, resp.text
    client.set_registered_model_alias(name, "champion", "1")
    client.set_registered_model_alias(name, "champion", "2")
    client.delete_registered_model_alias(name, "champion")
    client.delete_registered_model_tag(name, "team")
    client.delete_model_version(name, "2")

    events = _history(base_url, name)
    expected = [
        ("create_registered_model", None),
        ("set_registered_model_tag", None),
        ("update_registered_model", None),
        ("create_model_version", "1"),
        ("create_model_version", "2"),
        ("set_model_version_tag", "1"),
        ("delete_model_version_tag", "1"),
        ("update_model_version", "1"),
        ("transition_model_version_stage", "1"),
        ("set_registered_model_alias", None),
        ("set_registered_model_alias", None),
        ("delete_registered_model_alias", None),
        ("delete_registered_model_tag", None),
        ("delete_model_version", "2"),
    ]
    assert [e["action"] for e in events] == [action for action, _ in expected], json.dumps(events, indent=1)
    for event, (action, version) in zip(events, expected):
        _check_event_shape(event, t0)
        assert event["name"] == name, event
        if version is not None:
            assert event.get("version") == version, event
    ids = [e["id"] for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(stamps)

    actors = [e["actor"] for e in events]
    assert actors[1] == "alice"
    assert actors[8] == "bob"
    assert all(a == "anonymous" for i, a in enumerate(actors) if i not in (1, 8)), actors

    by_index = dict(enumerate(events))
    assert "before" not in by_index[0] or not by_index[0]["before"]
    assert (by_index[1].get("after") or {}).get("value") == "red" or "red" in json.dumps(by_index[1].get("after"))
    assert by_index[2]["before"].get("description") == "d0"
    assert by_index[2]["after"].get("description") == "d1"
    assert by_index[7]["after"].get("description") == "checked"
    assert by_index[8]["before"].get("current_stage") == "None"
    assert by_index[8]["after"].get("current_stage") == "Production"
    assert by_index[9]["after"].get("version") == "1"
    assert by_index[10]["before"].get("version") == "1"
    assert by_index[10]["after"].get("version") == "2"
    assert "champion" in json.dumps([by_index[9], by_index[10], by_index[11]])
    assert (by_index[11].get("before") or {}).get("version") == "2"


@pytest.mark.kaizen_only
def test_history_survives_delete_and_recreate(base_url, client, unique):
    name = unique("audit-lives")
    t0 = now_ms()
    _new_model(client, name, versions=1)
    client.delete_registered_model(name)
    _assert_missing_model(client, name)

    first_life = _history(base_url, name)
    assert [e["action"] for e in first_life] == [
        "create_registered_model", "create_model_version", "delete_registered_model",
    ]

    _new_model(client, name, versions=1)
    client.transition_model_version_stage(name, "1", "Staging")
    both = _history(base_url, name)
    assert [e["action"] for e in both] == [
        "create_registered_model", "create_model_version", "delete_registered_model",
        "create_registered_model", "create_model_version", "transition_model_version_stage",
    ]
    assert both[:3] == first_life  # the first life is unchanged
    for event in both:
        _check_event_shape(event, t0)
        assert event["name"] == name
    assert both[5]["before"].get("current_stage") == "None"
    assert both[5]["after"].get("current_stage") == "Staging"


@pytest.mark.kaizen_only
def test_history_of_rename(base_url, client, unique):
    old, new = unique("audit-old"), unique("audit-new")
    _new_model(client, old, versions=1)
    client.rename_registered_model(old, new)
    client.set_registered_model_alias(new, "champion", "1")

    events = {e["id"]: e for e in _history(base_url, old) + _history(base_url, new)}
    ordered = [events[i] for i in sorted(events)]
    actions = [e["action"] for e in ordered]
    assert actions == [
        "create_registered_model", "create_model_version", "rename_registered_model", "set_registered_model_alias",
    ], json.dumps(ordered, indent=1)
    rename = ordered[2]
    assert rename["before"].get("name") == old
    assert rename["after"].get("name") == new
    assert all(e["name"] in (old, new) for e in ordered), ordered
    assert ordered[3]["name"] == new


@pytest.mark.kaizen_only
def test_history_of_unknown_name_is_empty(base_url, unique):
    assert _history(base_url, unique("never-existed")) == []


# ======================================================================================
# `kaizen models ...` (Kaizen only)
# ======================================================================================


def _ok(result) -> str:
    assert result.returncode == 0, (
        f"exit {result.returncode}\n--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    )
    assert result.stdout.strip(), "command printed nothing"
    return result.stdout


def _in_order(out: str, words: list[str]) -> bool:
    pos = 0
    for word in words:
        found = out.find(word, pos)
        if found < 0:
            return False
        pos = found + len(word)
    return True


@pytest.mark.kaizen_only
def test_cli_models_history(kaizen_cli, client, unique):
    name = unique("cli-history")
    _new_model(client, name, versions=1)
    client.transition_model_version_stage(name, "1", "Production")
    client.set_registered_model_alias(name, "champion", "1")
    out = _ok(kaizen_cli("models", "history", name))
    assert _in_order(out, ["create_registered_model", "create_model_version", "transition_model_version_stage",
                           "set_registered_model_alias"]), out
    assert "anonymous" in out


@pytest.mark.kaizen_only
def test_cli_models_list_and_describe(kaizen_cli, client, unique):
    name, other = unique("cli-list"), unique("cli-list")
    _new_model(client, name, versions=3)
    _new_model(client, other, versions=1)
    client.transition_model_version_stage(name, "1", "Production")
    client.transition_model_version_stage(name, "2", "Staging")
    client.set_registered_model_alias(name, "champion", "1")

    out = _ok(kaizen_cli("models", "list"))
    assert name in out and other in out

    out = _ok(kaizen_cli("models", "describe", name))
    assert name in out
    assert other not in out
    for word in ("Production", "Staging", "champion"):
        assert word in out, (word, out)
    prod_line = next((line for line in out.splitlines() if "Production" in line), "")
    assert re.search(r"(?<![0-9])1(?![0-9])", prod_line), prod_line


@pytest.mark.kaizen_only
def test_cli_models_describe_unknown_fails(kaizen_cli, unique):
    result = kaizen_cli("models", "describe", unique("cli-missing"))
    assert result.returncode != 0


@pytest.mark.kaizen_only
def test_cli_models_transition_and_alias(kaizen_cli, client, unique):
    name = unique("cli-change")
    _new_model(client, name, versions=2)
    _ok(kaizen_cli("models", "transition", name, "1", "Production"))
    assert client.get_model_version(name, "1").current_stage == "Production"
    assert client.get_model_version(name, "2").current_stage == "None"

    _ok(kaizen_cli("models", "alias", name, "champion", "2"))
    assert client.get_model_version_by_alias(name, "champion").version == "2"
    _ok(kaizen_cli("models", "alias", name, "champion", "1"))
    assert client.get_model_version_by_alias(name, "champion").version == "1"
    assert client.get_registered_model(name).aliases == {"champion": "1"}

    result = kaizen_cli("models", "transition", name, "1", "Live")
    assert result.returncode != 0
    assert client.get_model_version(name, "1").current_stage == "Production"
