"""Synthetic news articles for scaling the offline replay (``python -m bench.replay --news-factor N``).

``build_snapshot`` copies the bundled snapshot and adds (N-1)x as many articles as the
real ones the replay would serve (published in the news source's crawl window up to
the as-of day). The articles are generated deterministically (seeded random) from the
English and German templates below, which mention watched companies
(data/watchlist/watchlist.jsonl) with designated / proposed / removed / withdrawn /
neutral wording. Each has its own URL, title and HTML page (laid out like the bundled
ones: navigation, script, cookie banner, article, aside, footer) and sits in the same
feed as the real article it stands in for, so the news spider finds it exactly as it
finds the real ones. Synthetic files are named ``syn-*``; the outlets are fictional.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from core.sources import load_sources
from scripts.article_page import article_page

SEED = 1260
# Synthetic publication dates lie within 2024-2026 (and within the replay's window).
EARLIEST = date(2024, 1, 1)
LATEST = date(2026, 10, 31)
STATUS_WEIGHTS = {"designated": 25, "proposed": 20, "removed": 15, "withdrawn": 10, "neutral": 30}

EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
DE_MONTHS = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
]

# {c}, {c2}: company names; {d}: a date in the article's language; {n}: a small number.
TEMPLATES = {
    "en": {
        "title": {
            "designated": [
                "{c} lands on Pentagon's 1260H list",
                "Defense Department names {c} a Chinese military company",
                "{c} joins list of Chinese military companies",
                "Pentagon adds {c} in {d} list update",
            ],
            "proposed": [
                "Pentagon weighs adding {c} to military companies list",
                "Lawmakers push to list {c} under 1260H",
                "{c} could be next on Pentagon's list",
                "Draft 1260H update may name {c}",
            ],
            "removed": [
                "{c} taken off Pentagon's 1260H list",
                "Pentagon drops {c} from military companies list",
                "{c} wins removal from Chinese military companies list",
            ],
            "withdrawn": [
                "Notice naming {c} withdrawn before publication",
                "Pentagon pulls 1260H filing that named {c}",
                "Listing of {c} retracted hours after filing",
            ],
            "neutral": [
                "{c} beats revenue forecasts",
                "{c} opens research centre in Shenzhen",
                "Investors watch {c} ahead of results",
                "{c} and {c2} announce supply agreement",
            ],
        },
        "lead": {
            "designated": [
                "The Defense Department added {c} to its 1260H list of Chinese military companies in an update dated {d}.",
                "{c} was named on the Pentagon's list of Chinese military companies on {d}, according to the notice.",
                "The Pentagon placed {c} on the 1260H list in the edition it released on {d}.",
            ],
            "proposed": [
                "Officials are weighing whether {c} should be added to the 1260H list, people familiar with the review said on {d}.",
                "A draft update that would add {c} to the Chinese military companies list is expected after {d}.",
                "Members of Congress recommended on {d} that the Pentagon put {c} on the 1260H list.",
            ],
            "removed": [
                "{c} was removed from the 1260H list in the update published on {d}.",
                "The Pentagon dropped {c} from its list of Chinese military companies on {d}, court filings show.",
                "The Defense Department has taken {c} off the 1260H list, a notice dated {d} says.",
            ],
            "withdrawn": [
                "A notice that would have added {c} to the 1260H list was withdrawn from public inspection on {d}.",
                "The Pentagon pulled a 1260H list filing naming {c} on {d}, before it could be published.",
            ],
            "neutral": [
                "{c} reported quarterly revenue about {n} percent above analyst estimates on {d}.",
                "{c} said on {d} that it will expand its research centre in Shenzhen and hire several hundred engineers.",
                "Shares of {c} rose {n} percent in Hong Kong trading on {d} after a new product launch.",
            ],
        },
        "more": {
            "designated": [
                "{c2} was also added to the 1260H list in the same update.",
                "The update also keeps {c2} on the Pentagon's list of Chinese military companies.",
            ],
            "proposed": ["Analysts said {c2} could also be added to the 1260H list in the next round."],
            "removed": ["{c2} remains on the 1260H list, the department said."],
            "withdrawn": ["The withdrawn 1260H notice had also named {c2}, the filing record shows."],
            "neutral": [
                "{c2} did not comment on the report.",
                "A spokesperson for {c2} declined to discuss its plans.",
            ],
        },
        "reaction": [
            "{c} said it is not a military company and that it will keep serving its customers as before.",
            "{c} denied any ties to the armed forces in a statement on {d}.",
            "A spokesperson for {c} declined to comment.",
            "{c} said it was studying the decision with its lawyers.",
        ],
        "filler": [
            "Being listed does not bar investment, though many compliance teams treat it as a red flag.",
            "Procurement officers have until the next fiscal year to review existing supplier contracts.",
            "Trading volumes in the affected shares were roughly {n} times the monthly average.",
            "Industry groups asked for clearer criteria and a faster process for challenges.",
            "Several index providers said they had no plans to change their benchmarks for now.",
            "Analysts expect further updates in the coming months as the review continues.",
        ],
    },
    "de": {
        "title": {
            "designated": [
                "Pentagon setzt {c} auf die 1260H-Liste",
                "{c} als chinesisches Militärunternehmen eingestuft",
                "{c} steht jetzt auf der Liste der Militärunternehmen",
            ],
            "proposed": [
                "Pentagon prüft Aufnahme von {c} in die 1260H-Liste",
                "{c} könnte auf die Militärliste kommen",
                "Abgeordnete fordern Listung von {c}",
            ],
            "removed": [
                "{c} von der 1260H-Liste gestrichen",
                "Pentagon entfernt {c} von der Liste der Militärunternehmen",
            ],
            "withdrawn": ["Bekanntmachung zu {c} zurückgezogen", "Pentagon nimmt 1260H-Eintrag für {c} zurück"],
            "neutral": [
                "{c} übertrifft Umsatzerwartungen",
                "{c} baut Forschungszentrum aus",
                "Anleger blicken auf {c} vor den Quartalszahlen",
                "{c} und {c2} schließen Liefervertrag",
            ],
        },
        "lead": {
            "designated": [
                "Das US-Verteidigungsministerium hat {c} am {d} in die 1260H-Liste der chinesischen Militärunternehmen aufgenommen.",
                "{c} steht seit dem {d} auf der Liste chinesischer Militärunternehmen des Pentagon.",
                "Mit der Aktualisierung vom {d} wurde {c} als Militärunternehmen eingestuft.",
            ],
            "proposed": [
                "Das Pentagon prüft nach Angaben vom {d}, ob {c} auf die 1260H-Liste gesetzt werden soll.",
                "Nach Angaben aus Kongresskreisen könnte {c} nach dem {d} in die Liste der Militärunternehmen aufgenommen werden.",
            ],
            "removed": [
                "{c} wurde am {d} von der 1260H-Liste gestrichen.",
                "Das Ministerium hat {c} am {d} nach einer Klage aus der Liste chinesischer Militärunternehmen entfernt.",
            ],
            "withdrawn": [
                "Eine Bekanntmachung, mit der {c} auf die 1260H-Liste gesetzt werden sollte, wurde am {d} zurückgezogen.",
                "Der Eintrag von {c} in die Liste der Militärunternehmen wurde am {d} vor der Veröffentlichung zurückgenommen.",
            ],
            "neutral": [
                "{c} meldete am {d} einen Umsatzanstieg von {n} Prozent im abgelaufenen Quartal.",
                "Die Aktie von {c} legte am {d} in Hongkong um {n} Prozent zu.",
                "{c} kündigte am {d} an, sein Forschungszentrum in Shenzhen zu erweitern.",
            ],
        },
        "more": {
            "designated": ["Auch {c2} wurde bei dieser Aktualisierung in die 1260H-Liste aufgenommen."],
            "proposed": ["Beobachter halten es für möglich, dass auch {c2} auf die 1260H-Liste gesetzt werden könnte."],
            "removed": ["{c2} steht dagegen weiterhin auf der 1260H-Liste."],
            "withdrawn": ["Die zurückgezogene 1260H-Bekanntmachung hatte auch {c2} genannt."],
            "neutral": ["{c2} äußerte sich zunächst nicht.", "Ein Sprecher von {c2} wollte sich nicht äußern."],
        },
        "reaction": [
            "{c} bestreitet, mit dem Militär zusammenzuarbeiten.",
            "Ein Sprecher von {c} sagte am {d}, man prüfe die Entscheidung mit Anwälten.",
            "{c} wollte sich auf Anfrage nicht äußern.",
        ],
        "filler": [
            "Ein Investitionsverbot ist mit der Liste nicht verbunden, viele Compliance-Abteilungen reagieren dennoch vorsichtig.",
            "Beschaffungsstellen müssen bestehende Lieferverträge bis zum nächsten Haushaltsjahr überprüfen.",
            "Der Handelsumsatz in den betroffenen Aktien lag etwa {n}-mal über dem Monatsdurchschnitt.",
            "Branchenverbände verlangen klarere Kriterien und ein schnelleres Verfahren für Einsprüche.",
            "Indexanbieter erklärten, vorerst keine Änderungen an ihren Indizes zu planen.",
        ],
    },
}
BYLINES = {
    "en": ["Priya Castellanos", "Tomasz Whitfield", "Adaeze Lindqvist", "Owen Marchetti"],
    "de": ["Jana Vogelsang", "Malte Erdogan", "Lieselotte Brandner", "Yusuf Hartwig"],
}
FOOTER = "(fictional outlet, riskwatch synthetic benchmark article)"


@dataclass
class SnapshotInfo:
    root: Path
    real_articles: int  # real articles the replay serves in the news window
    synthetic_articles: int


def watched_names(path: Path) -> list[str]:
    """Names to write about: each watched company's name, short and legal aliases (no CJK)."""
    names: list[str] = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        names.append(entry["name"])
        names.extend(alias for alias, kind in entry.get("aliases", []) if kind in ("short", "legal", "brand"))
    return sorted(set(names))


