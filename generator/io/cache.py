"""Parse cache and output manifest, in memory (serve) or in .newsarchive-cache/ (build).

Parsed articles are keyed by the source bytes' digest and path; the whole cache is
dropped when the settings/glossary fingerprint or the generator version changes. The
manifest remembers, per output folder, each file's page key, size and mtime, so a rebuild
skips pages whose key is unchanged and whose file is still the one written.

On disk the article bodies (HTML in both scripts, folded text, packed by bodies_of) live
apart, in shards read only when a page showing a body must be rendered: a no-change rebuild
of 10,000 articles reads none of them, a one-article edit a few. After a parse of many
articles the cache holds stubs and the packed bodies of each shard in memory (shards).
"""
from __future__ import annotations

import dataclasses
import os
import pickle
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import __version__
from generator.core.model import Article
from generator.io.session import Session

FILE_NAME = "build.pickle"
# Bodies are spread over shards by content hash, so one edit reads and rewrites ~1/32 of them.
BODY_SHARDS = 32
RELATED_NAME = "related.pickle"
ARTICLES_NAME = "articles-{:02d}.pickle"
PAGES_NAME = "pages.pickle"
FORMAT = 9
# Marks an article loaded without its bodies (NUL never occurs in content: sources refuse it).
STUB = "\0"
# From this many articles on, the shards are written by a child while the build goes on.
PARALLEL_WRITE = 2000
# (page key, size, mtime_ns) of one output file
ManifestEntry = tuple[str, int, int]
# body HTML in both scripts and the folded text, packed by bodies_of
Bodies = bytes
_UNREADABLE = (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError,
               IndexError, TypeError, ValueError)


class StaleCache(LookupError):
    """The cache lacks a part it promised (a body file deleted or corrupt): start afresh."""


