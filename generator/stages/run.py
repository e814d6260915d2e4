"""What one build carries between its stages: settings, cache, output folder, clock."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.core.errors import BuildFailed, SiteError
from generator.core.plan import BuildPaths
from generator.core.settings import Config
from generator.io import workers
from generator.io.cache import DiskCache
from generator.io.converters import converter_for
from generator.io.staging import prepare_output

Progress = Callable[[str, int, int], None]

# brings out_dir's search index up to date: (out_dir, site with bodies, config) -> report
# Below this many items a second process costs more than it saves.
PARALLEL_PARSE = 400

PARALLEL_RENDER = 1500


@dataclass
class Stages:
    """Wall time per stage."""

    seconds: dict[str, float]
    started: float

    def lap(self, name: str) -> None:
        """Close the current stage."""
        now = time.perf_counter()
        self.seconds[name] = round(now - self.started, 3)
        self.started = now


@dataclass
class Run:
    """What one build carries between its stages."""

    config: Config
    cache: DiskCache
    out: Path
    fingerprint: str
    procs: int
    progress: Progress | None
    stages: Stages
    warnings: list[str]
    clean: bool = False
    # links and images that lead nowhere: the warnings, and the (page, href) pairs where
    # the built pages show them
    broken_references: tuple[str, ...] = ()
    reported_links: frozenset[tuple[str, str]] = frozenset()
    # the paths of the build's files, once planned (stages.render.plan_pages)
    paths: BuildPaths | None = None

    def converter(self):
        """The script converter, opened once per process and settings."""
        return self.cache.session.converter.get(self.fingerprint,
                                               lambda: converter_for(self.config))


def fail_on(errors: list[SiteError], warnings: list[str], strict: bool) -> None:
    """Raise every collected error (and, with --strict, every warning)."""
    problems = list(errors)
    if strict:
        # a warning already reads `path:line: what (hint)`; --strict only changes its rank
        problems += [SiteError(w) for w in warnings]
    if problems:
        raise BuildFailed(problems)


def start_run(config: Config, cache: DiskCache, out_dir: Path | str | None, workers_count: int | None,
              progress: Progress | None, clean: bool) -> Run:
    """A build's state, once its output folder is known to be the generator's to replace."""
    if isinstance(out_dir, str) and not out_dir.strip():
        raise SiteError("the output folder name is empty", "--out",
                        hint="give a folder, e.g. --out output")
    run = Run(config, cache, Path(out_dir or config.output_dir).resolve(), config.fingerprint(),
              workers.default_workers() if workers_count is None else workers_count, progress,
              Stages({}, time.perf_counter()), [], clean=clean)
    if not cache.in_place_output:
        prepare_output(run.out, config, cache, clean)
    cache.use_fingerprint(run.fingerprint)
    if cache.problem:
        run.warnings.append(cache.problem)
        cache.problem = None
    return run
