"""Pure query functions for the dashboard (session in, DataFrame out; unit-tested without Streamlit)."""

from __future__ import annotations

import json

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import func
from sqlalchemy.orm import load_only
from sqlmodel import Session, select

from db.models import Alert, CandidateEvent, Document, Entity, ExposureScore, ListingEvent, Source
from core.vocabulary import DocType, ListingStatus
from scoring.model import group_facts
from db import queries as db_queries
from scoring.status import alert_headline, evidence_label, status_line, status_lines


def csv_export(frame: pd.DataFrame) -> str:
    """A table as CSV, protected against formula injection (cells starting with = + - @)."""
    from scoring.screening import safe_cell

    return frame.map(safe_cell).to_csv(index=False)


def as_of(session: Session) -> date | None:
    """The newest scored day: the dashboard's 'as of' date."""
    return session.exec(select(func.max(ExposureScore.day))).one()


def leaderboard(session: Session, *, on: date, limit: int | None = 50) -> pd.DataFrame:
    """Entities by exposure on ``on`` with their status line and the change over 7 and 30 days
    (``limit`` None: every scored entity; ``attrs["total"]`` is always the number of scored entities)."""

    def scores_on(day: date) -> dict[int, float]:
        rows = session.exec(select(ExposureScore.entity_id, ExposureScore.score).where(ExposureScore.day == day))
        return dict(rows.all())

    today = scores_on(on)
    week, month = scores_on(on - timedelta(days=7)), scores_on(on - timedelta(days=30))
    entities = {e.id: e for e in session.exec(select(Entity).where(Entity.id.in_(list(today))))} if today else {}
    ranked = sorted(today.items(), key=lambda item: (-item[1], entities[item[0]].name))
    shown = ranked if limit is None else ranked[:limit]
    lines = status_lines(session, [entities[entity_id] for entity_id, _ in shown], on=on)
    rows = [
        {
            "entity": entities[entity_id].name,
            "score": round(score, 1),
            "status": lines[entity_id].tone,
            "status_line": lines[entity_id].text,
            "listed": ", ".join(sorted(n for n, st in lines[entity_id].states.items() if st.listed)) or "-",
            "change_7d": round(score - week.get(entity_id, 0.0), 1),
            "change_30d": round(score - month.get(entity_id, 0.0), 1),
            "watched": entities[entity_id].watched,
            "entity_id": entity_id,
        }
        for entity_id, score in shown
    ]
    frame = pd.DataFrame(rows, columns=LEADERBOARD_COLUMNS)
    frame.attrs["total"] = len(today)
    return frame


LEADERBOARD_COLUMNS = [
    "entity", "score", "status", "status_line", "listed", "change_7d", "change_30d", "watched", "entity_id"
]  # fmt: skip

# Plain-language headers of the tables the pages show (the frames keep short machine names).
LABELS = {
    "entity": "Company",
    "score": "Exposure score",
    "status": "Status",
    "status_line": "Status (as of the date above)",
    "listed": "Listed on",
    "change_7d": "Change over 7 days",
    "change_30d": "Change over 30 days",
    "watched": "On watchlist",
    "date": "Date",
    "list": "List",
    "official": "Evidence",
    "source": "Source",
    "reported_by": "Also reported by",
    "document": "Document",
    "published": "Published",
    "title": "Title",
    "reason": "Reason",
    "url": "Link",
    "organisation": "Organisation",
    "kind": "Kind",
    "effective_date": "Effective date",
    "message": "Message",
    "attempts": "Attempts",
    "last error": "Last error",
    "created": "Recorded",
    "sent": "Sent",
    "country": "Country",
    "version": "Version",
    "fetched": "Fetched",
    "language": "Language",
    "type": "Type",
    "delivery": "Delivery",
    "since": "Since",
    "implies": "What it implies",
    "legal_basis": "Legal basis",
    "list_records": "List records (how linked)",
}


