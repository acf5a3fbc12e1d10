"""Cached database access for the Streamlit pages."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from db.engine import init_db, make_engine
from db.settings import Settings


@st.cache_resource
def engine_for(url: str) -> Engine:
    engine = make_engine(url)
    init_db(engine)
    return engine


def engine() -> Engine:
    # Settings are read per call (not cached) so a test or a restart with another URL is honoured.
    return engine_for(Settings().resolved_database_url)
