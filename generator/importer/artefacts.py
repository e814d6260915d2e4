"""Artefact repair: rules that remove what content farms and page chrome left in the text.

Every rule is pure and returns the repaired text plus a `Removal` naming the rule and
listing each removed piece, so the import report can say exactly what was taken out.

- control-characters: C0/C1 controls, NUL, zero-width characters.
- pinyin-annotation: `醫(yī)` -> `醫` (Latin with tone marks in parentheses right after a
  CJK character; `(AI)` or `(de)` are left alone).
- keyword-stuffing: a spinner cut the title into fragments and inserted them at clause
  boundaries, cycling through them. Witnesses: the page's clean summary (aligned against
  the paragraph it summarises), the title (fragments use only its characters) and the
  repetition pattern (the same fragments recurring in the same cyclic order). Only
  occurrences on that cycle are removed, so a phrase that legitimately occurs elsewhere
  (“世界模型” in a later paragraph) stays.
- simplified-residue / traditional-residue: the other script's characters a careless
  converter left (融資后 -> 融資後, 基于 -> 基於; 随著 -> 随着), repaired by the build's own
  normaliser (generator.core.residue): phrase-level, glossary protected, Taiwan variants kept.
- chrome lines (editor-line, share-bar, copyright, app-promotion): whole paragraphs of
  page furniture, shared by HTML and text bodies.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from generator.core.residue import Change
from generator.importer.model import Extracted, Removal

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿĀÁǍÀĒÉĚÈĪÍǏÌŌÓǑÒŪÚǓÙǗǙǛ"
_PINYIN_LETTER = f"a-zA-Zü{_TONED}"
# A CJK character followed by (syllable[ syllable...]) holding at least one tone mark.
_PINYIN = re.compile(
    rf"(?<=[{_CJK}])[(（]\s*(?=[{_PINYIN_LETTER}\s]*[{_TONED}])"
    rf"[{_PINYIN_LETTER}]+(?:\s+[{_PINYIN_LETTER}]+)*\s*[)）]")
_ANY_TONED = re.compile(f"[{_TONED}]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]")
# Punctuation after which a clause starts (where spinners insert fragments).
_CLAUSE_PUNCT = ",，、。;；:：!！?？“”「」『』()（）—"
# Longest gap (characters) between two consecutive fragments of one stuffing cycle.
_MAX_GAP = 90
_FRAGMENT_MIN, _FRAGMENT_MAX = 2, 8
_SUMMARY_PARAGRAPHS = 3

# Chrome paragraphs: (rule, pattern, longest paragraph it may remove). Patterns are anchored
# at the paragraph start (app promotions may follow a few characters such as 歡迎).
_CHROME_RULES: tuple[tuple[str, re.Pattern[str], int], ...] = (
    ("editor-line", re.compile(
        r"^[(（\[【]?\s*(责任编辑|責任編輯|编辑|編輯|责编|責編|审核|審核|校对|校對|监制|監製|"
        r"值班编辑|值班編輯|实习编辑|實習編輯|原文编辑|原文編輯)\s*[:：]"), 60),
    ("share-bar", re.compile(
        r"^(分享到|分享至|分享：|分享:|一键分享|一鍵分享|转发到|轉發到|收藏本文|打印本页|打印本頁|"
        r"关闭窗口|關閉窗口|【?打印】?\s*【?关闭】?|字号[:：]|字號[:：]|字体[:：大中小]|字體[:：大中小])"), 80),
    ("copyright", re.compile(
        r"^(版权所有|版權所有|版权声明|版權聲明|免责声明|免責聲明|Copyright|©|（?本文来源|"
        r"未经授权|未經授權|未经许可|未經許可|转载请注明|轉載請註明|本文为.{0,12}原创|本文為.{0,12}原創|"
        r"本网站所有|本網站所有|特别声明|特別聲明)", re.I), 200),
    ("app-promotion", re.compile(
        r"^(下载|下載|打开|打開|点击下载|點擊下載).{0,10}(APP|App|app|客户端|客戶端)"
        r"|^.{0,4}(扫码|掃碼|扫描|掃描|长按|長按).{0,4}(关注|關注|下载|下載|二维码|二維碼|识别|識別)"
        r"|^.{0,6}(关注|關注).{0,10}(公众号|微信号|公眾號|微信號)"), 80),
)


def strip_controls(text: str) -> tuple[str, Removal]:
    """Remove control and zero-width characters (keeping newlines and tabs)."""
    found = tuple(f"U+{ord(m.group()):04X}" for m in _CONTROL.finditer(text))
    return _CONTROL.sub("", text), Removal("control-characters", found)


def strip_pinyin(text: str) -> tuple[str, Removal]:
    """Remove tone-marked pinyin glued in parentheses after a CJK character."""
    if not _ANY_TONED.search(text):
        return text, Removal("pinyin-annotation")
    found = tuple(m.group() for m in _PINYIN.finditer(text))
    return _PINYIN.sub("", text), Removal("pinyin-annotation", found)


def chrome_rule(paragraph: str) -> str | None:
    """Name of the chrome rule a whole paragraph matches, or None when it is text."""
    text = paragraph.strip().lstrip("#>*-_ ").strip()
    for rule, pattern, longest in _CHROME_RULES:
        if text and len(text) <= longest and pattern.search(text):
            return rule
    return None


def strip_chrome(paragraphs: Sequence[str]) -> tuple[list[str], list[Removal]]:
    """Drop paragraphs that are page chrome (editor lines, share bars, copyright, app promotion)."""
    kept: list[str] = []
    removed: dict[str, list[str]] = {}
    for para in paragraphs:
        rule = chrome_rule(para)
        if rule is None:
            kept.append(para)
        else:
            removed.setdefault(rule, []).append(para.strip())
    return kept, [Removal(rule, tuple(texts)) for rule, texts in removed.items()]


# --------------------------------------------------------------------------- stuffing

def _fragment_ok(fragment: str, title_chars: frozenset[str]) -> bool:
    """A spinner fragment: 2-8 characters, every one of them taken from the title."""
    return (_FRAGMENT_MIN <= len(fragment) <= _FRAGMENT_MAX
            and all(c in title_chars for c in fragment))


def summary_witness(summary: str, paragraph: str,
                    title_chars: frozenset[str]) -> list[tuple[int, int]]:
    """Spans of `paragraph` inserted relative to the clean `summary` (empty if it does not witness)."""
    summary = summary.strip()
    if len(summary) < 20:
        return []
    window = paragraph[:int(len(summary) * 1.8) + 20]
    matcher = difflib.SequenceMatcher(None, summary, window, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    if matched < 0.9 * len(summary):
        return []
    spans = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "insert" and _fragment_ok(window[j1:j2], title_chars):
            spans.append((j1, j2))
        elif tag in ("replace", "delete") and i1 < len(summary) - 3 and j2 < len(window) - 3:
            return []  # the summary is not this paragraph with insertions
    return spans


def looks_legit(paragraph: str, start: int, end: int, title: str) -> bool:
    """True when the occurrence continues into the title's wording (“世界模型”, 竹蜻蜓), i.e. is text."""
    after = end < len(paragraph) and paragraph[start:end + 1] in title
    before = start > 0 and paragraph[start - 1:end] in title
    return after or before


