"""Values computed from one article each, kept across the builds of one process (pure).

A preview rebuilds after every edit; a pass that reads each of 50,000 articles again costs a
tenth of a second, one that looks each up by path and digest a hundredth. `PerArticle` is
that lookup: an article is read again only when its digest (or the context the values were
computed in) changed.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Sequence
from typing import Generic, TypeVar

from generator.core.model import Article, Site

T = TypeVar("T")


class PerArticle(Generic[T]):
    """{article path: (digest, value)}, valid for one context (the planned paths, say)."""

    def __init__(self) -> None:
        self.by_path: dict[str, tuple[str, T]] = {}
        self.context: Hashable = None
        # each_in_site's last answer, in the site's article order, and the index it was for
        self._site_values: list[T] | None = None
        self._site_serial: int | None = None
        self._position: dict[str, int] = {}
        # each_since's last answer, in the articles' order, their positions by path, and how
        # much of the parse log it had seen
        self._since_values: list[T] | None = None
        self._since_position: dict[str, int] = {}
        self._log_seen = 0

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
        self._site_values = self._since_values = None
        return values

    def _computed(self, art: Article, compute: Callable[[Article], T]) -> T:
        """compute(art), kept under its path and digest."""
        value = compute(art)
        self.by_path[art.path] = (art.digest, value)
        return value

    def each_since(self, articles: Sequence[Article], compute: Callable[[Article], T],
                   context: Hashable, parsed: Sequence[str]) -> list[T]:
        """each() over a corpus, given `parsed`: the paths of every article parsed in this
        process, in order (a log that only grows). The articles parsed since the last call
        are computed again and the others are not even looked up, while the articles are the
        same files in the same order; otherwise every article is looked at."""
        last, position = self._since_values, self._since_position
        fresh = parsed[self._log_seen:]
        if (last is not None and context == self.context and len(articles) == len(last)
                and all(path in position for path in fresh)):
            values = list(last)
            for path in set(fresh):
                art = articles[position[path]]
                if art.path != path:  # a file came and another went: look at them all
                    break
                values[position[path]] = self._computed(art, compute)
            else:
                self._since_values, self._log_seen = values, len(parsed)
                return values
        values = self.each(articles, compute, context)
        self._since_values, self._log_seen = values, len(parsed)
        self._since_position = {art.path: i for i, art in enumerate(articles)}
        return values

    def each_in_site(self, site: Site, compute: Callable[[Article], T],
                     context: Hashable = None) -> list[T]:
        """each() over the site's published articles. When the site is the index this memo
        last answered for plus a few edits (site.changes), only the edited articles are
        computed again and the others are not even looked up: at 50,000 articles the lookup
        alone cost a preview's rebuild 25 ms a pass."""
        changes, last = site.changes, self._site_values
        if (last is not None and changes is not None and changes.since == self._site_serial
                and context == self.context):
            values = list(last)
            for slug in changes.edited:
                values[self._position[slug]] = self._computed(site.articles[slug], compute)
        else:
            values = self.each(site.articles.values(), compute, context)
            self._position = {slug: i for i, slug in enumerate(site.articles)}
        self._site_values, self._site_serial = values, site.serial
        return values
