"""Each source kind's home is its spider: the request logic, its ``arguments`` (built from the
database's crawl state), its document types and relevance rule. This maps a kind, as
``data/sources.toml`` names it, to that spider."""

from __future__ import annotations

from crawler.spiders.csl import CslSpider
from crawler.spiders.dod_releases import DodReleasesSpider
from crawler.spiders.federal_register import FederalRegisterSpider
from crawler.spiders.news import NewsSpider
from crawler.spiders.public_inspection import PublicInspectionSpider

SPIDER_BY_KIND = {
    "federal_register": FederalRegisterSpider,
    "public_inspection": PublicInspectionSpider,
    "dod_releases": DodReleasesSpider,
    "news": NewsSpider,
    "screening_list": CslSpider,
}


def spider_for(kind: str):
    """The spider class of a source kind; an unknown kind is a configuration error."""
    try:
        return SPIDER_BY_KIND[kind]
    except KeyError:
        raise ValueError(f"unknown source kind {kind!r} (known: {', '.join(sorted(SPIDER_BY_KIND))})") from None
