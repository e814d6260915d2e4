"""What the HTML extraction saw that tells how sure it can be (read by importer.verdict).

Structural facts only, no site strings: how close the runner-up container came, whether the
headline is confirmed by the page's <title>, og:title or JSON-LD headline, and how much running
text the page shows outside the body that was kept.
"""
from __future__ import annotations

from generator.importer import metadata as meta
from generator.importer.html.blocks import Block, is_sentence_block
from generator.importer.html.head import Head


def title_refs(head: Head) -> list[str]:
    """The page's own statements of its headline: <title>, og:title, twitter:title, JSON-LD."""
    ld = [item.get("headline") for item in head.json_ld if isinstance(item.get("headline"), str)]
    refs = (head.title, head.metas.get("og:title"), head.metas.get("twitter:title"), head.wrapper_title, *ld)
    return [r for r in refs if r]


def title_confirmed(title: str | None, head: Head) -> bool | None:
    """True when the headline is in <title>/og:title/JSON-LD (or their headline part is in it);
    None when the page states no headline at all."""
    refs = title_refs(head)
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


def extraction_signals(blocks: list[Block], body_idx: list[int], headline: int | None, head: Head,
                       title: str | None, rival: float) -> dict:
    """The details entries importer.verdict reads."""
    return {
        "container_rival": round(rival, 3),
        "title_confirmed": title_confirmed(title, head),
        "text_outside": text_outside(blocks, body_idx, headline),
    }
