"""Which companies a text names: names, aliases and tickers found in folded text (pure).

Text and forms are folded by the caller's `fold` (converter.fold: NFKC, Simplified, lower
case), so either script matches. Where forms overlap the longest wins (商湯醫療 is not also a
mention of 商湯). A *weak* form (two Han characters or fewer, three Latin letters or fewer,
or a bare ticker code such as 2330) can be a common word or a number: a company found only
through weak forms needs two hits. A ticker written with its exchange (`HKEX:0020`,
`0020.HK`, `(2330)`, `代碼 2330`) is a strong hit.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from generator.core.companies import Companies, ticker_code

_LATIN = re.compile(r"[0-9a-z][0-9a-z .&'-]*")
_WORD = re.compile(r"[0-9a-z]")
_CONTEXT_BEFORE = re.compile(r"(?:[a-z]+:\s*|[(]|代码\s*|股票\s*)$")
_CONTEXT_AFTER = re.compile(r"^(?:\.[a-z]{1,3}\b|[)])")


@dataclass(frozen=True)
class Matcher:
    """Folded forms of every company, longest first: (form, id, weak)."""

    forms: tuple[tuple[str, str, bool], ...]
    # (folded code, id)
    codes: tuple[tuple[str, str], ...]
    # {first character: (form, id, weak) starting with it, longest first}
    by_first: dict[str, tuple[tuple[str, str, bool], ...]]
    # every ticker code as a whole run of digits and letters; {code: ids having it}
    code_pattern: re.Pattern | None
    by_code: dict[str, tuple[str, ...]]


def make_matcher(companies: Companies, fold: Callable[[str], str]) -> Matcher:
    """A matcher for every name, alias and ticker code of the registry."""
    written = [(form, c.id) for c in companies.items for form in c.forms()]
    forms: dict[str, tuple[str, bool]] = {}
    for folded, (_, cid) in zip(fold_all(fold, [form for form, _ in written]), written):
        folded = folded.strip()
        if folded and (len(folded) >= 2 or not _LATIN.fullmatch(folded)):
            forms.setdefault(folded, (cid, _weak(folded)))
    ordered = tuple(sorted(((f, cid, weak) for f, (cid, weak) in forms.items()),
                           key=lambda x: (-len(x[0]), x[0])))
    by_first: dict[str, tuple[tuple[str, str, bool], ...]] = {}
    for entry in ordered:
        by_first[entry[0][0]] = by_first.get(entry[0][0], ()) + (entry,)
    codes = tuple((ticker_code(t).lower(), c.id) for c in companies.items for t in c.tickers)
    by_code: dict[str, tuple[str, ...]] = {}
    for code, cid in codes:
        by_code[code] = by_code.get(code, ()) + (cid,)
    # one pass over the text for all codes: the look-arounds make a hit a whole code, so
    # codes never overlap and the alternation finds what one search per code found
    code_pattern = (re.compile("(?<![0-9a-z.])(?:" + "|".join(
        re.escape(c) for c in sorted(by_code, key=lambda c: (-len(c), c))) + ")(?![0-9a-z])")
        if by_code else None)
    return Matcher(ordered, codes, by_first, code_pattern, by_code)


def fold_all(fold: Callable[[str], str], texts: list[str]) -> list[str]:
    """`fold` of each text, in one call where the texts have no line breaks (a line break
    survives folding and no form spans one, so the joined text splits back apart)."""
    if not texts or any("\n" in t for t in texts):
        return [fold(t) for t in texts]
    folded = fold("\n".join(texts)).split("\n")
    return folded if len(folded) == len(texts) else [fold(t) for t in texts]


def _weak(form: str) -> bool:
    """A form short enough to be a common word."""
    if _LATIN.fullmatch(form):
        return len(form.replace(" ", "")) <= 3
    return len(form) <= 2


def mentions(matcher: Matcher, text: str) -> dict[str, list[int]]:
    """{id: [strong hits, weak hits, first offset]} in folded `text`."""
    found: dict[str, list[int]] = {}
    for start, (_, cid, weak) in _form_hits(matcher, text):
        entry = found.setdefault(cid, [0, 0, start])
        entry[1 if weak else 0] += 1
    if matcher.code_pattern is not None:
        for m in matcher.code_pattern.finditer(text):
            strong = bool(_CONTEXT_BEFORE.search(text[max(0, m.start() - 8):m.start()])
                          or _CONTEXT_AFTER.match(text[m.end():m.end() + 5]))
            for cid in matcher.by_code[m.group(0)]:
                entry = found.setdefault(cid, [0, 0, m.start()])
                entry[0 if strong else 1] += 1
    return found


def _form_hits(matcher: Matcher, text: str) -> list[tuple[int, tuple[str, str, bool]]]:
    """(offset, form entry) of each form found, left to right without overlaps; at one
    offset the longest form wins (商湯醫療 is not also 商湯). Latin forms only as whole words.

    A scan by first character rather than one regex alternation of every form: Python's
    regex engine tries each alternative at each offset, which for 2,000 forms cost 0.2 ms
    per title."""
    hits, index, by_first = [], 0, matcher.by_first
    while index < len(text):
        entry = next((e for e in by_first.get(text[index], ()) if _at(text, index, e[0])), None)
        if entry is None:
            index += 1
            continue
        hits.append((index, entry))
        index += len(entry[0])
    return hits


def _at(text: str, index: int, form: str) -> bool:
    """Whether `form` is at `index`; a Latin form not inside a longer word or number."""
    if not text.startswith(form, index):
        return False
    if not _LATIN.fullmatch(form):
        return True
    end = index + len(form)
    return not (index and _WORD.match(text[index - 1])) and not (end < len(text) and _WORD.match(text[end]))


def named(hits: list[int]) -> bool:
    """Whether hits are enough to say the text names the company."""
    return hits[0] >= 1 or hits[1] >= 2


def detect(matcher: Matcher, title: str, body: str) -> tuple[str, ...]:
    """Company ids the (folded) title and body name, most mentioned first (title hits count
    twice; ties by first mention, then id)."""
    head, rest = mentions(matcher, title), mentions(matcher, body)
    scored = []
    for cid in set(head) | set(rest):
        h, b = head.get(cid, [0, 0, 0]), rest.get(cid, [0, 0, 1 << 30])
        total = [h[0] + b[0], h[1] + b[1]]
        if not named(total):
            continue
        count = 2 * (h[0] + h[1]) + b[0] + b[1]
        first = h[2] if cid in head else len(title) + b[2]
        scored.append((-count, first, cid))
    return tuple(cid for *_, cid in sorted(scored))
