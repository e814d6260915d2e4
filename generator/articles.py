"""Source -> Article: validate front matter, render Markdown, convert to both scripts (pure)."""
from __future__ import annotations

import difflib
import hashlib
import posixpath
import re
import unicodedata
from dataclasses import replace
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timezone, tzinfo
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Any, Protocol

from generator import markdown, urls
from generator.errors import BuildFailed, SiteError
from generator.frontmatter import brief, key_line, split_front_matter
from generator.related import text_features
from generator.residue import residue_warnings
from generator.model import SCRIPTS, Article, Figure, Source, SourceInfo, Syndication, Version

KNOWN = frozenset({"title", "date", "updated", "slug", "script", "draft", "tags", "category",
                   "summary", "authors", "figures", "source", "syndicated"})
SUMMARY_CHARS = 120
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# URL folder of files stored next to articles in content/ (images of figures)
MEDIA_DIR = "media"


class ConverterLike(Protocol):
    """The part of generator.scripts.Converter the build uses."""

    def text(self, script: str, s: str) -> str: ...
    def html(self, script: str, html: str) -> str: ...
    def fold(self, s: str) -> str: ...
    def convert_many(self, script: str, pieces: list[str]) -> list[str]: ...
    def normalise_many(self, script: str, pieces: list[str]) -> tuple[list[str], list[list[Any]]]: ...
    def html_and_texts(self, script: str, html: str, texts: list[str]) -> tuple[str, list[str]]: ...
    def own_html(self, script: str, html: str,
                 texts: list[str]) -> tuple[str, list[Any], list[str], list[list[Any]]]: ...


class _Errors:
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


# An undated draft still needs a value to sort by; drafts are never published.
UNDATED_DRAFT = datetime(1970, 1, 1, tzinfo=timezone.utc)


def parse_article(source: Source, *, converter: ConverterLike, render: Callable[[str], str],
                  detect: Callable[[str], str], tz: tzinfo, base_path: str,
                  fingerprint: str, content_prefix: str = "content") -> Article:
    """Parse one source into an Article with both script versions; BuildFailed lists all errors."""
    meta, body, body_line = split_front_matter(source.text, source.path)
    errs = _Errors(source.path, source.text)
    title = _required_text(meta, "title", errs)
    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        errs.add("draft", f"must be true or false (found {brief(draft)})")
    # a draft may wait for its date (an imported page that showed none); it is never published
    when = _when(meta, "date", tz, errs, required=draft is not True) or UNDATED_DRAFT
    updated = _when(meta, "updated", tz, errs)
    tags = _tags(meta, errs)
    category = _optional_text(meta, "category", errs)
    summary = _optional_text(meta, "summary", errs)
    figures = _local_media(_figures(meta, errs), source.path, content_prefix, errs)
    slug = _slug(meta, source.path, errs)
    declared = meta.get("script")
    if declared is not None and declared not in SCRIPTS:
        errs.add("script", f"must be hant or hans (found {brief(declared)})")
    _check_markers(body, body_line, len(figures), errs)
    authors, source_info = _authors(meta, errs), _source_info(meta, tz, errs)
    syndicated = _syndicated(meta, tz, errs)
    links: list = []
    body_html = _rendered(render, body, body_line, errs, links,
                          lambda src: (_media_url(src, source.path, content_prefix) or src)
                          if _is_relative(src) else src)
    if errs.items:
        raise BuildFailed(errs.items)
    body_html = markdown.rebase_links(body_html, base_path)
    # the summary and script come from the text alone (no captions), markers kept for OpenCC
    text = markdown.plain_text(markdown.FIGURE_PARAGRAPH.sub("", body_html), keep_markers=True)
    summary = summary if summary is not None else _auto_summary(text)
    script = declared or detect(f"{title}\n{summary}\n{text[:300]}")
    tag_keys, tag_names = _unique_tags(tags, converter)
    warnings = [*_warnings(source.path, body, body_line),
                *_misspelt_keys(meta, source.path, errs.text)]
    fields = _Fields(title or "", summary, tag_names, category, figures, authors,
                     source_info.name if source_info else None,
                     summary_written="summary" in meta)
    made = {s: _version(converter, s, fields, body_html, base_path, original=s == script)
            for s in SCRIPTS}
    versions = {s: v for s, (v, _) in made.items()}
    warnings += residue_warnings(source.path, source.text, body_line, script, made[script][1])
    folded = _folded_text(versions["hans"])
    return Article(
        path=source.path, slug=slug or "", date=when, updated=updated, script=script,
        draft=bool(draft), tag_keys=tag_keys,
        category_key=converter.fold(category) if category else None,
        authors=authors, source=source_info, syndicated=syndicated, figures=figures,
        extra=tuple(sorted((k, v) for k, v in meta.items() if k not in KNOWN)),
        text=folded,
        terms=text_features(folded),
        versions=versions, source_digest=source.digest,
        digest=hashlib.sha256(f"{source.digest}|{source.path}|{fingerprint}".encode()).hexdigest()[:20],
        warnings=tuple(warnings), slug_line=key_line(errs.text, "slug") or 1,
        links=tuple((body_line + line, kind, written, rendered)
                    for line, kind, written, rendered in links if _in_site(rendered)),
    )


