"""Figures and their captions and photo credits."""
from __future__ import annotations

import re

from generator.importer.html.blocks import Block, SENTENCE_END, is_sentence_block
from generator.importer.html.tree import BLOCK_TAGS, ancestors, nearest_tagged
from generator.importer.model import FigureInfo


_CAPTION_CLASS = re.compile(r"caption|pic|img|photo|figure|desc|note|tuzhu|imgtext|explain", re.I)


CAPTION_MARKS = ("▲", "△", "▼", "▽")


def captions_a_figure(kept: list[Block], j: int) -> bool:
    """Block `j` sits in a <figcaption>/<figure> or right under a picture."""
    return (j > 0 and kept[j - 1].kind == "figure") or any(
        n.tag in ("figcaption", "figure") for n in ancestors(kept[j].owner, 3))


def attach_captions(kept: list[Block], removals: dict[str, list[str]]) -> list[FigureInfo]:
    """Give each figure its caption (a <figcaption> or short caption block next to it)."""
    figures: list[FigureInfo] = []
    for i, block in enumerate(kept):
        if block.kind != "figure" or block.figure is None:
            continue
        fig = block.figure
        caption = _caption_of(block, kept, i) if fig.caption is None else None
        if caption is not None:
            text, credit = split_credit(caption.plain.lstrip("▲△▼▽ "))
            if _CREDIT_ONLY.match(text):
                text, credit = "", text  # 記者鄭清元／攝影: who took it, not what it shows
            fig = FigureInfo(caption=text or None, src=fig.src, alt=fig.alt, credit=credit or fig.credit)
            caption.removed = "caption"
        credit_line = next((b for b in kept[i + 1:i + 3] if b.kind == "p" and not b.removed), None)
        if credit_line is not None and fig.credit is None and _is_credit_line(credit_line.plain):
            fig = FigureInfo(caption=fig.caption, src=fig.src, alt=fig.alt, credit=credit_line.plain)
            credit_line.removed = "credit"
        figures.append(fig)
        block.figure = fig
        block.md = f"{{{{figure {len(figures)}}}}}"
    return figures


def _is_credit_line(text: str) -> bool:
    """A line that only says who took a picture: 記者鄭清元／攝影, 新华社发（刘满仓摄）."""
    rest, credit = split_credit(text)
    return bool(_CREDIT_ONLY.match(text) or credit and len(rest) <= 6 and re.search(r"[摄攝]|供[图圖]", credit))


# caption wording: 资料图：…, 图为…, …  王小明/摄
_CAPTION_TEXT = re.compile(r"^(?:资料图|資料照|资料照片|資料圖|图为|圖為|图片|圖片|照片|图|圖)\s*[:：]|^(?:图为|圖為)|[\u4e00-\u9fff]{2,4}\s*[／/]\s*(?:摄|攝)(?:影)?$")


_CREDIT_ONLY = re.compile(r"^(?:記者|记者|攝影|摄影)?\s*[\u4e00-\u9fff]{2,4}\s*[／/]\s*(?:摄|攝)(?:影)?$")


_CREDIT = re.compile(r"\s*[（(]((?:圖|图|記者|记者|翻攝|翻摄|取自|資料照|资料照|资料图|資料圖|攝影|摄影|來源|来源|Photo|photo)[^（）()]{0,30}"
                     r"|[^（）()]{1,30}?(?:攝|摄|攝影|摄影|提供|供图|供圖|翻攝|翻摄|資料照|资料图|圖|图))[)）]\s*$")


# a paragraph that ends in a photographer's credit describes a photo: …新华社发（刘明摄）
_PHOTO_CREDIT_END = re.compile(r"[（(][^（）()]{2,24}(?:摄|攝|摄影|攝影|供图|供圖)[)）]\s*$")


def caption_only_figures(kept: list[Block], removals: dict[str, list[str]]) -> None:
    """A caption left without its picture (the image was not saved, or was an ad's slot) is
    a figure with a caption and no source, not a paragraph of the text: a short paragraph
    closing with a photographer's credit, not under a picture (that is its caption)."""
    for i, block in enumerate(kept):
        if block.kind != "p" or block.removed or block.chars > 120 or not _PHOTO_CREDIT_END.search(block.plain):
            continue
        if any(b.kind == "figure" for b in kept[max(0, i - 2):i]):
            continue  # under a picture: its caption, or the credit line after its caption
        text, credit = split_credit(block.plain)
        if len(text) <= 6:
            continue  # only an agency and a credit (新华社发（…摄）): whose picture, not what it shows
        block.kind, block.figure = "figure", FigureInfo(caption=text, credit=credit)
        removals.setdefault("caption-without-picture", []).append(block.plain)


# an unbracketed credit after the caption's last sentence: …讲话。新华社记者 谢环驰 摄, …开心。城市摄影队 周斌 摄
_TRAILING_CREDIT = re.compile(r"(?<=[。！？!?])\s*([\u4e00-\u9fff]{0,10}?(?:记者|記者|通讯员|通訊員|摄影|攝影|队|隊)?\s*"
                              r"[\u4e00-\u9fff]{2,4}\s*(?:摄|攝)(?:影)?)$")


