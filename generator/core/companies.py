"""companies.yml's text -> a validated registry of the archive's companies (pure).

One entry per company: an ASCII `id` (its URL name), its name in both scripts (`hant` and
`hans`, or one `name` written alike), `aliases` (English names, short names, former names;
each a string or `{hant, hans}`), `tickers` (`EXCHANGE:CODE` strings, checked per exchange),
`website`, a one-line `description` and an optional `parent` id. Every error is one
`companies.yml:LINE: what (hint)` line. Reading the file is generator.io.companies' job.
"""
from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

import yaml

from generator.core.errors import BuildFailed, SiteError
from generator.core.glossary import Glossary, Term

COMPANIES_FILE = "companies.yml"
_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
# exchange -> (code pattern, what the hint says)
EXCHANGES: dict[str, tuple[str, str]] = {
    "HKEX": (r"\d{4,5}", "4 or 5 digits, leading zeros kept: HKEX:0020"),
    "SSE": (r"[5-9]\d{5}", "6 digits: SSE:600519"),
    "SZSE": (r"[0-3]\d{5}", "6 digits: SZSE:000651"),
    "BSE": (r"[48]\d{5}|92\d{4}", "6 digits: BSE:830799"),
    "TWSE": (r"\d{4}[A-Z]?|\d{6}", "4 digits: TWSE:2330"),
    "TPEX": (r"\d{4}[A-Z]?|\d{6}", "4 digits: TPEX:6488"),
    "NASDAQ": (r"[A-Z]{1,5}", "letters: NASDAQ:NVDA"),
    "NYSE": (r"[A-Z]{1,4}(?:\.[A-Z])?", "letters: NYSE:BABA"),
    "SGX": (r"[A-Z0-9]{3,4}", "SGX:D05"),
    "TSE": (r"\d{4}|\d{3}[A-Z]", "4 digits: TSE:6758"),
}
# ids that would collide with the index's own URLs (/companies/recent/, .../page/N/)
RESERVED_IDS = frozenset({"recent", "page", "feed", "index"})
_KEYS = ("id", "name", "hant", "hans", "aliases", "tickers", "website", "description", "parent")


@dataclass(frozen=True)
class Company:
    """One company of companies.yml."""

    id: str
    # {script: name}
    names: dict[str, str]
    # each alias as (hant form, hans form); the same string twice when written alike
    aliases: tuple[tuple[str, str], ...]
    # "EXCHANGE:CODE"
    tickers: tuple[str, ...]
    website: str | None
    description: str
    parent: str | None
    line: int

    def forms(self) -> tuple[str, ...]:
        """Every written form of its names and aliases, longest first, once each."""
        found = [self.names["hant"], self.names["hans"]]
        found += [f for pair in self.aliases for f in pair]
        return tuple(sorted(dict.fromkeys(found), key=lambda s: (-len(s), s)))

    def digest(self) -> str:
        """Digest of everything a page can show of the company."""
        return hashlib.blake2b(repr(self).encode(), digest_size=10).hexdigest()


@dataclass(frozen=True)
class Companies:
    """The registry: companies in file order."""

    items: tuple[Company, ...] = ()
    path: str = COMPANIES_FILE

    @functools.cached_property
    def by_id(self) -> dict[str, Company]:
        """{id: company}."""
        return {c.id: c for c in self.items}

    def terms(self) -> tuple[Term, ...]:
        """Glossary terms protecting every name and alias in script conversion."""
        found = []
        for c in self.items:
            found.append(Term(c.names["hant"], c.names["hans"], f"company {c.id}", c.line))
            found += [Term(hant, hans, f"company {c.id}", c.line) for hant, hans in c.aliases]
        return tuple(found)

    def identity(self) -> str:
        """Digest of the ids, names and aliases: what conversion and article pages depend on."""
        parts = [f"{c.id}|{c.names}|{c.aliases}" for c in self.items]
        return hashlib.blake2b("\n".join(parts).encode(), digest_size=10).hexdigest()

    def subsidiaries(self, cid: str) -> tuple[str, ...]:
        """Ids whose parent is `cid`, in file order."""
        return tuple(c.id for c in self.items if c.parent == cid)


def with_company_terms(glossary: Glossary | None, companies: Companies) -> Glossary | None:
    """The glossary plus the company names it does not fix already (the glossary wins)."""
    if not companies.items:
        return glossary
    base = glossary.terms if glossary else ()
    taken = {form for t in base for form in (t.hant, t.hans)}
    extra = []
    for term in companies.terms():
        if term.hant not in taken and term.hans not in taken:
            extra.append(term)
            taken.update((term.hant, term.hans))
    return Glossary(tuple(base) + tuple(extra), glossary.path if glossary else None)


