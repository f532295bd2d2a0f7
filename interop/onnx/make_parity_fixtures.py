#!/usr/bin/env python3
"""Build ONNX parity fixtures for the KaizenONNX engine.

Usage: make_parity_fixtures.py OUTDIR

Every case trains one estimator (scikit-learn, XGBoost or LightGBM) with a
fixed seed on a scikit-learn bundled dataset or on generated data, converts it
to ONNX (skl2onnx for scikit-learn, onnxmltools for XGBoost/LightGBM), runs
onnxruntime on held-out rows and writes the result in the ONNX backend-test
layout:

    OUTDIR/<case>/model.onnx                  the converter's model, unchanged
                                              (external-data case: see its notes)
    OUTDIR/<case>/model.onnx.data             only for *_external_data cases
    OUTDIR/<case>/test_data_set_0/input_<i>.pb   one per graph.input, in order
    OUTDIR/<case>/test_data_set_0/output_<j>.pb  one per graph.output, in order
    OUTDIR/<case>/case.json

Inputs and tensor outputs are serialized onnx.TensorProto messages named after
the graph input/output (onnx.numpy_helper.from_array). ZipMap outputs
(seq(map(int64|string, float))) are serialized as an onnx.SequenceProto named
after the output, elem_type MAP, with one MapProto per row (built with
onnx.helper.make_sequence / onnx.helper.make_map):

    SequenceProto { name: <output name>, elem_type: MAP (4),
      map_values: [ MapProto {                       # one per input row
          name: "", key_type: INT64 (7) | STRING (8),
          keys: [class labels]          (int64 keys), or
          string_keys: [class labels]   (string keys, UTF-8 bytes),
          values: SequenceProto { name: "", elem_type: TENSOR (1),
                    tensor_values: [ TensorProto { data_type: FLOAT (1),
                                     dims: [] (scalar), raw_data: 4 bytes LE } ] } } ] }

The expected outputs are onnxruntime's. Before a case is written, onnxruntime's
outputs are checked against the source library (predict / predict_proba /
decision_function) on the same float32 rows: label mismatches must be 0, and
values must agree within |ort - source| <= VALUE_ATOL + VALUE_RTOL * |source|.
case.json records the estimator, converter, dataset, the tolerance the engine
should use against the stored onnxruntime outputs (rtol = atol = 1e-5), and
the measured agreement with the source library.

onnxruntime runs single-threaded with graph optimisations disabled, so the
stored outputs are those of the plain kernels, computed in a fixed order.
Training is single-threaded too, graph names are passed to the converters
(they otherwise use random UUIDs) and PYTHONHASHSEED is fixed, so running the
script again writes byte-identical files.

Known quirks of the converters, kept as they are (the engine has to accept
them): duplicate opset_import entries (skl2onnx), a declared int64[1] label for
an [N] result (onnxmltools LightGBM), XGBoost models importing only ai.onnx.ml,
SVC binary (probability=False) emitting [decision, -decision] as its
"probabilities", and tree ensembles at ai.onnx.ml opset 1.

Exit status: 0 when every case was written and checked, 1 otherwise. Cases
listed in KNOWN_LIMITATIONS are skipped with a message instead of failing.
"""

from __future__ import annotations

import os
import sys

# skl2onnx orders opset_import entries by iterating a set of domain names, so
# string hashing has to be fixed for the model bytes to be reproducible.
if __name__ == "__main__" and os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable, *sys.argv])

# Single-threaded training: reproducible models (OpenMP reductions in
# HistGradientBoosting / LightGBM / XGBoost depend on the thread count) and no
# competition with other work on small machines. Must be set before the
# numerical libraries are imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import json
import shutil
import time
import traceback
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import onnx
import onnxruntime as ort
import pandas as pd
from onnx import SequenceProto, TensorProto, helper, numpy_helper

warnings.filterwarnings("ignore")  # convergence / deprecation noise from the trainers

import lightgbm
import onnxmltools
import skl2onnx
import sklearn
import xgboost
from onnxmltools.convert.common.data_types import FloatTensorType as MLFloatTensorType
from skl2onnx import convert_sklearn, to_onnx
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
from sklearn import datasets
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge, SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import (
    MinMaxScaler,
    Normalizer,
    OneHotEncoder,
    OrdinalEncoder,
    StandardScaler,
)
from sklearn.svm import SVC, SVR, LinearSVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

SEED = 0
NAN_FRACTION = 0.10  # share of feature cells set to NaN in the "*_nan" datasets

# Tolerance the engine should use against the stored onnxruntime outputs.
CASE_RTOL = 1e-5
CASE_ATOL = 1e-5

# Agreement required between onnxruntime and the source library (float32 ONNX
# kernels vs the library's own float64 / float32 code). The relative term only
# matters for regression targets in the hundreds (diabetes), where one float32
# ulp is already ~3e-5.
VALUE_ATOL = 1e-4
VALUE_RTOL = 1e-6

# Cases that are allowed to fail because of a documented converter limitation:
# name -> reason. Empty: every case below converts and runs with skl2onnx
# 1.20.0, onnxmltools 1.16.0 and onnxruntime 1.31.1.
KNOWN_LIMITATIONS: dict[str, str] = {}

OPSET_ONNXMLTOOLS = 15  # target_opset for onnxmltools (emits ai.onnx.ml opset 1)


# --------------------------------------------------------------------------
# Data


@dataclass
class Split:
    """Train/held-out rows. X arrays are float32 (or object arrays of str)."""

    name: str
    X_train: Any
    X_test: Any
    y_train: np.ndarray
    y_test: np.ndarray


_DATA_CACHE: dict[str, Split] = {}


def _load(name: str) -> tuple[np.ndarray, np.ndarray]:
    loader = {
        "breast_cancer": datasets.load_breast_cancer,
        "diabetes": datasets.load_diabetes,
        "iris": datasets.load_iris,
        "wine": datasets.load_wine,
        "digits": datasets.load_digits,
    }[name]
    X, y = loader(return_X_y=True)
    return X.astype(np.float64), y


