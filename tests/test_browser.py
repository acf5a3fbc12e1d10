"""The real Streamlit app in a real headless browser (Debian's chromium, driven by Playwright).

Without a browser these tests are skipped, loudly, on a developer's machine and FAIL in CI (CI=true):
`make test` installs Debian's chromium. Screenshots are saved to test-artifacts/ for a person to look at.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from core.settings import PROJECT_ROOT
from jobs.cli import STREAMLIT_FLAGS
from tests.conftest import copy_sqlite, missing_dependency

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def sync_playwright():
    if CHROMIUM is None:
        missing_dependency(
            "the real-browser dashboard test (Debian's chromium)",
            "no `chromium` or `chromium-browser` on PATH (make test installs it with apt-get)",
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        missing_dependency("the real-browser dashboard test (Playwright)", f"{exc} (pip install -e .[test])")
    return sync_playwright


@pytest.fixture(scope="module")
def dashboard_url(sync_playwright, replayed_db, tmp_path_factory):  # the browser check first: no replay to skip
    database = tmp_path_factory.mktemp("browser") / "replayed.db"
    copy_sqlite(replayed_db, database)  # the app may write (schema check, alert actions): never the shared seed
    port = free_port()
    env = {**os.environ, "RISKWATCH_DATABASE_URL": f"sqlite:///{database}"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(PROJECT_ROOT / "dashboard" / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            *STREAMLIT_FLAGS,
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
            break
        except OSError:
            if process.poll() is not None:  # e.g. the port was taken between free_port() and its bind
                pytest.fail(f"streamlit exited with {process.returncode} before it served {url}")
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("streamlit did not start within 60 s")
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser(sync_playwright):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.mark.parametrize(
    "path, wait_for, expected",
    [
        (
            "/",
            "text=Exposure leaderboard",
            ["Alibaba Group Holding Limited", "BYD Company Limited", "Latest documents"],
        ),
        (
            "/company?entity=BYD%20Company%20Limited",
            "text=Listing intervals",
            ["BYD Company Limited", "Listed: 1260H", "2026-06-08", "withdrawn"],
        ),
        ("/documents", "text=Open a document", ["federal_register", "public_inspection", "Full text"]),
        ("/screening", "text=Counterparty screening", ["Upload a CSV"]),
    ],
)
def test_pages_render_in_a_real_browser(dashboard_url, browser, path, wait_for, expected):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout  # the browser fixture checked it is there

    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.goto(dashboard_url + path)
    page.wait_for_selector(wait_for, timeout=60_000)
    for text in expected:  # the websocket delivers the page in parts: wait for each text (up to 30 s)
        try:
            page.wait_for_function("t => document.documentElement.innerHTML.includes(t)", arg=text, timeout=30_000)
        except PlaywrightTimeout:
            break  # reported below with the page as it is
    html = page.content()  # dataframes draw on a canvas; their text is in the accessible table in the DOM
    ARTIFACTS.mkdir(exist_ok=True)
    name = path.split("?")[0].strip("/") or "overview"
    page.screenshot(path=str(ARTIFACTS / f"dashboard-{name}.png"), full_page=True)
    page.close()
    for text in expected:
        assert text in html, f"{text!r} not shown on {path}"
    assert "Traceback" not in html
