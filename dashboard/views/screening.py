"""Screening: match an uploaded counterparty list against the database."""

from dataclasses import asdict

import pandas as pd
import streamlit as st

from dashboard import data, queries
from scoring.screening import ScreeningInputError, read_counterparties, results_csv, screen

st.title("Counterparty screening")
st.write(
    "Upload a CSV with a `name` column (optional `country`). Each row gets its best match among the "
    "entities riskwatch knows, the match score, the current listing status and exposure."
)
upload = st.file_uploader("Counterparty list (CSV)", type=["csv", "txt"])
if upload is None:
    st.stop()
try:
    rows = read_counterparties(upload.getvalue())
except ScreeningInputError as exc:
    st.error(f"This file cannot be screened: {exc}")
    st.stop()
with data.session() as session:
    as_of = queries.as_of(session)
    results = screen(session, rows, on=as_of)
frame = pd.DataFrame([asdict(r) for r in results])
hits = int(frame["listed"].sum()) if not frame.empty else 0
st.caption(f"As of {as_of.isoformat() if as_of else 'today'} · {len(frame)} rows · {hits} listed")
st.dataframe(frame, hide_index=True, width="stretch")
st.download_button("Download results (CSV)", results_csv(results), file_name="screening.csv", mime="text/csv")
