"""riskwatch dashboard: `riskwatch dashboard` or `streamlit run dashboard/app.py`."""

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

PAGES = Path(__file__).parent / "pages"

st.set_page_config(page_title="riskwatch", layout="wide")
navigation = st.navigation([
    st.Page(PAGES / "overview.py", title="Overview", icon=":material/monitoring:", default=True),
])
navigation.run()