# Held-out rows per dataset (40-100 rows).
_TEST_ROWS = {"breast_cancer": 100, "diabetes": 80, "iris": 45, "wine": 50, "digits": 100}


def data(spec: str) -> Split:
    """Dataset by spec: '<name>[+std][+nan]'.

    +std standardises with the training rows' mean/std (for SGD, SVMs, MLPs);
    +nan sets NAN_FRACTION of the feature cells (train and held-out) to NaN.
    digits is always scaled to [0, 1] (pixels / 16).
    """
    if spec in _DATA_CACHE:
        return _DATA_CACHE[spec]
    base, *flags = spec.split("+")
    X, y = _load(base)
    if base == "digits":
        X = X / 16.0
    is_classification = base != "diabetes"
    X_train, X_test, y_train, y_test = train_test_split(
        X,
        y,
        test_size=_TEST_ROWS[base],
        random_state=SEED,
        stratify=y if is_classification else None,
    )
    if "std" in flags:
        mean, std = X_train.mean(axis=0), X_train.std(axis=0)
        std[std == 0] = 1.0
        X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
    if "nan" in flags:
        rng = np.random.default_rng(SEED + 1)
        X_train = X_train.copy()
        X_test = X_test.copy()
        X_train[rng.random(X_train.shape) < NAN_FRACTION] = np.nan
        X_test[rng.random(X_test.shape) < NAN_FRACTION] = np.nan
    split = Split(
        spec,
        X_train.astype(np.float32),
        X_test.astype(np.float32),
        y_train,
        y_test,
    )
    _DATA_CACHE[spec] = split
    return split


def strings_data() -> Split:
    """Two string columns (colour, size) -> 3 classes. The held-out rows include
    categories never seen in training ('purple', 'XXL')."""
    if "strings" in _DATA_CACHE:
        return _DATA_CACHE["strings"]
    rng = np.random.default_rng(SEED + 2)
    colours = np.array(["red", "green", "blue", "yellow"])
    sizes = np.array(["S", "M", "L", "XL"])
    n_train, n_test = 400, 60
    n = n_train + n_test
    colour = rng.choice(colours, size=n, p=[0.4, 0.3, 0.2, 0.1])
    size = rng.choice(sizes, size=n)
    score = (
        np.select([colour == "red", colour == "green", colour == "blue"], [1.5, 0.0, -1.0], -0.5)
        + np.select([size == "S", size == "M", size == "L"], [-1.0, 0.0, 0.8], 1.5)
        + rng.normal(0.0, 0.7, size=n)
    )
    y = np.digitize(score, [-0.5, 0.9]).astype(np.int64)
    X = np.stack([colour, size], axis=1).astype(object)
    X_train, X_test = X[:n_train], X[n_train:].copy()
    X_test[:4, 0] = "purple"  # unseen colour
    X_test[2:6, 1] = "XXL"  # unseen size (rows 2, 3 have both unseen)
    split = Split("generated strings (colour, size)", X_train, X_test, y[:n_train], y[n_train:])
    _DATA_CACHE["strings"] = split
    return split


MIXED_COLUMNS = ["age", "income", "city", "plan"]


def mixed_data() -> Split:
    """Generated DataFrame: age float, income float (10% NaN), city string,
    plan string -> binary target. Held-out rows include an unseen city."""
    if "mixed" in _DATA_CACHE:
        return _DATA_CACHE["mixed"]
    rng = np.random.default_rng(SEED + 3)
    n_train, n_test = 500, 80
    n = n_train + n_test
    age = rng.uniform(18, 80, size=n).round(0)
    income = rng.lognormal(10.5, 0.5, size=n).round(2)
    city = rng.choice(["paris", "tokyo", "lima"], size=n, p=[0.5, 0.3, 0.2])
    plan = rng.choice(["basic", "pro"], size=n, p=[0.6, 0.4])
    logit = (
        0.04 * (age - 45)
        + 0.8 * (np.log(income) - 10.5)
        + np.select([city == "tokyo", city == "lima"], [0.7, -0.6], 0.0)
        + np.where(plan == "pro", 0.8, -0.5)
    )
    y = (logit + rng.logistic(size=n) > 0).astype(np.int64)
    income[rng.random(n) < NAN_FRACTION] = np.nan
    df = pd.DataFrame(
        {
            "age": age.astype(np.float32),
            "income": income.astype(np.float32),
            "city": city.astype(object),
            "plan": plan.astype(object),
        }
    )
    train, test = df.iloc[:n_train].reset_index(drop=True), df.iloc[n_train:].reset_index(drop=True)
    test.loc[:4, "city"] = "oslo"  # unseen category
    split = Split("generated mixed DataFrame (age, income with NaN, city, plan)", train, test, y[:n_train], y[n_train:])
    _DATA_CACHE["mixed"] = split
    return split


def categorical_data() -> Split:
    """Three normal features + one integer-coded categorical feature (10 levels,
    column 3) -> binary target depending on a set of levels."""
    if "categorical" in _DATA_CACHE:
        return _DATA_CACHE["categorical"]
    rng = np.random.default_rng(SEED + 4)
    n_train, n_test = 1000, 100
    n = n_train + n_test
    cont = rng.normal(size=(n, 3))
    cat = rng.integers(0, 10, size=n)
    logit = 2.0 * np.isin(cat, [1, 4, 7]) - 1.0 * np.isin(cat, [0, 9]) + cont[:, 0] - 0.5 * cont[:, 1]
    y = (logit + rng.logistic(size=n) * 0.5 > 0.3).astype(np.int64)
    X = np.column_stack([cont, cat]).astype(np.float32)
    split = Split("generated (3 normal + 1 categorical feature, 10 levels)", X[:n_train], X[n_train:], y[:n_train], y[n_train:])
    _DATA_CACHE["categorical"] = split
    return split


# --------------------------------------------------------------------------
# Cases


