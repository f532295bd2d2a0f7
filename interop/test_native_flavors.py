"""Models served in their library's own format, with no conversion: XGBoost models logged with the real
`mlflow.xgboost.log_model` (ubj, its default, and json), LightGBM Boosters logged with `mlflow.lightgbm.log_model`
and scikit-learn models logged with `mlflow.sklearn.log_model` (skops, its default) to a Kaizen server, served by `kaizen models serve -m models:/NAME/1`, answers compared with
`mlflow.pyfunc.load_model(uri).predict` on the same rows (labels exactly; numbers within 1e-6 relative for XGBoost,
which computes in float32, and 1e-9 for LightGBM and scikit-learn, which compute in float64) and, for some models, with the JSON
`mlflow models serve` answers for the same body. Hostile model files are refused at load with the reason.
"""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest
import requests

from interop_helpers import SKLEARN_REQUIREMENTS
from serving_helpers import (
    KAIZEN_BIN, json_diff, kaizen_env, start_kaizen_serve, start_mlflow_serve, stop_scoring_server,
)


def _datasets():
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris

    cancer = load_breast_cancer(return_X_y=True, as_frame=True)
    diabetes = load_diabetes(return_X_y=True, as_frame=True)
    iris = load_iris(return_X_y=True, as_frame=True)
    missing = cancer[0].copy()
    missing.iloc[::7, 3] = np.nan
    missing.iloc[::5, 20] = np.nan
    missing.iloc[::3, 27] = np.nan
    names = (iris[0], np.array(["setosa", "versicolor", "virginica"])[iris[1]])
    return {"cancer": cancer, "diabetes": diabetes, "iris": iris, "iris-names": names,
            "cancer-missing": (missing, cancer[1]), **_generated()}


def _generated():
    """Generated data with text categories, integer-coded categories and missing values: `shop` (a text and a
    numeric category, a number with gaps; labels 0/1), `shop-flags` (the same with True/False labels),
    `shop-amount` (a regression target), `shop-categories` (the text columns as pandas categories), `codes` (integer
    category codes with gaps and a number). A `<name>-eval` frame, where there is one, is what the model is asked
    about: unknown categories and values outside the fitted ones."""
    import pandas as pd

    rng = np.random.default_rng(7)
    n = 400
    shop = pd.DataFrame({"color": rng.choice(["red", "green", "blue"], n), "size": rng.choice(["S", "M", "L", "XL"], n),
                         "weight": rng.normal(size=n), "aisle": rng.integers(0, 5, n).astype(float)})
    shop.loc[::13, "weight"] = np.nan
    shop.loc[::10, "aisle"] = np.nan
    flags = ((shop.color == "red") ^ (shop.weight > 0)) | (shop["size"] == "XL")
    amount = shop.weight.fillna(0) * 2 + (shop.color == "blue") + shop.aisle.fillna(2) * 0.3
    unknown = shop.copy()
    unknown.loc[::7, "color"] = "mauve"
    unknown.loc[::9, "aisle"] = 17.0
    categories = shop.copy()
    categories["color"] = categories.color.astype("category")
    categories["size"] = categories["size"].astype("category")
    codes = pd.DataFrame({"a": rng.integers(0, 12, n).astype(float), "b": rng.normal(size=n),
                          "c": rng.integers(0, 40, n).astype(float)})
    codes.loc[::9, "a"] = np.nan
    code_labels = ((np.isin(codes.a, [1, 3, 5, 7]) * 2 + codes.b + (codes.c % 3 == 0)) > 1).astype(int)
    odd = codes.copy()
    odd.loc[::5, "c"] = 55.0  # never fitted
    odd.loc[::7, "a"] = -1.0
    odd.loc[::11, "a"] = 2.7  # read as category 2
    return {"shop": (shop, flags.astype(int)), "shop-flags": (shop, flags), "shop-amount": (shop, amount),
            "shop-lenient": (shop, flags.astype(int)), "shop-lenient-eval": (unknown, None),
            "shop-categories": (categories, flags.astype(int)), "codes": (codes, code_labels),
            "codes-eval": (odd, None), "codes-amount": (codes, codes.b * 2 + codes.c),
            "codes-amount-eval": (odd, None)}


def _train(kind: str, X, y):
    import xgboost as xgb

    if kind == "classifier":
        return xgb.XGBClassifier(n_estimators=30, max_depth=4, random_state=0).fit(X, y)
    if kind == "regressor":
        return xgb.XGBRegressor(n_estimators=40, max_depth=4, random_state=0).fit(X, y)
    objective, rounds, extra = {
        "binary": ("binary:logistic", 20, {}), "softprob": ("multi:softprob", 10, {"num_class": 3}),
        "softmax": ("multi:softmax", 10, {"num_class": 3}), "poisson": ("count:poisson", 20, {}),
        "logitraw": ("binary:logitraw", 10, {}),
    }[kind]
    return xgb.train({"objective": objective, "max_depth": 3, "seed": 0, **extra}, xgb.DMatrix(X, y), rounds)


