"""Cached database access for the Streamlit pages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dashboard import queries

from db.engine import ready_engine
from core.settings import Settings


@st.cache_resource
def engine_for(url: str) -> Engine:
    # One engine per database for the server's life (not session_scope: its engine is disposed per block).
    return ready_engine(url)


def database_url() -> str:
    # Settings are read per call (not cached) so a test or a restart with another URL is honoured.
    return Settings().resolved_database_url


def engine() -> Engine:
    return engine_for(database_url())


@contextmanager
def session() -> Iterator[Session]:
    """A session on the dashboard's database, for one run of a page."""
    with Session(engine()) as db_session:
        yield db_session


# The heaviest reads are cached for a minute per database and day: every rerun of a page (each
# widget change) would otherwise repeat them. A crawl writing meanwhile never blocks them (WAL).
@st.cache_data(ttl=60, show_spinner=False)
def leaderboard(url: str, day: date, limit: int | None) -> pd.DataFrame:
    with Session(engine_for(url)) as session:
        return queries.leaderboard(session, on=day, limit=limit)


@st.cache_data(ttl=60, show_spinner=False)
def document_facets(url: str) -> dict[str, list[str]]:
    with Session(engine_for(url)) as session:
        return queries.document_facets(session)


@st.cache_data(ttl=60, show_spinner=False)
def recent_events(url: str, day: date) -> pd.DataFrame:
    # every fact grouped (the slowest overview query at scale): once a minute per database and day
    with Session(engine_for(url)) as session:
        return queries.recent_events(session, limit=None)


@st.cache_resource(ttl=60, show_spinner=False)
def resolver(url: str):
    """The name resolver (every entity and alias), rebuilt at most once a minute per database."""
    from scoring.names import NameResolver

    with Session(engine_for(url)) as session:
        return NameResolver.from_session(session)
