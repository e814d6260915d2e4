"""HTML page -> Extracted: the article's blocks as Markdown, its metadata, and what was removed.

How the article is found (general rules, no per-site code; site knowledge lives in
rules/html.yml):
1. The page is parsed with selectolax (lexbor) into a small tree of `El`; scripts, styles,
   form controls and hidden elements are dropped. Elements whose class/id name page chrome
   (`chrome_class`) are marked, not deleted, so metadata can still be read there; a mark on an
   element that holds the article markup (an unclosed ad <div>) is lifted.
2. The whole page is rendered into blocks (paragraphs, headings, list items, quotes, tables,
   figures). The headline is the block that best matches <title>/og:title/JSON-LD.
3. Each block of running text votes for the elements above it (Readability's propagation,
   decaying with distance; inline wrappers do not count as levels); an element's votes shrink
   with its link density, and double when it holds the text right after the headline. The best
   element is the article container; lead paragraphs beside it join it.
4. The date and bylines are read near the headline, then from markup and metadata. The body is
   the container's blocks after the headline, without furniture before the first sentence
   (date lines, bylines, decks, site names), chrome blocks, link lists, boilerplate lines,
   "related" teasers and closing notices; captions go to figures.
"""
from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import yaml
from selectolax.lexbor import LexborHTMLParser, LexborNode

from generator.importer import metadata as meta
from generator.importer.model import Extracted, FigureInfo, Removal

_RULES_FILE = Path(__file__).with_name("rules") / "html.yml"

_SKIP_TAGS = frozenset({
    "script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "select",
    "option", "button", "input", "textarea", "head", "link", "meta", "canvas", "map", "area",
    "audio", "video", "source", "title", "-comment", "math", "param", "label",
})
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "center",
    "dd", "dt", "dl", "form", "fieldset", "address", "figure", "figcaption", "body", "html",
    "text", "font-block", "hr", "pre", "details", "summary", "caption", "tbody", "thead",
    "tfoot", "tr", "td", "th", "table", "ul", "ol", "li", "blockquote", "h1", "h2", "h3",
    "h4", "h5", "h6", "span-block",
})
_MAX_DEPTH = 120
_HEADINGS = {"h1": 2, "h2": 2, "h3": 3, "h4": 4, "h5": 4, "h6": 4}
_PUNCT = frozenset("，。！？；：、“”「」,!?;")
_SENTENCE_END = re.compile(r"[。！？!?…；;」”\"）)]$")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_CAPTION_CLASS = re.compile(r"caption|pic|img|photo|figure|desc|note|tuzhu|imgtext|explain", re.I)
_DATE_ONLY_LINE = re.compile(r"^[\s\d:：/\-.年月日时時分秒星期周週一二三四五六日天()（）\[\]【】|｜APMapm上下午发布發布更新时间時間日期]*$")


@dataclass(frozen=True, eq=False)  # hashed by identity: it is a cache key, loaded once
class Rules:
    """Compiled rules/html.yml."""

    chrome_class: re.Pattern
    content_hint: re.Pattern
    short_line: int
    line_rules: tuple[tuple[str, re.Pattern], ...]
    source_line: re.Pattern
    original_title: re.Pattern
    related_heading: re.Pattern
    image_junk: re.Pattern
    meta_line: re.Pattern
    subtitle_class: re.Pattern
    disclaimer: re.Pattern
    weak_rules: frozenset[str]
    script_dates: tuple[re.Pattern, ...]
    not_names: frozenset[str]


@functools.lru_cache(maxsize=4)
def load_rules(path: Path = _RULES_FILE) -> Rules:
    """Read and compile the extraction rules (cached: they never change during a run)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))

    def rx(key: str) -> re.Pattern:
        return re.compile(re.sub(r"\s+", "", data[key]) if key == "chrome_class" else data[key], re.I)

    return Rules(
        chrome_class=rx("chrome_class"),
        content_hint=rx("content_hint"),
        short_line=int(data["short_line"]),
        line_rules=tuple((name, re.compile(p, re.I)) for name, p in data["line_rules"].items()),
        source_line=rx("source_line"),
        original_title=rx("original_title"),
        related_heading=rx("related_heading"),
        image_junk=rx("image_junk"),
        meta_line=rx("meta_line"),
        subtitle_class=rx("subtitle_class"),
        disclaimer=rx("disclaimer"),
        weak_rules=frozenset(data["weak_rules"]),
        script_dates=tuple(re.compile(p) for p in data["script_dates"]),
        not_names=frozenset(data["not_names"]),
    )


# ----------------------------------------------------------------------------- tree


@dataclass(eq=False, slots=True)
class El:
    """A parsed element with the text statistics of its subtree."""

    tag: str
    attrs: dict
    parent: El | None
    children: list = field(default_factory=list)  # El | str
    chrome: str | None = None  # chrome rule that marked this element (or an ancestor)
    chars: int = 0  # letters and digits below, outside chrome
    link_chars: int = 0
    punct: int = 0
    own: tuple[int, int] | None = None  # (letters and digits, punctuation) of its own text

    def attr(self, name: str) -> str:
        """Attribute value or ""."""
        return self.attrs.get(name) or ""

    def text(self) -> str:
        """All text below, whitespace collapsed."""
        parts: list[str] = []
        stack: list = [self]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                parts.append(item)
            else:
                stack.extend(reversed(item.children))
        return meta.squash(" ".join(parts))

    def inside(self, other: El) -> bool:
        """True when `other` is this element or one of its ancestors."""
        node: El | None = self
        while node is not None:
            if node is other:
                return True
            node = node.parent
        return False


def _is_hidden(attrs: dict) -> bool:
    """Hidden by inline style or the hidden attribute."""
    style = attrs.get("style") or ""
    return "hidden" in attrs or bool(style and _HIDDEN_STYLE.search(style))


def build_tree(root: LexborNode, rules: Rules) -> El:
    """Convert the parsed document into an El tree (iteratively: pages nest deeply)."""
    top = El("body", {}, None)
    stack: list[tuple[LexborNode, El, int]] = [(child, top, 1) for child in _children(root)][::-1]
    while stack:
        node, parent, depth = stack.pop()
        tag = node.tag
        if tag == "-text":
            text = node.text_content
            if text:
                parent.children.append(text)
            continue
        if tag in _SKIP_TAGS or tag is None or tag.startswith("-"):
            continue
        attrs = {k: (v or "") for k, v in node.attributes.items()}
        if _is_hidden(attrs):
            continue
        if depth > _MAX_DEPTH:
            # absurd nesting (broken markup): flatten so rendering stays within the recursion limit
            stack.extend((child, parent, depth) for child in reversed(_children(node)))
            continue
        el = El(tag, attrs, parent)
        el.chrome = _chrome_rule(tag, attrs, rules)
        parent.children.append(el)
        stack.extend((child, el, depth + 1) for child in reversed(_children(node)))
    return top


def _children(node: LexborNode) -> list[LexborNode]:
    """Child nodes of a selectolax node, in order (text nodes included)."""
    return list(node.iter(include_text=True))

def _chrome_rule(tag: str, attrs: dict, rules: Rules) -> str | None:
    """Name of the chrome kind an element's tag/class/id says it is, if any."""
    if tag in ("nav", "aside"):
        return "navigation"
    if tag == "footer":
        return "footer"
    names = " ".join(attrs.get(k) or "" for k in ("class", "id")).strip()
    return _chrome_names(names, rules) if names else None


