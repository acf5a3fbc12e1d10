"""Sources: each configured source's last crawl, its status (finished, blocked, unreachable, failed) and why."""

import streamlit as st

from dashboard import data, queries
from core.sources import load_sources

st.title("Sources")

with data.session() as session:
    frame = queries.source_status(session, names=[source.name for source in load_sources()])
    if frame["status"].eq("never run").all():
        st.info("No crawl has run yet. Run `riskwatch demo` or `riskwatch crawl`.")
    st.caption(
        "The Federal Register is the primary machine source. DoD/War releases are best effort: their CDN "
        'refuses many automated clients, so a run can end "blocked" (or "unreachable"); it is retried on '
        "the next run and shown here with the date and reason. `riskwatch sources check` tests each source's "
        "shape."
    )
    st.dataframe(frame, hide_index=True, width="stretch")
    st.download_button(
        "Download source status (CSV)", queries.csv_export(frame), file_name="riskwatch-sources.csv", mime="text/csv"
    )
