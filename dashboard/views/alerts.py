"""Alerts: the alert outbox (sent, pending, failed with attempts) and the watchlist."""

import streamlit as st

from dashboard import access, data, queries
from core.settings import Settings

st.title("Alerts")

user = access.identity()
with data.session() as session:
    as_of = queries.as_of(session)
    st.caption(f"As of {as_of.isoformat() if as_of else 'no scores yet'}")
    # Whether alerts leave the building, never the webhook itself (it is a credential).
    if Settings().slack_webhook_url:
        st.success("Slack delivery: a webhook is configured (RISKWATCH_SLACK_WEBHOOK_URL).")
    else:
        st.warning(
            "Slack delivery: no webhook configured; alerts are recorded here and printed by "
            "`riskwatch alert`, and sent once RISKWATCH_SLACK_WEBHOOK_URL is set."
        )
    log = queries.alert_log(session, limit=500)
    st.subheader("Alert log")
    if not log.empty:
        st.dataframe(queries.for_display(log), hide_index=True, width="stretch")
        st.download_button(
            "Download alert log (CSV)",
            queries.csv_export(queries.for_display(log)),
            file_name="alerts.csv",
            mime="text/csv",
        )
    else:
        st.info(
            "No alerts recorded yet. Alerts are written to this outbox by the daily job and sent to Slack "
            "when RISKWATCH_SLACK_WEBHOOK_URL is set."
        )

    st.subheader("Watchlist")
    st.write(
        "The watchlist decides who is alerted: only companies marked *watched* get listing, watch and score "
        "alerts (every listing is still stored, scored and shown). Tick or untick, then save; every change is "
        "recorded in the audit trail (Audit page) with who made it."
    )
    if not user.can_edit:
        st.info(f"You ({user.actor}) are a viewer: only editors can change the watchlist.")
    frame = queries.watchlist(session)
    if frame.empty:
        st.info("No companies yet. Run `riskwatch demo` or `riskwatch run`.")
        st.stop()
    names = dict(zip(frame["entity"], zip(frame["id"], frame["watched"])))
    pick, act = st.columns([3, 1], vertical_alignment="bottom")
    chosen = pick.selectbox("Company", list(names), index=None, key="watch_pick", disabled=not user.can_edit)
    if chosen is not None:
        entity_id, watched = names[chosen]
        label = "Stop alerting on it" if watched else "Alert on it"
        if act.button(label, disabled=not user.can_edit, key="watch_toggle"):
            queries.set_watched(session, watched={int(entity_id): not bool(watched)}, actor=user.actor, how=user.how)
            st.success(f"{chosen} is {'off' if watched else 'on'} the watchlist now (recorded in the audit trail)")
            frame = queries.watchlist(session)
    edited = st.data_editor(
        frame,
        hide_index=True,
        width="stretch",
        disabled=["id", "entity", "country"] + ([] if user.can_edit else ["watched"]),
        column_config={"id": None, "entity": "Company", "country": "Country", "watched": "Alert on changes"},
        key="watchlist",
    )
    changed = edited[edited["watched"] != frame["watched"]]
    if user.can_edit and not changed.empty and st.button(f"Save {len(changed)} change(s)"):
        saved = queries.set_watched(
            session,
            watched={int(row.id): bool(row.watched) for row in changed.itertuples()},
            actor=user.actor,
            how=user.how,
        )
        st.success(f"Saved {saved} change(s) to the watchlist")
