#!/usr/bin/env python3
"""A small sentiment classifier of RoBERTa's structure, for text serving: what `roberta-sequence-classification-9.onnx`
is, at a size the tests can carry.

The encoder is RoBERTa's (byte-level BPE ids, positions from a cumulative sum of the mask, two layers, hidden 64)
with random weights, built with `onnx.helper` as PyTorch's exporter lays it out (interop/text/make_encoder_fixtures.py);
the classification head is RoBERTa's (the `<s>` token's state, dense, tanh, out_proj to two logits). The head is
fitted here, by logistic regression on the encoder's features, to a few hundred template sentences labelled
NEGATIVE or POSITIVE, so that a sentence like "I loved this movie" comes out POSITIVE. The tokenizer is the byte-level
BPE trained by make_tokenizer_fixtures.py, shipped as RoBERTa ships its own: `vocab.json` and `merges.txt`.

Writes OUT_DIR/{model.onnx, vocab.json, merges.txt, config.json (id2label, pad_token_id), expected.jsonl}: texts with
onnxruntime's probabilities, the ids from the `tokenizers` library.

Usage: make_sentiment_model.py TOKENIZER_DIR OUT_DIR, where TOKENIZER_DIR holds vocab.json and merges.txt.
"""

from __future__ import annotations

import itertools
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper
from tokenizers import Tokenizer

sys.path.insert(0, str(Path(__file__).parent))
from make_encoder_fixtures import encoder, random_weights  # noqa: E402
from make_tokenizer_fixtures import roberta_from_files  # noqa: E402

POSITIVE = ["great", "wonderful", "excellent", "amazing", "fantastic", "delightful", "superb", "lovely", "brilliant",
            "perfect"]
NEGATIVE = ["terrible", "awful", "horrible", "bad", "boring", "disappointing", "dreadful", "poor", "mediocre",
            "miserable"]
LIKED = ["loved", "enjoyed", "liked", "adored"]
DISLIKED = ["hated", "disliked", "regretted", "loathed"]
SUBJECTS = ["the movie", "this film", "the food", "the service", "our stay", "the book", "the show", "this product",
            "the concert", "the hotel"]

CHECKS = [
    "I loved this movie",
    "The food was terrible",
    "An absolutely wonderful evening!",
    "What a boring, disappointing book.",
    "",
    "Emoji 😀 and accents: café, naïve.",
    "a much longer review " * 40,
]


def labelled() -> list[tuple[str, int]]:
    sentences = []
    for subject, word in itertools.product(SUBJECTS, POSITIVE):
        sentences += [(f"{subject} was {word}", 1), (f"{subject.capitalize()} was {word}!", 1)]
    for subject, word in itertools.product(SUBJECTS, NEGATIVE):
        sentences += [(f"{subject} was {word}", 0), (f"{subject.capitalize()} was {word}.", 0)]
    for subject, verb in itertools.product(SUBJECTS, LIKED):
        sentences.append((f"I {verb} {subject}", 1))
    for subject, verb in itertools.product(SUBJECTS, DISLIKED):
        sentences.append((f"I {verb} {subject}", 0))
    return sentences


def reference_tokenizer(folder: Path) -> Tokenizer:
    """RoBERTa's tokenizer from vocab.json and merges.txt, truncating at 128 and padding a batch to its longest."""
    tokenizer = roberta_from_files(folder)
    tokenizer.enable_truncation(128)
    tokenizer.enable_padding(pad_id=tokenizer.token_to_id("<pad>"), pad_token="<pad>")
    return tokenizer


def with_head(model: onnx.ModelProto, head: dict[str, np.ndarray], output: str) -> onnx.ModelProto:
    """The encoder with RoBERTa's classification head on the `<s>` token: logits, or (`output="cls"`) the `<s>`
    token's state, which the fit reads."""
    graph = model.graph
    nodes = list(graph.node)
    inits = list(graph.initializer)

    def const(name: str, array: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(array, name))
        return name

    nodes.append(helper.make_node("Gather", ["last_hidden_state", const("head_first", np.array(0, np.int64))],
                                  ["head_cls"], axis=1))
    if output == "cls":
        outputs = [helper.make_tensor_value_info("head_cls", TensorProto.FLOAT, ["batch", head["dense_w"].shape[0]])]
        return finished(model, nodes, inits, outputs)
    nodes.append(helper.make_node("MatMul", ["head_cls", const("head_dense_w", head["dense_w"])], ["head_dense_mm"]))
    nodes.append(helper.make_node("Add", ["head_dense_mm", const("head_dense_b", head["dense_b"])], ["head_dense"]))
    nodes.append(helper.make_node("Tanh", ["head_dense"], ["features"]))
    nodes.append(helper.make_node("MatMul", ["features", const("head_out_w", head["out_w"])], ["head_out_mm"]))
    nodes.append(helper.make_node("Add", ["head_out_mm", const("head_out_b", head["out_b"])], ["logits"]))
    return finished(model, nodes, inits, [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 2])])


