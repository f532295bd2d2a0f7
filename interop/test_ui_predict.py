"""The prediction form of `kaizen models serve` (page at `/`, `predict.js`), in a real browser.

Chromium (Debian's `/usr/bin/chromium` and `/usr/bin/chromedriver`, headless) drives the form of two models logged
with the real `mlflow` client to the Kaizen tracking server under test and served from the registry:

* ``ui-form-<id>``: a scikit-learn pipeline (skops) whose signature has one column of each MLflow column type
  (string, long, integer, double (optional), float, boolean, binary, datetime); the pipeline reads the first
  five and drops the rest. Its input example puts HTML and a script in the string column;
* ``ui-tensor-<id>``: a Ridge on NumPy arrays, so a tensor signature and a JSON editor.

The form must send exactly the JSON of a hand-written request and show the bytes that `requests` gets for it,
give the curl command that gets them too, report a bad field on that field (its own check, and the server's
error with the checks off), show text from the server as text, and load nothing from outside the server.

Screenshots (light and dark, 1400 and 400 pixels wide) go to $UI_SCREENSHOTS, else to a pytest temporary folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import numpy as np
import pytest
import requests

from interop_helpers import SKLEARN_REQUIREMENTS
from serving_helpers import start_kaizen_serve, stop_scoring_server

pytestmark = pytest.mark.kaizen_only

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCRIPT = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
COLUMNS = ["city", "rooms", "floor", "area", "ratio", "garden", "photo", "listed"]

if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
    pytest.skip("needs Debian's chromium and chromium-driver", allow_module_level=True)


def _log_models(tracking_uri: str) -> tuple[str, str]:
    import mlflow
    import mlflow.sklearn
    import pandas as pd
    from sklearn.compose import make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    mlflow.set_tracking_uri(tracking_uri)
    rng = np.random.default_rng(7)
    n = 60
    X = pd.DataFrame({
        "city": pd.Series(rng.choice(["Lyon", "Paris", "Nice"], n), dtype=object),
        "rooms": pd.Series(rng.integers(1, 6, n), dtype="int64"),
        "floor": pd.Series(rng.integers(0, 10, n), dtype="int32"),
        "area": pd.Series(rng.uniform(20, 120, n), dtype="float64"),
        "ratio": pd.Series(rng.uniform(0, 1, n), dtype="float32"),
        "garden": pd.Series(rng.integers(0, 2, n).astype(bool)),
        "photo": pd.Series([bytes([i, 255 - i]) for i in range(n)], dtype=object),
        "listed": pd.Series(pd.date_range("2024-01-01", periods=n, freq="D")),
    })
    y = (X["area"] + 10 * X["rooms"] > 90).astype(int)
    model = make_pipeline(make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore"), ["city"]),
        (SimpleImputer(), ["rooms", "floor", "area", "ratio"]), remainder="drop"), LogisticRegression())
    model.fit(X, y)
    example = X[:2].copy()
    example.loc[0, "city"] = SCRIPT
    example.loc[1, "area"] = np.nan  # so the signature says `area` is optional
    suffix = uuid.uuid4().hex[:8]
    columns_name, tensor_name = f"ui-form-{suffix}", f"ui-tensor-{suffix}"
    with mlflow.start_run():
        mlflow.sklearn.log_model(
            model, name="model", input_example=example, registered_model_name=columns_name,
            pip_requirements=SKLEARN_REQUIREMENTS, skops_trusted_types=["numpy.dtype"])
    features = rng.normal(size=(40, 3))
    with mlflow.start_run():
        mlflow.sklearn.log_model(
            Ridge().fit(features, features @ [1.0, -2.0, 0.5]), name="model", input_example=features[:2],
            registered_model_name=tensor_name, pip_requirements=SKLEARN_REQUIREMENTS)
    return columns_name, tensor_name


@pytest.fixture(scope="module")
def servers(server, tmp_path_factory):
    columns_name, tensor_name = _log_models(server.url)
    workdir = tmp_path_factory.mktemp("ui-predict")
    started = []
    try:
        for name in (columns_name, tensor_name):
            started.append(start_kaizen_serve(f"models:/{name}/1", workdir, tracking_uri=server.url))
        yield started[0], started[1]
    finally:
        for srv in started:
            stop_scoring_server(srv)


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    folder = Path(os.environ["UI_SCREENSHOTS"]) if os.environ.get("UI_SCREENSHOTS") else tmp_path_factory.mktemp("shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,1000", "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def _wait(driver, condition, timeout: float = 20):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(lambda d: condition(d))


def _open(driver, url: str, theme: str = "light") -> None:
    driver.get(url + "/")
    driver.execute_script("localStorage.setItem('kaizen-theme', arguments[0])", theme)
    driver.get(url + "/")
    _wait(driver, lambda d: d.execute_script("return document.body.dataset.ready") == "1")


def _cell(driver, column: str, row: int):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, f'#predict-form tbody [data-column="{column}"]')[row]


def _type(element, text: str) -> None:
    element.clear()
    element.send_keys(text)


def _set(driver, element, value: str) -> None:
    """For controls a keyboard fills in a locale's format (datetime-local) or picks from (select)."""
    driver.execute_script(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}))",
        element, value)