@functools.lru_cache(maxsize=8192)
def _chrome_names(names: str, rules: Rules) -> str | None:
    """_chrome_rule for one class/id string (cached: pages repeat the same few names)."""
    for token in names.split():
        match = rules.chrome_class.search(token)
        if match and not rules.content_hint.search(token):
            return "chrome:" + match.group(2).lower()
    return None


def _post_order(top: El) -> list[El]:
    """All elements, children before parents."""
    order: list[El] = []
    stack = [top]
    while stack:
        el = stack.pop()
        order.append(el)
        stack.extend(c for c in el.children if isinstance(c, El))
    order.reverse()
    return order


def _text_stats(el: El) -> tuple[int, int]:
    """Letters/digits and sentence punctuation in an element's own text nodes (cached)."""
    if el.own is None:
        text = "".join(c for c in el.children if isinstance(c, str))
        el.own = (sum(map(str.isalnum, text)), sum(map(text.count, _PUNCT)) if el.tag != "a" else 0)
    return el.own


def score_tree(top: El, order: list[El] | None = None) -> None:
    """Fill chars, link_chars and punct bottom-up; chrome subtrees count for nothing."""
    for el in order or _post_order(top):
        chars, punct = _text_stats(el)
        in_link = el.tag == "a"
        link = chars if in_link else 0
        for child in el.children:
            if isinstance(child, El) and not child.chrome:
                chars += child.chars
                link += child.chars if in_link else child.link_chars
                punct += child.punct
        el.chars, el.link_chars, el.punct = chars, link, punct


def _holders(order: list[El], test) -> set[int]:
    """ids of the elements that contain (strictly below them) an element passing `test`."""
    found: set[int] = set()
    for el in order:
        if test(el):
            node = el.parent
            while node is not None and id(node) not in found:
                found.add(id(node))
                node = node.parent
    return found


def settle_chrome(top: El) -> None:
    """Unmark "chrome" that holds the article (an unclosed ad <div> swallowing the rest of the
    page), then let every element inherit its ancestors' chrome mark."""
    order = _post_order(top)
    marks = {id(el): el.chrome for el in order}
    for el in order:
        el.chrome = None
    score_tree(top, order)
    holds_article = _holders(order, lambda el: el.tag in ("article", "h1") or el.attr("itemprop") == "articleBody")
    for el in reversed(order):  # parents before children
        own = marks[id(el)]
        if own and el.punct >= 10 and id(el) in holds_article:
            own = None
        el.chrome = (el.parent.chrome if el.parent is not None else None) or own
    score_tree(top, order)


def best_container(blocks: list[Block], top: El, headline: int | None = None) -> El:
    """The article container: each text block votes for the elements above it (Readability's
    propagation, decaying with distance); an element's votes shrink with its link density."""
    votes: dict[int, float] = {}
    els: dict[int, El] = {}
    for block in blocks:
        if block.kind == "figure" or block.chars < 20 or block.owner.chrome:
            continue
        if block.link_chars > 0.5 * block.chars:
            continue
        s = 1.0 + sum(1 for ch in block.plain if ch in "，,。；;") + min(3.0, block.chars / 100)
        if block.kind == "li":
            s *= 0.3  # list items are rules, menus and teasers far more often than article text
        node = _nearest_block(block.owner)
        level = 0
        while node is not None and level < 6:
            if node.tag in _BLOCK_TAGS:
                # inline wrappers (font, span) do not count as a level: old pages nest them deeply
                share = s if level <= 1 else s / 2 if level == 2 else s / (3 * (level - 1))
                votes[id(node)] = votes.get(id(node), 0.0) + share
                els[id(node)] = node
                level += 1
            node = node.parent
    # the article follows its headline: candidates holding the text right after it count double
    after = [_nearest_block(blocks[i].owner) for i in range(headline + 1, min(len(blocks), headline + 10))
             if _is_sentence_block(blocks[i])] if headline is not None else []
    best, best_score = top, -1.0
    for key, vote in votes.items():
        el = els[key]
        if el.tag in _NOT_CONTAINERS or el.chrome:
            continue
        density = el.link_chars / el.chars if el.chars else 0.0
        score = vote * (1.0 - density)
        if any(node is not None and node.inside(el) for node in after):
            score *= 2.0
        if score > best_score:
            best, best_score = el, score
    return best


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


def _nearest_block(el: El) -> El | None:
    """The block-level element a block's text belongs to."""
    node: El | None = el
    while node is not None and node.tag not in _BLOCK_TAGS:
        node = node.parent
    return node


# ----------------------------------------------------------------------------- blocks


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


class _Renderer:
    """Turns an El tree into a flat list of Blocks in reading order."""

    def __init__(self, base_url: str | None, rules: Rules) -> None:
        self.blocks: list[Block] = []
        self.base_url = base_url
        self.rules = rules
        self.inline = _Inline()
        self.owner: El | None = None
        self.pending: list[Block] = []  # figures waiting for the end of their paragraph

    def flush(self, owner: El, kind: str = "p", level: int = 0) -> None:
        """End the current inline run as a block."""
        if self.owner is None and not self.inline.plain:
            return  # nothing collected (most block boundaries)
        plain = meta.squash("".join(self.inline.plain))
        if plain:
            md = meta.squash("".join(self.inline.md))
            chars = sum(map(str.isalnum, plain))
            self.blocks.append(Block(kind, md, plain, self.owner or owner, self.inline.link_chars, chars, level))
        self.blocks.extend(self.pending)
        self.pending = []
        self.inline = _Inline()
        self.owner = None

    def text(self, s: str, el: El) -> None:
        """Add inline text."""
        if self.owner is None and s.strip():
            self.owner = el
        s = s.replace("\r", "")
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
            self.flush(el)
            start = len(self.blocks)
            self.children(el)
            self.flush(el)
            for block in self.blocks[start:]:
                if block.kind == "p":
                    block.kind = "quote"
            return
        if tag == "table" and _is_data_table(el):
            self.flush(el)
            self.table(el)
            return
        if tag == "a":
            self.link(el)
            return
        if tag in _BLOCK_TAGS:
            self.flush(el)
            self.children(el)
            self.flush(el)
            return
        self.children(el)

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
        href = _resolve(el.attr("href"), self.base_url)
        if href and text.strip() and href.startswith(("http://", "https://")):
            inner = meta.squash("".join(self.inline.md[before_md:]))
            del self.inline.md[before_md:]
            self.inline.md.append(f"[{inner}]({href.replace(' ', '%20').replace(')', '%29')})")

    def image(self, el: El) -> None:
        """An <img>: a figure block if it is an article image."""
        src = _image_src(el, self.base_url)
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


def _resolve(href: str, base: str | None) -> str:
    """Absolute URL for a link or image reference, unresolvable ones left as they are."""
    href = (href or "").strip()
    if not href or href.startswith(("javascript:", "#", "mailto:")):
        return ""
    if base and not href.startswith(("http://", "https://", "data:")):
        try:
            return urljoin(base, href)
        except ValueError:
            return href
    return href


