"""Which element holds the article: block votes up the tree (Readability's propagation)."""
from __future__ import annotations

from generator.importer.html.blocks import Block, is_sentence_block
from generator.importer.html.tree import BLOCK_TAGS, El, nearest_block, nearest_tagged


def best_container(blocks: list[Block], top: El, headline: int | None = None) -> El:
    """The article container: each text block votes for the elements above it (Readability's
    propagation, decaying with distance); an element's votes shrink with its link density."""
    return choose_container(blocks, top, headline)[0]


def choose_container(blocks: list[Block], top: El, headline: int | None = None) -> tuple[El, float]:
    """The article container and its rival's share: the score of the best candidate outside
    it (neither holding it nor inside it) over the winner's (0 = no rival, 1 = a tie)."""
    votes: dict[int, float] = {}
    els: dict[int, El] = {}
    for block in blocks:
        if block.kind == "figure" or block.chars < 20 or block.owner.chrome:
            continue
        if block.link_chars > 0.5 * block.chars:
            continue
        s = 1.0 + sum(1 for ch in block.plain if ch in "，,。；;") + min(3.0, block.chars / 100)
        if block.kind == "li" or _in_teaser_item(block):
            s *= 0.3  # list items are rules, menus and teasers far more often than article text
        node = nearest_block(block.owner)
        level = 0
        while node is not None and level < 6:
            if node.tag in BLOCK_TAGS:
                # inline wrappers (font, span) do not count as a level: old pages nest them deeply
                share = s if level <= 1 else s / 2 if level == 2 else s / (3 * (level - 1))
                votes[id(node)] = votes.get(id(node), 0.0) + share
                els[id(node)] = node
                level += 1
            node = node.parent
    # the article follows its headline: candidates holding the text right after it count double
    after = [nearest_block(blocks[i].owner) for i in range(headline + 1, min(len(blocks), headline + 10))
             if is_sentence_block(blocks[i])] if headline is not None else []
    scored = _scores(votes, els, after)
    best, best_score = max(scored, key=lambda pair: pair[1], default=(top, -1.0))
    # a rival: the best candidate that neither holds nor sits inside the winner
    rival = max((score for el, score in scored if not el.inside(best) and not best.inside(el)), default=0.0)
    return best, (rival / best_score if best_score > 0 else 0.0)


def _in_teaser_item(block: Block) -> bool:
    """A paragraph inside a list item that also holds a link: a teaser's description (a link
    to another story, a line about it, its date), however the item sets its text."""
    item = nearest_tagged(block.owner, ("li",))
    return item is not None and item.link_chars > 0


def _scores(votes: dict[int, float], els: dict[int, El], after: list[El | None]) -> list[tuple[El, float]]:
    """(candidate, score): votes shrunk by link density, doubled when holding the text after the headline."""
    scored = []
    for key, vote in votes.items():
        el = els[key]
        if el.tag in _NOT_CONTAINERS or el.chrome:
            continue
        density = el.link_chars / el.chars if el.chars else 0.0
        score = vote * (1.0 - density)
        if any(node is not None and node.inside(el) for node in after):
            score *= 2.0
        scored.append((el, score))
    return scored


def with_lead_siblings(container: El) -> list[El]:
    """The container plus sibling paragraphs of running text beside it (a lead paragraph
    printed outside the body <div>, Readability's sibling rule)."""
    parent = container.parent
    if parent is None:
        return [container]
    parts = []
    for sibling in parent.children:
        if sibling is container:
            parts.append(container)
        elif isinstance(sibling, El) and not sibling.chrome \
                and sibling.tag in (("p", "div", "section", "blockquote") if not parts else ("p",)) \
                and sibling.chars - sibling.link_chars >= 60 and sibling.link_chars < 0.2 * sibling.chars \
                and sibling.punct >= 4:
            parts.append(sibling)
    return parts


_NOT_CONTAINERS = frozenset({"a", "p", "span", "font", "li", "h1", "h2", "h3", "h4", "b", "strong", "em", "i", "br"})
