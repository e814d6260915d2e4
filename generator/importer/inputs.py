"""Gather the pages to import: expand folders, read files, fetch URLs."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.errors import SiteError
from generator.importer import fetch as fetching

PAGE_SUFFIXES = (".html", ".htm", ".txt")


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


def expand_inputs(items: list[str]) -> list[str]:
    """Files, URLs, and the page files inside folders (recursively, skipping X_files/ folders)."""
    out: list[str] = []
    for item in items:
        path = Path(item)
        if fetching.is_url(item) or not path.is_dir():
            out.append(item)
            continue
        for found in sorted(path.rglob("*")):
            inside = found.relative_to(path).parts[:-1]
            if any(p.endswith("_files") or p.startswith(".") for p in inside):
                continue
            if found.is_file() and found.suffix.lower() in PAGE_SUFFIXES:
                out.append(str(found))
    return out


def read_input(item: str) -> Page:
    """Read a file or fetch a URL; SiteError when neither works."""
    if fetching.is_url(item):
        return _fetched_page(item)
    path = Path(item)
    if not path.exists():
        raise SiteError("no such file", item, hint="check the path")
    if path.suffix.lower() not in PAGE_SUFFIXES:
        raise SiteError(f"not a page file ({path.suffix or 'no extension'})", item,
                        hint="import .html, .htm or .txt files, folders or http(s) URLs")
    return Page(item, path.read_bytes(), path.name, None, path)


def _fetched_page(url: str) -> Page:
    """Download a URL; its name is the last path segment (index.html for a bare folder)."""
    got = fetching.fetch(url)
    name = unquote(urlsplit(got.url).path.rsplit("/", 1)[-1]) or "index.html"
    if "." not in name:
        name += ".html" if (got.content_type or "").endswith("html") else ""
    return Page(url, got.raw, name, got.url, None, got.charset)
