"""Own-script normalisation: the one residue detector and converter for both scripts.

Text already written in a page's script still carries characters of the other script (a
content farm's character-by-character conversion leaves 基于, 百余家, 依托 in Traditional
text; Simplified text keeps 随著 for 随着). Converting such text with OpenCC outright would
also rewrite what is right in the target script (s2tw turns Taiwan's 台, 宣布, 了解, 虱目魚
and the surname 余 into 臺, 宣佈, 瞭解, 蝨目魚, 餘; measured in docs/script-normalisation.md).

So OpenCC proposes (the site's converter on the text) and a per-character rule disposes.
A proposed change of character o is taken when

- o is not in the target script's table of variants to keep (台 布 了 … in Taiwan usage),
  the change does not produce a character outside the BMP (fonts lack them), and towards
  Traditional o is not a Traditional-only character (祕, 樑 stay), and
- o belongs only to the other script (们 in Traditional text, 膩 in Simplified) or is one of
  the shared characters whose own uses OpenCC's phrases all cover (后 并 云 愿: 皇后 stays
  皇后 in s2tw, so 融資后 may become 融資後 by the character rule), or a phrase
  decides it: OpenCC's phrase dictionary alone (STPhrases + TWVariants on the text's
  Simplified form, or TSPhrases) or the project's phrase table (generator.core.phrases)
  changes that character too.

A Traditional text with three or more distinct residue words was converted by machine; it
then also takes the phrase-decided changes of its Simplified round trip (t2s, then s2tw),
which catches wrong Traditional words (沖擊 -> 衝擊, 復雜 -> 複雜). On genuine Taiwanese text
that round trip would rewrite 計畫, 歷經, 胡興隆, so it is not run there.

"Belongs to both scripts" comes from OpenCC's own character dictionaries
(generator.core.shared_chars, written by tools/make_script_tables.py): 余 is both the
Simplified 餘 and the Traditional surname, so 百余 (a phrase) becomes 百餘 while 余艾苔 stays.
The caller protects glossary terms and `-{…}-` spans before calling (placeholders pass
through OpenCC and this rule untouched).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import opencc

from generator.core.phrases import PHRASES
from generator.core.shared_chars import SHARED_CHARS

# OpenCC's phrase dictionaries alone (no character dictionary): which changes a phrase decides
_PHRASE_CHAINS = {"hant": ("STPhrases.ocd2", "TWVariants.ocd2"), "hans": ("TSPhrases.ocd2",)}
# distinct residue words that mark a Traditional text as converted from Simplified by machine
_MACHINE_CONVERTED = 3
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


@dataclass(frozen=True)
class Change:
    """One character normalised: where, what was written and what it became (with a neighbour)."""

    # offset of the changed character in the text
    offset: int
    # the changed character with its neighbour, as written and as normalised (基于, 基於)
    found: str
    suggested: str


@lru_cache(maxsize=1)
def tables() -> dict[str, Mapping]:
    """Shared characters, variants to keep and project phrases, per script."""
    for s in ("hant", "hans"):
        if any(len(k) != len(v) for k, v in PHRASES[s]["phrases"].items()):
            raise ValueError(f"generator.core.phrases: a {s} phrase changes length")
    return {s: {"shared": frozenset(SHARED_CHARS[s]) - frozenset(PHRASES[s]["convert"]),
                "keep": frozenset(PHRASES[s]["keep"]),
                "phrases": dict(PHRASES[s]["phrases"]),
                "not_before": PHRASES[s]["not_before"]}
            for s in ("hant", "hans")}


def tables_digest() -> str:
    """Digest of the tables that decide normalisation (part of the build fingerprint)."""
    data = repr((sorted(SHARED_CHARS.items()), sorted(PHRASES.items()))).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:16]


def phrase_table(script: str) -> Callable[[str], str]:
    """The project's phrase table for `script` as a function on OpenCC's output."""
    return _phrase_table(script)


@lru_cache(maxsize=2)
def _phrase_table(script: str) -> Callable[[str], str]:
    table = tables()[script]
    phrases = table["phrases"]
    if not phrases:
        return lambda s: s
    # each phrase is found from its pivot, the character it changes (著 in 随著): a scan for
    # pivots runs at C speed, where a regex of many phrases would try them at every position
    by_pivot: dict[str, list[tuple[str, int]]] = {}
    for key, value in phrases.items():
        pivot = next(i for i, (k, v) in enumerate(zip(key, value)) if k != v)
        by_pivot.setdefault(key[pivot], []).append((key, pivot))
    for entries in by_pivot.values():
        entries.sort(key=lambda e: -len(e[0]))
    pivots = re.compile(f"[{re.escape(''.join(sorted(by_pivot)))}]")
    not_before = table["not_before"]

    def apply(s: str) -> str:
        out: list[str] | None = None
        taken = 0  # replaced text ends here: phrases do not overlap
        for m in pivots.finditer(s):
            i = m.start()
            for key, pivot in by_pivot[m.group()]:
                start, end = i - pivot, i - pivot + len(key)
                if start >= taken and s.startswith(key, start) and (
                        end >= len(s) or s[end] not in not_before):
                    out = out or list(s)
                    out[start:end] = phrases[key]
                    taken = end
                    break
        return "".join(out) if out is not None else s
    return apply


# Opens an OpenCC converter that runs only the named dictionaries (generator.io.converters
# does it: OpenCC reads a chain from a file, and this module reads and writes none)
OpenChain = Callable[[tuple[str, ...]], "opencc.OpenCC"]


class Normaliser:
    """Normalises already-protected text to its own script (see the module docstring).

    Cost: one OpenCC pass proposes; the rule looks only at the proposed changes (found by
    comparing slices, not characters); the phrase-only pass runs only when a proposed
    change of a shared character needs its evidence.
    """

    def __init__(self, full: Mapping[str, opencc.OpenCC], open_chain: OpenChain,
                 configs: Mapping[str, str] | None = None) -> None:
        # the site's converters (s2tw / t2s by default) propose; phrase chains decide
        self.full = full
        # s2tw is s2t then TWVariants: for the default, s2t and a map of TWVariants'
        # characters propose the same at half the cost (TWVariants' few phrases only keep
        # names with Traditional-only characters, which towards Traditional stay anyway)
        self._s2t = self._tw_variants = None
        if (configs or {}).get("hant", "").removesuffix(".json") == "s2tw":
            self._s2t = opencc.OpenCC("s2t")
            self._tw_variants = _char_map(open_chain(("TWVariants.ocd2",)))
        self.to_hans = opencc.OpenCC("t2s")
        self.phrases = {s: open_chain(f) for s, f in _PHRASE_CHAINS.items()}
        # character -> whether it is Traditional only (t2s changes it on its own)
        self._traditional: dict[str, bool] = {}

    def normalise(self, script: str, text: str) -> tuple[str, list[Change]]:
        """`text` in its own script with the other script's characters converted; the changes."""
        if text.isascii():
            return text, []
        # towards Traditional, Traditional-only characters (祕, 樑) are the page's own
        result = self._pass(script, text, text, keep_own=script == "hant")
        changed = _diff(text, result)
        if script == "hant" and len({c.found for c in _changes(text, result, changed)}) >= _MACHINE_CONVERTED:
            # a machine conversion from Simplified: its Traditional words are suspect too
            # (沖擊, 復雜, 聯系: the Simplified forms' phrases say 衝擊, 複雜, 聯繫)
            simplified = self.to_hans.convert(result)
            if len(simplified) == len(result):
                result = self._pass(script, result, simplified, keep_own=False)
                changed = _diff(text, result)
        return result, _changes(text, result, changed)

    def _pass(self, script: str, text: str, base: str, *, keep_own: bool) -> str:
        """One pass of the rule over `text`, OpenCC converting `base` (text itself or t2s of it)."""
        table = tables()[script]
        full = phrase_table(script)(self._convert(script, base))
        if full is None or len(full) != len(text):
            return text
        candidates = [i for i in _diff(text, full)
                      if text[i] not in table["keep"] and ord(full[i]) <= 0xFFFF
                      and not (keep_own and self._is_traditional(text[i]))]
        if not candidates:
            return text
        evidence: tuple[str, str] | None = None
        out = list(text)
        for i in candidates:
            o = text[i]
            if base[i] == o and o not in table["shared"]:
                out[i] = full[i]  # the other script's alone (们 in Traditional, 膩 in Simplified)
                continue
            if evidence is None:
                evidence = self._evidence(script, base)
                if evidence is None:
                    return text
            if evidence[1][i] != evidence[0][i]:
                out[i] = full[i]  # a phrase decides it (百余 -> 百餘, 沖擊 via 冲击 -> 衝擊)
        return "".join(out)

    def _evidence(self, script: str, base: str) -> tuple[str, str] | None:
        """(phrase input, phrase-only output): phrases are matched in their own script.

        Towards Traditional the phrase dictionary's keys are Simplified, so a residue among
        Traditional neighbours (積淀) is looked up as 积淀; None when lengths differ.
        """
        source = self.to_hans.convert(base) if script == "hant" else base
        phrase = phrase_table(script)(self.phrases[script].convert(source))
        return (source, phrase) if len(source) == len(phrase) == len(base) else None

    def _convert(self, script: str, text: str) -> str:
        """The site converter's proposal for `text` (see __init__ for s2tw)."""
        if script != "hant" or self._s2t is None:
            return self.full[script].convert(text)
        out = self._s2t.convert(text)
        pattern, mapping = self._tw_variants
        return pattern.sub(lambda m: mapping[m.group()], out) if pattern.search(out) else out

    def _is_traditional(self, char: str) -> bool:
        """Whether t2s changes `char` on its own (a Traditional-only character)."""
        found = self._traditional.get(char)
        if found is None:
            found = self._traditional[char] = self.to_hans.convert(char) != char
        return found


