"""The read edge: find content files and read them as Sources, refusing bad files clearly."""
from __future__ import annotations

import bisect
import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.core.errors import SiteError
from generator.core.model import Source

MAX_BYTES = 2 * 1024 * 1024
SUFFIX = ".md"
# Files next to articles that are published under /media/ (figure images, documents).
MEDIA_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".pdf"})


@dataclass(frozen=True)
class Entry:
    """A content file found on disk, before reading it."""

    # path relative to the site root, POSIX separators
    path: str
    absolute: str
    mtime_ns: int
    size: int


def is_content_name(name: str) -> bool:
    """Markdown files, minus hidden files and editor leftovers (.#x.md, x.md~, .x.md.swp)."""
    return name.endswith(SUFFIX) and not name.startswith((".", "#", "~"))


def scan(content_dir: Path, root: Path) -> tuple[list[Entry], list[SiteError]]:
    """Every content file under content_dir (following symlinks, detecting loops), sorted."""
    entries: list[Entry] = []
    errors: list[SiteError] = []
    if not content_dir.is_dir():
        return [], [SiteError("content folder not found", _rel(content_dir, root),
                              hint="create it, or run inside the site folder")]
    _walk(content_dir, root, set(), entries, errors)
    entries.sort(key=lambda e: e.path)
    return entries, errors


def rescan(content_dir: Path, root: Path, previous: list[Entry], changed: Iterable[str]
           ) -> list[Entry] | None:
    """scan()'s answer from an earlier scan and the paths changed since; None when unsure.

    Stat-ing the changed files alone spares a one-article edit walking 10,000 files. A
    changed folder, a file in a folder the earlier scan did not enter, a vanished path with
    files below it, or any path that cannot be stat-ed cleanly needs the full scan.
    """
    base = _rel(content_dir, root)
    prefix = f"{base}/"
    paths = [e.path for e in previous]
    found = {e.path: e for e in previous}
    folders = {base} | {p.rpartition("/")[0] for p in paths}
    moved = False  # whether a path came or went (then the order must be made again)
    for path in changed:
        if not path.startswith(prefix):
            continue  # settings, theme or glossary: not a content file
        parts = path[len(prefix):].split("/")
        if any(part.startswith(".") for part in parts):
            continue  # the scan skips hidden files and folders too
        if path.rpartition("/")[0] not in folders:
            return None
        name = parts[-1]
        absolute = os.path.join(str(content_dir), *parts)
        try:
            info = os.stat(absolute)
        except FileNotFoundError:
            at = bisect.bisect_left(paths, f"{path}/")
            if at < len(paths) and paths[at].startswith(f"{path}/"):
                return None  # a folder went away
            moved = found.pop(path, None) is not None or moved
            continue
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        if is_content_name(name) or os.path.splitext(name)[1].lower() in MEDIA_SUFFIXES:
            moved = moved or path not in found
            found[path] = Entry(path, absolute, info.st_mtime_ns, info.st_size)
    if not moved:
        return [found[p] for p in paths]
    return sorted(found.values(), key=lambda e: e.path)


def _walk(folder: Path, root: Path, seen: set[tuple[int, int]], entries: list[Entry],
          errors: list[SiteError]) -> None:
    """Depth-first, remembering (device, inode) of folders so a symlink loop is reported once."""
    _walk_str(str(folder), _rel(folder, root), seen, entries, errors)


def _walk_str(folder: str, rel: str, seen: set[tuple[int, int]], entries: list[Entry],
              errors: list[SiteError]) -> None:
    """_walk on plain strings (pathlib costs ~40 us a file; 10,000 files are walked per build)."""
    st = os.stat(folder)
    if (st.st_dev, st.st_ino) in seen:
        errors.append(SiteError("symlink loop: this folder is already part of content/", rel,
                                hint="remove the symlink"))
        return
    seen = seen | {(st.st_dev, st.st_ino)}
    try:
        items = sorted(os.scandir(folder), key=lambda d: d.name)
    except OSError as exc:
        errors.append(SiteError(f"cannot list folder: {exc.strerror}", rel))
        return
    for item in items:
        if item.name.startswith("."):
            continue
        item_rel = f"{rel}/{item.name}"
        try:
            if item.is_dir(follow_symlinks=True):
                _walk_str(item.path, item_rel, seen, entries, errors)
            elif is_content_name(item.name) or os.path.splitext(item.name)[1].lower() in MEDIA_SUFFIXES:
                info = item.stat(follow_symlinks=True)
                entries.append(Entry(item_rel, item.path, info.st_mtime_ns, info.st_size))
        except OSError as exc:
            # broken symlinks and symlink loops end up here (ELOOP, ENOENT)
            errors.append(SiteError(f"cannot read: {exc.strerror}", item_rel,
                                    hint="fix or remove the symlink"))


def split_media(entries: list[Entry]) -> tuple[list[Entry], list[Entry]]:
    """(Markdown articles, media files)."""
    articles = [e for e in entries if e.path.endswith(SUFFIX)]
    return articles, [e for e in entries if not e.path.endswith(SUFFIX)]


def read_source(entry: Entry) -> Source:
    """Read and decode one file; SiteError for empty, huge, binary or non-UTF-8 files."""
    if entry.size > MAX_BYTES:
        raise SiteError(f"file is too large ({entry.size:,} bytes; limit {MAX_BYTES:,})", entry.path,
                        hint="is this really an article?")
    try:
        data = Path(entry.absolute).read_bytes()
    except OSError as exc:
        raise SiteError(f"cannot read: {exc.strerror}", entry.path) from exc
    return decode_source(entry.path, data)


def decode_source(path: str, data: bytes) -> Source:
    """Bytes -> Source (pure)."""
    if not data.strip():
        raise SiteError("empty file", path, hint="an article needs front matter and a body")
    if b"\0" in data:
        raise SiteError("binary file (contains NUL bytes)", path, hint="only Markdown belongs in content/")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SiteError(f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})", path, line,
                        "save the file as UTF-8; `newsarchive import` converts GBK and Big5") from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    return Source(path=path, text=text, digest=hashlib.sha256(data).hexdigest())


def _rel(path: Path, root: Path) -> str:
    """A path relative to the site root (POSIX), for messages."""
    try:
        return Path(os.path.abspath(path)).relative_to(root).as_posix()
    except ValueError:
        return str(path)
