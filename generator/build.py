"""The build recipe: read -> parse -> index -> plan -> render -> write, one stage per step.

    sources  = read_sources(...)          content/**/*.md, unchanged files not even read
    articles = parse_articles(...)        front matter, Markdown, both scripts (cached)
    site     = build_site(...)            tags, categories, months, neighbours, related
    pages    = plan_site(...)             every URL x every script, each with an input key
    outputs  = render_pages(...)          only pages whose key changed; only changed bytes staged
    write    = swap_tree(...)             link the rest beside them, index search, swap the tree in

Before any of that, a build whose inputs (settings, theme, every content file's size and
mtime) are those of the last successful build, with every output file still as written,
stops at once: the no-change rebuild of a 10,000-article site reads no article.

Every content error of the build is collected and raised together as BuildFailed before
anything in out_dir is touched. The output folder is checked (output_guard) before anything
is written; a build removes only files its manifest records and keeps every other file.
"""
from __future__ import annotations

import dataclasses
import gc
import hashlib
import os
import time
import zlib
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from generator import __version__, articles as articles_mod, markdown, templates, workers
from generator.cache import Cache, ManifestEntry, StaleCache, key_of
from generator.config import Config
from generator.contexts import SiteText
from generator.errors import BuildFailed, SiteError
from generator.model import SCRIPTS, Article, BuildReport, Page, Site, Source
from generator.build_write import (prepare_output, search_index_present, swap_tree, update_manifest,
                                   write_in_place)
from generator.output import Staging
from generator.pages import HTML_KINDS, digest, plan_site
from generator.references import broken_references
from generator.render import Renderer
from generator.site import build_site
from generator.sources import Entry, read_source, rescan, scan, split_media

Progress = Callable[[str, int, int], None]
# brings out_dir's search index up to date: (out_dir, site with bodies, config) -> report
Indexer = Callable[[Path, Site, Config], object]
# Below this many items a second process costs more than it saves.
PARALLEL_PARSE = 400
PARALLEL_RENDER = 1500


@dataclass
class _Stages:
    """Wall time per stage."""

    seconds: dict[str, float]
    started: float

    def lap(self, name: str) -> None:
        """Close the current stage."""
        now = time.perf_counter()
        self.seconds[name] = round(now - self.started, 3)
        self.started = now


def build(config: Config, *, out_dir: Path | str | None = None, cache: Cache | None = None,
          changed: Collection[str | Path] | None = None, progress: Progress | None = None,
          strict: bool = False, workers_count: int | None = None,
          indexer: Indexer | None = None, clean: bool = False) -> BuildReport:
    """Build the site into out_dir; raise BuildFailed (out_dir untouched) on any content error.

    With `clean`, files of out_dir no build recorded are removed too (never in a folder
    that holds a repository or a site: see output_guard.check_output_dir).

    `indexer(folder, site, config)` brings the search index of `folder` up to date (default:
    generator.search.index_search, at once, into the new tree before it is swapped in; the
    preview hands it to a background thread, on its own folder).
    """
    # A build allocates millions of objects and frees few; the cyclic collector would scan
    # the whole corpus again and again (a third of a no-change rebuild's time).
    collecting = gc.isenabled()
    gc.disable()
    cache = cache if cache is not None else Cache.load(config.cache_dir)
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


@dataclass
class _Run:
    """What one build carries between its stages."""

    config: Config
    cache: Cache
    out: Path
    fingerprint: str
    procs: int
    progress: Progress | None
    stages: _Stages
    warnings: list[str]
    clean: bool = False
    # links and images that lead nowhere: the warnings, and the (page, href) pairs where
    # the built pages show them
    broken_references: tuple[str, ...] = ()
    reported_links: frozenset[tuple[str, str]] = frozenset()

    def converter(self):
        """The script converter, opened once per process and settings."""
        return self.cache.reuse("converter", self.fingerprint, lambda: make_converter(self.config))


