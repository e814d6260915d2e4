"""An `Extracted` page -> the article file: its content-relative path and its text.

The text is the front matter (docs/design.md, Article format) and the Markdown body, with
`source.fingerprint` filled in so that `store` can tell an untouched import from a curated
file.
"""
from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from urllib.parse import unquote, urlsplit

from generator.core.frontmatter import dump_front_matter
from generator.importer.model import Extracted

UNDATED_DIR = "undated"
# a title slug: the first few syllables, enough to recognise the story in a file listing
SLUG_SYLLABLES = 6
SLUG_CHARS = 48
_SLUG_STOPWORDS = frozenset({"index", "article", "articles", "content", "detail", "details",
                             "news", "show", "view", "doc", "page", "post", "story", "default",
                             "html", "htm", "shtml", "php", "asp", "aspx", "jsp", "a", "n", "c"})
# "v1-" keeps the value text in YAML (bare hex digits can read as a number)
FINGERPRINT_PLACEHOLDER = "v1-" + "0" * 16
FINGERPRINT = re.compile(r"(fingerprint: )(v1-[0-9a-f]{16})\b")


def url_slug(url: str | None) -> str | None:
    """An ASCII slug from the URL's path when its words mean something (not ids or index)."""
    if not url:
        return None
    parts = [unquote(p) for p in urlsplit(url).path.split("/") if p]
    for part in reversed(parts):
        stem = re.sub(r"\.(s?html?|php|aspx?|jsp|txt|xhtml)$", "", part.lower())
        words = [w for w in re.split(r"[^a-z0-9]+", stem) if w]
        meaningful = [w for w in words if re.fullmatch(r"[a-z]{3,}", w) and w not in _SLUG_STOPWORDS]
        if stem.isascii() and len(meaningful) >= 2:
            return "-".join(words)[:60].strip("-")
        if words and not stem.isdigit() and stem not in _SLUG_STOPWORDS:
            return None  # the most specific segment is an id: the hash is a better name
    return None


def title_slug(title: str) -> str:
    """A short readable ASCII name for a title: the pinyin of its first syllables
    (pypinyin reads polyphones by phrase: 银行 yin-hang, 行长 hang-zhang), Latin words kept;
    10 hex digits of its SHA-256 when it has neither."""
    words: list[str] = []
    for piece in _pinyin(title):
        words += [w for w in re.split(r"[^a-z0-9]+", piece.lower()) if w]
        if len(words) >= SLUG_SYLLABLES:
            break
    slug = "-".join(words[:SLUG_SYLLABLES])[:SLUG_CHARS].strip("-")
    return slug or hashlib.sha256(title.encode("utf-8")).hexdigest()[:10]


def _pinyin(text: str) -> list[str]:
    """Toneless pinyin, one item per Han character, other runs as they are."""
    from pypinyin import Style, lazy_pinyin  # only the importer needs it: loaded on first use
    return lazy_pinyin(text, style=Style.NORMAL, errors="default", v_to_u=False)


def _date_value(text: str) -> date | datetime:
    """ISO date or date-time text -> the value YAML writes unquoted."""
    if "T" in text:
        return datetime.fromisoformat(text)
    return date.fromisoformat(text[:10])


def article_path(extracted: Extracted) -> str:
    """content-relative path: YYYY/YYYY-MM-DD-<slug>.md, or undated/<slug>.md for drafts.

    The slug is only made for a new article: a page whose article exists (same source) keeps
    that file and its name (batch), so a slug never changes once written."""
    slug = url_slug(extracted.source_url) or title_slug(extracted.title or "")
    if not extracted.date:
        return f"{UNDATED_DIR}/{slug}.md"
    day = extracted.date[:10]
    return f"{day[:4]}/{day}-{slug}.md"


def _figures(extracted: Extracted) -> list[dict]:
    """Figures as front-matter mappings without empty fields."""
    out = []
    for fig in extracted.figures:
        item = {"caption": fig.caption, "src": fig.src, "alt": fig.alt, "credit": fig.credit,
                "source_url": fig.source_url}
        out.append({k: v for k, v in item.items() if v})
    return out


def article_meta(extracted: Extracted, *, raw_sha256: str, imported: datetime) -> dict:
    """The front matter of an imported article (docs/design.md, Article format)."""
    published = _date_value(extracted.date) if extracted.date else None
    # a second value object: one object twice would be written as a YAML anchor and alias
    when = _date_value(extracted.date) if extracted.date else None
    source = {
        "name": extracted.source_name,
        "url": extracted.source_url,
        "published": published,
        "imported": imported.replace(microsecond=0),
        "sha256": raw_sha256,
        "original_title": extracted.original_title,
        "fingerprint": FINGERPRINT_PLACEHOLDER,
    }
    meta = {
        "title": extracted.title,
        "date": when,
        "script": extracted.script,
        "draft": True if not published or extracted.review else None,
        "status": "review" if extracted.review else None,
        "tags": list(extracted.tags),
        "companies": list(extracted.companies) or None,
        "category": extracted.category,
        "summary": extracted.summary,
        "authors": list(extracted.authors) or None,
        "figures": _figures(extracted) or None,
        "source": {k: v for k, v in source.items() if v is not None},
    }
    return {k: v for k, v in meta.items() if v is not None}


def render_article(extracted: Extracted, *, raw_sha256: str, imported: datetime,
                   syndicated: list[dict] | None = None) -> tuple[str, str]:
    """(content-relative path, file text) of the article."""
    meta = article_meta(extracted, raw_sha256=raw_sha256, imported=imported)
    if syndicated:
        meta["syndicated"] = syndicated
    return article_path(extracted), stamp(dump_front_matter(meta, extracted.body))


def fingerprint(text: str) -> str:
    """16 hex digits identifying an article text as written (its own fingerprint zeroed)."""
    zeroed = FINGERPRINT.sub(lambda m: m[1] + FINGERPRINT_PLACEHOLDER, text)
    return hashlib.sha256(zeroed.encode("utf-8")).hexdigest()[:16]


def stamp(text: str) -> str:
    """The text with its fingerprint filled in (the text holds the placeholder or an old value)."""
    digest = fingerprint(text)
    return FINGERPRINT.sub(lambda m: f"{m[1]}v1-{digest}", text, count=1)
