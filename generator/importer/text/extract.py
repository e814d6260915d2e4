"""Plain-text pages (text copied off a site) -> Extracted.

A copied page is a run of lines: a breadcrumb (您現在的位置是:焦點 >>正文), the title, a
view counter (焦點672人已圍觀), a 簡介 line, the article's paragraphs with short
unpunctuated heading lines and caption lines (圖一:…), then the site's trailer (Tags:,
相關文章, 閱讀更多 teasers). Each line is classified on its own; the trailer and
everything after it is dropped.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from generator.core import markdown
from generator.importer.html.figures import split_credit
from generator.importer.metadata import clean_title, find_bylines
from generator.importer.model import Extracted, FigureInfo, Removal

_BREADCRUMB = re.compile(
    r"^(您現在的位置|您现在的位置|現在的位置|现在的位置|當前位置|当前位置|所在位置|"
    r"您的位置|你的位置|位置)\s*[是:：]\s*[:：]?\s*(?P<trail>.+)$"
    # or a trail from the home page without a label (首頁 > 地方 > 台南), above or below the title
    r"|^(?P<home>(?:首頁|首页|主頁|主页|Home)\s*(?:>>|>|»|›|→|＞).{1,60})$")
_CRUMB_SPLIT = re.compile(r"\s*(?:>>|>|»|›|→|/|＞)\s*")
_CRUMB_SKIP = {"正文", "首頁", "首页", "主頁", "主页", "home", "Home", "本文", "內容", "内容"}
_COUNTER = re.compile(
    r"^.{0,12}?\d[\d,]*\s*(人已圍觀|人已围观|人圍觀|人围观|人閱讀|人阅读|人瀏覽|人浏览|次閱讀|次阅读|"
    r"次瀏覽|次浏览|次點擊|次点击|人看過|人看过)$"
    r"|^(閱讀|阅读|瀏覽|浏览|點擊|点击|人氣|人气)(數|数|量|次數|次数)?\s*[:：]?\s*\d[\d,]*\s*(次)?$")
_SUMMARY = re.compile(r"^(簡介|简介|摘要|導讀|导读|內容提要|内容提要|提要)\s*[:：]?\s*(?P<text>.+)$")
_TRAILER = re.compile(
    r"^(Tags?\s*[:：]|標籤\s*[:：]|标签\s*[:：]|關鍵詞\s*[:：]|关键词\s*[:：]|相關文章|相关文章|"
    r"相關閱讀|相关阅读|相關新聞|相关新闻|延伸閱讀|延伸阅读|推薦閱讀|推荐阅读|看更多|閱讀更多|"
    r"阅读更多|熱門文章|热门文章|上一篇|下一篇|猜你喜歡|猜你喜欢)", re.I)
_TAGS = re.compile(r"^(?:Tags?|標籤|标签|關鍵詞|关键词)\s*[:：]\s*(?P<tags>.*)$", re.I)
_CAPTION = re.compile(
    r"^(圖|图|Figure|Fig\.?)\s*(?P<n>[一二三四五六七八九十百〇零\d]+)\s*[:：.．、\s]\s*(?P<text>\S.*)$")
_DATE = re.compile(
    r"(?P<y>(?:19|20)\d\d)\s*(?:年|-|/|\.)\s*(?P<m>\d{1,2})\s*(?:月|-|/|\.)\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?P<H>\d{1,2})[:：時时点點](?P<M>\d{2}))?")
# A dateline under the title: a date plus source/author/counter fields, nothing else.
_META_FIELD = re.compile(
    r"(來源|来源|作者|記者|记者|發布時間|发布时间|發佈時間|時間|时间|點擊|点击|閱讀|阅读|瀏覽|浏览|"
    r"編輯|编辑)\s*[:：]\s*(?P<value>[^\s|｜]*)")
_ORIGINAL_TITLE = re.compile(r"^[（(]?\s*原(?:標題|标题|題|题)\s*[:：]\s*(?P<t>.+?)\s*[）)]?$")
# A menu copied with the page (首頁 | 新聞 | 財經) and a lone column label (【焦點】).
_NAV_LINE = re.compile(r"^[^\s|｜·/>»]{1,6}(?:\s*[|｜·/>»]\s*[^\s|｜·/>»]{1,6}){2,}$"
                       r"|^[^\s\d。，,]{1,4}(?:[ \u3000]+[^\s\d。，,]{1,4}){4,}$")
_LABEL_LINE = re.compile(r"^[【\[][^】\]]{1,8}[】\]]$")
_SENTENCE_END = "。！？!?…;；」』”\"'）)"
_HEADING_MAX = 40
# Hard-wrapped copies cut lines at one display width (at least this many columns); wide
# characters and punctuation that may not start a line leave a few columns free.
_WRAP_MIN = 30
_WRAP_SLACK = 3
_TITLE_MAX = 80
# How many leading body lines may carry the publication date.
_LEAD_LINES = 2


def _category(trail: str) -> str | None:
    """The last meaningful crumb of a breadcrumb trail."""
    crumbs = [c.strip() for c in _CRUMB_SPLIT.split(trail) if c.strip()]
    crumbs = [c for c in crumbs if c not in _CRUMB_SKIP]
    return crumbs[-1] if crumbs else None


def _clean_summary(text: str) -> str:
    """A 簡介 line without the site's truncation marker."""
    return re.sub(r"\s*(\.{3,}|…+|。。。)\s*$", "", text).strip()