def _choose_theme(driver, theme: str) -> None:
    """Clicks the theme toggle (system, light, dark) until it shows `theme`."""
    from selenium.webdriver.common.by import By

    toggle = driver.find_element(By.ID, "theme-toggle")
    for _ in range(3):
        if toggle.text == f"Theme: {theme}":
            break
        toggle.click()
    assert toggle.text == f"Theme: {theme}"
    assert driver.execute_script("return document.documentElement.dataset.theme") == theme


def _submit(driver) -> None:
    from selenium.webdriver.common.by import By

    before = driver.execute_script("return Number(document.body.dataset.answers || 0)")
    driver.find_element(By.ID, "predict").click()
    _wait(driver, lambda d: d.execute_script("return Number(document.body.dataset.answers || 0)") > before)


def _text(driver, element_id: str) -> str:
    return driver.execute_script("return document.getElementById(arguments[0]).textContent", element_id)


def _error_of(driver, element) -> str:
    return driver.execute_script(
        "return document.getElementById(arguments[0].getAttribute('aria-describedby')).textContent", element)


# The hand-written request: one value of each column type; `area` is optional and missing in the second row, and
# `city` has a quote, so the curl command's quoting is tested too.
ROWS = [
    ["Lyon's", 4, 3, 71.25, 0.5, True, "AAE=", "2024-03-05T10:30:15"],
    ["Paris", 2, 9, None, 0.125, False, "/w==", "2023-12-31T23:59:00"],
]
PAYLOAD = {"dataframe_split": {"columns": COLUMNS, "data": ROWS}}


def _fill(driver) -> None:
    from selenium.webdriver.common.by import By

    while len(driver.find_elements(By.CSS_SELECTOR, "#predict-form tbody tr")) < len(ROWS):
        driver.find_element(By.ID, "add-row").click()
    for r, row in enumerate(ROWS):
        for column, value in zip(COLUMNS, row):
            element = _cell(driver, column, r)
            if column in ("garden", "listed"):
                _set(driver, element, json.dumps(value) if column == "garden" else value)
            else:
                _type(element, "" if value is None else str(value))


def test_form_sends_the_hand_written_request_and_shows_its_answer(browser, servers, screenshots):
    columns_server, _ = servers
    _open(browser, columns_server.url)
    from selenium.webdriver.common.by import By

    headers = [th.text.split("\n")[0] for th in browser.find_elements(By.CSS_SELECTOR, "#predict-form thead th")]
    assert headers[:len(COLUMNS)] == COLUMNS
    kinds = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#predict-form thead th .muted")]
    assert kinds == ["string", "long", "integer", "double · optional", "float", "boolean", "binary", "datetime"]
    # Prefilled from serving_input_example.json: two rows; the missing `area` is empty.
    assert len(browser.find_elements(By.CSS_SELECTOR, "#predict-form tbody tr")) == 2
    assert _cell(browser, "rooms", 0).get_property("value") != ""
    assert _cell(browser, "area", 1).get_property("value") == ""
    assert _cell(browser, "listed", 1).get_property("value").startswith("2024-01-02T00:00")

    _fill(browser)
    _submit(browser)
    sent = _text(browser, "request-sent")
    assert json.loads(sent) == PAYLOAD
    assert sent == json.dumps(PAYLOAD, separators=(",", ":"), ensure_ascii=False)

    expected = requests.post(f"{columns_server.url}/invocations", json=PAYLOAD, timeout=30)
    assert expected.status_code == 200, expected.text
    assert _text(browser, "response-raw") == expected.text
    assert json.loads(_text(browser, "response-pretty")) == json.loads(expected.text)
    assert "200" in _text(browser, "response-status")

    curl = _text(browser, "curl-command")
    assert curl.startswith("curl ")
    ran = subprocess.run(["bash", "-c", curl], capture_output=True, text=True, timeout=30)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == expected.text

    for theme in ("light", "dark"):
        _choose_theme(browser, theme)
        for width in (1400, 400):
            browser.set_window_size(width, 1700)
            browser.execute_script("window.scrollTo(0, 0)")
            browser.save_screenshot(str(screenshots / f"predict-columns-{theme}-{width}.png"))
    browser.set_window_size(1400, 1000)


