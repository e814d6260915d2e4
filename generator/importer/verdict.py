"""How sure the importer is of one page: a verdict with its reasons (pure).

Each check looks at what the extraction saw (`Extracted.details`, filled by html/signals.py
and the date finder) and at the result itself. A reason of weight 1 makes the page uncertain
alone; weaker ones (no author, a date only in the URL) only together with another. An
uncertain page is written as a draft with `status: review`, its reasons in the report.
"""
from __future__ import annotations

import re

from generator.importer.model import Extracted

# the runner-up container at this share of the winner's score: two candidates, no clear article
RIVAL_SHARE = 0.8
# the body holds less than this share of the page's running text (and that text is long)
BODY_SHARE = 0.45
OUTSIDE_MIN_CHARS = 400
REVIEW_AT = 1.0
# the body's opening holds fewer of the headline's character pairs than this share
TITLE_FIT = 0.06
# lines that belong to the page, not the article, when they are left in the body
_RESIDUE = {
    "editor line": r"(?:责任编辑|責任編輯|责编|責編)\s*[:：]",
    "share bar": r"分享到|分享至|转播到|轉播到|微信扫一扫|一键分享",
    "comment widget": r"网友评论|網友評論|发表评论|發表評論|我要评论|我要評論|文明上网|查看评论",
    "copyright notice": r"版权所有|版權所有|免责声明|免責聲明|未经授权|未經授權|不得转载|不得轉載|All Rights Reserved",
    "related links": r"相关新闻|相關新聞|相关阅读|相關閱讀|相关文章|相關文章|延伸閱讀|延伸阅读|推荐阅读|推薦閱讀|猜你喜欢",
    "app promotion": r"扫描.{0,8}二维码|掃描.{0,8}二維碼|下载.{0,6}客户端|下載.{0,6}APP|长按识别|長按識別",
    "previous/next links": r"(?m)^[【\[]?(?:上一篇|下一篇|上一頁|下一頁|上一页|下一页)",
    "reader notice": r"如有侵权|如有侵權|联系删除|聯繫刪除|与本.{1,4}立场无关|與本.{1,4}立場無關|^(?:后台)?回复[【\[「]",
    "view counter": r"(?:点击|點擊|阅读|閱讀|浏览|瀏覽)\s*[:：]\s*\d+|\d+\s*人(?:已)?(?:围观|圍觀)",
}
_RESIDUE_RE = {name: re.compile(p, re.M) for name, p in _RESIDUE.items()}
# warnings that put the text in doubt, with their weight: a truncated save or a few lost bytes
# often import fine, a page that looks like an index rarely does
# (a page with no </html> is how many old saves end: on ../shared/corpus/real and the dev part of
# tests/corpus none of the 8 truncated pages failed a check, so it only adds to other doubts)
_UNSURE_WARNINGS = (("looks like an index page", 1.0), ("truncated", 0.25), ("could not be decoded", 0.5))


def _chars(text: str) -> int:
    """CJK characters and Latin words."""
    return len(re.findall(r"[\u3400-\u9fff]|[A-Za-z0-9]+", re.sub(r"\{\{figure \d+\}\}", "", text)))


def _structure(details: dict, body: str) -> list[tuple[float, str]]:
    """Container rivalry and a body much shorter than the page's running text."""
    found = []
    rival = details.get("container_rival") or 0.0
    if rival >= RIVAL_SHARE:
        found.append((1.0, f"two candidate article containers score alike (the runner-up at {rival:.0%})"))
    outside, kept = details.get("text_outside") or 0, _chars(body)
    if outside >= OUTSIDE_MIN_CHARS and kept < BODY_SHARE * (kept + outside):
        found.append((1.0, f"the body holds {kept} of the page's {kept + outside} characters of running text"))
    return found


def _pairs(text: str) -> set[str]:
    """Character pairs of the CJK runs and Latin words of a text."""
    runs = re.findall(r"[\u3400-\u9fff]+|[A-Za-z0-9]+", text.lower())
    return {run[k:k + 2] for run in runs for k in range(max(1, len(run) - 1))}


def headline_in_body(title: str | None, body: str) -> float:
    """Share of the headline's character pairs found in the body's opening (1 when no title)."""
    pairs = _pairs(title or "")
    return sum(1 for p in pairs if p in body[:1500]) / len(pairs) if pairs else 1.0


def _fields(extracted: Extracted) -> list[tuple[float, str]]:
    """Title confirmation and fit with the text, where the date came from, the byline."""
    found = []
    if extracted.details.get("title_confirmed") is False:
        found.append((1.0, "the headline is not confirmed by <title>, og:title or JSON-LD"))
    fit = headline_in_body(extracted.title, extracted.body)
    if fit < TITLE_FIT:
        found.append((1.0, f"the body's opening shares only {fit:.0%} of the headline's words: another article?"))
    where = extracted.details.get("date_from")
    if not extracted.date:
        found.append((0.5, "no publication date"))
    elif where == "text":
        found.append((0.5, "the date is not labelled: taken from the text"))
    elif where in ("url", "script"):
        found.append((0.5, f"the date is not on the page: taken from the {'URL' if where == 'url' else 'page script'}"))
    if not extracted.authors:
        found.append((0.5, "no author"))
    for key in ("byline_doubt", "opening_doubt", "description_doubt", "date_doubt"):
        if extracted.details.get(key):
            found.append((1.0, extracted.details[key]))
    return found


