#!/usr/bin/env python3
"""Drift report: `kaizen monitor drift` against Evidently's DataDriftPreset on the same CSV files, in one run.

Data: 50 numeric columns (normal, 6 decimals) and 10 categorical ones (6 labels), a 100,000-row reference and
current files of 100,000 and 1,000,000 rows (and 10,000,000 with --rows 10000000; larger files repeat the 1M file's
rows, which keeps their distribution) in which 5 numeric and 2 categorical columns are shifted. Each tool runs in a
fresh process on the two files, from reading them to the finished report; the figures are wall time and the
process's peak resident memory (wait4's ru_maxrss, read by a small launcher process); Kaizen's time is the median of
--repeats runs (3). Evidently's answers (method, score, decision per column) are
checked against Kaizen's before any ratio is printed. Run with the monitor virtualenv's Python
(`.venv-monitor/bin/python bench/drift.py`, as `make bench` does); KAIZEN_BIN names the binary (release build).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
KAIZEN_BIN = Path(os.environ.get("KAIZEN_BIN", str(REPO / ".build" / "release" / "kaizen")))

EVIDENTLY_SCRIPT = r"""
import json, sys, time
import pandas as pd
from evidently import Report
from evidently.presets import DataDriftPreset
started = time.perf_counter()
reference = pd.read_csv(sys.argv[1]); current = pd.read_csv(sys.argv[2])
read = time.perf_counter()
result = Report([DataDriftPreset()]).run(current, reference).dict()
done = time.perf_counter()
columns = {}
for metric in result["metrics"]:
    config = metric["config"]
    if "column" in config:
        columns[config["column"]] = {"method": config["method"], "score": float(metric["value"])}
json.dump({"read_s": read - started, "drift_s": done - read, "columns": columns}, open(sys.argv[3], "w"))
"""

DISPLAY = {"Wasserstein distance (normed)": "wasserstein", "Jensen-Shannon distance": "jensenshannon",
           "K-S p_value": "ks", "chi-square p_value": "chisquare", "Z-test p_value": "z"}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def frame(rows: int, seed: int, shift: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    columns = {}
    for index in range(50):
        values = rng.normal(loc=index % 7, scale=1 + index % 3, size=rows)
        if shift and index < 5:
            values = values + 0.3
        columns[f"num{index}"] = np.round(values, 6)
    labels = np.array(["alpha", "beta", "gamma", "delta", "epsilon", "zeta"])
    for index in range(10):
        weights = np.array([6, 5, 4, 3, 2, 1], float)
        weights /= weights.sum()
        if shift and index < 2:
            weights = weights[::-1]
        columns[f"cat{index}"] = labels[rng.choice(6, size=rows, p=weights)]
    return pd.DataFrame(columns)


def data_files(folder: Path, reference_rows: int, sizes: list[int]) -> tuple[Path, dict[int, Path]]:
    reference = folder / f"reference-{reference_rows}.csv"
    if not reference.exists():
        log(f"writing {reference.name}")
        frame(reference_rows, 1, False).to_csv(reference, index=False)
    files = {}
    base_rows = min(max(sizes), 1_000_000)
    base = folder / f"current-{base_rows}.csv"
    if not base.exists():
        log(f"writing {base.name}")
        frame(base_rows, 2, True).to_csv(base, index=False)
    for rows in sizes:
        path = folder / f"current-{rows}.csv"
        if rows <= base_rows and not path.exists():
            frame(rows, 2, True).to_csv(path, index=False)
        elif rows > base_rows and not path.exists():
            log(f"writing {path.name} ({rows // base_rows} copies of {base.name}'s rows)")
            with open(base, "rb") as source:
                header = source.readline()
                body = source.read()
            with open(path, "wb") as target:
                target.write(header)
                for _ in range(rows // base_rows):
                    target.write(body)
        files[rows] = path
    return reference, files


# A process started straight from this one would report this one's peak memory as its own (Linux records the parent's
# high-water mark in the child's maxrss at exec, after fork or vfork), so each tool is started by a fresh, small
# Python process that times it and reads its rusage.
LAUNCHER = r"""
import json, os, subprocess, sys, time
started = time.perf_counter()
process = subprocess.Popen(sys.argv[2:], stdout=open(sys.argv[1], "w") if sys.argv[1] != "-" else None)
_, status, usage = os.wait4(process.pid, 0)
print(json.dumps({"seconds": time.perf_counter() - started, "rss_kib": usage.ru_maxrss,
                  "status": os.waitstatus_to_exitcode(status)}))
"""


def measured(command: list[str], stdout: Path | None = None) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MiB and exit status of one process."""
    completed = subprocess.run([sys.executable, "-c", LAUNCHER, str(stdout) if stdout else "-", *command],
                               capture_output=True, text=True)
    if completed.returncode != 0 or not completed.stdout.strip():
        sys.stderr.write(completed.stderr[-2000:])
        return 0.0, 0.0, completed.returncode or 1
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    if result["status"] != 0:
        sys.stderr.write(completed.stderr[-2000:])
    return result["seconds"], result["rss_kib"] / 1024, result["status"]


