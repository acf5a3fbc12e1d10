"""The Alerts page's queries (alert log, watchlist and its edits), without Streamlit."""

from datetime import date

from sqlmodel import select

from dashboard import queries
from db.models import Alert, Entity


def test_alert_log_newest_first_and_watchlist_edits(session):
    assert list(queries.alert_log(session).columns) == queries.ALERT_LOG_COLUMNS == [
        "entity", "list", "status", "effective_date", "kind", "message", "delivery", "attempts", "last error",
        "created", "sent",
    ]  # fmt: skip
    assert queries.watchlist(session).empty
    byd = Entity(name="BYD Company Limited", country="CN", watched=True)
    acme = Entity(name="Acme Holdings")
    session.add_all([byd, acme])
    session.commit()
    for number, status in enumerate(("sent", "failed")):
        session.add(
            Alert(
                idempotency_key=f"key-{number}",
                kind="listing",
                status=status,
                entity_name=byd.name,
                list_name="1260H",
                event_status="designated",
                effective_date=date(2026, 6, 8),
                last_error="webhook forbidden" if status == "failed" else None,
            )
        )
        session.commit()
    log = queries.alert_log(session, limit=1)
    assert list(log["delivery"]) == ["failed"] and list(log["last error"]) == ["webhook forbidden"]
    assert list(log["message"]) == ["LISTING: BYD Company Limited designated on 1260H (2026-06-08)"]
    assert list(queries.alert_log(session)["last error"]) == ["webhook forbidden", ""]

    frame = queries.watchlist(session)
    assert list(frame["entity"]) == ["Acme Holdings", "BYD Company Limited"]
    assert list(frame["country"]) == ["", "CN"] and list(frame["watched"]) == [False, True]
    assert (
        queries.set_watched(session, watched={acme.id: True, byd.id: False}, actor="ann@bank.example", how="oidc") == 2
    )
    session.expire_all()
    assert {e.name: e.watched for e in session.exec(select(Entity))} == {
        "Acme Holdings": True,
        "BYD Company Limited": False,
    }
    assert queries.set_watched(session, watched={acme.id: True}, actor="ann@bank.example", how="oidc") == 0
    audit = queries.audit_log(session)  # one row per change, none for setting what was set
    assert list(zip(audit["who"], audit["target"], audit["before"], audit["after"])) == [
        ("ann@bank.example", "BYD Company Limited", '{"watched": true}', '{"watched": false}'),
        ("ann@bank.example", "Acme Holdings", '{"watched": false}', '{"watched": true}'),
    ]
