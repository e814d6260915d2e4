"""When and by whom: the publication date and the authors, read near the headline, in markup and metadata."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from generator.importer import metadata as meta
from generator.importer.html.blocks import Block, is_sentence_block, starts_text
from generator.importer.html.head import Head
from generator.importer.html.tree import El, Rules, ancestors, load_rules


def find_date(blocks: list[Block], headline: int | None, head: Head, base: str | None,
              body_idx: list[int], script_date: str | None = None) -> tuple[str | None, str | None]:
    """Publication date: near the headline, else page metadata, else the URL; never today."""
    nears = _dates_near_headline(blocks, headline) if headline is not None else []
    meta_date = _meta_date(head)
    # of several dates under the headline (a blog's "latest post on …", the update, the
    # publication), the one metadata confirms; else the first
    near = next((d for d in nears if meta_date and d[:10] == meta_date[:10]), nears[0] if nears else None)
    if near and meta_date and len(near) > 10 and len(meta_date) > 10 and near[:14] == meta_date[:14] \
            and near[14:16] == meta_date[14:16]:
        return meta_date, "meta"  # the same minute, with seconds
    if near and meta_date and len(near) == 10 and near == meta_date[:10]:
        return meta_date, "meta"  # the visible date, with the time from metadata
    if near:
        return near, "headline"
    if meta_date:
        return meta_date, "meta"
    found = _date_in_page(blocks, body_idx)
    if found:
        return found
    if script_date:
        return script_date, "script"
    from_url = meta.date_from_url(base)
    return (from_url, "url") if from_url else (None, None)


def _dates_near_headline(blocks: list[Block], headline: int) -> list[str]:
    """The dates in the short lines just under the headline (before the text) or just above
    it, in order; a date labelled as an update only when no other is there."""
    after = []
    for i in range(headline + 1, min(len(blocks), headline + 12)):
        caption = blocks[i - 1].kind == "figure" and blocks[i].chars <= 80
        if (starts_text(blocks[i]) and not caption) or _is_related_heading(blocks[i]):
            break  # dates inside the text are events, not the publication date
        after.append(i)
    found, updated = [], None
    for i in after + _lines_above(blocks, headline):
        if blocks[i].kind == "figure" or blocks[i].chars > 200:
            continue
        near = meta.parse_date(_UPDATED.sub(" ", blocks[i].plain))
        if near:
            found.append(near)
        else:
            updated = updated or meta.parse_date(blocks[i].plain)
    return found or ([updated] if updated else [])  # only an update's date: better than none


# a date labelled as an update (更新时间：…, 最後更新 …, 更新於 …): the publication date, when the
# lines give one too, is the other
_UPDATED = re.compile(r"(?:最后|最後)?(?:更新|修改|修訂|修订)(?:时间|時間|日期|於|于)?\s*[:：]?\s*"
                      r"(?:(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?)")


def _lines_above(blocks: list[Block], headline: int) -> list[int]:
    """Up to three lines just above the headline, nearest first, not beyond a navigation row
    (mostly links) and never in page chrome: a date in the masthead, above the site's menu,
    is the page's clock (the time it was saved), not the article's."""
    found = []
    for i in range(headline - 1, max(-1, headline - 4), -1):
        block = blocks[i]
        if block.owner.chrome or (block.chars and block.link_chars >= 0.6 * block.chars):
            break
        found.append(i)
    return found


def _date_in_page(blocks: list[Block], body_idx: list[int]) -> tuple[str, str] | None:
    """(date, where) from the page when metadata has none: date markup, lines around the
    body's start, a timed line in the body, then a labelled date (发布时间：…)."""
    start = body_idx[0] if body_idx else len(blocks)
    last = body_idx[-1] if body_idx else start
    for block in blocks[:last + 4]:
        if _is_related_heading(block):
            break
        if block.chars <= 40 and block.link_chars == 0 and any(_DATE_MARKUP.search(n.attr("class") + " " + n.attr("id") + " " + n.attr("itemprop"))
                                     for n in ancestors(block.owner, 2)):
            found = meta.parse_date(block.plain)
            if found:
                return found, "markup"
    # a date in the masthead (the page's clock) or inside a sentence of the text (the event
    # the story reports) is taken only when the page labels none (发布日期：…)
    weak = None
    for block in blocks[max(0, start - 15):start + 3]:
        found = meta.parse_date(block.plain) if block.chars <= 200 else None
        if found and (block.owner.chrome or block.chars > 40 and is_sentence_block(block)):
            weak = weak or found
        elif found:
            return found, "text"
    for i in body_idx:
        block = blocks[i]
        if _is_related_heading(block):
            break  # dates after a "related" heading belong to other articles
        if block.chars <= 120 and block.kind != "table" and block.link_chars == 0:
            found = meta.parse_date(block.plain)
            if found and ":" in found[10:]:
                return found, "text"
    labelled = _labelled_date(blocks[max(0, start - 15):last + 8])
    return (labelled, "label") if labelled else (weak, "text") if weak else None