# (case name, how it is trained, data set, model_format)
CASES = [
    ("classifier-binary", "classifier", "cancer", "ubj"),
    ("classifier-missing", "classifier", "cancer-missing", "json"),
    ("classifier-multiclass", "classifier", "iris", "ubj"),
    ("regressor", "regressor", "diabetes", "ubj"),
    ("booster-binary", "binary", "cancer-missing", "ubj"),
    ("booster-softprob", "softprob", "iris", "json"),
    ("booster-softmax", "softmax", "iris", "ubj"),
    ("booster-poisson", "poisson", "diabetes", "ubj"),
    ("booster-logitraw", "logitraw", "cancer", "json"),
]


def _body(X) -> dict:
    rows = [[None if value != value else value for value in row] for row in X.values.tolist()]
    return {"dataframe_split": {"columns": list(X.columns), "data": rows}}


@pytest.fixture(scope="module")
def logged(server):
    """Every case trained and logged to the Kaizen server as `xgb-<case>` version 1."""
    import mlflow
    import mlflow.xgboost

    mlflow.set_tracking_uri(server.url)
    data = _datasets()
    models = {}
    for name, kind, dataset, model_format in CASES:
        X, y = data[dataset]
        with mlflow.start_run():
            info = mlflow.xgboost.log_model(_train(kind, X, y), name="model", model_format=model_format,
                                            input_example=X.head(3), registered_model_name=f"xgb-{name}",
                                            pip_requirements=["xgboost"])
        models[name] = {"uri": f"models:/xgb-{name}/{info.registered_model_version}", "X": X,
                        "model_uri": info.model_uri}
    return models


# (case name, lightgbm.train parameters, data set, rounds)
LIGHTGBM_CASES = [
    ("binary", {"objective": "binary"}, "cancer", 30),
    ("binary-missing", {"objective": "binary"}, "cancer-missing", 30),
    ("regression", {"objective": "regression"}, "diabetes", 50),
    ("multiclass", {"objective": "multiclass", "num_class": 3}, "iris", 20),
    ("poisson", {"objective": "poisson"}, "diabetes", 30),
    ("cross-entropy", {"objective": "cross_entropy"}, "cancer", 10),
    ("random-forest", {"objective": "binary", "boosting": "rf", "bagging_fraction": 0.8, "bagging_freq": 1},
     "cancer", 10),
    ("multiclass-ova", {"objective": "multiclassova", "num_class": 3}, "iris", 10),
    # Integer-coded category columns 0 and 2, asked about codes never fitted, negatives and fractions.
    ("categories", {"objective": "binary", "min_data_per_group": 5, "cat_smooth": 1, "categorical_feature": [0, 2]},
     "codes", 20),
    ("categories-regression", {"objective": "regression", "min_data_per_group": 5, "categorical_feature": [0, 2]},
     "codes-amount", 20),
]


@pytest.fixture(scope="module")
def logged_lightgbm(server):
    """Every LightGBM case trained with lightgbm.train and logged to the Kaizen server as `lgb-<case>` version 1."""
    import lightgbm as lgb
    import mlflow
    import mlflow.lightgbm

    mlflow.set_tracking_uri(server.url)
    data = _datasets()
    models = {}
    for name, parameters, dataset, rounds in LIGHTGBM_CASES:
        X, y = data[dataset]
        parameters = dict(parameters)
        training = lgb.Dataset(X, y, categorical_feature=parameters.pop("categorical_feature", "auto"))
        booster = lgb.train({**parameters, "num_leaves": 15, "verbose": -1, "seed": 0}, training, rounds)
        with mlflow.start_run():
            info = mlflow.lightgbm.log_model(booster, name="model", input_example=X.head(3),
                                             registered_model_name=f"lgb-{name}", pip_requirements=["lightgbm"])
        models[name] = {"uri": f"models:/lgb-{name}/{info.registered_model_version}",
                        "X": data.get(f"{dataset}-eval", (X, None))[0]}
    for name, make, dataset, categorical in LIGHTGBM_SKLEARN_CASES:
        X, y = data[dataset]
        model = make().fit(X, y, categorical_feature=categorical)
        with mlflow.start_run():
            # Saved with skops, mlflow.lightgbm's default for LightGBM's scikit-learn estimators.
            info = mlflow.lightgbm.log_model(model, name="model", input_example=X.head(3),
                                             registered_model_name=f"lgb-{name}",
                                             pip_requirements=["lightgbm", *SKLEARN_REQUIREMENTS],
                                             skops_trusted_types=["sklearn.preprocessing._label.LabelEncoder"])
        models[name] = {"uri": f"models:/lgb-{name}/{info.registered_model_version}",
                        "X": data.get(f"{dataset}-eval", (X, None))[0]}
    return models


def _lightgbm_estimator(kind: str, **parameters):
    import lightgbm as lgb

    estimator = lgb.LGBMClassifier if kind == "classifier" else lgb.LGBMRegressor
    return lambda: estimator(n_estimators=25, num_leaves=15, verbose=-1, random_state=0, **parameters)