def _recurring_pieces(paragraph: str, title: str) -> list[str]:
    """Maximal strings of the title's CJK characters that occur at least three times."""
    title_chars = "".join(sorted({c for c in title if _is_cjk(c)}))
    if not title_chars:
        return []
    counts: dict[str, int] = {}
    # only runs of title characters can hold fragments: enumerate pieces inside them
    for run in re.finditer(f"[{re.escape(title_chars)}]{{{_FRAGMENT_MIN},}}", paragraph):
        text = run.group()
        for length in range(_FRAGMENT_MIN, min(_FRAGMENT_MAX, len(text)) + 1):
            for start in range(len(text) - length + 1):
                piece = text[start:start + length]
                counts[piece] = counts.get(piece, 0) + 1
    frequent = [p for p, n in counts.items() if n >= 3]
    return [p for p in frequent
            if not any(p != q and p in q and counts[q] == counts[p] for q in frequent)]


def _first_cycle(names: Sequence[str]) -> list[str]:
    """The names up to the first repeat (the candidate period of a cycle)."""
    cycle: list[str] = []
    for name in names:
        if name in cycle:
            break
        cycle.append(name)
    return cycle


def repetition_witness(paragraph: str, title: str) -> list[tuple[int, int]]:
    """Spans of the first stuffing cycle found from repetition alone (no summary).

    Candidates are maximal strings of the title's CJK characters recurring at least three
    times; occurrences that continue the title's wording are text, not stuffing. Candidates
    seen right after clause punctuation must show at least three distinct fragments in one
    cyclic order, twice over, each within a short gap of the previous, and at least one
    fragment must cut across the title's wording (not be a substring of it).
    """
    pieces = sorted(_recurring_pieces(paragraph, title), key=len, reverse=True)
    spans = [(a, b) for a, b in _non_overlapping(paragraph, pieces)
             if not looks_legit(paragraph, a, b, title)]
    at_clause = {paragraph[a:b] for a, b in spans if a > 0 and paragraph[a - 1] in _CLAUSE_PUNCT}
    seq = [(a, b) for a, b in spans if paragraph[a:b] in at_clause]
    names = [paragraph[a:b] for a, b in seq]
    cycle = _first_cycle(names)
    period = len(cycle)
    if period < 3 or names[period:2 * period] != cycle:
        return []
    # real words repeat too; a spinner's cycle is tight and cuts the title where words do not
    two = seq[:2 * period]
    if any(b[0] - a[1] > _MAX_GAP for a, b in zip(two, two[1:])):
        return []
    if all(name in title for name in cycle):
        return []
    return seq[:period]


