"""One raw page -> one described article: decode, extract (HTML or text), repair artefacts, describe.

`import_page` is pure (bytes in, `Extracted` out, `SiteError` for a page that cannot become
an article); `render.render_article` turns the result into the article file's path and text.
Reading and writing files is the job of `inputs`, `store` and `batch`.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from generator.core.errors import SiteError
from generator.importer import artefacts, verdict
from generator.importer import tags as page_tags
from generator.importer.decode import decode
from generator.importer.html.extract import extract_html
from generator.importer.model import Extracted, Removal
from generator.importer.text.extract import extract_text

_MAGIC = (b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"%PDF", b"PK\x03\x04", b"\x1f\x8b", b"Rar!",
          b"\x7fELF", b"MZ", b"\x00\x00\x01\x00", b"RIFF", b"OggS", b"ID3", b"\xd0\xcf\x11\xe0")
# bytes that never occur in text files (tab, newlines, form feed and ESC excepted)
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27))
_HTML_SNIFF = re.compile(rb"<(!doctype\s+html|html|head|body|meta|div|p|article|title)\b", re.I)
# Fewer CJK characters and Latin words than this: not an article (an index or error page).
_MIN_ARTICLE_CHARS = 60
_SUGGESTED_TAGS = 5


@dataclass(frozen=True)
class SiteKnowledge:
    """What the importer knows about the archive it imports into (all pure values)."""

    # glossary terms, each as its written forms (hant, hans)
    terms: tuple[tuple[str, ...], ...] = ()
    # tag names already used by articles in the archive
    known_tags: tuple[str, ...] = ()
    # --tag values, added to every page
    extra_tags: tuple[str, ...] = ()
    # --category value, overriding the page's own
    category: str | None = None
    # maps either script to one canonical form (generator.core.chinese.Converter.fold)
    fold: Callable[[str], str] = str
    # "hant" / "hans" / None for a text (generator.core.chinese.Converter.detect_script)
    detect: Callable[[str], str | None] = artefacts.default_detect
    # the site converter's residue repair (generator.core.chinese.Converter.normalise_many)
    normalise: artefacts.Normalise = artefacts.default_normalise
    # (folded title, folded body) -> company ids named, most mentioned first
    # (generator.core.company_match.detect with the site's companies)
    companies: Callable[[str, str], tuple[str, ...]] = lambda title, body: ()
    # (script, text) -> the text in that script (generator.core.chinese.Converter.text)
    convert: Callable[[str, str], str] = lambda script, text: text


# --------------------------------------------------------------------------- checks

def check_raw(raw: bytes, name: str) -> tuple[bytes, tuple[str, ...]]:
    """Refuse empty and binary input; strip stray NUL bytes with a warning."""
    if not raw.strip():
        raise SiteError("empty file: nothing to import", name, hint="check the saved page")
    utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff"))
    if raw.startswith(_MAGIC) and not utf16:
        raise SiteError("binary file (an image, archive or document), not a web page", name,
                        hint="import the .html or .txt copy of the article")
    if utf16:
        return raw, ()
    sample = raw[:65536]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > 0.02 * len(sample):
        raise SiteError(f"binary content ({controls} control bytes in the first "
                        f"{len(sample)}), not a web page", name,
                        hint="import the .html or .txt copy of the article")
    nuls = raw.count(b"\x00")
    if nuls:
        return raw.replace(b"\x00", b""), (f"removed {nuls} NUL byte(s) from the file",)
    return raw, ()


def is_html(raw: bytes, name: str) -> bool:
    """HTML by file extension, else by the first tags in the bytes."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in (".html", ".htm", ".shtml", ".xhtml"):
        return True
    if suffix == ".txt":
        return False
    return bool(_HTML_SNIFF.search(raw[:4096]))


def _looks_truncated(text: str) -> bool:
    """HTML that never closes its body or document (saved or fetched only in part)."""
    tail = text[-4096:].lower()
    return "</html" not in tail and "</body" not in tail


# --------------------------------------------------------------------------- stages

def extract(text: str, *, html: bool, url: str | None,
            detect: Callable[[str], str | None] | None = None) -> Extracted:
    """Dispatch to the HTML or the plain-text extractor."""
    if html:
        return extract_html(text, url=url, detect=detect)
    return extract_text(text, url=url)


def _body_chars(body: str) -> int:
    """Article characters in a Markdown body (CJK characters and Latin words)."""
    text = re.sub(r"\{\{figure \d+\}\}|^#+\s", "", body, flags=re.M)
    return len(re.findall(r"[\u3400-\u9fff]|[A-Za-z0-9]+", text))


def _outside(text: str, key: str, longer: list[str]) -> int:
    """Occurrences of key in text that are not part of an occurrence of a longer term."""
    covered = [False] * len(text)
    for other in longer:
        for m in re.finditer(re.escape(other), text):
            covered[m.start():m.end()] = [True] * (m.end() - m.start())
    return sum(1 for m in re.finditer(re.escape(key), text) if not all(covered[m.start():m.end()]))