def _residue(extracted: Extracted) -> list[tuple[float, str]]:
    """Page furniture left in the body, and warnings that put the text in doubt."""
    found = []
    left = [name for name, pattern in _RESIDUE_RE.items() if pattern.search(extracted.body)]
    if left:
        found.append((1.0, "residue left in the body: " + ", ".join(left)))
    latin = _latin_lines(extracted.body)
    if latin:
        found.append((1.0, f"a line in Latin letters left in the Chinese text (player or widget text?): {latin[0]!r}"))
    stuffed = title_fragments_at_clauses(extracted.title, extracted.body)
    if stuffed:
        found.append((1.0, f"fragments of the headline start {stuffed} clauses of the text (keyword stuffing left?)"))
    dropped = _dropped_sentence(extracted)
    if dropped:
        found.append((1.0, f"a sentence before the text was dropped as page furniture: {dropped[:40]!r}"))
    for warning in extracted.warnings:
        weight = max((w for key, w in _UNSURE_WARNINGS if key in warning), default=0.0)
        if weight:
            found.append((weight, warning))
    return found


# clause starts held by the headline's fragments: this many, and one in every STUFFED_SPACING
# characters of the text at least (a story names its subject after a comma now and then; a
# spinner puts a fragment at almost every clause, in any order)
STUFFED_MIN = 6
STUFFED_SPACING = 80
_CLAUSE_START = re.compile(r"(?:^|(?<=[，。；：！？、]))")


def title_fragments_at_clauses(title: str | None, body: str) -> int:
    """How many clauses open with a fragment of the headline (three characters or more) that
    opens other clauses too; 0 when that is no more than a story's own mentions."""
    runs = re.findall(r"[\u3400-\u9fff]+", title or "")
    pieces = {run[a:b] for run in runs for a in range(len(run)) for b in range(a + 3, min(len(run), a + 8) + 1)}
    if not pieces:
        return 0
    text = re.sub(r"\{\{figure \d+\}\}", "", body)
    starts: dict[str, int] = {}
    for m in _CLAUSE_START.finditer(text):
        piece = max((p for p in pieces if text.startswith(p, m.end())), key=len, default=None)
        if piece:
            starts[piece] = starts.get(piece, 0) + 1
    recurring = [p for p, n in starts.items() if n >= 2]
    count = sum(starts[p] for p in recurring)
    # several cuts of the headline, or two overlapping ones (汽车下乡, 下乡活动): a spinner's; a
    # story's own subjects are a word or two, whole (軍公教 … 民進黨 …)
    spun = len(recurring) >= 3 or any(_overlap(a, b, title or "") for a in recurring for b in recurring if a < b)
    return count if spun and count >= STUFFED_MIN and count * STUFFED_SPACING >= _chars(text) else 0


def _overlap(a: str, b: str, title: str) -> bool:
    """Two fragments cut from overlapping stretches of the title."""
    i, j = title.find(a), title.find(b)
    return i >= 0 and j >= 0 and i < j + len(b) and j < i + len(a)


def _latin_lines(body: str) -> list[str]:
    """Short paragraphs of Latin words and no Chinese in a Chinese body: a video player's
    'Play Video', a widget's label (a quotation or a name in Latin letters is longer or mixed)."""
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip() and not p.startswith("{{")]
    if _chars(body) < 100 or len(_CJK.findall(body)) < 0.5 * _chars(body):
        return []
    return [p for p in paragraphs if len(p) <= 24 and _LATIN_WORD.search(p) and not _CJK.search(p)]


_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{3}")
# the furniture rules for lines before the article's first sentence (html/body.py)
_LEADING_RULES = frozenset({"article-meta", "deck", "column-label", "subtitle", "site-line", "date-line",
                            "byline", "headline-repeat", "fragment"})


def _dropped_sentence(extracted: Extracted) -> str | None:
    """A block of running text (40 characters or more, with a full stop or two commas) that a
    leading-furniture rule dropped: a first paragraph glued to a label (日期:1月21日，…)."""
    for removal in extracted.removals:
        if removal.rule in _LEADING_RULES:
            for text in removal.texts:
                if len(text) >= 40 and ("。" in text or text.count("，") >= 2):
                    return text
    return None


def assess(extracted: Extracted) -> tuple[str, ...]:
    """The reasons to review the page, strongest first; () when the importer is sure of it."""
    reasons = [*_structure(extracted.details, extracted.body), *_fields(extracted), *_residue(extracted)]
    if sum(weight for weight, _ in reasons) < REVIEW_AT:
        return ()
    return tuple(text for _, text in sorted(reasons, key=lambda r: -r[0]))