def _image_src(el: El, base: str | None) -> str:
    """The real image URL: lazy-loading attributes before src; data: placeholders skipped."""
    for key in ("data-src", "data-original", "data-lazy-src", "data-url", "original", "data-echo",
                "data-actualsrc", "file", "src"):
        value = el.attr(key).strip()
        if value and not value.startswith("data:"):
            return _resolve(value, base)
    srcset = el.attr("srcset") or el.attr("data-srcset")
    if srcset:
        first = srcset.split(",")[0].strip().split(" ")[0]
        if first and not first.startswith("data:"):
            return _resolve(first, base)
    return ""


def _is_article_image(el: El, src: str, rules: Rules) -> bool:
    """False for icons, ads, tracking pixels and other non-article images."""
    for key in ("width", "height"):
        value = re.match(r"\d+", el.attr(key))
        if value and int(value.group()) < 60:
            return False
    if rules.image_junk.search(src.lower()):
        return False
    return not el.chrome


# ----------------------------------------------------------------------------- page


@dataclass(frozen=True)
class Head:
    """What the <head> (and a crawler wrapper) says about the page."""

    title: str
    metas: dict
    json_ld: list
    canonical: str | None
    wrapper_url: str | None
    wrapper_title: str | None
    # a publication time set by the page's own script (rules/html.yml script_dates)
    script_date: str | None = None


def read_head(tree: LexborHTMLParser, rules: Rules | None = None) -> Head:
    """Collect <title>, <meta>, JSON-LD, canonical link and the crawler <text> wrapper."""
    title_node = tree.css_first("title")
    metas: dict[str, str] = {}
    for node in tree.css("meta"):
        attrs = node.attributes
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").strip().lower()
        value = (attrs.get("content") or "").strip()
        if key and value and key not in metas:
            metas[key] = value
    json_ld = meta.json_ld_items([n.text(deep=True) for n in tree.css('script[type="application/ld+json"]')])
    canonical = None
    node = tree.css_first('link[rel="canonical"]')
    if node is not None:
        canonical = node.attributes.get("href")
    wrapper = tree.css_first("text[id]")
    wrapper_url = wrapper.attributes.get("id") if wrapper is not None else None
    wrapper_title = wrapper.attributes.get("title") if wrapper is not None else None
    if wrapper_title and "document.title" in wrapper_title:
        wrapper_title = None  # the crawler captured a script fragment, not a title
    script_date = None
    if rules is not None:
        scripts = " ".join(n.text(deep=True) for n in tree.css("script:not([src])"))
        script_date = meta.epoch_date(scripts, rules.script_dates)
    return Head(meta.squash(title_node.text()) if title_node is not None else "", metas, json_ld,
                canonical, wrapper_url, wrapper_title, script_date)


def extract_html(text: str, *, url: str | None = None) -> Extracted:
    """Find the article in an HTML page and describe it."""
    rules = load_rules()
    tree = LexborHTMLParser(text)
    head = read_head(tree, rules)
    page_url = url or head.canonical or head.metas.get("og:url") or head.wrapper_url
    base_node = tree.css_first("base[href]")
    base = _resolve(base_node.attributes.get("href") or "", page_url) or page_url if base_node is not None else page_url
    root = tree.body or tree.root
    if root is None:
        return Extracted(title=None, date=None, warnings=("empty page: no HTML body",))
    top = build_tree(root, rules)
    settle_chrome(top)
    renderer = _Renderer(base, rules)
    renderer.render(top)
    renderer.flush(top)
    blocks = renderer.blocks
    container = best_container(blocks, top, find_headline(blocks, head, None))
    # again, now preferring a heading inside the article container
    headline = find_headline(blocks, head, container)
    matched = headline is not None
    if headline is None:
        headline = headline_above(blocks, container, rules)
    return _describe(head, blocks, container, top, page_url, rules, headline, matched)


def headline_above(blocks: list[Block], container: El, rules: Rules) -> int | None:
    """When no block matches <title> (a <title> holding only the site name), the short plain
    line just above the article's first text is its headline."""
    first = next((i for i, b in enumerate(blocks) if b.owner.inside(container) and _starts_text(b)), None)
    if first is None:
        return None
    for i in range(first - 1, max(-1, first - 5), -1):
        block = blocks[i]
        if block.kind == "figure":
            continue
        if block.kind not in ("p", "h") or block.owner.chrome or block.link_chars or not (6 <= block.chars <= 40):
            continue
        if block.kind != "h" and block.owner.inside(container) and i != first - 1:
            continue  # inside the text, only a heading or the line right above the first sentence
        if re.search(r"[，。！？；,;]", block.plain) or meta.parse_date(block.plain) or _CRUMB_SPLIT.search(block.plain) \
                or meta.find_bylines(block.plain, rules.not_names) or _line_rule(block, rules) \
                or rules.meta_line.search(block.plain):
            continue
        return i
    return None


def find_headline(blocks: list[Block], head: Head, container: El | None) -> int | None:
    """Index of the block holding the headline, matched against <title> and og:title."""
    headlines = [item.get("headline") for item in head.json_ld if isinstance(item.get("headline"), str)]
    refs = [t for t in (head.title, head.metas.get("og:title", ""), head.wrapper_title or "",
                        head.metas.get("title", ""), *headlines) if t]
    if not refs:
        return None
    folded_refs = [(meta.fold(ref), meta.fold(meta.title_from_head(ref))) for ref in refs]
    best: tuple[float, int] | None = None
    for i, block in enumerate(blocks):
        if block.kind not in ("h", "p") or not (2 <= block.chars <= 80) or block.owner.chrome:
            continue
        if block.link_chars > block.chars * 0.6 and block.kind != "h":
            continue
        cand = meta.fold(meta.clean_title(block.plain))
        quality = max(meta.folded_match(cand, b, b_head) for b, b_head in folded_refs)
        if quality < 0.3:
            continue
        rank = 100 * quality + (15 if block.kind == "h" else 0)
        rank += 10 if block.owner.tag == "h1" or _owner_tag(block) == "h1" else 0
        rank += 10 if container is not None and block.owner.inside(container) else 0
        if best is None or rank > best[0]:
            best = (rank, i)
    return best[1] if best else None


def _owner_tag(block: Block) -> str:
    """Tag of the nearest block-level element owning a block."""
    node: El | None = block.owner
    while node is not None and node.tag not in _BLOCK_TAGS:
        node = node.parent
    return node.tag if node is not None else ""


def choose_title(blocks: list[Block], headline: int | None, head: Head) -> str | None:
    """The headline's text, else og:title, else the first segment of <title>."""
    if headline is not None:
        title = meta.clean_title(blocks[headline].plain)
        for ref in (head.metas.get("og:title"), head.title, head.wrapper_title):
            inner = meta.title_from_head(ref) if ref else ""
            folded = meta.fold(inner)
            whole = meta.fold(title)
            if len(folded) >= 6 and whole.endswith(folded) and 1 <= len(whole) - len(folded) <= 4:
                return inner  # the heading carries a badge before the title: 原创…
        return title
    for ref in (head.metas.get("og:title"), head.title, head.wrapper_title):
        if ref:
            return meta.title_from_head(ref) or None
    return None