def for_display(frame: pd.DataFrame, *, drop: tuple[str, ...] = ()) -> pd.DataFrame:
    """A frame as the analyst reads it: plain-language headers, no 'None' cells."""
    shown = frame.drop(columns=[c for c in drop if c in frame.columns])
    shown = shown.astype(object).where(shown.notna(), "")
    return shown.rename(columns={c: LABELS.get(c, c) for c in shown.columns})


def score_history(session: Session, *, entity_ids: list[int], start: date | None = None) -> pd.DataFrame:
    query = (
        select(Entity.name, ExposureScore.day, ExposureScore.score)
        .join(Entity, Entity.id == ExposureScore.entity_id)
        .where(ExposureScore.entity_id.in_(entity_ids))
    )
    if start:
        query = query.where(ExposureScore.day >= start)
    rows = session.exec(query.order_by(ExposureScore.day)).all()
    return pd.DataFrame(rows, columns=["entity", "day", "score"])


def listing_periods(session: Session, *, entity_ids: list[int]) -> pd.DataFrame:
    """The official listing intervals of the selected entities (``core.listing_state``), for chart shading."""
    from core.listing_state import listing_intervals

    rows = session.exec(
        select(ListingEvent, Entity.name)
        .join(Entity, Entity.id == ListingEvent.entity_id)
        .where(ListingEvent.entity_id.in_(entity_ids), ListingEvent.official == True)  # noqa: E712
    ).all()
    by_entity: dict[str, list] = {}
    for event, name in rows:
        by_entity.setdefault(name, []).append(event)
    periods = [
        (name, list_name, start, end)
        for name, events in sorted(by_entity.items())
        for list_name, spans in listing_intervals(events).items()
        for start, end in spans
    ]
    return pd.DataFrame(periods, columns=["entity", "list", "start", "end"])


def event_markers(session: Session, *, entity_ids: list[int]) -> pd.DataFrame:
    """Listing events of the selected entities, for chart markers."""
    rows = session.exec(
        select(
            Entity.name,
            ListingEvent.effective_date,
            ListingEvent.status,
            ListingEvent.list_name,
            ListingEvent.official,
            Document.title,
            Document.url,
        )
        .join(Entity, Entity.id == ListingEvent.entity_id)
        .join(Document, Document.id == ListingEvent.evidence_document_id)
        .where(ListingEvent.entity_id.in_(entity_ids), ListingEvent.effective_date.is_not(None))
        .order_by(ListingEvent.effective_date)
    ).all()
    return pd.DataFrame(rows, columns=["entity", "day", "status", "list", "official", "title", "url"])


def recent_events(session: Session, *, limit: int | None = 50, window_days: int = 7) -> pd.DataFrame:
    """Listing facts, the official story first: official facts (designations, removals, withdrawn notices,
    filings on public inspection), the watchlist's companies first, newest first, then facts only the news
    reports; one row per fact with
    its official source and how many outlets also reported it (``attrs["total"]``: every fact)."""
    rows = session.exec(select(ListingEvent, Entity.name).join(Entity, Entity.id == ListingEvent.entity_id)).all()
    names = {event.id: name for event, name in rows}
    watched = set(session.exec(select(Entity.name).where(Entity.watched == True)).all())  # noqa: E712
    facts = group_facts([event for event, _ in rows], window_days=window_days)
    firsts = [next((e for e in fact.events if e.official), fact.events[0]) for fact in facts]
    documents = _documents_by_id(session, {event.evidence_document_id for event in firsts})  # one per fact
    table = []
    for fact, first in zip(facts, firsts):
        official = first.official
        news = {e.evidence_document_id for e in fact.events if not e.official}
        document = documents[first.evidence_document_id]
        label = evidence_label(document, first) if official else "news"
        table.append(
            {
                "date": fact.day,
                "entity": names[first.id],
                "list": fact.list_name,
                "status": STATUS_WORDS.get((fact.status, bool(official)), fact.status),
                "official": "official" if official else "news only",
                "source": label,
                "reported_by": f"{len(news)} outlet(s)" if news else "",
                "url": document.url,
                "watched": names[first.id] in watched,
            }
        )
    # official first; within each part the watchlist's companies first, newest first
    table.sort(
        key=lambda r: (r["official"] != "official", not r["watched"], -(r["date"] or date.min).toordinal(), r["entity"])
    )
    frame = pd.DataFrame(table[:limit] if limit is not None else table, columns=RECENT_EVENT_COLUMNS)
    frame.attrs["total"] = len(table)
    return frame