def _is_cjk(char: str) -> bool:
    """True for a CJK ideograph."""
    return bool(re.match(f"[{_CJK}]", char))


def _non_overlapping(text: str, pieces: Sequence[str]) -> list[tuple[int, int]]:
    """Occurrences of pieces (longest first), not overlapping, in text order."""
    taken: list[tuple[int, int]] = []
    for piece in pieces:
        for m in re.finditer(re.escape(piece), text):
            if all(m.end() <= a or m.start() >= b for a, b in taken):
                taken.append((m.start(), m.end()))
    return sorted(taken)


def follow_cycle(paragraph: str, seed: Sequence[tuple[int, int]], title: str) -> list[tuple[int, int]]:
    """Extend the witnessed spans along the paragraph while fragments recur in cycle order."""
    cycle = [paragraph[a:b] for a, b in seed]
    return list(seed) + _walk(paragraph, seed[-1][1], len(seed) % len(cycle), cycle, title)


def _cycle_spans(paragraph: str, cycle: Sequence[str], title: str) -> list[tuple[int, int]]:
    """Spans of a known cycle in a later paragraph, only where it runs beyond one full period."""
    start = _next(paragraph, cycle[0], 0, title)
    while start >= 0:
        first = (start, start + len(cycle[0]))
        spans = [first] + _walk(paragraph, first[1], 1 % len(cycle), cycle, title)
        if len(spans) > len(cycle):
            return spans
        start = _next(paragraph, cycle[0], start + 1, title)
    return []


def _next(paragraph: str, fragment: str, pos: int, title: str) -> int:
    """Next occurrence of fragment from pos that does not continue the title's wording, or -1."""
    found = paragraph.find(fragment, pos)
    while found >= 0 and looks_legit(paragraph, found, found + len(fragment), title):
        found = paragraph.find(fragment, found + 1)
    return found


def _walk(paragraph: str, pos: int, index: int, cycle: Sequence[str],
          title: str) -> list[tuple[int, int]]:
    """Consecutive cycle occurrences after `pos`, each within the gap of the previous one."""
    spans = []
    while True:
        found = _next(paragraph, cycle[index], pos, title)
        if found < 0 or found - pos > _MAX_GAP:
            return spans
        spans.append((found, found + len(cycle[index])))
        pos, index = found + len(cycle[index]), (index + 1) % len(cycle)