def test_a_bad_field_is_reported_on_it(browser, servers, screenshots):
    columns_server, _ = servers
    _open(browser, columns_server.url)
    from selenium.webdriver.common.by import By

    rooms = _cell(browser, "rooms", 1)
    _type(rooms, "three")
    answers = browser.execute_script("return Number(document.body.dataset.answers || 0)")
    browser.find_element(By.ID, "predict").click()
    assert rooms.get_attribute("aria-invalid") == "true"
    assert _error_of(browser, rooms) == "'three' is not an integer"
    assert browser.switch_to.active_element == rooms
    assert browser.execute_script("return Number(document.body.dataset.answers || 0)") == answers  # nothing sent
    assert _cell(browser, "rooms", 0).get_attribute("aria-invalid") is None
    browser.save_screenshot(str(screenshots / "predict-field-error-light-1400.png"))

    # With the checks off the server judges, and its error (which names the column) lands on the field too.
    browser.find_element(By.ID, "check-fields").click()
    _submit(browser)
    assert "400" in _text(browser, "response-status")
    message = json.loads(_text(browser, "response-raw"))["message"]
    assert "rooms" in message
    assert rooms.get_attribute("aria-invalid") == "true"
    assert _error_of(browser, rooms) == message
    assert _cell(browser, "floor", 1).get_attribute("aria-invalid") is None
    browser.save_screenshot(str(screenshots / "predict-server-error-light-1400.png"))


def test_text_from_the_server_is_shown_as_text(browser, servers):
    columns_server, _ = servers
    _open(browser, columns_server.url)
    from selenium.webdriver.common.by import By

    # The example's HTML is a value in its field, not markup in the page.
    assert _cell(browser, "city", 0).get_property("value") == SCRIPT
    # An error message quoting a value with HTML, placed on its field as text.
    browser.find_element(By.ID, "check-fields").click()
    rooms = _cell(browser, "rooms", 0)
    _type(rooms, '<img src=x onerror="window.__xss=3">')
    _submit(browser)
    assert '<img src=x onerror="window.__xss=3">' in _error_of(browser, rooms)
    assert '<img src=x onerror="window.__xss=3">' in json.loads(_text(browser, "response-raw"))["message"]
    assert '<img src=x onerror=\\"window.__xss=3\\">' in _text(browser, "response-pretty")
    assert browser.find_elements(By.CSS_SELECTOR, "#app img, #app script") == []
    assert browser.execute_script("return window.__xss === undefined")


def test_nothing_leaves_the_server_and_the_policy_says_so(browser, servers):
    columns_server, _ = servers
    page = requests.get(columns_server.url + "/", timeout=10)
    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy and "script-src 'self'" in policy
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    browser.get_log("browser")  # drops what earlier tests logged (their 400 answers)
    _open(browser, columns_server.url)
    _fill(browser)
    _submit(browser)
    urls = browser.execute_script("return performance.getEntriesByType('resource').map((e) => e.name)")
    assert urls and all(u.startswith(columns_server.url + "/") for u in urls), urls
    # A Content-Security-Policy violation, a failed load or a script error is logged as SEVERE.
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == [], severe


def test_tensor_inputs_get_a_json_editor(browser, servers, screenshots):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _, tensor_server = servers
    _open(browser, tensor_server.url, theme="dark")
    editor = browser.find_element(By.ID, "request-body")
    prefilled = json.loads(editor.get_property("value"))
    assert list(prefilled) == ["inputs"] and np.asarray(prefilled["inputs"]).shape == (2, 3)
    payload = {"inputs": [[0.25, -1.5, 3.0], [1e-3, 2.0, -0.75]]}
    _type(editor, json.dumps(payload, indent=2))
    before = browser.execute_script("return Number(document.body.dataset.answers || 0)")
    editor.send_keys(Keys.CONTROL, Keys.ENTER)  # the keyboard shortcut sends from anywhere in the form
    _wait(browser, lambda d: d.execute_script("return Number(document.body.dataset.answers || 0)") > before)
    sent = _text(browser, "request-sent")
    assert sent == json.dumps(payload, separators=(",", ":"))
    expected = requests.post(f"{tensor_server.url}/invocations", json=payload, timeout=30)
    assert _text(browser, "response-raw") == expected.text
    browser.save_screenshot(str(screenshots / "predict-tensors-dark-1400.png"))

    _type(editor, '{"inputs": [[1, 2, 3]')
    browser.find_element(By.ID, "predict").click()
    assert editor.get_attribute("aria-invalid") == "true"
    assert _error_of(browser, editor) != ""
    # With the checks off, the server's refusal of the same text is shown on the editor.
    browser.find_element(By.ID, "check-fields").click()
    _submit(browser)
    assert "400" in _text(browser, "response-status")
    assert "Invalid input" in _error_of(browser, editor)