def suggest_tags(extracted: Extracted, site: SiteKnowledge) -> tuple[str, ...]:
    """Page tags and --tag values, then archive tags and glossary terms the story is about.

    A term is suggested when it occurs (in either script) in the title or summary, or, for
    tags the archive already uses, at least three times in the body; a term that only
    occurs inside a longer suggested one (商湯 in 商湯醫療) is not suggested again.
    """
    head = site.fold(f"{extracted.title or ''}\n{extracted.summary or ''}")
    body = site.fold(extracted.body)
    chosen: dict[str, str] = {}
    for name in (*extracted.tags, *site.extra_tags):
        chosen.setdefault(site.fold(name), name)
    known = {site.fold(t): t for t in site.known_tags}
    names = dict(known)
    for forms in site.terms:
        names.setdefault(site.fold(forms[0]), forms[0])
    keys = sorted((k for k in names if len(k) >= 2 and k not in chosen), key=len, reverse=True)
    scored: list[tuple[int, int, int, str]] = []
    for key in keys:
        if key not in head and body.count(key) < 3:
            continue
        longer = [k for k in (*keys, *chosen) if len(k) > len(key) and key in k]
        in_head = _outside(head, key, longer)
        in_body = _outside(body, key, longer)
        if in_head or (key in known and in_body >= 3):
            scored.append((-in_head, -in_body, body.find(key), key))
    for *_, key in sorted(scored)[:max(0, _SUGGESTED_TAGS - len(chosen))]:
        chosen.setdefault(key, names[key])
    return tuple(chosen.values())


def own_summary(summary: str | None, body: str) -> str | None:
    """The page's own dek or description, unless it only repeats the body's opening (its
    first sentence, or a cut prefix of it): a summary is never a copy of the lead."""
    if not summary:
        return None
    folded = re.sub(r"[\W_]+", "", summary.removesuffix("…").removesuffix("...")).lower()
    lead = next((p for p in artefacts.split_paragraphs(body) if not p.startswith(("#", "{{", ">", "|"))), "")
    opening = re.sub(r"[\W_]+", "", lead).lower()
    return None if len(folded) >= 4 and opening.startswith(folded) else summary


# lines about the article that left the body: a tag written there is written in the article's script
_ARTICLE_LINES = frozenset({"byline", "article-meta", "dateline", "date-line", "source-line", "deck", "subtitle"})


def _article_text(extracted: Extracted) -> str:
    """The headline, the body and the article's own lines that left it (its byline, dateline)."""
    lines = [t for r in extracted.removals if r.rule in _ARTICLE_LINES for t in r.texts]
    return "\n".join([extracted.title or "", extracted.body, *lines])


def finish(extracted: Extracted, site: SiteKnowledge, name: str) -> Extracted:
    """Final metadata: refuse pages without title or text, tags, category, summary, draft warning."""
    if not extracted.title:
        raise SiteError("no headline found: not an article page?", name,
                        hint="import the article's own page, not a list or index page")
    if _body_chars(extracted.body) < _MIN_ARTICLE_CHARS:
        raise SiteError("no article text found (an index or list page, or an empty article?)",
                        name, hint="import the article's own page")
    warnings = list(extracted.warnings)
    if not extracted.date:
        warnings.append("no publication date found: written as an undated draft; "
                        "add `date:` and remove `draft: true` to publish it")
    body, line_tags, tag_rows = page_tags.tag_lines(extracted.body)
    if tag_rows:
        extracted = replace(extracted, body=body, tags=(*extracted.tags, *line_tags),
                            removals=(*extracted.removals, Removal("tag-line", tuple(tag_rows))))
    described = replace(
        extracted,
        tags=page_tags.in_script(suggest_tags(extracted, site), extracted.script, site.convert,
                                 _article_text(extracted), site.detect),
        companies=site.companies(site.fold(extracted.title), site.fold(extracted.body)),
        category=site.category or extracted.category,
        summary=own_summary(extracted.summary, extracted.body),
        warnings=tuple(dict.fromkeys(warnings)),
    )
    return replace(described, review=verdict.assess(described))


def import_page(raw: bytes, *, name: str, url: str | None, site: SiteKnowledge,
                declared: str | None = None) -> Extracted:
    """Raw page bytes -> a repaired, described article; SiteError when it cannot be one."""
    raw, warnings = check_raw(raw, name)
    decoded = decode(raw, declared=declared)
    if decoded.lossy_bytes:
        share = decoded.lossy_bytes / max(len(raw), 1)
        if share > 0.05:
            raise SiteError(f"{decoded.lossy_bytes} bytes cannot be decoded as {decoded.encoding}",
                            name, hint="the file is damaged or not a text page")
        warnings += (f"{decoded.lossy_bytes} byte(s) could not be decoded as {decoded.encoding} "
                     "(mixed encodings?): check the text for � characters",)
    html = is_html(raw, name)
    if html and _looks_truncated(decoded.text):
        warnings += ("the page looks truncated (no </body> or </html>): check its end",)
    # controls and pinyin go before extraction so line lengths and headings see clean text
    text, controls = artefacts.strip_controls(decoded.text)
    text, pinyin = artefacts.strip_pinyin(text)
    page = extract(text, html=html, url=url, detect=site.detect)
    script = page.script or site.detect(f"{page.title or ''}\n{page.body[:3000]}")
    page = replace(page, script=script, source_url=page.source_url or url,
                   removals=(controls, pinyin, *page.removals),
                   warnings=(*warnings, *page.warnings),
                   details={**page.details, "encoding": decoded.encoding,
                            "declared_charset": decoded.declared,
                            "lossy_bytes": decoded.lossy_bytes})
    return finish(artefacts.repair(page, script=script, normalise=site.normalise), site, name)
