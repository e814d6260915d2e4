"""HTML page -> Extracted: the article's blocks as Markdown, its metadata, and what was removed.

How the article is found (general rules, no per-site code; site knowledge lives in
rules/html.yml), and which module does each step:
1. html_tree: the page is parsed with selectolax (lexbor) into a small tree of `El`;
   scripts, styles, form controls and hidden elements are dropped. Elements whose class/id
   name page chrome (`chrome_class`) are marked, not deleted, so metadata can still be read
   there; a mark on an element that holds the article markup (an unclosed ad <div>) is lifted.
2. html_blocks: the whole page is rendered into blocks (paragraphs, headings, list items,
   quotes, tables, figures). Here, the headline is the block that best matches
   <title>/og:title/JSON-LD.
3. html_container: each block of running text votes for the elements above it (Readability's
   propagation, decaying with distance; inline wrappers do not count as levels); an
   element's votes shrink with its link density, and double when it holds the text right
   after the headline. The best element is the article container; lead paragraphs beside it
   join it.
4. html_byline: the date and bylines are read near the headline, then from markup and
   metadata (html_head reads the <head>). html_body: the body is the container's blocks after the headline, without furniture
   before the first sentence (date lines, bylines, decks, site names), chrome blocks, link
   lists, boilerplate lines, "related" teasers and closing notices; html_figures: captions
   and photo credits go to figures; html_category: the category (breadcrumb first).
"""
from __future__ import annotations

import html
from collections.abc import Callable
import re
from dataclasses import replace

from selectolax.lexbor import LexborHTMLParser

from generator.importer import metadata as meta
from generator.importer import tags as page_tags
from generator.importer.html.blocks import Block, BlockRenderer, is_sentence_block, resolve_url, starts_text
from generator.importer.html.body import DEK_LABEL, clean_body, line_rule
from generator.importer.html.byline import authors_and_source, date_doubt, find_date, outlets, without_outlet
from generator.importer.html.category import CRUMB_SPLIT, NOT_CATEGORY, find_category
from generator.importer.html.container import choose_container, with_lead_siblings
from generator.importer.html.head import Head, read_head
from generator.importer.html.signals import extraction_signals
from generator.importer.html.tree import (BLOCK_TAGS, El, Rules, ancestors, build_tree, links_below, load_rules,
                                          nearest_block, settle_chrome)
from generator.importer.artefacts import default_detect
from generator.importer.model import Extracted, Removal
from generator.core.urls import is_safe_url


def extract_html(text: str, *, url: str | None = None,
                 detect: Callable[[str], str | None] | None = None) -> Extracted:
    """Find the article in an HTML page and describe it.

    `detect` tells a text's script (the site converter's detect_script; a default one
    without it)."""
    rules = load_rules()
    tree = LexborHTMLParser(text)
    head = read_head(tree, rules)
    page_url = url or head.canonical or head.metas.get("og:url") or head.wrapper_url
    base_node = tree.css_first("base[href]")
    base = resolve_url(base_node.attributes.get("href") or "", page_url) or page_url if base_node is not None else page_url
    base = base if base is None or is_safe_url(base) else page_url  # <base href="vbscript:…">
    root = tree.body or tree.root
    if root is None:
        return Extracted(title=None, date=None, warnings=("empty page: no HTML body",))
    top = build_tree(root, rules)
    settle_chrome(top)
    renderer = BlockRenderer(base, rules)
    renderer.render(top)
    renderer.flush(top)
    blocks = renderer.blocks
    container, rival = choose_container(blocks, top, find_headline(blocks, head, None))
    # again, now preferring a heading inside the article container
    headline = find_headline(blocks, head, container)
    matched = headline is not None
    if headline is None:
        headline = headline_above(blocks, container, rules)
    extracted = _describe(head, blocks, container, top, page_url, rules, headline, matched)
    extracted = replace(extracted, script=(detect or default_detect)(
        (extracted.body or extracted.title or "")[:1500]))
    signals = extraction_signals(blocks, _body_indexes(blocks, container, headline), headline, head,
                                 extracted.title, rival, extracted.body, extracted.authors,
                                 extracted.details.get("author_from"), rules.not_names)
    extracted = replace(extracted, details={**extracted.details, **signals})
    unsafe = (*head.unsafe_urls, *renderer.unsafe_urls)
    return replace(extracted, removals=(*extracted.removals, Removal("unsafe-url", unsafe))) if unsafe else extracted


