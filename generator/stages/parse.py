"""Parse stage: sources -> articles in both scripts, in parallel over the workers, cached; the content checks that fail a build."""
from __future__ import annotations

import os
from collections import Counter
from operator import attrgetter
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from types import MappingProxyType

from generator.core import articles as articles_mod
from generator.core import markdown
from generator.core.errors import BuildFailed, SiteError
from generator.core.memo import PerArticle
from generator.core.model import Article, Page, Site, Source
from generator.core.references import broken_references
from generator.core.settings import Config
from generator.io import templates, workers
from generator.io.cache import PARALLEL_WRITE, Bodies, DiskCache, key_of, packed
from generator.io.sources import Entry
from generator.stages.read import changed_set, missing_media, plan_media, read_sources
from generator.stages.run import PARALLEL_PARSE, Progress, Run, fail_on


def read_and_parse(run: Run, entries: list[Entry], media: list[Entry], errors: list[SiteError],
                   changed: Collection[str | Path] | None, strict: bool
                   ) -> tuple[list[Article], list[Page]]:
    """The corpus and the media files, or BuildFailed listing every content error."""
    config, cache = run.config, run.cache
    sources, cached, read_errors = read_sources(entries, cache, changed_set(changed, config.root))
    run.stages.lap("read")
    detect = run.cache.session.detector.get(run.fingerprint,
                             lambda: ScriptDetector(run.converter(), config.default_script))
    bodies: dict[str, Bodies] = {}
    parsed, parse_errors = parse_articles(sources, config, lambda _: run.converter(), run.procs,
                                          run.progress, detect=detect, bodies=bodies)
    corpus = _merge(cached, parsed, cache, bodies)
    if bodies:  # a parse of many: the sources' text, read whole, is free now
        del sources, parsed
        workers.release_freed_memory()
    media_pages = plan_media(media, config)
    errors = errors + read_errors + parse_errors + articles_mod.check_duplicate_slugs(corpus)
    run.warnings += [w for a in corpus for w in a.warnings] + config_warnings(config)
    run.warnings += missing_media(corpus, {p.path for p in media_pages}, config.root,
                                  cache.session.missing_media.get("figures", PerArticle),
                                  cache.session.parsed)
    run.stages.lap("parse")
    fail_on(errors, run.warnings, strict)
    return corpus, media_pages


class ScriptDetector:
    """converter.detect_script(text, default), each character's verdict asked of OpenCC once.

    detect_script converts the distinct characters of a text one per line, so a character's
    verdict (Traditional only, Simplified only, or neither) does not depend on its
    neighbours: a corpus costs a few thousand OpenCC calls instead of two per article.
    """

    def __init__(self, converter, default: str | None) -> None:
        self.converter, self.default = converter, default
        # {character: +1 Traditional only, -1 Simplified only, 0 neither}
        self.verdicts: dict[str, int] = {}

    def __call__(self, text: str) -> str | None:
        """Which script `text` is written in; the default without evidence or on a tie."""
        verdicts, score = self.verdicts, 0
        for char, count in Counter(c for c in text if ord(c) >= 0x2E80).items():
            verdict = verdicts.get(char)
            if verdict is None:
                verdict = verdicts[char] = _VERDICT.get(self.converter.detect_script(char), 0)
            score += verdict * count
        return self.default if score == 0 else "hant" if score > 0 else "hans"


_VERDICT = MappingProxyType({"hant": 1, "hans": -1})


def parse_articles(sources: list[Source], config: Config, converter_of, procs: int,
                   progress: Progress | None, *, detect: Callable[[str], str | None] | None = None,
                   bodies: dict[str, Bodies] | None = None) -> tuple[list[Article], list[SiteError]]:
    """Parse sources (in two processes when there are many); all errors collected.

    Given `bodies`, a parse of many articles returns stubs and puts each one's packed
    bodies there by cache key: the render workers unpack them page by page, so the build
    never holds every body of the site as text (io.cache.packed).
    """
    if not sources:
        return [], []
    converter = converter_of(config)
    detect = detect or ScriptDetector(converter, config.default_script)
    render = markdown.make_renderer()
    # only this process reports progress: a forked worker must not touch the terminal
    parent = os.getpid()
    fingerprint = config.fingerprint()
    pack = bodies is not None and len(sources) >= PARALLEL_WRITE

    def job(chunk: Sequence[Source]) -> tuple[list[tuple[Article, Bodies | None]], list[SiteError]]:
        """Work through one chunk (in this process or a forked one)."""
        done, errs = [], []
        for n, source in enumerate(chunk):
            try:
                done.append(_kept(pack, articles_mod.parse_article(
                    source, converter=converter, render=render,
                    detect=detect,
                    tz=config.timezone, base_path=config.base_path, fingerprint=fingerprint,
                    content_prefix=config.content_dir.relative_to(config.root).as_posix())))
            except BuildFailed as failed:
                errs += failed.errors
            except SiteError as error:
                errs.append(error)
            if progress and n % 200 == 0 and os.getpid() == parent:
                progress("parse", n * max(1, procs), len(sources))
        return done, errs

    parts = workers.fork_map(job, sources, procs if len(sources) >= PARALLEL_PARSE else 1)
    if pack:
        bodies.update((key_of(a), packed_bodies) for p in parts for a, packed_bodies in p[0])
    return [a for p in parts for a, _ in p[0]], [e for p in parts for e in p[1]]


def _kept(pack: bool, article: Article) -> tuple[Article, Bodies | None]:
    """What a parse worker sends back: the article whole, or as a stub and its packed bodies."""
    return packed(article) if pack else (article, None)


def _merge(cached: list[Article], parsed: list[Article], cache: DiskCache,
           bodies: dict[str, Bodies]) -> list[Article]:
    """The corpus; newly parsed articles enter the cache, deleted files leave it."""
    for art in parsed:
        cache.add(art, bodies.get(key_of(art)))
    cache.session.parsed.extend(art.path for art in parsed)
    if cache.session.unindexed is not None:
        cache.session.unindexed.update(art.path for art in parsed)
    corpus = cached + parsed
    # every article of the corpus is in the cache under its own key (one per path), so equal
    # counts mean nothing is left to drop: no need to key 10,000 articles per edit
    if len(cache.articles) != len(corpus):
        cache.retain({key_of(a) for a in corpus})
    return sorted(corpus, key=attrgetter("path"))


def check_references(run: Run, site: Site, paths: tuple[frozenset[str], ...], strict: bool) -> None:
    """Markdown links and images that lead to no file of this build (`paths`, in parts):
    warnings at their line (once, not once per script); errors under --strict, before
    anything is written."""
    memo = run.cache.session.references.get("references", PerArticle)
    broken = broken_references(site, paths, run.config.base_path, memo)
    run.warnings += [b.warning for b in broken]
    run.reported_links = frozenset(pair for b in broken for pair in b.in_pages)
    run.broken_references = tuple(b.warning for b in broken)
    fail_on([], [b.warning for b in broken], strict)


def config_warnings(config: Config) -> list[str]:
    """Warnings about the settings and the site's theme folder."""
    warnings = templates.misplaced_overrides(config.theme_dirs(), config.root)
    if not config.base_url.startswith(("http://", "https://")):
        warnings.append(f"site.yml: base_url {config.base_url!r} is not absolute; feeds, "
                        "sitemap and canonical links need https://host/ (set it, or pass --base-url)")
    return warnings