def _version(converter: ConverterLike, script: str, fields: _Fields, body_html: str,
             base_path: str, *, original: bool) -> tuple[Version, list[tuple[str, Any]]]:
    """The article in one script, and the other script's residue normalised away.

    Tags and the category are converted outright in both scripts (they are shared with other
    articles). In the script the curator wrote in, title, summary, captions, names and body
    are normalised (generator.residue): the other script's characters are converted, what is
    right in this script (Taiwan's 台, the surname 余) stays as written. Returns the version
    and the changes made, as (field, change), for the build's warnings.
    """
    texts = fields.texts()
    terms = [*fields.tags, fields.category or ""]
    if original:
        tagged = converter.convert_many(script, terms)
        body, body_changes, done, changes = converter.own_html(script, body_html, texts)
        found = [(fields.keys[i], c) for i, cs in enumerate(changes) for c in cs if fields.keys[i]]
        found += [("body", c) for c in body_changes]
    else:
        # one OpenCC call for the body and every short text of the version
        body, converted = converter.html_and_texts(script, body_html, [*texts, *terms])
        done, tagged, found = converted[:len(texts)], converted[len(texts):], []
    version = fields.version(done, tagged, body, base_path)
    if not getattr(converter, "convert_names", True):
        version = replace(version, authors=fields.authors)
    return version, found


class _Fields:
    """The short texts of an article that are converted together, in one OpenCC call."""

    def __init__(self, title: str, summary: str, tags: tuple[str, ...], category: str | None,
                 figures: tuple[Figure, ...], authors: tuple[str, ...],
                 source_name: str | None, *, summary_written: bool = True) -> None:
        self.tags, self.category, self.figures = tags, category, figures
        self.authors = authors
        captions = [t for f in figures for t in (f.caption, f.alt or "", f.credit or "")]
        self._texts = [title, summary, source_name or "", *authors, *captions]
        # front-matter key of each text, for the line of a warning (None: not reported,
        # an automatic summary repeats the body's first sentence)
        self.keys = ["title", "summary" if summary_written else None, "source", *["authors"] * len(authors),
                     *["figures"] * len(captions)]

    def texts(self) -> list[str]:
        """Title, summary, source name, authors, then caption, alt and credit per figure."""
        return self._texts

    def version(self, done: list[str], tagged: list[str], body: str, base_path: str) -> Version:
        """Assemble the Version from converted texts (same order as `texts`)."""
        n = 3 + len(self.authors)
        figs = tuple(Figure(done[n + 3 * i], f.src,
                            done[n + 3 * i + 1] if f.alt is not None else None,
                            done[n + 3 * i + 2] or None) for i, f in enumerate(self.figures))
        body, _ = markdown.place_figures(body, figs, base_path)
        return Version(title=done[0], summary=done[1], tags=tuple(tagged[:len(self.tags)]),
                       category=tagged[len(self.tags)] or None, body_html=body,
                       authors=tuple(done[3:n]), source_name=done[2] or None)