def headline_above(blocks: list[Block], container: El, rules: Rules) -> int | None:
    """When no block matches <title> (a <title> holding only the site name), the short plain
    line just above the article's first text is its headline."""
    first = next((i for i, b in enumerate(blocks) if b.owner.inside(container) and starts_text(b)), None)
    if first is None:
        return None
    for i in range(first - 1, max(-1, first - 5), -1):
        block = blocks[i]
        if block.kind == "figure":
            continue
        if block.kind not in ("p", "h") or block.owner.chrome or block.link_chars or not (6 <= block.chars <= 40):
            continue
        if block.kind != "h" and block.owner.inside(container) and not _only_meta_between(blocks[i + 1:first], rules):
            continue  # inside the text, only a heading or the line right above the first sentence (or its dateline)
        # a question or exclamation mark may close a headline; a comma or full stop inside makes a
        # sentence; a date stamp glued to its end is not the headline's (clean_title drops it)
        line = meta.clean_title(block.plain)
        if re.search(r"[，。！？；,;]", line.rstrip("？！?!")) or meta.parse_date(line) \
                or CRUMB_SPLIT.search(block.plain) \
                or meta.find_bylines(block.plain, rules.not_names) or line_rule(block, rules) \
                or rules.meta_line.search(block.plain):
            continue
        return i
    return None


def _only_meta_between(between: list[Block], rules: Rules) -> bool:
    """Nothing but pictures and a dateline or meta line (2025-07-15, 来源：…) between two blocks."""
    return all(b.kind == "figure" or b.chars <= 60 and (meta.parse_date(b.plain) or rules.meta_line.search(b.plain))
               for b in between)


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
    while node is not None and node.tag not in BLOCK_TAGS:
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
    removals: dict[str, list[str]] = {}
    body_idx = _body_indexes(blocks, container, headline)
    if not matched and headline is not None:
        title = _title_or_line_above(title, meta.clean_title(blocks[headline].plain), blocks, head, rules)
    date, date_where = find_date(blocks, headline, head, base, body_idx, head.script_date)
    authors, author_from = authors_and_source(blocks, headline, head, body_idx, top, rules)
    body, figures, original_title, source_name = clean_body(blocks, body_idx, title, authors, rules, removals,
                                                                   _site_labels(head, title))
    inside = set(body_idx)
    outside = [b.plain for i, b in enumerate(blocks) if i not in inside and i != headline and b.plain]
    if outside:
        removals["outside-article"] = outside
    site = _site_name(head, source_name, title, authors) or _copyright_holder(blocks)
    authors = without_outlet(authors, outlets(blocks, head, site), base)
    category = find_category(blocks, title, head, site)
    if not matched or headline is None:  # a headline read from <title> may still carry its site
        title = meta.without_site_tail(title, site, body)
    summary = _visible_dek(blocks, headline, body_idx) or _labelled_dek(removals) or _summary(head, title, body)
    tags = _page_tags(head, blocks, top, title, site, category, body)
    details = {"date_from": date_where, "author_from": author_from, "date_doubt": date_doubt(date, date_where, head)}
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
        removals=tuple(Removal(rule, tuple(texts)) for rule, texts in removals.items()),
        warnings=_page_warnings(body, top, container, date),
        details=details,
    )


