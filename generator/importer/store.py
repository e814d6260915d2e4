"""The archive as the importer sees it: existing articles, edit detection, duplicates, atomic writes.

Edit detection: every imported article carries `source.fingerprint`, the first 16 hex digits
of the SHA-256 of the file text as written (with the fingerprint itself zeroed). A file
whose text no longer matches its fingerprint, or that has none (written by hand), was
edited by the curator and is never overwritten without `--force`; `--force` first copies
it to `<name>.md.bak` (`.bak-2`, `.bak-3`… when that exists).

Duplicates: articles are compared as sets of hashed character 5-grams of their text folded
to one script, without punctuation, spaces or Markdown. A new page sharing at least
`DUPLICATE_SHARE` of the smaller set with an article is a syndicated copy of it.
"""
from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from generator.errors import SiteError
from generator.frontmatter import dump_front_matter, split_front_matter
from generator.importer.render import FINGERPRINT, fingerprint, stamp

_SHINGLE = 5
DUPLICATE_SHARE = 0.6
# Articles shorter than this (in shingles) are not compared: too little text to tell.
_MIN_SHINGLES = 30
_CLOSING_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)
_NOT_TEXT = re.compile(r"\{\{figure \d+\}\}|[\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Stored:
    """One article file already in the archive."""

    # path relative to the content folder, POSIX separators
    rel: str
    path: Path
    text: str
    meta: dict
    body: str
    # the file differs from what the importer wrote (or was written by hand)
    edited: bool
    shingles: frozenset[int]


# --------------------------------------------------------------------------- pure helpers

def is_edited(text: str) -> bool:
    """True unless the text is exactly as the importer wrote it."""
    found = FINGERPRINT.search(text)
    return found is None or found[2] != f"v1-{fingerprint(text)}"


def shingles(text: str, fold: Callable[[str], str]) -> frozenset[int]:
    """Hashed character 5-grams of the folded text without punctuation and spaces."""
    flat = _NOT_TEXT.sub("", fold(text))
    return frozenset(hash(flat[i:i + _SHINGLE]) for i in range(max(0, len(flat) - _SHINGLE + 1)))


def similarity(a: frozenset[int], b: frozenset[int]) -> float:
    """Share of the smaller shingle set found in the other (0 when either is too short)."""
    if min(len(a), len(b)) < _MIN_SHINGLES:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def syndication_entry(name: str | None, url: str | None, when: str | None) -> dict:
    """A `syndicated` list item {name, url, date} without empty fields."""
    value: date | datetime | None = None
    if when:
        value = datetime.fromisoformat(when) if "T" in when else date.fromisoformat(when[:10])
    entry = {"name": name, "url": url, "date": value}
    return {k: v for k, v in entry.items() if v is not None}


def with_syndication(stored: Stored, entry: dict) -> str | None:
    """The article text with `entry` added to `syndicated`, or None when it is already listed."""
    listed = stored.meta.get("syndicated") or []
    for item in listed:
        if isinstance(item, dict) and (
                (entry.get("url") and item.get("url") == entry.get("url"))
                or (not entry.get("url") and item.get("name") == entry.get("name")
                    and str(item.get("date")) == str(entry.get("date")))):
            return None
    if "syndicated" in stored.meta:
        meta = dict(stored.meta)
        meta["syndicated"] = [*listed, entry]
        text = dump_front_matter(meta, stored.body)
    else:
        # add the key without re-writing the rest: a curator's comments and layout stay
        block = dump_front_matter({"syndicated": [entry]}, "").split("---\n")[1]
        fence = _CLOSING_FENCE.search(stored.text, stored.text.find("\n") + 1)
        if fence is None:
            return None
        text = stored.text[:fence.start()] + block + stored.text[fence.start():]
    # an untouched import stays recognisable as such; a curated file stays "edited"
    return text if stored.edited else stamp(text)


# --------------------------------------------------------------------------- the archive

class Archive:
    """Articles of one content folder, indexed for the importer (updated as pages are written)."""

    def __init__(self, content_dir: Path, fold: Callable[[str], str],
                 stored: Iterable[Stored] = (), problems: Iterable[str] = ()) -> None:
        self.content_dir = content_dir
        self.fold = fold
        self.articles: dict[str, Stored] = {s.rel: s for s in stored}
        # files that could not be read (reported, never overwritten blindly)
        self.problems = list(problems)

    @classmethod
    def load(cls, content_dir: Path, fold: Callable[[str], str]) -> Archive:
        """Read every article under content_dir (unreadable ones become problems)."""
        stored, problems = [], []
        if content_dir.is_dir():
            for path in sorted(content_dir.rglob("*.md")):
                if any(part.startswith(".") for part in path.relative_to(content_dir).parts):
                    continue
                try:
                    stored.append(read_stored(path, content_dir, fold))
                except (SiteError, OSError, UnicodeDecodeError) as exc:
                    problems.append(f"{path}: {exc}")
        return cls(content_dir, fold, stored, problems)

    def add(self, stored: Stored) -> None:
        """Record a file just written."""
        self.articles[stored.rel] = stored

    def by_source(self, raw_sha256: str, url: str | None) -> Stored | None:
        """The article imported from the same raw bytes, or from the same URL."""
        for art in self.articles.values():
            source = art.meta.get("source") or {}
            if not isinstance(source, dict):
                continue
            if source.get("sha256") == raw_sha256 or (url and source.get("url") == url):
                return art
        return None

    def duplicate_of(self, text_shingles: frozenset[int], *, exclude: str | None = None) -> Stored | None:
        """The most similar article above the duplicate threshold, if any."""
        best, best_score = None, DUPLICATE_SHARE
        for rel, art in sorted(self.articles.items()):
            if rel == exclude:
                continue
            score = similarity(text_shingles, art.shingles)
            if score >= best_score:
                best, best_score = art, score
        return best

    def tags(self) -> tuple[str, ...]:
        """Every tag name used in the archive, first spelling of each, sorted."""
        names: dict[str, str] = {}
        for art in self.articles.values():
            for tag in art.meta.get("tags") or []:
                if isinstance(tag, str | int) and str(tag).strip():
                    names.setdefault(self.fold(str(tag)), str(tag).strip())
        return tuple(sorted(names.values()))


def article_text_for_matching(meta: dict, body: str) -> str:
    """Title and body: what two copies of one story share."""
    return f"{meta.get('title') or ''}\n{body}"


def read_stored(path: Path, content_dir: Path, fold: Callable[[str], str]) -> Stored:
    """Read one article file for the archive index."""
    rel = path.relative_to(content_dir).as_posix()
    return stored_from_text(rel, path, path.read_text(encoding="utf-8"), fold)


def stored_from_text(rel: str, path: Path, text: str, fold: Callable[[str], str]) -> Stored:
    """The archive entry of a text about to be (or just) written."""
    meta, body, _ = split_front_matter(text, str(path))
    return Stored(rel=rel, path=path, text=text, meta=meta, body=body, edited=is_edited(text),
                  shingles=shingles(article_text_for_matching(meta, body), fold))


# --------------------------------------------------------------------------- writing

def atomic_write(path: Path, data: str | bytes) -> None:
    """Write via a temporary file in the same folder and os.replace: old file or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def backup(path: Path) -> Path:
    """Copy a file to <name>.bak (or .bak-N), atomically; return the backup's path."""
    target = path.with_name(path.name + ".bak")
    number = 2
    while target.exists():
        target = path.with_name(f"{path.name}.bak-{number}")
        number += 1
    atomic_write(target, path.read_bytes())
    return target