def _cut(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """Text without the given (sorted, non-overlapping) spans."""
    out, pos = [], 0
    for a, b in sorted(spans):
        out.append(text[pos:a])
        pos = b
    out.append(text[pos:])
    return "".join(out)


def _plausible_cycle(paragraph: str, seed: Sequence[tuple[int, int]], title: str) -> bool:
    """Two or more fragments, none continuing the title's wording, one cutting across it."""
    names = [paragraph[a:b] for a, b in seed]
    return (len(seed) >= 2
            and not any(looks_legit(paragraph, a, b, title) for a, b in seed)
            and not all(name in title for name in names))


def strip_stuffing(paragraphs: Sequence[str], *, title: str | None,
                   summary: str | None) -> tuple[list[str], Removal]:
    """Remove spinner fragments of the title inserted along a cycle (see module docstring)."""
    if not title:
        return list(paragraphs), Removal("keyword-stuffing")
    title_chars = frozenset(c for c in title if _is_cjk(c))
    cycle: list[str] = []
    out: list[str] = []
    removed: list[str] = []
    text_seen = 0
    for para in paragraphs:
        spans: list[tuple[int, int]] = []
        if not cycle and not para.startswith(("#", "{{", ">")):
            text_seen += 1
            # a summary summarises the lead: only the first paragraphs can be its witness
            seed = (summary_witness(summary, para, title_chars)
                    if summary and text_seen <= _SUMMARY_PARAGRAPHS else [])
            seed = seed if _plausible_cycle(para, seed, title) else []
            seed = seed or repetition_witness(para, title)
            if len(seed) >= 2:
                cycle = [para[a:b] for a, b in seed]
                spans = follow_cycle(para, seed, title)
        elif cycle:
            spans = _cycle_spans(para, cycle, title)
        removed.extend(para[a:b] for a, b in spans)
        out.append(_cut(para, spans) if spans else para)
    return out, Removal("keyword-stuffing", tuple(removed))


# --------------------------------------------------------------------------- residue

# (script, texts) -> the texts normalised to that script and each one's changes: the site
# converter's normalise_many (generator.core.chinese.Converter), glossary terms protected
Normalise = Callable[[str, Sequence[str]], tuple[list[str], list[list[Change]]]]


def default_normalise(script: str, pieces: Sequence[str]) -> tuple[list[str], list[list[Change]]]:
    """normalise_many of a site with default settings and no glossary (standalone use)."""
    from generator.io.converters import default_converter
    return default_converter().normalise_many(script, pieces)


def default_detect(text: str) -> str | None:
    """hant or hans by the converter of a site with default settings (standalone use)."""
    from generator.io.converters import default_converter
    return default_converter().detect_script(text)


def fix_residue(text: str, script: str = "hant",
                normalise: Normalise = default_normalise) -> tuple[str, Removal]:
    """The other script's characters in `script` text, normalised as the build does.

    One detector and converter for import and build (generator.core.residue): phrase-level,
    glossary terms and `-{…}-` protected, variants right in `script` kept. Each repair is
    reported as `found→suggested` (基于→基於).
    """
    if text.isascii():
        return text, Removal("simplified-residue" if script == "hant" else "traditional-residue")
    (done,), (changes,) = normalise(script, [text])
    rule = "simplified-residue" if script == "hant" else "traditional-residue"
    return done, Removal(rule, tuple(f"{c.found}→{c.suggested}" for c in changes))


# --------------------------------------------------------------------------- whole page

def _merge(removals: Sequence[Removal]) -> tuple[Removal, ...]:
    """Removals with the same rule merged, empty ones dropped, first-seen order."""
    merged: dict[str, list[str]] = {}
    for r in removals:
        if r.texts:
            merged.setdefault(r.rule, []).extend(r.texts)
    return tuple(Removal(rule, tuple(texts)) for rule, texts in merged.items())


def _clean_line(text: str | None, removals: list[Removal], script: str | None,
                normalise: Normalise) -> str | None:
    """Controls, pinyin and residue removed from one metadata string."""
    if text is None:
        return None
    for rule in (strip_controls, strip_pinyin):
        text, removal = rule(text)
        removals.append(removal)
    if script in ("hant", "hans"):
        text, removal = fix_residue(text, script, normalise)
        removals.append(removal)
    return text.strip()


def split_paragraphs(body: str) -> list[str]:
    """Markdown body -> blocks separated by blank lines."""
    return [p.strip("\n") for p in re.split(r"\n\s*\n", body) if p.strip()]


def repair(extracted: Extracted, *, script: str | None = None,
           normalise: Normalise = default_normalise) -> Extracted:
    """Apply every artefact rule to the page's title, summary, captions and body.

    `normalise` is the site converter's (its glossary terms and company names are kept as
    written by the residue repair).
    """
    removals: list[Removal] = []
    title = _clean_line(extracted.title, removals, script, normalise)
    summary = _clean_line(extracted.summary, removals, script, normalise)
    figures = tuple(replace(f, caption=_clean_line(f.caption, removals, script, normalise),
                            alt=_clean_line(f.alt, removals, script, normalise))
                    for f in extracted.figures)
    body = extracted.body
    for rule in (strip_controls, strip_pinyin):
        body, removal = rule(body)
        removals.append(removal)
    paragraphs, stuffing = strip_stuffing(split_paragraphs(body), title=title, summary=summary)
    removals.append(stuffing)
    paragraphs, chrome = strip_chrome(paragraphs)
    removals.extend(chrome)
    body = "\n\n".join(paragraphs)
    if script in ("hant", "hans"):
        body, removal = fix_residue(body, script, normalise)
        removals.append(removal)
    return replace(extracted, title=title, summary=summary, figures=figures,
                   body=body + "\n" if body else "",
                   removals=_merge([*extracted.removals, *removals]))

