"""The article body: boilerplate, furniture and notices dropped from the container's blocks, Markdown out."""
from __future__ import annotations

import re

from generator.importer import metadata as meta
from generator.importer.html.blocks import Block, SENTENCE_END, is_sentence_block, starts_text
from generator.importer.html.figures import CAPTION_MARKS, attach_captions, caption_only_figures, captions_a_figure
from generator.importer.html.tree import BLOCK_TAGS, Rules, ancestors
from generator.importer.model import FigureInfo


_DATE_ONLY_LINE = re.compile(r"^[\s\d:：/\-.年月日时時分秒星期周週一二三四五六日天()（）\[\]【】|｜APMapm上下午发布發布更新时间時間日期]*$")


def line_rule(block: Block, rules: Rules) -> str | None:
    """Name of the boilerplate line rule a short block matches."""
    if block.chars > rules.short_line:
        return None
    running = block.chars >= 30 and starts_text(block)
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
        if rule in ("label", "picture-source") and any(b.kind == "figure" for b in kept[-2:]):
            rule = None  # a short line under a picture (or its caption) is a caption or credit, read later
        if rule is None and not started and meta.fold(block.plain) in labels:
            rule = "site-name"  # the outlet or channel name printed above the text
        counter = _SLIDE_COUNTER.match(block.plain) if block.kind == "p" else None
        if counter and not rule:
            # "1/10 当全世界…": a slideshow's page counter glued to its caption text
            removals.setdefault("counter", []).append(counter.group().strip())
            block.plain = block.plain[counter.end():]
            block.md = re.sub(r"^\d{1,2}\s*/\s*\d{1,2}\s+", "", block.md)
        if rule == "article-meta" and _unglue_date_label(block, removals):
            rule = None
        if rule == "original-title":
            original_title = rules.original_title.match(block.plain).group(2)
        elif rule == "source-line" and source_name is None:
            source_name = rules.source_line.match(block.plain).group(2)
        if rule == "related-heading":
            related_at = len(kept)
        if rule == "byline" and kept and len(kept) <= 2 and \
                all(b.kind == "figure" or b.chars <= 80 and "。" not in b.plain and not _DATELINE.match(b.plain)
                    for b in kept):
            # a short deck (pull quote, sub-headline) printed above the byline is not the text
            removals.setdefault("deck", []).extend(b.plain for b in kept if b.plain)
            kept = [b for b in kept if b.kind == "figure"]
        if rule:
            removals.setdefault(rule, []).append(block.plain or block.figure.src if block.figure else block.plain)
            continue
        after_figure = bool(kept) and kept[-1].kind == "figure" and block.chars <= 60
        if block.kind != "figure" and starts_text(block) and not block.plain.startswith(CAPTION_MARKS) \
                and not after_figure:  # a picture's caption is not the start of the text
            started = True
        kept.append(block)
    kept = _drop_closing_pointers(kept, authors, removals)
    kept, figures = _finish_body(kept, related_at, rules, removals)
    return _to_markdown(kept, figures), figures, original_title, source_name


# a date label (日期:, 时间：) opening a block
_GLUED_DATE_LABEL = re.compile(r"^[\[【（(]?\s*(?:日期|时间|時間)\s*[:：]\s*")


def _unglue_date_label(block: Block, removals: dict[str, list[str]]) -> bool:
    """日期:1月21日，凱爾特人…: a page's date label glued to the first paragraph, whose own
    words open with the day. The label goes, the paragraph stays (True); else False."""
    glued = _GLUED_DATE_LABEL.match(block.plain)
    if not glued or not _runs_on(block.plain[glued.end():]):
        return False
    removals.setdefault("date-label", []).append(glued.group().strip())
    block.plain = block.plain[glued.end():]
    block.md = _GLUED_DATE_LABEL.sub("", block.md, count=1)
    return True


def _runs_on(text: str) -> bool:
    """Running text: 30 characters or more, opening with a full sentence of 20 or more that
    holds a comma (a label's value, a date and a source, has neither)."""
    sentence = re.match(r"[^。！？]*[。！？]", text)
    return bool(sentence) and len(sentence.group()) >= 20 and len(text) >= 30 and "，" in sentence.group()


