"""Split and write YAML front matter, refusing values YAML would silently mangle."""
from __future__ import annotations

import re
import reprlib
from datetime import date, datetime
from typing import Any

import yaml

from generator.core import yaml_errors
from generator.core.errors import SiteError

# Stable key order for dump_front_matter (docs/design.md); other keys follow, sorted.
KEY_ORDER = ("title", "date", "updated", "slug", "script", "draft", "tags", "companies", "category",
             "summary", "authors", "figures", "source", "syndicated")

# Integers YAML 1.1 reads as something else than the digits: octal/leading zeros
# (000651 -> 425), sexagesimal (10:30 -> 630), hex, binary, digit separators.
_MANGLED_INT = re.compile(r"[-+]?(0[0-9_]+|0[xob].*|.*[:_].*)")
_MANGLED_FLOAT = re.compile(r"[-+]?(.*[:_].*|0[0-9]+\..*)")
_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)
# C0 controls other than tab and newline (and DEL): YAML's reader refuses them raw, but a
# double-quoted "\0" or "\x01" escape makes them, and they would reach the HTML.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class FrontMatterError(yaml.YAMLError):
    """A scalar YAML would misread; carries the 0-based line of the value."""

    def __init__(self, message: str, line: int, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.hint = message, line, hint


class _Loader(_BaseLoader):
    """Safe loader that refuses mangled numbers and impossible dates."""


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    """An int, unless YAML 1.1 would change the digits' meaning."""
    if _MANGLED_INT.fullmatch(node.value):
        raise FrontMatterError(f"{node.value} would be read as the number "
                               f"{yaml.SafeLoader.construct_yaml_int(loader, node)}",
                               node.start_mark.line, "quote it")
    return yaml.SafeLoader.construct_yaml_int(loader, node)


def _construct_float(loader: _Loader, node: yaml.ScalarNode) -> float:
    """A float, unless YAML 1.1 would change the digits' meaning."""
    if _MANGLED_FLOAT.fullmatch(node.value):
        raise FrontMatterError(f"{node.value} would be read as a number", node.start_mark.line,
                               "quote it")
    return yaml.SafeLoader.construct_yaml_float(loader, node)


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> date | datetime:
    """A date or date-time, or an error naming the impossible value."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise FrontMatterError(f"not a date: {brief(node.value)} ({exc})", node.start_mark.line,
                               "use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+08:00") from exc


def brief(value: Any) -> str:
    """repr() of a value for a message, cut short: a value may be huge (never repr it whole)."""
    text = _BRIEF.repr(value)
    return text if len(text) <= BRIEF_CHARS else text[:BRIEF_CHARS - 1] + "…"


BRIEF_CHARS = 120
_BRIEF = reprlib.Repr()
_BRIEF.maxstring = _BRIEF.maxother = 80
_BRIEF.maxlist = _BRIEF.maxtuple = _BRIEF.maxdict = _BRIEF.maxset = 6
_BRIEF.maxlevel = 3


def refuse_aliases(yaml_text: str) -> None:
    """No `&anchor` or `*alias`: an alias bomb expands to billions of values when used.

    Read from the event stream, before any value is built, so the cost is the text's size.
    """
    if "&" not in yaml_text and "*" not in yaml_text:
        return  # neither can occur (the common case, no second pass)
    for event in yaml.parse(yaml_text, Loader=_BaseLoader):
        if isinstance(event, yaml.AliasEvent):
            raise FrontMatterError(f"YAML alias *{event.anchor} is not allowed in front matter",
                                   event.start_mark.line, "write the value out in full")
        if getattr(event, "anchor", None):
            raise FrontMatterError(f"YAML anchor &{event.anchor} is not allowed in front matter",
                                   event.start_mark.line, "remove it and write values out in full")


def _refuse_controls(root: yaml.Node) -> None:
    """No control character (other than tab and newline) in any key or value."""
    stack = [root]  # children pushed in reverse, so the first bad value is reported
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            found = _CONTROL.search(node.value)
            if found:
                raise FrontMatterError(f"control character U+{ord(found[0]):04X} is not allowed in "
                                       f"front matter", node.start_mark.line, "remove the escape")
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(reversed([n for pair in node.value for n in pair]))


def _load(yaml_text: str) -> Any:
    """yaml.load with our loader, refusing aliases and control characters before construction."""
    refuse_aliases(yaml_text)
    loader = _Loader(yaml_text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if "\\" in yaml_text:  # only an escape can make a control character the reader let by
            _refuse_controls(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def split_front_matter(text: str, path: str) -> tuple[dict[str, Any], str, int]:
    """(meta, body, line number where the body starts) or SiteError naming path:line."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise SiteError("empty file", path, hint="an article needs front matter and a body")
    if not text.startswith("---"):
        raise SiteError("no front matter", path, 1, "start the file with a line '---'")
    first = text.find("\n")
    if first < 0 or text[:first].rstrip() != "---":
        raise SiteError("no front matter", path, 1, "the first line must be exactly '---'")
    closing = _FENCE.search(text, first + 1)
    if closing is None:
        raise SiteError("front matter is not closed", path, 1,
                        "did you forget the closing '---'?")
    yaml_text = text[first + 1:closing.start()]
    body_start = text.find("\n", closing.end())
    body = "" if body_start < 0 else text[body_start + 1:]
    body_line = yaml_text.count("\n") + 3
    return parse_meta(yaml_text, path, first_line=2), body, body_line


def parse_meta(yaml_text: str, path: str, *, first_line: int = 1) -> dict[str, Any]:
    """Load a YAML mapping; errors carry path and absolute line."""
    try:
        meta = _load(yaml_text)
    except FrontMatterError as exc:
        raise SiteError(exc.message, path, first_line + exc.line, exc.hint) from exc
    except yaml.reader.ReaderError as exc:
        # the reader stops at the first such character; libyaml's position counts bytes
        line = first_line + yaml_text.count("\n", 0, yaml_text.find(chr(exc.character)))
        raise SiteError(f"control character U+{exc.character:04X} is not allowed in front matter",
                        path, line, 'remove it, or write it as an escape inside "double quotes"') from exc
    except yaml.YAMLError as exc:
        explained = yaml_errors.explain(exc, yaml_text)
        line = first_line + (explained.line or 0)
        raise SiteError(f"invalid YAML: {explained.words}", path, line, explained.hint) from exc
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise SiteError("front matter must be a mapping (key: value)", path, first_line)
    bad = [k for k in meta if not isinstance(k, str)]
    if bad:
        raise SiteError(f"front matter keys must be text (found {brief(bad[0])})", path,
                        key_line(yaml_text, str(bad[0]), first_line))
    return meta


def key_line(yaml_text_or_file: str, key: str, first_line: int = 1) -> int | None:
    """Line of a top-level key in YAML text (for error messages), or None."""
    match = re.search(rf"^{re.escape(key)}\s*:", yaml_text_or_file, re.MULTILINE)
    if not match:
        return None
    return first_line + yaml_text_or_file.count("\n", 0, match.start())


def ordered(meta: dict[str, Any]) -> dict[str, Any]:
    """Meta with keys in the stable front-matter order."""
    known = [k for k in KEY_ORDER if k in meta]
    rest = sorted(k for k in meta if k not in KEY_ORDER)
    return {k: meta[k] for k in known + rest}


class _Dumper(_BaseDumper):
    """Safe dumper: ISO date-times with 'T', no line folding."""


def _represent_datetime(dumper: _Dumper, value: datetime) -> yaml.ScalarNode:
    """ISO 8601 with 'T', as curators write it."""
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


def _represent_str(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    # Multi-line text reads best as a literal block; everything else plain or quoted as needed.
    """Multi-line text as a literal block, other text plain or quoted."""
    style = "|" if "\n" in value.strip("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper: _Dumper, value: list) -> yaml.SequenceNode:
    """Lists of short scalars on one line (`tags: [騰訊, 晶片]`), others as blocks.

    Mappings are always blocks: inside a one-line `{...}` a date-time could only be
    written quoted with an explicit `!` tag, which curators should never have to read.
    """
    flow = all(isinstance(v, (str, int, float, bool)) and "\n" not in str(v) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(datetime, _represent_datetime)
_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(tuple, _represent_list)


def dump_front_matter(meta: dict[str, Any], body: str) -> str:
    """The one writer of article files: '---', YAML in stable key order, '---', body."""
    yaml_text = yaml.dump(ordered(meta), Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                          default_flow_style=False, width=10**6)
    body = body.lstrip("\n")
    if body and not body.endswith("\n"):
        body += "\n"
    return f"---\n{yaml_text}---\n\n{body}"
