"""A transformer served text in, labels out: the chapter's RoBERTa sentiment service on Kaizen.

The sentiment classifier of `make text-fixtures` (RoBERTa's structure, its tokenizer as `vocab.json` and
`merges.txt`, its labels in `config.json`'s id2label) is packaged with `kaizen models package-text`, logged with the
real `mlflow` client (`mlflow.log_artifacts`), registered, given the alias `champion`, and served by
`kaizen models serve -m models:/<name>@champion`. Every MLflow request form, CSV, the Open Inference Protocol in JSON
and through the real Triton client, and `kaizen models predict` on a file of texts must give onnxruntime's
probabilities (within 1e-4) on the `tokenizers` library's ids. Numbers where text is expected, over-long texts and
invalid UTF-8 get MLflow-style errors and the server keeps serving.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import requests

from interop_helpers import raw_request
from serving_helpers import KAIZEN_BIN, kaizen_env, start_kaizen_serve, stop_scoring_server

FIXTURE = Path(__file__).resolve().parent.parent / ".fixtures" / "text" / "sentiment"
TOL = {"rtol": 1e-4, "atol": 1e-4}
LABELS = ["NEGATIVE", "POSITIVE"]

TEXTS = [
    "I loved this movie",
    "The food was terrible",
    "the hotel was superb!",
    "I hated the show",
    "",
    "Emoji 😀, accents (café, naïve) and CJK 日本語",
    "  spaces   everywhere\tand\ttabs  ",
    "a very long review " * 60,
]

pytestmark = pytest.mark.skipif(not (FIXTURE / "model.onnx").exists(), reason="run make text-fixtures")


def _reference(texts: list[str]) -> np.ndarray:
    """onnxruntime's probabilities on the library tokenizer's ids, each text alone (no padding)."""
    import onnxruntime

    sys.path.insert(0, str(Path(__file__).parent / "text"))
    from make_sentiment_model import reference_tokenizer

    tokenizer = reference_tokenizer(FIXTURE)
    tokenizer.no_padding()
    session = onnxruntime.InferenceSession(str(FIXTURE / "model.onnx"), providers=["CPUExecutionProvider"])
    rows = []
    for text in texts:
        encoding = tokenizer.encode(text)
        logits = session.run(None, {"input_ids": np.array([encoding.ids], np.int64),
                                    "attention_mask": np.array([encoding.attention_mask], np.int64)})[0][0]
        exponents = np.exp(logits.astype(np.float64) - logits.max())
        rows.append(exponents / exponents.sum())
    return np.array(rows)


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("text") / "sentiment"
    result = subprocess.run(
        [str(KAIZEN_BIN), "models", "package-text", "--onnx", str(FIXTURE / "model.onnx"),
         "--vocab", str(FIXTURE / "vocab.json"), "--merges", str(FIXTURE / "merges.txt"),
         "--config", str(FIXTURE / "config.json"), "--max-length", "128", "-o", str(folder)],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "text in" in result.stdout and "label, score, probabilities out" in result.stdout
    return folder


@pytest.fixture(scope="module")
def served(server, package, tmp_path_factory):
    """The package logged and registered with the real mlflow client, served as models:/<name>@champion."""
    import mlflow
    from mlflow import MlflowClient

    mlflow.set_tracking_uri(server.url)
    name = "sentiment"
    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(package), artifact_path="model")
    version = mlflow.register_model(f"runs:/{run.info.run_id}/model", name)
    MlflowClient(server.url).set_registered_model_alias(name, "champion", version.version)
    srv = start_kaizen_serve(f"models:/{name}@champion", tmp_path_factory.mktemp("serve"), tracking_uri=server.url)
    try:
        yield srv
    finally:
        stop_scoring_server(srv)


@pytest.fixture(scope="module")
def expected() -> np.ndarray:
    return _reference(TEXTS)


def _check_records(records: list[dict], expected: np.ndarray) -> None:
    assert [r["label"] for r in records] == [LABELS[int(row.argmax())] for row in expected]
    np.testing.assert_allclose([r["probabilities"] for r in records], expected, **TOL)
    np.testing.assert_allclose([r["score"] for r in records], expected.max(axis=1), **TOL)


def _post(srv, body, headers=None):
    if isinstance(body, (dict, list)):
        return requests.post(f"{srv.url}/invocations", json=body, timeout=120)
    return requests.post(f"{srv.url}/invocations", data=body, headers=headers, timeout=120)


def test_the_package_is_an_mlflow_model_folder(package):
    import yaml

    mlmodel = yaml.safe_load((package / "MLmodel").read_text())
    assert mlmodel["flavors"]["onnx"]["data"] == "model.onnx"
    text = mlmodel["flavors"]["kaizen_text"]
    assert text["labels"] == LABELS and text["max_length"] == 128 and text["task"] == "text-classification"
    assert text["padding_id"] == 1
    assert json.loads(mlmodel["signature"]["inputs"]) == [{"type": "string", "name": "text", "required": True}]
    assert sorted(p.name for p in package.iterdir()) == ["MLmodel", "model.onnx", "tokenizer.json"]
    # The tokenizer.json written from vocab.json and merges.txt is one the library reads, with the same ids.
    from tokenizers import Tokenizer

    sys.path.insert(0, str(Path(__file__).parent / "text"))
    from make_sentiment_model import reference_tokenizer

    written, reference = Tokenizer.from_file(str(package / "tokenizer.json")), reference_tokenizer(FIXTURE)
    reference.no_padding()
    reference.no_truncation()
    for text in TEXTS + ["a <mask> b"]:
        assert written.encode(text, "pair").ids == reference.encode(text, "pair").ids


def test_a_wordpiece_vocabulary_is_packaged_as_a_tokenizer_the_library_reads(tmp_path):
    """BERT's vocab.txt (the cased vocabulary of make text-fixtures) with MiniLM's encoder graph, as embeddings."""
    from tokenizers import Tokenizer
    from tokenizers.implementations import BertWordPieceTokenizer

    vocab = FIXTURE.parent / "vocab-bert" / "vocab.txt"
    encoder = FIXTURE.parent.parent / "onnx" / "encoders" / "minilm_opset14" / "model.onnx"
    result = subprocess.run(
        [str(KAIZEN_BIN), "models", "package-text", "--onnx", str(encoder), "--vocab", str(vocab), "--cased",
         "--task", "feature-extraction", "--normalize", "-o", str(tmp_path / "bert")],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "embedding out" in result.stdout
    written = Tokenizer.from_file(str(tmp_path / "bert" / "tokenizer.json"))
    reference = BertWordPieceTokenizer(str(vocab), lowercase=False)
    for text in TEXTS + ["[CLS] x [MASK] y", "Ünïcödé ÀÉÎ"]:
        assert written.encode(text, "pair").ids == reference.encode(text, "pair").ids


def test_every_mlflow_form_gets_onnxruntimes_probabilities(served, expected):
    records = _post(served, {"dataframe_split": {"columns": ["text"], "data": [[t] for t in TEXTS]}})
    assert records.status_code == 200, records.text
    _check_records(records.json()["predictions"], expected)
    answer = _post(served, {"dataframe_records": [{"text": t, "other": 1} for t in TEXTS]})
    _check_records(answer.json()["predictions"], expected)
    answer = _post(served, {"inputs": {"text": TEXTS}})
    _check_records(answer.json()["predictions"], expected)
    for key in ("inputs", "instances"):
        columns = _post(served, {key: TEXTS}).json()["predictions"]
        assert columns["label"] == [LABELS[int(row.argmax())] for row in expected]
        np.testing.assert_allclose(columns["probabilities"], expected, **TOL)
    one = _post(served, {"inputs": {"text": TEXTS[0]}}).json()["predictions"]
    _check_records(one, expected[:1])
    csv = "text\n" + "".join(json.dumps(t) + "\n" for t in TEXTS[:4])
    answer = _post(served, csv.encode(), {"Content-Type": "text/csv"})
    assert answer.status_code == 200, answer.text
    _check_records(answer.json()["predictions"], expected[:4])


def test_open_inference_and_the_triton_client(served, expected):
    import tritonclient.http as triton

    body = {"id": "r1", "inputs": [{"name": "text", "datatype": "BYTES", "shape": [len(TEXTS)], "data": TEXTS}]}
    answer = requests.post(f"{served.url}/v2/models/sentiment/infer", json=body, timeout=120)
    assert answer.status_code == 200, answer.text
    outputs = {o["name"]: o for o in answer.json()["outputs"]}
    assert outputs["label"]["datatype"] == "BYTES" and outputs["probabilities"]["shape"] == [len(TEXTS), 2]
    assert outputs["label"]["data"] == [LABELS[int(row.argmax())] for row in expected]
    np.testing.assert_allclose(np.reshape(outputs["probabilities"]["data"], (-1, 2)), expected, **TOL)

    client = triton.InferenceServerClient(url=served.url.removeprefix("http://"))
    assert client.is_model_ready("sentiment")
    metadata = client.get_model_metadata("sentiment")
    assert metadata["inputs"] == [{"name": "text", "datatype": "BYTES", "shape": [-1]}]
    assert [o["name"] for o in metadata["outputs"]] == ["label", "score", "probabilities"]
    for binary in (True, False):
        tensor = triton.InferInput("text", [len(TEXTS)], "BYTES")
        tensor.set_data_from_numpy(np.array([t.encode() for t in TEXTS], dtype=np.object_), binary_data=binary)
        wanted = [triton.InferRequestedOutput(name, binary_data=binary) for name in ("label", "probabilities")]
        result = client.infer("sentiment", [tensor], outputs=wanted)
        labels = [v.decode() if isinstance(v, bytes) else v for v in result.as_numpy("label").tolist()]
        assert labels == [LABELS[int(row.argmax())] for row in expected]
        np.testing.assert_allclose(result.as_numpy("probabilities"), expected, **TOL)


def test_a_file_of_texts_is_scored_by_kaizen_models_predict(server, served, expected, tmp_path):
    source = tmp_path / "reviews.jsonl"
    source.write_text("".join(json.dumps({"text": t}) + "\n" for t in TEXTS * 50))
    output = tmp_path / "scored.csv"
    result = subprocess.run(
        [str(KAIZEN_BIN), "models", "predict", "-m", "models:/sentiment@champion", "-i", str(source), "-o",
         str(output)], env=kaizen_env(server.url), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = output.read_text().splitlines()
    assert lines[0] == "label,score,probabilities_0,probabilities_1"
    rows = [line.split(",") for line in lines[1:]]
    assert len(rows) == len(TEXTS) * 50
    assert [r[0] for r in rows[:len(TEXTS)]] == [LABELS[int(row.argmax())] for row in expected]
    np.testing.assert_allclose(np.array([[float(r[2]), float(r[3])] for r in rows]), np.tile(expected, (50, 1)), **TOL)


@pytest.mark.parametrize("body, headers, status, words", [
    (json.dumps({"dataframe_split": {"columns": ["text"], "data": [["fine"], [42]]}}), None, 400,
     "Failed to convert column text to type 'str'"),
    (json.dumps({"inputs": ["fine", 3.5]}), None, 400, "to type 'str'"),
    (json.dumps({"inputs": {"text": [True]}}), None, 400, "to type 'str'"),
    (json.dumps({"dataframe_records": [{"text": None}]}), None, 400, "to type 'str'"),
    (json.dumps({"dataframe_records": [{"review": "good"}]}), None, 400, "Model is missing inputs ['text']"),
    (json.dumps({"inputs": ["x" * 70_000]}), None, 400, "at most 65536 bytes"),
    (b'{"inputs": ["caf\xe9"]}', None, 400, None),
    (b"text\ncaf\xe9 \xff\n", {"Content-Type": "text/csv"}, 400, None),
    (json.dumps({"inputs": [["a", "b"], ["c", "d"]]}), None, 400, "one text per row"),
], ids=["number-in-frame", "number-in-list", "bool", "null", "missing-column", "over-long", "invalid-utf8-json",
        "invalid-utf8-csv", "two-texts-per-row"])
def test_bad_text_gets_an_mlflow_error(served, body, headers, status, words):
    headers = headers or {"Content-Type": "application/json"}
    answer = raw_request(served.url, "POST", "/invocations", body, headers)
    assert answer.status == status, answer.text
    error = answer.json()
    assert error["error_code"] in ("BAD_REQUEST", "INVALID_PARAMETER_VALUE"), error
    if words:
        assert words in error["message"], error["message"]
    assert requests.get(f"{served.url}/ping", timeout=10).status_code == 200


def test_bad_open_inference_text_is_refused(served):
    cases = [
        {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [2], "data": ["a", 7]}]},
        {"inputs": [{"name": "text", "datatype": "FP32", "shape": [1], "data": [1.5]}]},
        {"inputs": [{"name": "review", "datatype": "BYTES", "shape": [1], "data": ["a"]}]},
    ]
    for body in cases:
        answer = requests.post(f"{served.url}/v2/models/sentiment/infer", json=body, timeout=60)
        assert answer.status_code == 400 and "error" in answer.json(), answer.text
    # Binary BYTES that are not UTF-8.
    header = json.dumps({"inputs": [{"name": "text", "datatype": "BYTES", "shape": [1],
                                     "parameters": {"binary_data_size": 7}}]}).encode()
    answer = raw_request(served.url, "POST", "/v2/models/sentiment/infer", header + b"\x03\x00\x00\x00\xff\xfe\x00",
                         {"Content-Type": "application/octet-stream", "Inference-Header-Content-Length": str(len(header))})
    assert answer.status == 400 and "UTF-8" in answer.json()["error"], answer.text


def test_package_text_refuses_what_would_not_serve(tmp_path):
    def package(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(KAIZEN_BIN), "models", "package-text", "--onnx", str(FIXTURE / "model.onnx"),
                               *extra, "-o", str(tmp_path / "out")], capture_output=True, text=True, timeout=120)

    vocab = ["--vocab", str(FIXTURE / "vocab.json"), "--merges", str(FIXTURE / "merges.txt")]
    for extra, words in [
        (vocab + ["--labels", "A,B,C"], "3 labels"),
        (vocab, "needs its labels"),
        (["--labels", "A,B"], "--tokenizer"),
        (["--tokenizer", str(FIXTURE / "config.json"), "--labels", "A,B"], "tokenizer does not load"),
        (vocab + ["--labels", "A,B", "--task", "summarization"], "summarization"),
    ]:
        result = package(*extra)
        assert result.returncode != 0 and words in result.stderr, (extra, result.stderr)
        assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out*"))