def _title_or_line_above(title: str | None, above: str, blocks: list[Block], head: Head,
                         rules: Rules) -> str | None:
    """No block matches the <title>: the heading just above the text is the headline when the
    <title> holds little more than the site's name, or opens with it (示例社區報－地方新聞: the
    site and a channel, with the masthead's heading, og:site_name or a 来源 line as the site)."""
    folded = meta.fold(title or "")
    if len(folded) < 8:
        return above
    sites = {meta.fold(head.metas.get(k, "")) for k in ("og:site_name", "application-name")}
    sites |= {meta.fold(b.plain) for b in blocks[:40] if b.kind == "h" and b.owner.chrome and b.chars <= 12}
    sites |= _source_names(blocks, rules)
    return above if any(len(site) >= 2 and folded.startswith(site) for site in sites) else title


def _source_names(blocks: list[Block], rules: Rules) -> set[str]:
    """Folded outlet names the page's 来源 lines give (the part before a dash or bar: 科普中国 in
    科普中国-科学原理)."""
    names = set()
    for block in blocks:
        match = rules.source_line.match(block.plain) if block.chars <= 40 else None
        if match:
            names.add(meta.fold(re.split(r"\s*[-_|｜—–·]\s*", match.group(2).strip())[0]))
    return names


def _body_indexes(blocks: list[Block], container: El, headline: int | None) -> list[int]:
    """Indexes of the blocks inside the container (and its lead siblings), after the headline."""
    parts = with_lead_siblings(container)
    body_idx = [i for i, b in enumerate(blocks) if any(b.owner.inside(part) for part in parts)]
    if headline is not None:
        body_idx = [i for i in body_idx if i > headline] or body_idx
    return body_idx


def _page_warnings(body: str, top: El, container: El, date: str | None) -> tuple[str, ...]:
    """What the curator should check: an index page instead of an article, a missing date."""
    warnings: list[str] = []
    if not body.strip() or len(meta.fold(body)) < 30:
        warnings.append("no article found: looks like an index page")
    elif _looks_like_index(top, container) or _teaser_list(body):
        warnings.append("no article found: looks like an index page")
    if date is None:
        warnings.append("no publication date found")
    return tuple(warnings)


def _teaser_list(body: str) -> bool:
    """A body that is a run of paragraphs each opening with a link (headline + teaser) is a list page."""
    paragraphs = [p for p in body.split("\n\n") if p.strip() and not p.startswith("{{figure")]
    linked = [p for p in paragraphs if re.match(r"^(?:#+ |- |\d+\. )?\[", p)]
    return len(linked) >= 5 and len(linked) >= 0.6 * len(paragraphs)


def _looks_like_index(top: El, container: El) -> bool:
    """A page whose text is mostly links, with no container of sentences, is an index."""
    return container.punct < 5 and top.link_chars > 2 * max(1, top.chars - top.link_chars)


def _page_tags(head: Head, blocks: list[Block], top: El, title: str | None, site: str | None,
               category: str | None, body: str) -> tuple[str, ...]:
    """The article's own tags (importer/tags.py): article:tag, JSON-LD keywords or a visible tag
    row; else the meta keywords that are about this article. Never outlet or section names.
    A marked row or rel=tag links none of whose tags the headline or text mentions are the site's
    tag cloud (a blog's sidebar), not this article's row; a labelled strip (关键词：…) is its own."""
    own = page_tags.structured_keywords(head.article_tags, head.json_ld)
    if own:
        tags = meta.clean_keywords(own, title=title, site=site, head_title=head.title)
    else:
        found, labelled = _tag_links(blocks, top)
        row = meta.clean_keywords(found, title=title, site=site, head_title=head.title)
        keywords = head.metas.get("keywords", "") or head.metas.get("news_keywords", "")
        tags = row if labelled or page_tags.article_specific(row, title, body) else page_tags.article_specific(
            meta.clean_keywords(keywords, title=title, site=site, head_title=head.title), title, body)
    sections = (site, category, head.metas.get("og:site_name"), head.metas.get("article:section"), *NOT_CATEGORY)
    return page_tags.not_names(tags, sections)


_TAG_LABEL = re.compile(r"^(?:关键词|關鍵詞|关键字|關鍵字|标签|標籤|標簽|Tags?)\s*[:：]\s*", re.I)


