"""Company: one entity's listing intervals, score breakdown, evidence with sentences, relations."""

import streamlit as st

from dashboard import charts, data, queries
from dashboard.render import highlight

st.title("Company")

with data.session() as session:
    choices = queries.entity_choices(session)
    if not choices:
        st.info("No companies yet. Run `riskwatch demo` or `riskwatch run` to fill the database.")
        st.stop()
    label = st.selectbox(
        "Search a company or alias", options=list(choices), index=None, placeholder="e.g. BYD, Alibaba, 比亚迪, Megvii"
    )
    # A deep link (?entity=NAME, as alerts and other pages use) or the last company looked at
    linked = choices.get(st.query_params.get("entity", ""))
    entity_id = choices.get(label) if label else (linked or st.session_state.get("company_entity_id"))
    if entity_id is None:
        st.caption("Pick a company to see its listing history and the evidence behind its score.")
        st.stop()
    st.session_state["company_entity_id"] = entity_id
    profile = queries.entity_profile(session, entity_id=entity_id)
    as_of = queries.as_of(session)
    history = queries.entity_listing(session, entity_id=entity_id, on=as_of) if as_of else None
    st.header(profile["name"])
    st.caption(
        f"As of {as_of.isoformat() if as_of else 'no scores yet'} · country {profile['country'] or 'unknown'}"
        + (" · on the curated watchlist" if profile["watched"] else "")
    )
    if history and history["listed"]:
        st.error("Listed: " + ", ".join(history["intervals"]))
    else:
        st.success("Not listed on any official list as of this date")

    if profile["parent"]:
        st.write(f"{profile['parent'][1] or 'related'} of **{profile['parent'][0]}**")
    if profile["subsidiaries"]:
        st.write(
            "Subsidiaries and brands: "
            + ", ".join(f"{name} ({relation or 'related'})" for name, relation in profile["subsidiaries"])
        )

    st.subheader("Listing intervals")
    intervals = [
        {"list": name, "from": span["start"], "until": span["end"] or "open"}
        for name, spans in (history or {}).get("intervals", {}).items()
        for span in spans
    ]
    if intervals:
        st.dataframe(intervals, hide_index=True, width="stretch")
    else:
        st.write("No official listing interval: proposals, withdrawn notices and news never open one.")

    components = queries.component_history(session, entity_id=entity_id)
    if not components.empty:
        st.subheader("Exposure score and its components")
        st.plotly_chart(charts.components_chart(components), width="stretch")
        latest = components.iloc[-1]
        st.caption(
            f"Score {latest['score']:.1f} on {latest['day']}: "
            + ", ".join(f"{k} {latest[k]:g}" for k in components.columns[2:] if latest[k])
        )

    st.subheader("Listing events and their evidence")
    events = queries.entity_events(session, entity_id=entity_id)
    st.dataframe(
        events.drop(columns=["sentence"]),
        hide_index=True,
        width="stretch",
        column_config={"source": st.column_config.LinkColumn("source")},
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
        mentions, hide_index=True, width="stretch", column_config={"source": st.column_config.LinkColumn("source")}
    )
    st.download_button(
        "Download mentions (CSV)", queries.csv_export(mentions), file_name="mentions.csv", mime="text/csv"
    )
