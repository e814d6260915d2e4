"""The URL scheme of docs/design.md: relative URLs, file paths, hrefs and absolute URLs.

A "url" here is relative to base_path and has no leading slash ("zh-hant/tags/騰訊/"); ""
is the root. `href` makes the in-page link, `absolute` the canonical form.
"""
from __future__ import annotations

import html
import re
from urllib.parse import quote, unquote

from generator.core.model import PREFIXES

_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# Characters that cannot sit in a path segment on disk or in a URL without surprises.
_SEGMENT_DROP = re.compile(r"[/\\?#%\"<>|*:\x00-\x1f\x7f]+")
_SPACES = re.compile(r"\s+")
# Schemes a link or image from outside may use; everything else (javascript:, vbscript:,
# data:, file:, ...) never reaches a page. Scheme-less URLs (relative, /site-relative,
# //host, #fragment) are safe: they resolve to http(s) on the page's own origin.
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
# Browsers drop ASCII tab/newline anywhere in a URL and C0 controls and spaces at its ends,
# so `java\tscript:` and ` JaVaScRiPt:` are javascript:. We drop every C0 control, space
# and Unicode space before reading the scheme, which is stricter than any browser.
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\s\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]+")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_PATH_START = re.compile(r"[/?#]")


def valid_slug(slug: str) -> bool:
    """True for an ASCII slug (letters, digits, '-', '_', '.'; no leading dot)."""
    return bool(_SLUG.fullmatch(slug)) and not slug.endswith(".")


def term_segment(name: str) -> str:
    """A tag or category name as a URL segment (unescaped; spaces become '-')."""
    segment = _SPACES.sub("-", _SEGMENT_DROP.sub("", name).strip())
    return segment if segment not in ("", ".", "..") else "-"


def home(script: str, page: int = 1) -> str:
    """Home page N of a script."""
    return _paged(f"{PREFIXES[script]}/", page)


def article(script: str, slug: str) -> str:
    """An article page."""
    return f"{PREFIXES[script]}/articles/{slug}/"


def tags_index(script: str) -> str:
    """All tags with counts."""
    return f"{PREFIXES[script]}/tags/"


def tag(script: str, segment: str, page: int = 1) -> str:
    """A tag page; the segment is percent-encoded here."""
    return _paged(f"{PREFIXES[script]}/tags/{quote(segment, safe='')}/", page)


def tag_feed(script: str, segment: str) -> str:
    """A tag's Atom feed."""
    return f"{PREFIXES[script]}/tags/{quote(segment, safe='')}/feed.xml"


def categories_index(script: str) -> str:
    """All categories with counts."""
    return f"{PREFIXES[script]}/categories/"


def category(script: str, segment: str, page: int = 1) -> str:
    """A category page."""
    return _paged(f"{PREFIXES[script]}/categories/{quote(segment, safe='')}/", page)


def archive(script: str) -> str:
    """Years and months with counts."""
    return f"{PREFIXES[script]}/archive/"


def year(script: str, y: int, page: int = 1) -> str:
    """A year's articles."""
    return _paged(f"{PREFIXES[script]}/archive/{y:04d}/", page)


def month(script: str, y: int, m: int, page: int = 1) -> str:
    """A month's articles."""
    return _paged(f"{PREFIXES[script]}/archive/{y:04d}/{m:02d}/", page)


def companies_index(script: str, order: str = "name") -> str:
    """The companies index, A–Z ("name") or most recent first ("recent")."""
    return f"{PREFIXES[script]}/companies/" + ("" if order == "name" else f"{order}/")


def company(script: str, cid: str, page: int = 1) -> str:
    """A company's profile (ids are ASCII URL names)."""
    return _paged(f"{PREFIXES[script]}/companies/{cid}/", page)


def company_feed(script: str, cid: str) -> str:
    """A company's Atom feed (a file path, as feed() is)."""
    return f"{PREFIXES[script]}/companies/{cid}/feed.xml"


def feed(script: str) -> str:
    """The site-wide Atom feed of a script."""
    return f"{PREFIXES[script]}/feed.xml"


def _paged(first: str, page: int) -> str:
    """Page N of a list below its first page's URL."""
    return first if page <= 1 else f"{first}page/{page}/"


def file_path(url: str) -> str:
    """Output file for a URL: directories get index.html; percent-escapes are decoded."""
    path = unquote(url)
    return path + "index.html" if path == "" or path.endswith("/") else path


def href(base_path: str, url: str) -> str:
    """The in-page link to a URL (base_path + url)."""
    return base_path + url


def absolute(base_url: str, url: str) -> str:
    """The absolute (canonical) URL."""
    return base_url + url


def is_safe_url(url: str) -> bool:
    """True when a URL from outside may become an href/src: http, https, mailto or no scheme.

    The one judge of that for the importer, front matter and Markdown. It looks at the URL
    as written and after one round of HTML-entity and percent decoding each, so an encoded
    `java&#x09;script:` or `javascript%3A` cannot slip through a later decoding step.
    """
    forms = {url, html.unescape(url), unquote(url), unquote(html.unescape(url))}
    return all(_scheme_allowed(form) for form in forms)


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see (lowercase, invisible characters dropped), or None."""
    text = _INVISIBLE.sub("", url).lower()
    match = _SCHEME.match(text)
    return match[1] if match else None


def _scheme_allowed(url: str) -> bool:
    """One decoded form: an allowed scheme, or none (and no colon that could start one)."""
    scheme = url_scheme(url)
    if scheme is not None:
        return scheme in SAFE_SCHEMES
    # no valid scheme, yet a ':' before the path: `jav\u00e1script:` or `1javascript:` are
    # not schemes to a browser, but nothing legitimate looks like that either
    text = _INVISIBLE.sub("", url)
    start = _PATH_START.search(text)
    return ":" not in text[:start.start() if start else len(text)]


def shown_url(url: str, limit: int = 80) -> str:
    """A URL for an error message: repr, truncated (the value may be huge or hostile)."""
    return repr(url if len(url) <= limit else url[:limit] + "…")
