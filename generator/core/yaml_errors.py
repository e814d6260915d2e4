"""PyYAML's parse errors in plain words: what is wrong on which line, and how to fix it.

PyYAML reports the parser's state ("mapping values are not allowed here", "while parsing
a flow sequence ... expected ',' or ']'"); a curator needs to hear "a ': ' inside a value"
or "a '[' list that is not closed". Pure: the error and the text in, words out.
"""
from __future__ import annotations

from dataclasses import dataclass

import yaml


@dataclass(frozen=True)
class Explained:
    """A YAML error located (0-based line in the parsed text) and put into words."""

    line: int | None
    words: str
    hint: str


_QUOTE_HINT = "quote the value"


def explain(exc: yaml.YAMLError, text: str) -> Explained:
    """The plain-words reading of a PyYAML error raised on `text`."""
    problem = str(getattr(exc, "problem", None) or "")
    context = str(getattr(exc, "context", None) or "")
    mark = getattr(exc, "problem_mark", None)
    start = getattr(exc, "context_mark", None) or mark
    line = mark.line if mark is not None else None
    if "mapping values are not allowed" in problem:
        return _colon_or_indent(line, text)
    if "'\\t'" in problem or "tab character" in problem:
        return Explained(line, "a tab character", "YAML indents with spaces only: "
                                                  "replace the tab with spaces")
    if "flow sequence" in context:
        return Explained(start.line, "a '[' list that is not closed",
                         "close it with ']' on the same value, or quote the value if '[' is text")
    if "flow mapping" in context:
        return Explained(start.line, "a '{' mapping that is not closed",
                         "close it with '}' on the same value, or quote the value if '{' is text")
    if "quoted" not in context and ("stream end" in problem or "end of stream" in problem):
        return Explained(_last_line(text), "the text ends inside a '[' list, a '{' mapping or a quote",
                         "close every '[', '{' and quote on the value that opened it")
    if "quoted scalar" in context:
        return Explained(start.line, "a quote that is never closed", "close the quote")
    if "alias" in context or "anchor" in context or "cannot start any token" in problem:
        return Explained(line, "a value that starts with a YAML symbol (*, &, @, `, %, !)",
                         _QUOTE_HINT + ', e.g. title: "*重磅* 新品發布"')
    if "simple key" in context:
        return Explained(line, "a line that is not 'key: value'",
                         "add ': ' after the key, or indent the line to continue the value above")
    if "block mapping" in context or "block collection" in context:
        return Explained(line, "the indentation does not line up",
                         "keys of one mapping, and items of one list, start in the same column")
    return Explained(line, problem or "not YAML",
                     "check the indentation (spaces only) and quote values containing ': '")


def _last_line(text: str) -> int:
    """0-based line of the last line with text (where an unclosed value runs out)."""
    lines = text.splitlines()
    return max((n for n, line in enumerate(lines) if line.strip()), default=0)


def _colon_or_indent(line: int | None, text: str) -> Explained:
    """"mapping values are not allowed here": a ': ' inside a value, or a key indented deeper
    than the key above it (which does not end with ':', so cannot hold it)."""
    lines = text.splitlines()
    current = lines[line] if line is not None and line < len(lines) else ""
    previous = next((lines[n] for n in range((line or 0) - 1, -1, -1) if lines[n].strip()), "")
    indent = len(current) - len(current.lstrip(" "))
    deeper = indent > len(previous) - len(previous.lstrip(" "))
    if deeper and not previous.rstrip().endswith(":"):
        return Explained(line, "this line is indented more than the line above it",
                         "keys of one mapping start in the same column; indent only under a "
                         "key that ends with ':'")
    return Explained(line, "a ': ' inside a value",
                     _QUOTE_HINT + ', e.g. title: "台積電: 營收創新高"')
