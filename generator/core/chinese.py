"""Script conversion between Traditional (hant) and Simplified (hans) Chinese.

OpenCC does the phrase-level conversion; a site glossary fixes company and people names in
both directions, `-{…}-` spans (as on Chinese Wikipedia) are left exactly as written, and so
are URLs written out in text. All are swapped for private-use placeholders before OpenCC
runs and restored after; the longest glossary term wins.

`Converter.html` converts an HTML fragment or page without building a DOM: a regex
tokenizer finds tags and text, and every convertible piece of one document goes through a
single OpenCC call (pieces joined by a private-use separator), which keeps conversion of a
whole article well under a tenth of a millisecond per kilobyte.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import opencc

from generator.core.errors import SiteError
from generator.core.glossary import Glossary, Term, parse_glossary  # noqa: F401 (re-exported)
from generator.core.residue import Change, Normaliser, OpenChain, phrase_table

SCRIPT_NAMES = ("hant", "hans")
# OpenCC configurations per target script when site.yml names none (Taiwan standard)
DEFAULT_OPENCC = {"hant": "s2tw", "hans": "t2s"}

# Placeholders and the batch separator live in Supplementary Private Use Area-B, which
# OpenCC passes through untouched and real text practically never uses. Any such character
# already in the input is itself protected, so placeholders can never collide with text.
_PLACEHOLDER_BASE = 0x100000
_SEPARATOR = "\U0010FFFD"
_MAX_PLACEHOLDERS = 0xFFFD
# placeholder range (an input character in it is protected, so it can never pass for one)
_PLACEHOLDERS = re.compile("[\U00100000-\U0010FFFC]")
_SPAN_MARKERS = re.compile(r"-\{|\}-")


# --------------------------------------------------------------------------- converter

class _Protector:
    """Swaps protected strings for placeholders and back, for one conversion call."""

    def __init__(self) -> None:
        self.codes: dict[str, str] = {}
        self.values: list[str] = []

    def code(self, value: str) -> str:
        """The placeholder standing for `value` (the same value gets the same code)."""
        found = self.codes.get(value)
        if found is None:
            if len(self.values) >= _MAX_PLACEHOLDERS:
                raise SiteError("too many protected terms in one text for script conversion")
            found = chr(_PLACEHOLDER_BASE + len(self.values))
            self.codes[value] = found
            self.values.append(value)
        return found

    def restore(self, text: str) -> str:
        """Put the protected strings back."""
        if not self.values:
            return text
        return _PLACEHOLDERS.sub(lambda m: self.values[ord(m.group()) - _PLACEHOLDER_BASE], text)


def _open_opencc(config: str) -> opencc.OpenCC:
    """An OpenCC converter, or a SiteError naming the bad config."""
    try:
        return opencc.OpenCC(config)
    except RuntimeError as exc:
        raise SiteError(f"unknown OpenCC configuration {config!r}: {exc}",
                        hint="use one shipped with OpenCC, e.g. s2tw.json or t2s.json") from None


def _alternation(forms: Iterable[str]) -> str:
    """Regex alternatives, longest first, so the longest glossary term wins."""
    return "|".join(re.escape(f) for f in sorted(set(forms), key=lambda f: (-len(f), f)))


class Converter:
    """Converts text and HTML to either script with OpenCC plus the site glossary."""

    def __init__(self, opencc_configs: Mapping[str, str] | None = None,
                 glossary: Glossary | None = None, *, convert_names: bool = True,
                 open_chain: OpenChain | None = None) -> None:
        """`open_chain` opens OpenCC phrase chains for own-script normalisation
        (generator.io.converters.open_converter passes it); without it, `normalise` fails."""
        configs = dict(DEFAULT_OPENCC)
        configs.update(opencc_configs or {})
        unknown = set(configs) - set(SCRIPT_NAMES)
        if unknown:
            raise SiteError(f"unknown script {sorted(unknown)[0]!r} in OpenCC settings",
                            hint="scripts are hant and hans")
        self.opencc_configs = configs
        self.glossary = glossary or Glossary()
        # whether authors' names are converted like text (site.yml convert_names)
        self.convert_names = convert_names
        self.open_chain = open_chain
        self._setup()

    def _setup(self) -> None:
        """Open OpenCC and compile the glossary matcher (cached per instance)."""
        self._opencc = {s: _open_opencc(self.opencc_configs[s]) for s in SCRIPT_NAMES}
        self._normaliser: Normaliser | None = None  # opened on first use (own-script text)
        self._char_scripts: dict[str, int] = {}  # detect_script's verdict per character
        self._targets = {s: self.glossary.targets(s) for s in SCRIPT_NAMES}
        terms = _alternation(self._targets["hant"])
        # URLs written out in text (linkified or not) must read the same as their href
        # a span never runs across the separator of a batch (see convert_many)
        protect = (r"-\{(?P<span>[^\U0010FFFD]*?)\}-|(?P<private>[\U00100000-\U0010FFFC])"
                   r"|(?P<url>https?://(?:(?!&(?:lt|gt|quot|apos|nbsp);)"
                   r"[^\s<>\"'（）「」『』，。、；：！？\U0010FFFD])+)")
        # a leading class of possible first characters lets the regex skip most positions
        # without trying every glossary alternative there
        starts = {f[0] for f in self._targets["hant"]} | {"-", "h"}
        first = "".join(re.escape(c) for c in sorted(starts))
        alternatives = protect + (f"|(?P<term>{terms})" if terms else "")
        self._protect_re = re.compile(f"(?=[{first}\U00100000-\U0010FFFC])(?:{alternatives})",
                                      re.S)

    def __getstate__(self) -> dict[str, Any]:
        """Pickle only the settings; OpenCC objects are re-created on unpickling."""
        return {"opencc_configs": self.opencc_configs, "glossary": self.glossary,  # not _last_split
                "convert_names": self.convert_names, "open_chain": self.open_chain}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Re-create OpenCC objects in the receiving process."""
        self.opencc_configs = state["opencc_configs"]
        self.glossary = state["glossary"]
        self.convert_names = state.get("convert_names", True)
        self.open_chain = state.get("open_chain")
        self._setup()

    def _protect(self, script: str, text: str, prot: _Protector) -> str:
        """Replace glossary terms and `-{…}-` spans (markers dropped) by placeholders."""
        targets = self._targets[script]

        def swap(m: re.Match[str]) -> str:
            if m.group("span") is not None:
                return prot.code(m.group("span"))
            if m.group("private") is not None or m.group("url") is not None:
                return prot.code(m.group())
            return prot.code(targets[m.group("term")])

        return self._protect_re.sub(swap, text)

    def text(self, script: str, s: str) -> str:
        """Convert plain text to `script` ("hant" or "hans")."""
        if s.isascii() and "-{" not in s:
            return s
        prot = _Protector()
        protected = self._protect(script, s, prot)
        return prot.restore(self._convert(script, protected))

    def _convert(self, script: str, protected: str) -> str:
        """OpenCC, then the project's phrase table (随著 -> 随着 towards Simplified)."""
        return phrase_table(script)(self._opencc[script].convert(protected))

    def convert_many(self, script: str, pieces: Sequence[str]) -> list[str]:
        """Convert many texts as one (one protect pass, one OpenCC call), split back apart."""
        if not pieces:
            return []
        joined = _SEPARATOR.join(pieces)
        if joined.count(_SEPARATOR) != len(pieces) - 1:
            # the input itself contains the separator: convert piece by piece instead
            return [self.text(script, p) for p in pieces]
        prot = _Protector()
        converted = self._convert(script, self._protect(script, joined, prot))
        out = prot.restore(converted).split(_SEPARATOR)
        if len(out) != len(pieces):
            raise SiteError("script conversion lost a piece separator (OpenCC changed it)")
        return out

    def normalise_many(self, script: str, pieces: Sequence[str]) -> tuple[list[str], list[list[Change]]]:
        """Texts already in `script`, the other script's characters converted (generator.core.residue).

        Glossary terms, `-{…}-` spans (markers dropped) and URLs are protected as in
        conversion. Returns the texts and, per text, the changes made (offsets in the
        result, found/suggested as written and as normalised).
        """
        if not pieces:
            return [], []
        if self._normaliser is None:
            if self.open_chain is None:
                raise TypeError("own-script normalisation needs OpenCC phrase chains: open the "
                                "converter with generator.io.converters.open_converter")
            self._normaliser = Normaliser(self._opencc, self.open_chain, self.opencc_configs)
        joined = _SEPARATOR.join(pieces)
        if joined.count(_SEPARATOR) != len(pieces) - 1:
            results = [self.normalise_many(script, [p]) for p in pieces]
            return [r[0][0] for r in results], [r[1][0] for r in results]
        prot = _Protector()
        done, changes = self._normaliser.normalise(script, self._protect(script, joined, prot))
        out = done.split(_SEPARATOR)
        per_piece: list[list[Change]] = [[] for _ in pieces]
        starts = [m.end() for m in re.finditer(_SEPARATOR, done)]
        for change in changes:
            index = sum(1 for start in starts if start <= change.offset)
            per_piece[index].append(Change(change.offset, prot.restore(change.found),
                                           prot.restore(change.suggested)))
        return [prot.restore(p) for p in out], per_piece

    def normalise(self, script: str, s: str) -> str:
        """Text already in `script` with the other script's characters converted."""
        return self.normalise_many(script, [s])[0][0]

    def own_html(self, script: str, html: str,
                 texts: Sequence[str] = ()) -> tuple[str, list[Change], list[str], list[list[Change]]]:
        """An HTML fragment already in `script`, normalised like text (see `html`), and its
        changes; `texts` are normalised in the same call (returned with theirs)."""
        parts, spots = self._split(html) if not (html.isascii() and "-{" not in html) else ([html], [])
        done, changes = self.normalise_many(script, [*texts, *(parts[i] for i in spots)])
        found: list[Change] = []
        for i, value, piece_changes in zip(spots, done[len(texts):], changes[len(texts):]):
            parts[i] = value
            found += piece_changes
        return "".join(parts), found, done[:len(texts)], changes[:len(texts)]

    def html(self, script: str, html: str) -> str:
        """Convert text nodes and alt/title attributes; code, scripts and URLs stay as they are."""
        return self.html_and_texts(script, html, ())[0]

    def html_and_texts(self, script: str, html: str, texts: Sequence[str]) -> tuple[str, list[str]]:
        """`html` converted as `html` does, and `texts` converted in the same OpenCC call."""
        if html.isascii() and "-{" not in html:
            return html, self.convert_many(script, list(texts))
        parts, spots = self._split(html)
        converted = self.convert_many(script, [*texts, *(parts[i] for i in spots)])
        for i, value in zip(spots, converted[len(texts):]):
            parts[i] = value
        return "".join(parts), converted[:len(texts)]

    def _split(self, html: str) -> tuple[list[str], list[int]]:
        """_split_html, remembered for the last document (a body is split for both scripts)."""
        last = getattr(self, "_last_split", None)
        if last is None or last[0] is not html:
            last = self._last_split = (html, *_split_html(html))
        return list(last[1]), last[2]

    def fold(self, s: str) -> str:
        """One canonical form for matching across scripts: NFKC, Simplified, lower case."""
        s = _SPAN_MARKERS.sub("", unicodedata.normalize("NFKC", s))
        return self.text("hans", s).lower()

    def detect_script(self, text: str, default: str | None = None) -> str | None:
        """Which script `text` is written in; `default` when there is no evidence or a tie."""
        counts = Counter(c for c in text if ord(c) >= 0x2E80)
        if not counts:
            return default
        known = self._char_scripts
        unknown = [c for c in counts if c not in known]
        if unknown:
            to_hans = self._opencc["hans"].convert("\n".join(unknown)).split("\n")
            to_hant = self._opencc["hant"].convert("\n".join(unknown)).split("\n")
            if len(to_hans) != len(unknown) or len(to_hant) != len(unknown):
                return default
            # +1 Traditional only, -1 Simplified only, 0 both or neither (remembered per process)
            for c, s, t in zip(unknown, to_hans, to_hant):
                known[c] = 1 if s != c and t == c else -1 if t != c and s == c else 0
        hant = sum(n for c, n in counts.items() if known[c] == 1)
        hans = sum(n for c, n in counts.items() if known[c] == -1)
        if hant == hans:
            return default
        return "hant" if hant > hans else "hans"


