"""Search tokens: folded text cut into Han bigrams and words, the same on the index side and in the browser (search.js)."""
from __future__ import annotations

import html
import re

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"

_TOKEN = re.compile(rf"(?P<han>[{HAN}]+)|[^\W{HAN}_]+")

# index_tokens' three kinds, each found by the regex engine alone (no Python per token)
_BIGRAM = re.compile(rf"(?=([{HAN}][{HAN}]))")

_RUN_END = re.compile(rf"[{HAN}](?![{HAN}])")

_WORD = re.compile(rf"[^\W{HAN}_]+")

_BLOCK_TAG = re.compile(r"<(?:/(?:p|h[1-6]|li|blockquote|figcaption|figure|div|pre|tr)|br\s*/?)>", re.I)

_TAG = re.compile(r"<[^>]*>")

_BLANKS = re.compile(r"[ \t\r\f\v]*\n\s*")


def search_tokens(folded: str, *, index: bool = False) -> list[str]:
    """Han runs as overlapping bigrams (a lone character as itself); other words whole.

    With `index`, a run's last character is added too: Pagefind matches a one-character query
    as a prefix, and a character ending a run starts no bigram. Queries never add it.
    """
    tokens: list[str] = []
    for match in _TOKEN.finditer(folded):
        run = match.group()
        if match.group("han") and len(run) > 1:
            tokens += [a + b for a, b in zip(run, run[1:])]
            if index:
                tokens.append(run[-1])
        else:
            tokens.append(run)
    return tokens


def index_tokens(folded: str) -> list[str]:
    """The tokens search_tokens(folded, index=True) gives, grouped by kind (5x faster).

    Order within a record is irrelevant to Pagefind's ranking (term counts and weights), and
    search.js never asks Pagefind for positions.
    """
    return _BIGRAM.findall(folded) + _RUN_END.findall(folded) + _WORD.findall(folded)


def plain_text(body_html: str) -> str:
    """Rendered body HTML as plain text, one line per block, no inline spaces added."""
    text = html.unescape(_TAG.sub("", _BLOCK_TAG.sub("\n", body_html)))
    return _BLANKS.sub("\n", text).strip()
