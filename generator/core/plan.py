"""Site -> [Page]: every URL in every script, each with an input key (pure).

A page's key is a digest of exactly what it shows (template fingerprint, settings, the
articles and terms it lists). A rebuild renders a page only when its key changed, so one
edited article re-renders its own pages, its neighbours', the lists it appears on and the
articles that list it as related, and nothing else.
"""
from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from generator.core import urls
from generator.core.model import SCRIPTS, Page, PageKind, Site, Term


def digest(parts: Iterable[str]) -> str:
    """Short stable digest of strings."""
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).hexdigest()


def card_digests(site: Site, only: Iterable[str] | None = None) -> dict[str, str]:
    """{slug: digest of how the article appears in lists (both scripts)} (of `only` slugs)."""
    tag_ids = {k: _term_id(t) for k, t in site.tags.items()}
    category_ids = {k: _term_id(t) for k, t in site.categories.items()}
    out = {}
    for slug in site.articles if only is None else only:
        art = site.articles[slug]
        parts = [art.digest] + [tag_ids[k] for k in art.tag_keys]
        if art.category_key:
            parts.append(category_ids[art.category_key])
        out[slug] = digest(parts)
    return out


def sitemap_key(site: Site, pages: list[Page], base_key: str) -> str:
    """The sitemap shows URLs, article dates and (through each list's lastmod) which terms an
    article is in: a body or title edit leaves it alone."""
    dates = [f"{s}:{a.date.isoformat()}:{a.updated.isoformat() if a.updated else ''}:"
             f"{'|'.join(a.tag_keys)}:{a.category_key or ''}" for s, a in site.articles.items()]
    return digest([base_key] + [p.path for p in pages] + dates)


def _term_id(term: Term) -> str:
    """Identity plus names and segments of a term (what its links show)."""
    return "|".join([term.key] + [term.names[s] + "/" + term.segments[s] for s in SCRIPTS])


