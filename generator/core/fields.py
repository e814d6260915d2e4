"""Front-matter fields, read and validated one by one; every problem is collected in an Errors with its line."""
from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timezone, tzinfo
from pathlib import PurePosixPath
from typing import Any

from generator.core import urls
from generator.core.errors import SiteError
from generator.core.frontmatter import brief, key_line
from generator.core.model import SCRIPTS, Figure, SourceInfo, Syndication

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


# URL folder of files stored next to articles in content/ (images of figures)
MEDIA_DIR = "media"


class Errors:
    """Collects every problem of one file, each with its line."""

    def __init__(self, path: str, text: str) -> None:
        self.path, self.text, self.items = path, text, []

    def add(self, key: str, message: str, hint: str | None = None, line: int | None = None) -> None:
        """Record `key: message` at the key's line (or the given line)."""
        where = line if line is not None else key_line(self.text, key)
        self.items.append(SiteError(f"{key}: {message}", self.path, where, hint))

    def value_line(self, key: str, value: str) -> int | None:
        """Line of a value written under a top-level key (the first line after the key that
        holds part of it), else the key's line: a nested `url:` is reported where it is."""
        start = key_line(self.text, key)
        if start is None:
            return None
        # the longest stretch YAML writes as is (an escape like "\t" is not in the file)
        needle = max(re.split(r"[\x00-\x1f\x7f\\\"']", value[:80]), key=len)
        if len(needle) < 4:
            return start
        for number, line in enumerate(self.text.split("\n")[start - 1:start + 200], start):
            if needle in line:
                return number
        return start

    def unsafe_url(self, key: str, what: str, url: str) -> None:
        """Record a URL that must not reach a page (javascript:, data:, ...)."""
        self.add(key, f"{what}: {urls.shown_url(url)} is not a safe link",
                 "only http://, https://, mailto: or relative URLs", line=self.value_line(key, url))


def read_required_text(meta: Mapping[str, Any], key: str, errs: Errors) -> str | None:
    """A required text field."""
    if key not in meta or meta[key] is None or meta[key] == "":
        errs.add(key, "is required", line=key_line(errs.text, key) or 1)
        return None
    return read_optional_text(meta, key, errs)


def read_optional_text(meta: Mapping[str, Any], key: str, errs: Errors) -> str | None:
    """An optional text field (numbers become text)."""
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        errs.add(key, f"must be text (found {type(value).__name__} {brief(value)})", "quote it")
        return None
    return str(value).strip()


def read_when(meta: Mapping[str, Any], key: str, tz: tzinfo, errs: Errors, *,
          required: bool = False) -> datetime:
    """A date or date-time; naive values take the site time zone."""
    value = meta.get(key)
    fallback = datetime(1970, 1, 1, tzinfo=tz)
    if value is None:
        if required:
            errs.add(key, "is required", "for example date: 2025-11-28",
                     line=key_line(errs.text, key) or 1)
        return fallback if required else None  # type: ignore[return-value]
    parsed = to_datetime(value, tz)
    if parsed is None:
        errs.add(key, f"not a date ({brief(value)})", "use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+08:00")
        return fallback
    return parsed