def find_date(lines: Sequence[str]) -> str | None:
    """First plausible date (with time when given) in the lines, as ISO text."""
    for line in lines:
        m = _DATE.search(line)
        if not m:
            continue
        y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
        if not (1 <= mo <= 12 and 1 <= d <= 31):
            continue
        if m["H"] is not None and int(m["H"]) < 24 and int(m["M"]) < 60:
            return f"{y:04d}-{mo:02d}-{d:02d}T{int(m['H']):02d}:{m['M']}:00+08:00"
        return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def _is_heading(line: str, following: str | None) -> bool:
    """A short line without sentence punctuation at its end, introducing a longer paragraph."""
    return (len(line) <= _HEADING_MAX and line[-1] not in _SENTENCE_END
            and "。" not in line and following is not None and len(following) > len(line))


def _is_dateline(line: str) -> bool:
    """A short line under the title holding the date and source/author/counter fields."""
    if len(line) > _TITLE_MAX or line[-1] in "。！？":
        return False
    rest = _META_FIELD.sub("", _DATE.sub("", line))
    return bool(_DATE.search(line)) and len(re.sub(r"[\s|｜/:：\-]", "", rest)) <= 4


def _read_dateline(line: str, info: dict) -> None:
    """Date, source name and author from a dateline."""
    info.setdefault("date", find_date([line]))
    for m in _META_FIELD.finditer(line):
        key, value = m[1], m["value"].strip()
        if not value:
            continue
        if key in ("來源", "来源"):
            info.setdefault("source_name", value)
        elif key in ("作者", "記者", "记者"):
            info.setdefault("authors", tuple(re.split(r"[、,，\s]+", value)))


def _split_trailer(lines: list[str]) -> tuple[list[str], list[str]]:
    """(article lines, trailer lines from the first Tags:/相關文章/閱讀更多 line on)."""
    for i, line in enumerate(lines):
        if _TRAILER.match(line):
            return lines[:i], lines[i:]
    return lines, []


def _head(lines: list[str]) -> tuple[dict, list[str], list[Removal]]:
    """Read breadcrumb, title, counter and summary lines before the body."""
    info: dict = {}
    removals: list[Removal] = []
    index = 0
    while index < len(lines) and index < 8:
        line = lines[index]
        crumb = _BREADCRUMB.match(line)
        summary = _SUMMARY.match(line)
        if "title" not in info and (_NAV_LINE.match(line) or _LABEL_LINE.match(line)):
            removals.append(Removal("navigation", (line,)))
        elif crumb and "category" not in info:
            info["category"] = _category(crumb["trail"] or crumb["home"])
            removals.append(Removal("breadcrumb", (line,)))
        elif _COUNTER.match(line):
            removals.append(Removal("view-counter", (line,)))
        elif "title" in info and _is_dateline(line):
            _read_dateline(line, info)
            removals.append(Removal("dateline", (line,)))
        elif summary and "summary" not in info:
            info["summary"] = _clean_summary(summary["text"])
        elif "title" not in info and len(line) <= _TITLE_MAX and line[-1] not in "。":
            info["title"] = clean_title(line)
        else:
            break
        index += 1
    merged: dict[str, tuple[str, ...]] = {}
    for removal in removals:
        merged[removal.rule] = merged.get(removal.rule, ()) + removal.texts
    return info, lines[index:], [Removal(rule, texts) for rule, texts in merged.items()]