def _documents_by_id(session: Session, ids: set[int]) -> dict[int, Document]:
    """The documents a table cites (what their labels and links need), read in chunks of bound parameters."""
    wanted, found = sorted(ids), {}
    for start in range(0, len(wanted), 5_000):
        found |= {
            document.id: document
            for document in session.exec(
                select(Document)
                .where(Document.id.in_(wanted[start : start + 5_000]))
                .options(
                    load_only(Document.id, Document.doc_type, Document.url, Document.publication_date, Document.meta)
                )
            )
        }
    return found


RECENT_EVENT_COLUMNS = ["date", "entity", "list", "status", "official", "source", "reported_by", "watched", "url"]

# How a fact's status reads, official or not: a withdrawn official notice was never published.
STATUS_WORDS = {
    (ListingStatus.DESIGNATED, True): "designated",
    (ListingStatus.DESIGNATED, False): "reported designated",
    (ListingStatus.REMOVED, True): "removed",
    (ListingStatus.REMOVED, False): "reported removed",
    (ListingStatus.PROPOSED, True): "proposed (official filing)",
    (ListingStatus.PROPOSED, False): "reported proposed",
    (ListingStatus.WITHDRAWN, True): "withdrawn notice (never published)",
    (ListingStatus.WITHDRAWN, False): "reported withdrawn",
}


def latest_documents(session: Session, *, limit: int = 20) -> pd.DataFrame:
    rows = session.exec(
        select(
            Document.publication_date,
            Source.name,
            Document.title,
            Document.status,
            Document.failure_reason,
            Document.url,
        )
        .join(Source, Source.id == Document.source_id)
        .order_by(Document.publication_date.desc().nulls_last(), Document.id.desc())
        .limit(limit)
    ).all()
    frame = pd.DataFrame(rows, columns=["published", "source", "title", "status", "reason", "url"])
    frame["reason"] = frame["reason"].fillna("")
    return frame


def entity_choices(session: Session) -> dict[str, int]:
    """Search labels -> entity id: every canonical name, and every alias as 'alias → name'."""
    from db.models import Alias

    entities = dict(session.exec(select(Entity.id, Entity.name)).all())
    choices = {name: entity_id for entity_id, name in entities.items()}
    for alias, entity_id in session.exec(select(Alias.alias, Alias.entity_id)):
        choices.setdefault(f"{alias} → {entities[entity_id]}", entity_id)
    return dict(sorted(choices.items(), key=lambda item: item[0].casefold()))


def entity_profile(session: Session, *, entity_id: int) -> dict:
    """Name, country, parent and subsidiaries (with relations) of one entity."""
    entity = session.get(Entity, entity_id)
    parent = session.get(Entity, entity.parent_id) if entity.parent_id else None
    children = session.exec(select(Entity).where(Entity.parent_id == entity_id).order_by(Entity.name)).all()
    from db.models import Alias

    aliases = session.exec(select(Alias.alias).where(Alias.entity_id == entity_id)).all()
    return {
        "name": entity.name,
        "names": [entity.name, *aliases],
        "country": entity.country,
        "watched": entity.watched,
        "parent": (parent.name, entity.relation) if parent else None,
        "subsidiaries": [(child.name, child.relation) for child in children],
    }


