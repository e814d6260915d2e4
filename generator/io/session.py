"""What one process keeps in memory across builds (serve keeps one DiskCache, and with it one
Session, for its whole life): made once, reused while the key it was made under holds.
Never saved; `generator.io.cache.DiskCache` holds what is saved.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass
class Slot(Generic[T]):
    """One value and the key it was made under."""

    key: str | None = None
    value: T | None = None

    def get(self, key: str, make: Callable[[], T]) -> T:
        """The value made under `key`, else make() (and remember it)."""
        if self.key != key or self.value is None:
            self.key, self.value = key, make()
        return self.value

    def recall(self, key: str) -> T | None:
        """The value kept under `key`, else None."""
        return self.value if self.key == key else None

    def keep(self, key: str, value: T) -> None:
        """Remember `value` under `key`."""
        self.key, self.value = key, value

    def forget(self) -> None:
        """Drop the value."""
        self.key, self.value = None, None


@dataclass
class Session:
    """The objects later builds of this process reuse, each keyed by what it was made from."""

    # generator.core.chinese.Converter, by settings fingerprint (opening OpenCC costs ~0.1 s)
    converter: Slot[Any] = field(default_factory=Slot)
    # the build's script detector, by settings fingerprint
    detector: Slot[Any] = field(default_factory=Slot)
    # the Jinja environment, by theme fingerprint and folders
    jinja: Slot[Any] = field(default_factory=Slot)
    # generator.core.contexts.SiteText, by render key and theme fingerprint
    site_text: Slot[Any] = field(default_factory=Slot)
    # the last scan of content/ [generator.io.sources.Entry], by content folder (serve's
    # watcher then re-stats only the changed paths)
    scan: Slot[Any] = field(default_factory=Slot)
    # generator.core.model.Site of the last build, by settings fingerprint
    site: Slot[Any] = field(default_factory=Slot)
    # generator.core.plan's plan of the last build, by output folder
    plan: Slot[Any] = field(default_factory=Slot)
    # the related-articles index the saved related lists came from, by corpus key
    related_lists: Slot[Any] = field(default_factory=Slot)
    # generator.stages.companies.CompanyState (matcher, converted descriptions, title
    # warnings), by settings fingerprint and the registry's content
    companies: Slot[Any] = field(default_factory=Slot)
    # generator.core.memo.PerArticle: each article's broken links against the plan (core.references)
    references: Slot[Any] = field(default_factory=Slot)
    # generator.core.memo.PerArticle: each article's missing-figure warnings (stages.read)
    missing_media: Slot[Any] = field(default_factory=Slot)
    # generator.core.memo.PerArticle: the local image URLs each article shows (stages.images)
    media_urls: Slot[Any] = field(default_factory=Slot)
    # (the paths the output's manifest file lists, its stat) when last seen, by output folder
    manifest: Slot[Any] = field(default_factory=Slot)
    # generator.core.plan.BuildPaths of the last build written in place, by output folder
    # (its manifest then lists no other file)
    written_paths: Slot[Any] = field(default_factory=Slot)
    # the path of every article parsed in this process, in order (only grows): a memo that
    # knows how far it has read it knows which articles to look at again (core.memo)
    parsed: list[str] = field(default_factory=list)
    # paths of the articles parsed since `site` was indexed (None: not known): only these
    # can differ from that index, so the next index compares them and counts the rest
    unindexed: set[str] | None = None