def to_datetime(value: Any, tz: tzinfo) -> datetime | None:
    """date, datetime or ISO text -> aware datetime (naive -> tz), or None."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=tz)
    return None


def read_tags(meta: Mapping[str, Any], errs: Errors) -> list[str]:
    """The tag list, each tag text."""
    value = meta.get("tags")
    if value is None:
        errs.add("tags", "is required", "for example tags: [騰訊, 晶片]", line=key_line(errs.text, "tags") or 1)
        return []
    if isinstance(value, str):
        errs.add("tags", f"must be a list (found text {brief(value)})", "write tags: [騰訊, 晶片]")
        return []
    if not isinstance(value, list):
        errs.add("tags", f"must be a list (found {brief(value)})", "write tags: [騰訊, 晶片]")
        return []
    tags = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, str | int) or not str(item).strip():
            errs.add("tags", f"each tag must be text (found {brief(item)})", "quote it")
            continue
        tags.append(str(item).strip())
    return tags


def read_figures(meta: Mapping[str, Any], errs: Errors) -> tuple[Figure, ...]:
    """figures: as Figure values, every problem recorded."""
    value = meta.get("figures")
    if value is None:
        return ()
    if not isinstance(value, list):
        errs.add("figures", "must be a list of {caption, src, alt, credit}")
        return ()
    figures = []
    for number, item in enumerate(value, 1):
        if isinstance(item, str):
            item = {"caption": item}
        if not isinstance(item, dict):
            errs.add("figures", f"figure {number} must be a mapping (found {brief(item)})")
            continue
        fields = {}
        for name in ("caption", "src", "alt", "credit"):
            field = item.get(name)
            if field is not None and not isinstance(field, str):
                errs.add("figures", f"figure {number}: {name} must be text (found {brief(field)})", "quote it")
                field = None
            fields[name] = field.strip() if isinstance(field, str) else None
        refused = bool(fields["src"]) and not urls.is_safe_url(fields["src"])
        if refused:
            errs.unsafe_url("figures", f"figure {number}: src", fields["src"])
            fields["src"] = None
        if not fields["caption"] and not fields["src"] and not refused:
            errs.add("figures", f"figure {number} has neither caption nor src")
        figures.append(Figure(caption=fields["caption"] or "", src=fields["src"] or None,
                              alt=fields["alt"], credit=fields["credit"] or None))
    return tuple(figures)


def local_media(figures: tuple[Figure, ...], path: str, content_prefix: str,
                 errs: Errors) -> tuple[Figure, ...]:
    """Relative figure src (a file next to the article) -> '/media/<folder>/<file>'."""
    out = []
    for number, fig in enumerate(figures, 1):
        src = fig.src
        if src and is_relative(src):
            media = media_url(src, path, content_prefix)
            if media is None:
                errs.add("figures", f"figure {number}: src {brief(src)} points outside {content_prefix}/")
            src = media or f"/{MEDIA_DIR}/{src}"
        out.append(Figure(fig.caption, src, fig.alt, fig.credit))
    return tuple(out)


def media_url(src: str, path: str, content_prefix: str) -> str | None:
    """'/media/<folder>/<file>' for a src relative to the article at `path`; None when it
    leads out of content/."""
    joined = posixpath.normpath(str(PurePosixPath(path).parent / src))
    inside = posixpath.relpath(joined, content_prefix) if content_prefix else joined
    return None if inside.startswith("..") else f"/{MEDIA_DIR}/{inside}"


def is_relative(url: str) -> bool:
    """A relative reference (photo.jpg, ../x/): no scheme, no leading '/', not a #fragment."""
    return bool(url) and not url.startswith(("/", "#")) and not _SCHEME.match(url)


def in_site(url: str) -> bool:
    """A link the build can check: a site path or a relative one (not a URL, mail or #anchor)."""
    return is_relative(url) or (url.startswith("/") and not url.startswith("//"))


def _is_url(src: str) -> bool:
    """True for an absolute or protocol-relative URL (left as written)."""
    return "://" in src or src.startswith("//")


def read_slug(meta: Mapping[str, Any], path: str, errs: Errors) -> str | None:
    """From `slug:`, else the file stem; must be ASCII."""
    value = meta.get("slug")
    if value is not None:
        text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
        if not urls.valid_slug(text):
            errs.add("slug", f"must be ASCII letters, digits, '-', '_' or '.' (found {brief(value)})",
                     "for example slug: gree-results-2025")
            return None
        return text
    stem = PurePosixPath(path).stem
    if not urls.valid_slug(stem):
        errs.items.append(SiteError(
            f"file name {brief(stem)} is not an ASCII slug", path, 1,
            "add slug: some-ascii-name to the front matter, or rename the file"))
        return None
    return stem


def read_authors(meta: Mapping[str, Any], errs: Errors) -> tuple[str, ...]:
    """authors: as a tuple of names (one name may be given as text)."""
    value = meta.get("authors")
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
        errs.add("authors", f"must be a list of names (found {brief(value)})")
        return ()
    return tuple(a.strip() for a in value if a.strip())


def read_source_info(meta: Mapping[str, Any], tz: tzinfo, errs: Errors) -> SourceInfo | None:
    """source: as a SourceInfo."""
    value = meta.get("source")
    if value is None:
        return None
    if not isinstance(value, dict):
        errs.add("source", "must be a mapping {name, url, published}")
        return None
    published = to_datetime(value["published"], tz) if value.get("published") else None
    if value.get("published") and published is None:
        errs.add("source", f"published: not a date ({brief(value['published'])})")
    rest = tuple(sorted((str(k), v) for k, v in value.items() if k not in ("name", "url", "published")))
    return SourceInfo(name=_str_or_none(value.get("name")), url=_safe_url(value.get("url"), "source", "url", errs),
                      published=published, extra=rest)