@dataclass
class Built:
    """A converted model, the feeds for the held-out rows and the source
    library's answers on the same rows."""

    model: onnx.ModelProto
    feeds: dict[str, np.ndarray]
    labels: np.ndarray | None  # classifiers: predict(); None for regressors
    values: np.ndarray | None  # proba / decision / predict; None = labels only
    compared: str  # what `values` holds, e.g. "predict_proba"
    classes: list | None = None  # class order of the ZipMap / probabilities columns


@dataclass
class Case:
    name: str
    estimator: str
    converter: str
    dataset: str
    build: Callable[[], Built]
    external_data: bool = False
    notes: str = ""


CASES: list[Case] = []


def add(name: str, estimator: str, converter: str, dataset: str, external_data: bool = False, notes: str = ""):
    def register(build: Callable[[], Built]) -> Callable[[], Built]:
        CASES.append(Case(name, estimator, converter, dataset, build, external_data, notes))
        return build

    return register


def _py(values) -> list:
    """numpy labels -> plain Python values (ZipMap keys from onnxruntime)."""
    return [v.item() if hasattr(v, "item") else v for v in values]


def _final_step(est):
    return est.steps[-1][1] if isinstance(est, Pipeline) else est


def sk_classifier(est, split: Split, *, zipmap: bool = True, compare: str = "predict_proba") -> Built:
    """Fit a scikit-learn classifier (or pipeline) on float32 data and convert
    it with skl2onnx.to_onnx (input 'X').

    compare: 'predict_proba'; 'decision_function' (scores as skl2onnx emits
    them); 'decision_function_svc_binary' (SVC binary without probabilities,
    emitted as [d, -d]); 'labels' (labels only).
    """
    est.fit(split.X_train, split.y_train)
    options = None if zipmap else {id(_final_step(est)): {"zipmap": False}}
    model = to_onnx(est, split.X_train[:1], options=options)
    X = split.X_test
    if compare == "predict_proba":
        values = est.predict_proba(X)
    elif compare == "decision_function":
        values = est.decision_function(X)
        values = values.reshape(len(X), -1)
    elif compare == "decision_function_svc_binary":
        d = est.decision_function(X)
        values = np.column_stack([d, -d])
    elif compare == "labels":
        values = None
    else:
        raise ValueError(compare)
    return Built(model, {"X": X}, est.predict(X), values, compare, _py(_final_step(est).classes_))


def sk_regressor(est, split: Split) -> Built:
    est.fit(split.X_train, split.y_train)
    model = to_onnx(est, split.X_train[:1])
    X = split.X_test
    return Built(model, {"X": X}, None, est.predict(X).reshape(len(X), -1), "predict")


def _rf(n: int = 20, **kw) -> dict:
    return dict(n_estimators=n, random_state=SEED, **kw)


SKL = "skl2onnx"
OMT = "onnxmltools"

# ---- linear models ---------------------------------------------------------

add("linear_regression", "LinearRegression", SKL, "diabetes")(
    lambda: sk_regressor(LinearRegression(), data("diabetes"))
)
add("ridge", "Ridge(alpha=1.0)", SKL, "diabetes")(lambda: sk_regressor(Ridge(alpha=1.0), data("diabetes")))
add("logreg_binary", "LogisticRegression", SKL, "breast_cancer")(
    lambda: sk_classifier(LogisticRegression(max_iter=5000), data("breast_cancer"))
)
add("logreg_multi", "LogisticRegression (multinomial)", SKL, "iris")(
    lambda: sk_classifier(LogisticRegression(max_iter=1000), data("iris"))
)
add("logreg_multi_nozipmap", "LogisticRegression (multinomial), zipmap=False", SKL, "iris")(
    lambda: sk_classifier(LogisticRegression(max_iter=1000), data("iris"), zipmap=False)
)


@add("logreg_binary_strlabels", "LogisticRegression, string class labels", SKL, "breast_cancer (labels 'malignant'/'benign')")
def _logreg_strlabels() -> Built:
    base = data("breast_cancer")
    names = np.array(["malignant", "benign"], dtype=object)
    split = Split(base.name, base.X_train, base.X_test, names[base.y_train], names[base.y_test])
    return sk_classifier(LogisticRegression(max_iter=5000), split)


add("sgd_hinge_multi", "SGDClassifier(loss='hinge')", SKL, "iris (standardised)")(
    lambda: sk_classifier(SGDClassifier(loss="hinge", random_state=SEED), data("iris+std"), compare="decision_function")
)
add("sgd_log_binary", "SGDClassifier(loss='log_loss')", SKL, "breast_cancer (standardised)")(
    lambda: sk_classifier(SGDClassifier(loss="log_loss", random_state=SEED), data("breast_cancer+std"))
)
add("linear_svc_binary", "LinearSVC", SKL, "breast_cancer (standardised)")(
    lambda: sk_classifier(LinearSVC(random_state=SEED), data("breast_cancer+std"), compare="decision_function")
)
add("linear_svc_multi", "LinearSVC", SKL, "iris")(
    lambda: sk_classifier(LinearSVC(random_state=SEED), data("iris"), compare="decision_function")
)

# ---- SVMs -----------------------------------------------------------------

add("svc_rbf_binary", "SVC(kernel='rbf')", SKL, "breast_cancer (standardised)",
    notes="probability=False: ZipMap holds [decision_function, -decision_function] per row")(
    lambda: sk_classifier(SVC(kernel="rbf"), data("breast_cancer+std"), compare="decision_function_svc_binary")
)
add("svc_rbf_multi", "SVC(kernel='rbf'), decision_function_shape='ovr'", SKL, "iris",
    notes="probability=False: ZipMap holds the ovr decision function")(
    lambda: sk_classifier(SVC(kernel="rbf"), data("iris"), compare="decision_function")
)
add("svc_rbf_multi_proba", "SVC(kernel='rbf', probability=True)", SKL, "iris")(
    lambda: sk_classifier(SVC(kernel="rbf", probability=True, random_state=SEED), data("iris"))
)
add("svr_rbf", "SVR(kernel='rbf', C=100)", SKL, "diabetes")(
    lambda: sk_regressor(SVR(kernel="rbf", C=100.0), data("diabetes"))
)

