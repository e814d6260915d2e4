"""The no-change shortcut: a build whose inputs (settings, theme, each content file's size and
mtime) are the last successful build's, with every output file as written, stops at once."""
from __future__ import annotations

import os
from pathlib import Path

from generator import __version__
from generator.core.model import BuildReport, Page
from generator.core.plan import digest
from generator.core.settings import Config
from generator.io.cache import DiskCache
from generator.io.sources import Entry
from generator.publish.search_step import search_index_present
from generator.stages.run import Stages, fail_on
from generator.stages.size import size_warnings


def remember(cache: DiskCache, out: Path, record: tuple[str | None, tuple[str, ...], tuple[int, int, int]]) -> None:
    """Note the inputs of this successful build (None: not keyed) and save the cache."""
    if cache.last_build.get(str(out)) != record:
        cache.last_build[str(out)] = record
        cache.dirty = True
    cache.save()


def inputs_key(fingerprint: str, theme_key: str, entries: list[Entry], statics: list[Page],
               out: Path) -> str:
    """Digest of every input of a build, from stat alone (no file is read)."""
    return digest([__version__, fingerprint, theme_key, str(out)]
                  + [f"{e.path}:{e.mtime_ns}:{e.size}" for e in entries] + [p.key for p in statics])


def unchanged_report(cache: DiskCache, out: Path, inputs: str, config: Config, strict: bool,
                     stages: Stages) -> BuildReport | None:
    """The report of a build with nothing to do (same inputs, every output file intact), or None."""
    record = cache.last_build.get(str(out))
    if record is None or record[0] != inputs:
        return None
    if config.search and not search_index_present(out):
        return None
    manifest = cache.manifest(out)
    if not manifest:
        return None
    prefix = f"{out}{os.sep}"
    for path, (_, size, mtime_ns) in manifest.items():
        try:
            st = os.stat(prefix + path)
        except OSError:
            return None
        if (st.st_size, st.st_mtime_ns) != (size, mtime_ns):
            return None
    _, warnings, (count, drafts, pages) = record
    fail_on([], list(warnings), strict)
    stages.lap("check")
    return BuildReport(articles=count, drafts=drafts, pages=pages, rendered=0, written=0,
                       unchanged=len(manifest), removed=0,
                       warnings=(*warnings, *size_warnings(cache, out, config)),
                       seconds=stages.seconds, out_dir=str(out))

