"""One configured markdown-it-py renderer, figure placement and plain text."""
from __future__ import annotations

import html
import re
from collections.abc import Callable

from markdown_it import MarkdownIt

from generator.core import urls
from generator.core.model import Figure
from generator.core.urls import is_safe_url

FIGURE_PARAGRAPH = re.compile(r"<p>\{\{\s*figure\s+(\d+)\s*\}\}</p>\n?")
FIGURE_LINE = re.compile(r"^\s*\{\{\s*figure\s+(\d+)\s*\}\}\s*$", re.MULTILINE)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_ROOT_LINK = re.compile(r'(<(?:a|img)\s[^>]*?\b(?:href|src)=")/(?!/)')
_KEEP_MARKERS = re.compile(r"-\{(.*?)\}-", re.DOTALL)


def _markdown_it() -> MarkdownIt:
    """CommonMark plus tables and strikethrough; raw HTML is escaped, not passed through."""
    # xhtmlOut off: HTML void elements without the XHTML " />" (html-validate void-style)
    md = MarkdownIt("commonmark", {"html": False, "typographer": False, "xhtmlOut": False})
    md.enable(["table", "strikethrough"])
    return md


class UnsafeLinks(Exception):
    """Markdown links or images whose URL must not reach a page: (0-based body line, URL)."""

    def __init__(self, found: list[tuple[int, str]]) -> None:
        super().__init__(f"{len(found)} unsafe link(s)")
        self.found = found


# (0-based body line, "a" | "img", URL as written, URL as rendered) of a link or image
Link = tuple[int, str, str, str]


def make_renderer() -> Callable[..., str]:
    """The renderer `render(body, *, images=None, links=None) -> html`; raises UnsafeLinks for
    a link, image, autolink or reference whose URL generator.core.urls.is_safe_url refuses
    (javascript:, vbscript:, data: images, obfuscated).

    markdown-it's own validateLink lets `data:image/...` and every scheme but four through,
    and a refused link silently becomes text. Ours accepts every URL while parsing, so the
    tokens show each link with its line, and refuses the document when one is unsafe: one
    parse serves the check, the HTML and the caller's two extras: `images(src)` may replace
    an image's src (a file next to the article becomes its /media/ URL), and `links` (a
    list) receives every link and image as (line, kind, URL as written, URL as rendered).
    """
    md = _markdown_it()
    md.validateLink = lambda url: True  # judged on the tokens, where the line is known

    def render(body: str, *, images: Callable[[str], str] | None = None,
               links: list[Link] | None = None) -> str:
        """HTML of one Markdown body."""
        env: dict = {}
        tokens = md.parse(body, env)
        if _MAY_LINK.search(body):
            found = _links(tokens, images)
            unsafe = [(line, url) for line, _, url, _ in found if not is_safe_url(url)]
            if unsafe:
                raise UnsafeLinks(unsafe)
            if links is not None:
                links.extend(found)
        return md.renderer.render(tokens, md.options, env)

    return render


# `[`, `]` or `<` not already escaped (after an even number of backslashes, none included)
_LINK_SYNTAX = re.compile(r"(?<!\\)((?:\\\\)*)([\[\]<])")
_CHECK = make_renderer()


def defuse_unsafe_links(body: str) -> tuple[str, tuple[str, ...]]:
    """(body, unsafe URLs): when Markdown written by the importer from a plain-text page links
    an unsafe URL, every `[`, `]` and `<` is backslash-escaped (as the HTML importer escapes
    text), so no link is left and the text reads as it was."""
    try:
        _CHECK(body)
    except UnsafeLinks as unsafe:
        return _LINK_SYNTAX.sub(r"\1\\\2", body), tuple(url for _, url in unsafe.found)
    return body, ()


# An inline link `](`, a reference definition `]:` or an autolink `<` (else no URL can occur).
_MAY_LINK = re.compile(r"\]\(|\]:|<")
_LINK_TOKENS = {"link_open": "href", "image": "src"}