# (case name, estimator, data set, categorical_feature given to fit)
LIGHTGBM_SKLEARN_CASES = [
    ("sklearn-multiclass-names", _lightgbm_estimator("classifier"), "iris-names", "auto"),
    ("sklearn-binary", _lightgbm_estimator("classifier"), "cancer-missing", "auto"),
    ("sklearn-regressor", _lightgbm_estimator("regressor"), "diabetes", "auto"),
    ("sklearn-categories", _lightgbm_estimator("classifier", min_data_per_group=5), "codes", [0, 2]),
]


def _compare_with_pyfunc(server, model, tmp_path, rtol: float):
    import mlflow.pyfunc

    expected = np.asarray(mlflow.pyfunc.load_model(model["uri"]).predict(model["X"]))
    kaizen = start_kaizen_serve(model["uri"], tmp_path, tracking_uri=server.url)
    body = _body(model["X"]) if hasattr(model["X"], "columns") else {"inputs": model["X"].tolist()}
    try:
        answer = requests.post(f"{kaizen.url}/invocations", json=body, timeout=60)
    finally:
        stop_scoring_server(kaizen)
    assert answer.status_code == 200, answer.text[:500]
    got = np.asarray(answer.json()["predictions"])
    assert got.shape == expected.shape
    if expected.dtype.kind == "b":
        assert got.dtype.kind == "b", got.dtype  # True/False labels stay booleans in the JSON
        assert np.array_equal(got, expected)
    elif np.issubdtype(expected.dtype, np.integer):
        assert got.dtype.kind == "i", got.dtype  # labels stay integers in the JSON
        assert np.array_equal(got, expected)
    elif expected.dtype.kind in "OU":
        assert got.tolist() == expected.tolist()
    else:
        np.testing.assert_allclose(got, expected.astype(np.float64), rtol=rtol, atol=0)


HISTOGRAM_TREE = "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"
# What skops calls untrusted in these models (trees scikit-learn indexes unchecked, k-NN search structures, an MLP's
# optimizer); Kaizen checks the trees' indices and never uses the search structures or the optimizer.
TRUSTED_TYPES = ["sklearn.tree._tree.Tree", HISTOGRAM_TREE, "sklearn.neighbors._kd_tree.KDTree",
                 "sklearn.neighbors._ball_tree.BallTree", "sklearn.metrics._dist_metrics.EuclideanDistance64",
                 "sklearn.neural_network._stochastic_optimizers.AdamOptimizer", "numpy.dtype",
                 # A histogram gradient boosting model's own category encoder passes numbers through check_array.
                 "functools.partial", "sklearn.utils.validation.check_array"]


