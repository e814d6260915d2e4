"""The write edge of a build: the output folder checked, the new tree completed and swapped
in (generator.output), the output's manifest, the search index indexed into the new tree.

Split from generator.build, whose stages call these after rendering.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING

from generator.cache import Cache, ManifestEntry
from generator.config import Config
from generator.model import Page, Site
from generator.output import Staging, list_files, write_error
from generator.output_guard import (FOLDER_MARK, MANIFEST_FILE, check_output_dir, claims,
                                    clean_leftovers, manifest_text, read_owned)
from generator.pages import digest

if TYPE_CHECKING:
    from generator.build import Indexer, _Run

SEARCH_DIR = "pagefind"
# the search index is the generator's as a whole (its files are in no page list)
SEARCH_CLAIM = SEARCH_DIR + FOLDER_MARK


def prepare_output(out: Path, config: Config, cache: Cache, clean: bool) -> None:
    """Clean up after killed builds; refuse a folder the build must not replace."""
    clean_leftovers(out)
    # the manifest itself is read only by a build that writes (swap_tree)
    recorded = (out / MANIFEST_FILE).is_file() or bool(cache.manifest(out))
    check_output_dir(out, config.root.resolve(), [config.content_dir, *config.theme_dirs(),
                                                  config.cache_dir], recorded, clean=clean)


def write_in_place(run: _Run, staging: Staging, site: Site, pages: list[Page], written: list[str],
                   manifest: dict[str, ManifestEntry], indexer: Indexer | None
                   ) -> tuple[list[str], int, object | None]:
    """The preview's update of its own folder: rename the staged files over, then search."""
    produced = {p.path for p in pages}
    removed = stale_files(run.out, manifest, produced | {MANIFEST_FILE}, keep_search=run.config.search)
    staged = _stage_manifest(run, staging, produced)
    if written or removed or staged:
        staging.commit(written + staged, removed)
    run.stages.lap("write")
    key = search_due(run.out, site, run.config, run.cache) if run.config.search else None
    report = run_search(run.out, run.out, site, run.config, run.cache, indexer, key)
    return removed, 0, report


def swap_tree(run: _Run, staging: Staging, site: Site, produced: set[str], written: list[str],
              indexer: Indexer | None) -> tuple[list[str], int, object | None]:
    """Complete the new tree beside out_dir (unchanged and unknown files linked, the manifest,
    the search index) and swap it in; (removed paths, unknown files kept, search report).

    Nothing in out_dir changes unless every step succeeded; when nothing differs, no swap.
    """
    config, out = run.config, run.out
    claimed = _claimed(produced, config.search)
    staged = set(written + _stage_manifest(run, staging, produced))
    key = search_due(out, site, config, run.cache) if config.search else None
    owned = read_owned(out, run.cache.manifest(out).keys()) or set()
    stale = [p for p in owned - claimed if os.path.lexists(out / p.rstrip(FOLDER_MARK))]
    if not staged and key is None and not stale and not run.clean:
        run.stages.lap("write")
        return [], 0, None
    removed: list[str] = []
    unknown = [0]

    def keep(rel: str) -> bool:
        """Whether a file of the current tree goes into the new one."""
        if rel in staged:
            return False
        if claims(claimed, rel):
            return True
        if claims(owned, rel) or run.clean:
            removed.append(rel)
            return False
        unknown[0] += 1
        return True

    staging.mirror(keep, staged)
    staging.files = len(claimed)
    run.stages.lap("write")
    report = run_search(out, staging.dir, site, config, run.cache, indexer, key)
    staging.swap()
    if report is not None:
        run.stages.lap("search")
    return sorted(removed), unknown[0], report


def _claimed(produced: set[str], search: bool) -> set[str]:
    """What the output's manifest records: the pages, itself, the search index folder."""
    return produced | {MANIFEST_FILE} | ({SEARCH_CLAIM} if search else set())


def _stage_manifest(run: _Run, staging: Staging, produced: set[str]) -> list[str]:
    """Stage the output's manifest file when its text changes; [its path] or []."""
    text = manifest_text(_claimed(produced, run.config.search))
    if _read_text(run.out / MANIFEST_FILE) == text:
        return []
    staging.write(MANIFEST_FILE, text.encode())
    return [MANIFEST_FILE]


def _read_text(path: Path) -> str | None:
    """A small file's text, or None."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def stale_files(out: Path, manifest: dict[str, ManifestEntry], produced: set[str], *,
                keep_search: bool) -> list[str]:
    """Files in out_dir this build does not produce (all files when there is no manifest)."""
    keep = (SEARCH_DIR,) if keep_search else ()
    known = manifest.keys() if manifest else list_files(out, keep)
    return sorted(p for p in known if p not in produced and (out / p).exists())


def update_manifest(manifest: dict[str, ManifestEntry], pages: list[Page],
                     results: list[tuple[str, bool, str]], removed: list[str], out: Path) -> None:
    """Remember key, size and mtime of every file rendered this build."""
    for path in removed:
        manifest.pop(path, None)
    for path, _, key in results:
        try:
            st = os.stat(out / path)
        except OSError:
            manifest.pop(path, None)
            continue
        manifest[path] = (key, st.st_size, st.st_mtime_ns)
    produced = {p.path for p in pages}
    for path in [p for p in manifest if p not in produced]:
        del manifest[path]


def search_index_present(out: Path) -> bool:
    """Whether out/ holds a finished search index (generator.search writes its data file last)."""
    from generator import search
    return (out / SEARCH_DIR / search.DATA_FILE).is_file()


def search_due(out: Path, site: Site, config: Config, cache: Cache) -> str | None:
    """The corpus key of the search index when it must be brought up to date, else None."""
    from generator import search
    key = digest([str(getattr(search, "FORMAT", "")), str(out), config.fingerprint()]
                 + [f"{s}:{site.articles[s].digest}" for s in site.order])
    if cache.search_key == key and search_index_present(out):
        return None
    return key


def run_search(out: Path, into: Path, site: Site, config: Config, cache: Cache,
               indexer: Indexer | None, key: str | None) -> object | None:
    """Hook for generator.search (Pagefind): index into `into` (out_dir, or the new tree a
    build swaps in) when search_due() gave a key.

    Search needs every body; they are loaded from the cache only when the index may be stale.
    """
    if key is None:
        return None
    from generator import search
    full = dataclasses.replace(site, articles=cache.hydrate(site.articles.values()))
    try:
        report = (indexer or search.index_search)(into, full, config)
    except OSError as exc:
        raise write_error(exc, out) from exc
    cache.search_key = key
    cache.dirty = True
    return report


def index_search(out: Path, site: Site, config: Config, cache: Cache,
                 indexer: Indexer | None = None) -> object | None:
    """Bring out/'s search index up to date now (when its corpus changed since it last ran)."""
    return run_search(out, out, site, config, cache, indexer, search_due(out, site, config, cache))
