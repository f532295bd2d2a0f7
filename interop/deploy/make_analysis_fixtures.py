"""Writes Tests/KaizenDeployTests/Fixtures/analysis.json: the figures of a rollout step's analysis, from SciPy.

Run with the project's virtual environment (scipy and numpy):

    .venv/bin/python interop/deploy/make_analysis_fixtures.py

Each case is a pair of window statistics (candidate, stable) as `VersionStats` holds them, and the figures that
`StepAnalysis` must compute from them:

- error rate: the pooled two-proportion z statistic, and its one-sided p-value (H1: candidate rate > stable
  rate) from `scipy.stats.norm.sf`. When the pooled proportion is 0 or 1 the standard error is 0, the two rates are
  equal, and the convention is z = 0, p = 1 (no evidence of a difference).
- prediction divergence: the Jensen-Shannon distance (`scipy.spatial.distance.jensenshannon`, base 2) and the
  population stability index (numpy) over aligned cells: the union of class labels in sorted order, then the
  numeric bins. PSI replaces an empty cell's proportion by 1e-4 (as Evidently does), without renormalizing. The
  G-test of homogeneity over the same cells (cells empty on both sides left out) from
  `scipy.stats.chi2_contingency(correction=False, lambda_="log-likelihood")`.
- latency p99: linear interpolation inside the histogram bucket where the cumulative count reaches 99%, the
  first bucket starting at 0 and the unbounded last one treated as (10 s, 20 s]. Not SciPy; a second, independent
  implementation of the same rule.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2_contingency, norm

LATENCY_BOUNDS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10]
BIN_COUNT = 42  # PredictionSketch.edges: -10...10 by 0.5, 41 edges, so 42 bins
PSI_EPSILON = 1e-4
QUANTILE = 0.99

OUTPUT = Path(__file__).resolve().parents[2] / "Tests/KaizenDeployTests/Fixtures/analysis.json"


def z_test(candidate_errors: int, candidate_requests: int, stable_errors: int, stable_requests: int):
    candidate_rate = candidate_errors / candidate_requests
    stable_rate = stable_errors / stable_requests
    pooled = (candidate_errors + stable_errors) / (candidate_requests + stable_requests)
    standard_error = math.sqrt(pooled * (1 - pooled) * (1 / candidate_requests + 1 / stable_requests))
    if standard_error == 0:
        return candidate_rate, stable_rate, 0.0, 1.0
    z = (candidate_rate - stable_rate) / standard_error
    return candidate_rate, stable_rate, z, float(norm.sf(z))


def aligned_cells(candidate: dict, stable: dict):
    labels = sorted(set(candidate.get("classes", {})) | set(stable.get("classes", {})))
    width = max(len(candidate.get("bins", [])), len(stable.get("bins", [])))

    def cells(side):
        classes = [side.get("classes", {}).get(label, 0) for label in labels]
        bins = side.get("bins", [])
        return np.array(classes + bins + [0] * (width - len(bins)), dtype=np.float64)

    return cells(candidate), cells(stable)


def divergence(candidate: dict, stable: dict):
    c, s = aligned_cells(candidate, stable)
    js = float(jensenshannon(c, s, base=2))
    p, q = c / c.sum(), s / s.sum()
    p[p == 0] = PSI_EPSILON
    q[q == 0] = PSI_EPSILON
    psi = float(np.sum((p - q) * np.log(p / q)))
    table = np.array([c, s])
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2:
        g, g_p = 0.0, 1.0
    else:
        g, g_p, _, _ = chi2_contingency(table, correction=False, lambda_="log-likelihood")
    return js, psi, float(g), float(g_p)


def p99(latency: list[int]) -> float:
    total = sum(latency)
    rank = QUANTILE * total
    cumulative = 0
    for index, count in enumerate(latency):
        if count > 0 and cumulative + count >= rank:
            lower = 0.0 if index == 0 else LATENCY_BOUNDS[index - 1]
            upper = LATENCY_BOUNDS[index] if index < len(LATENCY_BOUNDS) else 2 * LATENCY_BOUNDS[-1]
            return lower + (upper - lower) * (rank - cumulative) / count
        cumulative += count
    raise ValueError("empty histogram")


def latency_spread(requests: int, shape: list[float]) -> list[int]:
    """Spreads `requests` over the 15 buckets in proportion to `shape`, the remainder in the largest bucket."""
    weights = np.array(shape + [0.0] * (len(LATENCY_BOUNDS) + 1 - len(shape)))
    counts = np.floor(requests * weights / weights.sum()).astype(int)
    counts[int(np.argmax(weights))] += requests - int(counts.sum())
    return [int(x) for x in counts]


def regression_bins(center: float, width: float, count: int) -> list[int]:
    """`count` normal predictions N(center, width) over PredictionSketch's bins, rounded to whole counts."""
    edges = np.concatenate([[-np.inf], np.arange(-20, 21) / 2, [np.inf]])
    expected = np.diff(norm.cdf(edges, loc=center, scale=width)) * count
    counts = np.floor(expected).astype(int)
    counts[int(np.argmax(expected))] += count - int(counts.sum())
    assert len(counts) == BIN_COUNT
    return [int(x) for x in counts]


# Shapes whose 99th percentile falls inside a bucket, so the interpolation is exercised.
FAST = [5, 30, 40, 15, 5, 3, 1.5, 0.5]
SLOW = [1, 5, 20, 30, 25, 10, 5, 2.5, 1.5]