def _labelled_date(blocks: list[Block]) -> str | None:
    """The first date given with its label (发布时间：…) in short lines."""
    for block in blocks:
        match = _LABELLED_DATE.search(block.plain) if block.chars <= 120 else None
        found = meta.parse_date(block.plain[match.end():]) if match else None
        if found:
            return found
    return None


_DATE_MARKUP = re.compile(r"(^|[-_ ])(time|date|pubtime|pub-?date|publish|publish-?time|post-?time|datetime|datepublished|pubdate|ptime)([-_ ]|$)", re.I)


# 发表于: 2005-07-31 12:30 (blog footers), 发布时间：…
_LABELLED_DATE = re.compile(r"(?:发表于|發表於|发布于|發佈於|發布於|发表时间|發表時間|发布时间|發布時間|發佈時間|发布日期|發布日期|出版日期|Posted on|Published)\s*[:：]?\s*", re.I)


def _is_related_heading(block: Block) -> bool:
    """True for a short "related articles" heading."""
    return block.chars <= 30 and bool(load_rules().related_heading.match(block.plain))


def date_doubt(date: str | None, where: str | None, head: Head) -> str | None:
    """Why the date may be wrong: read from the page, it is not the day the page's metadata
    gives for its publication (one of them is another article's, an update's or the clock's)."""
    stated = _meta_date(head)
    if not date or not stated or where == "meta" or date[:10] == stated[:10]:
        return None
    return f"the page's date {date[:10]} is not the publication day its metadata gives ({stated[:10]})"


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
        # pubDate: Baidu's schema (ziyuan.baidu.com cambrian.jsonld), common on Chinese sites
        value = item.get("datePublished") or item.get("dateCreated") or item.get("pubDate")
        if isinstance(value, str):
            found = meta.parse_meta_date(value)
            if found:
                return found
    return None


def find_authors(blocks: list[Block], headline: int | None, head: Head, body_idx: list[int],
                 top: El, rules: Rules) -> tuple[str, ...]:
    """Reporters: bylines near the headline, author markup, bylines at the body's start and end."""
    return authors_and_source(blocks, headline, head, body_idx, top, rules)[0]


def authors_and_source(blocks: list[Block], headline: int | None, head: Head, body_idx: list[int],
                       top: El, rules: Rules) -> tuple[tuple[str, ...], str | None]:
    """find_authors' names and where they were read (importer.verdict weighs the weaker
    places: metadata, a line after the body, a 来源 line naming a person). The outlet's own
    name is never an author (a WeChat account's name printed where a byline would be)."""
    names, where = _authors_and_source(blocks, headline, head, body_idx, top, rules)
    outlet = {meta.fold(head.metas.get(key, "")) for key in ("og:site_name", "application-name")} - {""}
    kept = tuple(n for n in names if meta.fold(n) not in outlet)
    return (kept, where) if kept else ((), None)


