"""The rules of RFC 4287 (Atom) that a checker can test on one document, as problems found.

Not a schema: the RFC's "MUST"s for atom:feed and atom:entry (sections 4.1-4.2) — one id,
title and updated each; ids that are absolute IRIs and unique; RFC 3339 dates; an author for
every entry; a self link; alternate links unique per (type, hreflang); an entry without
content has an alternate link; text constructs of a known type; categories with a term.
"""
from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from lxml import etree

ATOM = "http://www.w3.org/2005/Atom"
A = f"{{{ATOM}}}"
# RFC 3339 date-time (section 3.3 of RFC 4287): full date, time, seconds, offset or Z
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})\Z")
TEXT_TYPES = {"text", "html", "xhtml"}


def check_feed(data: bytes) -> list[str]:
    """Every rule the document breaks, as one line each (empty: conforming)."""
    root = etree.fromstring(data)
    if root.tag != A + "feed":
        return [f"root element is {root.tag}, not atom:feed"]
    problems = _common(root, "feed")
    if not any(link.get("rel") == "self" for link in root.iterfind(A + "link")):
        problems.append("feed: no link rel=self (RFC 4287 4.1.1 SHOULD)")
    feed_author = root.find(A + "author") is not None
    ids: dict[str, int] = {}
    for n, entry in enumerate(root.iterfind(A + "entry"), 1):
        where = f"entry {n}"
        problems += _common(entry, where)
        if not feed_author and entry.find(A + "author") is None:
            problems.append(f"{where}: no atom:author and the feed has none")
        problems += _entry_rules(entry, where)
        ident = entry.findtext(A + "id")
        if ident in ids:
            problems.append(f"{where}: id {ident} repeats entry {ids[ident]}")
        ids[ident] = n
    return problems


def _common(node: etree._Element, where: str) -> list[str]:
    """Rules atom:feed and atom:entry share."""
    problems = []
    for name in ("id", "title", "updated"):
        count = len(node.findall(A + name))
        if count != 1:
            problems.append(f"{where}: {count} atom:{name} (exactly one required)")
    ident = node.findtext(A + "id") or ""
    if not urlsplit(ident.strip()).scheme:
        problems.append(f"{where}: id {ident!r} is not an absolute IRI")
    for name in ("updated", "published"):
        for stamp in node.iterfind(A + name):
            if not RFC3339.match(stamp.text or ""):
                problems.append(f"{where}: {name} {stamp.text!r} is not an RFC 3339 date-time")
    for name in ("title", "subtitle", "summary", "rights"):
        for text in node.iterfind(A + name):
            if text.get("type", "text") not in TEXT_TYPES:
                problems.append(f"{where}: {name} has type {text.get('type')!r}")
    problems += _links(node, where)
    for person in node.iterfind(A + "author"):
        if not (person.findtext(A + "name") or "").strip():
            problems.append(f"{where}: an author without a name")
    for category in node.iterfind(A + "category"):
        if not category.get("term"):
            problems.append(f"{where}: a category without a term")
    return problems


def _links(node: etree._Element, where: str) -> list[str]:
    """Every link has an absolute href; alternates are unique per (type, hreflang)."""
    problems, seen = [], set()
    for link in node.iterfind(A + "link"):
        href = link.get("href") or ""
        if not urlsplit(href).scheme:
            problems.append(f"{where}: link href {href!r} is not absolute")
        if link.get("rel", "alternate") == "alternate":
            key = (link.get("type"), link.get("hreflang"))
            if key in seen:
                problems.append(f"{where}: two alternate links of type {key[0]}, hreflang {key[1]}")
            seen.add(key)
    return problems


def _entry_rules(entry: etree._Element, where: str) -> list[str]:
    """Entry-only rules: content or an alternate link; updated not before published."""
    problems = []
    content = entry.find(A + "content")
    alternate = [link for link in entry.iterfind(A + "link") if link.get("rel", "alternate") == "alternate"]
    if content is None and not alternate:
        problems.append(f"{where}: neither atom:content nor an alternate link")
    if content is not None and content.get("src") is None and content.get("type", "text") not in TEXT_TYPES:
        problems.append(f"{where}: inline content of type {content.get('type')!r}")
    if content is not None and content.get("src") and entry.find(A + "summary") is None:
        problems.append(f"{where}: content by src without atom:summary")
    published, updated = entry.findtext(A + "published"), entry.findtext(A + "updated")
    if published and updated and RFC3339.match(published) and RFC3339.match(updated):
        if _when(updated) < _when(published):
            problems.append(f"{where}: updated {updated} is before published {published}")
    return problems


def _when(stamp: str) -> datetime:
    """An RFC 3339 stamp as an aware datetime."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
