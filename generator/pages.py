"""Site -> [Page]: every URL in every script, each with an input key (pure).

A page's key is a digest of exactly what it shows (template fingerprint, settings, the
articles and terms it lists). A rebuild renders a page only when its key changed, so one
edited article re-renders its own pages, its neighbours', the lists it appears on and the
articles that list it as related, and nothing else.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from generator import urls
from generator.model import SCRIPTS, Page, Site, Term

HTML_KINDS = {"article": "article.html", "home": "list.html", "tag": "list.html",
              "category": "list.html", "year": "list.html", "month": "list.html",
              "tags": "tags.html", "categories": "categories.html", "archive": "archive.html",
              "notfound": "404.html", "root": "root.html"}


def digest(parts: Iterable[str]) -> str:
    """Short stable digest of strings."""
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).hexdigest()


def card_digests(site: Site) -> dict[str, str]:
    """{slug: digest of how the article appears in lists (both scripts)}."""
    tag_ids = {k: _term_id(t) for k, t in site.tags.items()}
    category_ids = {k: _term_id(t) for k, t in site.categories.items()}
    out = {}
    for slug, art in site.articles.items():
        parts = [art.digest] + [tag_ids[k] for k in art.tag_keys]
        if art.category_key:
            parts.append(category_ids[art.category_key])
        out[slug] = digest(parts)
    return out


def sitemap_key(site: Site, pages: list[Page], base_key: str) -> str:
    """The sitemap shows URLs and article dates only: a body or title edit leaves it alone."""
    dates = [f"{s}:{a.date.isoformat()}:{a.updated.isoformat() if a.updated else ''}"
             for s, a in site.articles.items()]
    return digest([base_key] + [p.path for p in pages] + dates)


def _term_id(term: Term) -> str:
    return "|".join([term.key] + [term.names[s] + "/" + term.segments[s] for s in SCRIPTS])


def pages_count(n: int, per_page: int) -> int:
    """Pages needed for n items (at least one, so empty lists still have a page)."""
    return max(1, -(-n // per_page))


def plan_pages(site: Site, *, per_page: int, feed_items: int, base_key: str,
               cname: str | None) -> list[Page]:
    """Every output of the site (HTML, feeds, sitemap, robots ...) in a stable order."""
    cards = card_digests(site)
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
    pages.append(Page("404.html", "notfound", None, "404.html", (), digest([base_key, "404"])))
    pages.append(Page("index.html", "root", None, "root.html", (), digest([base_key, "root"])))
    pages.append(Page("sitemap.xml", "sitemap", None, "", (), sitemap_key(site, pages, base_key)))
    pages.append(Page("robots.txt", "robots", None, "", (), digest([base_key, "robots"])))
    pages.append(Page(".nojekyll", "nojekyll", None, "", (), "empty"))
    if cname:
        pages.append(Page("CNAME", "cname", None, "", (cname,), digest([cname])))
    return pages


def _article_pages(site: Site, script: str, cards: dict[str, str], base_key: str) -> list[Page]:
    pages = []
    related, neighbours = site.related, site.neighbours
    folder = urls.article(script, "{}")  # slugs are ASCII: no escaping to undo
    for slug in site.order:
        older, newer = neighbours[slug]
        shown = [base_key, "article", script, slug, cards[slug]]
        shown += [cards[s] for s in related.get(slug, ())]
        shown += [cards[older] if older else "-", cards[newer] if newer else "-"]
        pages.append(Page(folder.format(slug) + "index.html", "article", script,
                          "article.html", (slug,), digest(shown)))
    return pages


def _lists(script: str, kind: str, ident: tuple, slugs: Sequence[str], per_page: int,
           cards: dict[str, str], base_key: str, url_of) -> list[Page]:
    """Paginated list pages of one list; params are (ident..., page, pages)."""
    total = pages_count(len(slugs), per_page)
    # the first page's folder; later pages add page/N/ (urls._paged), so one unquote a list
    folder = urls.file_path(url_of(1)).removesuffix("index.html")
    head = [base_key, kind, script, repr(ident), "", str(total)]
    pages = []
    for number in range(1, total + 1):
        head[4] = str(number)
        chunk = slugs[(number - 1) * per_page: number * per_page]
        path = folder + (f"page/{number}/index.html" if number > 1 else "index.html")
        pages.append(Page(path, kind, script, "list.html", ident + (number, total),
                          digest(head + [cards[s] for s in chunk])))
    return pages


def _term_lists(terms: dict[str, Term], kind: str, script: str, per_page: int,
                cards: dict[str, str], base_key: str) -> list[Page]:
    make = urls.tag if kind == "tag" else urls.category
    pages = []
    for key, term in terms.items():
        pages += _lists(script, kind, (key, _term_id(term)), term.slugs, per_page, cards, base_key,
                        lambda p, seg=term.segments[script]: make(script, seg, p))
    return pages


def _archive_lists(site: Site, script: str, per_page: int, cards: dict[str, str],
                   base_key: str) -> list[Page]:
    years: dict[int, list[str]] = {}
    pages = []
    for (year, month), slugs in site.months.items():
        years.setdefault(year, []).extend(slugs)
        pages += _lists(script, "month", (year, month), slugs, per_page, cards, base_key,
                        lambda p, y=year, m=month: urls.month(script, y, m, p))
    for year, slugs in years.items():
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
        pages.append(Page(urls.file_path(url), kind, script, HTML_KINDS[kind], (), key))
    counts = [f"{y}-{m}:{len(s)}" for (y, m), s in site.months.items()]
    pages.append(Page(urls.file_path(urls.archive(script)), "archive", script, "archive.html", (),
                      digest([base_key, "archive", script] + counts)))
    return pages


def _feeds(site: Site, script: str, feed_items: int, cards: dict[str, str],
           base_key: str) -> list[Page]:
    newest = site.order[:feed_items]
    pages = [Page(urls.feed(script), "feed", script, "", (None,),
                  digest([base_key, "feed", script] + [cards[s] for s in newest]))]
    for key, term in site.tags.items():
        shown = [cards[s] for s in term.slugs[:feed_items]]
        pages.append(Page(urls.file_path(urls.tag_feed(script, term.segments[script])), "feed",
                          script, "", (key,),
                          digest([base_key, "tagfeed", script, _term_id(term)] + shown)))
    return pages
