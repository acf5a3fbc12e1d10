"""The real Streamlit app in a real headless browser (Debian's chromium, driven by Playwright).

Without a browser these tests are skipped, loudly, on a developer's machine and FAIL in CI (CI=true):
`make test` installs Debian's chromium. Screenshots are saved to test-artifacts/ for a person to look at.
"""

import json
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


PAGES = [
    (
        "/",
        "text=Exposure leaderboard",
        ["Alibaba Group Holding Limited", "BYD Company Limited", "Latest documents", "Top 50 of", "official story"],
    ),
    (
        "/company?entity=BYD",
        "text=Listing intervals",
        [
            "BYD Company Limited",
            "LISTED on 1260H since 2026-06-08",
            "DoD list of 2026-06-08",
            "Federal Register 2026-06-10",
        ],
    ),
    (
        "/company?entity=BYD%20Auto",
        "text=Listing intervals",
        ["BYD Auto", "Not listed itself", "parent BYD Company Limited listed on 1260H since 2026-06-08"],
    ),
    (
        "/company?entity=%E9%98%BF%E9%87%8C%E5%B7%B4%E5%B7%B4",  # 阿里巴巴
        "text=Listing intervals",
        ["Alibaba Group Holding Limited", "LISTED on 1260H since 2026-06-08"],
    ),
    (
        "/company?entity=Huawei",
        "text=Listing intervals",
        [
            "Huawei Technologies Co., Ltd.",
            "LISTED on Entity List since 2019-05-16",
            "LISTED on NS-CMIC since 2021-06-03",
            "Consolidated Screening List download of",
        ],
    ),
    ("/company?entity=Nowhere%20Widgets", "text=no company named", ["Nowhere Widgets"]),
    (
        "/documents",
        "text=documents ·",  # the caption with the count comes with the list; the table draws on a canvas
        ["federal_register", "public_inspection", "Open a document", "Withdrawn — never published"],
    ),
    ("/alerts", "text=Alert log", ["LISTING: BYD Company Limited designated on 1260H (2026-06-08)"]),
    ("/screening", "text=Counterparty screening", ["Upload a CSV"]),
]
TIMES: dict[str, float] = {}  # page -> seconds to its first expected content (the benchmark below)


def _artifact_name(path: str) -> str:
    name = path.split("?")[0].strip("/") or "overview"
    if "entity=" in path:
        name += "-" + "".join(c if c.isalnum() else "-" for c in path.split("entity=")[1].replace("%20", "-"))[:20]
    return name


def _wait_for_texts(page, texts) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout  # the browser fixture checked it is there

    for text in texts:  # the websocket delivers the page in parts: wait for each text (up to 30 s)
        try:
            page.wait_for_function("t => document.documentElement.innerHTML.includes(t)", arg=text, timeout=30_000)
        except PlaywrightTimeout:
            break  # reported by the caller with the page as it is
    try:  # for the screenshot: the widgets still loading show as skeletons
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=10_000)
    except PlaywrightTimeout:
        pass


def test_a_first_visit_warms_the_server(dashboard_url, browser):
    """The first visit after start imports the pages' modules and fills the minute caches: timed apart."""
    page = browser.new_page()
    started = time.monotonic()
    page.goto(dashboard_url + "/")
    page.wait_for_selector("text=Exposure leaderboard", timeout=60_000)
    TIMES["cold start: first visit to /"] = round(time.monotonic() - started, 3)
    page.close()


@pytest.mark.parametrize("path, wait_for, expected", PAGES)
def test_pages_render_in_a_real_browser(dashboard_url, browser, path, wait_for, expected):
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    started = time.monotonic()
    page.goto(dashboard_url + path)
    page.wait_for_selector(wait_for, timeout=60_000)
    TIMES[path] = round(time.monotonic() - started, 3)
    _wait_for_texts(page, expected)
    html = page.content()  # dataframes draw on a canvas; their text is in the accessible table in the DOM
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"dashboard-{_artifact_name(path)}.png"), full_page=True)
    page.close()
    for text in expected:
        assert text in html, f"{text!r} not shown on {path}"
    assert "Traceback" not in html
    assert "Deploy" not in html  # the served app has no Streamlit "Deploy" button
    if "BYD%20Auto" in path:
        assert "Not listed on any" not in html  # a listed parent is never a green "not listed"


def test_screening_upload_shows_status_lines(dashboard_url, browser, tmp_path):
    upload = tmp_path / "counterparties.csv"
    upload.write_text("name,country\nBYD Auto Co,CN\nAlibaba,CN\nAcme Widgets Trading,US\n", encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.goto(dashboard_url + "/screening")
    page.wait_for_selector("text=Counterparty screening", timeout=60_000)
    page.set_input_files("input[type=file]", str(upload))
    expected = ["BYD Auto", "Not listed itself — parent BYD Company Limited", "LISTED on 1260H since 2026-06-08"]
    _wait_for_texts(page, [*expected, "no company named"])
    html = page.content()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-screening-upload.png"), full_page=True)
    page.close()
    for text in [*expected, "no company named", "1 without a match"]:
        assert text in html, f"{text!r} not shown after the upload"


def test_zz_time_to_content_benchmark():
    """Not a timed test: records each page's time to its first content for the README (bench figures)."""
    if not TIMES:
        pytest.skip("no page was opened in this worker (run with the page tests, e.g. -n 0 or --dist loadfile)")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "time-to-content.json").write_text(json.dumps(TIMES, indent=2, ensure_ascii=False))
    print("time to first content (s):", json.dumps(TIMES, ensure_ascii=False))
