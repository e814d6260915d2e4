"""Gather the pages to import: expand folders, read files, fetch URLs."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.core.errors import SiteError
from generator.importer import fetch as fetching

PAGE_SUFFIXES = (".html", ".htm", ".txt")
# local files get the same limit as downloaded pages
MAX_BYTES = fetching.MAX_BYTES


@dataclass(frozen=True)
class Page:
    """One input's bytes and where they came from."""

    label: str
    raw: bytes
    name: str
    url: str | None
    # the saved page's file (for its X_files/ images), None for URLs
    path: Path | None = None
    charset: str | None = None


@dataclass(frozen=True)
class Skipped:
    """A file inside an imported folder that is not imported, and why."""

    path: str
    reason: str


def expand_inputs(items: list[str]) -> list[str | Skipped]:
    """Files, URLs, and the page files inside folders (recursively, skipping X_files/ folders).

    Inside a folder, a symlink whose target lies outside the folder is skipped (and said
    so): importing a folder must not read files from elsewhere on the disk.
    """
    out: list[str | Skipped] = []
    for item in items:
        path = Path(item)
        if fetching.is_url(item) or not path.is_dir():
            out.append(item)
            continue
        root = path.resolve()
        for found in sorted(path.rglob("*")):
            inside = found.relative_to(path).parts[:-1]
            if any(p.endswith("_files") or p.startswith(".") for p in inside):
                continue
            leaves = found.is_symlink() and not _within(found.resolve(), root)
            if leaves and found.is_dir():
                # rglob does not descend into linked folders; say why their pages are missing
                out.append(Skipped(str(found), "a symlink to a folder outside the folder"))
            elif found.suffix.lower() in PAGE_SUFFIXES and found.is_file():
                out.append(Skipped(str(found), "a symlink to a file outside the folder")
                           if leaves else str(found))
    return out


def _within(path: Path, root: Path) -> bool:
    """True when the resolved path lies inside the resolved root folder."""
    return path == root or root in path.parents


def read_input(item: str, max_bytes: int = MAX_BYTES) -> Page:
    """Read a file or fetch a URL; SiteError when neither works or the file is too large."""
    if fetching.is_url(item):
        return _fetched_page(item)
    path = Path(item)
    if not path.exists():
        raise SiteError("no such file", item, hint="check the path")
    if path.suffix.lower() not in PAGE_SUFFIXES:
        raise SiteError(f"not a page file ({path.suffix or 'no extension'})", item,
                        hint="import .html, .htm or .txt files, folders or http(s) URLs")
    return Page(item, _read_limited(path, item, max_bytes), path.name, None, path)


def _read_limited(path: Path, item: str, max_bytes: int) -> bytes:
    """The file's bytes, or SiteError when it holds more than max_bytes (even if it grows)."""
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        raw = handle.read(max_bytes + 1) if size <= max_bytes else b""
    if size > max_bytes or len(raw) > max_bytes:
        shown = f"{size:,} bytes" if size > max_bytes else f"more than {max_bytes:,} bytes"
        raise SiteError(f"file is too large ({shown}; limit {max_bytes:,})", item,
                        hint="a saved news page is far smaller: is this the article's page?")
    return raw


def _fetched_page(url: str) -> Page:
    """Download a URL; its name is the last path segment (index.html for a bare folder)."""
    got = fetching.fetch(url)
    name = unquote(urlsplit(got.url).path.rsplit("/", 1)[-1]) or "index.html"
    if "." not in name:
        name += ".html" if (got.content_type or "").endswith("html") else ""
    return Page(url, got.raw, name, got.url, None, got.charset)