# ---- trees ------------------------------------------------------------------

add("dtree_clf", "DecisionTreeClassifier", SKL, "iris")(
    lambda: sk_classifier(DecisionTreeClassifier(random_state=SEED), data("iris"))
)
add("dtree_reg", "DecisionTreeRegressor(max_depth=6)", SKL, "diabetes")(
    lambda: sk_regressor(DecisionTreeRegressor(max_depth=6, random_state=SEED), data("diabetes"))
)
add("rf_clf_binary", "RandomForestClassifier(n_estimators=100)", SKL, "breast_cancer")(
    lambda: sk_classifier(RandomForestClassifier(**_rf(100)), data("breast_cancer"))
)
add("rf_clf_multi", "RandomForestClassifier(n_estimators=20)", SKL, "wine")(
    lambda: sk_classifier(RandomForestClassifier(**_rf()), data("wine"))
)
add("rf_clf_multi_nozipmap", "RandomForestClassifier(n_estimators=20), zipmap=False", SKL, "wine")(
    lambda: sk_classifier(RandomForestClassifier(**_rf()), data("wine"), zipmap=False)
)
add("rf_reg", "RandomForestRegressor(n_estimators=20, max_depth=8)", SKL, "diabetes")(
    lambda: sk_regressor(RandomForestRegressor(**_rf(max_depth=8)), data("diabetes"))
)
add("extra_trees_clf", "ExtraTreesClassifier(n_estimators=20)", SKL, "wine")(
    lambda: sk_classifier(ExtraTreesClassifier(**_rf()), data("wine"))
)
add("extra_trees_reg", "ExtraTreesRegressor(n_estimators=20, max_depth=8)", SKL, "diabetes")(
    lambda: sk_regressor(ExtraTreesRegressor(**_rf(max_depth=8)), data("diabetes"))
)
add("gb_clf_binary", "GradientBoostingClassifier(n_estimators=30)", SKL, "breast_cancer")(
    lambda: sk_classifier(GradientBoostingClassifier(n_estimators=30, random_state=SEED), data("breast_cancer"))
)
add("gb_clf_multi", "GradientBoostingClassifier(n_estimators=30)", SKL, "iris")(
    lambda: sk_classifier(GradientBoostingClassifier(n_estimators=30, random_state=SEED), data("iris"))
)
add("gb_reg", "GradientBoostingRegressor(n_estimators=30)", SKL, "diabetes")(
    lambda: sk_regressor(GradientBoostingRegressor(n_estimators=30, random_state=SEED), data("diabetes"))
)


def _hgb_clf() -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(max_iter=30, early_stopping=False, random_state=SEED)


def _hgb_reg() -> HistGradientBoostingRegressor:
    return HistGradientBoostingRegressor(max_iter=30, early_stopping=False, random_state=SEED)


add("hgb_clf_binary", "HistGradientBoostingClassifier(max_iter=30)", SKL, "breast_cancer")(
    lambda: sk_classifier(_hgb_clf(), data("breast_cancer"))
)
add("hgb_clf_multi", "HistGradientBoostingClassifier(max_iter=30)", SKL, "iris")(
    lambda: sk_classifier(_hgb_clf(), data("iris"))
)
add("hgb_clf_binary_nan", "HistGradientBoostingClassifier(max_iter=30)", SKL, "breast_cancer, 10% NaN (train and held-out)")(
    lambda: sk_classifier(_hgb_clf(), data("breast_cancer+nan"))
)
add("hgb_reg", "HistGradientBoostingRegressor(max_iter=30)", SKL, "diabetes")(
    lambda: sk_regressor(_hgb_reg(), data("diabetes"))
)
add("hgb_reg_nan", "HistGradientBoostingRegressor(max_iter=30)", SKL, "diabetes, 10% NaN (train and held-out)")(
    lambda: sk_regressor(_hgb_reg(), data("diabetes+nan"))
)

# ---- neighbours, neural networks, naive Bayes ---------------------------------

add("knn_clf", "KNeighborsClassifier(n_neighbors=5)", SKL, "iris")(
    lambda: sk_classifier(KNeighborsClassifier(n_neighbors=5), data("iris"))
)
add("knn_reg", "KNeighborsRegressor(n_neighbors=5)", SKL, "diabetes")(
    lambda: sk_regressor(KNeighborsRegressor(n_neighbors=5), data("diabetes"))
)
add("mlp_clf_binary", "MLPClassifier(hidden_layer_sizes=(16,))", SKL, "breast_cancer (standardised)")(
    lambda: sk_classifier(MLPClassifier(hidden_layer_sizes=(16,), max_iter=500, random_state=SEED), data("breast_cancer+std"))
)
add("mlp_clf_multi", "MLPClassifier(hidden_layer_sizes=(20, 20))", SKL, "iris")(
    lambda: sk_classifier(MLPClassifier(hidden_layer_sizes=(20, 20), max_iter=1000, random_state=SEED), data("iris"))
)


def _mlp_reg() -> Built:
    est = MLPRegressor(hidden_layer_sizes=(32, 16), solver="lbfgs", max_iter=500, random_state=SEED)
    return sk_regressor(est, data("diabetes"))