# a closing line that sends the reader elsewhere: short, no sentence end, a link or a web
# address in it (更多…资讯请关注www.example.com, 用Twitter追蹤…：[追蹤](…), 【更多精彩新聞，都在《[…](…)》粉絲團】)
_POINTER = re.compile(r"https?://|www\.[A-Za-z0-9-]+\.|\]\(")
_POINTER_MAX = 60
_CREDIT_WORDS = re.compile(r"记者|記者|作者|编辑|編輯|摄|攝|供图|供圖|来源|來源")


def _drop_closing_pointers(kept: list[Block], authors: tuple[str, ...],
                           removals: dict[str, list[str]]) -> list[Block]:
    """Drop the run of pointer lines ending the text (figures and their captions after them
    stay): a follow-us line or a link to the outlet's fan page is the site's, not the story's.
    A line naming the author or a credit, or ending a sentence, is the story's."""
    def is_pointer(block: Block) -> bool:
        text = block.plain.strip()
        return (block.kind == "p" and len(text) <= _POINTER_MAX and bool(_POINTER.search(block.md))
                and not SENTENCE_END.search(text) and not _CREDIT_WORDS.search(text)
                and not any(name in text for name in authors))
    drop: set[int] = set()
    for i in range(len(kept) - 1, -1, -1):
        caption = i > 0 and kept[i - 1].kind == "figure" and kept[i].chars <= 80
        if kept[i].kind == "figure" or caption:
            continue
        if not is_pointer(kept[i]):
            break
        drop.add(i)
    if not drop or sum(b.kind != "figure" for b in kept) - len(drop) < 1:
        return kept
    removals.setdefault("closing-pointer", []).extend(kept[i].plain for i in sorted(drop))
    return [b for i, b in enumerate(kept) if i not in drop]


def _finish_body(kept: list[Block], related_at: int | None, rules: Rules,
                 removals: dict[str, list[str]]) -> tuple[list[Block], list[FigureInfo]]:
    """The kept blocks without related teasers, edge notices and trailing labels; figures
    with their captions; bold one-line paragraphs turned into headings."""
    if related_at is not None:
        kept = _drop_related_tail(kept, related_at, removals)
    kept = _drop_summary_box(kept, removals)
    kept = _drop_edge_disclaimers(kept, rules, removals)
    kept = _trim_edges(kept, rules, removals)
    _drop_trailing_promo(kept, removals)
    _drop_trailing_marks(kept, removals)
    _inline_link_debris(kept, removals)
    kept = _drop_repeated_pictures(kept, removals)
    caption_only_figures(kept, removals)
    figures = attach_captions(kept, removals)
    for block in kept:
        if _is_bold_heading(block):
            block.kind, block.level = "h", 3
    return kept, figures


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
    rule = line_rule(block, rules)
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
    if DEK_LABEL.match(plain) and block.chars <= 300:
        return "dek-line"  # 导读：…, 【摘要】…, 核心提示：… : the page's own summary, not its text
    if block.chars > 80:
        return None
    if block.chars <= 1:
        return "fragment"
    if re.fullmatch(r"[【\[]\s*[^】\]]{1,14}\s*[】\]]", plain):
        return "column-label"
    if not is_sentence_block(block) and any(rules.subtitle_class.search(n.attr("class") + " " + n.attr("id"))
                                             for n in ancestors(block.owner, 3)):
        return "subtitle"
    if first and block.chars <= 30 and re.search(r"[，。！？]", block.plain) and \
            any(n.tag in ("b", "strong") for n in ancestors(block.owner, 2)):
        return "deck"  # a bold line of verse under the headline, not the text's first sentence
    if authors and folded in {meta.fold(a) for a in authors}:
        return "byline"
    if _DATE_ONLY_LINE.match(plain):
        return "date-line"
    if rules.meta_line.search(plain):
        return "article-meta"
    if meta.parse_date(plain) and not is_sentence_block(block):
        return "article-meta"
    byline = meta.find_bylines(plain, rules.not_names)
    if byline and byline.whole_line or _BYLINE_SHAPE.match(plain):
        return "byline"
    if re.search(r"(?:www\.|https?://)\S+", plain) and not is_sentence_block(block):
        return "site-line"
    if plain.startswith(("——", "--", "－－")) and block.chars <= 40:
        return "subtitle"
    return "label" if _short_label(block) else None


