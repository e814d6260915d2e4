"""The output's size against GitHub Pages' limit, after a build and after a no-change one."""
from __future__ import annotations

from pathlib import Path

from generator.core.settings import Config
from generator.core.site_size import size_warning
from generator.io.cache import DiskCache
from generator.io.staging import SEARCH_DIR


def size_warnings(cache: DiskCache, out: Path, config: Config) -> tuple[str, ...]:
    """A warning when the site nears the limit (generator.core.site_size), from the sizes the
    manifest already holds and the search index's recorded size: no file is read.

    Never an error, even under --strict: the build is good, only a deploy to Pages may be
    refused. So it is not among the warnings a no-change build replays (those fail it under
    --strict); both kinds of build make it afresh."""
    if cache.in_place_output:
        return ()  # a preview's temporary folder is never published
    sizes = [(path, size) for path, (_, size, _) in cache.manifest(out).items()]
    if config.search:
        sizes.append((SEARCH_DIR + "/", cache.search_bytes))
    warning = size_warning(sizes, config.shown(out) + "/")
    return (warning,) if warning else ()
