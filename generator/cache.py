"""Parse cache and output manifest, in memory (serve) or in .newsarchive-cache/ (build).

Parsed articles are keyed by the source bytes' digest and path; the whole cache is
dropped when the settings/glossary fingerprint or the generator version changes. The
manifest remembers, per output folder, each file's page key, size and mtime, so a rebuild
skips pages whose key is unchanged and whose file is still the one written.
"""
from __future__ import annotations

import os
from collections.abc import Callable
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import __version__
from generator.model import Article

FILE_NAME = "build.pickle"
FORMAT = 1


@dataclass
class ManifestEntry:
    """What was written to one output file."""

    key: str
    size: int
    mtime_ns: int


@dataclass
class Cache:
    """Mutable by design: build() updates it; serve keeps one across builds."""

    # folder on disk, or None for an in-memory cache
    folder: Path | None = None
    fingerprint: str = ""
    # {source path: (mtime_ns, size, sha256)}: unchanged stat => unchanged bytes
    stats: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    # {"sha256|path": Article}
    articles: dict[str, Article] = field(default_factory=dict)
    # {resolved out_dir: {file path: ManifestEntry}}
    manifests: dict[str, dict[str, ManifestEntry]] = field(default_factory=dict)
    # (corpus key, {slug: related slugs})
    related: tuple[str, dict[str, tuple[str, ...]]] | None = None
    # (limit, generator.related.RelatedIndex, {slug: article digest it was built from})
    related_index: tuple[int, object, dict[str, str]] | None = None
    # objects reused by later builds in this process (script converter, Jinja environment),
    # keyed by what they were made from; never saved
    runtime: dict[str, tuple[str, Any]] = field(default_factory=dict)
    # why a cache on disk was ignored, if it was (reported as a warning)
    problem: str | None = None
    dirty: bool = False

    @classmethod
    def memory(cls) -> Cache:
        """A cache that lives as long as the object (for serve)."""
        return cls()

    @classmethod
    def load(cls, folder: Path) -> Cache:
        """The cache in `folder`, or an empty one if it is missing, stale or corrupt."""
        path = folder / FILE_NAME
        empty = cls(folder=folder)
        if not path.is_file():
            return empty
        try:
            with path.open("rb") as f:
                fmt, version, state = pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError,
                IndexError, TypeError, ValueError) as exc:
            empty.problem = f"ignored an unreadable cache ({type(exc).__name__}); it will be rebuilt"
            return empty
        if fmt != FORMAT or version != __version__ or not isinstance(state, dict):
            return empty
        return cls(folder=folder, **state)

    def use_fingerprint(self, fingerprint: str) -> None:
        """Forget parsed articles made under other settings."""
        if fingerprint != self.fingerprint:
            self.fingerprint = fingerprint
            self.articles.clear()
            self.stats.clear()
            self.related = None
            self.related_index = None
            self.dirty = True

    def reuse(self, name: str, key: str, make: Callable[[], Any]) -> Any:
        """The object made last time under the same key, else make() (and remember it)."""
        found = self.runtime.get(name)
        if found is None or found[0] != key:
            found = self.runtime[name] = (key, make())
        return found[1]

    def manifest(self, out_dir: Path) -> dict[str, ManifestEntry]:
        """The manifest of one output folder (created empty)."""
        return self.manifests.setdefault(str(out_dir.resolve()), {})

    def save(self) -> None:
        """Write to disk atomically (no-op in memory or when nothing changed)."""
        if self.folder is None or not self.dirty:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        state = {"fingerprint": self.fingerprint, "stats": self.stats, "articles": self.articles,
                 "manifests": self.manifests, "related": self.related,
                 "related_index": self.related_index}
        tmp = self.folder / f".{FILE_NAME}.{os.getpid()}"
        with tmp.open("wb") as f:
            pickle.dump((FORMAT, __version__, state), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.folder / FILE_NAME)
        self.dirty = False
