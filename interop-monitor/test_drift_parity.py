"""`kaizen monitor drift` against Evidently's DataDriftPreset on the same files.

Every case writes a reference and a current CSV, reads them back with pandas (so both sides type the columns from
the same text), runs Evidently's preset with the same options, and runs the Kaizen binary on the files. For every
column, the method chosen, the score (1e-6 relative) and the drift decision must be Evidently's, and so must the
number of drifted columns and the data set's verdict.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from evidently import Report
from evidently.presets import DataDriftPreset
from sklearn import datasets

REPO_ROOT = Path(__file__).resolve().parents[1]
KAIZEN_BIN = Path(os.environ.get("KAIZEN_BIN", str(REPO_ROOT / ".build" / "debug" / "kaizen")))

# Evidently's display names, as they appear in its metric names, for Kaizen's method names.
METHODS = {
    "K-S p_value": "ks",
    "Wasserstein distance (normed)": "wasserstein",
    "chi-square p_value": "chisquare",
    "Z-test p_value": "z",
    "Jensen-Shannon distance": "jensenshannon",
    "PSI": "psi",
    "Kullback-Leibler divergence": "kl_div",
    "Hellinger distance": "hellinger",
}
P_VALUE_METHODS = {"ks", "chisquare", "z"}


def drifted(method: str, score: float, threshold: float) -> bool:
    if method == "ks":
        return score <= threshold
    if method in ("chisquare", "z"):
        return score < threshold
    return score >= threshold


def evidently_report(reference: pd.DataFrame, current: pd.DataFrame, **options) -> dict:
    result = Report([DataDriftPreset(**options)]).run(current, reference).dict()
    columns = {}
    count = None
    for metric in result["metrics"]:
        name = metric["metric_name"]
        if name.startswith("DriftedColumnsCount"):
            count = metric["value"]["count"]
            continue
        assert name.startswith("ValueDrift"), name
        config = metric["config"]
        column, display, threshold = config["column"], config["method"], float(config["threshold"])
        method = METHODS.get(display, display)
        score = float(metric["value"])
        columns[column] = {"method": method, "score": score, "threshold": threshold,
                           "drift": drifted(method, score, threshold)}
    return {"columns": columns, "drifted": count}


def kaizen_report(reference_path: Path, current_path: Path, *arguments: str) -> dict:
    completed = subprocess.run(
        [str(KAIZEN_BIN), "monitor", "drift", "--reference", str(reference_path), "--current", str(current_path),
         "--json", *arguments],
        capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def compare(tmp_path: Path, reference: pd.DataFrame, current: pd.DataFrame, kaizen_arguments=(), **options):
    reference_path = tmp_path / "reference.csv"
    current_path = tmp_path / "current.csv"
    reference.to_csv(reference_path, index=False)
    current.to_csv(current_path, index=False)
    reference = pd.read_csv(reference_path)
    current = pd.read_csv(current_path)
    expected = evidently_report(reference, current, **options)
    actual = kaizen_report(reference_path, current_path, *kaizen_arguments)
    compared = {column["name"]: column for column in actual["columns"] if "method" in column}
    assert set(compared) == set(expected["columns"]), (set(compared), set(expected["columns"]))
    for name, want in expected["columns"].items():
        got = compared[name]
        assert got["method"] == want["method"], (name, got["method"], want["method"])
        assert got["threshold"] == pytest.approx(want["threshold"]), name
        # Relative 1e-6; p-values far below any threshold may differ in their last digits absolutely.
        assert got["score"] == pytest.approx(want["score"], rel=1e-6, abs=1e-12), (name, got["score"], want["score"])
        assert got["drift"] == want["drift"], (name, got["score"], want["score"])
    assert actual["drifted_columns"] == expected["drifted"]
    assert actual["dataset_drift"] == (expected["drifted"] / len(expected["columns"]) >= options.get("drift_share", 0.5))
    return actual


def frame(bunch) -> pd.DataFrame:
    data = pd.DataFrame(bunch.data, columns=[str(name) for name in bunch.feature_names])
    data["target"] = bunch.target
    return data


def sklearn_data(name: str) -> pd.DataFrame:
    return frame(getattr(datasets, f"load_{name}")())


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "diabetes"])
def test_small_references_halves(tmp_path, name):
    """References under 1000 rows: K-S, chi-square and Z-test, on the two halves of each data set."""
    data = sklearn_data(name)
    half = len(data) // 2
    compare(tmp_path, data.iloc[:half], data.iloc[half:])


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "diabetes"])
def test_small_references_sorted_split(tmp_path, name):
    """A split along the first column: strong drift in some columns, p-values far into the tail."""
    data = sklearn_data(name)
    data = data.sort_values(data.columns[0], kind="stable").reset_index(drop=True)
    third = len(data) // 3
    compare(tmp_path, data.iloc[:third], data.iloc[-third:])


def test_digits_large_reference(tmp_path):
    """Over 1000 reference rows: integer pixel columns (categorical up to 10 values, Jensen-Shannon) and wider
    ones (Wasserstein)."""
    data = sklearn_data("digits")
    shifted = data.sample(n=900, random_state=3).copy()
    shifted.loc[shifted["target"] > 6, "pixel_3_4"] = 0
    compare(tmp_path, data, shifted)


def generated(rows: int, seed: int, shift: float = 0.0, flip: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    colours = np.array(["red", "green", "blue", "black", "white"])
    weights = np.array([0.4, 0.25, 0.15, 0.12, 0.08])
    if flip:
        weights = (1 - flip) * weights + flip * weights[::-1]
    return pd.DataFrame({
        "income": np.round(rng.lognormal(10 + shift, 0.5, rows), 2),
        "age": rng.integers(18, 90, rows),
        "score": rng.normal(shift, 1, rows),
        "visits": rng.poisson(2 + shift, rows),
        "colour": rng.choice(colours, rows, p=weights),
        "member": rng.random(rows) < 0.3 + flip / 3,
        "segment": rng.choice(["a", "b"], rows),
        "rating": rng.choice([1.0, 2.0, 3.0, 4.0], rows),
        "gappy": np.where(rng.random(rows) < 0.2, np.nan, rng.normal(0, 1, rows)),
    })


@pytest.mark.parametrize("reference_rows", [300, 1000, 1001, 5000])
@pytest.mark.parametrize("shift", [0.0, 0.15])
def test_generated_shifts(tmp_path, reference_rows, shift):
    """Numeric, integer, categorical, binary and boolean columns, with and without a shift, on both sides of the
    1000-row rule."""
    reference = generated(reference_rows, seed=reference_rows)
    current = generated(800, seed=reference_rows + 1, shift=shift, flip=shift * 2)
    compare(tmp_path, reference, current)


@pytest.mark.parametrize("method", ["psi", "kl_div", "jensenshannon", "hellinger", "wasserstein", "ks"])
def test_chosen_method_for_numbers(tmp_path, method):
    reference = generated(2000, seed=11)
    current = generated(1500, seed=12, shift=0.1)
    compare(tmp_path, reference, current, ["--num-method", method], num_method=method)


@pytest.mark.parametrize("method", ["psi", "kl_div", "jensenshannon", "hellinger", "chisquare"])
def test_chosen_method_for_categories(tmp_path, method):
    reference = generated(2000, seed=21)
    current = generated(1500, seed=22, flip=0.3)
    compare(tmp_path, reference, current, ["--cat-method", method], cat_method=method)


def test_per_column_method_threshold_and_share(tmp_path):
    reference = generated(1200, seed=31)
    current = generated(1200, seed=32, shift=0.05)
    compare(
        tmp_path, reference, current,
        ["--column-method", "income=psi", "--column-threshold", "score=0.02", "--drift-share", "0.3"],
        per_column_method={"income": "psi"}, per_column_threshold={"score": 0.02}, drift_share=0.3)


def test_segments_each_equal_evidently_on_their_rows(tmp_path):
    """`--segment-by colour`: each colour's rows of the current data against the whole reference, as Evidently
    reports that subset; only the shifted segment drifts, and the segment column itself is not compared."""
    reference = generated(2000, seed=11)
    current = generated(1500, seed=12)
    shifted = generated(1500, seed=13, shift=0.5)
    red = current["colour"] == "red"
    current.loc[red, ["income", "score"]] = shifted.loc[red, ["income", "score"]]
    reference_path = tmp_path / "reference.csv"
    current_path = tmp_path / "current.csv"
    reference.to_csv(reference_path, index=False)
    current.to_csv(current_path, index=False)
    reference = pd.read_csv(reference_path).drop(columns=["colour"])
    current = pd.read_csv(current_path)
    actual = kaizen_report(reference_path, current_path, "--segment-by", "colour")
    assert actual["segment_by"] == "colour"
    assert [segment["segment"] for segment in actual["segments"]] == list(dict.fromkeys(current["colour"]))
    for segment in actual["segments"]:
        rows = current[current["colour"] == segment["segment"]].drop(columns=["colour"])
        report = segment["report"]
        assert report["current_rows"] == len(rows)
        expected = evidently_report(reference, rows)
        compared = {column["name"]: column for column in report["columns"] if "method" in column}
        assert set(compared) == set(expected["columns"]) and "colour" not in compared
        for name, want in expected["columns"].items():
            got = compared[name]
            assert got["method"] == want["method"], (segment["segment"], name)
            assert got["score"] == pytest.approx(want["score"], rel=1e-6, abs=1e-12), (segment["segment"], name)
            assert got["drift"] == want["drift"], (segment["segment"], name)
        drifted = {name for name, column in compared.items() if column["drift"]}
        assert ({"income", "score"} <= drifted) == (segment["segment"] == "red"), (segment["segment"], drifted)
    # Too many values, and a column the current data lacks: clear errors.
    for column, message in (("score", "more than 100 values"), ("nope", "no column 'nope'")):
        completed = subprocess.run(
            [str(KAIZEN_BIN), "monitor", "drift", "--reference", str(reference_path), "--current", str(current_path),
             "--segment-by", column], capture_output=True, text=True, timeout=60)
        assert completed.returncode != 0 and message in completed.stderr, completed.stderr
    html = tmp_path / "segments.html"
    subprocess.run([str(KAIZEN_BIN), "monitor", "drift", "--reference", str(reference_path), "--current",
                    str(current_path), "--segment-by", "colour", "--html", str(html)], check=True,
                   capture_output=True, timeout=60)
    page = html.read_text()
    assert page.count("<h2>colour = ") == current["colour"].nunique() and "<script" not in page