def pages_count(n: int, per_page: int) -> int:
    """Pages needed for n items (at least one, so empty lists still have a page)."""
    return max(1, -(-n // per_page))


@dataclass(frozen=True)
class BuildPaths:
    """The paths of a build's files in two parts: the plan's (Plan.paths: the very same set
    for every plan of one structure) and the rest (company pages, theme and media files).

    `same_as` tells a preview's rebuild that the files of the build are those of the last
    one without comparing 138,000 paths (50,000 articles): each pass over them cost ~10 ms.
    """

    planned: frozenset[str]
    rest: frozenset[str]

    def __contains__(self, path: object) -> bool:
        return path in self.planned or path in self.rest

    def __iter__(self):
        yield from self.planned
        yield from self.rest

    def __len__(self) -> int:
        return len(self.planned) + len(self.rest)

    def parts(self) -> tuple[frozenset[str], frozenset[str]]:
        """The two sets (compared by identity first where they are kept)."""
        return self.planned, self.rest

    def same_as(self, other: BuildPaths | None) -> bool:
        """Whether `other` holds the same paths, decided by identity of the planned part."""
        return other is not None and other.planned is self.planned and other.rest == self.rest


@dataclass(frozen=True)
class Plan:
    """The pages of a site and what they were planned from (the next plan starts here)."""

    site: Site
    # (per_page, feed_items, base_key, cname)
    settings: tuple
    cards: dict[str, str]
    pages: list[Page]
    # where each article's, list's and feed's pages are in `pages` (see _positions), made by
    # the first replan and valid for every plan of the same structure
    where: Positions | None = dataclasses.field(default=None, compare=False)
    # the paths of `pages`; the very same set for every plan of the same structure (a
    # memo keyed by it then knows the files of the build are the same at a glance)
    paths: frozenset[str] = dataclasses.field(default=frozenset(), compare=False)


def plan_site(site: Site, *, per_page: int, feed_items: int, base_key: str,
              cname: str | None, previous: Plan | None = None) -> Plan:
    """The plan of a site; from `previous` when only article texts and related lists changed."""
    settings = (per_page, feed_items, base_key, cname)
    if previous is not None:
        plan = replan(previous, site, settings)
        if plan is not None:
            return plan
    cards = card_digests(site)
    pages = _plan(site, cards, per_page, feed_items, base_key, cname)
    return Plan(site, settings, cards, pages, paths=frozenset(p.path for p in pages))


def plan_pages(site: Site, *, per_page: int, feed_items: int, base_key: str,
               cname: str | None) -> list[Page]:
    """Every output of the site (HTML, feeds, sitemap, robots ...) in a stable order."""
    return plan_site(site, per_page=per_page, feed_items=feed_items, base_key=base_key,
                     cname=cname).pages


def replan(previous: Plan, site: Site, settings: tuple) -> Plan | None:
    """Re-key only the pages that show a changed article; None when the structure moved.

    `site.changes` says whether the structure (order, terms, months) is that of the previous
    plan's site, and which articles were edited; then every page path is unchanged, and a
    page's key can only change through the cards it shows or an article's related list.
    """
    old = previous.site
    changes = site.changes
    if settings != previous.settings or changes is None or changes.since != old.serial:
        return None
    touched = sorted(changes.edited)
    cards = dict(previous.cards)
    cards.update(card_digests(site, touched))
    changed = {slug for slug in touched if cards[slug] != previous.cards[slug]}
    moved = changes.related_moved
    if moved is None:
        moved = {slug for slug in site.order if site.related.get(slug) != old.related.get(slug)}
    if not changed and not moved:
        return Plan(site, settings, cards, previous.pages, previous.where, previous.paths)
    per_page, feed_items, base_key, _ = settings
    rekey = _Rekey(site, cards, changed, moved, per_page, feed_items, base_key)
    where = previous.where if previous.where is not None else _positions(previous.pages)
    # Only the pages of touched articles and lists and the feeds can get a new key.
    places = [i for slug in rekey.shown() for i in where.articles.get(slug, ())]
    places += [i for whole, found in where.lists if not rekey.untouched(whole) for i in found]
    places += where.feeds
    pages = list(previous.pages)
    for i in places:
        pages[i] = rekey.page(pages[i])
    return Plan(site, settings, cards, pages, where, previous.paths)


@dataclass(frozen=True)
class Positions:
    """Where things are in a plan's pages: {slug: its article pages}, [((kind, ident), the
    list's pages)] and the feeds."""

    articles: dict[str, list[int]]
    lists: list[tuple[tuple, list[int]]]
    feeds: list[int]


def _positions(pages: list[Page]) -> Positions:
    """Where each article's pages, each list's pages and the feeds are in `pages`."""
    articles: dict[str, list[int]] = {}
    lists: dict[tuple, list[int]] = {}
    feeds: list[int] = []
    for i, page in enumerate(pages):
        if page.kind == "article":
            articles.setdefault(page.params[0], []).append(i)
        elif page.kind.is_list:
            lists.setdefault((page.kind, tuple(page.params[:-2])), []).append(i)
        elif page.kind == "feed":
            feeds.append(i)
    return Positions(articles, list(lists.items()), feeds)


class _Rekey:
    """New keys for pages that show a changed card (or whose related list moved)."""

    def __init__(self, site: Site, cards: dict[str, str], changed: set[str], moved: set[str],
                 per_page: int, feed_items: int, base_key: str) -> None:
        self.site, self.cards, self.changed, self.moved = site, cards, changed, moved
        self.per_page, self.feed_items, self.base_key = per_page, feed_items, base_key
        self._years: dict[int, tuple[str, ...]] | None = None
        # One pass over the index instead of a test per article page (20,000 at 10,000
        # articles): an article page changes when its slug moved or it shows a changed card.
        # (neighbours go both ways: the pages showing a changed article as older or newer
        # are its own neighbours)
        self._shown = (moved | changed
                       | {s for s, rel in site.related.items() if not changed.isdisjoint(rel)}
                       | {s for slug in changed for s in site.neighbours.get(slug, ()) if s})
        # {(kind, ident): whether the list holds no changed article}, asked once per list
        self._untouched: dict[tuple, bool] = {}

    def shown(self) -> set[str]:
        """Slugs whose article pages may get a new key."""
        return self._shown

    def untouched(self, whole: tuple) -> bool:
        """Whether the list (kind, ident) holds no changed article."""
        found = self._untouched.get(whole)
        if found is None:
            found = self._untouched[whole] = self.changed.isdisjoint(self._slugs(*whole))
        return found

    def page(self, page: Page) -> Page:
        """The page, with a new key if what it shows changed."""
        key = None
        if page.kind == "article":
            key = self._article(page)
        elif page.kind.is_list:
            key = self._list(page)
        elif page.kind == "feed":
            key = self._feed(page)
        return page if key is None or key == page.key else dataclasses.replace(page, key=key)

    def _article(self, page: Page) -> str | None:
        """New key of an article page, or None when nothing it shows changed."""
        slug = page.params[0]
        if slug not in self._shown:
            return None
        return _article_key(self.site, page.script, slug, self.cards, self.base_key)

    def _list(self, page: Page) -> str | None:
        """New key of a list page, or None when none of its items changed."""
        *ident, number, total = page.params
        if self.untouched((page.kind, tuple(ident))):
            return None
        slugs = self._slugs(page.kind, tuple(ident))
        chunk = slugs[(number - 1) * self.per_page: number * self.per_page]
        if self.changed.isdisjoint(chunk):
            return None
        return _list_key(self.base_key, page.kind, page.script, tuple(ident), number, total,
                         chunk, self.cards)

    def _slugs(self, kind: str, ident: tuple) -> tuple[str, ...]:
        """The slugs of the list a page belongs to."""
        if kind == "home":
            return self.site.order
        if kind == "tag":
            return self.site.tags[ident[0]].slugs
        if kind == "category":
            return self.site.categories[ident[0]].slugs
        if kind == "month":
            return self.site.months[ident]
        if self._years is None:
            self._years = _years(self.site)
        return self._years[ident[0]]

    def _feed(self, page: Page) -> str | None:
        """New key of a feed, or None when none of its entries changed."""
        (term_key,) = page.params
        term = None if term_key is None else self.site.tags[term_key]
        slugs = (self.site.order if term is None else term.slugs)[:self.feed_items]
        if self.changed.isdisjoint(slugs):
            return None
        return _feed_key(self.base_key, page.script, term, slugs, self.cards)




def _years(site: Site) -> dict[int, tuple[str, ...]]:
    """{year: slugs newest first} from the months (which are newest first)."""
    years: dict[int, list[str]] = {}
    for (year, _), slugs in site.months.items():
        years.setdefault(year, []).extend(slugs)
    return {y: tuple(s) for y, s in years.items()}


@dataclass(frozen=True)
class ArticleShown:
    """What an article page shows besides the site's frame: the one description both its key
    (here) and its context (generator.core.contexts) are made from, so that a thing shown
    cannot be left out of the key."""

    slug: str
    related: tuple[str, ...]
    older: str | None
    newer: str | None

    def articles(self) -> list[str | None]:
        """Every article the page shows, in a fixed order (None: no neighbour there)."""
        return [self.slug, *self.related, self.older, self.newer]


def article_shows(site: Site, slug: str) -> ArticleShown:
    """What the page of article `slug` shows."""
    older, newer = site.neighbours[slug]
    return ArticleShown(slug, tuple(site.related.get(slug, ())), older, newer)


def _article_key(site: Site, script: str, slug: str, cards: dict[str, str], base_key: str) -> str:
    """Key of an article page: how each article it shows appears (card digests)."""
    shown = article_shows(site, slug)
    return digest([base_key, "article", script, slug]
                  + [cards[s] if s else "-" for s in shown.articles()])


def _list_key(base_key: str, kind: str, script: str, ident: tuple, number: int, total: int,
              chunk: Sequence[str], cards: dict[str, str]) -> str:
    """Key of one list page: which list, which page, the cards on it."""
    return digest([base_key, kind, script, repr(ident), str(number), str(total)]
                  + [cards[s] for s in chunk])


def _feed_key(base_key: str, script: str, term: Term | None, slugs: Sequence[str],
              cards: dict[str, str]) -> str:
    """Key of the site feed (term None) or a tag feed."""
    head = [base_key, "feed", script] if term is None else [base_key, "tagfeed", script, _term_id(term)]
    return digest(head + [cards[s] for s in slugs])


def _plan(site: Site, cards: dict[str, str], per_page: int, feed_items: int, base_key: str,
          cname: str | None) -> list[Page]:
    """Every page, planned from scratch."""
    pages: list[Page] = []
    for script in SCRIPTS:
        pages += _article_pages(site, script, cards, base_key)
        pages += _lists(script, "home", (), site.order, per_page, cards, base_key,
                        lambda p, s=script: urls.home(s, p))
        pages += _term_lists(site.tags, "tag", script, per_page, cards, base_key)
        pages += _term_lists(site.categories, "category", script, per_page, cards, base_key)
        pages += _archive_lists(site, script, per_page, cards, base_key)
        pages += _indexes(site, script, base_key)
        pages += _feeds(site, script, feed_items, cards, base_key)
    pages.append(Page("404.html", PageKind.NOTFOUND, None, PageKind.NOTFOUND.template, (), digest([base_key, "404"])))
    pages.append(Page("index.html", PageKind.ROOT, None, PageKind.ROOT.template, (), digest([base_key, "root"])))
    pages.append(Page("sitemap.xml", PageKind.SITEMAP, None, "", (), sitemap_key(site, pages, base_key)))
    pages.append(Page("robots.txt", PageKind.ROBOTS, None, "", (), digest([base_key, "robots"])))
    pages.append(Page(".nojekyll", PageKind.NOJEKYLL, None, "", (), "empty"))
    if cname:
        pages.append(Page("CNAME", PageKind.CNAME, None, "", (cname,), digest([cname])))
    return pages


def _article_pages(site: Site, script: str, cards: dict[str, str], base_key: str) -> list[Page]:
    """Article pages of one script."""
    folder = urls.article(script, "{}")  # slugs are ASCII: no escaping to undo
    return [Page(folder.format(slug) + "index.html", PageKind.ARTICLE, script, PageKind.ARTICLE.template,
                 (slug,),
                 _article_key(site, script, slug, cards, base_key)) for slug in site.order]


def _lists(script: str, kind: str, ident: tuple, slugs: Sequence[str], per_page: int,
           cards: dict[str, str], base_key: str, url_of) -> list[Page]:
    """Paginated list pages of one list; params are (ident..., page, pages)."""
    total = pages_count(len(slugs), per_page)
    # the first page's folder; later pages add page/N/ (urls._paged), so one unquote a list
    folder = urls.file_path(url_of(1)).removesuffix("index.html")
    pages = []
    for number in range(1, total + 1):
        chunk = slugs[(number - 1) * per_page: number * per_page]
        path = folder + (f"page/{number}/index.html" if number > 1 else "index.html")
        pages.append(Page(path, PageKind(kind), script, PageKind(kind).template, ident + (number, total),
                          _list_key(base_key, kind, script, ident, number, total, chunk, cards)))
    return pages


def _term_lists(terms: dict[str, Term], kind: str, script: str, per_page: int,
                cards: dict[str, str], base_key: str) -> list[Page]:
    """Paginated lists of every tag (or category)."""
    make = urls.tag if kind == "tag" else urls.category
    pages = []
    for key, term in terms.items():
        pages += _lists(script, kind, (key, _term_id(term)), term.slugs, per_page, cards, base_key,
                        lambda p, seg=term.segments[script]: make(script, seg, p))
    return pages


def _archive_lists(site: Site, script: str, per_page: int, cards: dict[str, str],
                   base_key: str) -> list[Page]:
    """Paginated month and year lists."""
    pages = []
    for (year, month), slugs in site.months.items():
        pages += _lists(script, "month", (year, month), slugs, per_page, cards, base_key,
                        lambda p, y=year, m=month: urls.month(script, y, m, p))
    for year, slugs in _years(site).items():
        pages += _lists(script, "year", (year,), slugs, per_page, cards, base_key,
                        lambda p, y=year: urls.year(script, y, p))
    return pages


def _indexes(site: Site, script: str, base_key: str) -> list[Page]:
    """tags/, categories/ and archive/ overviews."""
    pages = []
    for kind, terms, url in (("tags", site.tags, urls.tags_index(script)),
                             ("categories", site.categories, urls.categories_index(script))):
        key = digest([base_key, kind, script]
                     + [f"{_term_id(t)}:{len(t.slugs)}" for t in terms.values()])
        pages.append(Page(urls.file_path(url), PageKind(kind), script, PageKind(kind).template, (),
                          key))
    counts = [f"{y}-{m}:{len(s)}" for (y, m), s in site.months.items()]
    pages.append(Page(urls.file_path(urls.archive(script)), PageKind.ARCHIVE, script,
                      PageKind.ARCHIVE.template, (),
                      digest([base_key, "archive", script] + counts)))
    return pages


def _feeds(site: Site, script: str, feed_items: int, cards: dict[str, str],
           base_key: str) -> list[Page]:
    """The site feed and every tag feed of a script."""
    pages = [Page(urls.feed(script), PageKind.FEED, script, "", (None,),
                  _feed_key(base_key, script, None, site.order[:feed_items], cards))]
    for key, term in site.tags.items():
        pages.append(Page(urls.file_path(urls.tag_feed(script, term.segments[script])), PageKind.FEED,
                          script, "", (key,),
                          _feed_key(base_key, script, term, term.slugs[:feed_items], cards)))
    return pages