def _folded_text(hans: Version) -> str:
    """converter.fold of title, summary and body, reusing the Simplified version already made."""
    text = f"{hans.title}\n{hans.summary}\n{markdown.plain_text(hans.body_html)}"
    return nfkc(text).lower()


# Fullwidth ASCII (，：（） …) and the ideographic space, each with its NFKC form.
_FULLWIDTH = re.compile("[\uff01-\uff5e\u3000]")
_FULLWIDTH_NFKC = MappingProxyType({chr(c): unicodedata.normalize("NFKC", chr(c))
                                    for c in [*range(0xFF01, 0xFF5F), 0x3000]})


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), six times faster on Chinese prose.

    Chinese punctuation is fullwidth, so almost every article needs NFKC and the full
    algorithm is slow. Each fullwidth character decomposes to one ASCII starter, so
    replacing it first leaves the NFKD form, and hence the NFKC form, unchanged; what is
    left is usually normalized already, which the quick check sees at once.
    """
    text = _FULLWIDTH.sub(lambda m: _FULLWIDTH_NFKC[m[0]], text)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def _warnings(path: str, body: str, body_line: int) -> tuple[str, ...]:
    """Non-fatal findings: an empty body, a figure placed twice."""
    found = []
    if not body.strip():
        found.append(str(SiteError("the article has no body text", path, body_line)))
    seen: set[int] = set()
    for number, line in markdown.figure_markers(body):
        if number in seen:
            found.append(str(SiteError(f"{{{{figure {number}}}}} is placed twice; only the first is shown",
                                       path, body_line + line)))
        seen.add(number)
    return tuple(found)


def _misspelt_keys(meta: Mapping[str, Any], path: str, text: str) -> tuple[str, ...]:
    """Unknown keys that look like a known one misspelt (`catgory`, `tag`): kept, but said.

    Unknown keys are allowed (they reach templates), so only a near miss is a warning."""
    found = []
    for key in sorted(k for k in meta if k not in KNOWN):
        near = difflib.get_close_matches(key, KNOWN, n=1, cutoff=0.75)
        if near:
            found.append(str(SiteError(f"unknown key {key!r}", path, key_line(text, key),
                                       f"did you mean {near[0]!r}? unknown keys are kept as they are")))
    return tuple(found)


def _required_text(meta: Mapping[str, Any], key: str, errs: _Errors) -> str | None:
    """A required text field."""
    if key not in meta or meta[key] is None or meta[key] == "":
        errs.add(key, "is required", line=key_line(errs.text, key) or 1)
        return None
    return _optional_text(meta, key, errs)


def _optional_text(meta: Mapping[str, Any], key: str, errs: _Errors) -> str | None:
    """An optional text field (numbers become text)."""
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        errs.add(key, f"must be text (found {type(value).__name__} {brief(value)})", "quote it")
        return None
    return str(value).strip()


def _when(meta: Mapping[str, Any], key: str, tz: tzinfo, errs: _Errors, *,
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


def _tags(meta: Mapping[str, Any], errs: _Errors) -> list[str]:
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


def _unique_tags(tags: list[str], converter: ConverterLike) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(fold keys, names), first spelling of each identity kept."""
    keys: dict[str, str] = {}
    for name in tags:
        keys.setdefault(converter.fold(name), name)
    return tuple(keys), tuple(keys.values())


def _figures(meta: Mapping[str, Any], errs: _Errors) -> tuple[Figure, ...]:
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


def _local_media(figures: tuple[Figure, ...], path: str, content_prefix: str,
                 errs: _Errors) -> tuple[Figure, ...]:
    """Relative figure src (a file next to the article) -> '/media/<folder>/<file>'."""
    out = []
    for number, fig in enumerate(figures, 1):
        src = fig.src
        if src and _is_relative(src):
            media = _media_url(src, path, content_prefix)
            if media is None:
                errs.add("figures", f"figure {number}: src {brief(src)} points outside {content_prefix}/")
            src = media or f"/{MEDIA_DIR}/{src}"
        out.append(Figure(fig.caption, src, fig.alt, fig.credit))
    return tuple(out)


