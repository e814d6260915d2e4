"""Source -> Article: validate front matter, render Markdown, convert to both scripts (pure)."""
from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import tzinfo
from types import MappingProxyType
from typing import Any, Protocol

from generator.core import markdown, urls
from generator.core.errors import BuildFailed, SiteError
from generator.core.remote_images import remote_image_warnings
from generator.core.fields import Errors, in_site, is_relative, media_url, read_fields
from generator.core.frontmatter import key_line, split_front_matter
from generator.core.model import SCRIPTS, Article, Figure, Source, Version
from generator.core.related import text_features
from generator.core.residue import residue_warnings

KNOWN = frozenset({"title", "date", "updated", "slug", "script", "draft", "tags", "category",
                   "summary", "authors", "figures", "source", "syndicated", "companies"})
SUMMARY_CHARS = 120


class ConverterLike(Protocol):
    """The part of generator.core.chinese.Converter the build uses."""

    def text(self, script: str, s: str) -> str: ...
    def html(self, script: str, html: str) -> str: ...
    def fold(self, s: str) -> str: ...
    def convert_many(self, script: str, pieces: list[str]) -> list[str]: ...
    def normalise_many(self, script: str, pieces: list[str]) -> tuple[list[str], list[list[Any]]]: ...
    def html_and_texts(self, script: str, html: str, texts: list[str]) -> tuple[str, list[str]]: ...
    def own_html(self, script: str, html: str,
                 texts: list[str]) -> tuple[str, list[Any], list[str], list[list[Any]]]: ...






def parse_article(source: Source, *, converter: ConverterLike, render: Callable[[str], str],
                  detect: Callable[[str], str], tz: tzinfo, base_path: str,
                  fingerprint: str, content_prefix: str = "content") -> Article:
    """Parse one source into an Article with both script versions; BuildFailed lists all errors."""
    meta, body, body_line = split_front_matter(source.text, source.path)
    errs = Errors(source.path, source.text)
    f = read_fields(meta, source.path, tz, content_prefix, errs,
                    lambda figure_count: _check_markers(body, body_line, figure_count, errs))
    title, summary, figures, authors, source_info = f.title, f.summary, f.figures, f.authors, f.source
    links: list = []
    body_html = _rendered(render, body, body_line, errs, links,
                          lambda src: (media_url(src, source.path, content_prefix) or src)
                          if is_relative(src) else src)
    if errs.items:
        raise BuildFailed(errs.items)
    body_html = markdown.rebase_links(body_html, base_path)
    # the summary and script come from the text alone (no captions), markers kept for OpenCC
    text = markdown.plain_text(markdown.FIGURE_PARAGRAPH.sub("", body_html), keep_markers=True)
    summary = summary if summary is not None else _auto_summary(text)
    script = f.script or detect(f"{title}\n{summary}\n{text[:300]}")
    tag_keys, tag_names = _unique_tags(f.tags, converter)
    warnings = [*_warnings(source.path, body, body_line), *_misspelt_keys(meta, source.path, errs.text),
                *remote_image_warnings(source.path, figures, links, body_line, errs.value_line)]
    fields = _Fields(title or "", summary, tag_names, f.category, figures, authors,
                     source_info.name if source_info else None,
                     summary_written="summary" in meta)
    made = {s: _version(converter, s, fields, body_html, base_path, original=s == script)
            for s in SCRIPTS}
    versions = {s: v for s, (v, _) in made.items()}
    warnings += residue_warnings(source.path, source.text, body_line, script, made[script][1])
    folded = _folded_text(versions["hans"])
    return Article(
        path=source.path, slug=f.slug or "", date=f.date, updated=f.updated, script=script,
        draft=f.draft, tag_keys=tag_keys,
        category_key=converter.fold(f.category) if f.category else None,
        authors=authors, source=source_info, syndicated=f.syndicated, figures=figures,
        extra=tuple(sorted((k, v) for k, v in meta.items() if k not in KNOWN)),
        text=folded,
        terms=text_features(folded),
        versions=versions, source_digest=source.digest,
        digest=hashlib.sha256(f"{source.digest}|{source.path}|{fingerprint}".encode()).hexdigest()[:20],
        warnings=tuple(warnings), slug_line=key_line(errs.text, "slug") or 1,
        companies=f.companies, companies_line=key_line(errs.text, "companies") or 1,
        links=tuple((body_line + line, kind, written, rendered)
                    for line, kind, written, rendered in links if in_site(rendered)),
    )


def _version(converter: ConverterLike, script: str, fields: _Fields, body_html: str,
             base_path: str, *, original: bool) -> tuple[Version, list[tuple[str, Any]]]:
    """The article in one script, and the other script's residue normalised away.

    Tags and the category are converted outright in both scripts (they are shared with other
    articles). In the script the curator wrote in, title, summary, captions, names and body
    are normalised (generator.core.residue): the other script's characters are converted, what is
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












def _unique_tags(tags: list[str], converter: ConverterLike) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(fold keys, names), first spelling of each identity kept."""
    keys: dict[str, str] = {}
    for name in tags:
        keys.setdefault(converter.fold(name), name)
    return tuple(keys), tuple(keys.values())
















def _check_markers(body: str, body_line: int, count: int, errs: Errors) -> None:
    """Every `{{figure N}}` names an existing figure."""
    for number, line in markdown.figure_markers(body):
        if not 1 <= number <= count:
            errs.items.append(SiteError(
                f"{{{{figure {number}}}}}: no such figure (the article has {count})",
                errs.path, body_line + line, "figures are numbered from 1 in `figures:`"))


def _rendered(render: Callable[..., str], body: str, body_line: int, errs: Errors,
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












_DUP_HINT = "give one of them another slug:"


def check_duplicate_slugs(articles: list[Article]) -> list[SiteError]:
    """One error per slug used by more than one file, naming both files."""
    if len({art.slug for art in articles}) == len(articles):
        return []  # the common case, decided without sorting 50,000 articles per rebuild
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