def _bylines(lines: list[str]) -> tuple[list[str], tuple[str, ...], tuple[str, ...]]:
    """Reporters named in the first lines (記者王小明／台北報導); byline-only lines dropped."""
    authors: tuple[str, ...] = ()
    dropped: list[str] = []
    kept = list(lines)
    for line in lines[:_LEAD_LINES + 1]:
        byline = find_bylines(line, frozenset())
        if byline is None:
            continue
        authors = authors or byline.names
        if byline.whole_line and len(line) <= _TITLE_MAX:
            kept.remove(line)
            dropped.append(line)
    return kept, authors, tuple(dropped)


def display_width(line: str) -> int:
    """Columns a line takes in a terminal or editor (wide CJK characters count two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def unwrap(lines: list[str]) -> list[str]:
    """Join hard-wrapped lines (most lines cut at one display width) back into paragraphs."""
    widths = [display_width(line) for line in lines]
    width = max(widths, default=0)
    full = [w >= width - _WRAP_SLACK for w in widths]
    if width < _WRAP_MIN or sum(full) < max(3, len(lines) // 2):
        return lines
    out: list[str] = []
    joining = False
    for line, is_full in zip(lines, full):
        if joining:
            out[-1] += line
        else:
            out.append(line)
        joining = is_full and line[-1] not in _SENTENCE_END
    return out


def _body(lines: list[str]) -> tuple[list[str], list[FigureInfo]]:
    """Markdown paragraphs (headings as `## `, captions as `{{figure N}}`) and the figures."""
    paragraphs: list[str] = []
    figures: list[FigureInfo] = []
    for i, line in enumerate(lines):
        caption = _CAPTION.match(line)
        following = lines[i + 1] if i + 1 < len(lines) else None
        # one sentence at most: a caption may close with a full stop or a photographer's credit
        if caption and len(line) <= _TITLE_MAX and line.count("。") <= 1:
            text, credit = split_credit(line)
            figures.append(FigureInfo(caption=text, credit=credit))
            paragraphs.append(f"{{{{figure {len(figures)}}}}}")
        elif paragraphs and _is_heading(line, following):
            paragraphs.append(f"## {line}")
        else:
            paragraphs.append(_escape_block_markup(line))
    return paragraphs, figures


def _escape_block_markup(line: str) -> str:
    """Keep a text line from being read as Markdown structure (heading, list, quote)."""
    if re.match(r"^(#{1,6}\s|[-+*]\s|>|\d+[.)]\s)", line):
        return "\\" + line
    return line


def _trailer_tags(trailer: list[str]) -> tuple[str, ...]:
    """Tags listed on a `Tags:` line that starts the trailer."""
    match = _TAGS.match(trailer[0]) if trailer else None
    if not match or not match["tags"].strip():
        return ()
    return tuple(t for t in re.split(r"[,，、;；\s]+", match["tags"]) if t)


def _take_original_title(lines: list[str], info: dict) -> tuple[list[str], tuple[str, ...]]:
    """Lines without （原標題：…）, whose title goes to info["original_title"]."""
    originals = tuple(line for line in lines if _ORIGINAL_TITLE.match(line))
    if originals:
        info["original_title"] = _ORIGINAL_TITLE.match(originals[0])["t"]
    return [line for line in lines if line not in originals], originals


def extract_text(text: str, url: str | None = None) -> Extracted:
    """A plain-text copy of a news page -> Extracted (body in Markdown)."""
    lines = [line.strip() for line in text.splitlines()]
    article, trailer = _split_trailer([line for line in lines if line])
    info, body_lines, removals = _head(article)
    body_lines, originals = _take_original_title(body_lines, info)
    body_lines, authors, bylines = _bylines(body_lines)
    for rule, texts in (("original-title", originals), ("byline", bylines),
                        ("related-teaser", tuple(trailer))):
        if texts:
            removals.append(Removal(rule, texts))
    paragraphs, figures = _body(unwrap(body_lines))
    body, unsafe = markdown.defuse_unsafe_links("\n\n".join(paragraphs) + "\n" if paragraphs else "")
    if unsafe:  # a text page's own `[x](javascript:…)`: no link, its text kept
        removals.append(Removal("unsafe-url", unsafe))
    return Extracted(
        title=info.get("title"),
        # the byline line (記者…／台南報導) may carry the date, though it left the body
        date=info.get("date") or find_date([*bylines, *body_lines[:_LEAD_LINES], info.get("summary") or ""]),
        authors=info.get("authors") or authors,
        source_name=info.get("source_name"),
        original_title=info.get("original_title"),
        category=info.get("category"),
        summary=info.get("summary"),
        tags=_trailer_tags(trailer),
        figures=tuple(figures),
        body=body,
        source_url=url,
        removals=tuple(removals),
        warnings=() if body_lines else ("no article text found after the title",),
        details={"format": "text"},
    )
