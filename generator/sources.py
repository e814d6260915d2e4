"""The read edge: find content files and read them as Sources, refusing bad files clearly."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from generator.errors import SiteError
from generator.model import Source

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