def side(requests, server_errors, latency, classes=None, bins=None):
    result = {"requests": requests, "server_errors": server_errors, "latency": latency}
    if classes is not None:
        result["classes"] = classes
    if bins is not None:
        result["bins"] = bins
    return result


CASES = [
    (
        "equal, no errors",
        side(1000, 0, latency_spread(1000, FAST), classes={"cat": 600, "dog": 400}),
        side(1000, 0, latency_spread(1000, FAST), classes={"cat": 600, "dog": 400}),
    ),
    (
        "small difference, not significant",
        side(2000, 24, latency_spread(2000, FAST), classes={"cat": 1180, "dog": 820}),
        side(5000, 50, latency_spread(5000, FAST), classes={"cat": 3000, "dog": 2000}),
    ),
    (
        "significant and large: a regression",
        side(3000, 90, latency_spread(3000, SLOW), classes={"cat": 1000, "dog": 2000}),
        side(9000, 45, latency_spread(9000, FAST), classes={"cat": 5400, "dog": 3600}),
    ),
    (
        "significant but tiny at huge N",
        side(20_000_000, 210_000, latency_spread(20_000_000, FAST), classes={"cat": 12_000_000, "dog": 8_000_000}),
        side(20_000_000, 200_000, latency_spread(20_000_000, FAST), classes={"cat": 12_000_100, "dog": 7_999_900}),
    ),
    (
        "candidate better than stable",
        side(4000, 4, latency_spread(4000, FAST), classes={"a": 100, "b": 3900}),
        side(4000, 40, latency_spread(4000, FAST), classes={"a": 120, "b": 3880}),
    ),
    (
        "every request failed on both sides",
        side(500, 500, latency_spread(500, [1]), classes={"x": 500}),
        side(700, 700, latency_spread(700, [1]), classes={"x": 700}),
    ),
    (
        "far tail: z near 30",
        side(60_000, 2100, latency_spread(60_000, SLOW), classes={"cat": 36_000, "dog": 24_000}),
        side(60_000, 600, latency_spread(60_000, FAST), classes={"cat": 36_000, "dog": 24_000}),
    ),
    (
        "disjoint labels",
        side(800, 8, latency_spread(800, FAST), classes={"spam": 300, "ham": 500}),
        side(800, 8, latency_spread(800, FAST), classes={"yes": 450, "no": 350}),
    ),
    (
        "a label only on one side",
        side(1200, 3, latency_spread(1200, FAST), classes={"a": 500, "b": 500, "c": 200}),
        side(1500, 6, latency_spread(1500, FAST), classes={"a": 700, "b": 800}),
    ),
    (
        "regressor, shifted",
        side(5000, 10, latency_spread(5000, FAST), bins=regression_bins(0.5, 1.0, 5000)),
        side(5000, 12, latency_spread(5000, FAST), bins=regression_bins(0.0, 1.0, 5000)),
    ),
    (
        "regressor, same shape, other scale",
        side(300, 1, latency_spread(300, FAST), bins=regression_bins(-2.0, 2.0, 300)),
        side(30_000, 90, latency_spread(30_000, FAST), bins=regression_bins(-2.0, 2.0, 30_000)),
    ),
    (
        "slow tail past ten seconds",
        side(1000, 2, [0] * 10 + [500, 400, 50, 30, 20], classes={"a": 1000}),
        side(1000, 2, latency_spread(1000, FAST), classes={"a": 990, "b": 10}),
    ),
    (
        "over the distance limit by chance: 200 predictions a side",
        side(200, 0, latency_spread(200, FAST), classes={"0": 60, "1": 140}),
        side(200, 0, latency_spread(200, FAST), classes={"0": 84, "1": 116}),
    ),
    (
        "regressor, a little apart, few predictions",
        side(200, 0, latency_spread(200, FAST), bins=regression_bins(0.3, 1.0, 200)),
        side(200, 0, latency_spread(200, FAST), bins=regression_bins(0.0, 1.0, 200)),
    ),
    (
        "everything in the first bucket",
        side(250, 0, latency_spread(250, [1]), classes={"a": 125, "b": 125}),
        side(400, 1, latency_spread(400, [1]), classes={"a": 200, "b": 200}),
    ),
]


def expected(candidate: dict, stable: dict) -> dict:
    candidate_rate, stable_rate, z, p_value = z_test(
        candidate["server_errors"], candidate["requests"], stable["server_errors"], stable["requests"]
    )
    js, psi, g, g_p = divergence(candidate, stable)
    return {
        "candidate_rate": candidate_rate,
        "stable_rate": stable_rate,
        "z": z,
        "p_value": p_value,
        "js_distance": js,
        "psi": psi,
        "g_statistic": g,
        "divergence_p_value": g_p,
        "candidate_p99": p99(candidate["latency"]),
        "stable_p99": p99(stable["latency"]),
    }


def one_line(match: re.Match) -> str:
    return "[" + ", ".join(number.strip() for number in match.group(1).split(",")) + "]"


def main() -> None:
    cases = [
        {"name": name, "candidate": candidate, "stable": stable, "expected": expected(candidate, stable)}
        for name, candidate, stable in CASES
    ]
    document = {
        "generator": "interop/deploy/make_analysis_fixtures.py",
        "psi_epsilon": PSI_EPSILON,
        "cases": cases,
    }
    text = json.dumps(document, indent=2)
    # Lists of numbers on one line each, so the file stays readable and commit-sized.
    text = re.sub(r"\[\s+([-0-9.e,\s]+?)\s+\]", one_line, text)
    OUTPUT.write_text(text + "\n")
    print(f"wrote {len(cases)} cases to {OUTPUT}")


if __name__ == "__main__":
    main()
