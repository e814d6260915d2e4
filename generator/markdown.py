"""One configured markdown-it-py renderer, figure placement and plain text."""
from __future__ import annotations

import html
import re
from collections.abc import Callable

from markdown_it import MarkdownIt

from generator.model import Figure

FIGURE_PARAGRAPH = re.compile(r"<p>\{\{\s*figure\s+(\d+)\s*\}\}</p>\n?")
FIGURE_LINE = re.compile(r"^\s*\{\{\s*figure\s+(\d+)\s*\}\}\s*$", re.MULTILINE)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_ROOT_LINK = re.compile(r'(<(?:a|img)\s[^>]*?\b(?:href|src)=")/(?!/)')
_KEEP_MARKERS = re.compile(r"-\{(.*?)\}-", re.DOTALL)


def make_renderer() -> Callable[[str], str]:
    """CommonMark plus tables and strikethrough; raw HTML is escaped, not passed through."""
    # xhtmlOut off: HTML void elements without the XHTML " />" (html-validate void-style)
    md = MarkdownIt("commonmark", {"html": False, "typographer": False, "xhtmlOut": False})
    md.enable(["table", "strikethrough"])
    return md.render


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
        return base_path + target[1:]
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
