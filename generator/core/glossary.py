"""The site glossary: company and people names fixed in both scripts (glossary.yml)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import yaml

from generator.core.errors import SiteError


@dataclass(frozen=True)
class Term:
    """One glossary entry: the term as written in each script."""

    hant: str
    hans: str
    # curator's remark (why the term is fixed); not used by conversion
    note: str | None = None
    # line in glossary.yml, for error messages
    line: int | None = None


@dataclass(frozen=True)
class Glossary:
    """Terms fixed in both scripts; a term in either form is written in the target's form."""

    terms: tuple[Term, ...] = ()
    # file the glossary came from (for error messages), if any
    path: str | None = None

    def targets(self, script: str) -> dict[str, str]:
        """Map every form of every term to its form in `script`."""
        out: dict[str, str] = {}
        for term in self.terms:
            target = term.hant if script == "hant" else term.hans
            out[term.hant] = target
            out[term.hans] = target
        return out


_ENTRY_KEYS = ("hant", "hans", "note")


def parse_glossary(text: str, path: str = "glossary.yml") -> Glossary:
    """Parse glossary YAML: a list of bare strings or `{hant, hans, note}` mappings."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SiteError(f"glossary is not valid YAML: {getattr(exc, 'problem', exc)}", path,
                        mark.line + 1 if mark else None) from None
    if root is None:
        return Glossary((), path)
    if not isinstance(root, yaml.SequenceNode):
        raise SiteError("glossary must be a list of terms", path, _line(root),
                        hint="start each entry with '- '")
    terms = tuple(_parse_entry(node, path) for node in root.value)
    _check_contradictions(terms, path)
    return Glossary(terms, path)


def _line(node: yaml.Node) -> int:
    """1-based line of a YAML node."""
    return node.start_mark.line + 1


def _scalar(node: yaml.Node, what: str, path: str) -> str:
    """A non-empty string from a scalar node (numbers like 360 stay text)."""
    if not isinstance(node, yaml.ScalarNode):
        raise SiteError(f"glossary: {what} must be text", path, _line(node))
    value = str(node.value).strip()
    if not value:
        raise SiteError(f"glossary: {what} is empty", path, _line(node),
                        hint="remove the entry or fill it in")
    return value


def _parse_entry(node: yaml.Node, path: str) -> Term:
    """One entry: a bare string or a mapping with `hant` and `hans`."""
    if isinstance(node, yaml.ScalarNode):
        value = _scalar(node, "term", path)
        return Term(value, value, None, _line(node))
    if not isinstance(node, yaml.MappingNode):
        raise SiteError("glossary: an entry must be a term or {hant: …, hans: …}", path,
                        _line(node))
    fields: dict[str, str] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key not in _ENTRY_KEYS:
            raise SiteError(f"glossary: unknown key {key!r}", path, _line(key_node),
                            hint="use hant, hans and note")
        if key in fields:
            raise SiteError(f"glossary: duplicate key {key!r}", path, _line(key_node))
        fields[key] = _scalar(value_node, key, path)
    missing = [k for k in ("hant", "hans") if k not in fields]
    if missing:
        raise SiteError(f"glossary: entry without {' and '.join(missing)}", path, _line(node),
                        hint="give both forms, or a bare string for a term written alike")
    return Term(fields["hant"], fields["hans"], fields.get("note"), _line(node))


def _check_contradictions(terms: Sequence[Term], path: str) -> None:
    """Fail when one form is given two different counterparts."""
    seen: dict[str, Term] = {}
    for term in terms:
        for form in {term.hant, term.hans}:
            first = seen.setdefault(form, term)
            if (first.hant, first.hans) != (term.hant, term.hans):
                raise SiteError(
                    f"glossary: {form} is given two different counterparts "
                    f"({first.hant}/{first.hans} on line {first.line}, "
                    f"{term.hant}/{term.hans} here)", path, term.line,
                    hint="keep one entry")
