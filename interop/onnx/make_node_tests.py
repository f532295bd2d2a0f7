#!/usr/bin/env python3
"""Rebuild ONNX backend node tests for the operators KaizenONNX implements.

Usage: make_node_tests.py OUTDIR [--ops OPS]

onnx 1.23.2 no longer ships the node test data (onnx/backend/test/data/node);
the cases are built in memory by onnx.backend.test.case.node.collect_testcases().
This script materialises them in the old on-disk layout, as onnx's former
`backend-test-tools generate-data` did:

    OUTDIR/<test_name>/model.onnx
    OUTDIR/<test_name>/test_data_set_<k>/input_<i>.pb    (graph.input order)
    OUTDIR/<test_name>/test_data_set_<k>/output_<j>.pb   (graph.output order)
    OUTDIR/<test_name>/case.json                          {"rtol": ..., "atol": ...}

Each .pb is a serialized TensorProto, or a SequenceProto / MapProto /
OptionalProto when the graph input/output has that type (numpy_helper.from_list
/ from_dict / from_optional, as onnx did).

Only tests whose nodes all use the selected operators are written; the check
covers every node of the graph, including `_expanded` function bodies and
subgraphs (Scan bodies). The default selection is the operator set of the
classical-ML models KaizenONNX targets and the transformer encoders' operators (DEFAULT_OPS); --ops replaces it with a
comma- or space-separated list, where a name prefixed with `ml:` or
`ai.onnx.ml:` belongs to ai.onnx.ml and any other name to ai.onnx, e.g.
--ops "Add,Mul,ml:ZipMap".

Many node tests draw random inputs from numpy's global generator; it is seeded
first so that the files are the same on every run.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper

AI_ONNX = ""  # the default domain; "ai.onnx" is the same domain
AI_ONNX_ML = "ai.onnx.ml"

DEFAULT_OPS: dict[str, frozenset[str]] = {
    AI_ONNX: frozenset(
        """Abs Add ArgMax Cast Concat ConstantOfShape Div Equal Exp Flatten Gather Gemm Identity Less
        MatMul Mul Neg Pow ReduceLogSumExp ReduceMean ReduceProd ReduceSum ReduceSumSquare Relu Reshape
        Scan Shape Sigmoid Softmax Sqrt Sub Sum TopK Transpose
        Constant CumSum Erf Expand Gelu LayerNormalization Not Range Slice Squeeze Tanh Unsqueeze Where""".split()
    ),
    AI_ONNX_ML: frozenset(
        """ArrayFeatureExtractor Binarizer Imputer LabelEncoder LinearClassifier LinearRegressor
        Normalizer OneHotEncoder SVMClassifier SVMRegressor Scaler TreeEnsembleClassifier
        TreeEnsembleRegressor TreeEnsemble ZipMap""".split()
    ),
}

# Element types most engines support; tests using others are only counted.
COMMON_ELEM_TYPES = {
    TensorProto.FLOAT,
    TensorProto.DOUBLE,
    TensorProto.INT32,
    TensorProto.INT64,
    TensorProto.BOOL,
    TensorProto.STRING,
}
MAX_ORT_IR_VERSION = 13  # onnxruntime 1.31.1 loads IR <= 13

EXPANDED_NAME = re.compile(r"^(?P<base>.+)_expanded(?:_ver\d+)?$")


def parse_ops(spec: str) -> dict[str, frozenset[str]]:
    ops: dict[str, set[str]] = {AI_ONNX: set(), AI_ONNX_ML: set()}
    for token in re.split(r"[,\s]+", spec.strip()):
        if not token:
            continue
        domain, _, name = token.rpartition(":")
        if domain in ("ml", AI_ONNX_ML):
            ops[AI_ONNX_ML].add(name)
        elif domain in ("", "ai.onnx"):
            ops[AI_ONNX].add(name)
        else:
            raise SystemExit(f"error: unknown domain in --ops entry {token!r} (use ml: or ai.onnx.ml:)")
    return {d: frozenset(names) for d, names in ops.items()}


def normalise_domain(domain: str) -> str:
    return AI_ONNX if domain in ("", "ai.onnx") else domain


def graph_ops(graph: onnx.GraphProto) -> set[tuple[str, str]]:
    """(domain, op_type) of every node of graph and of its subgraphs."""
    found = set()
    for node in graph.node:
        found.add((normalise_domain(node.domain), node.op_type))
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                found |= graph_ops(attr.g)
            elif attr.type == onnx.AttributeProto.GRAPHS:
                for g in attr.graphs:
                    found |= graph_ops(g)
    return found


def uses_only(model: onnx.ModelProto, allowed: dict[str, frozenset[str]]) -> bool:
    if model.functions:  # model-local functions define their own (non-standard) ops
        return False
    return all(op in allowed.get(domain, ()) for domain, op in graph_ops(model.graph))


def io_elem_types(tp: onnx.TypeProto) -> set[int]:
    kind = tp.WhichOneof("value")
    if kind == "tensor_type":
        return {tp.tensor_type.elem_type}
    if kind == "sparse_tensor_type":
        return {tp.sparse_tensor_type.elem_type}
    if kind == "sequence_type":
        return io_elem_types(tp.sequence_type.elem_type)
    if kind == "optional_type":
        return io_elem_types(tp.optional_type.elem_type)
    if kind == "map_type":
        return {tp.map_type.key_type} | io_elem_types(tp.map_type.value_type)
    return set()


def serialize_value(value, info: onnx.ValueInfoProto) -> bytes:
    """One test input/output, encoded as onnx's generate-data did."""
    tp = info.type
    if tp.HasField("map_type"):
        return numpy_helper.from_dict(value, info.name).SerializeToString()
    if tp.HasField("sequence_type"):
        return numpy_helper.from_list(value, info.name).SerializeToString()
    if tp.HasField("optional_type"):
        return numpy_helper.from_optional(value, info.name).SerializeToString()
    if not tp.HasField("tensor_type"):
        raise TypeError(f"unsupported graph I/O type for {info.name}: {tp}")
    if isinstance(value, TensorProto):
        return value.SerializeToString()
    return numpy_helper.from_array(value, info.name).SerializeToString()


