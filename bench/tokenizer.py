#!/usr/bin/env python3
"""Tokenizer throughput: `kaizen tokenize --bench` against the `tokenizers` library on one thread, same texts and
tokenizer files, in one run.

Texts: the 10,000 varied sentences of interop/text/make_tokenizer_fixtures.py (source lines, emoji, accents, CJK,
long words, special tokens). Tokenizers: the real all-MiniLM-L6-v2 WordPiece tokenizer (truncation and padding to
128, as shipped) and the RoBERTa-style byte-level BPE trained there. The library is measured two ways on one thread
(RAYON_NUM_THREADS=1): `encode` called once per text from Python, and `encode_batch` over all texts; Kaizen
tokenizes the same texts one by one for the same time. Ratio > 1 means Kaizen is faster. Run after
`make release` and `make text-fixtures`: `.venv/bin/python bench/tokenizer.py`.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"

REPO = Path(__file__).resolve().parent.parent
sys.path.append(str(REPO / "interop" / "text"))
import make_tokenizer_fixtures as fixtures  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

KAIZEN_BIN = os.environ.get("KAIZEN_BIN", str(REPO / ".build" / "release" / "kaizen"))
SECONDS = 4.0


def library(tokenizer: Tokenizer, texts: list[str], batch: bool) -> float:
    done = 0
    started = time.perf_counter()
    while time.perf_counter() - started < SECONDS:
        if batch:
            tokenizer.encode_batch(texts)
        else:
            for text in texts:
                tokenizer.encode(text)
        done += len(texts)
    return done / (time.perf_counter() - started)


def main() -> None:
    texts = fixtures.sentences(10_000, fixtures.corpus_lines(), random.Random(20261205))
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "texts.jsonl"
        path.write_text("".join(json.dumps(text) + "\n" for text in texts))
        print(f"# tokenizers, 10,000 texts, one thread; tokenizers {__import__('tokenizers').__version__}")
        for name in ("minilm", "bpe-roberta"):
            file = REPO / ".fixtures" / "text" / name / "tokenizer.json"
            tokenizer = Tokenizer.from_file(str(file))
            single = library(tokenizer, texts, batch=False)
            batch = library(tokenizer, texts, batch=True)
            completed = subprocess.run([KAIZEN_BIN, "tokenize", "--tokenizer", str(file), "--jsonl", "--bench",
                                        "--seconds", str(SECONDS), str(path)], capture_output=True, text=True,
                                       check=True)
            kaizen = json.loads(completed.stdout)["texts_per_second"]
            print(f"{name:>12}: kaizen {kaizen:,.0f} texts/s; tokenizers encode {single:,.0f}/s ({kaizen / single:.2f}x), "
                  f"encode_batch {batch:,.0f}/s ({kaizen / batch:.2f}x)", flush=True)


if __name__ == "__main__":
    main()
