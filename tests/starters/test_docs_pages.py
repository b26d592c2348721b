"""The API docs pages in a real browser: /docs (Swagger UI) and /redoc of each served starter.

Headless Chromium from the Debian packages, driven by Selenium through the matching
``chromedriver``. A page passes when it renders every operation of ``/openapi.json``, logs
no console error and makes no request outside the app's origin (no CDN, no web font, no
vendor logo): the docs must work on a machine without internet and leak nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from . import harness

pytestmark = pytest.mark.slow

#: The Debian packages ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them).
CHROMIUM = os.environ.get("SCAFFOLD_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("SCAFFOLD_CHROMEDRIVER", "/usr/bin/chromedriver")
REQUIRE_BROWSER_VARIABLE = "SCAFFOLD_REQUIRE_BROWSER"
PAGE_TIMEOUT = 60.0
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

#: What shows an operation once the page has rendered the spec: Swagger UI draws one
#: block per operation; ReDoc one section, ``[tag/<tag>/]operation/<operationId>`` (or
#: ``.../paths/<path>/<method>`` when the operation has no id), sometimes twice.
OPERATION_SELECTORS = {
    "/docs": ".opblock",
    "/redoc": "[data-section-id*='operation/'], [data-section-id*='paths/']",
}
#: The distinct operations a page shows, by the element ids above.
COUNT_OPERATIONS = """
const ids = new Set();
for (const element of document.querySelectorAll(arguments[0])) {
  const id = element.getAttribute("data-section-id") || element.id;
  ids.add(id.replace(/^tag\\/[^/]*\\//, ""));
}
return ids.size;
"""


@pytest.fixture(scope="module")
def database() -> str:
    """The docs pages do not depend on the database: SQLite only."""
    return "sqlite"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium with its network and console logs recorded."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not shutil.which(path)]
    if missing:
        message = (
            f"{' and '.join(missing)} not found: install the Debian packages chromium and "
            "chromium-driver (or set SCAFFOLD_CHROMIUM / SCAFFOLD_CHROMEDRIVER)"
        )
        if os.environ.get(REQUIRE_BROWSER_VARIABLE) == "1":
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",  # the tests may run as root (CI does)
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--window-size=1280,1024",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    log = tmp_path_factory.mktemp("chromedriver") / "chromedriver.log"
    driver = webdriver.Chrome(
        options=options, service=Service(executable_path=CHROMEDRIVER, log_output=str(log))
    )
    driver.set_page_load_timeout(PAGE_TIMEOUT)
    driver.get("about:blank")
    try:
        yield driver
    finally:
        driver.quit()


def _operation_count(server: harness.Server) -> int:
    response = harness.Client(server.base_url).get("/openapi.json")
    assert response.status == 200, response.text
    paths: dict[str, dict[str, Any]] = response.json()["paths"]
    return sum(1 for item in paths.values() for method in item if method in HTTP_METHODS)


def _requested_urls(driver: Any) -> list[str]:
    """Every URL the page asked for since the last call (Chrome's network log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _off_origin(urls: list[str], base_url: str) -> list[str]:
    origin = urllib.parse.urlsplit(base_url)
    off = []
    for url in urls:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme in {"data", "blob", "about", "chrome"}:
            continue  # no network (chrome: the browser's own pages)
        if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
            off.append(url)
    return off


def _settle(driver: Any) -> None:
    """Let the page finish what it started after the first paint (effects, lazy images)."""
    driver.set_script_timeout(PAGE_TIMEOUT)
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 500)));"
    )


@pytest.mark.parametrize("path", list(OPERATION_SELECTORS))
def test_docs_page_renders_offline(
    server: harness.Server, browser: Any, path: str, tmp_path: Path
) -> None:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    expected = _operation_count(server)
    assert expected > 0, "/openapi.json lists no operation"
    browser.get_log("performance")  # forget the previous page's traffic
    browser.get_log("browser")
    browser.get(server.base_url + path)
    selector = OPERATION_SELECTORS[path]
    try:
        WebDriverWait(browser, PAGE_TIMEOUT).until(
            expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, selector))
        )
    except TimeoutException:
        screenshot = tmp_path / "page.png"
        browser.save_screenshot(str(screenshot))
        text = browser.find_element(By.TAG_NAME, "body").text
        pytest.fail(
            f"{path} shows no operation ({selector}) after {PAGE_TIMEOUT} s; "
            f"screenshot {screenshot}; the page says: {text!r}"
        )
    _settle(browser)

    shown = browser.execute_script(COUNT_OPERATIONS, selector)
    assert shown == expected, f"{path} shows {shown} operations of {expected}"
    off_origin = _off_origin(_requested_urls(browser), server.base_url)
    assert not off_origin, f"{path} made requests outside {server.base_url}: {off_origin}"
    errors = [
        entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"
    ]
    assert not errors, f"{path} logged console errors: {errors}"


def test_off_origin_keeps_only_requests_to_other_origins() -> None:
    base = "http://127.0.0.1:8000"
    urls = [
        f"{base}/redoc",
        f"{base}/static/docs/redoc.standalone.js",
        "data:image/svg+xml;base64,PHN2Zz4=",
        f"blob:{base}/0b1c",
        "chrome://resources/js/x.js",
        "https://cdn.redoc.ly/redoc/logo-mini.svg",
        "http://127.0.0.1:8001/openapi.json",
        "http://localhost:8000/redoc",
    ]
    assert _off_origin(urls, base) == urls[-3:]
