"""The spiders are a normal Scrapy project: `scrapy crawl` (what scrapyd runs on a crawler host)
with the arguments `riskwatch spider-args` prints stores into the shared database."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlmodel import Session, select

from db.engine import make_engine
from db.models import Document
from core.settings import DATA_DIR, PROJECT_ROOT
from jobs.replay import ReplayServer
from tests.conftest import run_cli

pytestmark = pytest.mark.slow


def test_scrapy_list_and_crawl_with_printed_arguments(database_url, tmp_path):
    listed = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    assert set(listed.stdout.split()) == {"federal_register", "public_inspection", "dod_releases", "news", "csl"}
    printed = run_cli("spider-args", "--source", "federal_register", env={"RISKWATCH_MODE": "live"})
    job = json.loads(printed.stdout.decode().strip().splitlines()[-1])
    assert job["args"]["api_base"] == "https://www.federalregister.gov/api/v1"
    # Here the replay server stands in for www.federalregister.gov: only the base URL differs.
    with ReplayServer(DATA_DIR / "snapshot") as replay:
        args = {
            **job["args"],
            "api_base": replay.localise(job["args"]["api_base"]),
            "allowed": job["args"]["allowed"] + ",127.0.0.1",
            "url_map": json.dumps(replay.url_map()),
        }
        command = [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            job["spider"],
            "-s",
            "LOG_LEVEL=WARNING",
            *[f"-s{key}={value}" for key, value in job["settings"].items()],
            *[item for key, value in args.items() for item in ("-a", f"{key}={value}")],
        ]
        env = {**os.environ, "RISKWATCH_DATABASE_URL": database_url}
        completed = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    engine = make_engine(database_url)
    with Session(engine) as session:
        documents = session.exec(select(Document)).all()
    engine.dispose()
    assert len(documents) >= 5 and all(d.url.startswith("https://www.federalregister.gov/") for d in documents)
    assert {"2026-11571", "2025-00070"} <= {d.external_id for d in documents}