def run_kaizen(reference: Path, current: Path, output: Path, repeats: int) -> dict:
    """The median wall time and the largest peak memory of `repeats` runs."""
    runs = []
    for _ in range(repeats):
        seconds, rss, status = measured(
            [str(KAIZEN_BIN), "monitor", "drift", "--reference", str(reference), "--current", str(current), "--json"],
            stdout=output)
        if status != 0:
            raise SystemExit(f"kaizen monitor drift failed ({status})")
        runs.append((seconds, rss))
    report = json.loads(output.read_text())
    times = sorted(seconds for seconds, _ in runs)
    return {"seconds": times[len(times) // 2], "all_seconds": [round(t, 2) for t in times],
            "rss_mib": max(rss for _, rss in runs), "report": report}


def run_evidently(reference: Path, current: Path, output: Path) -> dict:
    seconds, rss, status = measured([sys.executable, "-c", EVIDENTLY_SCRIPT, str(reference), str(current), str(output)])
    if status != 0:
        return {"seconds": seconds, "rss_mib": rss, "failed": f"exit status {status}"}
    result = json.loads(output.read_text())
    return {"seconds": seconds, "rss_mib": rss, "read_s": result["read_s"], "drift_s": result["drift_s"],
            "columns": result["columns"]}


def check(kaizen: dict, evidently: dict) -> list[str]:
    problems = []
    got = {column["name"]: column for column in kaizen["report"]["columns"]}
    for name, want in evidently["columns"].items():
        column = got.get(name)
        method = DISPLAY.get(want["method"], want["method"])
        if column is None or column.get("method") != method:
            problems.append(f"{name}: method {column and column.get('method')} vs {method}")
        elif abs(column["score"] - want["score"]) > 1e-6 * abs(want["score"]) + 1e-12:
            problems.append(f"{name}: score {column['score']} vs {want['score']}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference-rows", type=int, default=100_000)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000],
                        help="current-file sizes (default: 100000 1000000)")
    parser.add_argument("--evidently-max-rows", type=int, default=1_000_000,
                        help="run Evidently only up to this many current rows (it needs hours beyond)")
    parser.add_argument("--data", type=Path, default=REPO / "bench" / "out" / "drift-data",
                        help="folder for the generated files (kept between runs)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="Kaizen runs per size (the median time is reported; Evidently runs once)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    if not KAIZEN_BIN.exists():
        raise SystemExit(f"{KAIZEN_BIN} not found: run `make release` first")
    args.data.mkdir(parents=True, exist_ok=True)
    reference, currents = data_files(args.data, args.reference_rows, args.rows)
    import evidently
    print(f"# drift report, {platform.node()}, {os.cpu_count()} CPUs, evidently {evidently.__version__}, "
          f"pandas {pd.__version__}; reference {args.reference_rows:,} rows x 60 columns")
    results = []
    problems = []
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        for rows in args.rows:
            log(f"kaizen, {rows:,} current rows")
            kaizen = run_kaizen(reference, currents[rows], scratch / "kaizen.json", args.repeats)
            row = {"rows": rows, "kaizen": {key: kaizen[key] for key in ("seconds", "all_seconds", "rss_mib")}}
            if rows <= args.evidently_max_rows:
                log(f"evidently, {rows:,} current rows")
                evidently_result = run_evidently(reference, currents[rows], scratch / "evidently.json")
                row["evidently"] = {key: value for key, value in evidently_result.items() if key != "columns"}
                if "columns" in evidently_result:
                    found = check(kaizen, evidently_result)
                    problems += [f"{rows} rows: {problem}" for problem in found]
                    row["answers_equal"] = not found
            drifted = [column["name"] for column in kaizen["report"]["columns"] if column.get("drift")]
            row["kaizen_drifted"] = drifted
            results.append(row)
    print()
    print(f"{'current rows':>13}  {'kaizen s':>9}  {'evidently s':>12}  {'speed-up':>9}  {'kaizen MiB':>11}  "
          f"{'evidently MiB':>14}  {'memory':>7}")
    for row in results:
        kaizen = row["kaizen"]
        evidently_row = row.get("evidently")
        if evidently_row and "failed" not in evidently_row:
            print(f"{row['rows']:>13,}  {kaizen['seconds']:>9.2f}  {evidently_row['seconds']:>12.1f}  "
                  f"{evidently_row['seconds'] / kaizen['seconds']:>8.1f}x  {kaizen['rss_mib']:>11.0f}  "
                  f"{evidently_row['rss_mib']:>14.0f}  {evidently_row['rss_mib'] / kaizen['rss_mib']:>6.1f}x")
        else:
            note = evidently_row["failed"] if evidently_row else "not run"
            print(f"{row['rows']:>13,}  {kaizen['seconds']:>9.2f}  {note:>12}  {'':>9}  {kaizen['rss_mib']:>11.0f}")
    for row in results:
        print(f"  kaizen at {row['rows']:,} rows, every run: {row['kaizen']['all_seconds']} s")
        evidently_row = row.get("evidently") or {}
        if "drift_s" in evidently_row:
            print(f"  evidently at {row['rows']:,} rows: read_csv {evidently_row['read_s']:.1f} s, "
                  f"report {evidently_row['drift_s']:.1f} s")
    print(f"  drifted columns (kaizen, {results[-1]['rows']:,} rows): {', '.join(results[-1]['kaizen_drifted'])}")
    if problems:
        print("ANSWERS DIFFER:\n  " + "\n  ".join(problems[:20]))
    if args.json:
        args.json.write_text(json.dumps({"results": results, "problems": problems}, indent=2))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