def entity_listing(session: Session, *, entity_id: int, on: date) -> dict:
    """One entity's listing status and intervals on ``on`` (``scoring.timeline.entity_history``)."""
    from scoring.timeline import entity_history

    return entity_history(session, session.get(Entity, entity_id), on=on)


def entity_status(session: Session, *, entity_id: int, on: date):
    """One entity's status line on ``on`` (``scoring.status``)."""
    return status_line(session, session.get(Entity, entity_id), on=on)


def component_history(session: Session, *, entity_id: int) -> pd.DataFrame:
    from db.models import SCORE_COMPONENTS

    columns = [getattr(ExposureScore, name) for name in SCORE_COMPONENTS]
    rows = session.exec(
        select(ExposureScore.day, ExposureScore.score, *columns)
        .where(ExposureScore.entity_id == entity_id)
        .order_by(ExposureScore.day)
    ).all()
    return pd.DataFrame(rows, columns=["day", "score", *SCORE_COMPONENTS])


def entity_events(session: Session, *, entity_id: int) -> pd.DataFrame:
    rows = session.exec(
        select(
            ListingEvent.effective_date,
            ListingEvent.date_kind,
            ListingEvent.publication_date,
            ListingEvent.list_name,
            ListingEvent.status,
            ListingEvent.official,
            Document.title,
            Document.url,
            ListingEvent.sentence,
        )
        .join(Document, Document.id == ListingEvent.evidence_document_id)
        .where(ListingEvent.entity_id == entity_id)
        .order_by(ListingEvent.effective_date, ListingEvent.id)
    ).all()
    frame = pd.DataFrame(
        rows,
        columns=["date", "kind of date", "published", "list", "status", "official", "document", "source", "sentence"],
    )
    frame["official"] = frame["official"].map({True: "official", False: "news/signal"})
    return frame


def entity_mentions(session: Session, *, entity_id: int, limit: int = 200) -> pd.DataFrame:
    from db.models import Mention

    rows = session.exec(
        select(Mention.day, Document.title, Mention.text, Mention.method, Mention.score, Mention.sentence, Document.url)
        .join(Document, Document.id == Mention.document_id)
        .where(Mention.entity_id == entity_id)
        .order_by(Mention.day.desc().nulls_last(), Mention.id.desc())
        .limit(limit)
    ).all()
    return pd.DataFrame(rows, columns=["date", "document", "text", "link method", "link score", "sentence", "source"])


def documents(
    session: Session,
    *,
    sources: list[str] | None = None,
    statuses: list[str] | None = None,
    languages: list[str] | None = None,
    published: tuple[date, date] | None = None,
    lists: list[str] | None = None,
    limit: int = 500,
) -> pd.DataFrame:
    """Stored documents, newest first; ``lists``: only the evidence of listing events on those lists."""
    query = select(
        Document.id,
        Document.publication_date,
        Source.name,
        Document.doc_type,
        Document.language,
        Document.title,
        Document.status,
        Document.failure_reason,
        Document.version,
        Document.fetched_at,
        Document.url,
    ).join(Source, Source.id == Document.source_id)
    if sources:
        query = query.where(Source.name.in_(sources))
    if statuses:
        query = query.where(Document.status.in_(statuses))
    if languages:
        query = query.where(Document.language.in_(languages))
    if published:
        query = query.where(Document.publication_date >= published[0], Document.publication_date <= published[1])
    if lists:
        query = query.where(
            Document.id.in_(select(ListingEvent.evidence_document_id).where(ListingEvent.list_name.in_(lists)))
        )
    rows = session.exec(
        query.order_by(Document.publication_date.desc().nulls_last(), Document.id.desc()).limit(limit)
    ).all()
    frame = pd.DataFrame(
        rows,
        columns=[
            "id",
            "published",
            "source",
            "type",
            "language",
            "title",
            "status",
            "reason",
            "version",
            "fetched",
            "url",
        ],
    )
    withdrawn = _withdrawn_documents(session, ids=[int(i) for i in frame["id"]])
    frame["status"] = [
        WITHDRAWN_LABEL if int(i) in withdrawn else status for i, status in zip(frame["id"], frame["status"])
    ]
    frame["reason"] = [withdrawn.get(int(i)) or (reason or "") for i, reason in zip(frame["id"], frame["reason"])]
    frame["fetched"] = [f.strftime("%Y-%m-%d %H:%M") if f is not None else "" for f in frame["fetched"]]
    return frame


