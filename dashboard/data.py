"""Cached database access for the Streamlit pages."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dashboard import queries

from db.engine import init_db, make_engine
from core.settings import Settings


@st.cache_resource
def engine_for(url: str) -> Engine:
    engine = make_engine(url)
    init_db(engine)
    return engine


def database_url() -> str:
    # Settings are read per call (not cached) so a test or a restart with another URL is honoured.
    return Settings().resolved_database_url


def engine() -> Engine:
    return engine_for(database_url())


# The heaviest reads are cached for a minute per database and day: every rerun of a page (each
# widget change) would otherwise repeat them. A crawl writing meanwhile never blocks them (WAL).
@st.cache_data(ttl=60, show_spinner=False)
def leaderboard(url: str, day: date, limit: int) -> pd.DataFrame:
    with Session(engine_for(url)) as session:
        return queries.leaderboard(session, on=day, limit=limit)


@st.cache_data(ttl=60, show_spinner=False)
def document_facets(url: str) -> dict[str, list[str]]:
    with Session(engine_for(url)) as session:
        return queries.document_facets(session)