add("mlp_reg", "MLPRegressor(hidden_layer_sizes=(32, 16), solver='lbfgs')", SKL, "diabetes")(_mlp_reg)
add(
    "mlp_reg_external_data",
    "MLPRegressor(hidden_layer_sizes=(32, 16), solver='lbfgs')",
    SKL,
    "diabetes",
    external_data=True,
    notes=(
        "saved like mlflow.onnx.log_model: onnx.save_model(save_as_external_data=True, "
        "all_tensors_to_one_file=True, location='model.onnx.data', size_threshold=0). skl2onnx writes "
        "initializers as float_data/int64_data, which onnx never moves out of the model, so they are "
        "first re-encoded as raw_data (same values) so that they go to model.onnx.data; the int64 Reshape "
        "shape stays inline (onnxruntime cannot load the model when it is external)."
    ),
)(_mlp_reg)
add("gaussian_nb", "GaussianNB", SKL, "iris")(lambda: sk_classifier(GaussianNB(), data("iris")))
add("digits_logreg", "LogisticRegression (multinomial, 10 classes)", SKL, "digits (pixels / 16)")(
    lambda: sk_classifier(LogisticRegression(max_iter=2000), data("digits"))
)

# ---- pipelines ---------------------------------------------------------------

add("pipe_scaler_logreg", "Pipeline(StandardScaler, LogisticRegression)", SKL, "breast_cancer")(
    lambda: sk_classifier(make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)), data("breast_cancer"))
)
add("pipe_minmax_svc", "Pipeline(MinMaxScaler, SVC(kernel='rbf'))", SKL, "iris",
    notes="probability=False: ZipMap holds the ovr decision function")(
    lambda: sk_classifier(make_pipeline(MinMaxScaler(), SVC(kernel="rbf")), data("iris"), compare="decision_function")
)
add(
    "pipe_imputer_scaler_logreg_nan",
    "Pipeline(SimpleImputer(strategy='mean'), StandardScaler, LogisticRegression)",
    SKL,
    "breast_cancer, 10% NaN (train and held-out)",
)(
    lambda: sk_classifier(
        make_pipeline(SimpleImputer(strategy="mean"), StandardScaler(), LogisticRegression(max_iter=1000)),
        data("breast_cancer+nan"),
    )
)
add(
    "pipe_imputer_median_rf_nan",
    "Pipeline(SimpleImputer(strategy='median'), RandomForestClassifier(n_estimators=20))",
    SKL,
    "breast_cancer, 10% NaN (train and held-out)",
)(
    lambda: sk_classifier(
        make_pipeline(SimpleImputer(strategy="median"), RandomForestClassifier(**_rf())), data("breast_cancer+nan")
    )
)
add("pipe_normalizer_logreg", "Pipeline(Normalizer(norm='l2'), LogisticRegression)", SKL, "iris")(
    lambda: sk_classifier(make_pipeline(Normalizer(), LogisticRegression(max_iter=1000)), data("iris"))
)


def _string_pipeline(est) -> Built:
    """Fit a pipeline over the two-string-column data; input 'input': string[N, 2]."""
    split = strings_data()
    est.fit(split.X_train, split.y_train)
    model = convert_sklearn(est, name="Pipeline", initial_types=[("input", StringTensorType([None, 2]))])
    X = split.X_test
    return Built(model, {"input": X}, est.predict(X), est.predict_proba(X), "predict_proba", _py(est.classes_))


add(
    "pipe_onehot_logreg_str",
    "Pipeline(OneHotEncoder(handle_unknown='ignore'), LogisticRegression)",
    SKL,
    "generated strings (colour, size), unseen categories in held-out rows",
)(lambda: _string_pipeline(make_pipeline(OneHotEncoder(handle_unknown="ignore"), LogisticRegression(max_iter=1000))))
add(
    "pipe_ordinal_dtree_str",
    "Pipeline(OrdinalEncoder(handle_unknown='use_encoded_value', unknown_value=-1), DecisionTreeClassifier(max_depth=5))",
    SKL,
    "generated strings (colour, size), unseen categories in held-out rows",
)(
    lambda: _string_pipeline(
        make_pipeline(
            OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),
            DecisionTreeClassifier(max_depth=5, random_state=SEED),
        )
    )
)


def _column_transformer_pipeline(final, zipmap: bool) -> Built:
    """ColumnTransformer over the mixed DataFrame; one graph input per column
    (age, income: float[N, 1]; city, plan: string[N, 1])."""
    split = mixed_data()
    pre = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), ["age", "income"]),
            ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["city", "plan"]),
        ]
    )
    est = Pipeline([("pre", pre), ("model", final)])
    est.fit(split.X_train, split.y_train)
    initial_types = [
        ("age", FloatTensorType([None, 1])),
        ("income", FloatTensorType([None, 1])),
        ("city", StringTensorType([None, 1])),
        ("plan", StringTensorType([None, 1])),
    ]
    options = None if zipmap else {id(final): {"zipmap": False}}
    model = convert_sklearn(est, name="Pipeline", initial_types=initial_types, options=options)
    df = split.X_test
    feeds = {
        "age": df["age"].to_numpy(np.float32).reshape(-1, 1),
        "income": df["income"].to_numpy(np.float32).reshape(-1, 1),
        "city": df["city"].to_numpy(object).reshape(-1, 1),
        "plan": df["plan"].to_numpy(object).reshape(-1, 1),
    }
    return Built(model, feeds, est.predict(df), est.predict_proba(df), "predict_proba", _py(est.classes_))


_CT = "ColumnTransformer(num: SimpleImputer(median)+StandardScaler; cat: OneHotEncoder(handle_unknown='ignore'))"
add("coltrans_logreg", f"Pipeline({_CT}, LogisticRegression)", SKL, "generated mixed DataFrame, unseen city in held-out rows")(
    lambda: _column_transformer_pipeline(LogisticRegression(max_iter=1000), zipmap=True)
)
add(
    "coltrans_hgb_nozipmap",
    f"Pipeline({_CT}, HistGradientBoostingClassifier(max_iter=30)), zipmap=False",
    SKL,
    "generated mixed DataFrame, unseen city in held-out rows",
)(lambda: _column_transformer_pipeline(_hgb_clf(), zipmap=False))

# ---- XGBoost / LightGBM (onnxmltools) -----------------------------------------


def _ml_types(n_features: int) -> list:
    return [("input", MLFloatTensorType([None, n_features]))]