WITHDRAWN_LABEL = "Withdrawn — never published"


def _withdrawn_documents(session: Session, *, ids: list[int]) -> dict[int, str]:
    """Documents that are themselves a withdrawn official notice, with the evidence sentence."""
    if not ids:
        return {}
    rows = session.exec(
        select(ListingEvent.evidence_document_id, ListingEvent.sentence).where(
            ListingEvent.evidence_document_id.in_(ids),
            ListingEvent.official == True,  # noqa: E712 (SQL expression)
            ListingEvent.status == ListingStatus.WITHDRAWN,
        )
    ).all()
    found: dict[int, str] = {}
    for document_id, sentence in rows:
        found.setdefault(document_id, sentence or "withdrawn before publication")
    return found


def document_facets(session: Session) -> dict[str, list[str]]:
    return {
        "sources": sorted(session.exec(select(Source.name)).all()),
        "statuses": sorted({s for s in session.exec(select(Document.status).distinct())}),
        "languages": sorted({s for s in session.exec(select(Document.language).distinct()) if s}),
        "lists": sorted(session.exec(select(ListingEvent.list_name).distinct()).all()),
    }


def entity_lists(session: Session, *, entity_id: int, on: date, line=None) -> pd.DataFrame:
    """Every list the entity has a state on (``on``): status, since, the source document, what the
    listing implies (with its dates and legal basis), and the list records behind it with how each was
    linked."""
    from db.models import ListRecord
    from scoring.status import list_implication

    line = line or status_line(session, session.get(Entity, entity_id), on=on)  # the page's own, when given
    records: dict[str, list[ListRecord]] = {}
    for record in session.exec(select(ListRecord).where(ListRecord.entity_id == entity_id)):
        records.setdefault(record.list_name, []).append(record)
    documents = _documents_by_id(session, {e.evidence_document_id for s in line.states.values() for e in s.evidence})
    rows = []
    for name, state in sorted(line.states.items(), key=lambda item: (not item[1].listed, item[0])):
        evidence = [
            evidence_label(documents[e.evidence_document_id], e)
            for e in state.evidence
            if e.evidence_document_id in documents
        ]
        own = records.get(name, [])
        dates = next((r.dates for r in own if r.dates), {})
        implies, basis = list_implication(name, state, dates)
        rows.append(
            {
                "list": name,
                "status": state.status,
                "since": state.since.isoformat(),
                "source": "; ".join(dict.fromkeys(evidence)) or "-",
                "implies": implies,
                "legal_basis": basis,
                "list_records": "; ".join(
                    f"{r.name} (record {r.record_id}, {r.link_method} {r.link_score:.2f})" for r in own if r.link_score
                )
                or "-",
            }
        )
    return pd.DataFrame(rows, columns=["list", "status", "since", "source", "implies", "legal_basis", "list_records"])