def _build(config: Config, *, out_dir: Path | str | None, cache: Cache,
           changed: Collection[str | Path] | None, progress: Progress | None,
           strict: bool, workers_count: int | None, indexer: Indexer | None,
           clean: bool) -> BuildReport:
    """build() with the collector off: the stages, in order."""
    if isinstance(out_dir, str) and not out_dir.strip():
        raise SiteError("the output folder name is empty", "--out",
                        hint="give a folder, e.g. --out output")
    run = _Run(config, cache, Path(out_dir or config.output_dir).resolve(), config.fingerprint(),
               workers.default_workers() if workers_count is None else workers_count, progress,
               _Stages({}, time.perf_counter()), [], clean=clean)
    if not cache.in_place_output:
        prepare_output(run.out, config, cache, clean)
    cache.use_fingerprint(run.fingerprint)
    if cache.problem:
        run.warnings.append(cache.problem)
        cache.problem = None

    entries, errors = scan_content(config, cache, changed)
    entries, media = split_media(entries)
    theme_key = templates.theme_fingerprint(config.theme_dirs())
    statics = static_pages(config)
    inputs = inputs_key(config.render_key(), theme_key, entries + media, statics, run.out)
    if not errors and not changed and not clean:
        report = unchanged_report(cache, run.out, inputs, config, strict, run.stages)
        if report is not None:
            return report
    corpus, media_pages = read_and_parse(run, entries, media, errors, changed, strict)
    cache.write_bodies_early()
    site = build_site(corpus, related=lambda published: related_for(published, config, cache),
                      previous=cache.recall("site", run.fingerprint))
    cache.keep("site", run.fingerprint, site)
    run.stages.lap("index")
    base_key = digest([__version__, config.render_key(), theme_key])
    plan = plan_site(site, per_page=config.per_page, feed_items=config.feed_items,
                     base_key=base_key, cname=config.cname, previous=cache.recall("plan", str(run.out)))
    cache.keep("plan", str(run.out), plan)
    pages = plan.pages + statics + media_pages
    check_references(run, site, pages, strict)
    run.stages.lap("plan")
    todo, unchanged, results, removed, kept, search_report = render_and_write(
        run, site, pages, theme_key, indexer)
    written = sorted(path for path, changed_bytes, _ in results if changed_bytes)
    counts = (len(site.articles), sum(a.draft for a in corpus), len(pages))
    _remember(cache, run.out, (inputs, tuple(run.warnings), counts))
    if cache.folder is not None:
        run.stages.lap("cache")
    return BuildReport(
        articles=counts[0], drafts=counts[1], pages=counts[2], rendered=len(todo),
        written=len(written), unchanged=unchanged + len(results) - len(written),
        removed=len(removed), warnings=tuple(run.warnings), seconds=run.stages.seconds,
        written_paths=tuple(written), rendered_paths=tuple(sorted(p.path for p in todo)),
        out_dir=str(run.out), extra=_extra(search_report, run, kept))


def _extra(search_report: object | None, run: _Run, kept: int) -> dict[str, object]:
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


def scan_content(config: Config, cache: Cache, changed: Collection[str | Path] | None
                 ) -> tuple[list[Entry], list[SiteError]]:
    """Every content file; with `changed`, the last scan of this process with those re-stat-ed.

    `changed` promises that no other content file changed since the last build with this
    cache (serve's watcher); a scan that found errors is never reused.
    """
    folder = str(config.content_dir)
    last = cache.runtime.get("scan")
    entries = None
    if changed is not None and last is not None and last[0] == folder:
        entries = rescan(config.content_dir, config.root, last[1], _changed_set(changed, config.root))
    errors: list[SiteError] = []
    if entries is None:
        entries, errors = scan(config.content_dir, config.root)
    if errors:
        cache.runtime.pop("scan", None)
    else:
        cache.runtime["scan"] = (folder, entries)
    return entries, errors


def read_and_parse(run: _Run, entries: list[Entry], media: list[Entry], errors: list[SiteError],
                   changed: Collection[str | Path] | None, strict: bool
                   ) -> tuple[list[Article], list[Page]]:
    """The corpus and the media files, or BuildFailed listing every content error."""
    config, cache = run.config, run.cache
    sources, cached, read_errors = read_sources(entries, cache, _changed_set(changed, config.root))
    run.stages.lap("read")
    detect = run.cache.reuse("detector", run.fingerprint,
                             lambda: ScriptDetector(run.converter(), config.default_script))
    parsed, parse_errors = parse_articles(sources, config, lambda _: run.converter(), run.procs,
                                          run.progress, detect=detect)
    corpus = _merge(cached, parsed, cache)
    media_pages = plan_media(media, config)
    errors = (errors + read_errors + parse_errors + articles_mod.check_duplicate_slugs(corpus)
              + missing_media(corpus, {p.path for p in media_pages}))
    run.warnings += [w for a in corpus for w in a.warnings] + _config_warnings(config)
    run.stages.lap("parse")
    _fail_on(errors, run.warnings, strict)
    return corpus, media_pages