def split_credit(caption: str) -> tuple[str, str | None]:
    """Split a trailing photo credit off a caption: "豪雨。（記者陳大同攝）" -> ("豪雨。", "記者陳大同攝"),
    "…讲话。新华社记者 谢环驰 摄" -> ("…讲话。", "新华社记者 谢环驰 摄")."""
    match = _CREDIT.search(caption) or _TRAILING_CREDIT.search(caption)
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
        # a caption's own box holds little more than the caption: an element marked like one
        # (class "topic-content", "description") that holds the text too is the article's
        strong = any(n.tag in ("figcaption", "figure") for n in ancestors(owner, 3)) or \
            any(_CAPTION_CLASS.search(n.attr("class") + " " + n.attr("id")) and n.chars <= 2 * other.chars + 60
                for n in ancestors(owner, 2))
        if strong and (j == i + 1 or any(n.tag == "figcaption" for n in ancestors(owner, 3))):
            return other
        # ▲ points up at the picture above, ▼ down at the picture below
        if other.chars <= 80 and other.plain.startswith(("▲", "△") if j == i + 1 else ("▼", "▽")):
            return other
        if j != i + 1:
            continue
        one_sentence = other.chars <= 50 and len(re.findall(r"[。！？!?]", other.plain)) <= 1
        centered = any("center" in (n.attr("align") + n.attr("style")).lower() for n in ancestors(owner, 2))
        image_cell, text_cell = nearest_tagged(block.owner, ("td",)), nearest_tagged(owner, ("td",))
        cell_below = text_cell is not None and image_cell is not None and text_cell is not image_cell \
            and nearest_tagged(text_cell, ("table",)) is nearest_tagged(image_cell, ("table",))
        if one_sentence and (centered or cell_below):
            return other
        if other.chars <= 60 and (_CAPTION_TEXT.search(other.plain) or _CREDIT.search(other.plain)):
            return other
        if other.chars <= 30 and not SENTENCE_END.search(other.plain) and not is_sentence_block(other) \
                and not _heading_style(other):
            return other
        if _under_lead_picture(kept, i, j) or _set_apart(kept, i, j):
            return other
    return None


def _style(block: Block) -> tuple[tuple[str, str, str], ...]:
    """How a block's text is set: its elements from the text up to the block element, with
    their class and style (<p><span style="color:#666">…</span></p>)."""
    chain = []
    node = block.owner
    while node is not None:
        chain.append((node.tag, node.attr("class"), node.attr("style")))
        if node.tag in BLOCK_TAGS:
            break
        node = node.parent
    return tuple(chain)


_HEADING_CLASS = re.compile(r"(^|[-_ ])(h[1-6]|title|heading|subtitle|subhead)([-_ ]|$)", re.I)


def _heading_style(block: Block) -> bool:
    """Set in bold or as a heading (class bjh-h3): a section heading over the next paragraph,
    not a caption."""
    return any(tag in ("strong", "b", "h1", "h2", "h3", "h4", "h5", "h6") or _HEADING_CLASS.search(cls)
               for tag, cls, _ in _style(block))


def _set_apart(kept: list[Block], i: int, j: int) -> bool:
    """A line of one sentence right under a picture, set differently from the text's
    paragraphs around it (another element, an inline wrapper, a style) and closing with a
    photographer's credit, is the picture's caption: sites set captions apart; a paragraph of
    the text looks like the others (a site that wraps every paragraph in <span style=…> sets
    them all alike)."""
    line = kept[j]
    if line.chars > 80 or len(re.findall(r"[。！？!?]", line.plain)) > 1 or re.match(r"^[^，。]{1,8}[：:]", line.plain):
        return False  # (a line opening with a label, 注意：…, is text)
    if split_credit(line.plain)[1] is None:
        return False  # styling alone is no proof (a highlighted sentence of the text): it must name the photographer
    if _heading_style(line):
        return False
    text = [b for b in (*kept[j + 1:j + 4], *kept[max(0, i - 3):i][::-1])
            if b.kind == "p" and not b.removed and b.chars > 40 and is_sentence_block(b)]
    return bool(text) and all(_style(b) != _style(line) for b in text[:2]) and _style(text[0]) == _style(text[-1])


def _under_lead_picture(kept: list[Block], i: int, j: int) -> bool:
    """A short one-sentence line right under a picture, with running text after it, is that
    picture's caption: the text does not go on with a line of a few words (游客在梨园中赏花拍照。).
    Under the picture that opens the body up to 40 characters, under a later one up to 20."""
    if j + 1 >= len(kept):
        return False
    line, after = kept[j], kept[j + 1]
    lead = all(b.kind == "figure" for b in kept[:i])
    if not lead and (_heading_style(line) or not re.search(r"[。！？!?]$", line.plain)):
        return False  # later in the text, a caption is a sentence; a short line without one is a heading
    longest = 40 if lead else 20
    # no comma: a wire photo's dated caption (5月13日，在…) opening the text is read as the text's
    # start by the truth of tests/corpus, and a short first paragraph has one more often than a caption
    return line.chars <= longest and len(re.findall(r"[。！？!?]", line.plain)) <= 1 and "，" not in line.plain \
        and after.kind == "p" and is_sentence_block(after) and after.chars >= 2 * line.chars
