"""Kaizen's web UI in a real browser: Debian's Chromium, headless, driven by selenium.

One server for the module, seeded through the REST API with what the pages show: a small experiment holding
hostile names and every kind of artifact, an experiment of 10,000 runs (20 metrics, 20 params, 10 tags each), a
run with 1,000,000 steps of one metric and a spike, a run with 50 metrics, and a registered model.

Timings are measured to the ready signal each page sets (`document.body.dataset.ready == "1"`), printed and
written to `$UI_TIMINGS` (JSON) when set, never asserted: the machines are shared. Screenshots of every page,
light and dark, go to `$UI_SCREENSHOTS` (default: the test's temporary folder).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import shutil
import statistics
import time
import urllib.parse
from pathlib import Path

import mlflow
import pytest
import requests
from mlflow import MlflowClient

from ui.seed import big_experiment, long_run, post

pytestmark = pytest.mark.kaizen_only

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
HOSTILE = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'
TIMINGS: dict[str, object] = {}


# --------------------------------------------------------------------------------------
# Browser and data
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
                "--disable-extensions", "--no-first-run", "--disable-background-networking"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
    if os.environ.get("UI_TIMINGS"):
        Path(os.environ["UI_TIMINGS"]).write_text(json.dumps(TIMINGS, indent=2))
    print("\nUI timings:", json.dumps(TIMINGS, indent=2))


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("UI_SCREENSHOTS") or tmp_path_factory.mktemp("ui-screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def data(server):
    """Everything the pages show, seeded once for the module."""
    url = server.url
    seeded: dict[str, object] = {}
    small = post(url, "experiments/create", {"name": "small " + HOSTILE})["experiment_id"]
    seeded["small"] = small
    runs = []
    for i in range(12):
        run_id = post(url, "runs/create", {"experiment_id": small, "run_name": HOSTILE if i == 0 else f"small-{i:02d}",
                                           "start_time": 1_700_000_000_000 + i})["run"]["info"]["run_id"]
        metrics = [{"key": key, "value": (i + 1) * (step + 1) * scale, "timestamp": 1_700_000_000_000 + step,
                    "step": step} for step in range(50) for key, scale in (("loss", 0.01), ("acc", 0.001))]
        post(url, "runs/log-batch", {"run_id": run_id, "metrics": metrics,
                                     "params": [{"key": "model", "value": ["tree", "mlp", "linear"][i % 3]},
                                                {"key": "lr", "value": str(0.1 * (i % 4 + 1))},
                                                {"key": "note", "value": HOSTILE}],
                                     "tags": [{"key": "team", "value": ["a", "b"][i % 2]},
                                              {"key": "mlflow.note.content", "value": HOSTILE}]})
        runs.append(run_id)
    seeded["small_runs"] = runs
    base = "/".join(["", small, runs[0], "artifacts"])
    artifacts = {
        "notes.txt": HOSTILE.encode() + b"\nplain text line\n",
        "metrics.json": json.dumps({"accuracy": 0.93, "classes": ["a", "b"]}).encode(),
        "config.yaml": b"model: tree\ndepth: 4\n",
        "table.csv": b"name,score\n" + HOSTILE.replace(",", ";").encode() + b",1\nbob,2\n",
        "model/MLmodel": b"artifact_path: model\nflavors:\n  onnx:\n    onnx_version: 1.17.0\n",
        f"{HOSTILE}.txt".replace("/", "_"): b"hostile name\n",
        "images/red.png": _png((200, 40, 40)),
        "images/blue.png": _png((40, 40, 200)),
    }
    for name, body in artifacts.items():
        quoted = "/".join(urllib.parse.quote(part, safe="") for part in name.split("/"))
        requests.put(f"{url}/api/2.0/mlflow-artifacts/artifacts{base}/{quoted}", data=body, timeout=60).raise_for_status()
    # 200 MB of CSV, streamed up in chunks: its preview must fetch only the head.
    line = b"".join(b"%d,%d,some text for this row\n" % (i, i * 7) for i in range(1000))

    def chunks():
        yield b"id,value,text\n"
        sent = 0
        while sent < 200 * 1024 * 1024:
            yield line
            sent += len(line)

    requests.put(f"{url}/api/2.0/mlflow-artifacts/artifacts{base}/big.csv", data=chunks(), timeout=300).raise_for_status()
    seeded["artifact_run"] = runs[0]
    charts = post(url, "experiments/create", {"name": "charts"})["experiment_id"]
    seeded["charts"] = charts
    many = post(url, "runs/create", {"experiment_id": charts, "run_name": "fifty-metrics"})["run"]["info"]["run_id"]
    for k in range(50):  # a batch holds at most 1000 metrics
        post(url, "runs/log-batch", {"run_id": many, "metrics": [
            {"key": f"metric_{k:02d}", "value": (step % 17) * (k + 1), "timestamp": 1_700_000_000_000 + step,
             "step": step} for step in range(100)]})
    seeded["fifty"] = many
    started = time.monotonic()
    big, big_runs = big_experiment(url, "ten thousand runs")
    seeded["big"], seeded["big_runs"] = big, big_runs
    seeded["long"] = long_run(url, charts)
    hundred = post(url, "experiments/create", {"name": "hundred runs"})["experiment_id"]
    seeded["hundred"] = hundred
    seeded["hundred_runs"] = [long_run(url, hundred, steps=10_000, spike_step=1000 + i, key="loss", workers=2)
                              for i in range(100)]
    TIMINGS["seed_seconds"] = round(time.monotonic() - started, 1)
    model = "ui-model " + "x"
    requests.post(f"{url}/api/2.0/mlflow/registered-models/create", json={"name": model,
                  "description": HOSTILE}, timeout=30).raise_for_status()
    for _ in range(3):
        requests.post(f"{url}/api/2.0/mlflow/model-versions/create", json={
            "name": model, "source": f"mlflow-artifacts:{base}/model", "run_id": runs[0]}, timeout=30).raise_for_status()
    seeded["model"] = model
    return seeded


def _png(rgb) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), rgb).save(buffer, "PNG")
    return buffer.getvalue()


def open_page(browser, url: str, fragment: str, timeout: float = 30) -> float:
    """Loads a page and waits for its ready signal; returns the seconds it took."""
    browser.get("about:blank")  # a new document: a change of the hash alone would keep the old one
    started = time.perf_counter()
    browser.get(f"{url}/{fragment}")
    return wait_ready(browser, timeout, started)


def wait_ready(browser, timeout: float = 30, started: float | None = None) -> float:
    started = started if started is not None else time.perf_counter()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if browser.execute_script("return document.body && document.body.dataset.ready") == "1":
            return time.perf_counter() - started
        time.sleep(0.01)
    raise AssertionError(f"page {browser.current_url} not ready within {timeout} s")


def wait_for(browser, script: str, timeout: float = 20):
    deadline = time.monotonic() + timeout
    guarded = f"try {{ {script} }} catch (e) {{ return false; }}" if "return" in script else script
    while time.monotonic() < deadline:
        value = browser.execute_script(guarded)
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for: {script}")


def navigate(browser, fragment: str, timeout: float = 30) -> float:
    """Changes the hash (an in-app navigation) and waits for the new page's ready signal."""
    browser.execute_script("document.body.dataset.ready = '0'; location.hash = arguments[0];", fragment)
    return wait_ready(browser, timeout)