def _sklearn_cases():
    from sklearn.linear_model import (ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge,
                                      RidgeClassifier, SGDClassifier)
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler
    from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier,
                                  RandomForestRegressor)
    from sklearn.svm import LinearSVC
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
    from sklearn.ensemble import (GradientBoostingClassifier, GradientBoostingRegressor,
                                  HistGradientBoostingClassifier, HistGradientBoostingRegressor)

    from sklearn.decomposition import PCA
    from sklearn.impute import SimpleImputer
    from sklearn.naive_bayes import BernoulliNB, ComplementNB, GaussianNB, MultinomialNB
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.preprocessing import Normalizer, PolynomialFeatures

    from sklearn.svm import SVC, SVR, NuSVC, NuSVR

    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

    from sklearn.compose import make_column_transformer
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

    # Cases named `*-proba` are logged with pyfunc_predict_fn="predict_proba".
    return {
        "columns-onehot-ordinal-logistic": (lambda: make_pipeline(make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), ["color", "aisle"]), (OrdinalEncoder(), ["size"]),
            (make_pipeline(SimpleImputer(), StandardScaler()), ["weight"])), LogisticRegression()), "shop", False),
        "columns-unknown-ignored-proba": (lambda: make_pipeline(make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["color", "aisle"]),
            (SimpleImputer(), ["weight"])), LogisticRegression()), "shop-lenient", False),
        "columns-drop-first-ridge": (lambda: make_pipeline(make_column_transformer(
            (OneHotEncoder(drop="first"), ["color"]), (SimpleImputer(strategy="median"), ["weight"])), Ridge()),
            "shop-amount", False),
        "columns-ordinal-unknown-tree": (lambda: make_pipeline(make_column_transformer(
            (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-2),
             ["color", "size", "aisle"]), remainder="passthrough"), SimpleImputer(),
            DecisionTreeClassifier(max_depth=6, random_state=0)), "shop-lenient", False),
        "columns-imputed-text-proba": (lambda: make_pipeline(make_column_transformer(
            (make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(drop="if_binary")),
             ["color", "size"]), (make_pipeline(SimpleImputer(), MinMaxScaler()), ["aisle"]),
            (SimpleImputer(), ["weight"])), LogisticRegression()),
            "shop", False),
        "columns-flag-labels": (lambda: make_pipeline(make_column_transformer(
            (OneHotEncoder(), ["color", "size"]), (SimpleImputer(), ["weight"])), LogisticRegression()),
            "shop-flags", False),
        "hist-gradient-boosting-text-categories": (lambda: HistGradientBoostingClassifier(
            max_iter=30, categorical_features="from_dtype", random_state=0), "shop-categories", False),
        "hist-gradient-boosting-category-codes": (lambda: HistGradientBoostingClassifier(
            max_iter=30, categorical_features=[0, 2], random_state=0), "codes", False),
        "hist-gradient-boosting-category-regressor": (lambda: HistGradientBoostingRegressor(
            max_iter=30, categorical_features=[0, 2], random_state=0), "codes-amount", False),

        "knn-classifier": (lambda: make_pipeline(StandardScaler(), KNeighborsClassifier()), "cancer", False),
        "knn-ball-tree-proba": (lambda: make_pipeline(StandardScaler(), KNeighborsClassifier(
            7, algorithm="ball_tree")), "cancer", False),
        "knn-regressor": (lambda: make_pipeline(StandardScaler(), KNeighborsRegressor(6)), "diabetes", False),
        "svc-rbf-binary": (lambda: make_pipeline(StandardScaler(), SVC()), "cancer", False),
        "svc-rbf-multiclass": (lambda: SVC(gamma=0.5), "iris-names", False),
        "svc-poly": (lambda: make_pipeline(StandardScaler(), SVC(kernel="poly", degree=2, coef0=1.0)), "iris", False),
        "svc-sigmoid": (lambda: make_pipeline(StandardScaler(), SVC(kernel="sigmoid", gamma=0.01)), "cancer", False),
        "svc-linear": (lambda: make_pipeline(StandardScaler(), SVC(kernel="linear")), "iris", False),
        "nu-svc": (lambda: make_pipeline(StandardScaler(), NuSVC(nu=0.3)), "iris", False),
        "svr-rbf": (lambda: make_pipeline(StandardScaler(), SVR(C=50.0)), "diabetes", False),
        "nu-svr-poly": (lambda: make_pipeline(StandardScaler(), NuSVR(kernel="poly", degree=2, C=10.0)), "diabetes",
                        False),
        "mlp-binary": (lambda: make_pipeline(StandardScaler(), MLPClassifier(
            hidden_layer_sizes=(16,), max_iter=300, random_state=0)), "cancer", False),
        "mlp-multiclass-proba": (lambda: MLPClassifier(
            hidden_layer_sizes=(8, 8), activation="tanh", max_iter=800, random_state=0), "iris", False),
        "mlp-string-labels": (lambda: MLPClassifier(
            hidden_layer_sizes=(6,), activation="logistic", max_iter=800, random_state=0), "iris-names", False),
        "mlp-regressor": (lambda: make_pipeline(StandardScaler(), MLPRegressor(
            hidden_layer_sizes=(16,), max_iter=800, random_state=0)), "diabetes", False),
        "gaussian-nb": (lambda: GaussianNB(), "iris-names", False),
        "gaussian-nb-proba": (lambda: GaussianNB(), "cancer", False),
        "multinomial-nb": (lambda: make_pipeline(MinMaxScaler(), MultinomialNB()), "iris", False),
        "complement-nb": (lambda: make_pipeline(MinMaxScaler(), ComplementNB()), "iris", False),
        "bernoulli-nb-proba": (lambda: make_pipeline(StandardScaler(), BernoulliNB()), "cancer", False),
        "pca-whiten-logistic": (lambda: make_pipeline(StandardScaler(), PCA(5, whiten=True),
                                                      LogisticRegression(max_iter=2000)), "cancer", False),
        "pca-ridge": (lambda: make_pipeline(PCA(6), Ridge()), "diabetes", False),
        "imputer-logistic": (lambda: make_pipeline(SimpleImputer(), StandardScaler(),
                                                   LogisticRegression(max_iter=3000)), "cancer-missing", False),
        "imputer-median-forest": (lambda: make_pipeline(SimpleImputer(strategy="median"),
                                                        RandomForestClassifier(n_estimators=20, random_state=0)),
                                  "cancer-missing", False),
        "polynomial-ridge": (lambda: make_pipeline(PolynomialFeatures(2), Ridge()), "diabetes", False),
        "polynomial-interactions": (lambda: make_pipeline(PolynomialFeatures(3, interaction_only=True,
                                                                             include_bias=False), Ridge()),
                                    "diabetes", False),
        "normalizer-l1-logistic": (lambda: make_pipeline(Normalizer("l1"), LogisticRegression(max_iter=2000)), "iris",
                                   False),
        "normalizer-l2-proba": (lambda: make_pipeline(Normalizer(), LogisticRegression(max_iter=2000)), "iris",
                                False),
        "gradient-boosting-binary": (lambda: GradientBoostingClassifier(n_estimators=60, random_state=0), "cancer",
                                     False),
        "gradient-boosting-multiclass": (lambda: GradientBoostingClassifier(n_estimators=30, random_state=0),
                                         "iris-names", False),
        "gradient-boosting-regressor": (lambda: GradientBoostingRegressor(n_estimators=80, random_state=0),
                                        "diabetes", False),
        "gradient-boosting-huber": (lambda: GradientBoostingRegressor(loss="huber", n_estimators=40, init="zero",
                                                                      random_state=0), "diabetes", False),
        "gradient-boosting-exponential-proba": (
            lambda: GradientBoostingClassifier(loss="exponential", n_estimators=40, random_state=0), "cancer", False),
        "gradient-boosting-multiclass-proba": (lambda: GradientBoostingClassifier(n_estimators=30, random_state=0),
                                               "iris", False),
        "hist-gradient-boosting-binary": (lambda: HistGradientBoostingClassifier(max_iter=60, random_state=0),
                                          "cancer-missing", False),
        "hist-gradient-boosting-multiclass": (lambda: HistGradientBoostingClassifier(max_iter=30, random_state=0),
                                              "iris-names", False),
        "hist-gradient-boosting-regressor": (lambda: HistGradientBoostingRegressor(max_iter=80, random_state=0),
                                             "diabetes", False),
        "hist-gradient-boosting-poisson": (lambda: HistGradientBoostingRegressor(loss="poisson", max_iter=40),
                                           "diabetes", False),
        "hist-gradient-boosting-binary-proba": (lambda: HistGradientBoostingClassifier(max_iter=60, random_state=0),
                                                "cancer-missing", False),
        "logistic-binary-proba": (lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
                                  "cancer", False),
        "logistic-multiclass-proba": (lambda: LogisticRegression(max_iter=2000), "iris", False),
        "sgd-log-loss-proba": (lambda: make_pipeline(StandardScaler(), SGDClassifier(loss="log_loss",
                                                                                     random_state=0)), "iris", False),
        "decision-tree-proba": (lambda: DecisionTreeClassifier(max_depth=4, random_state=0), "iris", False),
        "random-forest-proba": (lambda: RandomForestClassifier(n_estimators=30, max_depth=6, random_state=0),
                                "cancer", False),
        "decision-tree-classifier": (lambda: DecisionTreeClassifier(max_depth=5, random_state=0), "iris-names",
                                     False),
        "decision-tree-regressor": (lambda: DecisionTreeRegressor(max_depth=6, random_state=0), "diabetes", False),
        "random-forest-classifier": (lambda: RandomForestClassifier(n_estimators=50, max_depth=8, random_state=0),
                                     "cancer", False),
        "random-forest-missing": (lambda: RandomForestClassifier(n_estimators=20, random_state=0), "cancer-missing",
                                  False),
        "random-forest-regressor": (lambda: RandomForestRegressor(n_estimators=50, random_state=0), "diabetes",
                                    False),
        "extra-trees-classifier": (lambda: ExtraTreesClassifier(n_estimators=30, random_state=0), "iris", False),
        "extra-trees-regressor": (lambda: ExtraTreesRegressor(n_estimators=30, random_state=0), "diabetes", False),
        # The README tour's model: Ridge on NumPy arrays, so a tensor signature and `inputs` requests.
        "ridge-numpy": (lambda: Ridge(alpha=1.0), "diabetes", True),
        "linear-regression": (lambda: make_pipeline(StandardScaler(), LinearRegression()), "diabetes", False),
        "lasso": (lambda: make_pipeline(MinMaxScaler(), Lasso(alpha=0.1)), "diabetes", False),
        "elastic-net": (lambda: make_pipeline(RobustScaler(), ElasticNet(alpha=0.1)), "diabetes", False),
        "logistic-binary": (lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)), "cancer",
                            False),
        "logistic-multiclass": (lambda: make_pipeline(MaxAbsScaler(), LogisticRegression(max_iter=2000)), "iris",
                                False),
        "logistic-string-labels": (lambda: LogisticRegression(max_iter=2000), "iris-names", False),
        "ridge-classifier": (lambda: RidgeClassifier(), "iris", False),
        "sgd-classifier": (lambda: make_pipeline(StandardScaler(), SGDClassifier(random_state=0)), "cancer", False),
        "linear-svc": (lambda: make_pipeline(StandardScaler(), LinearSVC()), "cancer", False),
    }