def _describe(head: Head, blocks: list[Block], container: El, top: El, base: str | None,
              rules: Rules, headline: int | None, matched: bool = True) -> Extracted:
    """Turn rendered blocks into the Extracted value."""
    title = choose_title(blocks, headline if matched else None, head)
    if not matched and headline is not None and len(meta.fold(title or "")) < 8:
        title = meta.clean_title(blocks[headline].plain)  # the <title> holds little more than the site name
    removals: dict[str, list[str]] = {}
    warnings: list[str] = []
    parts = with_lead_siblings(container)
    body_idx = [i for i, b in enumerate(blocks) if any(b.owner.inside(part) for part in parts)]
    if headline is not None:
        body_idx = [i for i in body_idx if i > headline] or body_idx
    date, date_where = find_date(blocks, headline, head, base, body_idx, head.script_date)
    authors = find_authors(blocks, headline, head, body_idx, top, rules)
    body, figures, original_title, source_name = clean_body(blocks, body_idx, title, authors, rules, removals,
                                                                   _site_labels(head, title))
    inside = set(body_idx)
    outside = [b.plain for i, b in enumerate(blocks) if i not in inside and i != headline and b.plain]
    if outside:
        removals["outside-article"] = outside
    if not body.strip() or len(meta.fold(body)) < 30:
        warnings.append("no article found: looks like an index page")
    elif _looks_like_index(top, container) or _teaser_list(body):
        warnings.append("no article found: looks like an index page")
    if date is None:
        warnings.append("no publication date found")
    site = _site_name(head, source_name, title, authors) or _copyright_holder(blocks)
    summary = _summary(head, title, body)
    keywords = head.metas.get("keywords", "") or head.metas.get("news_keywords", "") or _tag_links(blocks, top)
    tags = meta.clean_keywords(keywords, title=title, site=site, head_title=head.title)
    category = find_category(blocks, top, rules, title)
    details = {"date_from": date_where} if date_where else {}
    return Extracted(
        title=title or None,
        date=date,
        authors=authors,
        source_name=site,
        source_url=base,
        original_title=original_title,
        category=category,
        tags=tags,
        summary=summary,
        figures=tuple(figures),
        body=body,
        script=_script(body or (title or "")),
        removals=tuple(Removal(rule, tuple(texts)) for rule, texts in removals.items()),
        warnings=tuple(warnings),
        details=details,
    )


def _teaser_list(body: str) -> bool:
    """A body that is a run of paragraphs each opening with a link (headline + teaser) is a list page."""
    paragraphs = [p for p in body.split("\n\n") if p.strip() and not p.startswith("{{figure")]
    linked = [p for p in paragraphs if re.match(r"^(?:#+ |- |\d+\. )?\[", p)]
    return len(linked) >= 5 and len(linked) >= 0.6 * len(paragraphs)


def _looks_like_index(top: El, container: El) -> bool:
    """A page whose text is mostly links, with no container of sentences, is an index."""
    return container.punct < 5 and top.link_chars > 2 * max(1, top.chars - top.link_chars)


def find_date(blocks: list[Block], headline: int | None, head: Head, base: str | None,
              body_idx: list[int], script_date: str | None = None) -> tuple[str | None, str | None]:
    """Publication date: near the headline, else page metadata, else the URL; never today."""
    near: str | None = None
    if headline is not None:
        after = []
        for i in range(headline + 1, min(len(blocks), headline + 12)):
            caption = blocks[i - 1].kind == "figure" and blocks[i].chars <= 80
            if (_starts_text(blocks[i]) and not caption) or rules_related(blocks[i]):
                break  # dates inside the text are events, not the publication date
            after.append(i)
        window = after + list(range(headline - 1, max(-1, headline - 4), -1))
        for i in window:
            if blocks[i].kind == "figure" or blocks[i].chars > 200:
                continue
            near = meta.parse_date(blocks[i].plain)
            if near:
                break
    meta_date = _meta_date(head)
    if near and meta_date and len(near) > 10 and len(meta_date) > 10 and near[:14] == meta_date[:14] \
            and near[14:16] == meta_date[14:16]:
        return meta_date, "meta"  # the same minute, with seconds
    if near and meta_date and len(near) == 10 and near == meta_date[:10]:
        return meta_date, "meta"  # the visible date, with the time from metadata
    if near:
        return near, "headline"
    if meta_date:
        return meta_date, "meta"
    start = body_idx[0] if body_idx else len(blocks)
    last = body_idx[-1] if body_idx else start
    for block in blocks[:last + 4]:
        if rules_related(block):
            break
        if block.chars <= 40 and block.link_chars == 0 and any(_DATE_MARKUP.search(n.attr("class") + " " + n.attr("id") + " " + n.attr("itemprop"))
                                     for n in _ancestors(block.owner, 2)):
            found = meta.parse_date(block.plain)
            if found:
                return found, "markup"
    for block in blocks[max(0, start - 15):start + 3]:
        if block.chars <= 200:
            found = meta.parse_date(block.plain)
            if found:
                return found, "text"
    for i in body_idx:
        block = blocks[i]
        if rules_related(block):
            break  # dates after a "related" heading belong to other articles
        if block.chars <= 120 and block.kind != "table" and block.link_chars == 0:
            found = meta.parse_date(block.plain)
            if found and ":" in found[10:]:
                return found, "text"
    for block in blocks[max(0, start - 15):last + 8]:
        match = _LABELLED_DATE.search(block.plain) if block.chars <= 120 else None
        if match:
            found = meta.parse_date(block.plain[match.end():])
            if found:
                return found, "label"
    if script_date:
        return script_date, "script"
    from_url = meta.date_from_url(base)
    return (from_url, "url") if from_url else (None, None)


_DATE_MARKUP = re.compile(r"(^|[-_ ])(time|date|pubtime|pub-?date|publish|publish-?time|post-?time|datetime|datepublished|pubdate|ptime)([-_ ]|$)", re.I)
# 发表于: 2005-07-31 12:30 (blog footers), 发布时间：…
_LABELLED_DATE = re.compile(r"(?:发表于|發表於|发布于|發佈於|發布於|发表时间|發表時間|发布时间|發布時間|發佈時間|发布日期|發布日期|出版日期|Posted on|Published)\s*[:：]?\s*", re.I)


def rules_related(block: Block) -> bool:
    """True for a short "related articles" heading."""
    return block.chars <= 30 and bool(load_rules().related_heading.match(block.plain))


def _meta_date(head: Head) -> str | None:
    """Publication date from <meta> or JSON-LD."""
    for key in ("article:published_time", "og:release_date", "publishdate", "pubdate",
                "publish_date", "publishtime", "publication_date", "date", "dc.date",
                "dc.date.issued", "sailthru.date", "parsely-pub-date", "datepublished",
                "og:published_time", "article:published", "weibo: article:create_at", "created"):
        value = head.metas.get(key)
        if value:
            found = meta.parse_meta_date(value)
            if found:
                return found
    for item in head.json_ld:
        value = item.get("datePublished") or item.get("dateCreated")
        if isinstance(value, str):
            found = meta.parse_meta_date(value)
            if found:
                return found
    return None


