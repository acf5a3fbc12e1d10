"""Company: one entity's listing intervals, score breakdown, evidence with sentences, relations."""

import pandas as pd
import streamlit as st

from dashboard import charts, data, queries
from dashboard.render import choices_label_name, escape_markdown, highlight, status_box

st.title("Company")

with data.session() as session:
    choices = queries.entity_choices(session)
    if not choices:
        st.info("No companies yet. Run `riskwatch demo` or `riskwatch run` to fill the database.")
        st.stop()
    # One resolution for typed names, deep links (?entity=, shareable) and picks: aliases, short names,
    # legal-form variants and Chinese names; the listed parent ranks above its subsidiaries.
    typed = st.text_input(
        "Company name or alias",
        value=st.query_params.get("entity", ""),
        placeholder="e.g. BYD, Alibaba, 比亚迪, Megvii",
    )
    picked = st.selectbox("…or pick from every company and alias", options=list(choices), index=None)
    query = choices_label_name(picked) if picked else typed
    if not query:
        st.caption("Type or pick a company to see its listing status, since when, and the evidence.")
        st.stop()
    resolution = data.resolver(data.database_url()).resolve(query)
    if resolution.entity is None:
        st.warning(escape_markdown(resolution.message))
        st.stop()
    entity_id = choices[resolution.entity]
    if st.query_params.get("entity") != resolution.entity:
        st.query_params["entity"] = resolution.entity  # the URL names the company shown: shareable
    profile = queries.entity_profile(session, entity_id=entity_id)
    as_of = queries.as_of(session)
    history = queries.entity_listing(session, entity_id=entity_id, on=as_of) if as_of else None
    st.header(profile["name"])
    st.caption(
        f"As of {as_of.isoformat() if as_of else 'no scores yet'} · country {profile['country'] or 'unknown'}"
        + (" · on the watchlist" if profile["watched"] else "")
        + (f" · “{query}” resolved by {resolution.method}" if query != profile["name"] else "")
    )
    line = queries.entity_status(session, entity_id=entity_id, on=as_of) if as_of else None
    if line is not None:
        status_box(line)

    if profile["parent"]:
        st.write(f"{profile['parent'][1] or 'related'} of **{profile['parent'][0]}**")
    if profile["subsidiaries"]:
        st.write(
            "Subsidiaries and brands: "
            + ", ".join(f"{name} ({relation or 'related'})" for name, relation in profile["subsidiaries"])
        )

    if as_of:
        st.subheader("Lists")
        lists = queries.entity_lists(session, entity_id=entity_id, on=as_of, line=line)
        if lists.empty:
            st.write("On no list riskwatch follows (1260H, the Consolidated Screening List's lists).")
        else:
            st.caption(
                "Every list with its status since when, the official source, what it implies and the list "
                "records behind it (how each was linked to this company)."
            )
            st.dataframe(queries.for_display(lists), hide_index=True, width="stretch")

    st.subheader("Listing intervals")
    intervals = [
        {"list": name, "from": span["start"], "until": span["end"] or "open"}
        for name, spans in (history or {}).get("intervals", {}).items()
        for span in spans
    ]
    if intervals:
        st.dataframe(queries.for_display(pd.DataFrame(intervals)), hide_index=True, width="stretch")
    else:
        st.write("No official listing interval: proposals, withdrawn notices and news never open one.")

    components = queries.component_history(session, entity_id=entity_id)
    if not components.empty:
        st.subheader("Exposure score and its components")
        st.plotly_chart(charts.components_chart(components), width="stretch")
        latest = components.iloc[-1]
        st.caption(
            f"Score {latest['score']:.1f} on {latest['day']}: "
            + ", ".join(f"{k} {latest[k]:.1f}" for k in components.columns[2:] if latest[k])
        )

    st.subheader("Listing events and their evidence")
    events = queries.entity_events(session, entity_id=entity_id)
    st.dataframe(
        queries.for_display(events, drop=("sentence",)),
        hide_index=True,
        width="stretch",
        column_config={"Source": st.column_config.LinkColumn("Source")},
    )
    st.download_button("Download events (CSV)", queries.csv_export(events), file_name="events.csv", mime="text/csv")
    for row in events.itertuples():
        with st.expander(f"{row.date} · {row.status} · {row.document or 'document'}"):
            st.markdown(highlight(row.sentence or "", profile["names"]))
            if row.source:
                st.markdown(f"[Source document]({row.source})")

    st.subheader("Mentions (link method and score)")
    mentions = queries.entity_mentions(session, entity_id=entity_id)
    st.dataframe(
        queries.for_display(mentions),
        hide_index=True,
        width="stretch",
        column_config={"Source": st.column_config.LinkColumn("Source")},
    )
    st.download_button(
        "Download mentions (CSV)", queries.csv_export(mentions), file_name="mentions.csv", mime="text/csv"
    )