@pytest.fixture(scope="module")
def logged_sklearn(server):
    """Every scikit-learn case logged with mlflow.sklearn.log_model (skops, its default) as `skl-<case>`."""
    import mlflow
    import mlflow.sklearn

    mlflow.set_tracking_uri(server.url)
    data = _datasets()
    models = {}
    for name, (make, dataset, as_numpy) in _sklearn_cases().items():
        X, y = data[dataset]
        if as_numpy:
            X, y = X.values, np.asarray(y)
        with mlflow.start_run():
            # skops itself calls scikit-learn's Tree untrusted (scikit-learn indexes its node arrays unchecked);
            # Kaizen checks every index when it loads one.
            info = mlflow.sklearn.log_model(
                make().fit(X, y), name="model", input_example=X[:2], registered_model_name=f"skl-{name}",
                pip_requirements=SKLEARN_REQUIREMENTS,
                skops_trusted_types=TRUSTED_TYPES,
                pyfunc_predict_fn="predict_proba" if name.endswith("-proba") else "predict")
        evaluated = data.get(f"{dataset}-eval", (X, None))[0]
        models[name] = {"uri": f"models:/skl-{name}/{info.registered_model_version}", "X": evaluated}
    return models


@pytest.mark.parametrize("case", sorted(_sklearn_cases()))
def test_sklearn_answers_equal_mlflow_pyfunc(server, logged_sklearn, case, tmp_path):
    _compare_with_pyfunc(server, logged_sklearn[case], tmp_path, rtol=1e-9)


