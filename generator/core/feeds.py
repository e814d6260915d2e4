"""Atom feeds, sitemap.xml and robots.txt as bytes; valid XML whatever the text holds (pure)."""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from xml.sax.saxutils import escape, quoteattr

from generator import __version__

# Characters XML 1.0 forbids (C0 controls but tab/LF/CR, DEL-adjacent C1 are allowed but
# confuse readers, lone surrogates, U+FFFE/U+FFFF): stripped, never escaped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def clean(text: str) -> str:
    """Text with characters that XML cannot carry removed."""
    return _INVALID_XML.sub("", text)


def _t(text: str) -> str:
    """Text escaped for XML content."""
    return escape(clean(text))


def _a(text: str) -> str:
    """Text quoted for an XML attribute."""
    return quoteattr(clean(text))


@dataclass(frozen=True)
class Entry:
    """One feed entry, already in the feed's script, URLs absolute."""

    title: str
    url: str
    published: datetime
    updated: datetime | None
    summary: str
    # HTML body, or "" for summary-only feeds
    content_html: str
    categories: tuple[str, ...]
    authors: tuple[str, ...]


@dataclass(frozen=True)
class Feed:
    """An Atom feed's head."""

    title: str
    subtitle: str
    lang: str
    # absolute URL of the feed itself and of the HTML page it mirrors
    self_url: str
    page_url: str
    base_url: str
    author: str


def atom(feed: Feed, entries: Sequence[Entry]) -> bytes:
    """An Atom 1.0 document; `updated` is the newest entry's date (no build timestamp)."""
    newest = max((e.updated or e.published for e in entries), default=EPOCH)
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={_a(feed.lang)} xml:base={_a(feed.base_url)}>',
           f"<title>{_t(feed.title)}</title>"]
    if feed.subtitle:
        out.append(f"<subtitle>{_t(feed.subtitle)}</subtitle>")
    out += [f'<link rel="self" type="application/atom+xml" href={_a(feed.self_url)}/>',
            f'<link rel="alternate" type="text/html" href={_a(feed.page_url)}/>',
            f"<id>{_t(feed.self_url)}</id>", f"<updated>{_iso(newest)}</updated>",
            f"<author><name>{_t(feed.author)}</name></author>",
            f'<generator version="{__version__}">newsarchive</generator>']
    out += [_entry(e) for e in entries]
    out.append("</feed>\n")
    return "\n".join(out).encode("utf-8")


def _entry(e: Entry) -> str:
    """One <entry>."""
    parts = ["<entry>", f"<title>{_t(e.title)}</title>",
             f'<link rel="alternate" type="text/html" href={_a(e.url)}/>', f"<id>{_t(e.url)}</id>",
             f"<published>{_iso(e.published)}</published>",
             f"<updated>{_iso(e.updated or e.published)}</updated>"]
    parts += [f"<author><name>{_t(a)}</name></author>" for a in e.authors]
    parts += [f"<category term={_a(c)}/>" for c in e.categories]
    if e.summary:
        parts.append(f'<summary type="text">{_t(e.summary)}</summary>')
    if e.content_html:
        parts.append(f'<content type="html">{_t(e.content_html)}</content>')
    parts.append("</entry>")
    return "".join(parts)


def _iso(when: datetime) -> str:
    """ISO 8601 with offset, seconds precision."""
    return when.isoformat(timespec="seconds")


@dataclass(frozen=True)
class SitemapUrl:
    """One <url>: the page, its last change, and its versions {hreflang: absolute URL}."""

    loc: str
    lastmod: datetime | None
    alternates: tuple[tuple[str, str], ...]


def sitemap(entries: Iterable[SitemapUrl]) -> bytes:
    """sitemap.xml with xhtml:link hreflang alternates.

    The sitemap of 50,000 articles is 66 MB: its entries are read once (a generator serves)
    and each line is encoded as it is made, because holding the entries, their lines as
    text, the joined text and its bytes at once was the build's peak of memory.
    """
    out = [b'<?xml version="1.0" encoding="utf-8"?>',
           b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
           b'xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    out += (_sitemap_line(u).encode("utf-8") for u in entries)
    out.append(b"</urlset>\n")
    return b"\n".join(out)


def _sitemap_line(u: SitemapUrl) -> str:
    """One <url> element."""
    line = f"<url><loc>{_t(u.loc)}</loc>"
    if u.lastmod:
        line += f"<lastmod>{u.lastmod.date().isoformat()}</lastmod>"
    line += "".join(f'<xhtml:link rel="alternate" hreflang={_a(lang)} href={_a(href)}/>'
                    for lang, href in u.alternates)
    return line + "</url>"


def robots(base_url: str) -> bytes:
    """robots.txt allowing everything and naming the sitemap."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {base_url}sitemap.xml\n".encode()