def find_authors(blocks: list[Block], headline: int | None, head: Head, body_idx: list[int],
                 top: El, rules: Rules) -> tuple[str, ...]:
    """Reporters: bylines near the headline, author markup, bylines at the body's start and end."""
    near: list[int] = []
    if headline is not None:
        first_text = next((i for i in body_idx if _is_sentence_block(blocks[i]) and blocks[i].chars > 40), headline + 10)
        near = list(range(headline + 1, min(len(blocks), max(headline + 10, first_text + 2))))
    elif body_idx:
        near = list(range(max(0, body_idx[0] - 6), body_idx[0]))
    found = _bylines_in(blocks, near, rules)
    if found:
        return found
    found = _markup_authors(top, rules)
    if found:
        return found
    if body_idx:
        after = list(range(body_idx[-1] + 1, min(len(blocks), body_idx[-1] + 6)))
        found = _bylines_in(blocks, body_idx[:6] + body_idx[-8:][::-1] + after, rules)
        if found:
            return found
        last = [i for i in body_idx if blocks[i].kind in ("p", "quote")][-2:]
        for i in reversed(last):
            names = meta.closing_name(blocks[i].plain, rules.not_names)
            if names:
                return names
        found = _source_person(blocks, near + body_idx[:6] + body_idx[-6:], rules)
        if found:
            return found
    return _meta_authors(head, rules)


def _bylines_in(blocks: list[Block], indexes: list[int], rules: Rules) -> tuple[str, ...]:
    """Names from the first block (in the given order) that carries a byline."""
    seen: set[int] = set()
    for i in indexes:
        if i in seen or not (0 <= i < len(blocks)) or blocks[i].kind == "figure":
            continue
        seen.add(i)
        found = meta.find_bylines(blocks[i].plain, rules.not_names)
        if found:
            return found.names
    return ()


_AUTHOR_MARKUP = re.compile(r"(^|[-_ ])(author|authors|reporter|byline|writer|rp_name|zuozhe|jizhe)([-_ ]|$)", re.I)


def _markup_authors(top: El, rules: Rules) -> tuple[str, ...]:
    """Names in rel=author / itemprop=author / class="author" elements outside page chrome."""
    stack = [top]
    while stack:
        el = stack.pop()
        if el.chrome:
            continue
        marked = el.attr("rel") == "author" or el.attr("itemprop") == "author" or \
            bool(_AUTHOR_MARKUP.search(el.attr("class") + " " + el.attr("id")))
        if marked and el.chars <= 30:
            text = re.sub(r"^(?:作者|记者|記者|文|撰文)\s*[:：／/]?\s*", "", el.text())
            names = meta.split_names(text, rules.not_names)
            if names and len(meta.fold(text)) <= 4 * len(names) + 2:
                return names
        stack.extend(c for c in reversed(el.children) if isinstance(c, El))
    return ()


_ORG_SUFFIX = re.compile(r"[报報网網社台站刊局部会會院所厅廳办辦处處司团團馆館委]$|新闻|新聞|转载|轉載|互联网|本站")


def _source_person(blocks: list[Block], indexes: list[int], rules: Rules) -> tuple[str, ...]:
    """A 来源 line that names a person rather than an outlet (来源: 尹娟)."""
    for i in indexes:
        if not (0 <= i < len(blocks)) or blocks[i].chars > rules.short_line:
            continue
        match = rules.source_line.match(blocks[i].plain)
        if match:
            value = match.group(2).strip()
            if re.fullmatch(r"[\u4e00-\u9fff]{2,3}", value) and not _ORG_SUFFIX.search(value):
                return meta.split_names(value, rules.not_names)
    return ()


def _meta_authors(head: Head, rules: Rules) -> tuple[str, ...]:
    """Authors from <meta name=author> or JSON-LD, unless that names the outlet."""
    for key in ("author", "article:author", "dc.creator", "byl"):
        value = head.metas.get(key, "")
        names = meta.split_names(re.sub(r"^(?:记者|記者|作者|文)[:：/／]?", "", value), rules.not_names)
        if re.fullmatch(r"[A-Z][a-z]+(?: [A-Z][a-z]+){1,2}", value):
            names = (value,)  # a Latin full name is one name, not words to split
        if names and not value.startswith("http") and not _is_outlet(value, head):
            return names
    for item in head.json_ld:
        for name in meta.ld_names(item.get("author")):
            names = meta.split_names(name, rules.not_names)
            if names and not _is_outlet(name, head):
                return names
    return ()


def _is_outlet(name: str, head: Head) -> bool:
    """True when a claimed author is the outlet itself."""
    site = head.metas.get("og:site_name", "")
    folded = meta.fold(name)
    return bool(folded) and (folded in meta.fold(site) or folded in meta.fold(head.title)[-12:])


def _line_rule(block: Block, rules: Rules) -> str | None:
    """Name of the boilerplate line rule a short block matches."""
    if block.chars > rules.short_line:
        return None
    running = block.chars >= 30 and _starts_text(block)
    for name, pattern in rules.line_rules:
        if running and name in rules.weak_rules:
            continue
        if pattern.search(block.plain):
            return name
    return None


def clean_body(blocks: list[Block], body_idx: list[int], title: str | None, authors: tuple[str, ...],
               rules: Rules, removals: dict[str, list[str]], labels: frozenset[str] = frozenset()) -> tuple[str, list[FigureInfo], str | None, str | None]:
    """The container's blocks as Markdown, chrome removed; figures, original title, source."""
    kept: list[Block] = []
    original_title = None
    source_name = None
    started = False
    folded_title = meta.fold(title or "")
    related_at: int | None = None
    for i in body_idx:
        block = blocks[i]
        first = all(b.kind == "figure" for b in kept)
        rule = _block_rule(block, rules, folded_title, started, authors, first)
        if rule is None and not started and meta.fold(block.plain) in labels:
            rule = "site-name"  # the outlet or channel name printed above the text
        counter = _SLIDE_COUNTER.match(block.plain) if block.kind == "p" else None
        if counter and not rule:
            # "1/10 当全世界…": a slideshow's page counter glued to its caption text
            removals.setdefault("counter", []).append(counter.group().strip())
            block.plain = block.plain[counter.end():]
            block.md = re.sub(r"^\d{1,2}\s*/\s*\d{1,2}\s+", "", block.md)
        if rule == "original-title":
            original_title = rules.original_title.match(block.plain).group(2)
        elif rule == "source-line" and source_name is None:
            source_name = rules.source_line.match(block.plain).group(2)
        if rule == "related-heading":
            related_at = len(kept)
        if rule == "byline" and kept and len(kept) <= 2 and \
                all(b.kind == "figure" or b.chars <= 80 and "。" not in b.plain for b in kept):
            # a short deck (pull quote, sub-headline) printed above the byline is not the text
            removals.setdefault("deck", []).extend(b.plain for b in kept if b.plain)
            kept = [b for b in kept if b.kind == "figure"]
        if rule:
            removals.setdefault(rule, []).append(block.plain or block.figure.src if block.figure else block.plain)
            continue
        after_figure = bool(kept) and kept[-1].kind == "figure" and block.chars <= 60
        if block.kind != "figure" and _starts_text(block) and not block.plain.startswith(_CAPTION_MARKS) \
                and not after_figure:  # a picture's caption is not the start of the text
            started = True
        kept.append(block)
    if related_at is not None:
        kept = _drop_related_tail(kept, related_at, removals)
    kept = _drop_edge_disclaimers(kept, rules, removals)
    kept = _trim_edges(kept, rules, removals)
    figures = _attach_captions(kept, removals)
    for block in kept:
        if _is_bold_heading(block):
            block.kind, block.level = "h", 3
    return _to_markdown(kept, figures), figures, original_title, source_name