def _char_map(converter: opencc.OpenCC) -> tuple[re.Pattern[str], dict[str, str]]:
    """A converter's character-level changes over the CJK blocks, as (pattern, mapping)."""
    chars = [chr(c) for lo, hi in ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))
             for c in range(lo, hi)]
    mapping = {c: n for c, n in zip(chars, converter.convert("\n".join(chars)).split("\n"))
               if n != c and len(n) == 1}
    return re.compile(f"[{re.escape(''.join(sorted(mapping)))}]"), mapping


def _diff(a: str, b: str, step: int = 64) -> list[int]:
    """Positions where two strings of equal length differ (slices compared first: fast)."""
    if a == b:
        return []
    out = []
    for start in range(0, len(a), step):
        if a[start:start + step] != b[start:start + step]:
            out += [i for i in range(start, min(start + step, len(a))) if a[i] != b[i]]
    return out


def _changes(before: str, after: str, positions: list[int]) -> list[Change]:
    """One Change per run of changed positions, a lone character shown with a CJK neighbour."""
    found: list[Change] = []
    runs: list[list[int]] = []
    for i in positions:
        if runs and runs[-1][1] == i:
            runs[-1][1] = i + 1
        else:
            runs.append([i, i + 1])
    for start, end in runs:
        left, right = start, end
        if end - start == 1:
            if start > 0 and _CJK.match(before[start - 1]):
                left = start - 1
            elif end < len(before) and _CJK.match(before[end]):
                right = end + 1
        found.append(Change(start, before[left:right], after[left:right]))
    return found