def median_of_three(measure) -> float:
    return round(statistics.median(measure() for _ in range(3)), 3)


def severe_logs(browser) -> list[str]:
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"
            and "favicon" not in entry["message"]]


def screenshot(browser, shots: Path, name: str) -> None:
    for theme in ("light", "dark"):
        browser.execute_script("localStorage.setItem('kaizen-theme', arguments[0]);"
                               "document.documentElement.dataset.theme = arguments[0];"
                               "window.dispatchEvent(new Event('resize'));", theme)
        time.sleep(0.2)
        browser.save_screenshot(str(shots / f"{name}-{theme}.png"))
    browser.execute_script("localStorage.removeItem('kaizen-theme'); delete document.documentElement.dataset.theme;")


def search_runs(url: str, experiment: str, filter_string: str, order_by: list[str] | None = None) -> list[str]:
    ids, token = [], None
    while True:
        body = {"experiment_ids": [experiment], "filter": filter_string, "max_results": 50000,
                "order_by": order_by or []}
        if token:
            body["page_token"] = token
        page = post(url, "runs/search", body)
        ids += [run["info"]["run_id"] for run in page.get("runs", [])]
        token = page.get("next_page_token")
        if not token:
            return ids


# --------------------------------------------------------------------------------------
# Pages and links
# --------------------------------------------------------------------------------------