@dataclass
class DiskCache:
    """Mutable by design: build() updates it; serve keeps one across builds."""

    # folder the cache is saved to, or None for an in-memory cache
    folder: Path | None = None
    # folder the parts not read yet (articles, bodies, related index) come from; stays set
    # when a loaded cache is switched to memory (folder = None), as serve does
    read_from: Path | None = None
    fingerprint: str = ""
    # {source path: (mtime_ns, size, sha256)}: unchanged stat => unchanged bytes
    stats: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    # {"sha256|path": Article} (stubs without bodies when loaded from disk); None until
    # first used when loaded from disk (see the `articles` property)
    stored_articles: dict[str, Article] | None = field(default_factory=dict)
    # {source path: its key in `articles`}, made on the first add() of a process: an edited
    # file's new version replaces the old at once, so no pass over the corpus looks for it
    path_keys: dict[str, str] | None = field(default=None, repr=False)
    # {resolved out_dir: {file path: ManifestEntry}}
    manifests: dict[str, dict[str, ManifestEntry]] = field(default_factory=dict)
    # (corpus key, {slug: related slugs})
    related: tuple[str, dict[str, tuple[str, ...]]] | None = None
    # (limit, generator.core.related.RelatedIndex, {slug: article digest it was built from});
    # on disk in its own file, read only when the corpus changed (see related_state)
    related_index: tuple[int, object, dict[str, str]] | None = None
    related_loaded: bool = True
    # corpus key the search index was last built from
    search_key: str = ""
    # bytes of the search index it made (the output's size counts them: core.site_size)
    search_bytes: int = 0
    # {resolved out_dir: (inputs key, warnings, (articles, drafts, pages))} of the last
    # successful build: same inputs and intact files => nothing to do at all
    last_build: dict[str, tuple[str, tuple[str, ...], tuple[int, int, int]]] = field(default_factory=dict)
    # what later builds in this process reuse (converter, Jinja environment, last plan...);
    # never saved
    session: Session = field(default_factory=Session)
    # why a cache on disk was ignored, if it was (reported as a warning)
    problem: str | None = None
    dirty: bool = False
    # the bodies file changed (new or removed articles)
    bodies_dirty: bool = False
    related_dirty: bool = False
    # shards (article stubs and bodies) holding articles parsed or dropped since loading
    dirty_shards: set[int] = field(default_factory=set)
    # body shards read so far {file name: {key: Bodies}}
    shards: dict[str, dict[str, Bodies]] = field(default_factory=dict)
    # keep rendered pages across processes (set by serve: its preview folder is new each
    # session, so a warm start would otherwise render all 28,000 pages of 10,000 articles)
    keep_pages: bool = False
    # the output folder is a preview's own temporary folder (set by serve): updated in place,
    # file by file, instead of swapping in a complete new tree (no one else reads it)
    in_place_output: bool = False
    # {page key: zlib-compressed bytes}; None until first used when loaded from disk
    stored_pages: dict[str, bytes] | None = field(default_factory=dict)
    pages_dirty: bool = False
    # forked children writing shards while a build goes on: [(pid, shard numbers)]
    writers: list[tuple[int, list[int]]] = field(default_factory=list)

    @classmethod
    def memory(cls) -> DiskCache:
        """A cache that lives as long as the object (for serve)."""
        return cls()

    @classmethod
    def load(cls, folder: Path, *, read_only: bool = False) -> DiskCache:
        """The cache in `folder`, or an empty one if it is missing, stale or corrupt.

        `read_only`: read from `folder` but never save there (`check`).
        """
        cache = cls._load(folder)
        if read_only:
            cache.stop_saving()
        return cache

    def stop_saving(self) -> None:
        """Keep using what was read from disk, but save nothing from now on (serve does this
        once its start-up build is saved: rebuilds stay in memory)."""
        self.folder = None

    @classmethod
    def _load(cls, folder: Path) -> DiskCache:
        """The cache in `folder` (see load)."""
        path = folder / FILE_NAME
        empty = cls(folder=folder)
        if not path.is_file():
            return empty
        try:
            with path.open("rb") as f:
                fmt, version, state = pickle.load(f)
        except _UNREADABLE as exc:
            empty.problem = f"ignored an unreadable cache ({type(exc).__name__}); it will be rebuilt"
            return empty
        if fmt != FORMAT or version != __version__ or not isinstance(state, dict):
            return empty
        return cls(folder=folder, read_from=folder, related_loaded=False, stored_articles=None,
                   stored_pages=None, **state)

    @property
    def pages(self) -> dict[str, bytes]:
        """Kept pages by page key, compressed (read from disk on first use; empty unless keep_pages)."""
        if self.stored_pages is None:
            self.stored_pages = self._read(PAGES_NAME, {}) if self.keep_pages else {}
        return self.stored_pages

    def keep_rendered(self, keys: Iterable[str], new: dict[str, bytes]) -> None:
        """Kept pages := those of the current plan (`keys`), the newly rendered ones added."""
        old = self.pages
        kept = {k: found for k in keys if (found := new.get(k) or old.get(k)) is not None}
        if new or len(kept) != len(old):
            self.stored_pages = kept
            self.dirty = self.pages_dirty = True

    @property
    def articles(self) -> dict[str, Article]:
        """Parsed articles by key (read from disk on first use)."""
        if self.stored_articles is None:
            self.stored_articles = {}
            for n in range(BODY_SHARDS):
                self.stored_articles.update(self._read(ARTICLES_NAME.format(n), {}))
        return self.stored_articles

    @articles.setter
    def articles(self, value: dict[str, Article]) -> None:
        self.stored_articles, self.path_keys = value, None

    def related_state(self) -> tuple[int, object, dict[str, str]] | None:
        """The incremental related-articles index (read from disk on first use)."""
        if not self.related_loaded:
            self.join_writers()  # released early: the child that writes it must be done
            self.related_loaded = True
            self.related_index = self._read(RELATED_NAME, None)
        return self.related_index

    def release_related(self) -> bool:
        """Write the related-articles index now, from a forked child, and let this process
        drop it: a build that saves its cache and keeps no session (`newsarchive build`)
        never reads the index again, and at 50,000 articles it is ~200 MB that the render
        workers, forked later, would otherwise carry. A later build in the same process
        reads it back (related_state); a failed child leaves the old file or none, which
        the next build compares by digest or rebuilds."""
        if (self.folder is None or self.keep_pages or not self.related_dirty
                or self.related_index is None or not hasattr(os, "fork")
                or len(self.articles) < PARALLEL_WRITE):
            return False
        index = self.related_index
        self._fork_writer(lambda: self._write(RELATED_NAME, index), [])
        self.related_index, self.related_loaded, self.related_dirty = None, False, False
        self.read_from = self.folder
        self.session.related_lists.forget()
        return True

    def set_related_state(self, state: tuple[int, object, dict[str, str]]) -> None:
        """Remember a new related-articles index."""
        self.related_index, self.related_loaded = state, True
        self.related_dirty = self.dirty = True

    def use_fingerprint(self, fingerprint: str) -> None:
        """Forget parsed articles made under other settings."""
        if fingerprint != self.fingerprint:
            self.fingerprint = fingerprint
            self.articles = {}
            self.last_build.clear()
            self.dirty_shards = set(range(BODY_SHARDS))
            self.stats.clear()
            self.related = None
            self.related_index, self.related_loaded = None, True
            self.dirty = self.bodies_dirty = self.related_dirty = True

    def reset(self, problem: str) -> None:
        """Forget everything parsed (the output manifests stay valid)."""
        self.join_writers()  # an early writer must not rename its files after the new ones
        self.use_fingerprint("")
        self.problem = problem

    def manifest(self, out_dir: Path) -> dict[str, ManifestEntry]:
        """The manifest of one output folder (created empty)."""
        return self.manifests.setdefault(str(out_dir.resolve()), {})

    # ------------------------------------------------------------------ bodies

    def hydrate(self, articles: Iterable[Article]) -> dict[str, Article]:
        """{slug: article with its bodies} for the given articles (stubs are filled in)."""
        articles = list(articles)
        stubs = [a for a in articles if is_stub(a)]
        if not stubs:
            return {a.slug: a for a in articles}
        filled = {}
        for art in articles:
            if is_stub(art):
                found = self._shard(shard_of(key_of(art))).get(key_of(art))
                if found is None:
                    raise StaleCache(f"the cache has no body for {art.path}")
                art = with_bodies(art, found)
                self.articles[key_of(art)] = art
            filled[art.slug] = art
        return filled

    def _shard(self, name: str) -> dict[str, Bodies]:
        """One body shard (read once)."""
        if name not in self.shards:
            self.shards[name] = self._read(name, {})
        return self.shards[name]

    def add(self, article: Article, bodies: Bodies | None = None) -> None:
        """A newly parsed article, in place of the file's earlier version (a stub, with
        `bodies`, after a parse of many)."""
        key, articles = key_of(article), self.articles
        if self.path_keys is None:
            self.path_keys = {a.path: k for k, a in articles.items()}
        old = self.path_keys.get(article.path)
        if old is not None and old != key and articles.pop(old, None) is not None:
            self.dirty_shards.add(shard_index(old))
        articles[key] = article
        self.path_keys[article.path] = key
        if bodies is not None:
            self._shard(shard_of(key))[key] = bodies
        self.dirty_shards.add(shard_index(key))
        self.dirty = self.bodies_dirty = True

    def retain(self, live: set[str]) -> None:
        """Forget articles whose files are gone."""
        gone = [key for key in self.articles if key not in live]
        for key in gone:
            path = self.articles.pop(key).path
            if self.path_keys is not None and self.path_keys.get(path) == key:
                del self.path_keys[path]
            self.dirty_shards.add(shard_index(key))
        if gone:
            self.dirty = self.bodies_dirty = True

    def _read(self, name: str, default: Any) -> Any:
        """One side file of the cache, or `default` when it is missing or unreadable."""
        folder = self.read_from or self.folder
        if folder is None or not (folder / name).is_file():
            return default
        try:
            with (folder / name).open("rb") as f:
                return pickle.load(f)
        except _UNREADABLE:
            return default

    def save(self) -> None:
        """Write to disk atomically (no-op in memory or when nothing changed)."""
        self.join_writers()
        if self.folder is None or not self.dirty:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.bodies_dirty:
            self._write_shards()
        if self.related_dirty:
            self._write(RELATED_NAME, self.related_index)
        if self.pages_dirty:
            self._write(PAGES_NAME, self.stored_pages)
        state = {"fingerprint": self.fingerprint, "stats": self.stats,
                 "manifests": self.manifests, "related": self.related,
                 "search_key": self.search_key,
                 "search_bytes": self.search_bytes, "last_build": self.last_build}
        self._write(FILE_NAME, (FORMAT, __version__, state))
        self.dirty = self.bodies_dirty = self.related_dirty = self.pages_dirty = False

    def write_bodies_early(self) -> None:
        """Start writing the dirty shards in a forked child while the build goes on.

        A cold build's second of pickling then overlaps the related-articles index, which
        keeps one core busy. save() waits for the child; what a failed child did not write
        is written again there.
        """
        if (self.folder is None or not self.bodies_dirty or not hasattr(os, "fork")
                or len(self.articles) < PARALLEL_WRITE):
            return
        todo = self._dirty_shard_contents()
        self._fork_writer(lambda: self._write_parts(todo), [n for n, _, _ in todo])
        self.dirty_shards.clear()
        self.bodies_dirty = False

    def _fork_writer(self, write: Callable[[], None], shards: list[int]) -> None:
        """Run write() in a forked child that leaves without the parent's cleanups; join_writers
        waits for it (and marks `shards` dirty again if it failed)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                write()
                status = 0
            finally:
                os._exit(status)
        self.writers.append((pid, shards))

    def join_writers(self) -> None:
        """Wait for early writers; the shards of a failed one are dirty again."""
        writers, self.writers = self.writers, []
        for pid, shards in writers:
            _, status = os.waitpid(pid, 0)
            if status != 0:
                self.dirty_shards.update(shards)
                self.dirty = self.bodies_dirty = True

    def _write_shards(self) -> None:
        """Rewrite the shards (stubs and bodies) whose articles were parsed or dropped."""
        self._write_parts(self._dirty_shard_contents())
        self.dirty_shards.clear()

    def _write_parts(self, todo: Sequence[tuple[int, str, list[str]]]) -> None:
        """Pickle and write shards (in this process or a forked one)."""
        for n, name, keys in todo:
            self._write(name, self.shards[name])
            self._write(ARTICLES_NAME.format(n), {k: stub_of(self.articles[k]) for k in keys})

    def _dirty_shard_contents(self) -> list[tuple[int, str, list[str]]]:
        """(shard number, body file, article keys) of each dirty shard; bodies noted in self.shards."""
        by_shard: dict[int, list[str]] = {n: [] for n in self.dirty_shards}
        for key in self.articles:
            n = shard_index(key)
            if n in by_shard:
                by_shard[n].append(key)
        todo = []
        for n, keys in sorted(by_shard.items()):
            name = shard_of(keys[0]) if keys else f"bodies-{n:02d}.pickle"
            old = self._shard(name) if any(is_stub(self.articles[k]) for k in keys) else {}
            content = {}
            for key in keys:
                art = self.articles[key]
                if not is_stub(art):
                    content[key] = bodies_of(art)
                elif key in old:  # a lost body stays lost: hydrate() then starts afresh
                    content[key] = old[key]
            self.shards[name] = content
            todo.append((n, name, keys))
        return todo

    def _write(self, name: str, value: object) -> None:
        """Write one cache file atomically (temporary file, then rename)."""
        tmp = self.folder / f".{name}.{os.getpid()}"
        with tmp.open("wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.folder / name)


class BodyReader:
    """Bodies read back from the shards, one shard in memory at a time: a render worker
    whose pages come in shard order holds one shard's bodies, not the corpus's."""

    def __init__(self, cache: DiskCache) -> None:
        self.cache = cache
        # (shard file name, its bodies) of the last shard read
        self.current: tuple[str, dict[str, Bodies]] = ("", {})

    def filled(self, article: Article) -> Article:
        """The article with its bodies (StaleCache when its shard lacks them)."""
        if not is_stub(article):
            return article
        key = key_of(article)
        name = shard_of(key)
        # shards this process parsed into or wrote are in memory (never half-written files)
        shard = self.cache.shards.get(name)
        if shard is None and self.current[0] != name:
            self.current = ("", {})  # the last shard goes before the next is read
            self.current = (name, self.cache._read(name, {}))
        found = (shard if shard is not None else self.current[1]).get(key)
        if found is None:
            raise StaleCache(f"the cache has no body for {article.path}")
        return with_bodies(article, found)


def shard_key(article: Article) -> int:
    """Where an article's bodies are kept: pages sorted by it read each shard once."""
    return shard_index(key_of(article))


