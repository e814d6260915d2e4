"""An article's own tags (issue 12, part 4): what the page marks as this article's tags.

Preferred, in order: `article:tag` metas, JSON-LD `keywords`, rel=tag links or a visible
`标签：`/`Tags:` row (html/extract.py). Meta keywords come last and only as far as they are
about this article: a keyword found in neither the headline nor the text is the site's
(the same list on pages of every topic: 财经, 科技, 股票). Outlet and section names are never
tags. Every tag is converted into the article's script. Pure.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from generator.importer import metadata as meta

# a body line that is only the article's tag row: 標簽：台積電 晶片 / Tags: a, b
TAG_LINE = re.compile(r"^\s*(?:\*\*)?(?:标签|標籤|標簽|关键词|關鍵詞|关键字|關鍵字|Tags?)(?:\*\*)?\s*[:：]\s*(?P<t>.{1,120})$", re.I | re.M)


def structured_keywords(article_tags: tuple[str, ...], json_ld: list) -> str:
    """article:tag metas and JSON-LD keywords, comma-joined ("" when the page has none)."""
    found = list(article_tags)
    for item in json_ld:
        words = item.get("keywords")
        if isinstance(words, str):
            found.append(words)
        elif isinstance(words, list):
            found += [w for w in words if isinstance(w, str)]
    return ",".join(found)


def article_specific(tags: tuple[str, ...], title: str | None, body: str) -> tuple[str, ...]:
    """Meta keywords found in the headline or the text (folded), the rest are the site's."""
    text = meta.fold(f"{title or ''}\n{body}")
    return tuple(t for t in tags if meta.fold(t) and meta.fold(t) in text)


def tag_lines(body: str) -> tuple[str, tuple[str, ...], list[str]]:
    """(body without its tag rows, the tags they list, the removed lines)."""
    tags: list[str] = []
    removed: list[str] = []
    for match in TAG_LINE.finditer(body):
        removed.append(match.group(0).strip())
        listed = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1,", match.group("t"))  # [台積電](…) -> 台積電
        tags += [t.strip(" #*[]") for t in re.split(r"[\s,，、;；|｜/]+", listed) if t.strip(" #*[]")]
    if not removed:
        return body, (), []
    cleaned = re.sub(r"\n{3,}", "\n\n", TAG_LINE.sub("", body)).strip("\n") + "\n"
    return cleaned, tuple(dict.fromkeys(tags)), removed


def not_names(tags: tuple[str, ...], names: tuple[str | None, ...]) -> tuple[str, ...]:
    """Tags that are not the outlet's or a section's name."""
    folded = {meta.fold(n) for n in names if n}
    return tuple(t for t in tags if meta.fold(t) not in folded)


def in_script(tags: tuple[str, ...], script: str | None, convert: Callable[[str, str], str],
              text: str = "", detect: Callable[[str], str | None] | None = None) -> tuple[str, ...]:
    """Tags converted into the article's script, duplicates after conversion dropped. A tag
    the article's own text writes as it is, or that `detect` does not find in the other script,
    stays so: a converter may prefer a variant the article does not use (台積電 -> 臺積電)."""
    if script not in ("hant", "hans"):
        return tags
    other = "hans" if script == "hant" else "hant"

    def written(tag: str) -> bool:
        return tag in text or (detect is not None and detect(tag) != other)
    return tuple(dict.fromkeys(t if written(t) else convert(script, t) for t in tags))