def xgb_case(est, split: Split) -> Built:
    est.fit(split.X_train, split.y_train)
    model = onnxmltools.convert_xgboost(
        est, name=type(est).__name__, initial_types=_ml_types(split.X_train.shape[1]), target_opset=OPSET_ONNXMLTOOLS
    )
    X = split.X_test
    if isinstance(est, xgboost.XGBClassifier):
        return Built(model, {"input": X}, est.predict(X), est.predict_proba(X), "predict_proba", _py(est.classes_))
    return Built(model, {"input": X}, None, est.predict(X).reshape(len(X), -1), "predict")


def lgbm_case(est, split: Split, *, zipmap: bool = True, fit_kwargs: dict | None = None) -> Built:
    est.fit(split.X_train, split.y_train, **(fit_kwargs or {}))
    n_features = split.X_train.shape[1]
    X = split.X_test
    if isinstance(est, lightgbm.LGBMClassifier):
        model = onnxmltools.convert_lightgbm(
            est, name=type(est).__name__, initial_types=_ml_types(n_features), target_opset=OPSET_ONNXMLTOOLS, zipmap=zipmap
        )
        return Built(model, {"input": X}, est.predict(X), est.predict_proba(X), "predict_proba", _py(est.classes_))
    model = onnxmltools.convert_lightgbm(
        est, name=type(est).__name__, initial_types=_ml_types(n_features), target_opset=OPSET_ONNXMLTOOLS
    )
    return Built(model, {"input": X}, None, est.predict(X).reshape(len(X), -1), "predict")


def _xgb_clf() -> xgboost.XGBClassifier:
    return xgboost.XGBClassifier(n_estimators=30, max_depth=3, learning_rate=0.3, random_state=SEED, n_jobs=1)


def _lgbm_clf(**kw) -> lightgbm.LGBMClassifier:
    return lightgbm.LGBMClassifier(n_estimators=30, num_leaves=15, random_state=SEED, n_jobs=1, verbose=-1, **kw)


add("xgb_clf_binary", "XGBClassifier(n_estimators=30, max_depth=3)", OMT, "breast_cancer")(
    lambda: xgb_case(_xgb_clf(), data("breast_cancer"))
)
add("xgb_clf_binary_nan", "XGBClassifier(n_estimators=30, max_depth=3)", OMT, "breast_cancer, 10% NaN (train and held-out)")(
    lambda: xgb_case(_xgb_clf(), data("breast_cancer+nan"))
)
add("xgb_clf_multi", "XGBClassifier(n_estimators=30, max_depth=3)", OMT, "iris")(
    lambda: xgb_case(_xgb_clf(), data("iris"))
)
add("xgb_reg_nan", "XGBRegressor(n_estimators=30, max_depth=3)", OMT, "diabetes, 10% NaN (train and held-out)")(
    lambda: xgb_case(
        xgboost.XGBRegressor(n_estimators=30, max_depth=3, learning_rate=0.3, random_state=SEED, n_jobs=1),
        data("diabetes+nan"),
    )
)
add("lgbm_clf_binary_nan", "LGBMClassifier(n_estimators=30, num_leaves=15)", OMT, "breast_cancer, 10% NaN (train and held-out)")(
    lambda: lgbm_case(_lgbm_clf(), data("breast_cancer+nan"))
)
add(
    "lgbm_clf_binary_nan_nozipmap",
    "LGBMClassifier(n_estimators=30, num_leaves=15), zipmap=False",
    OMT,
    "breast_cancer, 10% NaN (train and held-out)",
)(lambda: lgbm_case(_lgbm_clf(), data("breast_cancer+nan"), zipmap=False))
add("lgbm_clf_multi", "LGBMClassifier(n_estimators=30, num_leaves=15)", OMT, "iris")(
    lambda: lgbm_case(_lgbm_clf(), data("iris"))
)
add("lgbm_clf_multi_nozipmap", "LGBMClassifier(n_estimators=30, num_leaves=15), zipmap=False", OMT, "iris")(
    lambda: lgbm_case(_lgbm_clf(), data("iris"), zipmap=False)
)
add(
    "lgbm_clf_categorical",
    "LGBMClassifier(n_estimators=20, num_leaves=8), categorical_feature=[3]",
    OMT,
    "generated (3 normal + 1 categorical feature, 10 levels)",
    notes="categorical splits become chains of BRANCH_EQ nodes sharing one true child",
)(
    lambda: lgbm_case(
        lightgbm.LGBMClassifier(
            n_estimators=20,
            num_leaves=8,
            min_data_per_group=10,
            cat_smooth=1.0,
            random_state=SEED,
            n_jobs=1,
            verbose=-1,
        ),
        categorical_data(),
        fit_kwargs={"categorical_feature": [3]},
    )
)
add("lgbm_reg", "LGBMRegressor(n_estimators=30, num_leaves=15)", OMT, "diabetes")(
    lambda: lgbm_case(
        lightgbm.LGBMRegressor(n_estimators=30, num_leaves=15, random_state=SEED, n_jobs=1, verbose=-1),
        data("diabetes"),
    )
)


# --------------------------------------------------------------------------
# Running, checking, writing


def ort_session(model: onnx.ModelProto | str) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.log_severity_level = 3  # LightGBM models declare label int64[1]; ORT warns on every run
    source = model if isinstance(model, str) else model.SerializeToString()
    return ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])


def describe_type(tp: onnx.TypeProto) -> str:
    kind = tp.WhichOneof("value")
    if kind == "tensor_type":
        elem = helper.tensor_dtype_to_string(tp.tensor_type.elem_type).removeprefix("TensorProto.").lower()
        if not tp.tensor_type.HasField("shape"):
            return elem
        dims = []
        for d in tp.tensor_type.shape.dim:
            dims.append(str(d.dim_value) if d.HasField("dim_value") else (d.dim_param or "N"))
        return f"{elem}[{', '.join(dims)}]"
    if kind == "sequence_type":
        return f"seq({describe_type(tp.sequence_type.elem_type)})"
    if kind == "map_type":
        key = helper.tensor_dtype_to_string(tp.map_type.key_type).removeprefix("TensorProto.").lower()
        return f"map({key}, {describe_type(tp.map_type.value_type)})"
    return kind or "?"


