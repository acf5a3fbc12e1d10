"""What a notice on the Federal Register's public-inspection desk means: not a listing.

While it waits for its publication date, the companies it would add are *proposed*. It is
*withdrawn* when the desk's own note or an agency letter says so (the evidence is kept), or when
it left a populated desk before its scheduled publication and was never published (see
crawler/spiders/public_inspection.py, which records that as the document's ``desk`` status).
Once published, the published notice speaks; the desk copy adds evidence only.
"""

from __future__ import annotations

from datetime import date

from core.vocabulary import ListingStatus
from db.models import Document, ListingEvent
from nlp.official import OfficialNotice

MAX_EVIDENCE_CHARS = 1500


def public_inspection_events(
    document: Document, notice: OfficialNotice, before: set[int], mention, filed: date
) -> list[ListingEvent]:
    """A notice on public inspection is not a listing. While it waits for publication, the companies
    it would add are *proposed*; once withdrawn (the desk's note or letter says so, or it left the desk
    unpublished), *withdrawn*, with the evidence. Published: nothing here (the published notice speaks)."""
    desk = (document.meta or {}).get("desk") or {}
    if desk.get("status") == "published":
        for entry in notice.listed + notice.removed:
            mention(entry)
        return []
    withdrawn = desk.get("status") == "withdrawn"
    last_seen = date.fromisoformat(desk["last_seen_on"]) if desk.get("last_seen_on") else filed
    withdrawn_on = date.fromisoformat(desk["resolved_on"]) if desk.get("resolved_on") else last_seen
    why = desk.get("evidence") or "it left the desk before its publication date and was never published"
    events = []
    for entry in notice.removed:
        mention(entry)  # a removal in a notice that never took effect changes nothing: evidence only
    for entry in notice.listed:
        entity = mention(entry)
        if entity.id in before:
            continue  # already listed: the notice changes nothing for it
        if withdrawn:
            sentence = (
                f"{entry.printed or entry.name}: named in notice {document.external_id}, filed for public "
                f"inspection on {filed.isoformat()}, withdrawn ({why}); never published"
            )
            status, day, kind = (
                ListingStatus.WITHDRAWN,
                withdrawn_on if desk.get("evidence") else last_seen,
                "withdrawn_by",
            )
        else:
            sentence = (
                f"{entry.printed or entry.name}: named in notice {document.external_id} on public inspection "
                f"since {filed.isoformat()}, waiting for publication (not a listing yet)"
            )
            status, day, kind = ListingStatus.PROPOSED, filed, "filed_at"
        events.append(
            ListingEvent(
                entity_id=entity.id,
                list_name=notice.list_name,
                status=status,
                effective_date=day,
                date_kind=kind,
                publication_date=filed,
                official=True,
                evidence_document_id=document.id,
                sentence=sentence[:MAX_EVIDENCE_CHARS],
            )
        )
    return events
