"""The build's search step: whether the index is stale, and indexing into the folder the
build names (the new tree before it is swapped in, or the preview's folder).
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from generator.core.model import Site
from generator.core.plan import digest
from generator.core.settings import Config
from generator.io.cache import DiskCache
from generator.io.folders import tree_bytes
from generator.io.output import write_error
from generator.io.staging import SEARCH_DIR, IndexStep
from generator.publish import search
from generator.publish.search import Indexer


def search_index_present(out: Path) -> bool:
    """Whether out/ holds a finished search index (generator.publish.search writes its data file last)."""
    return (out / SEARCH_DIR / search.DATA_FILE).is_file()


def search_due(out: Path, site: Site, config: Config, cache: DiskCache) -> str | None:
    """The corpus key of the search index when it must be brought up to date, else None."""
    key = digest([str(getattr(search, "FORMAT", "")), str(out), config.fingerprint()]
                 + [f"{s}:{site.articles[s].digest}" for s in site.order])
    if cache.search_key == key and search_index_present(out):
        return None
    return key


def run_search(out: Path, into: Path, site: Site, config: Config, cache: DiskCache,
               indexer: Indexer | None, key: str | None) -> object | None:
    """Hook for generator.publish.search (Pagefind): index into `into` (out_dir, or the new tree a
    build swaps in) when search_due() gave a key.

    Search needs every body; they are loaded from the cache only when the index may be stale.
    """
    if key is None:
        return None
    full = dataclasses.replace(site, articles=cache.hydrate(site.articles.values()))
    try:
        report = (indexer or search.index_search)(into, full, config)
    except OSError as exc:
        raise write_error(exc, out) from exc
    cache.search_key = key
    cache.search_bytes = tree_bytes(into / SEARCH_DIR)
    cache.dirty = True
    return report


def index_search(out: Path, site: Site, config: Config, cache: DiskCache,
                 indexer: Indexer | None = None) -> object | None:
    """Bring out/'s search index up to date now (when its corpus changed since it last ran)."""
    return run_search(out, out, site, config, cache, indexer, search_due(out, site, config, cache))


def index_step(out: Path, site: Site, config: Config, cache: DiskCache,
               indexer: Indexer | None) -> IndexStep:
    """What the write step calls to index search into a folder; None when up to date."""
    key = search_due(out, site, config, cache) if config.search else None
    if key is None:
        return None
    return lambda into: run_search(out, into, site, config, cache, indexer, key)