def _media_url(src: str, path: str, content_prefix: str) -> str | None:
    """'/media/<folder>/<file>' for a src relative to the article at `path`; None when it
    leads out of content/."""
    joined = posixpath.normpath(str(PurePosixPath(path).parent / src))
    inside = posixpath.relpath(joined, content_prefix) if content_prefix else joined
    return None if inside.startswith("..") else f"/{MEDIA_DIR}/{inside}"


def _is_relative(url: str) -> bool:
    """A relative reference (photo.jpg, ../x/): no scheme, no leading '/', not a #fragment."""
    return bool(url) and not url.startswith(("/", "#")) and not _SCHEME.match(url)


def _in_site(url: str) -> bool:
    """A link the build can check: a site path or a relative one (not a URL, mail or #anchor)."""
    return _is_relative(url) or (url.startswith("/") and not url.startswith("//"))


def _is_url(src: str) -> bool:
    """True for an absolute or protocol-relative URL (left as written)."""
    return "://" in src or src.startswith("//")


def _slug(meta: Mapping[str, Any], path: str, errs: _Errors) -> str | None:
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


def _check_markers(body: str, body_line: int, count: int, errs: _Errors) -> None:
    """Every `{{figure N}}` names an existing figure."""
    for number, line in markdown.figure_markers(body):
        if not 1 <= number <= count:
            errs.items.append(SiteError(
                f"{{{{figure {number}}}}}: no such figure (the article has {count})",
                errs.path, body_line + line, "figures are numbered from 1 in `figures:`"))


def _rendered(render: Callable[..., str], body: str, body_line: int, errs: _Errors,
              links: list, images: Callable[[str], str]) -> str:
    """The body's HTML (links collected, local images mapped by `images`); each link or
    image with an unsafe URL an error at its line."""
    try:
        return render(body, images=images, links=links)
    except markdown.UnsafeLinks as unsafe:
        for line, url in unsafe.found:
            errs.items.append(SiteError(
                f"link {urls.shown_url(url)} is not a safe link", errs.path, body_line + line,
                "only http://, https://, mailto: or relative URLs"))
        return ""


def _auto_summary(text: str) -> str:
    """The first sentence-ish chunk of the text, when no summary is given."""
    cut = text[:SUMMARY_CHARS]
    end = max(cut.rfind("。"), cut.rfind("！"), cut.rfind("？"))
    return cut[:end + 1] if end > 20 else (cut + "…" if len(text) > SUMMARY_CHARS else cut)


def _authors(meta: Mapping[str, Any], errs: _Errors) -> tuple[str, ...]:
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


def _source_info(meta: Mapping[str, Any], tz: tzinfo, errs: _Errors) -> SourceInfo | None:
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


def _syndicated(meta: Mapping[str, Any], tz: tzinfo, errs: _Errors) -> tuple[Syndication, ...]:
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


def _safe_url(value: Any, key: str, what: str, errs: _Errors) -> str | None:
    """A link from front matter, or None (and an error) when it is not a safe link."""
    url = _str_or_none(value)
    if url is not None and not urls.is_safe_url(url):
        errs.unsafe_url(key, what, url)
        return None
    return url


def _str_or_none(value: Any) -> str | None:
    """Text, or None for a missing or empty value."""
    return str(value).strip() if value not in (None, "") else None


_DUP_HINT = "give one of them another slug:"


def check_duplicate_slugs(articles: list[Article]) -> list[SiteError]:
    """One error per slug used by more than one file, naming both files."""
    first: dict[str, Article] = {}
    errors = []
    for art in sorted(articles, key=lambda a: a.path):
        if art.slug in first:
            errors.append(SiteError(
                f"duplicate URL /articles/{art.slug}/ (also used by {first[art.slug].path})",
                art.path, art.slug_line, _DUP_HINT))
        else:
            first[art.slug] = art
    return errors

