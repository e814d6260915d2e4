"""What the HTML extraction saw that tells how sure it can be (read by importer.verdict).

Structural facts only, no site strings: how close the runner-up container came, whether the
headline is confirmed by the page's <title>, og:title or JSON-LD headline, how much running
text the page shows outside the body that was kept, and second readings of the byline and of
the body's opening that disagree with what was chosen (a byline-shaped line nobody read, a
second headline or a photo caption opening the body).
"""
from __future__ import annotations

import re

from generator.importer import metadata as meta
from generator.importer.html.blocks import Block, is_sentence_block
from generator.importer.html.byline import byline_lines
from generator.importer.html.head import Head


def title_refs(head: Head) -> list[str]:
    """The page's own statements of its headline: <title>, og:title, twitter:title, JSON-LD."""
    ld = [item.get("headline") for item in head.json_ld if isinstance(item.get("headline"), str)]
    refs = (head.title, head.metas.get("og:title"), head.metas.get("twitter:title"), head.wrapper_title, *ld)
    return [r for r in refs if r]


_EMPTY_HEADLINE = re.compile(r"^\s*[-_|｜–—·:：]")


def title_confirmed(title: str | None, head: Head) -> bool | None:
    """True when the headline is in <title>/og:title/JSON-LD (or their headline part is in it);
    None when the page states no headline at all."""
    # a <title> that opens with its separator ("-铜雀历史网") is the site's template with the
    # headline left empty: it states no headline, so it can neither confirm nor contradict one
    refs = [r for r in title_refs(head) if not _EMPTY_HEADLINE.match(r)]
    if not refs:
        return None
    mine = meta.fold(title or "")
    if len(mine) < 2:
        return False
    for ref in refs:
        whole, inner = meta.fold(ref), meta.fold(meta.title_from_head(ref))
        if mine in whole or (len(inner) >= 6 and inner in mine):
            return True
    return False


def text_outside(blocks: list[Block], body_idx: list[int], headline: int | None) -> int:
    """Characters of running text the page shows outside the body: sentence blocks of little
    link text, not marked as chrome (a second article, or the article's own lost half)."""
    inside = set(body_idx)
    total = 0
    for i, block in enumerate(blocks):
        if i in inside or i == headline or block.owner.chrome or block.kind == "figure":
            continue
        if block.chars >= 40 and block.link_chars < 0.2 * block.chars and is_sentence_block(block):
            total += block.chars - block.link_chars
    return total


def byline_doubt(lines: list[str], authors: tuple[str, ...], source: str | None) -> str | None:
    """Why the byline reading is in doubt: byline-shaped lines and no author read from them,
    or authors taken from a weak place (metadata, after the body, a 来源 line) that none of
    those lines names. None when the readings agree."""
    if not lines:
        return None
    if not authors:
        return f"a byline-like line but no author read: {lines[0][:40]!r}"
    weak = source in ("meta", "after-body", "source-line")
    folded = [meta.fold(line) for line in lines]
    if weak and not any(meta.fold(name) in line for name in authors for line in folded):
        return f"the author {'、'.join(authors)} (from {source}) is not in the byline-like line {lines[0][:40]!r}"
    return None


_SENTENCE_CLOSE = re.compile(r"[。！？!?…；;」”\"）)]$")
_CAPTION_WORDS = re.compile(r"供图|供圖|摄$|攝$|摄\）|攝\）|图为|圖為|资料图|資料圖|图片来源|圖片來源|图片由|圖片由|^图[：:]|^圖[：:]")


# Dice coefficient of character pairs at which a line is a variant of the headline (姚明对周琦说了啥？
# 大魔王上下半场判若两人 / …周琦上下半场判若两人: 0.83); a section heading that shares the topic
# (2024年4月份居民消费价格同比上涨0.3% / 2024年4月全国CPI同比上涨0.3%…: 0.54) is not
HEADLINE_LIKENESS = 0.6


def _likeness(a: str, b: str) -> float:
    """Dice coefficient of two texts' character pairs."""
    pa, pb = ({t[k:k + 2] for k in range(len(t) - 1)} for t in (a, b))
    return 2 * len(pa & pb) / (len(pa) + len(pb)) if pa and pb else 0.0


def opening_doubt(body: str, title: str | None) -> str | None:
    """Why the body's opening may not be the text's start: a second headline (a short line
    without a full stop, much like the headline but not it), or a photo caption right after
    the opening picture."""
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    if not paragraphs:
        return None
    opens_with_figure = paragraphs[0].startswith("{{figure")
    first = next((p for p in paragraphs if not p.startswith(("{{figure", "#"))), "")
    plain = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", first).strip()
    chars = sum(map(str.isalnum, plain))
    if not plain or chars > 60 or _SENTENCE_CLOSE.search(plain):
        return None
    mine, theirs = meta.fold(plain), meta.fold(title or "")
    if chars <= 40 and mine != theirs and _likeness(mine, theirs) >= HEADLINE_LIKENESS:
        return f"the body opens with a second headline: {plain[:40]!r}"
    if opens_with_figure and _CAPTION_WORDS.search(plain):
        return f"the body opens with what looks like a photo caption: {plain[:40]!r}"
    return None


def _pairs(text: str) -> set[str]:
    """Character pairs of a folded text."""
    folded = meta.fold(text)
    return {folded[k:k + 2] for k in range(len(folded) - 1)}


def description_doubt(head: Head, blocks: list[Block], body_idx: list[int], body: str,
                      title: str | None) -> str | None:
    """Why the body may have lost its lead or be another article: the page's own description
    (a sentence of 20 characters or more, not the headline again) is a paragraph of the page
    that the body does not hold (most sites write the description from the lead)."""
    text = meta.squash(head.metas.get("description", "") or head.metas.get("og:description", ""))
    wanted = _pairs(re.sub(r"(\.{3}|…)+$", "", text))
    if len(wanted) < 20 or len(wanted & _pairs(f"{title or ''}{head.title}")) >= 0.5 * len(wanted):
        return None
    if len(wanted & _pairs(body[:1500])) >= 0.7 * len(wanted):
        return None
    inside = set(body_idx)
    for i, block in enumerate(blocks):
        if i not in inside and block.chars >= 20 and not block.owner.chrome and block.kind != "figure" \
                and len(wanted & _pairs(block.plain)) >= 0.8 * len(wanted):
            return f"the page's description is text the body does not hold: {block.plain[:40]!r}"
    return None


def extraction_signals(blocks: list[Block], body_idx: list[int], headline: int | None, head: Head,
                       title: str | None, rival: float, body: str = "", authors: tuple[str, ...] = (),
                       author_from: str | None = None, not_names: frozenset[str] = frozenset()) -> dict:
    """The details entries importer.verdict reads."""
    return {
        "container_rival": round(rival, 3),
        "title_confirmed": title_confirmed(title, head),
        "text_outside": text_outside(blocks, body_idx, headline),
        "byline_doubt": byline_doubt(byline_lines(blocks, body_idx, headline, not_names), authors, author_from),
        "opening_doubt": opening_doubt(body, title),
        "description_doubt": description_doubt(head, blocks, body_idx, body, title),
    }