def _authors_and_source(blocks: list[Block], headline: int | None, head: Head, body_idx: list[int],
                        top: El, rules: Rules) -> tuple[tuple[str, ...], str | None]:
    """The names authors_and_source weighs, and where they were read."""
    near: list[int] = []
    if headline is not None:
        first_text = next((i for i in body_idx if is_sentence_block(blocks[i]) and blocks[i].chars > 40), headline + 10)
        near = list(range(headline + 1, min(len(blocks), max(headline + 10, first_text + 2))))
    elif body_idx:
        near = list(range(max(0, body_idx[0] - 6), body_idx[0]))
    found = _bylines_in(blocks, near, rules)
    if found:
        return found, "headline"
    found = _markup_authors(top, rules, _article_zone(blocks, headline, body_idx))
    if found:
        return found, "markup"
    if body_idx:
        found = _bylines_in(blocks, body_idx[:6] + body_idx[-8:][::-1], rules)
        if found:
            return found, "body"
        for line in byline_lines(blocks, body_idx, headline, rules.not_names):
            names = shape_names(line, rules.not_names)
            if names:
                return names, "byline-shape"
        after = list(range(body_idx[-1] + 1, min(len(blocks), body_idx[-1] + 6)))
        found = _bylines_in(blocks, after, rules)
        if found:
            return found, "after-body"
        last = [i for i in body_idx if blocks[i].kind in ("p", "quote")][-2:]
        for i in reversed(last):
            names = meta.closing_name(blocks[i].plain, rules.not_names)
            if names:
                return names, "body"
        found = _source_person(blocks, near + body_idx[:6] + body_idx[-6:], rules)
        if found:
            return found, "source-line"
    # many sites' CMS fill <meta name=author> with whoever edited the page
    editors = _editors(head, blocks)
    found = tuple(n for n in _meta_authors(head, rules) if n not in editors)
    return found, ("meta" if found else None)


# a line shaped like a byline, read loosely: a writer's label and a name ending the line or
# followed by a space or bracket (记者 王乐文 方 敏, 半月谈记者 史卫燕), 文丨…, or a desk and a
# name (上報快訊／范姜佳鈺); a label that runs on into a sentence (记者致电…) is no byline
_NAME = r"(?P<n>[\u4e00-\u9fff·]{2,4}(?:\s+[\u4e00-\u9fff]{1,4})*)(?=$|[\s）)】〕\]、/／])"
_BYLINE_SHAPES = tuple(re.compile(p) for p in (
    r"(?:记者|記者|作者|评论员|評論員|通讯员|通訊員|撰文|撰稿|编译|編譯|报道员|報導員)\s*[:：]?\s*" + _NAME,
    r"(?<![\u4e00-\u9fff])文\s*[丨|｜/／:：]\s*(?P<n>\S.{0,24})$",
    r"[\u4e00-\u9fff]{2,8}\s*[／/╱]\s*(?P<n>[\u4e00-\u9fff]{2,4})(?=$|\s|\d)",
))
# editors, proof-readers, sources and photo credits are not bylines; nor a desk's 綜合報導
_NOT_BYLINE = re.compile(r"责任编辑|責任編輯|责编|責編|编辑\s*[:：]|編輯\s*[:：]|审读|審讀|监制|監製|校对|校對|"
                         r"来源\s*[:：]|來源\s*[:：]|(?:[摄攝](?:影)?|供图|供圖|提供)[）)]?$")
_DESK_WORDS = re.compile(r"報導|报道|報道|综合|綜合|中心")
# the bracketed head or tail of a long paragraph: （记者 王小明）…, …（评论员 罗博 萧海川）
_BRACKET_EDGES = (re.compile(r"^[（(【〔\[]([^）)】〕\]]{2,30})[）)】〕\]]"),
                  re.compile(r"[（(【〔\[]([^（(【〔\[]{2,30})[）)】〕\]]$"))


def byline_lines(blocks: list[Block], body_idx: list[int], headline: int | None,
                 not_names: frozenset[str] = frozenset()) -> list[str]:
    """Lines around the headline and at the body's edges shaped like a byline (short lines,
    author-marked elements, the bracketed head or tail of a long paragraph): a second,
    looser reading of the byline, to check the one find_authors made."""
    start = headline + 1 if headline is not None else (body_idx[0] - 4 if body_idx else 0)
    first_text = next((i for i in body_idx if is_sentence_block(blocks[i]) and blocks[i].chars > 40), start)
    near = list(range(max(0, start), min(len(blocks), max(start, first_text))))
    found: list[str] = []
    for i in dict.fromkeys(near + body_idx[:3] + body_idx[-5:]):
        block = blocks[i]
        if block.kind == "figure" or not block.plain:
            continue
        marked = any(_AUTHOR_MARKUP.search(n.attr("class") + " " + n.attr("id")) for n in ancestors(block.owner, 2))
        if block.chars <= 40 or marked and block.chars <= 60:
            texts = [block.plain]
        else:
            texts = [m.group(1) for edge in _BRACKET_EDGES for m in [edge.search(block.plain)] if m]
        found += [t for t in texts if t not in found and _is_byline_shaped(t.strip(), not_names)]
    return found