def write_test(case, outdir: Path) -> None:
    test_dir = outdir / case.name
    test_dir.mkdir(parents=True)
    model = case.model
    (test_dir / "model.onnx").write_bytes(model.SerializeToString())
    for k, (inputs, outputs) in enumerate(case.data_sets):
        data_dir = test_dir / f"test_data_set_{k}"
        data_dir.mkdir()
        for i, value in enumerate(inputs):
            (data_dir / f"input_{i}.pb").write_bytes(serialize_value(value, model.graph.input[i]))
        for j, value in enumerate(outputs):
            (data_dir / f"output_{j}.pb").write_bytes(serialize_value(value, model.graph.output[j]))
    (test_dir / "case.json").write_text(json.dumps({"rtol": case.rtol, "atol": case.atol}) + "\n")


def prepare_outdir(outdir: Path) -> None:
    """Create OUTDIR, removing earlier tests (directories holding a
    model.onnx). Anything else in it stops the script."""
    outdir.mkdir(parents=True, exist_ok=True)
    for child in sorted(outdir.iterdir()):
        if child.is_dir() and (child / "model.onnx").exists():
            shutil.rmtree(child)
        else:
            sys.exit(f"error: {outdir} contains {child.name!r}, which is not a node test; not clearing it")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path, help="directory to (re)create the tests in")
    parser.add_argument("--ops", help="operators to select instead of the default set (see the module docstring)")
    args = parser.parse_args()
    allowed = parse_ops(args.ops) if args.ops is not None else DEFAULT_OPS

    started = time.perf_counter()
    np.random.seed(0)
    from onnx.backend.test.case.node import collect_testcases

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # overflow / divide-by-zero cases are intended
        cases = collect_testcases()
    collected = time.perf_counter() - started

    # The operator a test exercises: the single node of a plain test; for an
    # `_expanded[_verN]` variant, the operator of the test it expands.
    tested_op: dict[str, str] = {}
    for case in cases:
        if not EXPANDED_NAME.match(case.name) and len(case.model.graph.node) == 1:
            node = case.model.graph.node[0]
            domain = normalise_domain(node.domain)
            tested_op[case.name] = f"ml:{node.op_type}" if domain == AI_ONNX_ML else node.op_type

    prepare_outdir(args.outdir)
    per_op: Counter[str] = Counter()
    per_op_expanded: Counter[str] = Counter()
    uncommon_types, ir_too_new = [], []
    for case in cases:
        if case.kind != "node" or case.model is None or not uses_only(case.model, allowed):
            continue
        write_test(case, args.outdir)
        expanded = EXPANDED_NAME.match(case.name)
        op = tested_op.get(expanded.group("base") if expanded else case.name, "?")
        (per_op_expanded if expanded else per_op)[op] += 1
        graph = case.model.graph
        types = set().union(*(io_elem_types(v.type) for v in [*graph.input, *graph.output]))
        if not types <= COMMON_ELEM_TYPES:
            uncommon_types.append(case.name)
        if case.model.ir_version > MAX_ORT_IR_VERSION:
            ir_too_new.append(case.name)

    written = sum(per_op.values()) + sum(per_op_expanded.values())
    print(f"onnx {onnx.__version__}: {len(cases)} node test cases collected in {collected:.1f}s")
    print("tests written per operator (plain + _expanded):")
    for op in sorted(set(per_op) | set(per_op_expanded), key=lambda s: (s.startswith("ml:"), s.lower())):
        extra = f" + {per_op_expanded[op]} expanded" if per_op_expanded[op] else ""
        print(f"  {op:24s} {per_op[op]:3d}{extra}")
    missing = sorted(
        (f"ml:{op}" if d == AI_ONNX_ML else op)
        for d, names in allowed.items()
        for op in names
        if (f"ml:{op}" if d == AI_ONNX_ML else op) not in per_op and (f"ml:{op}" if d == AI_ONNX_ML else op) not in per_op_expanded
    )
    if missing:
        print(f"selected operators without any test: {', '.join(missing)}")
    print(
        f"total: {written} tests ({sum(per_op.values())} plain, {sum(per_op_expanded.values())} expanded) "
        f"written to {args.outdir} in {time.perf_counter() - started:.1f}s"
    )
    print(
        f"  of which {len(uncommon_types)} use element types other than float/double/int32/int64/bool/string, "
        f"{len(ir_too_new)} have IR version > {MAX_ORT_IR_VERSION}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