def read_syndicated(meta: Mapping[str, Any], tz: tzinfo, errs: Errors) -> tuple[Syndication, ...]:
    """syndicated: as Syndication values."""
    value = meta.get("syndicated")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        errs.add("syndicated", "must be a list of {name, url, date}")
        return ()
    return tuple(Syndication(name=_str_or_none(v.get("name")),
                             url=_safe_url(v.get("url"), "syndicated", f"entry {n}: url", errs),
                             date=to_datetime(v["date"], tz) if v.get("date") else None)
                 for n, v in enumerate(value, 1))


def _safe_url(value: Any, key: str, what: str, errs: Errors) -> str | None:
    """A link from front matter, or None (and an error) when it is not a safe link."""
    url = _str_or_none(value)
    if url is not None and not urls.is_safe_url(url):
        errs.unsafe_url(key, what, url)
        return None
    return url


def _str_or_none(value: Any) -> str | None:
    """Text, or None for a missing or empty value."""
    return str(value).strip() if value not in (None, "") else None


# the date of a draft that has none (an imported page that showed none): it sorts first
UNDATED_DRAFT = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Fields:
    """An article's front matter, read and validated (errors collected in an Errors)."""

    title: str | None
    draft: bool
    date: datetime
    updated: datetime | None
    tags: list[str]
    category: str | None
    summary: str | None
    figures: tuple[Figure, ...]
    slug: str | None
    # the script the front matter declares, or None (detected from the text)
    script: str | None
    authors: tuple[str, ...]
    source: SourceInfo | None
    syndicated: tuple[Syndication, ...]
    # company ids (companies.yml), order as written
    companies: tuple[str, ...] = ()


_COMPANY_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")


def read_companies(meta: Mapping[str, Any], errs: Errors) -> tuple[str, ...]:
    """The `companies:` list of ids (checked against companies.yml when the site is indexed)."""
    value = meta.get("companies")
    if value is None:
        return ()
    if not isinstance(value, list):
        errs.add("companies", f"must be a list of company ids (found {brief(value)})",
                 "write companies: [sensetime, tsmc]")
        return ()
    ids: list[str] = []
    for item in value:
        if not isinstance(item, str) or not _COMPANY_ID.fullmatch(item.strip()):
            errs.add("companies", f"not a company id ({brief(item)})",
                     "the `id:` of a company in companies.yml")
        elif item.strip() not in ids:
            ids.append(item.strip())
    return tuple(ids)


def read_fields(meta: Mapping[str, Any], path: str, tz: tzinfo, content_prefix: str,
                errs: Errors, check_body: Callable[[int], None]) -> Fields:
    """Every known field of `meta`; a bad one is an error in `errs` and reads as empty.

    `check_body(figure count)` runs where the body's checks belong in the error order.
    """
    title = read_required_text(meta, "title", errs)
    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        errs.add("draft", f"must be true or false (found {brief(draft)})")
    # a draft may wait for its date (an imported page that showed none); it is never published
    when = read_when(meta, "date", tz, errs, required=draft is not True) or UNDATED_DRAFT
    updated = read_when(meta, "updated", tz, errs)
    tags = read_tags(meta, errs)
    category = read_optional_text(meta, "category", errs)
    summary = read_optional_text(meta, "summary", errs)
    figures = local_media(read_figures(meta, errs), path, content_prefix, errs)
    slug = read_slug(meta, path, errs)
    declared = meta.get("script")
    if declared is not None and declared not in SCRIPTS:
        errs.add("script", f"must be hant or hans (found {brief(declared)})")
    check_body(len(figures))
    authors, source = read_authors(meta, errs), read_source_info(meta, tz, errs)
    return Fields(title=title, draft=bool(draft), date=when, updated=updated, tags=tags,
                  category=category, summary=summary, figures=figures, slug=slug,
                  script=declared, authors=authors, source=source,
                  syndicated=read_syndicated(meta, tz, errs), companies=read_companies(meta, errs))