def describe_io(values) -> str:
    return "; ".join(f"{v.name}: {describe_type(v.type)}" for v in values)


def _op_label(node: onnx.NodeProto) -> str:
    return f"ml:{node.op_type}" if node.domain == "ai.onnx.ml" else node.op_type


def describe_ops(graph: onnx.GraphProto) -> str:
    """'Cast, ml:LinearClassifier×2, Scan.body{Identity, Sub}' (subgraph ops in braces)."""
    counts = Counter(_op_label(n) for n in graph.node)
    parts = []
    for op in sorted(counts, key=lambda s: (s.startswith("ml:"), s)):
        parts.append(op + (f"×{counts[op]}" if counts[op] > 1 else ""))
    for node in graph.node:
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                parts.append(f"{node.op_type}.{attr.name}{{{describe_ops(attr.g)}}}")
    return ", ".join(parts)


def opset_imports(model: onnx.ModelProto) -> list[str]:
    return [f"{o.domain or 'ai.onnx'}={o.version}" for o in model.opset_import]


def zipmap_to_sequence(rows: list[dict], name: str, map_type: onnx.TypeProto.Map) -> SequenceProto:
    """onnxruntime's ZipMap result (a list of dicts, one per row) ->
    SequenceProto(elem_type=MAP) of MapProto, each holding its values as a
    SequenceProto(elem_type=TENSOR) of scalar tensors."""
    value_dtype = helper.tensor_dtype_to_np_dtype(map_type.value_type.tensor_type.elem_type)
    maps = []
    for row in rows:
        keys = list(row)
        values = helper.make_sequence(
            "", SequenceProto.TENSOR, [numpy_helper.from_array(np.array(row[k], dtype=value_dtype)) for k in keys]
        )
        if map_type.key_type == TensorProto.STRING:
            keys = [k.encode("utf-8") for k in keys]
        maps.append(helper.make_map("", map_type.key_type, keys, values))
    return helper.make_sequence(name, SequenceProto.MAP, maps)


def to_proto(value: Any, info: onnx.ValueInfoProto):
    if info.type.HasField("sequence_type"):
        elem = info.type.sequence_type.elem_type
        if not elem.HasField("map_type"):
            raise TypeError(f"unsupported sequence output {info.name}: {describe_type(info.type)}")
        return zipmap_to_sequence(value, info.name, elem.map_type)
    return numpy_helper.from_array(np.asarray(value), info.name)


def probabilities_array(value: Any, classes: list | None) -> np.ndarray:
    """A ZipMap list of dicts (or a plain array) as an [N, C] array in class order."""
    if isinstance(value, list):
        keys = classes if classes is not None else list(value[0])
        if set(value[0]) != set(keys):
            raise AssertionError(f"ZipMap keys {list(value[0])} != classes {keys}")
        return np.array([[row[k] for k in keys] for row in value], dtype=np.float64)
    return np.asarray(value, dtype=np.float64)


@dataclass
class Result:
    name: str
    ops: str
    inputs: str
    outputs: str
    rows: int
    max_abs: float | None
    label_mismatches: int | None
    seconds: float
    extra: dict = field(default_factory=dict)


def compare(built: Built, outputs: list) -> tuple[float | None, int | None]:
    """Check onnxruntime against the source library; return (max |diff|, label mismatches)."""
    mismatches = None
    if built.labels is not None:
        got = np.asarray(outputs[0]).reshape(-1)
        want = np.asarray(built.labels).reshape(-1)
        if got.dtype.kind in "OUS" or want.dtype.kind in "OUS":
            got, want = got.astype(str), want.astype(str)
        mismatches = int((got != want).sum())
        if mismatches:
            raise AssertionError(f"{mismatches} label mismatches: ORT {got[got != want][:5]} vs source {want[got != want][:5]}")
    if built.values is None:
        return None, mismatches
    value_output = outputs[1] if built.labels is not None else outputs[0]
    got = probabilities_array(value_output, built.classes)
    want = np.asarray(built.values, dtype=np.float64)
    if got.shape != want.shape:
        raise AssertionError(f"shape {got.shape} (ORT) != {want.shape} ({built.compared})")
    if np.isnan(got).any() or np.isnan(want).any():
        raise AssertionError("NaN in outputs")
    diff = np.abs(got - want)
    bad = diff > VALUE_ATOL + VALUE_RTOL * np.abs(want)
    if bad.any():
        raise AssertionError(
            f"{int(bad.sum())} values differ beyond {VALUE_ATOL} + {VALUE_RTOL}*|x| "
            f"(max |diff| {diff.max():.3g}) against {built.compared}"
        )
    return float(diff.max()), mismatches


EXTERNAL_DTYPES = (TensorProto.FLOAT, TensorProto.DOUBLE)


def float_initializers_to_raw_data(model: onnx.ModelProto) -> onnx.ModelProto:
    """Copy of model whose float initializers carry their bytes in raw_data,
    the only form onnx.save_model moves to external data.

    Integer initializers (here the Reshape target shape) keep their typed
    encoding and so stay inline: onnxruntime 1.31.1 refuses to load a model
    whose Reshape shape is external ("Cannot parse data from external
    tensors"), and mlflow's default size_threshold (1024 bytes) would keep such
    small tensors inline anyway.
    """
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    for tensor in copy.graph.initializer:
        if tensor.data_type in EXTERNAL_DTYPES:
            tensor.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(tensor), tensor.name))
    return copy


