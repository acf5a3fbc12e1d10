"""The Consolidated Screening List part of the offline replay: ``consolidated.json`` as of a day.

A reconstruction of the real file's shape (see nlp/official/csl.py for what the real file shows), not
a recording: the records are

* the real listing facts of ``data/facts/csl_listings.json`` (companies on 1260H and on another list:
  names, list, dates, Federal Register citations, each cited there), and
* synthetic records for realistic volume (``data/snapshot/csl/volume.json``: per list a count, party
  types and a seed), every one marked in its ``remarks`` as synthetic, with made-up names.

The file as of day D holds every record listed on or before D and not yet removed. Records of BIS and
State lists carry hex ids and no ``type``; Treasury records carry OFAC's entity number, a ``type`` and,
for NS-CMIC, the listing dates as identifiers. Served with an ``ETag`` and a ``Last-Modified`` (the
latest change on or before D), answering ``If-None-Match`` / ``If-Modified-Since`` with 304.
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import date, datetime, time, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from pathlib import Path

from core.lists import all_list_rules
from core.settings import DATA_DIR

CSL_HOST = "data.trade.gov"
CSL_PATH = "/downloadable_consolidated_screening_list/v1/consolidated.json"
FACTS = DATA_DIR / "facts" / "csl_listings.json"
TREASURY = (
    "SDN List",
    "NS-CMIC",
    "Sectoral Sanctions (SSI)",
    "Foreign Sanctions Evaders",
    "NS-MBS",
    "CAPTA List",
    "NS-PLC",
)
SYNTHETIC_NOTE = "Synthetic record of riskwatch's offline snapshot (volume only): not a real listing"
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _ofac_day(day: date) -> str:
    return f"{day.day:02d} {_MONTHS[day.month - 1]} {day.year}"


def _hex_id(*parts: str) -> str:
    return hashlib.sha224("|".join(parts).encode()).hexdigest()


def _fact_records(facts: dict) -> list[dict]:
    """The cited facts as dated records: {"list", "start", "end", "record"}."""
    out = []
    for number, fact in enumerate(facts["records"]):
        list_name = fact["list"]
        start = date.fromisoformat(fact["listed"])
        end = date.fromisoformat(fact["removed"]) if fact.get("removed") else None
        rules = all_list_rules()[list_name]
        record = {
            "id": str(fact["entity_number"]) if fact.get("entity_number") else _hex_id(list_name, fact["name"]),
            "source": rules.csl_source,
            "name": fact["name"],
            "alt_names": fact.get("alt_names") or None,
            "addresses": [
                {"address": fact.get("address", ""), "city": fact.get("city", ""), "country": fact.get("country", "CN")}
            ],
            "programs": fact.get("programs", []),
            "federal_register_notice": fact.get("federal_register_notice"),
            "start_date": None if list_name in TREASURY else fact["listed"],
            "end_date": None,
            "remarks": fact.get("remarks"),
            "license_requirement": fact.get("license_requirement"),
            "license_policy": fact.get("license_policy"),
            "source_list_url": fact.get("source_list_url"),
            "source_information_url": fact.get("source_information_url"),
        }
        if list_name in TREASURY:
            record["entity_number"] = str(fact.get("entity_number") or 90000 + number)
            record["id"] = record["entity_number"]
            record["type"] = "Entity"
            ids = []
            for kind, label in (
                ("listing", "Listing Date (CMIC)"),
                ("effective", "Effective Date (CMIC)"),
                ("divestment", "Purchase/Sales For Divestment Date (CMIC)"),
            ):
                if fact.get("ids", {}).get(kind):
                    ids.append({"type": label, "number": _ofac_day(date.fromisoformat(fact["ids"][kind]))})
            record["ids"] = ids
        out.append({"list": list_name, "start": start, "end": end, "record": record})
    return out


_SYLLABLES = "an bo cai dun fei gan hou jia kun lio mar nev orv pan qin ros sul tav ulm vek wen xil yor zan".split()
_WORDS = "Meridian Orbital Harbor Summit Vector Keystone Lattice Granite Cobalt Aurora Beacon Pioneer".split()
_TRADES = "Trading Logistics Electronics Machinery Shipping Technology Industrial Petroleum Aviation Optics".split()
_FORMS = ["Co., Ltd.", "LLC", "Limited", "JSC", "FZE", "Company Limited", "S.A."]
_COUNTRIES = ["CN", "HK", "RU", "IR", "AE", "TR", "KP", "SY", "BY", "VE", "MM", "PK", "IN", "SG", "MY"]


def _word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(parts)).capitalize()


def _synthetic_records(volume: dict) -> list[dict]:
    out = []
    rules = all_list_rules()
    for list_name, spec in sorted(volume["lists"].items()):
        rng = random.Random(f"{volume['seed']}:{list_name}")
        first, last = date.fromisoformat(spec["from"]), date.fromisoformat(volume["until"])
        span = (last - first).days
        types = spec.get("types", {"entity": 1.0})
        for number in range(spec["count"]):
            party = rng.choices(list(types), weights=list(types.values()))[0]
            start = first + timedelta(days=rng.randrange(span))
            end = (
                start + timedelta(days=rng.randrange(60, 2000))
                if rng.random() < spec.get("removed_share", 0.03)
                else None
            )
            if party == "individual":
                name = f"{_word(rng, 2).upper()}, {_word(rng, 2)} {_word(rng, 1)}"
            elif party == "vessel":
                name = f"{rng.choice(_WORDS).upper()} {_word(rng, 2).upper()}"
            elif party == "aircraft":
                name = f"{rng.choice(['EP', 'YK', 'RA'])}-{rng.randrange(10000, 99999)}"
            else:
                name = f"{_word(rng, 2)} {rng.choice(_WORDS)} {rng.choice(_TRADES)} {rng.choice(_FORMS)}"
            alt = [f"{_word(rng, 2)} {rng.choice(_TRADES)}"] if rng.random() < 0.3 else None
            country = rng.choice(_COUNTRIES)
            record = {
                "source": rules[list_name].csl_source,
                "name": name,
                "alt_names": alt,
                "addresses": [
                    {
                        "address": f"{rng.randrange(1, 999)} {_word(rng, 2)} Road",
                        "city": _word(rng, 2),
                        "country": country,
                    }
                ],
                "programs": spec.get("programs", []),
                "federal_register_notice": None,
                "start_date": None,
                "end_date": None,
                "remarks": SYNTHETIC_NOTE,
            }
            if list_name in TREASURY:
                record["entity_number"] = str(100000 + len(out))
                record["id"] = record["entity_number"]
                record["type"] = {
                    "entity": "Entity",
                    "individual": "Individual",
                    "vessel": "Vessel",
                    "aircraft": "Aircraft",
                }[party]
                if list_name == "NS-CMIC":
                    record["ids"] = [{"type": "Listing Date (CMIC)", "number": _ofac_day(start)}]
            else:
                record["id"] = _hex_id(list_name, name, str(number))
                record["start_date"] = start.isoformat()
                record["federal_register_notice"] = f"{start.year - 1935} FR {rng.randrange(1000, 99999)}"
            out.append({"list": list_name, "start": start, "end": end, "record": record})
    return out


@lru_cache(maxsize=2)
def _all_records(snapshot_root: str) -> tuple[list[dict], list[date]]:
    facts = json.loads(FACTS.read_text(encoding="utf-8"))
    volume_file = Path(snapshot_root) / "csl" / "volume.json"
    volume = json.loads(volume_file.read_text(encoding="utf-8")) if volume_file.exists() else {"lists": {}}
    records = _fact_records(facts) + (_synthetic_records(volume) if volume["lists"] else [])
    changes = sorted({r["start"] for r in records} | {r["end"] for r in records if r["end"]})
    return records, changes


def has_snapshot(snapshot_root: Path) -> bool:
    return (Path(snapshot_root) / "csl").is_dir()


@lru_cache(maxsize=8)
def consolidated(snapshot_root: str, as_of: date) -> tuple[bytes, date]:
    """The file's bytes as of ``as_of``, and the day of its latest change."""
    records, changes = _all_records(snapshot_root)
    present = [r for r in records if r["start"] <= as_of and (r["end"] is None or as_of < r["end"])]
    present.sort(key=lambda r: (r["record"]["source"], r["record"]["name"], r["record"]["id"]))
    sources = sorted({r["record"]["source"] for r in present})
    changed = max((d for d in changes if d <= as_of), default=as_of)
    body = {
        "total": len(present),
        "sources_used": [
            {"source": s, "source_last_updated": f"{changed.isoformat()}T12:00:00+00:00", "import_rate": "Hourly"}
            for s in sources
        ],
        "results": [r["record"] for r in present],
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), changed


def csl_answer(snapshot_root: Path, *, host: str, path: str, as_of: date, headers) -> tuple | None:
    """(status, body, content type, headers) for the CSL download, or None for another URL."""
    if host != CSL_HOST or path != CSL_PATH or not has_snapshot(snapshot_root):
        return None
    body, changed = consolidated(str(snapshot_root), as_of)
    etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
    modified = datetime.combine(changed, time(12, 0), tzinfo=timezone.utc)
    extra = {"ETag": etag, "Last-Modified": format_datetime(modified, usegmt=True)}
    if headers.get("If-None-Match") == etag:
        return 304, b"", None, extra
    since = headers.get("If-Modified-Since")
    if since and not headers.get("If-None-Match"):
        try:
            if modified <= parsedate_to_datetime(since):
                return 304, b"", None, extra
        except (TypeError, ValueError):
            pass
    return 200, body, "application/json", extra