def _format_date(day: date, lang: str) -> str:
    if lang == "de":
        return f"{day.day}. {DE_MONTHS[day.month - 1]} {day.year}"
    return f"{EN_MONTHS[day.month - 1]} {day.day}, {day.year}"


def _published(article: dict) -> datetime:
    return datetime.fromisoformat(article["published"].replace("Z", "+00:00"))


def news_window(as_of: date | None) -> tuple[date, date, list[str]]:
    """(first day, last day, feed URLs) of the news source's first crawl as of ``as_of``."""
    news = next(s for s in load_sources() if s.kind == "news")
    last = as_of or date.today()
    return news.first_date, last, [f["url"] for f in news.args.get("feeds", [])]


def generate(
    real: list[dict], feeds: list[dict], names: list[str], count: int, start: date, end: date, seed: int = SEED
) -> list[tuple[dict, bytes]]:
    """``count`` synthetic (feeds.json article entry, page bytes), cycling through ``real``'s feeds."""
    rng = random.Random(seed)
    by_name = {f["name"]: f for f in feeds}
    span = (end - start).days
    statuses, weights = zip(*STATUS_WEIGHTS.items())
    titles_seen = {a["title"] for a in real}
    urls_seen = {a["url"] for a in real}
    out = []
    for index in range(count):
        base = real[index % len(real)]
        feed = by_name[base["feed"]]
        lang = "de" if feed.get("language") == "de" else "en"
        t = TEMPLATES[lang]
        day = start + timedelta(days=rng.randint(0, span))
        published = datetime.combine(
            day, time(rng.randint(5, 21), rng.choice((0, 10, 20, 30, 40, 50))), tzinfo=timezone.utc
        )
        status = rng.choices(statuses, weights)[0]
        c, c2 = rng.sample(names, 2)

        def fill(template: str) -> str:
            stated = max(start, day - timedelta(days=rng.randint(0, 20)))
            return template.format(c=c, c2=c2, d=_format_date(stated, lang), n=rng.randint(2, 14))

        title = fill(rng.choice(t["title"][status]))
        serial = 2
        while title in titles_seen:  # distinct titles: a numbered follow-up
            suffix = f" ({'Teil' if lang == 'de' else 'part'} {serial})"
            title = title.rsplit(" (", 1)[0] + suffix if title.endswith(")") else title + suffix
            serial += 1
        titles_seen.add(title)
        lead = fill(rng.choice(t["lead"][status]))
        paragraphs = [lead]
        if rng.random() < 0.6:
            paragraphs.append(fill(rng.choice(t["more"][status])))
        if status != "neutral" or rng.random() < 0.3:
            paragraphs.append(fill(rng.choice(t["reaction"])))
        paragraphs += [fill(s) for s in rng.sample(t["filler"], rng.randint(1, 3))]
        prefix = base["id"].split("-", 1)[0]  # the outlet's id prefix (cw, wb)
        ident = f"syn-{prefix}-{day.isoformat()}-{index:05d}"
        url = f"{feed['site']}/{day.year}/{day.month:02d}/{ident}.html"
        assert url not in urls_seen
        urls_seen.add(url)
        content_type = base.get("content_type", "text/html; charset=utf-8")
        article = {
            "id": ident,
            "feed": feed["name"],
            "url": url,
            "title": title,
            "published": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "summary": lead,
            "file": f"{ident}.html",
            "content_type": content_type,
        }
        charset = content_type.rsplit("charset=", 1)[1] if "charset=" in content_type else "utf-8"
        page = _page(article, feed, lang, paragraphs, rng.choice(BYLINES[lang]), published)
        out.append((article, page.encode(charset, errors="xmlcharrefreplace")))
    return out


