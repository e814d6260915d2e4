"""The parsed page as a light tree of `El`, chrome marks, text statistics, and the rules (rules/html.yml)."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from selectolax.lexbor import LexborNode

from generator.importer import metadata as meta


_RULES_FILE = Path(__file__).parents[1] / "rules" / "html.yml"


_SKIP_TAGS = frozenset({
    "script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "select",
    "option", "button", "input", "textarea", "head", "link", "meta", "canvas", "map", "area",
    "audio", "video", "source", "title", "-comment", "math", "param", "label",
})


BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "center",
    "dd", "dt", "dl", "form", "fieldset", "address", "figure", "figcaption", "body", "html",
    "text", "font-block", "hr", "pre", "details", "summary", "caption", "tbody", "thead",
    "tfoot", "tr", "td", "th", "table", "ul", "ol", "li", "blockquote", "h1", "h2", "h3",
    "h4", "h5", "h6", "span-block",
})


_MAX_DEPTH = 120


_PUNCT = frozenset("，。！？；：、“”「」,!?;")


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


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
    image_ad_link: re.Pattern
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
        image_ad_link=rx("image_ad_link"),
        meta_line=rx("meta_line"),
        subtitle_class=rx("subtitle_class"),
        disclaimer=rx("disclaimer"),
        weak_rules=frozenset(data["weak_rules"]),
        script_dates=tuple(re.compile(p) for p in data["script_dates"]),
        not_names=frozenset(data["not_names"]),
    )


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


# an element holding this share of the page's sentence punctuation (and this much) is the
# article's, whatever its class or id suggests ...
_BULK_SHARE = 0.5
_BULK_MIN = 20
# ... and few links, unless it is a comment thread, a menu, a footer or a sidebar of teasers (a
# long thread or a column of summaries can outweigh a short story)
_BULK_LINKS = 0.2
_NEVER_THE_ARTICLE = frozenset({"navigation", "footer"} | {f"chrome:{name}" for name in (
    "comment", "comments", "cmt", "reply", "replies", "pinglun", "discuss", "nav", "navbar", "menu",
    "menus", "footer", "foot", "sidebar", "side", "aside", "related", "relate", "recommend", "recom",
    "hot", "hotnews", "rank", "ranking", "tuijian", "xgxw", "xgyd", "xiangguan", "morenews")})


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
        elif own and own not in _NEVER_THE_ARTICLE and el.punct >= _BULK_MIN \
                and el.punct >= _BULK_SHARE * top.punct and el.link_chars <= _BULK_LINKS * el.chars:
            own = None  # a name guessed as chrome (link-report, tips) wrapping most of the page's sentences
        el.chrome = (el.parent.chrome if el.parent is not None else None) or own
    score_tree(top, order)


def nearest_block(el: El) -> El | None:
    """The block-level element a block's text belongs to."""
    node: El | None = el
    while node is not None and node.tag not in BLOCK_TAGS:
        node = node.parent
    return node


def ancestors(el: El, n: int) -> list[El]:
    """The element and up to n-1 of its ancestors."""
    out: list[El] = []
    node: El | None = el
    while node is not None and len(out) < n:
        out.append(node)
        node = node.parent
    return out


def nearest_tagged(el: El, tags: tuple[str, ...]) -> El | None:
    """Nearest ancestor (or self) with one of `tags`."""
    node: El | None = el
    while node is not None:
        if node.tag in tags:
            return node
        node = node.parent
    return None


def links_below(el: El) -> list[El]:
    """The <a> elements inside an element, in document order."""
    found, stack = [], [el]
    while stack:
        node = stack.pop()
        if node.tag == "a":
            found.append(node)
        stack.extend(c for c in reversed(node.children) if isinstance(c, El))
    return found
