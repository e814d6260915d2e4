"""Render and write stages: site text, static and media pages, the pages whose key changed rendered over the workers and written to the staged tree."""
from __future__ import annotations

import dataclasses
import hashlib
import os
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from generator import __version__
from generator.core.company_plan import plan_companies, sitemap_extra
from generator.core.contexts import SiteText
from generator.core.model import SCRIPTS, Page, PageKind, Site
from generator.core.plan import BuildPaths, digest, plan_site
from generator.core.render import Renderer
from generator.core.settings import Config
from generator.io import templates, workers
from generator.io.cache import BodyReader, DiskCache, ManifestEntry, StaleCache, is_stub, shard_key
from generator.io.output import Staging
from generator.io.staging import swap_tree, update_manifest, write_in_place
from generator.publish.search import Indexer
from generator.publish.search_step import index_step
from generator.stages.parse import check_references
from generator.stages.run import PARALLEL_RENDER, Progress, Run, fail_on


def render_and_write(run: Run, site: Site, pages: list[Page], theme_key: str,
                     indexer: Indexer | None = None
                     ) -> tuple[list[Page], int, list[tuple[str, bool, str]], list[str], int, object | None]:
    """Render pages whose key changed, stage changed bytes, make the new tree, swap it in.

    Returns (rendered pages, unchanged count, results, removed paths, unknown files kept,
    search report).
    """
    config, cache, out = run.config, run.cache, run.out
    manifest = cache.manifest(out)
    todo, unchanged = pages_to_render(pages, manifest, out, trust=cache.folder is None)
    renderer, reader = None, None
    kept = cache.pages if cache.keep_pages else {}
    if todo:  # a template change changes every key, so unchanged templates need no check
        env = cache.session.jinja.get(f"{theme_key}|{config.theme_dirs()}",
                          lambda: templates.make_env(config.theme_dirs()))
        fail_on(templates.check_templates(env, sorted({k.template for k in PageKind if k.template}), config.root), [], False)
        todo, reader = in_shard_order(todo, site, cache)
        site = with_bodies_for(site, [p for p in todo if p.key not in kept], cache, config.feed_items,
                               articles=reader is None)
        # site-wide texts and ui.yml change only with settings and theme: once per serve session
        text = cache.session.site_text.get(f"{config.render_key()}|{theme_key}",
                           lambda: site_text(config, run.converter()))
        renderer = Renderer(site, text, templates.renderer(env, config.root), templates.read_file, pages,
                            config.feed_items)
    staging = Staging(out, in_place=cache.in_place_output)
    staging.start_twin(len(pages))  # a big fresh build's twin, linked by the workers as they write
    try:
        # rendered pages are kept only by a cache that is saved: they serve the next process
        saving = cache.keep_pages and cache.folder is not None
        results, packed = render_pages(todo, renderer, staging, out, run.procs, run.progress,
                                       kept=kept, keep=saving, reader=reader)
        if saving:
            cache.keep_rendered((p.key for p in pages if p.kind != "static"), packed)
        run.stages.lap("render")
        written = [path for path, changed_bytes, _ in results if changed_bytes]
        if staging.in_place:
            index = index_step(out, site, config, cache, indexer)
            removed, unknown, search_report = write_in_place(run, staging, written, manifest, index)
        else:
            index = index_step(out, site, config, cache, indexer)
            removed, unknown, search_report = swap_tree(run, staging, set(run.paths), written, index)
    finally:
        staging.discard()
    _record(run, manifest, results, removed, in_place=staging.in_place)
    return todo, unchanged, results, removed, unknown, search_report


def _record(run: Run, manifest: dict[str, ManifestEntry], results: list[tuple[str, bool, str]],
            removed: list[str], *, in_place: bool) -> None:
    """The output's manifest after a written build; a preview also notes the build's paths."""
    cache, out = run.cache, run.out
    if results or removed:
        update_manifest(manifest, run.paths, results, removed, out,
                        same_paths=run.paths.same_as(cache.session.written_paths.recall(str(out))))
        cache.dirty = True
    if in_place:
        cache.session.written_paths.keep(str(out), run.paths)


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
    return [Page(f"static/{rel}", PageKind.STATIC, None, "", (str(path),),
                 hashlib.sha256(path.read_bytes()).hexdigest()[:24])
            for rel, path in sorted(found.items())]






def with_company_pages(site: Site, plan, config: Config, base_key: str) -> list[Page]:
    """The plan's pages plus the company pages (planned afresh: a few per company), the
    sitemap re-keyed to list them."""
    if site.companies is None:
        return plan.pages
    extra = plan_companies(site, site.companies, plan.cards, per_page=config.per_page,
                           feed_items=config.feed_items, base_key=base_key)
    pages = [dataclasses.replace(p, key=digest([p.key] + [e.path for e in extra]
                                               + sitemap_extra(site)))
             if p.kind == "sitemap" else p for p in plan.pages]
    return pages + extra


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


