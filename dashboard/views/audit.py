"""Audit: every change made through the dashboard or the CLI, who made it and when (append-only)."""

import streamlit as st

from dashboard import access, data, queries

access.identity()
st.title("Audit trail")
st.write(
    "Every change made through the dashboard or the command line (watchlist edits): who (the signed-in "
    "account, or the operating-system user), when, what, and the value before and after. Rows are only ever "
    "added: the database refuses to update or delete them."
)
with data.session() as session:
    log = queries.audit_log(session)
if log.empty:
    st.info("No change recorded yet.")
    st.stop()
shown = log.rename(
    columns={
        "when": "When",
        "who": "Who",
        "how": "How signed in",
        "action": "Action",
        "target": "Changed",
        "before": "Before",
        "after": "After",
    }
)
st.caption(f"{len(log)} changes, newest first")
st.dataframe(shown, hide_index=True, width="stretch")
st.download_button("Download audit trail (CSV)", queries.csv_export(shown), file_name="audit.csv", mime="text/csv")
