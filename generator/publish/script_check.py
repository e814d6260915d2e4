"""The conversion check of `newsarchive check`: no page shows the other script's characters.

Every built HTML page under each script's folder is read back; its text nodes and alt/title
values go through the build's own detector (generator.core.residue via
Converter.normalise_many), with the `-{…}-` spans of the article's source marked again
(the build dropped the markers) and glossary terms protected as in conversion. Each finding
is reported once, at the content file's line for an article page
(`content/2025/x.md:12: Simplified 基于 on the Traditional page (基於?)`), else at the page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from generator.core.errors import SiteError
from generator.core.frontmatter import split_front_matter
from generator.core.model import PREFIXES
from generator.core.residue import finding_message
from generator.core.chinese import Converter, _split_html

_SPAN = re.compile(r"-\{(.*?)\}-", re.S)
_ARTICLE_PAGE = re.compile(r"articles/([^/]+)/index\.html$")
# an element marked as the other script's text (the toggle's 简体中文 on a Traditional page)
_OTHER_LANG = {script: re.compile(rf"""<(\w+)\b[^>]*\blang=["']?{lang}\b[^>]*>.*?</\1\s*>""", re.I | re.S)
               for script, lang in (("hant", "zh-Hans"), ("hans", "zh-Hant"))}


@dataclass(frozen=True)
class _Source:
    """An article's content file: where it is, its lines and its `-{…}-` spans."""

    path: str
    lines: tuple[str, ...]
    spans: tuple[str, ...]


def article_sources(content: Path, root: Path) -> dict[str, _Source]:
    """{slug: _Source} of every readable article under content/ (others are the build's errors)."""
    found: dict[str, _Source] = {}
    for file in sorted(content.rglob("*.md")):
        rel = file.relative_to(root).as_posix()
        try:
            text = file.read_text(encoding="utf-8")
            meta, _, _ = split_front_matter(text, rel)
        except (SiteError, UnicodeDecodeError):
            continue
        slug = str(meta.get("slug") or file.stem)
        spans = tuple(sorted({s for s in _SPAN.findall(text) if s}, key=len, reverse=True))
        found[slug] = _Source(rel, tuple(text.split("\n")), spans)
    return found


def page_texts(html: str, spans: tuple[str, ...], script: str,
               labels: frozenset[str] = frozenset()) -> list[str]:
    """The convertible texts of a page in `script`, the source's `-{…}-` spans marked again.

    Elements whose lang is the other script's, and texts that are exactly the other
    script's name (`labels`, the toggle's 简体中文), are that script's text by design.
    """
    parts, spots = _split_html(_OTHER_LANG[script].sub("", html))
    texts = []
    for i in spots:
        text = parts[i]
        if text.strip() in labels:
            continue
        for span in spans:
            if span in text:
                text = text.replace(span, f"-{{{span}}}-")
        texts.append(text)
    return texts


def check_scripts(out: Path, content: Path, root: Path, converter: Converter,
                  labels: dict[str, str] | None = None) -> list[str]:
    """Every page's other-script characters, each `where: message` once.

    `labels`: {script: its name in the theme (script_label)}, shown on the other's pages.
    """
    sources = article_sources(content, root)
    seen: dict[tuple[str, str], str] = {}
    for script, prefix in PREFIXES.items():
        folder = out / prefix.strip("/")
        for page in sorted(folder.rglob("*.html")) if folder.is_dir() else ():
            match = _ARTICLE_PAGE.search(page.relative_to(folder).as_posix())
            source = sources.get(match.group(1)) if match else None
            html = page.read_text(encoding="utf-8")
            others = frozenset(v for s, v in (labels or {}).items() if s != script)
            texts = page_texts(html, source.spans if source else (), script, others)
            _, changes = converter.normalise_many(script, texts)
            for change in (c for cs in changes for c in cs):
                where = _where(source, change.found) if source else page.relative_to(out).as_posix()
                seen.setdefault((where, change.found), f"{where}: {finding_message(script, change)}")
    return list(seen.values())


def _where(source: _Source, found: str) -> str:
    """path:line of the first source line showing `found` (line 1 when none does)."""
    line = next((i + 1 for i, text in enumerate(source.lines) if found in text), 1)
    return f"{source.path}:{line}"