# a labelled dek above the text: read as the summary (html/extract), not kept in the body
DEK_LABEL = re.compile(r"^[【\[]?\s*(?:导读|導讀|摘要|内容提要|內容提要|内容摘要|內容摘要|提要|核心提示)\s*[】\]:：]\s*")
# a wire dispatch's dateline opens the text, never a deck: 新华社北京5月9日电 题：…, 本报讯, …5月9日讯
_DATELINE = re.compile(r"^\S{0,16}?(?:\d{1,2}月\d{1,2}日|\d{1,2}日)\s*(?:电|電|讯|訊)|^(?:本报讯|本報訊|本网讯|本網訊)")
# a bracketed link closing the last paragraph: another article promoted (（[中職二度延賽至4月11日](…)）)
_TRAILING_PROMO = re.compile(r"\s*[（(]\s*\[([^\]]{6,})\]\(https?://[^)\s]+\)\s*[）)]\s*$")


def _short_label(block: Block) -> bool:
    """A line of a few characters without punctuation above the text (举报, 点赞, 手机看新闻,
    [打印] [关闭]): a widget's label, as the same line after the text is (_trim_edges); not a
    line set in bold (a heading), one that introduces the text (…：) or a dateline (本报讯)."""
    plain = block.plain
    if block.kind != "p" or block.chars > 12 or re.search(r"[，,。；;：:！？!?、]", plain) or _DATELINE.match(plain):
        return False
    return not any(n.tag in ("b", "strong") for n in ancestors(block.owner, 2))


def _drop_trailing_promo(kept: list[Block], removals: dict[str, list[str]]) -> None:
    """Cut a bracketed link to another article from the end of the body's last paragraph."""
    last = next((b for b in reversed(kept) if b.kind == "p" and not b.removed), None)
    match = _TRAILING_PROMO.search(last.md) if last is not None else None
    if match is None or match.start() == 0:
        return
    last.md = last.md[:match.start()]
    label = match.group(1)
    at = last.plain.rfind(label)
    if at > 0:
        last.plain = last.plain[:at].rstrip(" （(")
    removals.setdefault("promo-link", []).append(label)


# a link of a few characters inside a word (长[沙龙](…/baike/…)湖): a keyword linked by the site,
# not a link the writer made; its text stays
_LINK_IN_WORD = re.compile(r"(?<=[\u4e00-\u9fff])\[([\u4e00-\u9fff]{1,4})\]\((?:[^()\s]|\([^()\s]*\))+\)(?=[\u4e00-\u9fff])")
# a link of a few characters after the paragraph's last sentence (…建议。[详情](…)): a
# "read more" label, not text
_MORE_LINK = re.compile(r"(?<=[。！？!?”」])\s*\[([^\]]{1,4})\]\((?:[^()\s]|\([^()\s]*\))+\)\s*$")


def _inline_link_debris(kept: list[Block], removals: dict[str, list[str]]) -> None:
    """Unlink keywords linked inside a word; cut a short "read more" link closing a paragraph."""
    for block in kept:
        if block.kind not in ("p", "li", "quote") or "](" not in block.md:
            continue
        block.md = _LINK_IN_WORD.sub(r"\1", block.md)
        match = _MORE_LINK.search(block.md)
        if match and match.start() > 0:
            block.md = block.md[:match.start()]
            label = match.group(1)
            if block.plain.endswith(label):
                block.plain = block.plain[:-len(label)].rstrip()
            removals.setdefault("more-link", []).append(label)