def test_links_the_client_prints_open_the_right_pages(server, data, browser, shots, capsys, monkeypatch):
    monkeypatch.setenv("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "false")
    experiment = mlflow.set_experiment("linked from the client")
    with mlflow.start_run(run_name="printed-link") as run:
        mlflow.log_metric("x", 1.0)
    printed = capsys.readouterr().out + capsys.readouterr().err
    links = re.findall(r"(http://\S+/#/experiments/\S+)", printed)
    run_link = f"{server.url}/#/experiments/{experiment.experiment_id}/runs/{run.info.run_id}"
    assert run_link in links or not links, printed  # the client prints the run's link in MLflow's scheme
    open_page(browser, server.url, f"#/experiments/{experiment.experiment_id}/runs/{run.info.run_id}")
    assert browser.find_element("id", "run-name").text == "printed-link"
    open_page(browser, server.url, f"#/experiments/{experiment.experiment_id}")
    assert "linked from the client" in browser.find_element("tag name", "h1").text
    model = urllib.parse.quote(data["model"], safe="")
    open_page(browser, server.url, f"#/models/{model}")
    assert browser.find_element("tag name", "h1").text == data["model"]
    open_page(browser, server.url, f"#/models/{model}/versions/2")
    assert browser.find_element("tag name", "h1").text == f"{data['model']} version 2"
    assert severe_logs(browser) == []


def test_every_page_in_light_and_dark(server, data, browser, shots):
    small, run = data["small"], data["artifact_run"]
    model = urllib.parse.quote(data["model"], safe="")
    ids = urllib.parse.quote(json.dumps(data["small_runs"][:5]))
    pages = {
        "experiments": "#/experiments",
        "runs-table": f"#/experiments/{small}",
        "run": f"#/experiments/{small}/runs/{run}",
        "run-charts": f"#/experiments/{small}/runs/{run}/charts",
        "run-artifacts": f"#/experiments/{small}/runs/{run}/artifacts",
        "compare": f"#/compare-runs?runs={ids}&experiments=%5B%22{small}%22%5D",
        "models": "#/models",
        "model": f"#/models/{model}",
        "version": f"#/models/{model}/versions/1",
        "big-runs-table": f"#/experiments/{data['big']}",
        "long-run": f"#/experiments/{data['charts']}/runs/{data['long']}/charts",
    }
    for name, fragment in pages.items():
        open_page(browser, server.url, fragment)
        wait_for(browser, "return [...document.querySelectorAll('.card[data-drawn]')].slice(0, 2)"
                          ".every(c => c.dataset.drawn === '1')", timeout=60)
        time.sleep(0.3)
        screenshot(browser, shots, name)
        assert severe_logs(browser) == [], name
    # The system's dark setting is followed without a toggle.
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    try:
        background = browser.execute_script("return getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(15, 19, 24)"
        browser.find_element("id", "theme-toggle").click()  # system -> light
        assert browser.execute_script("return getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
        browser.find_element("id", "theme-toggle").click()  # light -> dark
        assert browser.execute_script("return document.documentElement.dataset.theme") == "dark"
        browser.find_element("id", "theme-toggle").click()  # dark -> system
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    # Readable at small widths: nothing wider than the window.
    browser.set_window_size(400, 900)
    try:
        for name in ("experiments", "run", "model"):
            open_page(browser, server.url, pages[name])
            width = browser.execute_script("return document.documentElement.scrollWidth")
            assert width <= 400, f"{name} is {width}px wide at 400px"
            browser.save_screenshot(str(shots / f"{name}-narrow.png"))
    finally:
        browser.set_window_size(1400, 1000)


def test_experiments_are_created_renamed_deleted_and_restored(server, data, browser):
    from selenium.webdriver.common.keys import Keys

    open_page(browser, server.url, "#/experiments")
    browser.find_element("xpath", "//button[text()='New experiment']").click()
    field = browser.find_element("css selector", "form.inline-form input")
    field.send_keys("made in the browser", Keys.ENTER)
    wait_for(browser, "return location.hash.match(/^#\\/experiments\\/\\d+$/)")
    wait_ready(browser)
    created = requests.get(f"{server.url}/api/2.0/mlflow/experiments/get-by-name",
                           params={"experiment_name": "made in the browser"}, timeout=10).json()["experiment"]
    navigate(browser, "#/experiments")
    row = f"tr[data-experiment-id='{created['experiment_id']}']"
    wait_for(browser, f"return document.querySelector(\"{row}\")")
    browser.find_element("css selector", f"{row} button").click()  # Rename
    field = browser.find_element("css selector", f"{row} form input")
    field.clear()
    field.send_keys("renamed in the browser", Keys.ENTER)
    wait_for(browser, "return [...document.querySelectorAll('#experiments a')].some(a => a.textContent === 'renamed in the browser')")
    browser.execute_script("window.confirm = () => true;")
    browser.find_element("css selector", f"{row} button.danger").click()
    wait_for(browser, f"return !document.querySelector(\"{row}\")")
    assert _experiment(server.url, created["experiment_id"])["lifecycle_stage"] == "deleted"
    browser.find_element("id", "show-deleted").click()
    wait_for(browser, f"return document.querySelector(\"{row}\")")
    browser.find_element("xpath", f"//tr[@data-experiment-id='{created['experiment_id']}']//button[text()='Restore']").click()
    wait_for(browser, f"return document.querySelector(\"{row} button.danger\")")
    restored = _experiment(server.url, created["experiment_id"])
    assert restored["lifecycle_stage"] == "active" and restored["name"] == "renamed in the browser"


def _experiment(url: str, experiment_id: str) -> dict:
    return requests.get(f"{url}/api/2.0/mlflow/experiments/get", params={"experiment_id": experiment_id},
                        timeout=10).json()["experiment"]


# --------------------------------------------------------------------------------------
# Runs table at 10,000 runs
# --------------------------------------------------------------------------------------


def rows_in_page(browser) -> int:
    return browser.execute_script("return document.querySelectorAll('#runs-grid .row').length")


def visible_run_ids(browser) -> list[str]:
    return browser.execute_script(
        "return [...document.querySelectorAll('#runs-grid .row')].sort((a, b) => a.dataset.index - b.dataset.index)"
        ".map(r => r.dataset.runId).filter(x => x)")


def test_ten_thousand_runs(server, data, browser):
    big = data["big"]
    fragment = f"#/experiments/{big}"

    def first_page() -> float:
        browser.get("about:blank")
        return open_page(browser, server.url, fragment)

    TIMINGS["runs_first_page_s"] = median_of_three(first_page)
    server_times = []
    for _ in range(3):
        started = time.perf_counter()
        post_table = requests.post(f"{server.url}/ajax-api/2.0/kaizen/runs/table", timeout=30, json={
            "experiment_ids": [big], "max_results": 100, "order_by": ["attributes.start_time DESC"]})
        post_table.raise_for_status()
        server_times.append(time.perf_counter() - started)
    TIMINGS["runs_first_page_server_s"] = round(statistics.median(server_times), 3)
    assert browser.find_element("id", "run-count").text == "10000 runs"
    assert 0 < rows_in_page(browser) <= 300
    newest = search_runs(server.url, big, "", ["attributes.start_time DESC"])
    assert visible_run_ids(browser)[:20] == newest[:20]

    # Sort by a metric: click its header; the order is the server's.
    def sort_by_metric() -> float:
        header = browser.find_element("css selector", "#runs-grid .head .cell[data-column='metrics.m00']")
        started = time.perf_counter()
        browser.execute_script("document.body.dataset.ready = '0'; window.__sorted = false;")
        header.click()
        wait_for(browser, "const c = document.querySelector(\"#runs-grid .head .cell[data-column='metrics.m00']\");"
                          "const row = document.querySelector('#runs-grid .row[data-index=\"0\"]');"
                          "return c.classList.contains('sorted') && row && row.dataset.runId")
        return time.perf_counter() - started

    TIMINGS["runs_sort_by_metric_s"] = median_of_three(sort_by_metric)
    direction = "DESC" if "desc" in browser.find_element(
        "css selector", "#runs-grid .head .cell[data-column='metrics.m00']").get_attribute("class") else "ASC"
    wait_for(browser, "return document.querySelectorAll('#runs-grid .row[data-run-id]:not([data-run-id=\"\"])').length > 10")
    expected = search_runs(server.url, big, "", [f"metrics.m00 {direction}"])
    assert visible_run_ids(browser)[:10] == expected[:10]

    # The last run is reachable by scrolling, and the page never holds more than 300 rows.
    for fraction in (0.25, 0.5, 0.75, 1.0):
        browser.execute_script("const g = document.getElementById('runs-grid'); g.scrollTop = g.scrollHeight * arguments[0];",
                               fraction)
        time.sleep(0.1)
        assert rows_in_page(browser) <= 300
    wait_for(browser, f"return document.querySelector('#runs-grid .row[data-run-id=\"{expected[-1]}\"]')")
    assert rows_in_page(browser) <= 300


def test_keyboard_opens_a_run(server, data, browser):
    from selenium.webdriver.common.keys import Keys

    open_page(browser, server.url, f"#/experiments/{data['small']}")
    grid = browser.find_element("id", "runs-grid")
    grid.send_keys(Keys.ARROW_DOWN)
    grid.send_keys(Keys.ARROW_DOWN)
    grid.send_keys(Keys.ENTER)
    wait_for(browser, "return location.hash.includes('/runs/')")
    wait_ready(browser)
    assert browser.find_element("id", "run-name").text


# --------------------------------------------------------------------------------------
# Search
# --------------------------------------------------------------------------------------

FILTERS = [
    "metrics.m00 > 0.5", "metrics.m01 <= 0.3", "metrics.m19 >= 10", "metrics.m05 < 1 AND metrics.m06 > 2",
    "params.p00 = '3'", "params.p01 != '5'", "params.p02 LIKE '1%'", "params.p03 ILIKE '2'",
    "tags.t00 = 'red'", "tags.t01 != 'blue'", "tags.t02 LIKE 'gr%'", "tags.t03 ILIKE 'RED'",
    "attributes.run_name = 'run-00042'", "attributes.run_name LIKE 'run-001%'", "attributes.status = 'RUNNING'",
    "attributes.start_time > 0", "params.p00 = '3' AND tags.t00 = 'green'", "metrics.m02 > 1 AND params.p04 = '7'",
    "params.p05 IS NULL", "params.p05 IS NOT NULL", "metrics.m03 != 0.5", "tags.t09 = 'blue' AND metrics.m09 < 5",
    "attributes.run_name ILIKE 'RUN-0999%'", "params.p10 = '1'",
    "metrics.m10 = 0",
]


def run_filter(browser, text: str) -> None:
    from selenium.webdriver.common.keys import Keys

    box = browser.find_element("id", "run-search")
    box.clear()
    browser.execute_script("document.getElementById('run-count').textContent = '';"
                           "document.getElementById('search-error').textContent = '';")
    box.send_keys(text, Keys.ENTER)
    wait_for(browser, "return document.getElementById('run-count').textContent || "
                      "document.getElementById('search-error').textContent")


def test_search_box_finds_what_the_api_finds(server, data, browser):
    assert len(FILTERS) == 25
    big = data["big"]
    open_page(browser, server.url, f"#/experiments/{big}")
    for text in FILTERS:
        run_filter(browser, text)
        expected = search_runs(server.url, big, text, ["attributes.start_time DESC"])
        count = browser.find_element("id", "run-count").text
        assert count == f"{len(expected)} run{'' if len(expected) == 1 else 's'}", text
        if expected:
            wait_for(browser, f"return document.querySelector('#runs-grid .row[data-index=\"{min(len(expected), 20) - 1}\"]')"
                              "?.dataset.runId")
            assert visible_run_ids(browser)[:20] == expected[:20], text


def test_or_gives_the_union_and_bad_filters_are_shown(server, data, browser):
    big = data["big"]
    open_page(browser, server.url, f"#/experiments/{big}")
    a, b = "params.p00 = '3'", "tags.t00 = 'red' AND metrics.m00 < 0.2"
    union = set(search_runs(server.url, big, a)) | set(search_runs(server.url, big, b))
    run_filter(browser, f"{a} OR ({b})")
    assert browser.find_element("id", "run-count").text == f"{len(union)} runs"
    assert set(search_runs(server.url, big, f"{a} OR ({b})")) == union
    run_filter(browser, "metrics.m00 >> 1")
    message = browser.find_element("id", "search-error").text
    assert message == "Invalid filter 'metrics.m00 >> 1'. Could not be parsed.", message


# --------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------


def series_bytes(browser) -> int:
    return browser.execute_script(
        "return performance.getEntriesByType('resource').filter(e => e.name.includes('/metrics/series'))"
        ".reduce((n, e) => n + e.encodedBodySize, 0)")


def test_a_million_steps_keep_their_spike(server, data, browser):
    fragment = f"#/experiments/{data['charts']}/runs/{data['long']}/charts"
    card = "document.querySelector('.card[data-metric=\"loss\"]')"

    def chart_ready() -> float:
        browser.get("about:blank")
        started = time.perf_counter()
        browser.get(f"{server.url}/{fragment}")
        wait_ready(browser)
        wait_for(browser, f"return {card} && {card}.dataset.drawn === '1'", timeout=60)
        return time.perf_counter() - started

    TIMINGS["million_steps_chart_s"] = median_of_three(chart_ready)
    TIMINGS["million_steps_chart_bytes"] = series_bytes(browser)
    assert TIMINGS["million_steps_chart_bytes"] <= 200 * 1024
    assert browser.execute_script(f"return {card}.dataset.raw") == "0"
    assert browser.execute_script(f"return {card}._chart.series[0].buckets.some(b => b[3] === 1000)")
    # Drawn: the chart's y axis reaches the spike.
    assert browser.execute_script(f"return {card}._chart.bounds().y1") >= 1000

    def zoom(lo: int, hi: int) -> float:
        browser.execute_script(f"{card}.dataset.drawn = '0';")
        started = time.perf_counter()
        browser.execute_script(f"{card}._zoom(arguments[0], arguments[1]);", lo, hi)
        wait_for(browser, f"return {card}.dataset.drawn === '1'")
        return time.perf_counter() - started

    TIMINGS["zoom_to_10000_steps_s"] = median_of_three(lambda: zoom(770_000, 779_999))
    assert browser.execute_script(f"return {card}.dataset.range") == "770000-779999"
    assert browser.execute_script(f"return {card}.dataset.raw") == "0"
    assert browser.execute_script(f"return {card}._chart.series[0].buckets.some(b => b[3] === 1000)")
    zoom(777_000, 778_999)
    assert browser.execute_script(f"return {card}.dataset.raw") == "1"
    assert browser.execute_script(f"return {card}._chart.series[0].points.length") == 2000
    # A drag on the canvas zooms too.
    from selenium.webdriver import ActionChains

    canvas = browser.find_element("css selector", ".card[data-metric='loss'] canvas")
    browser.execute_script(f"{card}.dataset.drawn = '0';")
    ActionChains(browser).move_to_element_with_offset(canvas, -100, 0).click_and_hold().move_by_offset(150, 0).release().perform()
    wait_for(browser, f"return {card}.dataset.drawn === '1'")
    low, high = map(int, browser.execute_script(f"return {card}.dataset.range").split("-"))
    assert 777_000 <= low < high <= 778_999


def test_fifty_charts_draw_as_they_scroll_into_view(server, data, browser):
    fragment = f"#/experiments/{data['charts']}/runs/{data['fifty']}/charts"

    def ready() -> float:
        browser.get("about:blank")
        started = time.perf_counter()
        browser.get(f"{server.url}/{fragment}")
        wait_ready(browser)
        wait_for(browser, "return document.querySelector('.card[data-metric=\"metric_00\"]').dataset.drawn === '1'")
        return time.perf_counter() - started

    TIMINGS["fifty_charts_run_page_s"] = median_of_three(ready)
    assert browser.execute_script("return document.querySelectorAll('#run-charts .card').length") == 50
    drawn = browser.execute_script("return document.querySelectorAll('#run-charts .card[data-drawn=\"1\"]').length")
    assert 0 < drawn < 50
    browser.execute_script("document.querySelector('.card[data-metric=\"metric_49\"]').scrollIntoView()")
    wait_for(browser, "return document.querySelector('.card[data-metric=\"metric_49\"]').dataset.drawn === '1'")


def test_hundred_runs_on_one_chart(server, data, browser):
    from selenium.webdriver.support.ui import Select

    open_page(browser, server.url, f"#/experiments/{data['hundred']}")
    card = "document.querySelector('#experiment-charts .card')"

    def draw(count: int) -> float:
        browser.execute_script(f"const c = {card}; if (c) c._chart.series = [];")
        started = time.perf_counter()
        Select(browser.find_element("id", "chart-runs")).select_by_value(str(count))
        wait_for(browser, f"const c = {card}; return c && c._chart.series.length === {min(count, 100)} && "
                          "c._chart.series.every(s => (s.buckets || s.points).length > 0)", timeout=60)
        return time.perf_counter() - started

    def hundred() -> float:
        draw(10)
        return draw(100)

    TIMINGS["hundred_runs_10000_steps_chart_s"] = median_of_three(hundred)
    # Every run's spike is drawn: each series holds its own.
    spikes = browser.execute_script(f"return {card}._chart.series.filter(s => s.buckets.some(b => b[3] === 1000)).length")
    assert spikes == 100


def test_experiment_charts_group_runs(server, data, browser):
    from selenium.webdriver.support.ui import Select

    open_page(browser, server.url, f"#/experiments/{data['small']}")
    wait_for(browser, "return document.querySelectorAll('#experiment-charts canvas').length >= 2")
    Select(browser.find_element("id", "group-by")).select_by_value("params.model")
    wait_for(browser, "const c = document.querySelector('#experiment-charts .card')._chart;"
                      "return c && c.series.length === 3 && c.series.every(s => s.band && s.band.length)")
    names = browser.execute_script("return document.querySelector('#experiment-charts .card')._chart.series.map(s => s.name)")
    assert sorted(n.split(" ")[0] for n in names) == ["linear", "mlp", "tree"]
    # One metric against another: acc is loss / 10 at every step in this experiment.
    Select(browser.find_element("id", "group-by")).select_by_value("")
    Select(browser.find_element("id", "x-axis")).select_by_value("metric:acc")
    pairs = wait_for(browser, "const card = [...document.querySelectorAll('#experiment-charts .card')]"
                              ".find(c => c.querySelector('h3').textContent === 'loss');"
                              "const s = card._chart.series; return s.length === 10 && s[0].points.length === 50 && s[0].points")
    assert all(abs(loss - 10 * acc) < 1e-9 for acc, loss in pairs)


def test_endpoints_pages(server, data, browser):
    name = "ui-endpoint"
    created = requests.post(f"{server.url}/api/2.0/kaizen/endpoints/create", timeout=30, json={
        "name": name, "model_name": data["model"], "traffic": [{"version": "1", "weight": 90}, {"version": "2", "weight": 10}],
        "description": HOSTILE})
    assert created.status_code == 200, created.text
    browser.get_log("browser")  # only this test's messages count
    open_page(browser, server.url, "#/endpoints")
    row = browser.find_element("css selector", f"#endpoints tr[data-endpoint='{name}']")
    assert "v1: 90%" in row.text and "v2: 10%" in row.text
    navigate(browser, f"#/endpoints/{name}")
    assert browser.find_element("tag name", "h1").text == name
    assert HOSTILE in browser.find_element("css selector", "table.kv").text
    assert "No rollouts." in browser.find_element("id", "main").text
    assert browser.execute_script("return window.__xss") is None
    assert severe_logs(browser) == []


# --------------------------------------------------------------------------------------
# Artifacts
# --------------------------------------------------------------------------------------


def test_artifact_previews(server, data, browser):
    open_page(browser, server.url, f"#/experiments/{data['small']}/runs/{data['artifact_run']}/artifacts")
    wait_for(browser, "return document.querySelector('#artifact-tree button.entry')")
    expected = {"notes.txt": "text", "metrics.json": "json", "config.yaml": "yaml", "table.csv": "csv",
                "images": None, "model": None}
    for name, kind in expected.items():
        browser.find_element("css selector", f"#artifact-tree button.entry[data-path='{name}']").click()
        if kind is None:  # a folder: its entries are listed on the first click
            wait_for(browser, f"return document.querySelector(\"#artifact-tree button.entry[data-path^='{name}/']\")")
            continue
        wait_for(browser, f"return document.getElementById('artifact-preview').dataset.kind === '{kind}'")
    browser.find_element("css selector", "#artifact-tree button.entry[data-path='images/red.png']").click()
    wait_for(browser, "const i = document.querySelector('#artifact-preview img'); return i && i.complete && i.naturalWidth === 40")
    browser.find_element("css selector", "#artifact-tree button.entry[data-path='model/MLmodel']").click()
    wait_for(browser, "return document.getElementById('artifact-preview').dataset.kind === 'mlmodel'")
    assert "onnx_version" in browser.find_element("id", "artifact-preview").text
    assert browser.execute_script("return document.querySelectorAll('#image-grid img').length") == 2
    # 200 MB of CSV: a table of its first rows, from at most 1 MB.
    started = time.perf_counter()
    browser.find_element("css selector", "#artifact-tree button.entry[data-path='big.csv']").click()
    wait_for(browser, "const p = document.getElementById('artifact-preview');"
                      "return p.dataset.kind === 'csv' && p.querySelectorAll('tbody tr').length === 100")
    TIMINGS["csv_200mb_preview_s"] = round(time.perf_counter() - started, 3)
    fetched = browser.execute_script(
        "return performance.getEntriesByType('resource').filter(e => e.name.endsWith('/big.csv'))"
        ".map(e => e.encodedBodySize)")
    assert fetched and max(fetched) <= 1024 * 1024, fetched
    assert browser.find_element("id", "preview-truncated").text.startswith("Showing the first 1048576 bytes of")
    # A `..` path is refused by the listing and by the download route.
    for path in ["../..", "..%2F..", "images/../../.."]:
        response = requests.get(f"{server.url}/ajax-api/2.0/mlflow/artifacts/list",
                                params={"run_id": data["artifact_run"], "path": path}, timeout=10)
        assert response.status_code == 400, path
    escape = requests.get(f"{server.url}/ajax-api/2.0/mlflow-artifacts/artifacts/{data['small']}/..%2F..%2F..%2Fetc%2Fpasswd",
                          timeout=10)
    assert escape.status_code == 400


# --------------------------------------------------------------------------------------
# Security
# --------------------------------------------------------------------------------------


def test_hostile_text_is_shown_never_run(server, data, browser):
    small = data["small"]
    run = f"#/experiments/{small}/runs/{data['artifact_run']}"
    for fragment in ("#/experiments", f"#/experiments/{small}", run, run + "/charts", run + "/artifacts",
                     f"#/models/{urllib.parse.quote(data['model'], safe='')}"):
        open_page(browser, server.url, fragment)
        time.sleep(0.3)
        assert browser.execute_script("return window.__xss") is None, fragment
        assert browser.execute_script("return document.querySelectorAll('#app img[src=\"x\"], #app script').length") == 0
    open_page(browser, server.url, f"#/experiments/{small}/runs/{data['artifact_run']}")
    assert browser.find_element("id", "run-name").text == HOSTILE
    assert HOSTILE in browser.find_element("id", "params").text
    navigate(browser, f"#/experiments/{small}/runs/{data['artifact_run']}/artifacts")
    wait_for(browser, "return document.querySelector('#artifact-tree button.entry')")
    assert browser.execute_script("return window.__xss") is None
    browser.find_element("css selector", "#artifact-tree button.entry[data-path='notes.txt']").click()
    wait_for(browser, "return document.getElementById('artifact-preview').dataset.kind === 'text'")
    assert HOSTILE in browser.find_element("id", "artifact-preview").text
    assert browser.execute_script("return window.__xss") is None


def test_writes_need_the_ui_token_and_nothing_leaves_the_server(server, data, browser):
    open_page(browser, server.url, "#/experiments")
    status = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch('/ajax-api/2.0/mlflow/experiments/create', {method: 'POST', headers: {'Content-Type': 'application/json'},
              body: JSON.stringify({name: 'no token'})}).then(r => done(r.status));""")
    assert status == 403
    token = browser.execute_script("return document.querySelector('meta[name=kaizen-ui-token]').content")
    status = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch('/ajax-api/2.0/mlflow/experiments/create', {method: 'POST', headers: {'Content-Type': 'application/json',
              'X-Kaizen-UI-Token': arguments[0]}, body: JSON.stringify({name: 'with token'})}).then(r => done(r.status));""",
        token)
    assert status == 200
    page = requests.get(server.url + "/", timeout=10)
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy and "http" not in policy
    # Every resource the pages loaded came from the server itself.
    origins = browser.execute_script(
        "return [...new Set(performance.getEntriesByType('resource').map(e => new URL(e.name).origin))]")
    assert origins in ([], [server.url])
    # The UI's script and styles weigh at most 150 KB gzipped.
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
    sizes = []
    for asset in assets:
        raw = requests.get(server.url + asset, headers={"Accept-Encoding": "gzip"}, timeout=10, stream=True)
        body = raw.raw.read()
        assert raw.headers["Content-Encoding"] == "gzip" and gzip.decompress(body)
        sizes.append(len(body))
        assert raw.headers["Cache-Control"].endswith("immutable") and raw.headers["ETag"]
    TIMINGS["ui_assets_gzipped_bytes"] = sum(sizes)
    assert sum(sizes) <= 150 * 1024


# --------------------------------------------------------------------------------------
# Registry and runs edited from the UI
# --------------------------------------------------------------------------------------


def test_registry_edits(server, data, browser):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    name = data["model"]
    quoted = urllib.parse.quote(name, safe="")
    client = MlflowClient(server.url)
    open_page(browser, server.url, f"#/models/{quoted}")
    assert HOSTILE in browser.find_element("css selector", ".description p").text
    alias_form = browser.find_elements("css selector", "form.inline-form")[0]
    inputs = alias_form.find_elements("tag name", "input")
    inputs[0].send_keys("champion")
    inputs[1].send_keys("2", Keys.ENTER)
    wait_for(browser, "return document.getElementById('aliases') && document.getElementById('aliases').textContent.includes('@champion')")
    assert client.get_model_version_by_alias(name, "champion").version == "2"
    tag_form = browser.find_elements("css selector", ".tags-editor form.inline-form")[0]
    fields = tag_form.find_elements("tag name", "input")
    fields[0].send_keys("owner")
    fields[1].send_keys("team-a", Keys.ENTER)
    wait_for(browser, "return document.querySelector('.tags-editor tr[data-tag=\"owner\"]')")
    assert client.get_registered_model(name).tags["owner"] == "team-a"
    Select(browser.find_element("css selector", "tr[data-version='3'] select")).select_by_value("Staging")
    wait_for(browser, "const s = document.querySelector(\"tr[data-version='3'] select\"); return s && s.value === 'Staging'")
    time.sleep(0.3)
    assert client.get_model_version(name, "3").current_stage == "Staging"
    assert browser.find_elements("css selector", "#audit li")
    navigate(browser, f"#/models/{quoted}/versions/1")
    browser.find_element("xpath", "//button[text()='Edit description']").click()
    area = browser.find_element("css selector", ".description textarea")
    area.clear()
    area.send_keys("first version")
    browser.find_element("xpath", "//div[@class='description']/button[text()='Save']").click()
    wait_for(browser, "return document.querySelector('.description p').textContent === 'first version'")
    assert client.get_model_version(name, "1").description == "first version"


def test_run_edits_and_comparison(server, data, browser):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    run_id = data["small_runs"][3]
    open_page(browser, server.url, f"#/experiments/{data['small']}/runs/{run_id}")
    browser.find_element("xpath", "//button[text()='Rename']").click()
    field = browser.find_element("css selector", "form.inline-form input")
    field.clear()
    field.send_keys("renamed-run", Keys.ENTER)
    wait_for(browser, "return document.getElementById('run-name') && document.getElementById('run-name').textContent === 'renamed-run'")
    forms = browser.find_elements("css selector", ".tags-editor form.inline-form")
    fields = forms[-1].find_elements("tag name", "input")
    fields[0].send_keys("stage")
    fields[1].send_keys("candidate", Keys.ENTER)
    wait_for(browser, "return document.querySelector('.tags-editor tr[data-tag=\"stage\"]')")
    run = MlflowClient(server.url).get_run(run_id)
    assert run.info.run_name == "renamed-run" and run.data.tags["stage"] == "candidate"
    # Select three runs in the table and compare them.
    navigate(browser, f"#/experiments/{data['small']}")
    wait_for(browser, "return document.querySelectorAll('#runs-grid .row input[type=checkbox]').length >= 3")
    for box in browser.find_elements("css selector", "#runs-grid .row input[type=checkbox]")[:3]:
        box.click()
    browser.find_element("id", "compare-button").click()
    wait_ready(browser)
    assert browser.find_element("tag name", "h1").text == "Comparing 3 runs"
    assert browser.find_elements("css selector", "#compare-table tr.diff")
    browser.find_element("id", "only-differences").click()
    rows = browser.find_elements("css selector", "#compare-table tbody tr[data-key]")
    assert rows and all("diff" in r.get_attribute("class") for r in rows)
    Select(browser.find_element("id", "scatter-x")).select_by_value("params.lr")
    assert browser.find_element("css selector", "#parallel canvas").size["width"] > 100
