"""Values computed from one article each, kept across the builds of one process (pure).

A preview rebuilds after every edit; a pass that reads each of 50,000 articles again costs a
tenth of a second, one that looks each up by path and digest a hundredth. `PerArticle` is
that lookup: an article is read again only when its digest (or the context the values were
computed in) changed.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Hashable
from typing import Generic, TypeVar

from generator.core.model import Article

T = TypeVar("T")


class PerArticle(Generic[T]):
    """{article path: (digest, value)}, valid for one context (the planned paths, say)."""

    def __init__(self) -> None:
        self.by_path: dict[str, tuple[str, T]] = {}
        self.context: Hashable = None

    def each(self, articles: Collection[Article], compute: Callable[[Article], T],
             context: Hashable = None) -> list[T]:
        """compute(article) for every article, in order; kept values where the article's
        digest and the context are those they were computed for."""
        if context != self.context:
            self.by_path, self.context = {}, context
        by_path, values = self.by_path, []
        for art in articles:
            hit = by_path.get(art.path)
            if hit is None or hit[0] != art.digest:
                hit = by_path[art.path] = (art.digest, compute(art))
            values.append(hit[1])
        if len(by_path) > len(values):  # articles were deleted: forget them
            self.by_path = {art.path: by_path[art.path] for art in articles}
        return values
