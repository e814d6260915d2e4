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

import contextlib
import fcntl
import os
import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from generator.core.errors import SiteError
from generator.core.frontmatter import dump_front_matter, split_front_matter
from generator.importer.render import FINGERPRINT, fingerprint, stamp

LOCK_NAME = "import.lock"
LOCK_WAIT_SECONDS = 60.0
_LOCK_POLL_SECONDS = 0.05
_SHINGLE = 5
DUPLICATE_SHARE = 0.6
# Articles shorter than this (in shingles) are not compared: too little text to tell.
_MIN_SHINGLES = 30
_CLOSING_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)
_FIGURE_MARKER = re.compile(r"\{\{\s*figure\s+\d+\s*\}\}")
_NOT_TEXT = re.compile(r"[\W_]+", re.UNICODE)


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
    # markers go first: where a run of punctuation ran into one, "figure1" was left behind
    flat = _NOT_TEXT.sub("", fold(_FIGURE_MARKER.sub(" ", text)))
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
        # {folded tag: ((rel, position), spelling)}, built on first use (see tags())
        self._tags: dict[str, tuple[tuple[str, int], str]] | None = None
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
        """Record a file just written (or, in a dry run, that would be)."""
        replaced = stored.rel in self.articles
        self.articles[stored.rel] = stored
        if replaced:
            self._tags = None  # a tag may have left the archive with the old text
        elif self._tags is not None:
            self._note_tags(stored)

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
        """Every tag name used in the archive, sorted; of spellings that fold alike, the one
        in the first file (by path) wins, so the answer does not depend on the order in
        which articles were imported (one batch or many)."""
        if self._tags is None:
            self._tags = {}
            for art in self.articles.values():
                self._note_tags(art)
        return tuple(sorted(name for _, name in self._tags.values()))

    def _note_tags(self, art: Stored) -> None:
        """Merge one article's tags into the tag index."""
        assert self._tags is not None
        for position, tag in enumerate(art.meta.get("tags") or []):
            if isinstance(tag, str | int) and not isinstance(tag, bool) and str(tag).strip():
                key, where = self.fold(str(tag)), (art.rel, position)
                if key not in self._tags or where < self._tags[key][0]:
                    self._tags[key] = (where, str(tag).strip())


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
    tmp = _temporary_copy(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def create_new(path: Path, data: str | bytes) -> None:
    """Write a file that must not exist yet: FileExistsError if it does, whoever made it.

    The complete text is written to a temporary file first and then hard-linked into place:
    link() fails when the name is taken, so a file that appeared since the archive was read
    (another importer, an editor) is never replaced, and no reader sees half a file.
    """
    tmp = _temporary_copy(path, data)
    try:
        os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _temporary_copy(path: Path, data: str | bytes) -> Path:
    """The data in a new hidden file next to path, synced; its mode follows the umask."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            # 0o666 & ~umask, as for any file an editor saves (mkstemp would give 0600)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(raw)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp
    raise FileExistsError(f"no free temporary name next to {path}")


def replace_unchanged(path: Path, expected: str, data: str) -> None:
    """Replace a file the importer read as `expected`; SiteError if it changed since.

    Importers hold the site's lock, so only a curator's editor can get in between: their
    save is never overwritten by a text computed from the version before it.
    """
    tmp = _temporary_copy(path, data)
    try:
        if path.read_text(encoding="utf-8") != expected:
            raise SiteError("the file changed while the page was imported; not overwritten",
                            str(path), hint="import the page again")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def backup(path: Path) -> Path:
    """Copy a file to <name>.bak (or .bak-N) that did not exist before; return its path."""
    data = path.read_bytes()
    target, number = path.with_name(path.name + ".bak"), 2
    while True:
        try:
            create_new(target, data)
            return target
        except FileExistsError:
            target = path.with_name(f"{path.name}.bak-{number}")
            number += 1


@contextlib.contextmanager
def import_lock(cache_dir: Path, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the site's import lock (flock on <cache>/import.lock), waiting at most `wait` s.

    Two imports into one site would each read the archive before the other wrote, and both
    pick the same free name for clashing pages; one at a time, the second sees the first.
    The lock goes with the process, so a crashed import never leaves the site locked.
    """
    path = cache_dir / LOCK_NAME
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise SiteError(f"cannot create the import lock: {exc.strerror or exc}", str(path),
                        hint="the site folder must be writable to import into it") from None
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise SiteError(f"another import into this site is running (waited {wait:g} s)",
                                    str(path), hint="let it finish, then import again; "
                                                    "or give --wait SECONDS") from None
                time.sleep(_LOCK_POLL_SECONDS)
        yield
    finally:
        os.close(fd)