# libyaml composes a 500-company file in a fraction of pure Python's 0.7 s; on a YAML error
# the file is composed again in pure Python, whose messages are the ones the tests quote
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.lru_cache(maxsize=4)
def parse_companies(text: str, path: str = COMPANIES_FILE) -> Companies:
    """Parse companies.yml; every problem is one `path:line:` error, all raised together.

    Memoised on the text: one build reads the file for the config's identity, the
    converter's protected names and the companies stage (the result is immutable).
    """
    try:
        root = _compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SiteError(f"invalid YAML: {getattr(exc, 'problem', exc)}", path,
                        mark.line + 1 if mark else None) from None
    if root is None:
        return Companies((), path)
    if not isinstance(root, yaml.SequenceNode):
        raise SiteError("must be a list of companies", path, _line(root),
                        hint="start each company with '- id: …'")
    errors: list[SiteError] = []
    items = [c for c in (_company(node, path, errors) for node in root.value) if c is not None]
    _check_registry(items, path, errors)
    if errors:
        raise errors[0] if len(errors) == 1 else BuildFailed(errors)
    return Companies(tuple(items), path)


def _compose(text: str) -> yaml.Node | None:
    """The YAML node tree of `text` (libyaml when present)."""
    try:
        return yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        return yaml.compose(text, Loader=yaml.SafeLoader)


def _line(node: yaml.Node) -> int:
    """1-based line of a YAML node."""
    return node.start_mark.line + 1


class _Entry:
    """Reads one company mapping, collecting errors at their lines."""

    def __init__(self, node: yaml.MappingNode, path: str, errors: list[SiteError]) -> None:
        self.path, self.errors, self.line = path, errors, _line(node)
        self.nodes: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key not in _KEYS:
                self.err(f"unknown key {key!r}", key_node, "use " + ", ".join(_KEYS))
            elif key in self.nodes:
                self.err(f"duplicate key {key!r}", key_node)
            else:
                self.nodes[key] = value_node

    def err(self, message: str, node: yaml.Node | None = None, hint: str | None = None) -> None:
        """Record one error at the node's line (else the entry's)."""
        line = _line(node) if node is not None else self.line
        self.errors.append(SiteError(message, self.path, line, hint))

    def text(self, key: str, *, required: bool = False) -> str | None:
        """A text value (a quoted or plain string, never a number YAML would read)."""
        node = self.nodes.get(key)
        if node is None:
            if required:
                self.err(f"company without {key!r}")
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
            self.err(f"{key} must be text", node, "quote it")
            return None
        value = str(node.value).strip()
        if not value:
            self.err(f"{key} is empty", node)
            return None
        if "\n" in value:
            self.err(f"{key} must be one line", node)
        return value

    def texts(self, key: str) -> list[tuple[yaml.Node, object]]:
        """The items of a list value: (node, str | (hant, hans)) each."""
        node = self.nodes.get(key)
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.err(f"{key} must be a list", node, f"write {key}: [a, b]")
            return []
        out = []
        for item in node.value:
            if isinstance(item, yaml.ScalarNode) and item.tag == "tag:yaml.org,2002:str" and item.value.strip():
                out.append((item, item.value.strip()))
            elif isinstance(item, yaml.MappingNode):
                pair = {str(k.value): v for k, v in item.value}
                hant, hans = pair.get("hant"), pair.get("hans")
                if set(pair) != {"hant", "hans"} or not all(
                        isinstance(v, yaml.ScalarNode) and v.value.strip() for v in (hant, hans)):
                    self.err(f"{key}: an item must be text or {{hant: …, hans: …}}", item)
                    continue
                out.append((item, (hant.value.strip(), hans.value.strip())))
            else:
                self.err(f"{key}: an item must be text", item, "quote it")
        return out


