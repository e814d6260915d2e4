"""Related-articles stage: the related lists of every published article, patched where one edit moves few."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from generator.core.corpus import build_site
from generator.core.model import Article, Site
from generator.core.settings import Config
from generator.io.cache import DiskCache
from generator.stages.run import Run


def related_for(articles: Mapping[str, Article], config: Config, cache: DiskCache,
                edited: frozenset[str] | None = None) -> dict[str, tuple[str, ...]]:
    """Related slugs per article; the index is updated edit by edit, not rebuilt. With
    `edited` (the only slugs whose articles changed since the last call), nothing else of
    the corpus is read."""
    from generator.core.related import RelatedDoc, RelatedIndex

    if edited is not None:
        lists = _after_edits(articles, edited, config, cache)
        if lists is not None:
            return lists
    published = list(articles.values())
    digests = {a.slug: a.digest for a in published}
    key = corpus_key(config.related, digests.values())
    if cache.related and cache.related[0] == key:
        return cache.related[1]
    state = cache.related_state()
    if state is None or state[0] != config.related:
        index = RelatedIndex.build([_related_doc(a, RelatedDoc, cache) for a in published],
                                   limit=config.related)
    else:
        _, index, before = state
        changed = [articles[s] for s, d in digests.items() if before.get(s) != d]
        moved = index.update([_related_doc(a, RelatedDoc, cache) for a in changed],
                             removed=[s for s in before if s not in articles])
        patched = _patched_lists(cache, index, moved)
        if patched is not None:
            _keep(cache, config, key, patched, index, digests)
            return patched
    result = index.lists()
    _keep(cache, config, key, result, index, digests)
    return result


# corpus_key's sums are taken modulo this (digests are 80-bit hex strings)
_KEY_MOD = 1 << 80


def corpus_key(related: int, digests: Iterable[str]) -> str:
    """A key of the related setting and the corpus: the sum of the articles' digests, a
    multiset hash (the same for the same articles in any order, and updated edit by edit
    without reading the rest of the corpus again)."""
    return f"{related}:{sum(int(d, 16) for d in digests) % _KEY_MOD:x}"


def _after_edits(articles: Mapping[str, Article], edited: frozenset[str], config: Config,
                 cache: DiskCache) -> dict[str, tuple[str, ...]] | None:
    """The last lists after edits to `edited` alone (no article came or went), when the index
    they came from is at hand; None otherwise (then the whole corpus is compared)."""
    from generator.core.related import RelatedDoc

    state, previous = cache.related_state(), cache.related
    if state is None or state[0] != config.related or previous is None:
        return None
    _, index, before = state
    if cache.session.related_lists.recall(previous[0]) is not index or len(before) != len(articles) \
            or not edited <= before.keys():
        return None
    docs = [articles[s] for s in sorted(edited) if before[s] != articles[s].digest]
    if not docs:
        return previous[1]
    total = int(previous[0].rsplit(":", 1)[1], 16)
    total += sum(int(a.digest, 16) - int(before[a.slug], 16) for a in docs)
    moved = index.update([_related_doc(a, RelatedDoc, cache) for a in docs])
    before.update((a.slug, a.digest) for a in docs)
    patched = _patched_lists(cache, index, moved)
    if patched is None:
        patched = index.lists()
    _keep(cache, config, f"{config.related}:{total % _KEY_MOD:x}", patched, index, before)
    return patched


def _keep(cache: DiskCache, config: Config, key: str, lists: dict[str, tuple[str, ...]], index,
          digests: dict[str, str]) -> None:
    """Remember the lists under their corpus key, and the index they came from (which index
    made the lists: in this process only, never saved)."""
    cache.related = (key, lists)
    cache.session.related_lists.keep(key, index)
    cache.set_related_state((config.related, index, digests))


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
    site = build_site(corpus, related=lambda published, edited: related_for(published, run.config, cache, edited),
                      previous=cache.session.site.recall(run.fingerprint),
                      candidates=cache.session.unindexed)
    cache.session.site.keep(run.fingerprint, site)
    cache.session.unindexed = set()
    run.stages.lap("index")
    return site