def shard_index(key: str) -> int:
    """Shard of an article key (keys start with a sha256 in hex, so shards fill evenly)."""
    return int(key[:2], 16) % BODY_SHARDS


def shard_of(key: str) -> str:
    """Body shard file of an article key."""
    return f"bodies-{shard_index(key):02d}.pickle"


def key_of(article: Article) -> str:
    """Cache key: the source bytes' digest and the path (the slug may come from it)."""
    return f"{article.source_digest}|{article.path}"


def is_stub(article: Article) -> bool:
    """True for an article loaded without its bodies."""
    return article.text == STUB


def bodies_of(article: Article) -> Bodies:
    """The heavy parts packed: body HTML in both scripts and the folded text, compressed
    (a third of their size as strings; NUL, which content never holds, between them)."""
    parts = (article.versions["hant"].body_html, article.versions["hans"].body_html, article.text)
    return zlib.compress("\0".join(parts).encode("utf-8"), 1)


def packed(article: Article) -> tuple[Article, Bodies]:
    """The article as a stub and its packed bodies (a parse worker sends these: the bodies
    of 50,000 articles as strings were 440 MB of the build's peak)."""
    return stub_of(article), bodies_of(article)


def stub_of(article: Article) -> Article:
    """The article without its heavy parts."""
    if is_stub(article):
        return article
    versions = {s: dataclasses.replace(v, body_html=STUB) for s, v in article.versions.items()}
    return dataclasses.replace(article, versions=versions, text=STUB)


def with_bodies(article: Article, bodies: Bodies) -> Article:
    """A stub filled in again."""
    hant, hans, text = zlib.decompress(bodies).decode("utf-8").split("\0")
    versions = {"hant": dataclasses.replace(article.versions["hant"], body_html=hant),
                "hans": dataclasses.replace(article.versions["hans"], body_html=hans)}
    return dataclasses.replace(article, versions=versions, text=text)