def _company(node: yaml.Node, path: str, errors: list[SiteError]) -> Company | None:
    """One entry, or None after recording why it cannot be one."""
    if not isinstance(node, yaml.MappingNode):
        errors.append(SiteError("a company must be a mapping (id: …, hant: …, hans: …)", path,
                                _line(node)))
        return None
    entry = _Entry(node, path, errors)
    cid = entry.text("id", required=True)
    if cid is not None and not _ID.fullmatch(cid):
        entry.err(f"id {cid!r} is not a URL name", entry.nodes["id"],
                  "lower-case ASCII letters, digits and hyphens: sensetime-healthcare")
    elif cid in RESERVED_IDS:
        entry.err(f"id {cid!r} is reserved for the companies index", entry.nodes["id"],
                  "choose another URL name")
    names = _names(entry)
    aliases = [(v, v) if isinstance(v, str) else v for _, v in entry.texts("aliases")]
    tickers = [_ticker(entry, n, v) for n, v in entry.texts("tickers")]
    website = entry.text("website")
    if website is not None and not re.match(r"https?://[^\s/]+\.[^\s]+$", website):
        entry.err(f"website {website!r} is not an http(s) address", entry.nodes["website"],
                  "for example https://www.sensetime.com/")
    if cid is None or names is None:
        return None
    return Company(id=cid, names=names, aliases=tuple(dict.fromkeys(aliases)),
                   tickers=tuple(t for t in tickers if t), website=website,
                   description=entry.text("description") or "", parent=entry.text("parent"),
                   line=entry.line)


def _names(entry: _Entry) -> dict[str, str] | None:
    """{hant, hans} from `hant` and `hans`, or from one `name` written alike."""
    name, hant, hans = entry.text("name"), entry.text("hant"), entry.text("hans")
    if name is not None and (hant or hans):
        entry.err("give either name or hant and hans", entry.nodes["name"])
    if name is not None:
        return {"hant": name, "hans": name}
    if hant and hans:
        return {"hant": hant, "hans": hans}
    if hant is None and hans is None and "name" not in entry.nodes:
        entry.err("company without a name", hint="add name: …, or hant: … and hans: …")
    elif not (hant and hans):
        entry.err("company needs both hant and hans", hint="or one name: written alike")
    return None


def _ticker(entry: _Entry, node: yaml.Node, value: object) -> str | None:
    """A checked `EXCHANGE:CODE`, or None after an error."""
    if not isinstance(value, str) or ":" not in value:
        entry.err(f"ticker {value!r} is not EXCHANGE:CODE", node, 'quote it: "HKEX:0020"')
        return None
    exchange, _, code = (p.strip() for p in value.partition(":"))
    exchange = exchange.upper()
    if exchange not in EXCHANGES:
        entry.err(f"ticker {value!r}: unknown exchange {exchange!r}", node,
                  "one of " + ", ".join(EXCHANGES))
        return None
    pattern, hint = EXCHANGES[exchange]
    if not re.fullmatch(pattern, code):
        entry.err(f"ticker {value!r}: not a {exchange} code", node, hint)
        return None
    return f"{exchange}:{code}"


def _check_registry(items: list[Company], path: str, errors: list[SiteError]) -> None:
    """Duplicate ids, a name or alias claimed by two companies, unknown or circular parents."""
    seen: dict[str, Company] = {}
    for c in items:
        if c.id in seen:
            errors.append(SiteError(f"duplicate id {c.id!r} (first on line {seen[c.id].line})",
                                    path, c.line, "give each company its own id"))
        seen.setdefault(c.id, c)
    owner: dict[str, Company] = {}
    for c in items:
        for form in c.forms():
            first = owner.setdefault(form, c)
            if first.id != c.id:
                errors.append(SiteError(
                    f"{form} is claimed by {first.id} (line {first.line}) and {c.id}", path,
                    c.line, "a name or alias names one company"))
    tickers: dict[str, Company] = {}
    for c in items:
        for t in c.tickers:
            first = tickers.setdefault(t, c)
            if first.id != c.id:
                errors.append(SiteError(f"ticker {t} is claimed by {first.id} (line {first.line}) "
                                        f"and {c.id}", path, c.line))
    for c in items:
        if c.parent is not None and c.parent not in seen:
            errors.append(SiteError(f"{c.id}: unknown parent {c.parent!r}", path, c.line,
                                    "the parent's id must be listed in companies.yml"))
        elif c.parent is not None and _circular(c, seen):
            errors.append(SiteError(f"{c.id}: its parent chain comes back to itself", path, c.line))


def _circular(company: Company, by_id: dict[str, Company]) -> bool:
    """Whether following parents from `company` leads back to it."""
    steps, current = 0, company.parent
    while current is not None and steps <= len(by_id):
        if current == company.id:
            return True
        current = by_id[current].parent if current in by_id else None
        steps += 1
    return False


def ticker_code(ticker: str) -> str:
    """The code part of `EXCHANGE:CODE`."""
    return ticker.partition(":")[2]


def ids_in(companies: Iterable[Company]) -> set[str]:
    """The ids of some companies."""
    return {c.id for c in companies}
