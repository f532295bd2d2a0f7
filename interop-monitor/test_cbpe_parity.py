"""`kaizen monitor estimate` against NannyML 0.13.1's CBPE, chunk by chunk and field by field.

Each case fits a classifier, writes reference and analysis CSV files, runs Kaizen on them and NannyML on the same
frames, and compares every metric's estimate, realized value, sampling error, confidence band, thresholds and alert
flag, plus the calibration decision. The hard requirement is estimated accuracy within 1e-3 per chunk; the test holds
every field to TOLERANCE (1e-9) and prints the largest difference per case and field (`pytest -s`).

    KAIZEN_BIN=/path/to/kaizen pytest interop-monitor/test_cbpe_parity.py -s
    python interop-monitor/test_cbpe_parity.py      # prints the parity table without pytest

Needs nannyml 0.13.1, scikit-learn, numpy and pandas.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.linear_model import LogisticRegression

import nannyml as nml
import nannyml.performance_estimation.confidence_based.cbpe as cbpe_module

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)

REPO_ROOT = Path(__file__).resolve().parents[1]
KAIZEN_BIN = Path(os.environ.get("KAIZEN_BIN", "/work/main/.build/release/kaizen"))
TOLERANCE = 1e-9
ACCURACY_REQUIREMENT = 1e-3
ALL_METRICS = ["accuracy", "precision", "recall", "f1", "roc_auc"]
FIELDS = {  # Kaizen's JSON field -> NannyML's result column
    "estimated": "value",
    "realized": "realized",
    "sampling_error": "sampling_error",
    "lower_bound": "lower_confidence_boundary",
    "upper_bound": "upper_confidence_boundary",
    "lower_threshold": "lower_threshold",
    "upper_threshold": "upper_threshold",
}


# ----------------------------------------------------------------------------------------------------------- cases

def binary_frames(X, y, features, seed=0, train=100, reference=235, shift=None):
    """Reference and analysis frames from a logistic regression on `features`; `shift` moves analysis features."""
    order = np.random.RandomState(seed).permutation(len(y))
    train_rows, reference_rows, analysis_rows = (order[:train], order[train:train + reference],
                                                 order[train + reference:])
    model = LogisticRegression(max_iter=10000).fit(X[train_rows][:, features], y[train_rows])

    def frame(rows, moved=None):
        features_of_rows = X[rows][:, features] if moved is None else moved
        probability = model.predict_proba(features_of_rows)[:, 1]
        return pd.DataFrame({"proba": probability, "pred": (probability >= 0.5).astype(int), "target": y[rows]})

    analysis = frame(analysis_rows) if shift is None else frame(analysis_rows, X[analysis_rows][:, features] + shift)
    return frame(reference_rows), analysis


def breast_cancer(features=None):
    X, y = load_breast_cancer(return_X_y=True)
    return binary_frames(X, y, list(range(30)) if features is None else features)


def synthetic_shifted():
    """Two informative features, 2,000 reference rows and 3,000 analysis rows whose second half drifts."""
    rng = np.random.RandomState(7)
    n = 5100
    X = rng.normal(size=(n, 3))
    logits = 1.5 * X[:, 0] - 1.0 * X[:, 1] + 0.3 * rng.normal(size=n)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logits))).astype(int)
    shift = np.zeros((3000, 3))
    shift[1500:, 0] = 1.2  # the second half moves along the strongest feature: estimates should alert
    return binary_frames(X, y, [0, 1, 2], seed=3, train=100, reference=2000, shift=shift)


def multiclass_frames(loader, features, seed, train, reference, labels, jitter=0.0):
    X, y = loader(return_X_y=True)
    X = X + jitter * np.random.RandomState(seed).normal(size=X.shape)
    y = np.asarray(labels, dtype=object)[y] if labels is not None else y
    order = np.random.RandomState(seed).permutation(len(y))
    train_rows, reference_rows, analysis_rows = (order[:train], order[train:train + reference],
                                                 order[train + reference:])
    model = LogisticRegression(max_iter=10000).fit(X[train_rows][:, features], y[train_rows])

    def frame(rows):
        probabilities = model.predict_proba(X[rows][:, features])
        data = pd.DataFrame({f"p_{label}": probabilities[:, k] for k, label in enumerate(model.classes_)})
        data["pred"] = model.classes_[probabilities.argmax(axis=1)]
        data["target"] = y[rows]
        return data

    return frame(reference_rows), frame(analysis_rows), list(model.classes_)


def wine():
    return multiclass_frames(load_wine, [0, 1], seed=1, train=40, reference=70, labels=["a", "b", "c"])


def iris(jitter=1e-6):
    """Iris repeats feature rows, so raw scores tie; a jitter of 1e-6 makes them distinct (see the tie test)."""
    return multiclass_frames(load_iris, [0, 1], seed=2, train=30, reference=60, labels=None, jitter=jitter)


# (name, frames, chunk size or None for NannyML's default, calibration: auto/on/off, drop analysis targets)
BINARY_CASES = [
    ("breast_cancer LR chunk 50", breast_cancer, 50, "auto", False),
    ("breast_cancer LR default chunks", breast_cancer, None, "auto", False),
    ("breast_cancer LR calibration on", breast_cancer, 50, "on", False),
    ("breast_cancer LR calibration off", breast_cancer, 50, "off", False),
    ("breast_cancer weak LR (auto calibrates)", lambda: breast_cancer([1, 9]), 40, "auto", False),
    ("synthetic shifted chunk 500", synthetic_shifted, 500, "auto", False),
    ("synthetic shifted calibration on", synthetic_shifted, 500, "on", False),
    ("synthetic shifted calibration off, no targets", synthetic_shifted, 500, "off", True),
]
MULTICLASS_CASES = [
    ("wine weak LR chunk 30", wine, 30, "auto", False),
    ("wine weak LR calibration off", wine, 30, "off", False),
    ("wine weak LR default chunks, no targets", wine, None, "on", True),
    ("iris weak LR chunk 15", iris, 15, "auto", False),
]


# --------------------------------------------------------------------------------------------------------- runners

@contextlib.contextmanager
def forced_calibration(choice):
    """NannyML has no switch for calibration: pin its decision by replacing `needs_calibration` for a while."""
    original = cbpe_module.needs_calibration
    if choice != "auto":
        cbpe_module.needs_calibration = lambda *args, **kwargs: choice == "on"
    try:
        yield
    finally:
        cbpe_module.needs_calibration = original


def run_nannyml(reference, analysis, probability, problem, chunk_size, calibration):
    with forced_calibration(calibration):
        estimator = nml.CBPE(y_pred_proba=probability, y_pred="pred", y_true="target", problem_type=problem,
                             metrics=ALL_METRICS, chunk_size=chunk_size)
        estimator.fit(reference)
        result = estimator.estimate(analysis).filter(period="analysis").to_df()
    if problem == "classification_binary":
        calibrated = [bool(estimator.needs_calibration)]
    else:
        calibrated = [type(estimator._calibrators[label]).__name__ != "NoopCalibrator"
                      for label in sorted(probability)]
    return result, calibrated


def run_kaizen(reference, analysis, probability_arguments, chunk_size, calibration, directory):
    reference_path, analysis_path = Path(directory) / "reference.csv", Path(directory) / "analysis.csv"
    reference.to_csv(reference_path, index=False)  # shortest round-trip text: the same doubles come back
    analysis.to_csv(analysis_path, index=False)
    command = [str(KAIZEN_BIN), "monitor", "estimate", "--reference", str(reference_path), "--analysis",
               str(analysis_path), *probability_arguments, "--y-pred", "pred", "--y-true", "target",
               "--metrics", ",".join(ALL_METRICS), "--calibration", calibration, "--json"]
    if chunk_size is not None:
        command += ["--chunk-size", str(chunk_size)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def compare(kaizen, nannyml_result, nannyml_calibrated):
    """The largest |Kaizen − NannyML| per metric and field, alert mismatches, and structural problems."""
    problems = []
    if [column["calibrated"] for column in kaizen["calibration"]] != nannyml_calibrated:
        problems.append(f"calibration {kaizen['calibration']} vs NannyML {nannyml_calibrated}")
    if len(kaizen["chunks"]) != len(nannyml_result):
        problems.append(f"{len(kaizen['chunks'])} chunks vs NannyML {len(nannyml_result)}")
        return {}, problems
    differences = {}
    for position, chunk in enumerate(kaizen["chunks"]):
        row = nannyml_result.iloc[position]
        if (chunk["start_index"], chunk["end_index"]) != (row[("chunk", "start_index")], row[("chunk", "end_index")]):
            problems.append(f"chunk {position} spans {chunk['key']}, NannyML {row[('chunk', 'key')]}")
        for metric in ALL_METRICS:
            record = chunk["metrics"][metric]
            for field, column in FIELDS.items():
                ours = np.nan if record[field] is None else record[field]
                theirs = float(row[(metric, column)])
                if np.isnan(ours) != np.isnan(theirs):
                    problems.append(f"chunk {position} {metric} {field}: {ours} vs NannyML {theirs}")
                    continue
                difference = 0.0 if np.isnan(ours) else abs(ours - theirs)
                key = (metric, field)
                differences[key] = max(differences.get(key, 0.0), difference)
            if bool(record["alert"]) != bool(row[(metric, "alert")]):
                problems.append(f"chunk {position} {metric} alert {record['alert']} vs NannyML {row[(metric, 'alert')]}")
    return differences, problems


def run_case(kind, frames, chunk_size, calibration, drop_targets, directory):
    if kind == "binary":
        reference, analysis = frames()
        probability, problem, arguments = "proba", "classification_binary", ["--y-pred-proba", "proba"]
    else:
        reference, analysis, classes = frames()
        probability = {label: f"p_{label}" for label in classes}
        problem = "classification_multiclass"
        arguments = [item for label in classes for item in ("--y-pred-proba", f"{label}=p_{label}")]
    if drop_targets:
        analysis = analysis.drop(columns=["target"])
    nannyml_result, nannyml_calibrated = run_nannyml(reference, analysis, probability, problem, chunk_size,
                                                     calibration)
    kaizen = run_kaizen(reference, analysis, arguments, chunk_size, calibration, directory)
    return compare(kaizen, nannyml_result, nannyml_calibrated)


def report(name, differences):
    worst = max(differences.values(), default=0.0)
    print(f"\n[{name}] worst |diff| {worst:.3e}")
    for metric in ALL_METRICS:
        cells = "  ".join(f"{field} {differences.get((metric, field), 0.0):.1e}" for field in FIELDS)
        print(f"    {metric:9s} {cells}")


# ----------------------------------------------------------------------------------------------------------- tests

@pytest.fixture(scope="module", autouse=True)
def kaizen_binary_exists():
    if not KAIZEN_BIN.exists():
        pytest.fail(f"no kaizen binary at {KAIZEN_BIN}; build it or set KAIZEN_BIN")


@pytest.mark.parametrize("name,frames,chunk_size,calibration,drop_targets", BINARY_CASES,
                         ids=[case[0] for case in BINARY_CASES])
def test_binary_matches_nannyml(name, frames, chunk_size, calibration, drop_targets, tmp_path):
    differences, problems = run_case("binary", frames, chunk_size, calibration, drop_targets, tmp_path)
    report(name, differences)
    assert not problems, problems
    assert differences[("accuracy", "estimated")] <= ACCURACY_REQUIREMENT
    assert max(differences.values()) <= TOLERANCE, differences


@pytest.mark.parametrize("name,frames,chunk_size,calibration,drop_targets", MULTICLASS_CASES,
                         ids=[case[0] for case in MULTICLASS_CASES])
def test_multiclass_matches_nannyml(name, frames, chunk_size, calibration, drop_targets, tmp_path):
    differences, problems = run_case("multiclass", frames, chunk_size, calibration, drop_targets, tmp_path)
    report(name, differences)
    assert not problems, problems
    assert differences[("accuracy", "estimated")] <= ACCURACY_REQUIREMENT
    assert max(differences.values()) <= TOLERANCE, differences


def test_tied_scores_differ_only_where_numpy_tie_order_matters(tmp_path):
    """Raw iris repeats rows, so probabilities tie. NumPy's default argsort (x86-simd-sort on this CPU, another
    kernel on AVX-512 machines) orders ties its own way; Kaizen sorts stably. Only NannyML's ROC AUC sampling
    error ranks tied scores, so it (and the band built on it) may differ; every other field stays exact."""
    differences, problems = run_case("multiclass", lambda: iris(jitter=0.0), 15, "auto", False, tmp_path)
    report("iris with tied scores", differences)
    assert not problems, problems
    tie_sensitive = {("roc_auc", "sampling_error"), ("roc_auc", "lower_bound"), ("roc_auc", "upper_bound")}
    assert max(v for k, v in differences.items() if k not in tie_sensitive) <= TOLERANCE
    assert max(differences[k] for k in tie_sensitive) <= 1e-2


def test_automatic_calibration_decisions_cover_both_outcomes(tmp_path):
    """The cases above would prove little if NannyML never (or always) chose calibration on its own."""
    reference, analysis = breast_cancer()
    _, strong = run_nannyml(reference, analysis, "proba", "classification_binary", 50, "auto")
    reference, analysis = breast_cancer([1, 9])
    _, weak = run_nannyml(reference, analysis, "proba", "classification_binary", 40, "auto")
    assert strong == [False] and weak == [True]


def test_shifted_analysis_raises_alerts(tmp_path):
    reference, analysis = synthetic_shifted()
    kaizen = run_kaizen(reference, analysis, ["--y-pred-proba", "proba"], 500, "auto", tmp_path)
    alerts = [chunk["metrics"]["accuracy"]["alert"] for chunk in kaizen["chunks"]]
    assert not any(alerts[:3]) and all(alerts[3:]), alerts


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as scratch:
        everything = 0.0
        for kind, cases in (("binary", BINARY_CASES), ("multiclass", MULTICLASS_CASES)):
            for name, frames, chunk_size, calibration, drop_targets in cases:
                differences, problems = run_case(kind, frames, chunk_size, calibration, drop_targets, scratch)
                report(name, differences)
                for problem in problems:
                    print("    PROBLEM:", problem)
                everything = max(everything, max(differences.values(), default=0.0))
        print(f"\nOVERALL worst |diff| {everything:.3e}")
    sys.exit(0)