# after the text's last sentence: an editor's credit in brackets and a filing code of digits
# (…走貶。（編輯：陳文彥）1140617, …初賽。1020629): the agency's marks, not text
_TRAILING_MARKS = re.compile(r"(?<=[。！？!?」”])\s*(?:[（(]\s*(?:責任|责任)?(?:編輯|编辑|責編|责编)\s*[:：/／][^（）()]{1,16}[)）])?"
                             r"\s*(?:\d{6,8})?\s*$")


def _drop_trailing_marks(kept: list[Block], removals: dict[str, list[str]]) -> None:
    """Cut an editor's bracketed credit and a filing code from the end of the last paragraph."""
    last = next((b for b in reversed(kept) if b.kind == "p" and not b.removed), None)
    match = _TRAILING_MARKS.search(last.plain) if last is not None else None
    if match is None or not match.group().strip():
        return
    mark = match.group().strip()
    if last.md.endswith(mark):
        last.md = last.md[:-len(mark)].rstrip()
        last.plain = last.plain[:match.start()].rstrip()
        removals.setdefault("closing-marks", []).append(mark)


_SLIDE_COUNTER = re.compile(r"^\d{1,2}\s*/\s*\d{1,2}\s+(?=\S)")


# 地方中心／桃園報導: a byline that names a desk, not a person
_BYLINE_SHAPE = re.compile(r"^[〔【\[（(]?\s*\S{2,10}\s*[／/╱]\s*\S{2,8}(?:報導|报道|報道|综合报道|綜合報導)\s*[〕】\]）)]?$")


def _drop_related_tail(kept: list[Block], at: int, removals: dict[str, list[str]]) -> list[Block]:
    """After a "related" heading, drop teasers: everything unless real paragraphs follow."""
    tail = kept[at:]
    sentences = sum(b.chars for b in tail if is_sentence_block(b) and b.link_chars < b.chars * 0.3)
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
        if node.tag in BLOCK_TAGS:
            return False
        node = node.parent
    return node is not None and meta.fold(node.text()) == meta.fold(block.plain)


def _drop_repeated_pictures(kept: list[Block], removals: dict[str, list[str]]) -> list[Block]:
    """The same picture twice in a row (a lazy-loading copy, a thumbnail and its image) is one
    figure: the copy would be an extra, empty one."""
    out: list[Block] = []
    for block in kept:
        last = out[-1] if out else None
        if block.kind == "figure" and last is not None and last.kind == "figure" and block.figure and \
                last.figure and block.figure.src and block.figure.src == last.figure.src:
            removals.setdefault("repeated-picture", []).append(block.figure.src)
            continue
        out.append(block)
    return out


def _drop_summary_box(kept: list[Block], removals: dict[str, list[str]]) -> list[Block]:
    """A box of short list items (and at most a short label over it) ahead of the text's first
    paragraph is a summary the site adds (AI 摘要, 要点), not the article's first list: the
    story opens with a paragraph."""
    first = next((k for k, b in enumerate(kept) if b.kind == "p" and starts_text(b)), None)
    if first is None:
        return kept
    lead = [b for b in kept[:first] if b.kind != "figure"]
    items = [b for b in lead if b.kind == "li"]
    labels = [b for b in lead if b.kind != "li"]
    if len(items) < 2 or any(b.chars > 60 for b in items) or len(labels) > 1 or \
            any(b.chars > 12 or SENTENCE_END.search(b.plain) or b.plain.endswith(("：", ":")) for b in labels):
        # (a label ending in a colon introduces a list that is the text: 各有关单位：…)
        return kept
    removals.setdefault("summary-box", []).extend(b.plain for b in lead)
    return [b for b in kept[:first] if b.kind == "figure"] + kept[first:]


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
        if captions_a_figure(kept, len(kept) - 1):
            break  # a short line under a picture is its caption, read later, not a label
        if last.chars <= 16 and _DATE_ONLY_LINE.match(last.plain):
            rule = "date-line"
        elif (last.chars <= 12 and not SENTENCE_END.search(last.plain)
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