def _block_rule(block: Block, rules: Rules, folded_title: str, started: bool,
                authors: tuple[str, ...], first: bool = False) -> str | None:
    """Why a body block is chrome, or None to keep it."""
    if block.owner.chrome:
        return "chrome-block" if block.owner.chrome.startswith("chrome:") else block.owner.chrome
    if block.kind == "figure":
        return None
    plain = block.plain
    if rules.original_title.match(plain):
        return "original-title"
    if block.chars <= rules.short_line and rules.source_line.match(plain):
        return "source-line"
    squeezed = plain.replace(" ", "").replace("\u3000", "")
    if block.chars <= 30 and (rules.related_heading.match(plain) or rules.related_heading.match(squeezed)):
        return "related-heading"
    rule = _line_rule(block, rules)
    if rule:
        return rule
    if block.kind != "table" and block.link_chars > 0.5 * block.chars and block.chars < 300:
        return "link-list"
    if block.chars <= 2 and not re.search(r"[\u4e00-\u9fff]", plain):
        return "control"
    if not started:
        return _leading_rule(block, rules, folded_title, authors, first)
    return None


def _leading_rule(block: Block, rules: Rules, folded_title: str, authors: tuple[str, ...],
                  first: bool = False) -> str | None:
    """Why a block before the article's first sentence is page furniture, or None."""
    plain = block.plain
    folded = meta.fold(meta.clean_title(plain))
    if folded_title and folded and (folded == folded_title or folded_title.startswith(folded) and len(folded) >= 4 or
                                    (len(folded) >= 6 and (folded in folded_title or folded_title in folded)
                                     and block.chars <= 2 * len(folded_title))):
        return "headline-repeat"
    if block.chars > 80:
        return None
    if block.chars <= 1:
        return "fragment"
    if re.fullmatch(r"[【\[]\s*[^】\]]{1,14}\s*[】\]]", plain):
        return "column-label"
    if not _is_sentence_block(block) and any(rules.subtitle_class.search(n.attr("class") + " " + n.attr("id"))
                                             for n in _ancestors(block.owner, 3)):
        return "subtitle"
    if first and block.chars <= 30 and re.search(r"[，。！？]", block.plain) and \
            any(n.tag in ("b", "strong") for n in _ancestors(block.owner, 2)):
        return "deck"  # a bold line of verse under the headline, not the text's first sentence
    if authors and folded in {meta.fold(a) for a in authors}:
        return "byline"
    if _DATE_ONLY_LINE.match(plain):
        return "date-line"
    if rules.meta_line.search(plain):
        return "article-meta"
    if meta.parse_date(plain) and not _is_sentence_block(block):
        return "article-meta"
    byline = meta.find_bylines(plain, rules.not_names)
    if byline and byline.whole_line or _BYLINE_SHAPE.match(plain):
        return "byline"
    if re.search(r"(?:www\.|https?://)\S+", plain) and not _is_sentence_block(block):
        return "site-line"
    if plain.startswith(("——", "--", "－－")) and block.chars <= 40:
        return "subtitle"
    return None


def _starts_text(block: Block) -> bool:
    """A block that starts the article's text: running text with a full stop."""
    return _is_sentence_block(block) and (block.chars >= 60 or bool(re.search(r"[。！？!?…]", block.plain)))


_CAPTION_MARKS = ("▲", "△", "▼", "▽")
_SLIDE_COUNTER = re.compile(r"^\d{1,2}\s*/\s*\d{1,2}\s+(?=\S)")
# 地方中心／桃園報導: a byline that names a desk, not a person
_BYLINE_SHAPE = re.compile(r"^[〔【\[（(]?\s*\S{2,10}\s*[／/╱]\s*\S{2,8}(?:報導|报道|報道|综合报道|綜合報導)\s*[〕】\]）)]?$")


def _is_sentence_block(block: Block) -> bool:
    """A block of running text: long enough and with sentence punctuation."""
    return block.chars >= 15 and any(ch in "，。！？；,!?;" for ch in block.plain)


def _drop_related_tail(kept: list[Block], at: int, removals: dict[str, list[str]]) -> list[Block]:
    """After a "related" heading, drop teasers: everything unless real paragraphs follow."""
    tail = kept[at:]
    sentences = sum(b.chars for b in tail if _is_sentence_block(b) and b.link_chars < b.chars * 0.3)
    before = sum(b.chars for b in kept[:at])
    if sentences > before:
        return kept
    texts = [b.plain for b in tail if b.plain]
    if texts:
        removals.setdefault("related-teasers", []).extend(texts)
    return kept[:at]


def _is_bold_heading(block: Block) -> bool:
    """A short paragraph set entirely in bold, without closing punctuation: a section heading."""
    if block.kind != "p" or block.removed or not (2 <= block.chars <= 30) or re.search(r"[。！？!?…；;]$", block.plain):
        return False
    if re.search(r"[，。！？；：:,]", block.plain):
        return False
    node = block.owner
    while node is not None and node.tag not in ("strong", "b"):
        if node.tag in _BLOCK_TAGS:
            return False
        node = node.parent
    return node is not None and meta.fold(node.text()) == meta.fold(block.plain)


def _drop_edge_disclaimers(kept: list[Block], rules: Rules, removals: dict[str, list[str]]) -> list[Block]:
    """Copyright and disclaimer paragraphs (up to 300 characters) at either end of the body."""
    def is_notice(block: Block) -> bool:
        return block.kind == "p" and block.chars <= 300 and bool(rules.disclaimer.search(block.plain))

    dropped: list[str] = []
    while kept and is_notice(kept[0]):
        dropped.append(kept.pop(0).plain)
    # the closing run of notices, with the short lines between them (hotline numbers, labels)
    cut = len(kept)
    for i in range(len(kept) - 1, -1, -1):
        block = kept[i]
        if is_notice(block):
            cut = i
        elif not (block.kind in ("p", "h") and block.chars <= 20):
            break
    dropped += [b.plain for b in kept[cut:] if b.plain]
    if dropped:
        removals.setdefault("disclaimer", []).extend(dropped)
    return kept[:cut]


def _trim_edges(kept: list[Block], rules: Rules, removals: dict[str, list[str]]) -> list[Block]:
    """Drop what trails the text: short unpunctuated labels and byline-only lines (read already)."""
    while kept and kept[-1].kind in ("p", "quote"):
        last = kept[-1]
        if _captions_a_figure(kept, len(kept) - 1):
            break  # a short line under a picture is its caption, read later, not a label
        if last.chars <= 16 and _DATE_ONLY_LINE.match(last.plain):
            rule = "date-line"
        elif (last.chars <= 12 and not _SENTENCE_END.search(last.plain)
              or last.chars <= 4 and re.fullmatch(r"[（(][^（）()]*[)）]", last.plain)) \
                and not re.search(r"[（(]完[)）]", last.plain):
            rule = "trailing-label"
        elif last.chars <= 40 and (found := meta.find_bylines(last.plain, rules.not_names)) and found.whole_line:
            rule = "byline"
        else:
            break
        removals.setdefault(rule, []).append(last.plain)
        kept = kept[:-1]
    return kept


def _captions_a_figure(kept: list[Block], j: int) -> bool:
    """Block `j` sits in a <figcaption>/<figure> or right under a picture."""
    return (j > 0 and kept[j - 1].kind == "figure") or any(
        n.tag in ("figcaption", "figure") for n in _ancestors(kept[j].owner, 3))


