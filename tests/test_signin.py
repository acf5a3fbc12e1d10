"""Sign-in with a real OpenID Connect provider (oidc-provider-mock on a local port) and the real
Streamlit app in headless Chromium, started as a team would start it (`riskwatch dashboard` with an
[auth] secrets file): through the login redirect, a viewer who cannot edit, an editor whose watchlist
change appears in the audit trail with their identity."""

import os
import subprocess
import sys
import time
import urllib.request
from urllib.parse import quote

import pytest

from core.settings import PROJECT_ROOT
from tests.conftest import copy_sqlite
from tests.test_browser import CHROMIUM, browser, free_port, sync_playwright  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow

EDITOR, VIEWER = "alice@bank.example", "bob@bank.example"


@pytest.fixture(scope="module")
def oidc_provider():
    import httpx
    import oidc_provider_mock

    with oidc_provider_mock.run_server_in_thread() as server:
        url = f"http://localhost:{server.server_port}"
        for email, name in ((EDITOR, "Alice"), (VIEWER, "Bob")):
            response = httpx.put(f"{url}/users/{quote(email)}", json={"email": email, "name": name})
            assert response.status_code == 204
        yield url


@pytest.fixture(scope="module")
def signed_in_dashboard(sync_playwright, oidc_provider, replayed_db, tmp_path_factory):  # noqa: F811
    directory = tmp_path_factory.mktemp("signin")
    database = directory / "replayed.db"
    copy_sqlite(replayed_db, database)
    port = free_port()
    secrets = directory / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        'cookie_secret = "a-test-cookie-secret-of-enough-length"\n'
        'client_id = "riskwatch"\n'
        'client_secret = "riskwatch-secret"\n'
        f'server_metadata_url = "{oidc_provider}/.well-known/openid-configuration"\n'
    )
    env = {
        **os.environ,
        "RISKWATCH_DATABASE_URL": f"sqlite:///{database}",
        "RISKWATCH_DASHBOARD_SECRETS": str(secrets),
        "RISKWATCH_DASHBOARD_EDITORS": EDITOR,
        "RISKWATCH_DASHBOARD_VIEWERS": "@bank.example",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "jobs.cli", "dashboard", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://localhost:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"riskwatch dashboard exited with {process.returncode}")
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("the dashboard did not start within 60 s")
    yield url, database
    process.terminate()
    process.wait(timeout=20)


def sign_in(browser, url: str, email: str):  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    page.goto(url + "/")
    page.get_by_role("button", name="Sign in").click(timeout=60_000)
    page.get_by_placeholder("sub").fill(email, timeout=30_000)  # the provider's own login form
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_selector("text=Exposure leaderboard", timeout=60_000)
    return context, page


def test_nothing_shows_before_sign_in(browser, signed_in_dashboard):  # noqa: F811
    url, _ = signed_in_dashboard
    page = browser.new_page()
    page.goto(url + "/alerts")
    page.wait_for_selector("text=Sign in with your organisation's account", timeout=60_000)
    assert "Watchlist" not in page.inner_text("body") and "Exposure leaderboard" not in page.inner_text("body")
    page.close()


def test_a_viewer_sees_everything_and_cannot_edit(browser, signed_in_dashboard):  # noqa: F811
    url, _ = signed_in_dashboard
    context, page = sign_in(browser, url, VIEWER)
    assert f"{VIEWER} · viewer" in page.inner_text("body")
    page.goto(url + "/alerts")
    page.wait_for_selector("text=are a viewer", timeout=60_000)
    assert page.get_by_role("button", name="Alert on it").count() == 0
    context.close()


def test_an_editor_changes_the_watchlist_and_the_audit_trail_names_them(browser, signed_in_dashboard):  # noqa: F811
    import sqlite3

    url, database = signed_in_dashboard
    context, page = sign_in(browser, url, EDITOR)
    assert f"{EDITOR} · editor" in page.inner_text("body")
    page.goto(url + "/alerts")
    page.wait_for_selector("text=Watchlist", timeout=60_000)
    box = page.get_by_role("combobox").last
    box.click()
    box.fill("Huawei Technologies Co., Ltd.")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Alert on it").click(timeout=30_000)
    page.wait_for_selector("text=is on the watchlist now", timeout=30_000)
    with sqlite3.connect(database) as conn:
        rows = conn.execute("SELECT actor, how, action, target, after FROM auditentry").fetchall()
        watched = conn.execute("SELECT watched FROM entity WHERE name = 'Huawei Technologies Co., Ltd.'").fetchone()
    assert rows == [(EDITOR, "oidc", "watchlist.set", "Huawei Technologies Co., Ltd.", '{"watched": true}')]
    assert watched == (1,)
    page.goto(url + "/audit")
    page.wait_for_selector("text=Audit trail", timeout=60_000)
    page.wait_for_selector("text=1 changes, newest first", timeout=60_000)
    page.screenshot(path=str(PROJECT_ROOT / "test-artifacts" / "audit.png"), full_page=True)
    context.close()