def render_and_write(run: _Run, site: Site, pages: list[Page], theme_key: str,
                     indexer: Indexer | None = None
                     ) -> tuple[list[Page], int, list[tuple[str, bool, str]], list[str], int, object | None]:
    """Render pages whose key changed, stage changed bytes, make the new tree, swap it in.

    Returns (rendered pages, unchanged count, results, removed paths, unknown files kept,
    search report).
    """
    config, cache, out = run.config, run.cache, run.out
    manifest = cache.manifest(out)
    todo, unchanged = pages_to_render(pages, manifest, out, trust=cache.folder is None)
    renderer = None
    kept = cache.pages if cache.keep_pages else {}
    if todo:  # a template change changes every key, so unchanged templates need no check
        env = cache.reuse("jinja", f"{theme_key}|{config.theme_dirs()}",
                          lambda: templates.make_env(config.theme_dirs()))
        _fail_on(templates.check_templates(env, sorted(set(HTML_KINDS.values())), config.root), [], False)
        site = with_bodies_for(site, [p for p in todo if p.key not in kept], cache, config.feed_items)
        # site-wide texts and ui.yml change only with settings and theme: once per serve session
        text = cache.reuse("site_text", f"{config.render_key()}|{theme_key}",
                           lambda: site_text(config, run.converter()))
        renderer = Renderer(site, text, env, config.root, pages, config.feed_items)
    staging = Staging(out, in_place=cache.in_place_output)
    try:
        # rendered pages are kept only by a cache that is saved: they serve the next process
        saving = cache.keep_pages and cache.folder is not None
        results, packed = render_pages(todo, renderer, staging, out, run.procs, run.progress,
                                       kept=kept, keep=saving)
        if saving:
            cache.keep_rendered((p.key for p in pages if p.kind != "static"), packed)
        run.stages.lap("render")
        written = [path for path, changed_bytes, _ in results if changed_bytes]
        if staging.in_place:
            removed, unknown, search_report = write_in_place(run, staging, site, pages, written,
                                                             manifest, indexer)
        else:
            removed, unknown, search_report = swap_tree(run, staging, site, {p.path for p in pages},
                                                        written, indexer)
    finally:
        staging.discard()
    if results or removed:
        update_manifest(manifest, pages, results, removed, out)
        cache.dirty = True
    return todo, unchanged, results, removed, unknown, search_report


def _remember(cache: Cache, out: Path, record: tuple[str, tuple[str, ...], tuple[int, int, int]]) -> None:
    """Note the inputs of this successful build and save the cache."""
    if cache.last_build.get(str(out)) != record:
        cache.last_build[str(out)] = record
        cache.dirty = True
    cache.save()


def inputs_key(fingerprint: str, theme_key: str, entries: list[Entry], statics: list[Page],
               out: Path) -> str:
    """Digest of every input of a build, from stat alone (no file is read)."""
    return digest([__version__, fingerprint, theme_key, str(out)]
                  + [f"{e.path}:{e.mtime_ns}:{e.size}" for e in entries] + [p.key for p in statics])


def unchanged_report(cache: Cache, out: Path, inputs: str, config: Config, strict: bool,
                     stages: _Stages) -> BuildReport | None:
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
    _fail_on([], list(warnings), strict)
    stages.lap("check")
    return BuildReport(articles=count, drafts=drafts, pages=pages, rendered=0, written=0,
                       unchanged=len(manifest), removed=0, warnings=warnings,
                       seconds=stages.seconds, out_dir=str(out))


# ---------------------------------------------------------------------------- read