def finished(model: onnx.ModelProto, nodes: list, inits: list, outputs: list) -> onnx.ModelProto:
    graph = model.graph
    new_graph = helper.make_graph(nodes, "roberta_sentiment", list(graph.input), outputs, inits)
    result = helper.make_model(new_graph, opset_imports=list(model.opset_import), producer_name="kaizen-fixtures")
    result.ir_version = model.ir_version
    onnx.checker.check_model(result)
    return result


def run(model: onnx.ModelProto, tokenizer: Tokenizer, texts: list[str]) -> np.ndarray:
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    encodings = tokenizer.encode_batch(texts)
    feeds = {"input_ids": np.array([e.ids for e in encodings], np.int64),
             "attention_mask": np.array([e.attention_mask for e in encodings], np.int64)}
    return session.run(None, feeds)[0]


def main() -> None:
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    for name in ("vocab.json", "merges.txt"):
        shutil.copy(source / name, out / name)
    tokenizer = reference_tokenizer(out)
    config = {"hidden": 64, "heads": 4, "layers": 2, "intermediate": 128, "eps": 1e-5, "positions": 130,
              "vocab": tokenizer.get_vocab_size()}
    encoder_model = encoder(random_weights(config, 7), config, 14, "roberta")
    rng = np.random.default_rng(11)
    head = {"dense_w": rng.normal(0, 0.3, (64, 64)).astype(np.float32),
            "dense_b": rng.normal(0, 0.1, 64).astype(np.float32)}

    sentences = labelled()
    texts = [text for text, _ in sentences]
    labels = np.array([label for _, label in sentences], np.float64)
    states = run(with_head(encoder_model, head, "cls"), tokenizer, texts).astype(np.float64)
    # The head (dense, tanh, one logit) fitted by Adam on the cross-entropy, with a little L2; the negative logit is
    # the positive one's opposite, so softmax over the two equals the fitted sigmoid.
    params = {"w1": head["dense_w"].astype(np.float64), "b1": head["dense_b"].astype(np.float64),
              "w2": np.zeros(64), "b2": np.zeros(1)}
    moments = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in params.items()}
    for step in range(1, 3001):
        hidden = np.tanh(states @ params["w1"] + params["b1"])
        probability = 1 / (1 + np.exp(-(hidden @ params["w2"] + params["b2"][0])))
        delta = (probability - labels) / len(labels)
        back = np.outer(delta, params["w2"]) * (1 - hidden ** 2)
        grads = {"w2": hidden.T @ delta + 1e-4 * params["w2"], "b2": np.array([delta.sum()]),
                 "w1": states.T @ back + 1e-4 * params["w1"], "b1": back.sum(axis=0)}
        for key, grad in grads.items():
            first, second = moments[key]
            first = 0.9 * first + 0.1 * grad
            second = 0.999 * second + 0.001 * grad ** 2
            moments[key] = (first, second)
            params[key] -= 0.01 * (first / (1 - 0.9 ** step)) / (np.sqrt(second / (1 - 0.999 ** step)) + 1e-8)
    hidden = np.tanh(states @ params["w1"] + params["b1"])
    accuracy = float(((hidden @ params["w2"] + params["b2"][0] > 0) == (labels == 1)).mean())
    assert accuracy >= 0.9, f"the sentiment head fits only {accuracy:.1%} of its sentences"
    head["dense_w"] = params["w1"].astype(np.float32)
    head["dense_b"] = params["b1"].astype(np.float32)
    head["out_w"] = np.stack([-params["w2"] / 2, params["w2"] / 2], axis=1).astype(np.float32)
    head["out_b"] = np.array([-params["b2"][0] / 2, params["b2"][0] / 2], np.float32)

    model = with_head(encoder_model, head, "logits")
    onnx.save(model, str(out / "model.onnx"))
    (out / "config.json").write_text(json.dumps({
        "architectures": ["RobertaForSequenceClassification"], "model_type": "roberta",
        "id2label": {"0": "NEGATIVE", "1": "POSITIVE"}, "label2id": {"NEGATIVE": 0, "POSITIVE": 1},
        "pad_token_id": tokenizer.token_to_id("<pad>"), "max_position_embeddings": 130}, indent=2))
    checks = CHECKS + texts[::25]
    logits = run(model, tokenizer, checks).astype(np.float64)
    probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    with open(out / "expected.jsonl", "w", encoding="utf-8") as handle:
        for text, row in zip(checks, probabilities):
            label = ["NEGATIVE", "POSITIVE"][int(row.argmax())]
            handle.write(json.dumps({"text": text, "label": label, "probabilities": row.tolist()},
                                    ensure_ascii=False) + "\n")
    print(f"sentiment: head fits {accuracy:.1%} of {len(texts)} sentences; "
          + ", ".join(f"{text!r}: {['NEGATIVE', 'POSITIVE'][int(row.argmax())]}"
                      for text, row in zip(CHECKS[:4], probabilities)))


if __name__ == "__main__":
    main()