def document_detail(session: Session, *, document_id: int) -> dict:
    from db.models import Mention
    from core.text import TextExtractionError, article_text, document_text

    document = session.get(Document, document_id)
    if document.doc_type == DocType.LIST_PDF:
        text = "(a list PDF: its rows are in the mentions below)"
    elif document.doc_type == DocType.SCREENING_LIST:
        text = _screening_list_summary(document)
    else:
        try:
            reader = article_text if document.doc_type == DocType.ARTICLE else document_text
            text = reader(document.raw, document.content_type)
        except TextExtractionError as exc:
            text = f"(text not extractable: {exc})"
    mentions = session.exec(
        select(Entity.name, Mention.text, Mention.method, Mention.score, Mention.sentence)
        .join(Entity, Entity.id == Mention.entity_id)
        .where(Mention.document_id == document_id)
        .order_by(Mention.start)
    ).all()
    return {
        "title": document.title,
        "url": document.url,
        "text": text,
        "mentions": pd.DataFrame(mentions, columns=["entity", "text", "link method", "link score", "sentence"]),
        "candidates": document_candidates(session, document_id=document_id),
    }


def _screening_list_summary(document: Document) -> str:
    """A screening-list download in words (its records per list, what it changed, what was audited),
    instead of megabytes of JSON."""
    audit = (document.meta or {}).get("csl")
    size = f"{len(document.raw or b''):,} bytes, content hash {document.content_hash[:16]}"
    if not audit:
        return (
            f"Consolidated Screening List download ({size}); not applied: {document.failure_reason or document.status}"
        )
    lines = [
        f"Consolidated Screening List download, version {document.version} ({size})",
        f"{audit['records']:,} records: " + ", ".join(f"{n} {c:,}" for n, c in audit["counts"].items()),
        f"compared with the last applied download: {audit['added']:,} added, {audit['removed']:,} removed, "
        f"{audit['changed']:,} changed",
    ]
    if audit.get("unknown_fields"):
        lines.append(
            "unknown fields (kept, audited): " + ", ".join(f"{k} ×{v}" for k, v in audit["unknown_fields"].items())
        )
    if audit.get("unknown_lists"):
        lines.append("lists not in data/lists.toml (kept, not scored): " + ", ".join(audit["unknown_lists"]))
    if audit.get("notes"):
        lines.append(
            f"{audit.get('notes_total', len(audit['notes']))} values ignored, e.g. " + "; ".join(audit["notes"][:5])
        )
    return "\n".join(lines)


CANDIDATE_COLUMNS = ["organisation", "list", "status", "date", "kind of date", "cue", "sentence", "evidence"]


def document_candidates(session: Session, *, document_id: int) -> pd.DataFrame:
    """Organisations not in the database that one document reports with a listing event (candidates:
    never scored, never alerted), in the order they were found."""
    rows = session.exec(
        select(CandidateEvent).where(CandidateEvent.document_id == document_id).order_by(CandidateEvent.id)
    ).all()
    return pd.DataFrame(
        [
            (c.name, c.list_name, c.status, c.effective_date, c.date_kind, c.cue, c.sentence, list(c.evidence or []))
            for c in rows
        ],
        columns=CANDIDATE_COLUMNS,
    )


def recent_candidates(session: Session, *, limit: int = 50) -> pd.DataFrame:
    """The latest candidate events of every document: organisation, list, status, date, document."""
    rows = session.exec(
        select(
            CandidateEvent.effective_date,
            CandidateEvent.name,
            CandidateEvent.list_name,
            CandidateEvent.status,
            Document.title,
            Document.url,
        )
        .join(Document, Document.id == CandidateEvent.document_id)
        .order_by(CandidateEvent.effective_date.desc().nulls_last(), CandidateEvent.id.desc())
        .limit(limit)
    ).all()
    return pd.DataFrame(rows, columns=["date", "organisation", "list", "status", "document", "source"])


def source_status(session: Session, *, names: list[str]) -> pd.DataFrame:
    """Each source: last run, its status and reason, the last OK run (a best-effort source that the
    CDN refused shows "blocked" here, dated, instead of leaving a silent gap)."""
    from db.queries import source_statuses

    def when(value) -> str:
        return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"

    rows = [
        (
            row["source"],
            row["status"],
            when(row["last_run"]),
            row["as_of"].isoformat() if row["as_of"] else "",
            when(row["last_ok"]),
            row["runs_since_ok"],
            row["reason"],
        )
        for row in source_statuses(session, names=names)
    ]
    return pd.DataFrame(
        rows, columns=["source", "status", "last run", "replayed as of", "last OK", "runs since OK", "reason"]
    )


