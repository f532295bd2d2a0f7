#!/usr/bin/env python3
"""Benchmark Kaizen's model registry against MLflow's, with the same registry on both.

One run starts each server in turn on a free 127.0.0.1 port, each on its own fresh
temporary directory, seeds N registered models (1000) with V versions each (10) in mixed
stages and one tag per model, then measures the requests a registry client sends most:

  1. GET registered-models/search, the first page of what MlflowClient.search_registered_models()
     sends (the prompt-excluding tag filter, max_results 100)
  2. the same with a name filter (name LIKE 'model-01%') and order_by name DESC
  3. POST registered-models/get-latest-versions of one model, all stages and Production only
  4. GET model-versions/search filter name='<that model>', max_results 10000

Each figure is the median and p95 of --reps single-client requests after a warm-up, and the
requests/s of wrk at 8 connections. Every answer is checked against the seeded data on both
servers. The table shows both figures and the ratio (">1" always means Kaizen is better), and
the peak RSS of each server's process tree.

The helpers (server process group, memory sampler, wrk driver, report) are bench/common.py, shared with
bench/tracking.py.
Run with the project's venv: `.venv/bin/python bench/registry.py --help`.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote_plus, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402  (the shared part of the benchmarks, bench/common.py)
    API, Bench, Client, add_mlflow_args, add_output_args, add_server_args, fail, finish, latency_ms, log, new_parser,
    ok200, preflight, print_comparison, print_header, run_servers, run_wrk, timed,
)

PROMPT_FILTER = "tag.`mlflow.prompt.is_prompt` != 'true'"  # what the Python client adds to every search
NAME_LIKE = "model-01%"
NAME_FILTER = f"name LIKE '{NAME_LIKE}' AND {PROMPT_FILTER}"
NAME_ORDER = "name DESC"
PAGE = 100  # max_results of the registered-model searches (the client's default page is 100 too)
MV_MAX = 10_000
WARMUP = 3
WRK_CONNS = 8
TEAMS = ("vision", "nlp", "tabular")
STAGES = ("None", "Staging", "Production", "Archived")


def model_name(i: int, n: int) -> str:
    return f"model-{i:0{max(4, len(str(n - 1)))}d}"


def stage_of(v: int, n_versions: int) -> str:
    """The newest version is in Production, the one before in Staging, the two before those are
    Archived, the rest stay in None."""
    if v == n_versions:
        return "Production"
    if v == n_versions - 1:
        return "Staging"
    if v in (n_versions - 2, n_versions - 3):
        return "Archived"
    return "None"


def transitions(n_versions: int) -> list[tuple[int, str]]:
    """The stage transitions of one model, in the order they are made."""
    return [(v, stage_of(v, n_versions)) for v in range(1, n_versions + 1) if stage_of(v, n_versions) != "None"]


def source_of(name: str, v: int) -> str:
    return f"s3://bucket/models/{name}/{v}"


def latest_expected(n_versions: int, stages=STAGES) -> set[tuple[int, str]]:
    """(version, stage) of the newest version in each of `stages` that has one."""
    newest: dict[str, int] = {}
    for v in range(1, n_versions + 1):
        newest[stage_of(v, n_versions)] = v
    return {(v, s) for s, v in newest.items() if s in stages}


class Workload:
    """The seeded registry and the five measured requests; identical for both servers."""

    def __init__(self, n_models: int, n_versions: int):
        self.n_models, self.n_versions = n_models, n_versions
        self.names = [model_name(i, n_models) for i in range(n_models)]
        self.target = model_name(n_models // 2, n_models)  # model-0500 of 1000
        self.like = sorted(n for n in self.names if n.startswith(NAME_LIKE.rstrip("%")))
        q = lambda params: urlencode(params, quote_via=quote_plus)  # noqa: E731  (as the client encodes them)
        # key, label, method, path (with query), body
        self.requests = [
            ("search", "registered-models/search, client default",
             "GET", f"{API}/registered-models/search?" + q({"filter": PROMPT_FILTER, "max_results": PAGE}), None),
            ("search_name", f"  + name LIKE '{NAME_LIKE}', {NAME_ORDER}",
             "GET", f"{API}/registered-models/search?"
             + q({"filter": NAME_FILTER, "max_results": PAGE, "order_by": NAME_ORDER}), None),
            ("latest_all", "get-latest-versions, all stages",
             "POST", f"{API}/registered-models/get-latest-versions", {"name": self.target}),
            ("latest_prod", "get-latest-versions, Production",
             "POST", f"{API}/registered-models/get-latest-versions", {"name": self.target, "stages": ["Production"]}),
            ("mv_search", f"model-versions/search name='{self.target}'",
             "GET", f"{API}/model-versions/search?" + q({"filter": f"name='{self.target}'", "max_results": MV_MAX}), None),
        ]

    def model_tags(self, i: int) -> list[tuple[str, str]]:
        return [("team", TEAMS[i % len(TEAMS)])]


# --------------------------------------------------------------------------- seeding


def create_runs(client: Client, n_versions: int) -> list[str]:
    """One run per version number: version v of every model was logged by run v."""
    exp = client.create_experiment("bench-registry")
    return [client.create_run(exp, f"train-v{v}") for v in range(1, n_versions + 1)]


def seed_rest(client: Client, wl: Workload, run_ids: list[str], threads: int) -> None:
    """Seed through the REST API with a thread pool, one model per task: registered-models/create
    (with its tag), model-versions/create for each version, then model-versions/transition-stage."""

    def one(i: int) -> None:
        name = wl.names[i]
        client.post("/registered-models/create",
                    {"name": name, "tags": [{"key": k, "value": v} for k, v in wl.model_tags(i)]})
        for v in range(1, wl.n_versions + 1):
            got = client.post("/model-versions/create",
                              {"name": name, "source": source_of(name, v), "run_id": run_ids[v - 1]})
            if str(got["model_version"]["version"]) != str(v):
                raise RuntimeError(f"model-versions/create of {name} returned version "
                                   f"{got['model_version']['version']}, expected {v}")
        for v, stage in transitions(wl.n_versions):
            client.post("/model-versions/transition-stage",
                        {"name": name, "version": str(v), "stage": stage, "archive_existing_versions": False})

    with ThreadPoolExecutor(threads) as pool:
        for f in [pool.submit(one, i) for i in range(wl.n_models)]:
            f.result()


def seed_mlflow_sql(db_uri: str, wl: Workload, run_ids: list[str]) -> None:
    """Seed MLflow's database in-process, writing the rows that its registry store's
    create_registered_model, create_model_version and transition_model_version_stage write when
    called from the REST handlers (empty description and run_link, storage_location = source),
    with timestamps as if every call took 1 ms; in bulk, because through REST this takes minutes."""
    from mlflow.store.model_registry.dbmodels.models import SqlModelVersion, SqlRegisteredModel, SqlRegisteredModelTag
    from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore
    from mlflow.utils.time import get_current_time_millis

    store = SqlAlchemyStore(db_uri)
    clock = get_current_time_millis()
    for start in range(0, wl.n_models, 200):
        with store.ManagedSessionMaker(read_only=False) as session:
            rows = []
            for i in range(start, min(start + 200, wl.n_models)):
                name = wl.names[i]
                clock += 1
                model = store._with_workspace_field(
                    SqlRegisteredModel(name=name, creation_time=clock, last_updated_time=clock, description=""))
                model.registered_model_tags = [
                    store._with_workspace_field(SqlRegisteredModelTag(name=name, key=k, value=v))
                    for k, v in wl.model_tags(i)
                ]
                versions = {}
                for v in range(1, wl.n_versions + 1):
                    clock += 1
                    versions[v] = store._with_workspace_field(SqlModelVersion(
                        name=name, version=v, creation_time=clock, last_updated_time=clock, description="",
                        current_stage="None", source=source_of(name, v), storage_location=source_of(name, v),
                        run_id=run_ids[v - 1], run_link="",
                    ))
                for v, stage in transitions(wl.n_versions):
                    clock += 1
                    versions[v].current_stage = stage
                    versions[v].last_updated_time = clock
                model.last_updated_time = clock
                rows.append(model)
                rows += versions.values()
            session.add_all(rows)
    store.engine.dispose()


# --------------------------------------------------------------------------- checks


def normalize_mv(mv: dict, runs: dict[str, str]) -> dict:
    """A model version without what differs between two equal registries: timestamps, and run ids
    (replaced by the run's name)."""
    out = {k: v for k, v in mv.items() if k not in ("creation_timestamp", "last_updated_timestamp")}
    if "run_id" in out:
        out["run_id"] = runs.get(out["run_id"], "?")
    for key in ("tags", "aliases"):
        if key in out:
            out[key] = sorted(out[key], key=json.dumps)
    return out


def normalize(key: str, body: dict, runs: dict[str, str]) -> dict:
    """The part of an answer two equal registries must agree on (page tokens are opaque)."""
    if key.startswith("search"):
        models = []
        for rm in body.get("registered_models", []):
            rm = {k: v for k, v in rm.items() if k not in ("creation_timestamp", "last_updated_timestamp")}
            if "latest_versions" in rm:
                rm["latest_versions"] = sorted((normalize_mv(mv, runs) for mv in rm["latest_versions"]),
                                               key=lambda mv: int(mv.get("version", 0)))
            for k in ("tags", "aliases"):
                if k in rm:
                    rm[k] = sorted(rm[k], key=json.dumps)
            models.append(rm)
        return {"registered_models": models, "next_page_token": bool(body.get("next_page_token"))}
    versions = sorted((normalize_mv(mv, runs) for mv in body.get("model_versions", [])),
                      key=lambda mv: int(mv.get("version", 0)))
    out = {"model_versions": versions}
    if key == "mv_search":
        out["next_page_token"] = bool(body.get("next_page_token"))
    return out


def stages_of(versions: list[dict]) -> set[tuple[int, str]]:
    return {(int(mv["version"]), mv.get("current_stage", "None")) for mv in versions}


def check(wl: Workload, key: str, body: dict) -> list[str]:
    """What is wrong with an answer, compared with the seeded registry (empty: nothing)."""
    problems = []
    if key.startswith("search"):
        want = wl.names if key == "search" else sorted(wl.like, reverse=True)
        got = [rm.get("name") for rm in body.get("registered_models", [])]
        if got != want[:PAGE]:
            problems.append(f"returned {len(got)} models {got[:3]}..., expected {len(want[:PAGE])} {want[:3]}...")
        if bool(body.get("next_page_token")) != (len(want) > PAGE):
            problems.append(f"next_page_token {'missing' if len(want) > PAGE else 'unexpected'}")
        latest = latest_expected(wl.n_versions)
        for rm in body.get("registered_models", []):
            i = wl.names.index(rm["name"]) if rm.get("name") in wl.names else None
            if stages_of(rm.get("latest_versions", [])) != latest:
                problems.append(f"{rm.get('name')}: latest_versions {sorted(stages_of(rm.get('latest_versions', [])))}, "
                                f"expected {sorted(latest)}")
                break
            tags = {t["key"]: t["value"] for t in rm.get("tags", [])}
            if i is not None and tags != dict(wl.model_tags(i)):
                problems.append(f"{rm.get('name')}: tags {tags}, expected {dict(wl.model_tags(i))}")
                break
    elif key.startswith("latest"):
        want = latest_expected(wl.n_versions, STAGES if key == "latest_all" else ("Production",))
        got = body.get("model_versions", [])
        if stages_of(got) != want or len(got) != len(want):
            problems.append(f"returned {sorted(stages_of(got))}, expected {sorted(want)}")
    else:
        got = body.get("model_versions", [])
        want = {(v, stage_of(v, wl.n_versions)) for v in range(1, wl.n_versions + 1)}
        if stages_of(got) != want or len(got) != len(want):
            problems.append(f"returned {sorted(stages_of(got))}, expected {sorted(want)}")
        if any(mv.get("source") != source_of(wl.target, int(mv["version"])) or mv.get("name") != wl.target for mv in got):
            problems.append("a version has the wrong name or source")
        if body.get("next_page_token"):
            problems.append("unexpected next_page_token")
    return problems


# --------------------------------------------------------------------------- phases


def phase_latency(client: Client, wl: Workload, reps: int, run_names: dict[str, str]) -> dict:
    res = {"answers": {}}
    for key, label, method, path, body in wl.requests:
        r = ok200(client.send(method, path, body), f"{method} {path}")
        data = r.json()
        problems = check(wl, key, data)
        for p in problems:
            fail(f"{client.label}: {label.strip()}: {p}")
        res["answers"][key] = normalize(key, data, run_names)
        res[f"{key}_ok"] = not problems
        res[f"{key}_bytes"] = len(r.content)
        for _ in range(WARMUP - 1):
            client.send(method, path, body)

        to_headers = []

        def once():
            r = ok200(client.send(method, path, body), f"{method} {path}")
            to_headers.append(r.elapsed.total_seconds())  # requests: until the response headers arrived

        times = timed(once, reps)
        res.update(latency_ms(key, times))
        res[f"{key}_headers_median_ms"] = statistics.median(to_headers) * 1e3
    return res


WRK_REQUEST = r"""
wrk.method = "__METHOD__"
wrk.path = [==[__PATH__]==]
__BODY__
"""


def phase_wrk(client: Client, wl: Workload, duration: int, workdir: Path) -> dict:
    res = {}
    for key, label, method, path, body in wl.requests:
        extra = ""
        if body is not None:
            extra = f'wrk.headers["Content-Type"] = "application/json"\nwrk.body = [==[{json.dumps(body)}]==]'
        script = WRK_REQUEST.replace("__METHOD__", method).replace("__PATH__", path).replace("__BODY__", extra)
        w = run_wrk(script, client.base + "/", 2, WRK_CONNS, duration, workdir, f"wrk-{key}")
        res[f"{key}_rps"] = w["ok_requests"] / w["duration_s"]
        res[f"{key}_wrk_p50_ms"] = w["lat_p50_us"] / 1e3
        res[f"{key}_wrk_p99_ms"] = w["lat_p99_us"] / 1e3
        res[f"{key}_non2xx"] = w["err_status"]
        res[f"{key}_socket_errors"] = w["socket_errors"]
        if w["err_status"] or w["socket_errors"]:
            fail(f"{client.label}: {label.strip()} (wrk, {WRK_CONNS} connections): "
                 f"{w['err_status']} non-2xx, {w['socket_errors']} socket errors")
        if w["requests"] == 0:
            fail(f"{client.label}: {label.strip()} (wrk, {WRK_CONNS} connections): no request completed in {duration} s")
    res["wrk_non2xx"] = sum(res[f"{k[0]}_non2xx"] for k in wl.requests)
    return res


# --------------------------------------------------------------------------- one server


def phases(b: Bench, wl: Workload) -> None:
    """Seed the registry, then the single-client requests, then wrk."""
    client, args = b.client, b.args
    run_names: dict[str, str] = {}

    def seed():
        run_ids = create_runs(client, wl.n_versions)
        run_names.update({r: f"run-v{v}" for v, r in enumerate(run_ids, 1)})
        how, dt = b.seed(b.label == "MLflow" and args.mlflow_seed == "sql", lambda: seed_mlflow_sql(b.db_uri, wl, run_ids),
                         lambda: seed_rest(client, wl, run_ids, args.seed_threads))
        n_req = wl.n_models * (1 + wl.n_versions + len(transitions(wl.n_versions)))
        log(f"{b.label}: seeded {wl.n_models} models x {wl.n_versions} versions via {how} in {dt:.1f} s"
            + (f" ({n_req / dt:.0f} requests/s)" if how.startswith("REST") else ""))
        return {"seed_s": dt, "seed_how": how, "seed_requests": n_req if how.startswith("REST") else 0}

    if b.phase("seed", seed):
        time.sleep(0.5)
        b.res["seeded_rss_mib"] = b.server.sample() / 1024
        if b.phase("latency", lambda: phase_latency(client, wl, args.reps, run_names)):
            b.phase("wrk", lambda: phase_wrk(client, wl, args.duration, b.workdir))


# --------------------------------------------------------------------------- report


def rows(wl: Workload) -> list:
    out = []  # key, label, unit, higher_is_better, format
    for key, label, *_ in wl.requests:
        out += [
            (f"{key}_median_ms", label + ", median", "ms", False, lambda v: f"{v:.2f}"),
            (f"{key}_p95_ms", "    p95", "ms", False, lambda v: f"{v:.2f}"),
            (f"{key}_headers_median_ms", "    median until the response headers", "ms", False, lambda v: f"{v:.2f}"),
            (f"{key}_rps", f"    wrk, {WRK_CONNS} connections", "req/s", True, lambda v: f"{v:.0f}"),
        ]
    out += [
        ("wrk_non2xx", "non-2xx responses under wrk (must be 0)", "", None, lambda v: f"{v:d}"),
        ("idle_rss_mib", "idle RSS after start-up", "MiB", False, lambda v: f"{v:.1f}"),
        ("seeded_rss_mib", "RSS after seeding", "MiB", False, lambda v: f"{v:.1f}"),
        ("peak_rss_mib", "peak RSS (sum of VmHWM)", "MiB", False, lambda v: f"{v:.1f}"),
    ]
    return out


def compare_answers(results: dict, wl: Workload) -> list[str]:
    """Where the two servers' answers differ, once timestamps, run ids and page tokens are set aside."""
    m, k = results.get("MLflow", {}).get("answers"), results.get("Kaizen", {}).get("answers")
    if not m or not k:
        return []
    out = []
    for key, label, *_ in wl.requests:
        a, b = m.get(key), k.get(key)
        if a == b:
            continue
        if not a or not b:
            out.append(f"{label.strip()}: no answer from {'MLflow' if not a else 'Kaizen'}")
            continue
        detail = ""
        for field in ("registered_models", "model_versions"):
            if field in a and a.get(field) != b.get(field):
                xs, ys = a[field], b[field]
                if len(xs) != len(ys):
                    detail = f"{len(xs)} vs {len(ys)} {field}"
                    break
                for x, y in zip(xs, ys):
                    if x != y:
                        keys = sorted({f for f in set(x) | set(y) if x.get(f) != y.get(f)})
                        detail = f"first difference in {field}[{x.get('name', '?')}]: " + ", ".join(
                            f"{f} MLflow {json.dumps(x.get(f))[:80]} / Kaizen {json.dumps(y.get(f))[:80]}" for f in keys)
                        break
                break
        else:
            detail = f"next_page_token MLflow {a.get('next_page_token')} / Kaizen {b.get('next_page_token')}"
        out.append(f"{label.strip()}: {detail}")
    return out


def print_table(results: dict, wl: Workload) -> dict:
    print()
    print(f"registry: {wl.n_models} models x {wl.n_versions} versions (stages: newest Production, next Staging, "
          f"two Archived); measured model {wl.target}")
    print(f"filters: \"{PROMPT_FILTER}\"; \"{NAME_FILTER}\" ({len(wl.like)} models)")
    ratios = print_comparison(results, rows(wl), 52, 6, 10)
    print("seeding: " + ", ".join(f"{name} {side['seed_s']:.1f} s ({side['seed_how']})"
                                  for name, side in results.items() if "seed_s" in side))
    return ratios


def main() -> int:
    p = new_parser(__doc__)
    p.add_argument("--models", type=int, default=1000, help="registered models seeded (default 1000)")
    p.add_argument("--versions", type=int, default=10, help="versions of each model (default 10)")
    p.add_argument("--reps", type=int, default=20, help=f"timed single-client requests after {WARMUP} warm-up ones (default 20)")
    p.add_argument("--duration", type=int, default=10, help="seconds of each wrk run (default 10)")
    add_mlflow_args(p, "start MLflow with MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false (no job runner)")
    p.add_argument("--mlflow-seed", choices=("sql", "rest"), default="sql",
                   help="seed MLflow in bulk through its own store models (sql, default) or through REST like "
                        "Kaizen (rest: minutes for 1000 models)")
    add_output_args(p)
    add_server_args(p, "threads seeding over REST (default 8)")
    args = p.parse_args()
    if min(args.models, args.versions, args.reps, args.duration, args.seed_threads) < 1:
        p.error("--models, --versions, --reps, --duration and --seed-threads must be positive")
    if preflight(args):
        return 2

    info = print_header(args, f"load: {args.models} models x {args.versions} versions; {args.reps} timed requests each "
                              f"after {WARMUP} warm-up; wrk {args.duration} s at {WRK_CONNS} connections")
    wl = Workload(args.models, args.versions)
    t0 = time.perf_counter()
    results = run_servers(args, "kaizen-bench-registry-", lambda b: phases(b, wl))
    if results is None:
        return 130

    ratios = print_table(results, wl)
    differences = compare_answers(results, wl)
    if "MLflow" in results and "Kaizen" in results:
        if differences:
            print("answers that differ between the servers (timestamps, run ids and page tokens set aside):")
            for d in differences:
                print("  - " + d)
        elif results["MLflow"].get("answers") and results["Kaizen"].get("answers"):
            print("answers: both servers return the same models, versions, stages, sources and tags "
                  "(timestamps, run ids and page tokens set aside)")
    return finish(args, t0, results, {
        "machine": info,
        "config": {"models": args.models, "versions": args.versions, "reps": args.reps, "warmup": WARMUP,
                   "duration_s": args.duration, "wrk_connections": WRK_CONNS, "mlflow_workers": args.mlflow_workers,
                   "mlflow_no_jobs": args.mlflow_no_jobs, "mlflow_seed": args.mlflow_seed,
                   "requests": [{"key": k, "method": m, "path": pth, "body": b} for k, _, m, pth, b in wl.requests]},
        "results": results,
        "ratios": ratios,
        "answer_differences": differences,
    })


if __name__ == "__main__":
    sys.exit(main())