def _is_byline_shaped(text: str, not_names: frozenset[str]) -> bool:
    """A byline by shape: a label or desk and something like a name, not an editor or credit."""
    if _NOT_BYLINE.search(text):
        return False
    for shape in _BYLINE_SHAPES:
        match = shape.search(text)
        name = match.group("n") if match else ""
        if name and not _DESK_WORDS.search(name) and not any(w in name for w in not_names):
            return True
    return False




def shape_names(text: str, not_names: frozenset[str]) -> tuple[str, ...]:
    """The names in a byline-shaped line: after the last writer's label, a run of spaced
    single characters joined (方 敏 -> 方敏)."""
    for shape in _BYLINE_SHAPES:
        match = shape.search(text)
        raw = match.group("n") if match else ""
        if not raw or _DESK_WORDS.search(raw):
            continue
        raw = _LABEL_WORDS.split(raw)[-1]
        raw = re.sub(r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff])\s+([\u4e00-\u9fff])(?![\u4e00-\u9fff])", r"\1\2", raw.strip())
        # an outlet or desk in the writer's place (文｜本网评论部) is not a person
        names = tuple(n for n in meta.split_names(raw, not_names) if not _ORG_SUFFIX.search(n))
        if names:
            return names
    return ()


_LABEL_WORDS = re.compile(r"记者|記者|作者|评论员|評論員|通讯员|通訊員|撰文|撰稿|编译|編譯|报道员|報導員")

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


# what follows the names in an author-marked element: the desk's place and 報導 (王小明／台北即時報導),
# or a bar and the date (By 王小明 | 2025-05-03)
_MARKED_TAIL = re.compile(r"\s*[／/╱]\s*[\u4e00-\u9fff]{0,8}?(?:報導|报道|報道)\s*$|\s*[|｜]\s*.*$|\s+(?:19|20)\d{2}\D.*$")


def _markup_authors(top: El, rules: Rules, zone: list[str] | None = None) -> tuple[str, ...]:
    """Names in rel=author / itemprop=author / class="author" elements outside page chrome and,
    when the article's place is known (`zone`: the text of its lines), inside it: a marked
    name in a related-articles list, a comment thread or a sidebar card is someone else's."""
    stack = [top]
    while stack:
        el = stack.pop()
        if el.chrome:
            continue
        marked = el.attr("rel") == "author" or el.attr("itemprop") == "author" or \
            bool(_AUTHOR_MARKUP.search(el.attr("class") + " " + el.attr("id")))
        if marked and el.chars <= 30 and (zone is None or _in_zone(el, zone)):
            text = _MARKED_TAIL.sub("", re.sub(r"^(?:作者|记者|記者|文|撰文|By|BY|by)\s*[:：／/]?\s*", "", el.text().strip()))
            # a desk in the writer's place (地方中心／桃園報導) is no person
            names = tuple(n for n in meta.split_names(text, rules.not_names)
                          if not _DESK_WORDS.search(n) and not _ORG_SUFFIX.search(n))
            if names and len(meta.fold(text)) <= 4 * len(names) + 2:
                return names
        stack.extend(c for c in reversed(el.children) if isinstance(c, El))
    return ()


# how far before the headline (a kicker, a byline above it) and after the body's last block (a
# closing credit), short of a "related" heading, a marked author still belongs to the article
_ZONE_BEFORE, _ZONE_AFTER = 3, 2


