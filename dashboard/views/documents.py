"""Documents: every stored document, including failed and quarantined ones with the reason."""

import streamlit as st

from dashboard import data, queries
from dashboard.render import escape_markdown, highlight

st.title("Documents")

with data.session() as session:
    facets = data.document_facets(data.database_url())
    if not facets["sources"]:
        st.info("No documents yet. Run `riskwatch demo` or `riskwatch crawl`.")
        st.stop()
    left, middle, right = st.columns(3)
    sources = left.multiselect("Source", facets["sources"])
    statuses = middle.multiselect("Status", facets["statuses"])
    languages = right.multiselect("Language", facets["languages"])
    lists = st.multiselect("List", facets.get("lists", []), help="only the evidence of listing events on these lists")
    period = st.date_input("Published between", value=(), help="leave empty for all dates")
    published = tuple(period) if isinstance(period, (tuple, list)) and len(period) == 2 else None
    frame = queries.documents(
        session, sources=sources, statuses=statuses, languages=languages, published=published, lists=lists
    )
    as_of = queries.as_of(session)
    st.caption(
        f"As of {as_of.isoformat() if as_of else 'no scores yet'} · {len(frame)} documents · failed and quarantined ones keep their reason and are retried or "
        "reviewed, never silently dropped"
    )
    st.dataframe(
        queries.for_display(frame, drop=("id",)),
        hide_index=True,
        width="stretch",
        column_config={"Link": st.column_config.LinkColumn("Link")},
    )
    st.download_button(
        "Download documents (CSV)",
        queries.csv_export(queries.for_display(frame)),
        file_name="documents.csv",
        mime="text/csv",
    )
    if not frame.empty:
        labels = {
            f"{row.published or 'undated'} · {row.source} · {row.title or row.url} · version {row.version}, "
            f"fetched {row.fetched}" + (f" · {row.status}" if row.status == queries.WITHDRAWN_LABEL else ""): row.id
            for row in frame.itertuples()
        }
        chosen = st.selectbox("Open a document", list(labels))
        detail = queries.document_detail(session, document_id=labels[chosen])
        if detail["url"]:
            st.markdown(f"[Source]({detail['url']})")
        opened = frame[frame["id"] == labels[chosen]].iloc[0]
        if opened["status"] == queries.WITHDRAWN_LABEL:
            st.warning(
                "Withdrawn — never published. Its names are no listing: " + escape_markdown(str(opened["reason"]))
            )
        st.subheader("Mentions")
        st.dataframe(queries.for_display(detail["mentions"]), hide_index=True, width="stretch")
        candidates = detail["candidates"]
        if not candidates.empty:
            st.subheader("Unlinked organisations reported with listing events (candidates, not scored)")
            st.caption("Organisations not in the database: shown for review, never scored or alerted.")
            st.dataframe(queries.for_display(candidates, drop=("evidence",)), hide_index=True, width="stretch")
            for row in candidates.itertuples():
                with st.expander(f"{row.organisation} · {row.status} · {row.list}"):
                    for sentence in row.evidence or [row.sentence]:
                        st.markdown(highlight(sentence, [row.organisation]))
        with st.expander("Full text", expanded=False):
            st.text(detail["text"][:200_000])  # st.text shows text as text: nothing in it is rendered
