"""Images stage: each image beside an article measured and resized (generator.io.images),
its copies planned as media pages, and the article pages that show it keyed by them."""
from __future__ import annotations

import dataclasses
from pathlib import Path
from urllib.parse import unquote

from generator.core.images import ImageSet, images_key, media_urls, missing_image
from generator.core.memo import PerArticle
from generator.core.model import Page, PageKind, Site
from generator.core.plan import digest
from generator.io import workers
from generator.io.images import (Made, MadeIndex, ShaIndex, cache_stem, is_raster, listing, made_for,
                                 prune, settings_key)
from generator.io.sources import Entry
from generator.stages.run import Run

# below this many images to make, one process does it (forking costs more)
PARALLEL_IMAGES = 8


def publish_images(run: Run, media: list[Entry]) -> tuple[dict[str, ImageSet], list[Page]]:
    """{'/media/…' URL: ImageSet} of every raster image beside an article, and the pages of
    its copies (static files from the image cache)."""
    config = run.config
    folder = config.cache_dir / "images"
    prefix = config.content_dir.relative_to(config.root).as_posix() + "/"
    images = [e for e in media if is_raster(e.path)]
    if not images:
        prune(folder, set())  # the last picture went: so do its copies
        return {}, []
    index = ShaIndex(folder)
    todo = [(e, index.sha(e.path, e.absolute, e.size, e.mtime_ns)) for e in images]
    index.save({e.path for e in images})
    made = _made(run, todo, folder)
    where = str(folder)  # joined as text: a Path per copy was half of an edit build's stage
    sets, pages = {}, []
    for entry, _ in todo:
        rel = entry.path.removeprefix(prefix)
        result = made[entry.path]
        if result.problem:
            run.warnings.append(f"{entry.path}: image published as it is: {result.problem}")
        if result.width and result.height:
            image, copies = _image_set(f"/media/{rel}", result, where)
            sets[image.original] = image
            pages += copies
    run.stages.lap("images")
    return sets, pages


def _made(run: Run, todo: list[tuple[Entry, str]], folder: Path) -> dict[str, Made]:
    """{content path: Made}: known originals from made.json (their copies checked against one
    listing of the folder), the others read from their records or made, over the workers."""
    present, known = listing(folder), MadeIndex(folder)
    stems = {e.path: cache_stem(e.path, sha) for e, sha in todo}
    found = {e.path: known.made(stems[e.path], sha, present) for e, sha in todo}
    rest = [(e, sha) for e, sha in todo if found[e.path] is None]

    def job(chunk):  # noqa: ANN001, ANN202 - [(Entry, sha)] -> [(path, Made)]
        return [(e.path, made_for(Path(e.absolute), sha, folder)) for e, sha in chunk]

    if rest:
        procs = run.procs if len(rest) >= PARALLEL_IMAGES else 1
        found.update(pair for part in workers.fork_map(job, rest, procs) for pair in part)
    known.save({stems[path]: m for path, m in found.items()})
    # copies of pictures no article folder holds any more go (a re-imported article's old
    # pictures, a replaced photo, copies under old settings)
    prune(folder, set(stems.values()), present)  # files made just now are live: never pruned
    return found


def _image_set(url: str, made: Made, folder: str) -> tuple[ImageSet, list[Page]]:
    """The ImageSet of one file and the pages of its copies ('/media/2025/x-480w.webp')."""
    stem, _, ext = url.rpartition(".")
    webp, fallback, pages = [], [], []
    for kind, width, name in made.copies:
        copy = f"{stem}-{width}w.{kind}"
        pages.append(Page(copy[1:], PageKind.STATIC, None, "", (f"{folder}/{name}",), name))
        own = kind == "webp" and ext.lower() != "webp"
        (webp if own else fallback).append((width, copy))
    key = f"{made.sha[:16]}-{settings_key(url)}"
    return ImageSet(url, made.width, made.height, tuple(webp), tuple(fallback), key), pages


def with_image_keys(site: Site, pages: list[Page], images: dict[str, ImageSet], published: set[str],
                    memo: PerArticle[tuple[str, ...]] | None = None) -> tuple[Site, list[Page]]:
    """The site carrying the ImageSets (a stand-in for each local image no file answers: its
    pages show no broken <img>), and article pages keyed by the images they show.
    `published`: the paths of the build's files under media/."""
    images = {**images, **missing_images(site, published, memo)}
    if not images:
        return site, pages
    site = dataclasses.replace(site, images=images)
    out = []
    for page in pages:
        if page.kind == "article":
            extra = images_key(site.articles[page.params[0]], images)
            if extra:
                page = dataclasses.replace(page, key=digest([page.key, extra]))
        out.append(page)
    return site, out


def missing_images(site: Site, published: set[str], memo: PerArticle[tuple[str, ...]] | None = None
                   ) -> dict[str, ImageSet]:
    """{'/media/…': stand-in} of the local images articles show that no file of the build is
    (each was a warning at its line: stages.read.missing_media, core.references).
    The common case is decided by one set lookup, and nothing is built for an article whose
    images are all there; with `memo` (a preview's) only edited articles are read for their
    images (at 50,000 articles reading all of them was a sixth of a one-edit rebuild)."""
    memo = PerArticle() if memo is None else memo

    def lost(url: str) -> bool:
        bare = url.split("#", 1)[0].split("?", 1)[0][1:]
        return bare not in published and unquote(bare) not in published

    shown = memo.each_in_site(site, lambda art: tuple(media_urls(art)))
    return {url: missing_image(url) for urls in shown for url in urls
            if url[1:] not in published and lost(url)}
