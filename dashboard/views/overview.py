"""Overview: who is exposed, since when, and the latest documents."""

from datetime import timedelta

import streamlit as st

from dashboard import charts, data, queries

TOP, EVENTS = 50, 50  # rows shown; the downloads have every row

st.title("riskwatch: sanctions exposure")

with data.session() as session:
    as_of = queries.as_of(session)
    for source in queries.sources_not_ok(session):  # e.g. DoD blocked by its CDN: said, never a silent gap
        st.warning(
            f"Source {source['source']}: {source['status']} (last OK run: {source['last_ok'] or 'never'}). "
            f"{source['reason'][:300]} See the Sources page."
        )
    if as_of is None:
        st.info(
            "No scores yet. Run `riskwatch demo` (replays the bundled 2021-2026 snapshot) or "
            "`riskwatch run` (crawl, process, score), then reload this page."
        )
        documents = queries.latest_documents(session, limit=20)
        if not documents.empty:
            st.subheader("Latest documents")
            st.dataframe(documents, hide_index=True, width="stretch")
        st.stop()

    st.caption(f"As of {as_of.isoformat()}")
    board = data.leaderboard(data.database_url(), as_of, None)
    st.subheader("Exposure leaderboard")
    on_lists = sorted({n for listed in board["listed"] for n in listed.split(", ") if n and n != "-"})
    chosen = st.selectbox("Listed on", ["every list"] + on_lists, help="only companies listed on this list")
    if chosen != "every list":
        board = board[[chosen in listed.split(", ") for listed in board["listed"]]]
    shown = board.head(TOP)
    st.caption(
        f"Top {len(shown)} of {len(board)} companies by exposure on {as_of.isoformat()}"
        + (f", listed on {chosen}" if chosen != "every list" else "")
        + "; "
        "the CSV has all of them. Status says whether the company itself is listed, since when and on whose word."
    )
    st.dataframe(
        queries.for_display(shown, drop=("entity_id", "status")),
        hide_index=True,
        width="stretch",
        column_config={
            "Exposure score": st.column_config.ProgressColumn(
                "Exposure score", min_value=0, max_value=100, format="%.1f"
            )
        },
    )
    st.download_button(
        f"Download all {len(board)} companies (CSV)",
        queries.csv_export(queries.for_display(board, drop=("entity_id",))),
        file_name=f"riskwatch-exposure-{as_of}.csv",
        mime="text/csv",
    )

    # Default chart: the watchlist's companies (the seed case), else the top three.
    watched = board[board["watched"]]
    default = list((watched if not watched.empty else board)["entity"].head(3))
    chosen = st.multiselect("Companies to chart", options=list(board["entity"]), default=default)
    ids = [int(i) for i in board.loc[board["entity"].isin(chosen), "entity_id"]]
    if ids:
        history = queries.score_history(session, entity_ids=ids, start=as_of - timedelta(days=5 * 366))
        markers = queries.event_markers(session, entity_ids=ids)
        periods = queries.listing_periods(session, entity_ids=ids)
        st.plotly_chart(charts.exposure_chart(history, markers, periods), width="stretch")

    st.subheader("Listing events: the official story first")
    events = data.recent_events(data.database_url(), as_of)
    st.caption(
        f"Showing {min(EVENTS, len(events))} of {events.attrs.get('total', len(events))} facts: official "
        "designations, removals, withdrawn notices and filings on public inspection first (the watchlist's "
        "companies first, newest first); "
        "then what only the news reported. One row per fact, however many outlets reported it."
    )
    st.dataframe(
        queries.for_display(events.head(EVENTS)),
        hide_index=True,
        width="stretch",
        column_config={"Link": st.column_config.LinkColumn("Link")},
    )
    st.download_button(
        f"Download all {len(events)} facts (CSV)",
        queries.csv_export(queries.for_display(events)),
        file_name="riskwatch-events.csv",
        mime="text/csv",
    )

    candidates = queries.recent_candidates(session, limit=20)
    if not candidates.empty:
        st.subheader("Unlinked organisations reported with listing events (candidates, not scored)")
        st.caption("Not in the database, so never scored or alerted: review them on the Documents page.")
        st.dataframe(
            queries.for_display(candidates),
            hide_index=True,
            width="stretch",
            column_config={"Source": st.column_config.LinkColumn("Source")},
        )
        st.download_button(
            "Download candidates (CSV)",
            queries.csv_export(candidates),
            file_name="riskwatch-candidates.csv",
            mime="text/csv",
        )

    st.subheader("Latest documents")
    documents = queries.latest_documents(session, limit=20)
    st.dataframe(
        queries.for_display(documents),
        hide_index=True,
        width="stretch",
        column_config={"Link": st.column_config.LinkColumn("Link")},
    )
    st.download_button(
        "Download documents (CSV)", queries.csv_export(documents), file_name="riskwatch-documents.csv", mime="text/csv"
    )
