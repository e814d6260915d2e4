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
_CONTEXT_BEFORE = re.compile(r"(?:[a-z]+:\s*|[(]|代码\s*|股票\s*)$")
_CONTEXT_AFTER = re.compile(r"^(?:\.[a-z]{1,3}\b|[)])")


@dataclass(frozen=True)
class Matcher:
    """Folded forms of every company, longest first: (form, id, weak)."""

    forms: tuple[tuple[str, str, bool], ...]
    # (folded code, id)
    codes: tuple[tuple[str, str], ...]
    pattern: re.Pattern | None


def make_matcher(companies: Companies, fold: Callable[[str], str]) -> Matcher:
    """A matcher for every name, alias and ticker code of the registry."""
    forms: dict[str, tuple[str, bool]] = {}
    for c in companies.items:
        for form in c.forms():
            folded = fold(form).strip()
            if len(folded) >= 2 or not _LATIN.fullmatch(folded):
                forms.setdefault(folded, (c.id, _weak(folded)))
    ordered = tuple(sorted(((f, cid, weak) for f, (cid, weak) in forms.items()),
                           key=lambda x: (-len(x[0]), x[0])))
    codes = tuple((ticker_code(t).lower(), c.id) for c in companies.items for t in c.tickers)
    alternatives = [_alternative(f) for f, _, _ in ordered]
    pattern = re.compile("|".join(alternatives)) if alternatives else None
    return Matcher(ordered, codes, pattern)


def _weak(form: str) -> bool:
    """A form short enough to be a common word."""
    if _LATIN.fullmatch(form):
        return len(form.replace(" ", "")) <= 3
    return len(form) <= 2


def _alternative(form: str) -> str:
    """Regex for one form: Latin forms only as whole words."""
    escaped = re.escape(form)
    if _LATIN.fullmatch(form):
        return f"(?<![0-9a-z]){escaped}(?![0-9a-z])"
    return escaped


def mentions(matcher: Matcher, text: str) -> dict[str, list[int]]:
    """{id: [strong hits, weak hits, first offset]} in folded `text`."""
    found: dict[str, list[int]] = {}
    by_form = {f: (cid, weak) for f, cid, weak in matcher.forms}
    if matcher.pattern is not None:
        # the regex tries alternatives longest first, so overlaps go to the longest form
        for m in matcher.pattern.finditer(text):
            cid, weak = by_form[m.group(0)]
            entry = found.setdefault(cid, [0, 0, m.start()])
            entry[1 if weak else 0] += 1
    for code, cid in matcher.codes:
        for m in re.finditer(f"(?<![0-9a-z.]){re.escape(code)}(?![0-9a-z])", text):
            strong = bool(_CONTEXT_BEFORE.search(text[max(0, m.start() - 8):m.start()])
                          or _CONTEXT_AFTER.match(text[m.end():m.end() + 5]))
            entry = found.setdefault(cid, [0, 0, m.start()])
            entry[0 if strong else 1] += 1
    return found


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


def in_title(matcher: Matcher, title: str) -> tuple[str, ...]:
    """Ids a (folded) title names by a strong form."""
    return tuple(cid for cid, hits in mentions(matcher, title).items() if hits[0] >= 1)
