#!/usr/bin/env python3
"""Reference vectors for Kaizen's CBPE port (Tests/KaizenMonitoringTests/PerformanceEstimatorTests.swift and
StratifiedShuffleSplitTests.swift): NumPy's legacy MT19937 draws, scikit-learn's StratifiedShuffleSplit and
IsotonicRegression, NannyML's calibration check and a small binary and multiclass CBPE run, printed as Swift
literals to paste between the GENERATED markers of those files.

    python make_cbpe_vectors.py

Needs nannyml 0.13.1, scikit-learn, numpy and pandas (vectors made with numpy 2.4.6, scikit-learn 1.9.1).
"""

import logging
import warnings

import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression
from sklearn.model_selection import StratifiedShuffleSplit

import nannyml as nml
from nannyml.calibration import IsotonicCalibrator, needs_calibration

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)


SUFFIX = {"accuracy": "Accuracy", "precision": "Precision", "recall": "Recall", "f1": "F1", "roc_auc": "RocAUC"}


def doubles(values):
    return "[" + ", ".join(repr(float(v)) for v in values) + "]"


def ints(values):
    return "[" + ", ".join(str(int(v)) for v in values) + "]"


def mersenne():
    rng = np.random.RandomState(42)
    words = [int(rng.randint(0, 2**32, dtype=np.uint64)) for _ in range(3)]
    rng = np.random.RandomState(42)
    samples = [rng.random_sample() for _ in range(3)]
    rng = np.random.RandomState(42)
    integers = [int(rng.randint(0, 10)) for _ in range(5)]
    rng = np.random.RandomState(42)
    permutation = rng.permutation(10)
    print("    // MersenneTwister(seed: 42)")
    print(f"    static let firstWords: [UInt32] = {ints(words)}")
    print(f"    static let firstSamples: [Double] = {doubles(samples)}")
    print(f"    static let firstIntegersBelow10: [Int] = {ints(integers)}")
    print(f"    static let firstPermutationOf10: [Int] = {ints(permutation)}")


def splits():
    vectors = {
        "binaryImbalanced": [0] * 17 + [1] * 5,
        "threeClasses": [2, 0, 1, 1, 0, 2, 2, 1, 0, 0, 1, 2, 0, 1, 2, 0, 0, 1, 2, 1, 0, 2, 1],
        "equalRemainders": [0, 1, 2] * 7,
    }
    for name, labels in vectors.items():
        result = list(StratifiedShuffleSplit(10, test_size=0.1, random_state=42).split(np.zeros(len(labels)), labels))
        print(f"    static let {name} = SplitCase(")
        print(f"        labels: {ints(labels)},")
        print("        train: [" + ", ".join(ints(train) for train, _ in result) + "],")
        print("        test: [" + ", ".join(ints(test) for _, test in result) + "])")


def isotonic():
    rng = np.random.RandomState(5)
    x = np.round(rng.uniform(size=40), 2)  # rounded: ties in x
    y = (rng.uniform(size=40) < x).astype(float)
    queries = np.r_[-0.5, 1.5, x[:5], np.linspace(0, 1, 11)]
    model = IsotonicRegression(out_of_bounds="clip").fit(x, y)
    print(f"    static let isotonicX: [Double] = {doubles(x)}")
    print(f"    static let isotonicY: [Double] = {doubles(y)}")
    print(f"    static let isotonicQueries: [Double] = {doubles(queries)}")
    print(f"    static let isotonicPredictions: [Double] = {doubles(model.predict(queries))}")
    print(f"    static let isotonicKnots: [Double] = {doubles(model.X_thresholds_)}")


def calibration():
    rng = np.random.RandomState(11)
    p = rng.uniform(size=60)
    y = (rng.uniform(size=60) < p**2).astype(int)  # over-confident scores: calibration helps
    decision = needs_calibration(pd.Series(y), pd.Series(p), IsotonicCalibrator())
    print(f"    static let calibrationProbabilities: [Double] = {doubles(p)}")
    print(f"    static let calibrationTargets: [Int] = {ints(y)}")
    print(f"    static let calibrationDecision = {str(bool(decision)).lower()}")


