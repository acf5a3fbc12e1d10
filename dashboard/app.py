"""riskwatch dashboard: `riskwatch dashboard` or `streamlit run dashboard/app.py`."""

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

# The pages' heavier modules (screening's fuzzy matcher, the charts) are imported here, once per server at
# its first visit, so that no later first visit to a page pays for them.
import dashboard.charts  # noqa: E402, F401
import scoring.screening  # noqa: E402, F401
from dashboard import access  # noqa: E402

# Not "pages/": that folder name turns on Streamlit's legacy automatic pages next to st.navigation.
PAGES = Path(__file__).parent / "views"

st.set_page_config(page_title="riskwatch", layout="wide")
user = access.identity()  # with sign-in configured, nothing below shows before someone allowed signs in
access.sidebar(user)
navigation = st.navigation(
    [
        st.Page(PAGES / "overview.py", title="Overview", icon=":material/monitoring:", default=True),
        st.Page(PAGES / "company.py", title="Company", icon=":material/apartment:"),
        st.Page(PAGES / "documents.py", title="Documents", icon=":material/description:"),
        st.Page(PAGES / "alerts.py", title="Alerts", icon=":material/notifications:"),
        st.Page(PAGES / "screening.py", title="Screening", icon=":material/fact_check:"),
        st.Page(PAGES / "sources.py", title="Sources", icon=":material/rss_feed:"),
        st.Page(PAGES / "audit.py", title="Audit", icon=":material/history:"),
    ]
)
navigation.run()