def _attach_captions(kept: list[Block], removals: dict[str, list[str]]) -> list[FigureInfo]:
    """Give each figure its caption (a <figcaption> or short caption block next to it)."""
    figures: list[FigureInfo] = []
    for i, block in enumerate(kept):
        if block.kind != "figure" or block.figure is None:
            continue
        caption = _caption_of(block, kept, i)
        fig = block.figure
        if caption is not None:
            text, credit = split_credit(caption.plain.lstrip("▲△▼▽ "))
            if _CREDIT_ONLY.match(text):
                text, credit = "", text  # 記者鄭清元／攝影: who took it, not what it shows
            fig = FigureInfo(caption=text or None, src=fig.src, alt=fig.alt, credit=credit or fig.credit)
            caption.removed = "caption"
        credit_line = next((b for b in kept[i + 1:i + 3] if b.kind == "p" and not b.removed), None)
        if credit_line is not None and fig.credit is None and _CREDIT_ONLY.match(credit_line.plain):
            fig = FigureInfo(caption=fig.caption, src=fig.src, alt=fig.alt, credit=credit_line.plain)
            credit_line.removed = "credit"
        figures.append(fig)
        block.figure = fig
        block.md = f"{{{{figure {len(figures)}}}}}"
    return figures


# caption wording: 资料图：…, 图为…, …  王小明/摄
_CAPTION_TEXT = re.compile(r"^(?:资料图|資料照|资料照片|資料圖|图为|圖為|图片|圖片|照片|图|圖)\s*[:：]|^(?:图为|圖為)|[\u4e00-\u9fff]{2,4}\s*[／/]\s*(?:摄|攝)(?:影)?$")
_CREDIT_ONLY = re.compile(r"^(?:記者|记者|攝影|摄影)?\s*[\u4e00-\u9fff]{2,4}\s*[／/]\s*(?:摄|攝)(?:影)?$")
_CREDIT = re.compile(r"\s*[（(]((?:圖|图|記者|记者|翻攝|翻摄|取自|資料照|资料照|资料图|資料圖|攝影|摄影|來源|来源|Photo|photo)[^（）()]{0,30}"
                     r"|[^（）()]{1,30}?(?:攝|摄|攝影|摄影|提供|供图|供圖|翻攝|翻摄|資料照|资料图|圖|图))[)）]\s*$")


def split_credit(caption: str) -> tuple[str, str | None]:
    """Split a trailing photo credit off a caption: "豪雨。（記者陳大同攝）" -> ("豪雨。", "記者陳大同攝")."""
    match = _CREDIT.search(caption)
    if not match:
        return caption, None
    return caption[:match.start()].strip(), match.group(1).strip()


def _caption_of(block: Block, kept: list[Block], i: int) -> Block | None:
    """The block that captions figure block `i`, if any: strong markup (figcaption, a caption
    class) or, for weaker hints (centred text, the table cell below), a short single sentence."""
    before = kept[i - 1] if i > 0 else None
    if before is not None and before.kind == "p" and not before.removed and before.chars <= 80 \
            and before.plain.startswith(("▼", "▽")):
        return before  # ▼ points down at this picture
    for j in (i + 1, i - 1):
        if not (0 <= j < len(kept)):
            continue
        other = kept[j]
        if other.kind != "p" or other.removed or other.chars > 120 or other.chars < 2 \
                or other.plain.endswith(("：", ":")):
            continue
        owner = other.owner
        strong = any(n.tag in ("figcaption", "figure") for n in _ancestors(owner, 3)) or \
            any(_CAPTION_CLASS.search(n.attr("class") + " " + n.attr("id")) for n in _ancestors(owner, 2))
        if strong and (j == i + 1 or any(n.tag == "figcaption" for n in _ancestors(owner, 3))):
            return other
        # ▲ points up at the picture above, ▼ down at the picture below
        if other.chars <= 80 and other.plain.startswith(("▲", "△") if j == i + 1 else ("▼", "▽")):
            return other
        if j != i + 1:
            continue
        one_sentence = other.chars <= 50 and len(re.findall(r"[。！？!?]", other.plain)) <= 1
        centered = any("center" in (n.attr("align") + n.attr("style")).lower() for n in _ancestors(owner, 2))
        image_cell, text_cell = _nearest(block.owner, ("td",)), _nearest(owner, ("td",))
        cell_below = text_cell is not None and image_cell is not None and text_cell is not image_cell \
            and _nearest(text_cell, ("table",)) is _nearest(image_cell, ("table",))
        if one_sentence and (centered or cell_below):
            return other
        if other.chars <= 60 and (_CAPTION_TEXT.search(other.plain) or _CREDIT.search(other.plain)):
            return other
        if other.chars <= 30 and not _SENTENCE_END.search(other.plain) and not _is_sentence_block(other):
            return other
    return None


def _ancestors(el: El, n: int) -> list[El]:
    """The element and up to n-1 of its ancestors."""
    out: list[El] = []
    node: El | None = el
    while node is not None and len(out) < n:
        out.append(node)
        node = node.parent
    return out


def _nearest(el: El, tags: tuple[str, ...]) -> El | None:
    """Nearest ancestor (or self) with one of `tags`."""
    node: El | None = el
    while node is not None:
        if node.tag in tags:
            return node
        node = node.parent
    return None


def _to_markdown(kept: list[Block], figures: list[FigureInfo]) -> str:
    """Blocks joined as Markdown paragraphs."""
    out: list[str] = []
    for block in kept:
        if block.removed:
            continue
        if block.kind == "h":
            out.append("#" * max(2, block.level) + " " + block.md)
        elif block.kind == "li":
            out.append(("1. " if block.level else "- ") + block.md)
        elif block.kind == "quote":
            out.append("> " + block.md)
        else:
            out.append(block.md)
    # consecutive list items form one list: join them with single newlines
    text = ""
    for i, part in enumerate(out):
        if i and not (part.startswith(("- ", "1. ")) and out[i - 1].startswith(("- ", "1. "))):
            text += "\n\n"
        elif i:
            text += "\n"
        text += part
    return text.strip() + ("\n" if text.strip() else "")


_TAG_LABEL = re.compile(r"^(?:关键词|關鍵詞|关键字|關鍵字|标签|標籤|Tags?)\s*[:：]\s*", re.I)


def _tag_links(blocks: list[Block], top: El) -> str:
    """The page's own tags when it has no keywords meta: rel=tag links or a 关键词： strip."""
    tags: list[str] = []
    stack = [top]
    while stack:
        el = stack.pop()
        if el.tag == "a" and "tag" in el.attr("rel").split():
            tags.append(el.text())
        stack.extend(c for c in reversed(el.children) if isinstance(c, El))
    if tags:
        return ",".join(tags)
    for block in blocks:
        label = _TAG_LABEL.match(block.plain) if block.chars <= 80 else None
        if label:
            return re.sub(r"[\s、|｜/]+", ",", block.plain[label.end():])
    return ""


_COPYRIGHT = re.compile(r"(?:Copyright|©|\(c\)|版权所有|版權所有)\s*(?:©|\(c\))?\s*(?:(?:19|20)\d{2}(?:\s*[-–]\s*(?:19|20)\d{2})?)?\s*"
                        r"([\u4e00-\u9fff][\u4e00-\u9fffA-Za-z0-9]{1,11})", re.I)


