"""The page tree rendered into blocks (paragraphs, headings, list items, quotes, tables, figures)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from generator.importer import metadata as meta
from generator.importer.html.image_src import picked_src
from generator.importer.html.tree import BLOCK_TAGS, El, Rules, ancestors
from generator.importer.model import FigureInfo
from generator.core import urls
from generator.core.urls import is_safe_url


_HEADINGS = {"h1": 2, "h2": 2, "h3": 3, "h4": 4, "h5": 4, "h6": 4}


SENTENCE_END = re.compile(r"[。！？!?…；;」”\"）)]$")


@dataclass
class Block:
    """One rendered block of the page."""

    kind: str  # p, h, li, quote, table, figure
    md: str
    plain: str
    owner: El
    link_chars: int = 0
    chars: int = 0
    level: int = 0
    figure: FigureInfo | None = None
    removed: str | None = None


@dataclass
class _Inline:
    """Inline text being collected for the current block."""

    md: list[str] = field(default_factory=list)
    plain: list[str] = field(default_factory=list)
    link_chars: int = 0


# a sentence's end, then an indent of two or more visible spaces (U+3000, NBSP) before more text:
# the next paragraph, on pages that indent paragraphs inside one <p> or <div> instead of closing it
_INDENT_BREAK = re.compile(r"(?<=[。！？!?”」）])[ \t\r\n]*(?:[\u3000\xa0][ \t\r\n]*){2,}(?=\S)")


def _indented_paragraphs(plain: str, md: str, kind: str, link_chars: int) -> list[tuple[str, str]]:
    """(plain, Markdown) of each paragraph of a run of inline text: one, unless a plain
    paragraph without links holds indented paragraphs (then their link count is unknown)."""
    whole = [(meta.squash(plain), meta.squash(md))] if meta.squash(plain) else []
    if kind != "p" or link_chars or not _INDENT_BREAK.search(plain):
        return whole
    plains, mds = _INDENT_BREAK.split(plain), _INDENT_BREAK.split(md)
    if len(plains) != len(mds):
        return whole
    return [(meta.squash(a), meta.squash(b)) for a, b in zip(plains, mds) if meta.squash(a)]


# Chinese text (or its punctuation) at a line's end and at the next line's start
_CJK_END = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e][ \t]*$")
_CJK_START = re.compile(r"^\s*[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e]")


def _join_cjk_lines(text: str) -> str:
    """A text node with the source's line breaks inside Chinese running text removed: browsers
    show nothing there (CSS Text's segment break rule), not a space (從火\n場中). A short line
    (a name in a list of names) keeps its break, which becomes a space."""
    if "\n" not in text:
        return text
    lines = text.split("\n")
    out = lines[0]
    for line in lines[1:]:
        last = out.rsplit("\n", 1)[-1]
        glue = len(last.strip()) >= 8 and _CJK_END.search(out) and _CJK_START.match(line)
        out = out.rstrip(" \t") + line.lstrip() if glue else out + "\n" + line
    return out


class BlockRenderer:
    """Turns an El tree into a flat list of Blocks in reading order."""

    def __init__(self, base_url: str | None, rules: Rules) -> None:
        self.blocks: list[Block] = []
        self.base_url = base_url
        self.rules = rules
        self.inline = _Inline()
        self.owner: El | None = None
        self.pending: list[Block] = []  # figures waiting for the end of their paragraph
        self.unsafe_urls: list[str] = []  # image URLs dropped for their scheme

    def flush(self, owner: El, kind: str = "p", level: int = 0) -> None:
        """End the current inline run as a block."""
        if self.owner is None and not self.inline.plain:
            return  # nothing collected (most block boundaries)
        raw_plain, raw_md = "".join(self.inline.plain), "".join(self.inline.md)
        for plain, md in _indented_paragraphs(raw_plain, raw_md, kind, self.inline.link_chars):
            chars = sum(map(str.isalnum, plain))
            links = self.inline.link_chars if plain == meta.squash(raw_plain) else 0
            self.blocks.append(Block(kind, md, plain, self.owner or owner, links, chars, level))
        self.blocks.extend(self.pending)
        self.pending = []
        self.inline = _Inline()
        self.owner = None

    def text(self, s: str, el: El) -> None:
        """Add inline text."""
        if self.owner is None and s.strip():
            self.owner = el
        # only inside one text node: whitespace between two elements (<span>王小明</span>
        # <span>李四</span>) still separates them
        s = _join_cjk_lines(s.replace("\r", ""))
        self.inline.plain.append(s)
        self.inline.md.append(_escape_md(s))

    def render(self, el: El) -> None:
        """Render an element and its subtree (recursive; depth is bounded by flattening)."""
        tag = el.tag
        if tag == "br":
            self.flush(el)
            return
        if tag == "img":
            self.image(el)
            return
        if tag in _HEADINGS:
            self.flush(el)
            self.children(el)
            self.flush(el, "h", _HEADINGS[tag])
            return
        if tag == "li":
            self.flush(el)
            self.children(el)
            self.flush(el, "li", 1 if (el.parent and el.parent.tag == "ol") else 0)
            return
        if tag == "blockquote":
            self.quote(el)
            return
        if tag == "table" and _is_data_table(el):
            self.flush(el)
            self.table(el)
            return
        if tag == "a":
            self.link(el)
            return
        if tag in BLOCK_TAGS:
            self.flush(el)
            self.children(el)
            self.flush(el)
            return
        self.children(el)

    def quote(self, el: El) -> None:
        """A <blockquote>: its paragraphs become quote blocks."""
        self.flush(el)
        start = len(self.blocks)
        self.children(el)
        self.flush(el)
        for block in self.blocks[start:]:
            if block.kind == "p":
                block.kind = "quote"

    def children(self, el: El) -> None:
        """Render the children of an element."""
        for child in el.children:
            if isinstance(child, str):
                self.text(child, el)
            else:
                self.render(child)

    def link(self, el: El) -> None:
        """Inline link: Markdown link for absolute http(s) targets, else its text."""
        before_md = len(self.inline.md)
        before_plain = len(self.inline.plain)
        self.children(el)
        text = "".join(self.inline.plain[before_plain:])
        n = sum(1 for ch in text if ch.isalnum())
        self.inline.link_chars += n
        # only web links become Markdown links; any other target (a script button, an app
        # link) leaves its text, as it always did, so it is no removal worth reporting
        href = resolve_url(el.attr("href"), self.base_url)
        if href and text.strip() and urls.url_scheme(href) in ("http", "https") and is_safe_url(href):
            inner = meta.squash("".join(self.inline.md[before_md:]))
            del self.inline.md[before_md:]
            self.inline.md.append(f"[{inner}]({href.replace(' ', '%20').replace(')', '%29')})")

    def checked(self, url: str) -> str:
        """The image URL, or "" (and a recorded removal) when its scheme must not reach a page."""
        if url and not is_safe_url(url):
            self.unsafe_urls.append(url)
            return ""
        return url

    def image(self, el: El) -> None:
        """An <img>: a figure block if it is an article image."""
        src = self.checked(_image_src(el, self.base_url))
        if not src or not _is_article_image(el, src, self.rules):
            return
        alt = meta.squash(el.attr("alt")) or None
        block = Block("figure", "", "", el, figure=FigureInfo(caption=None, src=src, alt=alt))
        if self.owner is not None and not _closes_sentence("".join(self.inline.plain)):
            # a picture floated inside a sentence goes after its paragraph, not through it
            self.pending.append(block)
            return
        self.flush(el)
        self.blocks.append(block)

    def table(self, el: El) -> None:
        """A data table as a Markdown table."""
        rows = [[_cell_text(c) for c in r.children if isinstance(c, El) and c.tag in ("td", "th")]
                for r in _rows(el)]
        rows = [r for r in rows if any(r)]
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
        lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        plain = " ".join(" ".join(c for c in r if c) for r in rows)
        chars = sum(1 for ch in plain if ch.isalnum())
        self.blocks.append(Block("table", "\n".join(lines), plain, el, 0, chars))


def _closes_sentence(text: str) -> bool:
    """True when inline text so far ends at a sentence boundary (or is empty)."""
    stripped = text.rstrip()
    return not stripped or stripped[-1] in "。！？!?…；;」”\"）)：:"


def _escape_md(text: str) -> str:
    """Escape the few characters that would turn plain text into Markdown syntax."""
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("`", "\\`") \
        .replace("[", "\\[").replace("]", "\\]").replace("<", "&lt;")


def _cell_text(cell: El) -> str:
    """Text of a table cell, safe inside a Markdown table row."""
    return cell.text().replace("|", "\\|")


def _rows(table: El) -> list[El]:
    """The <tr> rows of a table (through thead/tbody, not into nested tables)."""
    rows: list[El] = []
    for child in table.children:
        if isinstance(child, El):
            if child.tag == "tr":
                rows.append(child)
            elif child.tag in ("tbody", "thead", "tfoot"):
                rows.extend(c for c in child.children if isinstance(c, El) and c.tag == "tr")
    return rows


def _is_data_table(table: El) -> bool:
    """A table of data (rows of short cells) rather than page layout."""
    rows = _rows(table)
    if len(rows) < 2:
        return False
    widths = []
    for row in rows:
        cells = [c for c in row.children if isinstance(c, El) and c.tag in ("td", "th")]
        for cell in cells:
            stack = list(cell.children)
            while stack:
                item = stack.pop()
                if isinstance(item, El):
                    if item.tag in ("table", "img", "p", "div", "ul", "ol", "h1", "h2", "h3", "iframe", "form"):
                        return False
                    stack.extend(item.children)
            if cell.chars > 120:
                return False
        widths.append(len(cells))
    if max(widths) < 2:
        return False
    return widths.count(max(widths)) >= len(widths) * 0.6 and table.link_chars < table.chars * 0.5


# `javascript:void(0)` and friends: a button's placeholder href, nothing to report
_NO_OP = re.compile(r"javascript:\s*(?:void\s*\(\s*0?\s*\)\s*;?|;|false;?)?\s*$", re.I)


def resolve_url(href: str, base: str | None) -> str:
    """Absolute URL for a link or image reference, unresolvable ones left as they are."""
    href = (href or "").strip()
    if not href or href.startswith("#") or _NO_OP.match(href):
        return ""  # in-page anchors and do-nothing script links are no article links
    if base and urls.url_scheme(href) is None:
        try:
            return urljoin(base, href)
        except ValueError:
            return href
    return href


def _image_src(el: El, base: str | None) -> str:
    """The real image URL (see image_src.picked_src), resolved against the page's base."""
    value = picked_src(el)
    return resolve_url(value, base) if value else ""


_INLINE_ALIGN = ("absmiddle", "middle", "texttop", "absbottom", "baseline")


def _is_article_image(el: El, src: str, rules: Rules) -> bool:
    """False for icons, ads, tracking pixels and other non-article images: by their size in
    the markup, their address, the link around them, or the page chrome they sit in (never by
    the file type: an animated GIF can be the story's picture)."""
    for key in ("width", "height"):
        value = re.match(r"\d+", el.attr(key))
        if value and int(value.group()) < 60:
            return False
    if rules.image_junk.search(src.lower()) or el.attr("align").lower() in _INLINE_ALIGN:
        return False  # aligned with the text line like a letter: an icon
    link = next((n for n in ancestors(el, 4) if n.tag == "a"), None)
    if link is not None and rules.image_ad_link.search(link.attr("href").lower()):
        return False
    return not el.chrome


def starts_text(block: Block) -> bool:
    """A block that starts the article's text: running text with a full stop."""
    return is_sentence_block(block) and (block.chars >= 60 or bool(re.search(r"[。！？!?…]", block.plain)))


def is_sentence_block(block: Block) -> bool:
    """A block of running text: long enough and with sentence punctuation."""
    return block.chars >= 15 and any(ch in "，。！？；,!?;" for ch in block.plain)
