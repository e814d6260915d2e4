"""The write edge of a build: the output folder checked, the new tree completed and swapped
in (generator.io.output), the output's manifest; the search index is indexed into the new
tree by the `index` step the build passes (generator.publish.search_step).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Set
from pathlib import Path
from typing import Any, Protocol

from generator.io.cache import DiskCache, ManifestEntry
from generator.core.settings import Config
from generator.io.folders import list_files
from generator.io.output import Staging
from generator.io.guard import (FOLDER_MARK, MANIFEST_FILE, check_output_dir, claims,
                                    clean_leftovers, manifest_text, read_owned)


class Run(Protocol):
    """What the write step reads of a build in progress (generator.build.Run)."""

    config: Config
    cache: DiskCache
    out: Path
    clean: bool
    stages: Any


# indexes search into a folder (the output, or the new tree before it is swapped in);
# None when the index is up to date
IndexStep = Callable[[Path], object | None] | None

SEARCH_DIR = "pagefind"
# the search index is the generator's as a whole (its files are in no page list)
SEARCH_CLAIM = SEARCH_DIR + FOLDER_MARK


def prepare_output(out: Path, config: Config, cache: DiskCache, clean: bool) -> None:
    """Clean up after killed builds; refuse a folder the build must not replace."""
    clean_leftovers(out)
    # the manifest itself is read only by a build that writes (swap_tree)
    recorded = (out / MANIFEST_FILE).is_file() or bool(cache.manifest(out))
    check_output_dir(out, config.root.resolve(), [config.content_dir, *config.theme_dirs(),
                                                  config.cache_dir], recorded, clean=clean)


def write_in_place(run: Run, staging: Staging, written: list[str],
                   manifest: dict[str, ManifestEntry], index: IndexStep
                   ) -> tuple[list[str], int, object | None]:
    """The preview's update of its own folder: rename the staged files over, then search.

    When the build's files are those of the last build written here (run.paths), no file
    can be stale: the manifest lists only the files of that build."""
    produced = run.paths
    same = produced.same_as(run.cache.session.written_paths.recall(str(run.out)))
    removed = [] if same else stale_files(run.out, manifest, {*produced, MANIFEST_FILE},
                                          keep_search=run.config.search)
    staged = _stage_manifest(run, staging, produced, same)
    if written or removed or staged:
        staging.commit(written + staged, removed)
    run.stages.lap("write")
    return removed, 0, index(run.out) if index else None


def swap_tree(run: Run, staging: Staging, produced: set[str], written: list[str],
              index: IndexStep) -> tuple[list[str], int, object | None]:
    """Complete the new tree beside out_dir (unchanged and unknown files linked, the manifest,
    the search index) and swap it in; (removed paths, unknown files kept, search report).

    Nothing in out_dir changes unless every step succeeded; when nothing differs, no swap.
    """
    config, out = run.config, run.out
    claimed = _claimed(produced, config.search)
    staged = set(written + _stage_manifest(run, staging, produced, False))
    owned = read_owned(out, run.cache.manifest(out).keys()) or set()
    stale = [p for p in owned - claimed if os.path.lexists(out / p.rstrip(FOLDER_MARK))]
    if not staged and index is None and not stale and not run.clean:
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
    run.stages.lap("write")
    report = index(staging.dir) if index else None
    if report is not None:
        run.stages.lap("search")
    staging.swap()
    run.stages.lap("swap")  # the exchange, and a fresh tree's twin completed
    return sorted(removed), unknown[0], report


def _claimed(produced: set[str], search: bool) -> set[str]:
    """What the output's manifest records: the pages, itself, the search index folder."""
    return produced | {MANIFEST_FILE} | ({SEARCH_CLAIM} if search else set())


def _stage_manifest(run: Run, staging: Staging, produced: Set[str], same: bool) -> list[str]:
    """Stage the output's manifest file when its text changes; [its path] or [].

    A kept session (the preview) remembers what the file held and its stat: while the set of
    paths (`same`: known to be the last build's) and the file are the same, it is neither
    sorted again nor read (138,000 paths at 50,000 articles: 0.2 s per rebuild)."""
    path = run.out / MANIFEST_FILE
    memo = run.cache.session.manifest.recall(str(run.out))
    if memo is not None and same and memo[1] == _stat(path):
        return []
    claimed = _claimed(set(produced), run.config.search)
    if memo is not None and memo[0] == claimed and memo[1] == _stat(path):
        return []
    text = manifest_text(claimed)
    if _read_text(path) == text:
        run.cache.session.manifest.keep(str(run.out), (frozenset(claimed), _stat(path)))
        return []
    staging.write(MANIFEST_FILE, text.encode())
    run.cache.session.manifest.forget()  # remembered at the next build, once it is in place
    return [MANIFEST_FILE]


def _stat(path: Path) -> tuple[int, int, int] | None:
    """(inode, size, mtime) of a file, or None."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


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


def update_manifest(manifest: dict[str, ManifestEntry], produced: Set[str],
                    results: list[tuple[str, bool, str]], removed: list[str], out: Path, *,
                    same_paths: bool = False) -> None:
    """Remember key, size and mtime of every file rendered this build; forget the files it
    does not produce (none to look for when `same_paths`: the manifest lists the files of
    a build with the same paths)."""
    for path in removed:
        manifest.pop(path, None)
    for path, _, key in results:
        try:
            st = os.stat(out / path)
        except OSError:
            manifest.pop(path, None)
            continue
        manifest[path] = (key, st.st_size, st.st_mtime_ns)
    if same_paths:
        return
    for path in [p for p in manifest if p not in produced]:
        del manifest[path]