def _copyright_holder(blocks: list[Block]) -> str | None:
    """The outlet named in the page's copyright line (Copyright © 2025 示例新闻网 版权所有)."""
    for block in reversed(blocks[-40:]):
        if block.chars <= 120:
            match = _COPYRIGHT.search(block.plain)
            if match and not match.group(1).startswith(("版权", "版權", "所有")):
                return match.group(1)
    return None


def _site_labels(head: Head, title: str | None) -> frozenset[str]:
    """Folded outlet and channel names: the <title> segments besides the headline, og:site_name."""
    names = {meta.fold(p) for p in meta.title_segments(head.title)} | {meta.fold(head.metas.get("og:site_name", ""))}
    return frozenset(n for n in names if n and n != meta.fold(title or ""))


def _site_name(head: Head, source_line: str | None, title: str | None,
               authors: tuple[str, ...]) -> str | None:
    """The outlet: og:site_name, application-name, a 来源 line, or the <title> segment that is
    not the headline."""
    for key in ("og:site_name", "application-name", "site_name", "twitter:site"):
        value = head.metas.get(key, "").strip().lstrip("@")
        if value and len(value) <= 30:
            return value
    if source_line:
        # "证券市场红周刊 责任编辑：杨倩" -> the outlet only
        source = re.split(r"\s+(?=\S*[:：])|\s{2,}", source_line.strip())[0].strip("[]【】 ")
        if source and source not in authors:
            return source
    parts = meta.title_segments(head.title)
    if len(parts) < 2:
        return None
    headline = meta.fold(title or "")
    first, last = meta.fold(parts[0]), meta.fold(parts[-1])
    candidate = parts[0] if headline and headline == last and first != last else parts[-1]
    if len(candidate) > 20 or (headline and meta.fold(candidate) == headline) or re.search(r"[（(]图[)）]$", candidate):
        return None
    return candidate


_KEYWORD_TAIL = re.compile(r"\s*[（(][^（）()]*[,，][^（）()]*[)）]?$|\s+[^\s，。]+(?:,[^\s，。,]+){2,}$|\s*[|｜]\s*\S{1,8}$")


# a dispatch or byline opening the description: 【王家俊／台北報導】, （中央社記者…29日電）
_BYLINE_HEAD = re.compile(r"^[【〔\[（(][^】〕\]）)]{2,30}(?:報導|报道|報道|電|电|專電|专电)\s*[】〕\]）)]\s*")
# markup debris, or a description that opens with chrome
_BAD_SUMMARY = re.compile(r"[=\\{}<>]|^(?:原标题|原標題|原创|原創|相关新闻|相關新聞|点击|點擊)")


def _summary(head: Head, title: str | None, body: str) -> str | None:
    """The page's own description, when it is a clean summary of this article: not the title
    again, not a keyword list, not the site's self-description."""
    for key in ("description", "og:description", "twitter:description"):
        value = meta.squash(html.unescape(html.unescape(head.metas.get(key, ""))))
        value = _BYLINE_HEAD.sub("", _KEYWORD_TAIL.sub("", value)).strip()
        if not value or len(value) < 10 or len(value) > 400:
            continue
        folded = meta.fold(value)
        if any(folded in meta.fold(t) or (meta.fold(t) and folded.startswith(meta.fold(t))
                                          and len(folded) < 1.3 * len(meta.fold(t)))
               for t in (title or "", head.title) if t):
            continue  # the title again, perhaps with the site's name
        if _BAD_SUMMARY.search(value):
            continue
        if value.count(",") + value.count("，") + value.count("、") > len(value) / 4 or \
                re.match(r"^[^，。\s]{1,8},", value):
            continue  # a keyword list, not a summary
        if _overlap(value, (title or "") + body) < 0.5:
            continue  # about the site, not about this article
        return value
    return None


def _overlap(text: str, reference: str) -> float:
    """Share of `text`'s character pairs that also occur in `reference`."""
    folded = meta.fold(text)
    pairs = {folded[k:k + 2] for k in range(len(folded) - 1)}
    if not pairs:
        return 0.0
    ref = meta.fold(reference)
    return sum(1 for p in pairs if p in ref) / len(pairs)


_CRUMB_MARKUP = re.compile(r"crumb|bread|position|location|daohang|weizhi|dangqian|c_loca|where", re.I)
_CRUMB_LABEL = re.compile(r"^(?:当前位置|當前位置|您的位置|你的位置|您现在的位置|您現在的位置|現在位置|所在位置|位置)\s*[:：]\s*")
_CRUMB_START = re.compile(r"^(?:首页|首頁|主页|主頁|Home)\s*(?:>|»|＞|›|→|/|\||｜|-->)")
_CRUMB_SPLIT = re.compile(r"\s*(?:-->|>>|>|»|＞|›|→|/|\||｜)\s*")
_NOT_CATEGORY = frozenset({"Home", "home", "正文", "新闻", "新聞", "新闻中心", "新聞中心", "内容", "內容"})


def find_category(blocks: list[Block], top: El, rules: Rules, title: str | None) -> str | None:
    """The last meaningful crumb of the page's breadcrumb, if it has one."""
    for block in blocks[:200]:
        if block.chars > 80 or block.kind == "figure":
            continue
        labelled = _CRUMB_LABEL.match(block.plain)
        marked = any(_CRUMB_MARKUP.search(n.attr("class") + " " + n.attr("id")) for n in _ancestors(block.owner, 4))
        if not (labelled or _CRUMB_START.match(block.plain) or (marked and _CRUMB_SPLIT.search(block.plain))):
            continue
        text = block.plain[labelled.end():] if labelled else block.plain
        crumbs = [c.strip() for c in _CRUMB_SPLIT.split(text)]
        crumbs = [c for c in crumbs if c and c not in _NOT_CATEGORY and len(c) <= 12
                  and not c.endswith(("首页", "首頁", "主页", "主頁"))
                  and not (title and meta.fold(c) in meta.fold(title))]
        if crumbs:
            return crumbs[-1]
    return None


def _script(text: str) -> str | None:
    """hant or hans, via generator.scripts when available."""
    sample = text[:1500]
    try:
        from generator.scripts import detect_script
    except ImportError:
        return _script_fallback(sample)
    return _cached_detect(sample, detect_script)


def _cached_detect(sample: str, detect) -> str | None:
    """detect_script with one Converter per process (opening OpenCC is slow)."""
    converter = _converter()
    if converter is None:
        return _script_fallback(sample)
    return detect(sample, converter=converter)


@functools.lru_cache(maxsize=1)
def _converter():
    """The shared OpenCC converter, or None when it cannot be made."""
    try:
        from generator.scripts import Converter
        return Converter()
    except (ImportError, TypeError):
        return None


_HANT_ONLY = frozenset("們這個來時會說國對學過為發與經麼開關後頭體點還實進現裡動間當見無問業義區讓統產處電總認報導記張萬條議")
_HANS_ONLY = frozenset("们这个来时会说国对学过为发与经么开关后头体点还实进现里动间当见无问业义区让统产处电总认报导记张万条议")


def _script_fallback(text: str) -> str | None:
    """Count characters that exist only in one script."""
    hant = sum(1 for ch in text if ch in _HANT_ONLY)
    hans = sum(1 for ch in text if ch in _HANS_ONLY)
    if hant == hans:
        return None
    return "hant" if hant > hans else "hans"