def read_sources(entries: list[Entry], cache: Cache, changed: set[str] | None
                 ) -> tuple[list[Source], list[Article], list[SiteError]]:
    """Sources to parse, articles reused from the cache, and read errors."""
    sources, cached, errors = [], [], []
    stats: dict[str, tuple[int, int, str]] = {}
    for entry in entries:
        known = cache.stats.get(entry.path)
        if known and known[:2] == (entry.mtime_ns, entry.size) and (changed is None or entry.path not in changed):
            article = cache.articles.get(f"{known[2]}|{entry.path}")
            if article is not None:
                cached.append(article)
                stats[entry.path] = known
                continue
        try:
            source = read_source(entry)
        except SiteError as error:
            errors.append(error)
            continue
        stats[entry.path] = (entry.mtime_ns, entry.size, source.digest)
        article = cache.articles.get(f"{source.digest}|{entry.path}")
        if article is not None:
            cached.append(article)
        else:
            sources.append(source)
    if stats != cache.stats:
        cache.stats = stats
        cache.dirty = True
    return sources, cached, errors


def _changed_set(changed: Collection[str | Path] | None, root: Path) -> set[str] | None:
    """Changed paths as site-root-relative POSIX strings."""
    if changed is None:
        return None
    out = set()
    for item in changed:
        path = Path(item)
        if path.is_absolute():
            try:
                path = path.resolve().relative_to(root)
            except ValueError:
                continue
        out.add(path.as_posix())
    return out


# ---------------------------------------------------------------------------- parse


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
                   progress: Progress | None, *, detect: Callable[[str], str | None] | None = None
                   ) -> tuple[list[Article], list[SiteError]]:
    """Parse sources (in two processes when there are many); all errors collected."""
    if not sources:
        return [], []
    converter = converter_of(config)
    detect = detect or ScriptDetector(converter, config.default_script)
    render = markdown.make_renderer()
    # only this process reports progress: a forked worker must not touch the terminal
    parent = os.getpid()
    fingerprint = config.fingerprint()

    def job(chunk: Sequence[Source]) -> tuple[list[Article], list[SiteError]]:
        """Work through one chunk (in this process or a forked one)."""
        done, errs = [], []
        for n, source in enumerate(chunk):
            try:
                done.append(articles_mod.parse_article(
                    source, converter=converter, render=render,
                    detect=detect,
                    tz=config.timezone, base_path=config.base_path, fingerprint=fingerprint,
                    content_prefix=config.content_dir.relative_to(config.root).as_posix()))
            except BuildFailed as failed:
                errs += failed.errors
            except SiteError as error:
                errs.append(error)
            if progress and n % 200 == 0 and os.getpid() == parent:
                progress("parse", n * max(1, procs), len(sources))
        return done, errs

    parts = workers.fork_map(job, sources, procs if len(sources) >= PARALLEL_PARSE else 1)
    return [a for p in parts for a in p[0]], [e for p in parts for e in p[1]]


def _merge(cached: list[Article], parsed: list[Article], cache: Cache) -> list[Article]:
    """The corpus; newly parsed articles enter the cache, deleted files leave it."""
    for art in parsed:
        cache.add(art)
    corpus = cached + parsed
    # every article of the corpus is in the cache under its own key (one per path), so equal
    # counts mean nothing is left to drop: no need to key 10,000 articles per edit
    if len(cache.articles) != len(corpus):
        cache.retain({key_of(a) for a in corpus})
    return sorted(corpus, key=lambda a: a.path)


def check_references(run: _Run, site: Site, pages: list[Page], strict: bool) -> None:
    """Markdown links and images that lead to no file of this build: warnings at their line
    (once, not once per script); errors under --strict, before anything is written."""
    broken = broken_references(site.articles.values(), {p.path for p in pages}, run.config.base_path)
    run.warnings += [b.warning for b in broken]
    run.reported_links = frozenset(pair for b in broken for pair in b.in_pages)
    run.broken_references = tuple(b.warning for b in broken)
    _fail_on([], [b.warning for b in broken], strict)


def _fail_on(errors: list[SiteError], warnings: list[str], strict: bool) -> None:
    """Raise every collected error (and, with --strict, every warning)."""
    problems = list(errors)
    if strict:
        # a warning already reads `path:line: what (hint)`; --strict only changes its rank
        problems += [SiteError(w) for w in warnings]
    if problems:
        raise BuildFailed(problems)


