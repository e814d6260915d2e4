"""The article's category: the visible page first (its breadcrumb, a 所属分类： line), then the
section its metadata names, then the channel its <title> names between headline and site."""
from __future__ import annotations

import re

from generator.importer import metadata as meta
from generator.importer.html.blocks import Block
from generator.importer.html.head import Head
from generator.importer.html.tree import ancestors, links_below, nearest_block

_CRUMB_MARKUP = re.compile(r"crumb|bread|position|location|daohang|weizhi|dangqian|c_loca|where", re.I)
_CRUMB_LABEL = re.compile(r"^(?:当前位置|當前位置|您的位置|你的位置|您现在的位置|您現在的位置|現在位置|所在位置|位置)\s*[:：]\s*")
_CRUMB_START = re.compile(r"^(?:首页|首頁|主页|主頁|Home)\s*(?:>|»|＞|›|→|/|\||｜|-->)")
CRUMB_SPLIT = re.compile(r"\s*(?:-->|>>|>|»|＞|›|→|/|\||｜)\s*")
# separators that point down a trail (a menu is set off by bars and slashes instead)
_TRAIL_SPLIT = re.compile(r"\s*(?:-->|>>|>|»|＞|›|→)\s*")
# the words every news site uses for itself and its pages: never a category, nor a tag
NOT_CATEGORY = frozenset({"Home", "home", "News", "news", "正文", "新闻", "新聞", "新闻中心", "新聞中心", "内容", "內容",
                          "即时新闻", "即時新聞", "首页", "首頁"})
# a line that names the article's section: 所属分类：数理化, 栏目：要闻
_CATEGORY_LABEL = re.compile(r"^(?:所属分类|所屬分類|分类|分類|所属栏目|所屬欄目|栏目|欄目|频道|頻道|类别|類別|版块|版塊)\s*[:：]\s*"
                             r"(?P<c>[^\s:：|｜]{2,12})\s*$")
# a crumb that names an outlet (人民网, 北京新浪網: a partner's), not a section
_OUTLET_CRUMB = re.compile(r"[网網]$")


def find_category(blocks: list[Block], title: str | None, head: Head, site: str | None) -> str | None:
    """The page's breadcrumb, a labelled category line, the metadata's section, the <title>'s channel."""
    return (_breadcrumb(blocks, title) or _labelled(blocks) or _meta_section(head, site)
            or _title_channel(head, title, site))


def _breadcrumb(blocks: list[Block], title: str | None) -> str | None:
    """The last meaningful crumb of the page's breadcrumb: a labelled or marked trail, one that
    starts at the home page, or a short trail of links joined by arrows (人民网>>健康·生活)."""
    for block in blocks[:200]:
        if block.chars > 80 or block.kind == "figure":
            continue
        labelled = _CRUMB_LABEL.match(block.plain)
        marked = any(_CRUMB_MARKUP.search(n.attr("class") + " " + n.attr("id")) for n in ancestors(block.owner, 4))
        # (two crumbs at least: a lone link with an arrow, 瞭解更多→, is a "more" link)
        trail = block.link_chars >= 0.7 * block.chars and len([c for c in _TRAIL_SPLIT.split(block.plain) if c]) >= 2
        if not (labelled or _CRUMB_START.match(block.plain) or (marked and CRUMB_SPLIT.search(block.plain)) or trail):
            continue
        text = block.plain[labelled.end():] if labelled else block.plain
        crumbs = [c.strip() for c in CRUMB_SPLIT.split(text)]
        crumbs = [c for c in _section_crumbs(crumbs, block) if c and c not in NOT_CATEGORY and len(c) <= 12
                  and not c.endswith(("首页", "首頁", "主页", "主頁")) and not _OUTLET_CRUMB.search(c)
                  and not (title and meta.fold(c) in meta.fold(title))]
        if crumbs:
            return crumbs[-1]
    return None


def _section_crumbs(crumbs: list[str], block: Block) -> list[str]:
    """The crumbs without the current page's own: in a trail of links, a last crumb that is
    plain text names the page itself (its headline, or 正文, 文章详情), not its section."""
    links = {meta.fold(a.text()) for a in links_below(nearest_block(block.owner) or block.owner)}
    linked = [c for c in crumbs if meta.fold(c) in links]
    if len(crumbs) >= 2 and linked and meta.fold(crumbs[-1]) not in links:
        return crumbs[:-1]
    return crumbs


def _labelled(blocks: list[Block]) -> str | None:
    """The section a short line names with its label (所属分类：数理化)."""
    for block in blocks:
        match = _CATEGORY_LABEL.match(block.plain) if block.chars <= 20 else None
        if match and match.group("c") not in NOT_CATEGORY:
            return match.group("c")
    return None


def _meta_section(head: Head, site: str | None) -> str | None:
    """article:section, itemprop=articleSection or JSON-LD articleSection, unless the outlet's name."""
    values = [head.metas.get("article:section", ""), head.metas.get("articlesection", "")]
    values += [item.get("articleSection") for item in head.json_ld if isinstance(item.get("articleSection"), str)]
    for value in values:
        value = (value or "").strip()
        if 2 <= len(value) <= 12 and value not in NOT_CATEGORY and meta.fold(value) != meta.fold(site or ""):
            return value
    return None


def _title_channel(head: Head, title: str | None, site: str | None) -> str | None:
    """The channel a <title> names between the headline and the site (headline--健康·生活--人民网):
    exactly one segment (headline|山东省|青岛市|无锡市_新浪新闻 lists its tags there)."""
    parts = meta.title_segments(head.title)
    if len(parts) != 3 or not title or meta.fold(parts[0]) != meta.fold(title):
        return None
    channel = parts[1]
    if len(channel) > 12 or channel in NOT_CATEGORY or meta.fold(channel) == meta.fold(site or "") \
            or _OUTLET_CRUMB.search(channel):
        return None
    return channel
