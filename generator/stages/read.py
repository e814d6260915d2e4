"""Read stage: scan content/, read the files that changed (unchanged files are not even read)."""
from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from generator.core.errors import SiteError
from generator.core.fields import MEDIA_DIR, Errors
from generator.core.memo import PerArticle
from generator.core.model import Article, Page, PageKind, Source
from generator.core.settings import Config
from generator.io.cache import DiskCache
from generator.io.sources import Entry, read_source, rescan, scan


def scan_content(config: Config, cache: DiskCache, changed: Collection[str | Path] | None
                 ) -> tuple[list[Entry], list[SiteError]]:
    """Every content file; with `changed`, the last scan of this process with those re-stat-ed.

    `changed` promises that no other content file changed since the last build with this
    cache (serve's watcher); a scan that found errors is never reused.
    """
    folder = str(config.content_dir)
    last = cache.session.scan.recall(folder)
    entries = None
    if changed is not None and last is not None:
        entries = rescan(config.content_dir, config.root, last, changed_set(changed, config.root))
    errors: list[SiteError] = []
    if entries is None:
        entries, errors = scan(config.content_dir, config.root)
    if errors:
        cache.session.scan.forget()
    else:
        cache.session.scan.keep(folder, entries)
    return entries, errors


def read_sources(entries: list[Entry], cache: DiskCache, changed: set[str] | None
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


def changed_set(changed: Collection[str | Path] | None, root: Path) -> set[str] | None:
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


def plan_media(media: list[Entry], config: Config) -> list[Page]:
    """Files stored next to articles, published under /media/ (key: size and mtime)."""
    prefix = config.content_dir.relative_to(config.root).as_posix() + "/"
    return [Page(f"{MEDIA_DIR}/{e.path.removeprefix(prefix)}", PageKind.STATIC, None, "",
                 (e.absolute,), f"{e.size}:{e.mtime_ns}") for e in media]


def missing_media(corpus: list[Article], published: set[str], root: Path | None = None,
                  memo: PerArticle[list[str]] | None = None, parsed: list[str] | None = None
                  ) -> list[str]:
    """One warning per figure whose local image file does not exist, at the line naming it
    (an error under --strict; the page shows the figure's caption without an <img>).
    With `memo` and `parsed` (a preview's: the paths of every article parsed in the
    process), only articles parsed since the last call are looked at."""
    memo = PerArticle() if memo is None else memo

    def find(art: Article) -> list[str]:
        return _missing_in(art, published, root)

    found = (memo.each(corpus, find, context=frozenset(published)) if parsed is None
             else memo.each_since(corpus, find, frozenset(published), parsed))
    return [warning for warnings in found for warning in warnings]


def _missing_in(art: Article, published: set[str], root: Path | None) -> list[str]:
    """missing_media's warnings for one article."""
    errors = []
    for number, fig in enumerate(art.figures, 1):
        local = fig.src.removeprefix("/") if fig.src and fig.src.startswith("/media/") else None
        if local and local not in published:
            name = fig.src.rsplit("/", 1)[-1]
            errors.append(str(SiteError(f"figures: figure {number}: image {name!r} "
                                        "not found next to the article", art.path,
                                        _line_naming(root, art.path, name),
                                        hint="put the file in the article's folder or fix "
                                             "src; the page shows its caption alone")))
    return errors


def _line_naming(root: Path | None, path: str, name: str) -> int | None:
    """The line of the article's `figures:` that names `name` (read only on this error)."""
    if root is None:
        return None
    try:
        text = (root / path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return Errors(path, text).value_line("figures", name)