@pytest.mark.parametrize("case", [case[0] for case in LIGHTGBM_CASES + LIGHTGBM_SKLEARN_CASES])
def test_lightgbm_answers_equal_mlflow_pyfunc(server, logged_lightgbm, case, tmp_path):
    _compare_with_pyfunc(server, logged_lightgbm[case], tmp_path, rtol=1e-9)


@pytest.mark.parametrize("case", [case[0] for case in CASES])
def test_answers_equal_mlflow_pyfunc(server, logged, case, tmp_path):
    _compare_with_pyfunc(server, logged[case], tmp_path, rtol=1e-6)


@pytest.mark.parametrize("case", ["classifier-multiclass", "booster-softprob", "lightgbm-binary",
                                  "sklearn-logistic-string-labels", "sklearn-columns-flag-labels",
                                  "lightgbm-sklearn-multiclass-names"])
def test_same_json_as_mlflow_models_serve(server, logged, logged_lightgbm, logged_sklearn, case, tmp_path):
    import mlflow.artifacts

    model = (logged_lightgbm[case.removeprefix("lightgbm-")] if case.startswith("lightgbm-")
             else logged_sklearn[case.removeprefix("sklearn-")] if case.startswith("sklearn-") else logged[case])
    folder = tmp_path / "model"
    mlflow.artifacts.download_artifacts(artifact_uri=model["uri"], dst_path=str(folder), tracking_uri=server.url)
    body = _body(model["X"].head(20))
    reference = start_mlflow_serve(folder, tmp_path / "mlflow")
    kaizen = start_kaizen_serve(str(folder), tmp_path / "kaizen")
    try:
        want = requests.post(f"{reference.url}/invocations", json=body, timeout=120)
        got = requests.post(f"{kaizen.url}/invocations", json=body, timeout=60)
        # A list of lists is read as a tensor and answered with the same single array.
        lists = {"inputs": body["dataframe_split"]["data"]}
        got_lists = requests.post(f"{kaizen.url}/invocations", json=lists, timeout=60)
    finally:
        stop_scoring_server(reference)
        stop_scoring_server(kaizen)
    assert want.status_code == got.status_code == 200, (want.text[:300], got.text[:300])
    assert json_diff(want.json(), got.json()) is None, json_diff(want.json(), got.json())
    assert got_lists.status_code == 200 and got_lists.json() == got.json()


def _xgboost_folder(tmp_path, document: dict | bytes, model_format: str = "json"):
    """A model folder as mlflow.xgboost saves it, holding `document` as its model file."""
    folder = tmp_path / "hostile"
    folder.mkdir()
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    (folder / f"model.{model_format}").write_bytes(data)
    (folder / "MLmodel").write_text(
        "flavors:\n  xgboost:\n    data: model.%s\n    model_class: xgboost.core.Booster\n    model_format: %s\n"
        % (model_format, model_format))
    return folder


def _small_model(tmp_path) -> dict:
    import xgboost as xgb
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    booster = xgb.train({"objective": "binary:logistic", "max_depth": 2}, xgb.DMatrix(X, y > 0), 2)
    return json.loads(booster.save_raw("json"))


def _tree(document: dict) -> dict:
    return document["learner"]["gradient_booster"]["model"]["trees"][0]


HOSTILE = {
    "cycle": (lambda d: _tree(d)["left_children"].__setitem__(0, 0) or d, "leads back to a node already reached"),
    "child out of range": (lambda d: _tree(d)["right_children"].__setitem__(0, 10 ** 6) or d, "out of range"),
    "feature out of range": (lambda d: _tree(d)["split_indices"].__setitem__(0, 999) or d, "splits on feature 999"),
    "unknown objective": (lambda d: d["learner"]["objective"].__setitem__("name", "os.system") or d,
                          "objective 'os.system' is not supported"),
    "categorical split": (lambda d: _tree(d)["split_type"].__setitem__(0, 1) or d, "categorical splits"),
    "truncated ubj": (b"{L\x00\x00\x00\x00\x00\x00\x00\x07learner{", "Invalid UBJSON"),
    "huge ubj count": (b"[$d#L\x7f\xff\xff\xff\xff\xff\xff\xff", "more than the data left"),
}


def _lightgbm_text() -> str:
    import lightgbm as lgb
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    return lgb.train({"objective": "binary", "num_leaves": 4, "verbose": -1}, lgb.Dataset(X, y > 0), 2) \
        .model_to_string()


def _replace_first(text: str, key: str, value: str) -> str:
    lines = text.split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(key + "="))
    lines[index] = f"{key}={value}"
    return "\n".join(lines)