def detect_script(text: str, default: str | None = None, *,
                  converter: Converter | None = None) -> str | None:
    """Which script `text` is written in ("hant"/"hans"); `default` (None) without evidence.

    Pass the build's `converter` when calling this often: creating one opens OpenCC.
    """
    return (converter or Converter()).detect_script(text, default)


# --------------------------------------------------------------------------- HTML

# Elements whose content is never converted: code-like content and raw text.
_SKIP = frozenset({"code", "pre", "script", "style", "kbd", "samp", "var", "textarea"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})
_CONVERT_ATTRS = frozenset({"alt", "title"})

_TOKEN = re.compile(r"""<(?:
    (?P<comment>!--.*?-->)
  | (?P<raw>(?P<rawname>script|style)\b[^>]*>.*?</(?P=rawname)\s*>)
  | (?P<tag>/?(?P<name>[A-Za-z][^\s/>]*)(?P<attrs>(?:(?:\s+|(?<=["']))[^\s/>"'=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?|\s*/)*)\s*>)
  | (?P<decl>![^>]*>|\?[^>]*>)
)""", re.S | re.I | re.X)
_ATTR = re.compile(r"""([^\s/>"'=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


@dataclass
class _HtmlState:
    """Where the tokenizer is: inside skipped elements and/or an open `-{` span."""

    # open elements since the outermost skipped element (empty = converting)
    skip: list[str] = field(default_factory=list)
    # inside a `-{ … }-` span that started in an earlier text node
    in_span: bool = False
    # whether a `-{` may close in a later text node (off after one never closed)
    spans_across: bool = True


def _split_html(html: str, *, spans_across: bool = True) -> tuple[list[str], list[int]]:
    """Cut HTML into parts; return them and the indices of parts to convert."""
    parts: list[str] = []
    spots: list[int] = []
    state = _HtmlState(spans_across=spans_across)
    pos = 0
    for m in _TOKEN.finditer(html):
        start, name, attrs = m.start(), m.group("name"), m.group("attrs")
        if start > pos:
            _add_text(html[pos:start], state, parts, spots)
        if name is None or not (state.skip or attrs or name.lower() in _SKIP):
            # comments, declarations and plain tags like <p> or </p>: nothing to track
            parts.append(m.group())
        else:
            _add_tag(m, state, parts, spots)
        pos = m.end()
    if pos < len(html):
        _add_text(html[pos:], state, parts, spots)
    if state.in_span:
        # a stray `-{` that never closes must not switch conversion off for the rest
        return _split_html(html, spans_across=False)
    return parts, spots


def _add_text(text: str, state: _HtmlState, parts: list[str], spots: list[int]) -> None:
    """A text node: convertible unless skipped; `-{ … }-` may span several nodes."""
    if state.skip:
        parts.append(text)
        return
    while text:
        if state.in_span:
            end = text.find("}-")
            if end < 0:
                parts.append(text)
                return
            parts.append(text[:end])
            text, state.in_span = text[end + 2:], False
            continue
        start = text.rfind("-{")
        if start >= 0 and state.spans_across and text.find("}-", start) < 0:
            # an unclosed span: convert up to it, keep the rest (and later nodes) as written
            _add_convertible(text[:start], parts, spots)
            parts.append(text[start + 2:])
            state.in_span = True
            return
        _add_convertible(text, parts, spots)
        return


def _add_convertible(text: str, parts: list[str], spots: list[int]) -> None:
    """Queue a piece for conversion unless it is plain ASCII."""
    if text.isascii() and "-{" not in text:
        parts.append(text)
    else:
        spots.append(len(parts))
        parts.append(text)


def _add_tag(m: re.Match[str], state: _HtmlState, parts: list[str], spots: list[int]) -> None:
    """A start or end tag: track skipped elements, queue alt/title values."""
    token = m.group()
    name = m.group("name").lower()
    closing = token.startswith("</")
    opens = not closing and name not in _VOID and not token.endswith("/>")
    attrs = m.group("attrs") or ""
    if state.skip:
        _track_skipped(state.skip, name, closing, opens)
        parts.append(token)
        return
    translate_no = "translate" in attrs.lower() and _translate_no(attrs)
    if opens and (name in _SKIP or translate_no):
        state.skip.append(name)
    if closing or translate_no or not attrs:
        parts.append(token)
        return
    _add_attrs(token, m.start("attrs") - m.start(), attrs, parts, spots)


def _translate_no(attrs: str) -> bool:
    """Whether the attributes include translate="no" (the HTML opt-out of translation)."""
    for a in _ATTR.finditer(attrs):
        value = next((v for v in a.group(2, 3, 4) if v is not None), "")
        if a.group(1).lower() == "translate" and value.strip().lower() == "no":
            return True
    return False


def _track_skipped(stack: list[str], name: str, closing: bool, opens: bool) -> None:
    """Keep the open-element stack inside a skipped region (to find its end)."""
    if opens:
        stack.append(name)
    elif closing and name in stack:
        while stack.pop() != name:
            pass


def _add_attrs(token: str, offset: int, attrs: str, parts: list[str], spots: list[int]) -> None:
    """Split a tag so the values of alt and title become convertible parts."""
    pos = 0
    for a in _ATTR.finditer(attrs):
        if a.group(1).lower() not in _CONVERT_ATTRS:
            continue
        group = next((g for g in (2, 3, 4) if a.group(g) is not None), None)
        if group is None or a.group(group).isascii():
            continue
        start, end = offset + a.start(group), offset + a.end(group)
        parts.append(token[pos:start])
        spots.append(len(parts))
        parts.append(token[start:end])
        pos = end
    parts.append(token[pos:])