def _links(tokens: list, images: Callable[[str], str] | None) -> list[Link]:
    """Every link and image token (see Link), image src mapped by `images`."""
    found = []
    line = 0
    for token in tokens:
        if token.map:
            line = token.map[0]
        if token.type != "inline" or not token.children:
            continue
        offset = 0  # line breaks inside the paragraph before the link
        for child in token.children:  # flat: an image inside a link's text is a sibling
            if child.type in ("softbreak", "hardbreak"):
                offset += 1
            attribute = _LINK_TOKENS.get(child.type)
            url = child.attrGet(attribute) if attribute else None
            if not isinstance(url, str):
                continue
            rendered = url
            if child.type == "image" and images is not None and is_safe_url(url):
                rendered = images(url)
                child.attrSet("src", rendered)
            found.append((line + offset, "img" if child.type == "image" else "a", url, rendered))
    return found


def place_figures(body_html: str, figures: tuple[Figure, ...], base_path: str
                  ) -> tuple[str, set[int]]:
    """Replace `{{figure N}}` paragraphs; append unplaced figures. Returns (html, placed N)."""
    placed: set[int] = set()

    def swap(match: re.Match[str]) -> str:
        """The figure for one `{{figure N}}` paragraph."""
        number = int(match[1])
        if not 1 <= number <= len(figures):
            return match[0]
        if number in placed:  # a second placement is dropped (the build warns about it)
            return ""
        placed.add(number)
        return figure_html(figures[number - 1], base_path) + "\n"

    out = FIGURE_PARAGRAPH.sub(swap, body_html)
    rest = [figure_html(f, base_path) for i, f in enumerate(figures, 1) if i not in placed]
    if rest:
        out = out + "\n".join(rest) + "\n"
    return out, placed


def figure_markers(body: str) -> list[tuple[int, int]]:
    """(figure number, 0-based line in body) of every `{{figure N}}` line."""
    return [(int(m[1]), body.count("\n", 0, m.start())) for m in FIGURE_LINE.finditer(body)]


def figure_html(figure: Figure, base_path: str) -> str:
    """A <figure>; without src it is the caption alone (no broken <img>)."""
    parts = ['<figure class="figure' + ("" if figure.src else " figure-caption-only") + '">']
    if figure.src:
        src = html.escape(site_link(figure.src, base_path), quote=True)
        alt = html.escape(figure.alt if figure.alt is not None else figure.caption, quote=True)
        parts.append(f'<img src="{src}" alt="{alt}" loading="lazy" decoding="async">')
    caption = html.escape(figure.caption, quote=False) if figure.caption else ""
    if figure.credit:
        caption += f' <span class="credit">{html.escape(figure.credit, quote=False)}</span>'
    if caption:
        parts.append(f"<figcaption>{caption}</figcaption>")
    parts.append("</figure>")
    return "".join(parts)


def site_link(target: str, base_path: str) -> str:
    """A root-relative link ('/x') moved under base_path; other links unchanged."""
    if target.startswith("/") and not target.startswith("//"):
        return urls.href(base_path, target[1:])
    return target


def rebase_links(body_html: str, base_path: str) -> str:
    """Root-relative href/src in rendered Markdown, moved under base_path."""
    if base_path == "/":
        return body_html
    return _ROOT_LINK.sub(lambda m: m[1] + base_path, body_html)


def plain_text(body_html: str, *, keep_markers: bool = False) -> str:
    """Text of an HTML fragment, whitespace collapsed, `-{…}-` markers removed unless kept."""
    text = html.unescape(_TAG.sub(" ", body_html))
    return _SPACE.sub(" ", text if keep_markers else strip_keep_markers(text)).strip()


def strip_keep_markers(text: str) -> str:
    """`-{text}-` -> `text` (for plain text that is not converted)."""
    return _KEEP_MARKERS.sub(r"\1", text)