HOSTILE_LIGHTGBM = {
    "cycle": (lambda t: _replace_first(t, "left_child", "0 -1 -2"), "out of range or already reached"),
    "feature out of range": (lambda t: _replace_first(t, "split_feature", "99 0 0"), "splits on feature 99"),
    "short list": (lambda t: _replace_first(t, "leaf_value", "1"), "'leaf_value' has 1 values"),
    "not lightgbm": (lambda t: "import os\nos.system('touch /tmp/pwned')\n", "not in LightGBM's text format"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_LIGHTGBM))
def test_hostile_lightgbm_models_are_refused(case, tmp_path):
    change, message = HOSTILE_LIGHTGBM[case]
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "model.lgb").write_text(change(_lightgbm_text()))
    (folder / "MLmodel").write_text("flavors:\n  lightgbm:\n    data: model.lgb\n"
                                    "    model_class: lightgbm.basic.Booster\n")
    rows = tmp_path / "rows.csv"
    rows.write_text("a,b,c,d\n1,2,3,4\n")
    result = subprocess.run([str(KAIZEN_BIN), "models", "predict", "-m", str(folder), "-i", str(rows)],
                            capture_output=True, text=True, timeout=60, env=kaizen_env(None))
    assert result.returncode != 0
    assert message in result.stderr, result.stderr[-2000:]


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_xgboost_models_are_refused(case, tmp_path):
    change, message = HOSTILE[case]
    if isinstance(change, bytes):
        folder = _xgboost_folder(tmp_path, change, "ubj")
    else:
        folder = _xgboost_folder(tmp_path, change(_small_model(tmp_path)))
    before = sorted(p.name for p in folder.iterdir())
    rows = tmp_path / "rows.csv"
    rows.write_text("a,b,c,d\n1,2,3,4\n")
    result = subprocess.run([str(KAIZEN_BIN), "models", "predict", "-m", str(folder), "-i", str(rows)],
                            capture_output=True, text=True, timeout=60, env=kaizen_env(None))
    assert result.returncode != 0
    assert message in result.stderr, result.stderr[-2000:]
    assert "Fatal error" not in result.stderr and "Segmentation" not in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == before  # nothing written into the model folder


def _skops_folder(tmp_path, entries: dict[str, bytes], *, raw: bytes | None = None):
    """A model folder as mlflow.sklearn saves it, whose model.skops holds `entries` (or is `raw`)."""
    import io
    import zipfile

    folder = tmp_path / "hostile-sklearn"
    folder.mkdir()
    if raw is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data in entries.items():
                if name.startswith("symlink:"):
                    info = zipfile.ZipInfo(name.removeprefix("symlink:"))
                    info.external_attr = 0o120777 << 16  # a symbolic link, as `zip --symlinks` stores it
                    archive.writestr(info, data)
                else:
                    archive.writestr(name, data)
        raw = buffer.getvalue()
    (folder / "model.skops").write_bytes(raw)
    (folder / "MLmodel").write_text(
        "flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n    predict_fn: predict\n"
        "  sklearn:\n    pickled_model: model.skops\n    serialization_format: skops\n")
    return folder


def _real_skops() -> bytes:
    import io

    import skops.io
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import Ridge

    X, y = load_diabetes(return_X_y=True)
    buffer = io.BytesIO(skops.io.dumps(Ridge().fit(X, y)))
    return buffer.getvalue()


def _skops_entries(schema_change=None, array_change=None) -> dict[str, bytes]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(_real_skops())) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    if schema_change:
        schema = json.loads(entries["schema.json"])
        schema_change(schema)
        entries["schema.json"] = json.dumps(schema).encode()
    if array_change:
        name = next(n for n in entries if n.endswith(".npy"))
        entries[name] = array_change(entries[name])
    return entries


def _function(module: str, name: str) -> dict:
    return {"__class__": name, "__module__": module, "__loader__": "FunctionNode",
            "content": {"module_path": module, "function": name}}


def _set_field(key: str, value: dict):
    return lambda schema: schema["content"]["content"].__setitem__(key, value)


def _tree_skops(change, histogram: bool = False) -> dict[str, bytes]:
    """A fitted DecisionTreeClassifier's (or HistGradientBoostingClassifier's) skops entries with its (first) node
    array changed by `change(nodes)`."""
    import io
    import zipfile

    import numpy as np
    import skops.io
    from sklearn.datasets import load_iris
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.tree import DecisionTreeClassifier

    X, y = load_iris(return_X_y=True)
    model = (HistGradientBoostingClassifier(max_iter=2) if histogram
             else DecisionTreeClassifier(max_depth=3, random_state=0))
    data = skops.io.dumps(model.fit(X, y))
    marker = b"num_threshold" if histogram else b"left_child"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    for name, content in entries.items():
        if name.endswith(".npy") and marker in content[:400]:
            nodes = np.load(io.BytesIO(content))
            change(nodes)
            out = io.BytesIO()
            np.save(out, nodes)
            entries[name] = out.getvalue()
    return entries


def _set_node(field: str, node: int, value):
    return lambda nodes: nodes[field].__setitem__(node, value)


