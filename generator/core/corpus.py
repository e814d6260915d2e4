"""Articles -> Site: the whole-corpus index (tags, categories, months, neighbours) (pure)."""
from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping

from generator.core import urls
from generator.core.model import SCRIPTS, Article, Site, SiteChanges, Term


# (published articles by slug, the slugs edited since the index of the last call or None when
# that is not known) -> {slug: related slugs}
Related = Callable[[Mapping[str, Article], frozenset[str] | None], Mapping[str, tuple[str, ...]]]

# Site.serial: unique in the process, so that "the index these changes are relative to"
# (SiteChanges.since) can never name an unrelated index made under other settings.
_serials = itertools.count()


def build_site(articles: Iterable[Article], *, related: Related,
               previous: Site | None = None, candidates: Collection[str] | None = None) -> Site:
    """Index published (non-draft) articles; `related` maps the corpus to {slug: slugs}.

    With `previous` (the index of an earlier corpus), an edit that moves no article in the
    index (same slugs, dates, tags, category, draft state) reuses its structure.
    `candidates`: the paths of the only articles that can differ from `previous`'s (None:
    any can; then each is compared).
    """
    articles = list(articles)
    if previous is not None:
        reused = reuse_site(previous, articles, related=related, candidates=candidates)
        if reused is not None:
            return reused
    published = sorted((a for a in articles if not a.draft), key=newest_first)
    by_slug = {a.slug: a for a in published}
    order = tuple(a.slug for a in published)
    return Site(
        serial=next(_serials),
        articles=by_slug,
        order=order,
        tags=_terms(published, "tags"),
        categories=_terms(published, "category"),
        months=_months(published),
        related=_known(related(by_slug, None), by_slug),
        neighbours=_neighbours(order),
    )


def structure(article: Article) -> tuple:
    """Everything about an article that places it in the index (not its text)."""
    return (article.slug, article.date, article.updated, article.draft, article.tag_keys,
            article.category_key, tuple(article.versions[s].tags for s in SCRIPTS),
            tuple(article.versions[s].category for s in SCRIPTS))


def reuse_site(previous: Site, articles: list[Article], *, related: Related,
               candidates: Collection[str] | None = None) -> Site | None:
    """`previous` with new article values, or None when an article moved, came or went.

    With `candidates` (paths), every other article is taken to be the one `previous`
    holds: the articles are counted, not compared (a preview's edit compares one of 50,000).
    """
    if candidates is None:
        changed = [art for art in articles if not art.draft]
        if len(changed) != len(previous.articles):
            return None
    else:
        if sum(not art.draft for art in articles) != len(previous.articles):
            return None
        changed = [art for art in articles if art.path in candidates and not art.draft]
    by_slug, edited = dict(previous.articles), set()
    for art in changed:
        old = by_slug.get(art.slug)
        if old is None:
            return None
        if old.digest != art.digest:
            if structure(old) != structure(art):
                return None
            edited.add(art.slug)
        by_slug[art.slug] = art  # the same digest: the same article, perhaps with its bodies
    moved: set[str] = set()
    lists = _known(related(by_slug, frozenset(edited)), by_slug, previous.related, moved)
    return Site(articles=by_slug, order=previous.order, tags=previous.tags,
                categories=previous.categories, months=previous.months,
                related=lists, neighbours=previous.neighbours, serial=next(_serials),
                changes=SiteChanges(since=previous.serial, edited=frozenset(edited),
                                    related_moved=frozenset(moved | (previous.related.keys() - lists.keys()))))


def _known(related: Mapping[str, tuple[str, ...]], by_slug: Mapping[str, Article],
           previous: Mapping[str, tuple[str, ...]] | None = None,
           moved: set[str] | None = None) -> dict[str, tuple[str, ...]]:
    """Related lists restricted to published articles, never an article itself.

    `previous` (the result for the same published slugs) answers for every list that is
    the very tuple it returned: an edit changes a few of 10,000 lists. The slugs whose list
    differs from `previous`'s are added to `moved` (replan re-keys their pages).
    """
    known = {}
    for slug, rel in related.items():
        if slug not in by_slug:
            continue
        if previous is not None and previous.get(slug) is rel:
            known[slug] = rel
            continue
        kept = tuple(s for s in rel if s in by_slug and s != slug)
        # the list itself when nothing was dropped, so the next build can recognise it
        known[slug] = rel if kept == rel else kept
        if moved is not None and (previous is None or previous.get(slug) != known[slug]):
            moved.add(slug)
    return known


def newest_first(article: Article) -> tuple[float, str]:
    """Sort key: newest date first, slug as the tie-break."""
    return (-article.date.timestamp(), article.slug)


def _terms(published: list[Article], field: str) -> dict[str, Term]:
    """Group articles by tag (or category) key; each script's name is its most used spelling."""
    slugs: dict[str, list[str]] = defaultdict(list)
    # {key: {(name per script...): count}}: one count per occurrence, split by script below
    spellings: dict[str, dict[tuple[str, ...], int]] = defaultdict(dict)
    for art in published:
        if field == "tags":
            keys = art.tag_keys
            names = zip(*(art.versions[s].tags for s in SCRIPTS))
        elif art.category_key:
            keys = (art.category_key,)
            names = [tuple(art.versions[s].category or "" for s in SCRIPTS)]
        else:
            continue
        for key, spelled in zip(keys, names):
            slugs[key].append(art.slug)
            counts = spellings[key]
            counts[spelled] = counts.get(spelled, 0) + 1
    names = {key: _most_used(spellings[key]) for key in sorted(slugs)}
    segments = _segments(names)
    return {key: Term(key=key, names=names[key], segments=segments[key], slugs=tuple(slugs[key]))
            for key in sorted(slugs)}


def _most_used(counts: dict[tuple[str, ...], int]) -> dict[str, str]:
    """{script: its most used spelling}, ties to the smallest string."""
    chosen = {}
    for i, script in enumerate(SCRIPTS):
        tally: Counter[str] = Counter()
        for spelled, n in counts.items():
            tally[spelled[i]] += n
        chosen[script] = min(tally.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    return chosen


def _segments(names: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """URL segment per term and script; clashes (after cleaning) get -2, -3 ..."""
    result: dict[str, dict[str, str]] = {key: {} for key in names}
    for script in SCRIPTS:
        taken: set[str] = set()
        for key in sorted(names):
            base = urls.term_segment(names[key][script])
            segment, n = base, 1
            while segment.lower() in taken:
                n += 1
                segment = f"{base}-{n}"
            taken.add(segment.lower())
            result[key][script] = segment
    return result


def _months(published: list[Article]) -> dict[tuple[int, int], tuple[str, ...]]:
    """{(year, month): slugs newest first}, newest month first."""
    months: dict[tuple[int, int], list[str]] = defaultdict(list)
    for art in published:
        months[(art.date.year, art.date.month)].append(art.slug)
    return {k: tuple(v) for k, v in sorted(months.items(), reverse=True)}


def _neighbours(order: tuple[str, ...]) -> dict[str, tuple[str | None, str | None]]:
    """{slug: (older, newer)} along the newest-first order."""
    last = len(order) - 1
    return {slug: (order[i + 1] if i < last else None, order[i - 1] if i > 0 else None)
            for i, slug in enumerate(order)}
