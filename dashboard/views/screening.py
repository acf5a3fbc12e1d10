"""Screening: match an uploaded counterparty list against the database."""

from dataclasses import asdict

import pandas as pd
import streamlit as st

from dashboard import data, queries
from scoring.screening import ScreeningInputError, ScreeningResult, read_counterparties, results_csv, screen

SCREENING_LABELS = {
    "row": "Row",
    "input_name": "Name as uploaded",
    "country": "Country",
    "matched_entity": "Matched company",
    "match_method": "How matched",
    "match_score": "Match score",
    "status": "Status",
    "status_line": "Status line",
    "since": "Since",
    "lists": "Listed on",
    "exposure": "Exposure score",
    "closest_candidate": "Closest candidate (no match)",
    "closest_score": "Its score",
    "company_page": "Company page",
    "list_hit_count": "List hits",
    "list_hits": "Hits on every list (how matched, since)",
}

st.title("Counterparty screening")
st.write(
    "Upload a CSV with a `name` column (optional `country`). Each row gets its best match among the "
    "companies riskwatch knows (aliases, short and Chinese names, legal-form variants), the match score, "
    "the status line (listed since when, on whose word) and the exposure score; below the match threshold "
    "the closest candidate with its score, for review. Every row is also screened against every record of "
    "the Consolidated Screening List (Entity List, SDN, NS-CMIC and the other US lists), companies, people, "
    "vessels and aircraft alike: each hit with its list, how it matched and since when."
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
    if as_of is None:
        st.info("No scores yet: run `riskwatch demo` or `riskwatch run` first, then screen.")
        st.stop()
    results = screen(session, rows, on=as_of)
frame = pd.DataFrame([asdict(r) for r in results], columns=list(ScreeningResult.__dataclass_fields__))
hits = int(frame["listed"].sum()) if not frame.empty else 0
related = int((frame["status"] == "related").sum()) if not frame.empty else 0
unmatched = int(frame["matched_entity"].isna().sum()) if not frame.empty else 0
st.caption(
    f"As of {as_of.isoformat()} · {len(frame)} rows · {hits} listed · {related} with a listed parent or "
    f"subsidiary · {unmatched} without a match (closest candidate shown for review)"
)
shown = frame.drop(columns=["listed", "exposure_day", "hits"]).rename(columns=SCREENING_LABELS)
shown = shown.astype(object).where(shown.notna(), "")
st.dataframe(
    shown,
    hide_index=True,
    width="stretch",
    column_config={"Company page": st.column_config.LinkColumn("Company page", display_text="open")},
)
st.download_button("Download results (CSV)", results_csv(results), file_name="screening.csv", mime="text/csv")