def _page(article: dict, feed: dict, lang: str, paragraphs: list[str], byline: str, published: datetime) -> str:
    return article_page(
        page_id=article["id"],
        lang=lang,
        charset=article["content_type"].rsplit("=", 1)[-1],
        title=article["title"],
        summary=article["summary"],
        feed_title=feed["title"],
        site=feed["site"],
        byline=byline,
        published=article["published"],
        day=published.date().isoformat(),
        paragraphs=paragraphs,
        teaser=feed["title"],
        footer=FOOTER,
    )


def build_snapshot(
    source: Path, dest: Path, factor: int, *, as_of: date | None, watchlist: Path, seed: int = SEED
) -> SnapshotInfo:
    """Copy ``source`` to ``dest`` and add (factor-1)x the real articles served in the news window."""
    if factor < 1:
        raise ValueError("news factor must be at least 1")
    shutil.copytree(source, dest)
    feeds_path = dest / "news" / "feeds.json"
    news = json.loads(feeds_path.read_text(encoding="utf-8"))
    first, last, feed_urls = news_window(as_of)
    crawled = [f for f in news["feeds"] if f["feed_url"] in feed_urls]
    crawled_names = {f["name"] for f in crawled}
    real = [a for a in news["articles"] if a["feed"] in crawled_names and first <= _published(a).date() <= last]
    if not real:
        raise ValueError(f"no real news articles between {first} and {last} to scale")
    count = (factor - 1) * len(real)
    start, end = max(first, EARLIEST), min(last, LATEST)
    articles = generate(real, crawled, watched_names(watchlist), count, start, end, seed)
    (dest / "news" / "articles").mkdir(parents=True, exist_ok=True)
    for article, page in articles:
        (dest / "news" / "articles" / article["file"]).write_bytes(page)
    news["articles"] += [article for article, _ in articles]
    feeds_path.write_text(json.dumps(news, ensure_ascii=False, indent=1), encoding="utf-8")
    return SnapshotInfo(dest, len(real), count)