def _tag_links(blocks: list[Block], top: El) -> tuple[str, bool]:
    """The page's own tags when it has no tag metas: rel=tag links, a row of links marked as
    tags (class="keywords"), or a 关键词： strip; and whether a label (关键词：) says they are
    this article's."""
    tags: list[str] = []
    rows: list[El] = []
    stack = [top]
    while stack:
        el = stack.pop()
        if el.tag == "a":
            if "tag" in el.attr("rel").split():
                tags.append(el.text())
            continue
        names = el.attr("class") + " " + el.attr("id")
        if len(names) > 1 and _TAG_ROW.search(names):
            rows.append(el)
        stack.extend(c for c in reversed(el.children) if isinstance(c, El))
    if tags:
        return ",".join(tags), False
    hashtags = _hashtag_row(blocks)
    if hashtags:
        return hashtags, False
    for row in rows[:8]:
        links = [a.text() for a in links_below(row) if a.text()]
        if links and len(meta.fold(row.text())) - len(meta.fold("".join(links))) <= 12:
            return ",".join(links), False  # a row of tag links marked as such (a label at most besides)
    for block in blocks:
        label = _TAG_LABEL.match(block.plain) if block.chars <= 80 else None
        if label:
            # the row's links are its tags (their texts may run together in the plain text)
            links = [a.text() for a in links_below(nearest_block(block.owner) or block.owner) if a.text()]
            return (",".join(links) if links else re.sub(r"[\s、|｜/]+", ",", block.plain[label.end():])), True
    return "", False


def _hashtag_row(blocks: list[Block]) -> str:
    """A visible row of two or more links that each read #tag, and little else: the article's
    hashtags (whatever the row's class is called)."""
    for block in blocks:
        if block.chars > 80 or block.link_chars < 0.8 * block.chars or block.owner.chrome or \
                "#" not in block.plain and "＃" not in block.plain:
            continue  # (a sidebar's trending hashtags are page chrome)
        links = [a.text().strip() for a in links_below(nearest_block(block.owner) or block.owner) if a.text().strip()]
        if len(links) >= 2 and all(t.startswith(("#", "＃")) for t in links):
            return ",".join(t.lstrip("#＃").rstrip("#＃ ") for t in links)
    return ""


_TAG_ROW = re.compile(r"(^|[-_ ])(tags?|keywords?|article-?tags?|tag-?list|post-?tags)([-_ ]|$)", re.I)


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


_DEK_MARKUP = re.compile(r"(^|[-_ ])(summary|abstract|digest|dek|standfirst|lead|intro|zhaiyao|daodu|article-?desc)([-_ ]|$)", re.I)


def _visible_dek(blocks: list[Block], headline: int | None, body_idx: list[int]) -> str | None:
    """The page's own dek: a sentence block marked as summary/abstract/dek between the headline
    and the body, outside the body (the visible page before its meta description)."""
    if headline is None or not body_idx:
        return None
    for block in blocks[headline + 1:min(body_idx)]:
        marked = any(_DEK_MARKUP.search(n.attr("class") + " " + n.attr("id")) for n in ancestors(block.owner, 3))
        if marked and 15 <= block.chars <= 300 and not block.link_chars and is_sentence_block(block):
            return re.sub(r"^(?:摘要|提要|导读|導讀|内容提要|內容提要)\s*[:：]\s*", "", block.plain).strip() or None
    return None


def _labelled_dek(removals: dict[str, list[str]]) -> str | None:
    """The dek a label introduced above the text (导读：…), without its label."""
    for text in removals.get("dek-line", []):
        dek = DEK_LABEL.sub("", text).strip()
        if len(dek) >= 8:
            return dek
    return None


def _overlap(text: str, reference: str) -> float:
    """Share of `text`'s character pairs that also occur in `reference`."""
    folded = meta.fold(text)
    pairs = {folded[k:k + 2] for k in range(len(folded) - 1)}
    if not pairs:
        return 0.0
    ref = meta.fold(reference)
    return sum(1 for p in pairs if p in ref) / len(pairs)
