"""The news article page of the offline snapshot and of the benchmark's synthetic news (one template):
the clutter real pages have around the text (scripts, navigation, a cookie banner, teasers, a footer)."""

from __future__ import annotations

from html import escape

COOKIE = {"en": "We use cookies.", "de": "Wir verwenden Cookies."}
MORE = {"en": "Read more", "de": "Mehr zum Thema"}


def article_page(
    *,
    page_id: str,
    lang: str,
    charset: str,
    title: str,
    summary: str,
    feed_title: str,
    site: str,
    byline: str,
    published: str,
    day: str,
    paragraphs: list[str],
    teaser: str,
    footer: str,
) -> str:
    """One article page; every text argument is plain text (escaped here)."""
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="{charset}"><title>{escape(title)} | {escape(feed_title)}</title>
<meta name="description" content="{escape(summary)}">
<script>var analytics = {{"page": "{page_id}"}}; document.write("<div>ad</div>");</script>
<script src="https://cdn.tracker.example/t.js"></script>
<style>.cookie {{ position: fixed }}</style></head>
<body>
<header><nav><a href="{site}/">{escape(feed_title)}</a> <a href="{site}/markets">Markets</a> <a href="https://social.example/share">Share</a></nav></header>
<div class="cookie">{COOKIE[lang]}</div>
<main><article>
<h1>{escape(title)}</h1>
<p class="byline">{escape(byline)}, <time datetime="{published}">{day}</time></p>
{body}
</article>
<aside><h2>{MORE[lang]}</h2><ul><li><a href="{site}/other">{escape(teaser)}</a></li></ul></aside>
</main>
<footer>&copy; {escape(feed_title)} {footer}</footer>
</body></html>
"""