HOSTILE_SKOPS = {
    "tree child out of range": (lambda t: _skops_folder(t, _tree_skops(_set_node("left_child", 0, 10 ** 9))),
                                "children out of range or already reached"),
    "tree cycle": (lambda t: _skops_folder(t, _tree_skops(_set_node("right_child", 1, 0))),
                   "children out of range or already reached"),
    "histogram tree cycle": (lambda t: _skops_folder(t, _tree_skops(_set_node("right", 0, 0), histogram=True)),
                             "children out of range or already reached"),
    "histogram tree child out of range": (
        lambda t: _skops_folder(t, _tree_skops(_set_node("left", 0, 10 ** 6), histogram=True)),
        "children out of range or already reached"),
    "histogram tree feature out of range": (
        lambda t: _skops_folder(t, _tree_skops(_set_node("feature_idx", 0, -3), histogram=True)), "splits on feature -3"),
    "tree feature index beyond any integer": (
        lambda t: _skops_folder(t, _tree_skops(_set_node("feature", 0, 2 ** 63 - 1))), "splits on feature -2"),
    "tree feature out of range": (lambda t: _skops_folder(t, _tree_skops(_set_node("feature", 0, 77))),
                                  "splits on feature 77"),
    "os.system function": (lambda t: _skops_folder(t, _skops_entries(_set_field("solver", _function("os", "system")))),
                           "the function 'os.system'"),
    "builtins.eval function": (lambda t: _skops_folder(t, _skops_entries(
        _set_field("solver", _function("builtins", "eval")))), "the function 'builtins.eval'"),
    "partial of os.system": (lambda t: _skops_folder(t, _skops_entries(_set_field("solver", {
        "__class__": "partial", "__module__": "functools", "__loader__": "PartialNode",
        "content": {"func": _function("os", "system"), "args": {"__class__": "tuple", "__module__": "builtins",
                    "__loader__": "TupleNode", "content": []}, "kwds": {"__class__": "dict", "__module__": "builtins",
                                                                        "__loader__": "DictNode", "content": {}}}}))),
        "the function 'os.system'"),
    "type subprocess.Popen": (lambda t: _skops_folder(t, _skops_entries(_set_field("solver", {
        "__class__": "Popen", "__module__": "subprocess", "__loader__": "TypeNode"}))),
        "the type 'subprocess.Popen', which Kaizen does not load"),
    "unknown class": (lambda t: _skops_folder(t, _skops_entries(
        lambda s: s.update({"__class__": "Popen", "__module__": "subprocess"}))),
                      "class 'subprocess.Popen', which Kaizen does not load"),
    "method reference": (lambda t: _skops_folder(t, _skops_entries(_set_field("solver", {
        "__class__": "method", "__module__": "builtins", "__loader__": "MethodNode", "content": {}}))),
                         "MethodNode"),
    "parent-folder entry": (lambda t: _skops_folder(t, {**_skops_entries(), "../evil.npy": b"x"}),
                            "'../evil.npy', which is not a plain file name"),
    "absolute entry": (lambda t: _skops_folder(t, {**_skops_entries(), "/tmp/evil": b"x"}),
                       "not a plain file name"),
    "symbolic link": (lambda t: _skops_folder(t, {**_skops_entries(), "symlink:link/x": b"/etc/passwd"}),
                      "not a plain file name"),
    "10 GB declared": (lambda t: _skops_folder(t, {}, raw=_declare_size(_real_skops(), 10 * 2 ** 30)),
                       "ZIP64 archives are not supported"),
    "3 GB declared": (lambda t: _skops_folder(t, {}, raw=_declare_size(_real_skops(), 3 * 2 ** 30)),
                      "declares 3221225472 bytes"),
    "truncated array": (lambda t: _skops_folder(t, _skops_entries(array_change=lambda b: b[:-8])),
                        "bytes for"),
    "object array": (lambda t: _skops_folder(t, _skops_entries(array_change=lambda b: b.replace(b"<f8", b"|O "))),
                     "holds '|O"),
    "not a zip": (lambda t: _skops_folder(t, {}, raw=b"\x80\x04pickle"), "not a ZIP archive"),
}


def _declare_size(archive: bytes, size: int) -> bytes:
    """The archive with its first central directory entry declaring `size` uncompressed bytes."""
    data = bytearray(archive)
    at = data.find(b"PK\x01\x02")
    data[at + 24:at + 28] = min(size, 0xFFFFFFFF).to_bytes(4, "little")
    return bytes(data)


@pytest.mark.parametrize("case", sorted(HOSTILE_SKOPS))
def test_hostile_skops_models_are_refused(case, tmp_path):
    make, message = HOSTILE_SKOPS[case]
    folder = make(tmp_path)
    before = sorted(p.name for p in folder.iterdir())
    rows = tmp_path / "rows.csv"
    rows.write_text(",".join(f"c{i}" for i in range(10)) + "\n" + ",".join(["0.1"] * 10) + "\n")
    result = subprocess.run([str(KAIZEN_BIN), "models", "predict", "-m", str(folder), "-i", str(rows)],
                            capture_output=True, text=True, timeout=60, env=kaizen_env(None))
    assert result.returncode != 0
    assert message in result.stderr, result.stderr[-2000:]
    assert "Fatal error" not in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == before
    assert not (tmp_path / "evil.npy").exists()