def sources_not_ok(session: Session) -> list[dict]:
    """Sources whose last crawl run did not finish OK (for a warning on the overview)."""
    from db.queries import source_statuses

    return [
        {**row, "last_ok": row["last_ok"].strftime("%Y-%m-%d") if row["last_ok"] else None}
        for row in source_statuses(session, names=[])
        if row["status"] not in ("finished", "running")
    ]


def alert_log(session: Session, *, limit: int = 500) -> pd.DataFrame:
    """The alert outbox, newest first: who, which list, status, effective date, kind, the message text,
    delivery status, attempts and last error (never the webhook)."""
    alerts = session.exec(select(Alert).order_by(Alert.created_at.desc(), Alert.id.desc()).limit(limit)).all()
    return pd.DataFrame(
        [
            {
                "entity": a.entity_name,
                "list": a.list_name or "",
                "status": a.event_status or (a.payload or {}).get("status", ""),
                "effective_date": a.effective_date,
                "kind": ALERT_KIND_WORDS.get(a.kind, a.kind),
                "message": alert_headline(a.kind, {**_alert_columns(a), **(a.payload or {})}),
                "delivery": a.status,
                "attempts": a.attempts,
                "last error": a.last_error or "",
                "created": a.created_at.strftime("%Y-%m-%d %H:%M UTC") if a.created_at else "",
                "sent": a.sent_at.strftime("%Y-%m-%d %H:%M UTC") if a.sent_at else "",
            }
            for a in alerts
        ],
        columns=ALERT_LOG_COLUMNS,
    )


def _alert_columns(alert: Alert) -> dict:
    columns = {
        "entity": alert.entity_name,
        "status": alert.event_status,
        "list": alert.list_name,
        "effective_date": alert.effective_date.isoformat() if alert.effective_date else None,
    }
    return {key: value for key, value in columns.items() if value is not None}


ALERT_LOG_COLUMNS = [
    "entity", "list", "status", "effective_date", "kind", "message", "delivery", "attempts", "last error",
    "created", "sent",
]  # fmt: skip
ALERT_KIND_WORDS = {"listing": "official listing change", "watch": "watch (proposal or withdrawn notice)",
                    "score_jump": "score change"}  # fmt: skip


def watchlist(session: Session) -> pd.DataFrame:
    """Every entity by name with its curated-watchlist flag (the Alerts page's editor)."""
    rows = session.exec(select(Entity.id, Entity.name, Entity.country, Entity.watched).order_by(Entity.name)).all()
    frame = pd.DataFrame(rows, columns=["id", "entity", "country", "watched"])
    frame["country"] = frame["country"].fillna("")
    return frame


def set_watched(session: Session, *, watched: dict[int, bool], actor: str, how: str) -> int:
    """Watchlist edits from the Alerts page (``db.queries.set_watched``: each with its audit row)."""
    return db_queries.set_watched(session, watched=watched, actor=actor, how=how)


def audit_log(session: Session, *, limit: int | None = None) -> pd.DataFrame:
    """The audit trail as the Audit page shows and exports it, newest first."""
    rows = [
        {
            "when": e.at.strftime("%Y-%m-%d %H:%M:%S UTC"),
            "who": e.actor,
            "how": e.how,
            "action": e.action,
            "target": e.target,
            "before": json.dumps(e.before, ensure_ascii=False),
            "after": json.dumps(e.after, ensure_ascii=False),
        }
        for e in db_queries.audit_entries(session, limit=limit)
    ]
    return pd.DataFrame(rows, columns=["when", "who", "how", "action", "target", "before", "after"])