def _config_warnings(config: Config) -> list[str]:
    """Warnings about the settings and the site's theme folder."""
    warnings = templates.misplaced_overrides(config.theme_dirs(), config.root)
    if not config.base_url.startswith(("http://", "https://")):
        warnings.append(f"site.yml: base_url {config.base_url!r} is not absolute; feeds, "
                        "sitemap and canonical links need https://host/ (set it, or pass --base-url)")
    return warnings


# ---------------------------------------------------------------------------- index


def related_for(published: list[Article], config: Config, cache: Cache) -> dict[str, tuple[str, ...]]:
    """Related slugs per article; the index is updated edit by edit, not rebuilt."""
    from generator.related import RelatedDoc, RelatedIndex

    digests = {a.slug: a.digest for a in published}
    key = digest([str(config.related)] + [f"{s}:{d}" for s, d in sorted(digests.items())])
    if cache.related and cache.related[0] == key:
        return cache.related[1]
    docs = {a.slug: a for a in published}
    state = cache.related_state()
    if state is None or state[0] != config.related:
        index = RelatedIndex.build([_related_doc(a, RelatedDoc, cache) for a in published],
                                   limit=config.related)
    else:
        _, index, before = state
        edited = [docs[s] for s, d in digests.items() if before.get(s) != d]
        moved = index.update([_related_doc(a, RelatedDoc, cache) for a in edited],
                             removed=[s for s in before if s not in docs])
        patched = _patched_lists(cache, index, moved)
        if patched is not None:
            cache.related = (key, patched)
            cache.runtime["related_lists"] = (key, index)
            cache.set_related_state((config.related, index, digests))
            return patched
    result = index.lists()
    cache.related = (key, result)
    # which index the lists in cache.related came from: in this process only (never saved)
    cache.runtime["related_lists"] = (key, index)
    cache.set_related_state((config.related, index, digests))
    return result


def _patched_lists(cache: Cache, index, moved: set[str]) -> dict[str, tuple[str, ...]] | None:
    """The last lists with those of `moved` replaced, or None when they must be listed afresh.

    Listing 10,000 articles again costs more than the rest of a one-article edit's index
    stage; the last lists serve when this very index produced them and no key came or went.
    """
    previous, made = cache.related, cache.runtime.get("related_lists")
    if previous is None or made is None or made[0] != previous[0] or made[1] is not index:
        return None
    if any(key not in previous[1] for key in moved):
        return None
    fresh = index.lists_of(moved)
    if len(fresh) != len(moved):
        return None
    return {**previous[1], **fresh}


def _related_doc(article: Article, make, cache: Cache):
    """The related-articles view of an article (tags folded, text features precomputed)."""
    if article.terms is None:  # parsed by an older generator: needs its text
        article = cache.hydrate([article])[article.slug]
    return make(key=article.slug, tags=frozenset(article.tag_keys), text=article.text,
                day=article.date.date().toordinal(), terms=article.terms)


# ---------------------------------------------------------------------------- plan / render


def make_converter(config: Config):
    """The script converter of a configuration (opening OpenCC costs ~0.1 s: once per build)."""
    from generator.scripts import Converter, load_glossary

    glossary = load_glossary(config.glossary) if config.glossary else None
    return Converter.from_config(config.opencc, glossary, convert_names=config.convert_names)


def site_text(config: Config, converter) -> SiteText:
    """Site title/description in both scripts, UI strings, URL bases."""
    return SiteText(
        base_url=config.base_url, base_path=config.base_path,
        titles={s: converter.text(s, config.title) for s in SCRIPTS},
        descriptions={s: converter.text(s, config.description) for s in SCRIPTS},
        publisher={s: converter.text(s, config.publisher) for s in SCRIPTS},
        default_script=config.default_script,
        ui=templates.load_ui(config.theme_dirs(), config.root),
        search_enabled=config.search, per_page=config.per_page, logo=config.logo)


def static_pages(config: Config) -> list[Page]:
    """Theme static files under /static/, the site theme's copy winning."""
    found: dict[str, Path] = {}
    for theme in reversed(config.theme_dirs()):
        folder = theme / "static"
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    found[path.relative_to(folder).as_posix()] = path
    return [Page(f"static/{rel}", "static", None, "", (str(path),),
                 hashlib.sha256(path.read_bytes()).hexdigest()[:24])
            for rel, path in sorted(found.items())]