def binary_run():
    rng = np.random.RandomState(21)

    def frame(n, shift):
        score = rng.normal(size=n) + shift
        p = 1 / (1 + np.exp(-1.7 * score))
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-score))).astype(int)
        return pd.DataFrame({"proba": p, "pred": (p >= 0.5).astype(int), "target": y})

    reference, analysis = frame(60, 0.0), frame(30, 0.6)
    metrics = ["accuracy", "precision", "recall", "f1", "roc_auc"]
    estimator = nml.CBPE(y_pred_proba="proba", y_pred="pred", y_true="target", problem_type="classification_binary",
                         metrics=metrics, chunk_size=10).fit(reference)
    result = estimator.estimate(analysis).filter(period="analysis").to_df()
    print(f"    static let binaryReferenceProbabilities: [Double] = {doubles(reference.proba)}")
    print(f"    static let binaryReferenceTargets: [Int] = {ints(reference.target)}")
    print(f"    static let binaryAnalysisProbabilities: [Double] = {doubles(analysis.proba)}")
    print(f"    static let binaryAnalysisTargets: [Int] = {ints(analysis.target)}")
    print(f"    static let binaryCalibrated = {str(bool(estimator.needs_calibration)).lower()}")
    for metric in metrics:
        print(f"    static let binaryEstimated{SUFFIX[metric]}: [Double] = {doubles(result[(metric, 'value')])}")
        print(f"    static let binarySamplingError{SUFFIX[metric]}: [Double] = {doubles(result[(metric, 'sampling_error')])}")
        print(f"    static let binaryThresholds{SUFFIX[metric]}: [Double] = "
              f"{doubles([result[(metric, 'lower_threshold')].iloc[0], result[(metric, 'upper_threshold')].iloc[0]])}")


def multiclass_run():
    rng = np.random.RandomState(8)

    def frame(n):
        logits = rng.normal(size=(n, 3)) * 1.5
        P = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        truth = np.array([rng.choice(3, p=row ** 0.7 / (row ** 0.7).sum()) for row in P])
        return pd.DataFrame({"p_0": P[:, 0], "p_1": P[:, 1], "p_2": P[:, 2], "pred": P.argmax(1), "target": truth})

    reference, analysis = frame(60), frame(30)
    metrics = ["accuracy", "precision", "recall", "f1", "roc_auc"]
    estimator = nml.CBPE(y_pred_proba={0: "p_0", 1: "p_1", 2: "p_2"}, y_pred="pred", y_true="target",
                         problem_type="classification_multiclass", metrics=metrics, chunk_size=15).fit(reference)
    result = estimator.estimate(analysis).filter(period="analysis").to_df()
    flags = [type(estimator._calibrators[k]).__name__ != "NoopCalibrator" for k in range(3)]
    for name, data in (("Reference", reference), ("Analysis", analysis)):
        print(f"    static let multiclass{name}Probabilities: [[Double]] = [")
        for k in range(3):
            print(f"        {doubles(data[f'p_{k}'])},")
        print("    ]")
        print(f"    static let multiclass{name}Targets: [Int] = {ints(data.target)}")
    print(f"    static let multiclassCalibrated: [Bool] = [{', '.join(str(f).lower() for f in flags)}]")
    for metric in metrics:
        print(f"    static let multiclassEstimated{SUFFIX[metric]}: [Double] = {doubles(result[(metric, 'value')])}")
        print(f"    static let multiclassSamplingError{SUFFIX[metric]}: [Double] = "
              f"{doubles(result[(metric, 'sampling_error')])}")


if __name__ == "__main__":
    for section in (mersenne, splits, isotonic, calibration, binary_run, multiclass_run):
        print(f"    // --- {section.__name__}")
        section()
