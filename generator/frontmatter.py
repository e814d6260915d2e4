"""Split and write YAML front matter, refusing values YAML would silently mangle."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import yaml

from generator.errors import SiteError

# Stable key order for dump_front_matter (docs/design.md); other keys follow, sorted.
KEY_ORDER = ("title", "date", "updated", "slug", "script", "draft", "tags", "category",
             "summary", "authors", "figures", "source", "syndicated")

# Integers YAML 1.1 reads as something else than the digits: octal/leading zeros
# (000651 -> 425), sexagesimal (10:30 -> 630), hex, binary, digit separators.
_MANGLED_INT = re.compile(r"[-+]?(0[0-9_]+|0[xob].*|.*[:_].*)")
_MANGLED_FLOAT = re.compile(r"[-+]?(.*[:_].*|0[0-9]+\..*)")
_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)
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
        raise FrontMatterError(f"not a date: {node.value!r} ({exc})", node.start_mark.line,
                               "use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+08:00") from exc


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
        meta = yaml.load(yaml_text, Loader=_Loader)
    except FrontMatterError as exc:
        raise SiteError(exc.message, path, first_line + exc.line, exc.hint) from exc
    except yaml.reader.ReaderError as exc:
        line = first_line + yaml_text.count("\n", 0, exc.position) if isinstance(exc.position, int) else None
        raise SiteError(f"control character U+{exc.character:04X} is not allowed in front matter",
                        path, line, 'remove it, or write it as an escape inside "double quotes"') from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        line = first_line + mark.line if mark else first_line
        raise SiteError(f"invalid YAML: {problem}", path, line,
                        "quote values containing ': ' or starting with '[', '{', '*', '&'") from exc
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise SiteError("front matter must be a mapping (key: value)", path, first_line)
    bad = [k for k in meta if not isinstance(k, str)]
    if bad:
        raise SiteError(f"front matter keys must be text (found {bad[0]!r})", path,
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
