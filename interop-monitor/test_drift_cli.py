"""`kaizen monitor drift` as a user meets it: the HTML page, the exit status for CI, and bad input."""

from __future__ import annotations

import json
import os
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
KAIZEN_BIN = Path(os.environ.get("KAIZEN_BIN", str(REPO_ROOT / ".build" / "debug" / "kaizen")))


def drift(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(KAIZEN_BIN), "monitor", "drift", *arguments], capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(5)
    reference = pd.DataFrame({"x": rng.normal(0, 1, 400), "y": rng.normal(0, 1, 400),
                              "colour": rng.choice(["red", "blue", "<b>&'\""], 400)})
    current = reference.sample(frac=1, random_state=1).copy()
    current["x"] += 1
    reference.to_csv(tmp_path / "reference.csv", index=False)
    current.to_csv(tmp_path / "current.csv", index=False)
    return tmp_path / "reference.csv", tmp_path / "current.csv"


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.svgs = 0
        self.scripts = 0
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.svgs += tag == "svg"
        self.scripts += tag == "script"

    def handle_data(self, data):
        self.text.append(data)


def test_html_page_draws_every_column_and_escapes_labels(files, tmp_path):
    reference, current = files
    page_path = tmp_path / "report.html"
    completed = drift("--reference", str(reference), "--current", str(current), "--html", str(page_path))
    assert completed.returncode == 0, completed.stderr
    page = Page()
    page.feed(page_path.read_text())
    assert page.svgs == 3 and page.scripts == 0
    text = "".join(page.text)
    assert "<b>&'\"" in text  # the label came back as text, not markup
    assert "1 of 3 columns drifted" in text


def test_fail_on_drift_exits_3_only_when_the_data_set_drifted(files):
    reference, current = files
    assert drift("--reference", str(reference), "--current", str(current), "--fail-on-drift").returncode == 0
    completed = drift("--reference", str(reference), "--current", str(current), "--fail-on-drift",
                      "--drift-share", "0.3", "--json")
    assert completed.returncode == 3
    assert json.loads(completed.stdout)["dataset_drift"] is True


@pytest.mark.parametrize("content, message", [
    ("a,b\n1,2,3\n", "more fields than the header"),
    ("a,a\n1,2\n", "appears twice"),
    ('a,b\n"1,2\n', "not closed"),
    ("", "no header"),
])
def test_malformed_files_are_refused_with_the_line(files, tmp_path, content, message):
    reference, _ = files
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    completed = drift("--reference", str(reference), "--current", str(bad))
    assert completed.returncode != 0 and completed.returncode < 128, completed
    assert message in completed.stderr


def test_bad_options_and_paths_are_refused(files, tmp_path):
    reference, current = files
    cases = [
        (["--reference", str(tmp_path / "missing.csv"), "--current", str(current)], "Cannot open"),
        (["--reference", str(tmp_path), "--current", str(current)], "not a regular file"),
        (["--reference", str(reference), "--current", str(current), "--method", "anderson"], "anderson"),
        (["--reference", str(reference), "--current", str(current), "--column-method", "x"], "COLUMN=VALUE"),
        (["--reference", str(reference), "--current", str(current), "--column-threshold", "x=high"],
         "not a number"),
        (["--reference", str(reference), "--current", str(current), "--drift-share", "0"], "--drift-share"),
    ]
    for arguments, message in cases:
        completed = drift(*arguments)
        assert completed.returncode != 0 and completed.returncode < 128, (arguments, completed)
        assert message in completed.stderr, (arguments, completed.stderr)


def test_mismatched_and_empty_columns_have_defined_results(tmp_path):
    (tmp_path / "reference.csv").write_text("a,b,gone,empty\n" + "".join(f"{i},{i % 2},1,\n" for i in range(30)))
    (tmp_path / "current.csv").write_text("a,b,empty,new\n" + "".join(f"{i},x{i % 2},,1\n" for i in range(30)))
    completed = drift("--reference", str(tmp_path / "reference.csv"), "--current", str(tmp_path / "current.csv"),
                      "--json")
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["missing_from_current"] == ["gone"] and report["not_in_reference"] == ["new"]
    columns = {column["name"]: column for column in report["columns"]}
    assert columns["a"]["method"] == "ks" and columns["a"]["score"] == 1
    assert "type mismatch" in columns["b"]["note"]
    assert "no values" in columns["empty"]["note"]
    assert report["compared_columns"] == 1
    assert "NaN" not in completed.stdout