def plan_media(media: list[Entry], config: Config) -> list[Page]:
    """Files stored next to articles, published under /media/ (key: size and mtime)."""
    prefix = config.content_dir.relative_to(config.root).as_posix() + "/"
    return [Page(f"{articles_mod.MEDIA_DIR}/{e.path.removeprefix(prefix)}", "static", None, "",
                 (e.absolute,), f"{e.size}:{e.mtime_ns}") for e in media]


def missing_media(corpus: list[Article], published: set[str]) -> list[SiteError]:
    """One error per figure whose local image file does not exist."""
    errors = []
    for art in corpus:
        if not art.figures:
            continue
        for number, fig in enumerate(art.figures, 1):
            local = fig.src.removeprefix("/") if fig.src and fig.src.startswith("/media/") else None
            if local and local not in published:
                errors.append(SiteError(f"figures: figure {number}: image {fig.src.rsplit('/', 1)[-1]!r} "
                                        "not found next to the article", art.path,
                                        hint="put the file in the article's folder or fix src"))
    return errors


def pages_to_render(pages: list[Page], manifest: dict[str, ManifestEntry], out: Path, *,
                    trust: bool = False) -> tuple[list[Page], int]:
    """Pages whose key changed or whose file is not the one last written; and the rest's count.

    With `trust` (an in-memory cache: this process wrote every file it remembers, into a
    folder of its own) an unchanged key is enough; otherwise the file's size and mtime must
    still be the ones written.
    """
    todo, unchanged = [], 0
    prefix = f"{out}{os.sep}"
    for page in pages:
        entry = manifest.get(page.path)
        if entry is not None and entry[0] == page.key and trust:
            unchanged += 1
            continue
        if entry is not None and entry[0] == page.key:
            try:
                st = os.stat(prefix + page.path)
            except OSError:
                st = None
            if st is not None and (st.st_size, st.st_mtime_ns) == entry[1:]:
                unchanged += 1
                continue
        todo.append(page)
    return todo, unchanged


def with_bodies_for(site: Site, todo: list[Page], cache: Cache, feed_items: int) -> Site:
    """The site with the bodies of every article a page in `todo` shows (article, full feed)."""
    slugs = {p.params[0] for p in todo if p.kind == "article"}
    if any(p.kind == "feed" and p.params == (None,) for p in todo):
        slugs.update(site.order[:feed_items])
    filled = cache.hydrate(site.articles[s] for s in sorted(slugs))
    return dataclasses.replace(site, articles={**site.articles, **filled})


def render_pages(todo: list[Page], renderer: Renderer | None, staging: Staging, out: Path,
                 procs: int, progress: Progress | None, *, kept: Mapping[str, bytes] | None = None,
                 keep: bool = False) -> tuple[list[tuple[str, bool, str]], dict[str, bytes]]:
    """Render pages, stage those whose bytes differ from out_dir: [(path, changed, key)].

    A page whose key is in `kept` (compressed bytes of an earlier process) is unpacked
    instead of rendered; with `keep`, newly rendered pages come back compressed too.
    """
    prefix = f"{out}{os.sep}"
    parent = os.getpid()  # only this process reports progress
    kept = kept or {}

    def job(chunk: Sequence[Page]) -> tuple[list[tuple[str, bool, str]], dict[str, bytes]]:
        """Work through one chunk (in this process or a forked one)."""
        done, packed = [], {}
        for n, page in enumerate(chunk):
            found = kept.get(page.key) if page.kind != "static" else None
            if found is not None:
                data = zlib.decompress(found)
            else:
                data = renderer.render(page)
                if keep and page.kind != "static":
                    packed[page.key] = zlib.compress(data, 1)
            same = _same_bytes(prefix + page.path, data)
            if not same:
                staging.write(page.path, data)
            done.append((page.path, not same, page.key))
            if progress and n % 500 == 0 and os.getpid() == parent:
                progress("render", n * max(1, procs), len(todo))
        return done, packed

    parts = workers.fork_map(job, todo, procs if len(todo) >= PARALLEL_RENDER else 1)
    return [r for part in parts for r in part[0]], {k: v for part in parts for k, v in part[1].items()}


def _same_bytes(path: str, data: bytes) -> bool:
    """True when the file already holds exactly these bytes."""
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as f:
            return f.read() == data
    except OSError:
        return False