def _article_zone(blocks: list[Block], headline: int | None, body_idx: list[int]) -> list[str] | None:
    """The text of the lines from just above the headline to just after the body; None when
    the body is unknown (then markup is read anywhere)."""
    if not body_idx:
        return None
    first = min(body_idx[0], headline if headline is not None else body_idx[0]) - _ZONE_BEFORE
    zone = []
    for block in blocks[max(0, first):body_idx[-1] + _ZONE_AFTER + 1]:
        if _is_related_heading(block):
            break  # what follows names other articles
        zone.append(_SPACES.sub("", block.plain))
    return zone


def _in_zone(el: El, zone: list[str]) -> bool:
    """True when the element's text is part of a line of the zone (matched by text: a block
    belongs to the element its first words came from, often a link before the name)."""
    text = _SPACES.sub("", el.text())
    return bool(text) and any(text in line for line in zone)


_SPACES = re.compile(r"\s+")


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


# an editor's line (责任编辑：王小明, （编辑：王小明 李四）): the names after the label
_EDITOR_LINE = re.compile(r"(?:责任编辑|責任編輯|责编|責編|编辑|編輯)\s*[:：]\s*([\u4e00-\u9fff·]{2,4}(?:[\s、，,]+[\u4e00-\u9fff·]{2,4})*)")


def _editors(head: Head, blocks: list[Block]) -> frozenset[str]:
    """The page's editors: <meta name=editor> and the names of its editor lines."""
    found = set(re.split(r"[\s、，,]+", head.metas.get("editor", "").strip()))
    for block in blocks:
        if block.chars <= 60:
            for match in _EDITOR_LINE.finditer(block.plain):
                found.update(re.split(r"[\s、，,]+", match.group(1)))
    return frozenset(found - {""})


def _is_outlet(name: str, head: Head) -> bool:
    """True when a claimed author is the outlet itself."""
    site = head.metas.get("og:site_name", "")
    folded = meta.fold(name)
    return bool(folded) and (folded in meta.fold(site) or folded in meta.fold(head.title)[-12:])


def without_outlet(authors: tuple[str, ...], outlets: set[str], url: str | None) -> tuple[str, ...]:
    """The authors without the outlet's short name read among them: the start of a 来源 or
    site name (文｜财新 余聪 under 来源：财新网), or a name whose pinyin opens the site's host
    name (财新 on caixin.com, 环球 on huanqiu.com). A lone name stays: a blog's owner may
    name the blog and its domain. (An author named by metadata is checked by _is_outlet.)"""
    if len(authors) < 2:
        return authors
    labels = _host_labels(url)

    def outlet(name: str) -> bool:
        folded = meta.fold(name)
        if len(folded) < 2:
            return False
        return any(o.startswith(folded) for o in outlets) or \
            bool(labels) and any(label.startswith(_pinyin(folded)) for label in labels)

    people = tuple(a for a in authors if not outlet(a))
    return people if people else authors


def _host_labels(url: str | None) -> list[str]:
    """The host's names without www and the top-level parts (news.caixin.com -> news, caixin)."""
    host = urlsplit(url or "").hostname or ""
    parts = [p for p in host.split(".") if p and p != "www"]
    return [p for p in parts[:-1] if p not in ("com", "net", "org", "gov", "edu", "co")]


def _pinyin(text: str) -> str:
    """Toneless pinyin of Han text, joined (财新 -> caixin); a string no host name starts
    with when the text holds anything else."""
    if not re.fullmatch(r"[\u4e00-\u9fff]+", text):
        return "\0"
    from pypinyin import lazy_pinyin  # loaded on first use, as the slugs do
    return "".join(lazy_pinyin(text))


# a 来源 label anywhere in a short line (2023-09-26 17:22来源： 财新网作者：…), and what follows it
_SOURCE_LABEL = re.compile(r"(?:来源|來源|稿源)\s*[:：]\s*([\u4e00-\u9fffA-Za-z]{2,12})")


def outlets(blocks: list[Block], head: Head, site: str | None) -> set[str]:
    """Folded names of the outlet: the site's, og:site_name and what the page's 来源 lines give."""
    names = {meta.fold(site or ""), meta.fold(head.metas.get("og:site_name", ""))}
    for block in blocks:
        found = _SOURCE_LABEL.search(block.plain) if block.chars <= 80 else None
        if found:
            names.add(meta.fold(found.group(1)))
    return names - {""}
