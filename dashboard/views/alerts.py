"""Alerts: the alert outbox (sent, pending, failed with attempts) and the watchlist."""

import pandas as pd
import streamlit as st
from sqlmodel import Session, select

from dashboard import queries
from dashboard.data import engine
from db.models import Alert, Entity
from core.settings import Settings

st.title("Alerts")

with Session(engine()) as session:
    as_of = queries.as_of(session)
    st.caption(f"As of {as_of.isoformat() if as_of else 'no scores yet'}")
    # Whether alerts leave the building, never the webhook itself (it is a credential).
    if Settings().slack_webhook_url:
        st.success("Slack delivery: a webhook is configured (RISKWATCH_SLACK_WEBHOOK_URL).")
    else:
        st.warning("Slack delivery: no webhook configured; alerts are recorded here and printed by "
                   "`riskwatch alert`, and sent once RISKWATCH_SLACK_WEBHOOK_URL is set.")
    alerts = session.exec(select(Alert).order_by(Alert.created_at.desc()).limit(500)).all()
    st.subheader("Alert log")
    if alerts:
        log = pd.DataFrame([{"created": a.created_at, "kind": a.kind, "status": a.status, "attempts": a.attempts,
                             "last error": a.last_error or "", "sent": a.sent_at, "key": a.idempotency_key}
                            for a in alerts])
        st.dataframe(log, hide_index=True, width="stretch")
        st.download_button("Download alert log (CSV)", queries.csv_export(log), file_name="alerts.csv", mime="text/csv")
    else:
        st.info("No alerts recorded yet. Alerts are written to this outbox by the daily job and sent to Slack "
                "when RISKWATCH_SLACK_WEBHOOK_URL is set.")

    st.subheader("Watchlist")
    st.write("Companies marked *watched* are the ones your team follows; tick or untick to change the list.")
    entities = session.exec(select(Entity).order_by(Entity.name)).all()
    if not entities:
        st.info("No companies yet. Run `riskwatch demo` or `riskwatch run`.")
        st.stop()
    frame = pd.DataFrame([{"id": e.id, "entity": e.name, "country": e.country or "", "watched": e.watched}
                          for e in entities])
    edited = st.data_editor(frame, hide_index=True, width="stretch", disabled=["id", "entity", "country"],
                            key="watchlist")
    changed = edited[edited["watched"] != frame["watched"]]
    if not changed.empty and st.button(f"Save {len(changed)} change(s)"):
        for row in changed.itertuples():
            entity = session.get(Entity, int(row.id))
            entity.watched = bool(row.watched)
            session.add(entity)
        session.commit()
        st.success(f"Saved {len(changed)} change(s) to the watchlist")
