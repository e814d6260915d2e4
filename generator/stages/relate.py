"""Related-articles stage: the related lists of every published article, patched where one edit moves few."""
from __future__ import annotations

from generator.core.corpus import build_site
from generator.core.model import Article, Site
from generator.core.plan import digest
from generator.core.settings import Config
from generator.io.cache import DiskCache
from generator.stages.run import Run


def related_for(published: list[Article], config: Config, cache: DiskCache) -> dict[str, tuple[str, ...]]:
    """Related slugs per article; the index is updated edit by edit, not rebuilt."""
    from generator.core.related import RelatedDoc, RelatedIndex

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
            cache.session.related_lists.keep(key, index)
            cache.set_related_state((config.related, index, digests))
            return patched
    result = index.lists()
    cache.related = (key, result)
    # which index the lists in cache.related came from: in this process only (never saved)
    cache.session.related_lists.keep(key, index)
    cache.set_related_state((config.related, index, digests))
    return result


def _patched_lists(cache: DiskCache, index, moved: set[str]) -> dict[str, tuple[str, ...]] | None:
    """The last lists with those of `moved` replaced, or None when they must be listed afresh.

    Listing 10,000 articles again costs more than the rest of a one-article edit's index
    stage; the last lists serve when this very index produced them and no key came or went.
    """
    previous = cache.related
    made = cache.session.related_lists.recall(previous[0]) if previous is not None else None
    if made is not index:
        return None
    if any(key not in previous[1] for key in moved):
        return None
    fresh = index.lists_of(moved)
    if len(fresh) != len(moved):
        return None
    return {**previous[1], **fresh}


def _related_doc(article: Article, make, cache: DiskCache):
    """The related-articles view of an article (tags folded, text features precomputed)."""
    if article.terms is None:  # parsed by an older generator: needs its text
        article = cache.hydrate([article])[article.slug]
    return make(key=article.slug, tags=frozenset(article.tag_keys), text=article.text,
                day=article.date.date().toordinal(), terms=article.terms,
                companies=frozenset(article.companies))


def index_site(run: Run, corpus: list[Article]) -> Site:
    """The corpus index (tags, categories, months, neighbours, related lists), built from the
    previous build's where one is kept."""
    cache = run.cache
    site = build_site(corpus, related=lambda published: related_for(published, run.config, cache),
                      previous=cache.session.site.recall(run.fingerprint))
    cache.session.site.keep(run.fingerprint, site)
    run.stages.lap("index")
    return site