# --------------------------------------------------------------------------- findings

SCRIPT_LABEL = {"hant": "Traditional", "hans": "Simplified"}
OTHER = {"hant": "hans", "hans": "hant"}


def finding_message(script: str, change: Change) -> str:
    """`Simplified 基于 on the Traditional page (基於?)`."""
    return (f"{SCRIPT_LABEL[OTHER[script]]} {change.found} on the {SCRIPT_LABEL[script]} page "
            f"({change.suggested}?)")


def residue_warnings(path: str, text: str, body_line: int, script: str,
                     found: list[tuple[str, Change]]) -> list[str]:
    """One `path:line: message` per distinct finding and source line (see `finding_lines`)."""
    seen: dict[tuple[int, str], str] = {}
    lines = text.split("\n")
    for key, change in found:
        for line in finding_lines(lines, key, change.found, body_line):
            seen.setdefault((line, change.found), f"{path}:{line}: {finding_message(script, change)}")
    return [seen[k] for k in sorted(seen)]


def finding_lines(lines: list[str], key: str, found: str, body_line: int) -> list[int]:
    """1-based source lines holding `found`: in the body, or at front-matter `key:` and after."""
    if key == "body":
        hits = [body_line + i for i, line in enumerate(lines[body_line - 1:]) if found in line]
        return hits or [body_line]
    prefix = f"{key}:"
    start = next((i for i, line in enumerate(lines[:body_line]) if line.startswith(prefix)), None)
    if start is None:
        return [1]
    # the value may continue on indented lines (lists of authors or figures)
    for i in range(start, body_line - 1):
        if found in lines[i]:
            return [i + 1]
        if i > start and lines[i][:1] not in (" ", "\t", "-"):
            break
    return [start + 1]