def write_case(case: Case, outdir: Path) -> Result:
    started = time.perf_counter()
    built = case.build()
    model = built.model
    case_dir = outdir / case.name
    data_dir = case_dir / "test_data_set_0"
    data_dir.mkdir(parents=True)
    model_path = case_dir / "model.onnx"

    if case.external_data:
        onnx.save_model(
            float_initializers_to_raw_data(model),
            str(model_path),
            save_as_external_data=True,
            all_tensors_to_one_file=True,
            location="model.onnx.data",
            size_threshold=0,
        )
        stored = onnx.load(str(model_path), load_external_data=False)
        inline = [
            t.name
            for t in stored.graph.initializer
            if t.data_type in EXTERNAL_DTYPES and t.data_location != TensorProto.EXTERNAL
        ]
        if inline or not (case_dir / "model.onnx.data").exists():
            raise AssertionError(f"float initializers not external: {inline}")
        session = ort_session(str(model_path))  # loads model.onnx.data next to it
    else:
        model_path.write_bytes(model.SerializeToString())
        session = ort_session(model)

    graph_inputs = [i for i in model.graph.input if i.name not in {t.name for t in model.graph.initializer}]
    if {i.name for i in graph_inputs} != set(built.feeds):
        raise AssertionError(f"graph inputs {[i.name for i in graph_inputs]} != feeds {list(built.feeds)}")
    feeds = {i.name: built.feeds[i.name] for i in graph_inputs}
    outputs = session.run([o.name for o in model.graph.output], feeds)

    max_abs, mismatches = compare(built, outputs)

    for i, info in enumerate(graph_inputs):
        (data_dir / f"input_{i}.pb").write_bytes(numpy_helper.from_array(feeds[info.name], info.name).SerializeToString())
    for j, (info, value) in enumerate(zip(model.graph.output, outputs)):
        (data_dir / f"output_{j}.pb").write_bytes(to_proto(value, info).SerializeToString())

    rows = len(next(iter(feeds.values())))
    ops = describe_ops(model.graph)
    meta = {
        "estimator": case.estimator,
        "converter": case.converter,
        "converter_version": skl2onnx.__version__ if case.converter == SKL else onnxmltools.__version__,
        "dataset": case.dataset,
        "rtol": CASE_RTOL,
        "atol": CASE_ATOL,
        "rows": rows,
        "ops": ops,
        "opset_import": opset_imports(model),
        "ir_version": model.ir_version,
        "inputs": [{"name": v.name, "type": describe_type(v.type)} for v in graph_inputs],
        "outputs": [{"name": v.name, "type": describe_type(v.type)} for v in model.graph.output],
        "external_data": case.external_data,
        "source_check": {
            "compared": built.compared if built.values is not None else "labels only",
            "max_abs_diff": max_abs,
            "label_mismatches": mismatches,
        },
        "expected_outputs": f"onnxruntime {ort.__version__}, 1 thread, graph optimisations disabled",
    }
    if case.notes:
        meta["notes"] = case.notes
    (case_dir / "case.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    return Result(
        case.name,
        ops,
        describe_io(graph_inputs),
        describe_io(model.graph.output),
        rows,
        max_abs,
        mismatches,
        time.perf_counter() - started,
        {"opsets": opset_imports(model), "ir": model.ir_version},
    )


def prepare_outdir(outdir: Path) -> None:
    """Create OUTDIR, removing earlier fixture cases (directories holding a
    case.json or model.onnx). Anything else in it stops the script."""
    outdir.mkdir(parents=True, exist_ok=True)
    for child in sorted(outdir.iterdir()):
        if child.is_dir() and ((child / "case.json").exists() or (child / "model.onnx").exists()):
            shutil.rmtree(child)
        else:
            sys.exit(f"error: {outdir} contains {child.name!r}, which is not a fixture case; not clearing it")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path, help="directory to (re)create the cases in")
    parser.add_argument("--only", nargs="*", default=None, help="build only these case names")
    parser.add_argument("-v", "--verbose", action="store_true", help="also print each case's inputs/outputs")
    args = parser.parse_args()

    selected = [c for c in CASES if args.only is None or c.name in args.only]
    if args.only and len(selected) != len(args.only):
        unknown = sorted(set(args.only) - {c.name for c in CASES})
        sys.exit(f"error: unknown case(s): {', '.join(unknown)}")
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"

    prepare_outdir(args.outdir)
    print(
        f"versions: onnx {onnx.__version__}, onnxruntime {ort.__version__}, skl2onnx {skl2onnx.__version__}, "
        f"onnxmltools {onnxmltools.__version__}, scikit-learn {sklearn.__version__}, xgboost {xgboost.__version__}, "
        f"lightgbm {lightgbm.__version__}, numpy {np.__version__}"
    )
    started = time.perf_counter()
    failures, skipped, written = [], [], 0
    for case in selected:
        try:
            r = write_case(case, args.outdir)
        except Exception as exc:  # noqa: BLE001 - report every failing case, then exit non-zero
            shutil.rmtree(args.outdir / case.name, ignore_errors=True)
            if case.name in KNOWN_LIMITATIONS:
                skipped.append(case.name)
                print(f"SKIP {case.name}: known limitation: {KNOWN_LIMITATIONS[case.name]} ({exc})")
                continue
            failures.append(case.name)
            print(f"\n!!!!! FAILED {case.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
            traceback.print_exc()
            print("!!!!!\n", file=sys.stderr)
            continue
        written += 1
        diff = "labels only" if r.max_abs is None else f"max|d|={r.max_abs:.2g}"
        labels = "" if r.label_mismatches is None else f" label_mismatch={r.label_mismatches}"
        print(f"ok {r.name:32s} {r.rows:3d} rows {diff:17s}{labels:17s} {r.seconds:5.2f}s  ops: {r.ops}")
        if args.verbose:
            print(f"   {'':32s} in: {r.inputs}  ->  out: {r.outputs}  [{', '.join(r.extra['opsets'])}; IR {r.extra['ir']}]")
    elapsed = time.perf_counter() - started
    print(f"\n{written} cases written to {args.outdir} in {elapsed:.1f}s", end="")
    print(f"; {len(skipped)} skipped (known limitations)" if skipped else "")
    if failures:
        print(f"\nFAILED ({len(failures)}): {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