def with_bodies_for(site: Site, todo: list[Page], cache: DiskCache, feed_items: int, *,
                    articles: bool = True) -> Site:
    """The site with the bodies of every article a page in `todo` shows (article, full feed);
    without `articles`, only the full feed's (the render workers fill in the article pages')."""
    slugs = {p.params[0] for p in todo if p.kind == "article"} if articles else set()
    if any(p.kind == "feed" and p.params == (None,) for p in todo):
        slugs.update(site.order[:feed_items])
    filled = cache.hydrate(site.articles[s] for s in sorted(slugs))
    return dataclasses.replace(site, articles={**site.articles, **filled})


def in_shard_order(todo: list[Page], site: Site, cache: DiskCache
                   ) -> tuple[list[Page], BodyReader | None]:
    """Many pages of articles without their bodies: those pages sorted by the body shard
    that holds them, with the reader that fills them in as each is rendered (a worker then
    holds one shard of bodies at a time, not every body of the site). Otherwise the pages
    as they are and no reader: their bodies are filled in before rendering.

    The sitemap goes first: made before the list pages fill the contexts' cache of list
    entries, the memory it briefly needs (twice its 66 MB at 50,000 articles) is free
    again for that cache instead of adding to it.
    """
    if len(todo) < PARALLEL_RENDER:
        return todo, None
    articles = site.articles
    stubs, rest = [], []
    for page in todo:
        (stubs if page.kind == "article" and is_stub(articles[page.params[0]]) else rest).append(page)
    if len(stubs) < PARALLEL_RENDER:
        return todo, None
    stubs.sort(key=lambda p: shard_key(articles[p.params[0]]))
    first = [p for p in rest if p.kind == PageKind.SITEMAP]
    return first + stubs + [p for p in rest if p.kind != PageKind.SITEMAP], BodyReader(cache)


def render_pages(todo: list[Page], renderer: Renderer | None, staging: Staging, out: Path,
                 procs: int, progress: Progress | None, *, kept: Mapping[str, bytes] | None = None,
                 keep: bool = False, reader: BodyReader | None = None
                 ) -> tuple[list[tuple[str, bool, str]], dict[str, bytes]]:
    """Render pages, stage those whose bytes differ from out_dir: [(path, changed, key)].

    A page whose key is in `kept` (compressed bytes of an earlier process) is unpacked
    instead of rendered; with `keep`, newly rendered pages come back compressed too. With a
    `reader`, an article page whose article lacks its body has it read in for that page only.
    """
    prefix = f"{out}{os.sep}"
    parent = os.getpid()  # only this process reports progress
    kept = kept or {}

    def job(chunk: Sequence[Page]) -> tuple[list[tuple[str, bool, str]], dict[str, bytes], str]:
        """Work through one chunk (in this process or a forked one)."""
        done, packed = [], {}
        try:
            for n, page in enumerate(chunk):
                found = kept.get(page.key) if page.kind != "static" else None
                if found is not None:
                    data = zlib.decompress(found)
                else:
                    data = _rendered(renderer, page, reader)
                    if keep and page.kind != "static":
                        packed[page.key] = zlib.compress(data, 1)
                same = _same_bytes(prefix + page.path, data)
                if not same:
                    staging.write(page.path, data)
                done.append((page.path, not same, page.key))
                if progress and n % 500 == 0 and os.getpid() == parent:
                    progress("render", n * max(1, procs), len(todo))
        except StaleCache as stale:  # a worker's is raised again in this process
            return done, packed, str(stale)
        return done, packed, ""

    parts = workers.fork_map(job, todo, procs if len(todo) >= PARALLEL_RENDER else 1)
    stale = [part[2] for part in parts if part[2]]
    if stale:
        raise StaleCache(stale[0])
    return [r for part in parts for r in part[0]], {k: v for part in parts for k, v in part[1].items()}


def _rendered(renderer: Renderer, page: Page, reader: BodyReader | None) -> bytes:
    """One page's bytes; an article page's body read in for it alone when it lacks one."""
    if reader is None or page.kind != "article":
        return renderer.render(page)
    articles = renderer.site.articles
    slug = page.params[0]
    stub = articles[slug]
    articles[slug] = reader.filled(stub)
    try:
        return renderer.render(page)
    finally:
        articles[slug] = stub


def _same_bytes(path: str, data: bytes) -> bool:
    """True when the file already holds exactly these bytes."""
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as f:
            return f.read() == data
    except OSError:
        return False


def plan_pages(run: Run, site: Site, theme_key: str, copied: list[Page], strict: bool) -> list[Page]:
    """Every output file of the site with its key (the previous plan reused where it holds),
    the theme's and media files `copied` after them; broken references checked."""
    config, cache = run.config, run.cache
    base_key = digest([__version__, config.render_key(), theme_key])
    plan = plan_site(site, per_page=config.per_page, feed_items=config.feed_items,
                     base_key=base_key, cname=config.cname, previous=cache.session.plan.recall(str(run.out)))
    cache.session.plan.keep(str(run.out), plan)
    pages = with_company_pages(site, plan, config, base_key) + copied
    run.paths = BuildPaths(plan.paths, frozenset(p.path for p in pages[len(plan.pages):]))
    check_references(run, site, run.paths.parts(), strict)
    run.stages.lap("plan")
    return pages
