"""The build recipe: read -> parse -> index -> plan -> render -> write, one stage per step.

    run      = start_run(...)             stages.run: the output folder checked, the cache opened
    entries  = scan_content(...)          stages.read: content/**/*.md by stat, nothing read yet
    report   = unchanged_report(...)      stages.unchanged: same inputs, intact output -> done
    articles = read_and_parse(...)        stages.parse: changed files read and parsed (cached)
    site     = index_site(...)            stages.relate: tags, categories, months, related
    pages    = plan_pages(...)            stages.render: every URL x script, each with a key
    written  = render_and_write(...)      stages.render: pages whose key changed rendered,
                                          staged, search indexed, the new tree swapped in

The no-change rebuild of a 10,000-article site stops at the third line and reads no article.

Every content error of the build is collected and raised together as BuildFailed before
anything in out_dir is touched. The output folder is checked (generator.io.guard) before anything
is written; a build removes only files its manifest records and keeps every other file.
"""
from __future__ import annotations

import gc
from collections.abc import Collection
from pathlib import Path

from generator.core.memo import PerArticle
from generator.core.model import BuildReport
from generator.core.settings import Config
from generator.io import templates, workers
from generator.io.cache import DiskCache, StaleCache
from generator.io.config import file_digest
from generator.io.sources import split_media
from generator.publish.search import Indexer
from generator.stages.companies import companies_stage
from generator.stages.images import publish_images, with_image_keys
from generator.stages.parse import read_and_parse
from generator.stages.read import scan_content
from generator.stages.relate import index_site
from generator.stages.render import plan_pages, render_and_write, static_pages
from generator.stages.run import Progress, Run, start_run
from generator.stages.size import size_warnings
from generator.stages.unchanged import inputs_key, remember, unchanged_report


def build(config: Config, *, out_dir: Path | str | None = None, cache: DiskCache | None = None,
          changed: Collection[str | Path] | None = None, progress: Progress | None = None,
          strict: bool = False, workers_count: int | None = None,
          indexer: Indexer | None = None, clean: bool = False) -> BuildReport:
    """Build the site into out_dir; raise BuildFailed (out_dir untouched) on any content error.

    With `clean`, files of out_dir no build recorded are removed too (never in a folder
    that holds a repository or a site: see generator.io.guard.check_output_dir).

    `indexer(folder, site, config)` brings the search index of `folder` up to date (default:
    generator.publish.search.index_search, at once, into the new tree before it is swapped in; the
    preview hands it to a background thread, on its own folder).
    """
    # A build allocates millions of objects and frees few; the cyclic collector would scan
    # the whole corpus again and again (a third of a no-change rebuild's time).
    collecting = gc.isenabled()
    gc.disable()
    cache = cache if cache is not None else DiskCache.load(config.cache_dir)
    try:
        try:
            return _build(config, out_dir=out_dir, cache=cache, changed=changed,
                          progress=progress, strict=strict, workers_count=workers_count,
                          indexer=indexer, clean=clean)
        except StaleCache as stale:
            cache.reset(f"{stale}; parsed everything again")
            return _build(config, out_dir=out_dir, cache=cache, changed=changed,
                          progress=progress, strict=strict, workers_count=workers_count,
                          indexer=indexer, clean=clean)
    finally:
        cache.join_writers()  # a failed build leaves no child behind
        if collecting:
            gc.enable()




def _build(config: Config, *, out_dir: Path | str | None, cache: DiskCache,
           changed: Collection[str | Path] | None, progress: Progress | None,
           strict: bool, workers_count: int | None, indexer: Indexer | None,
           clean: bool) -> BuildReport:
    """build() with the collector off: the stages, in order."""
    run = start_run(config, cache, out_dir, workers_count, progress, clean)
    entries, errors = scan_content(config, cache, changed)
    entries, media = split_media(entries)
    theme_key = templates.theme_fingerprint(config.theme_dirs())
    statics = static_pages(config)
    # The inputs are keyed only where a later build may take the no-change shortcut: a
    # preview's rebuild names what changed, and so does the next (its key, None, never matches).
    inputs = None
    if not changed:
        # companies.yml beyond its names (tickers, websites, descriptions) changes pages only
        inputs = inputs_key(config.render_key() + file_digest(config.companies), theme_key,
                            entries + media, statics, run.out)
        if not errors and not clean:
            report = unchanged_report(cache, run.out, inputs, config, strict, run.stages)
            if report is not None:
                return report
    corpus, media_pages = read_and_parse(run, entries, media, errors, changed, strict)
    cache.write_bodies_early()  # a child pickles the parsed articles while the parent indexes
    images, image_pages = publish_images(run, media)
    site = companies_stage(run, index_site(run, corpus))
    if cache.release_related():  # a build that keeps no session never reads the index again
        workers.release_freed_memory()
    pages = plan_pages(run, site, theme_key, statics + media_pages + image_pages, strict)
    site, pages = with_image_keys(site, pages, images, {p.path for p in media_pages + image_pages},
                                  cache.session.media_urls.get("urls", PerArticle))
    todo, unchanged, results, removed, kept, search_report = render_and_write(
        run, site, pages, theme_key, indexer)
    written = sorted(path for path, changed_bytes, _ in results if changed_bytes)
    counts = (len(site.articles), sum(a.draft for a in corpus), len(pages))
    remember(cache, run.out, (inputs, tuple(run.warnings), counts))
    if cache.folder is not None:
        run.stages.lap("cache")
    return BuildReport(
        articles=counts[0], drafts=counts[1], pages=counts[2], rendered=len(todo),
        written=len(written), unchanged=unchanged + len(results) - len(written),
        removed=len(removed), warnings=(*run.warnings, *size_warnings(cache, run.out, config)),
        seconds=run.stages.seconds,
        written_paths=tuple(written), rendered_paths=tuple(sorted(p.path for p in todo)),
        out_dir=str(run.out), extra=_extra(search_report, run, kept))


def _extra(search_report: object | None, run: Run, kept: int) -> dict[str, object]:
    """The report's extras: the search report, how many unknown files were kept, and the
    links warned about at their source line (`check` counts those once, and leaves them out
    of its findings in the built pages)."""
    extra: dict[str, object] = {"broken_references": run.broken_references,
                                "reported_links": run.reported_links}
    if search_report is not None:
        extra["search"] = search_report
    if kept:
        extra["kept"] = kept
    return extra
