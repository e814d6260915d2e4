"""The company pages of a site, each with a key of exactly what it shows (pure).

Per script: the index A–Z (`/{s}/companies/`) and most recent first
(`/{s}/companies/recent/`), a profile per company (`/{s}/companies/<id>/`, paginated like
every list) and an Atom feed per company. Keys hold the company's own data (names,
tickers, website, description, parent), the names of the companies it links to, its
monthly counts and the cards of the articles on the page, so an edited article re-keys only
the pages that list it and an edited company only the pages that show it.
"""
from __future__ import annotations

from collections.abc import Sequence

from generator.core import urls
from generator.core.company_index import CompanyIndex, CompanyView
from generator.core.model import SCRIPTS, Page, PageKind, Site
from generator.core.plan import digest, pages_count

INDEX_ORDERS = ("name", "recent")


def plan_companies(site: Site, index: CompanyIndex, cards: dict[str, str], *, per_page: int,
                   feed_items: int, base_key: str) -> list[Page]:
    """Every company page of both scripts."""
    pages: list[Page] = []
    for script in SCRIPTS:
        listing = _index_key(site, index, base_key, script)
        for order in INDEX_ORDERS:
            pages.append(Page(urls.file_path(urls.companies_index(script, order)), PageKind.COMPANIES,
                              script, PageKind.COMPANIES.template, (order,),
                              digest([listing, order])))
        for cid, view in index.views.items():
            pages += _profile(index, view, script, cards, per_page, base_key)
            if not view.slugs:
                continue  # a company no article names yet: a profile (noindex), no feed
            head = [base_key, "company_feed", script, view.company.digest()]
            pages.append(Page(urls.company_feed(script, cid), PageKind.COMPANY_FEED, script, "", (cid,),
                              digest(head + [cards[s] for s in view.slugs[:feed_items]])))
    return pages


def _index_key(site: Site, index: CompanyIndex, base_key: str, script: str) -> str:
    """What the index shows: each company's names, tickers, count and latest date."""
    rows = []
    for cid, view in index.views.items():
        latest = site.articles[view.slugs[0]].date.isoformat() if view.slugs else "-"
        rows.append(f"{cid}|{view.company.names}|{view.company.tickers}|{len(view.slugs)}|{latest}")
    return digest([base_key, "companies", script] + rows)


def _profile(index: CompanyIndex, view: CompanyView, script: str, cards: dict[str, str],
             per_page: int, base_key: str) -> list[Page]:
    """The paginated profile of one company."""
    cid = view.company.id
    shown = [base_key, "company", script, view.company.digest(), repr(view.months),
             repr(view.alongside), repr(view.descriptions)]
    shown += [index.views[other].company.names[script] for other in linked(index, view)]
    head = digest(shown)
    total = pages_count(len(view.slugs), per_page)
    pages = []
    for number in range(1, total + 1):
        chunk: Sequence[str] = view.slugs[(number - 1) * per_page: number * per_page]
        pages.append(Page(urls.file_path(urls.company(script, cid, number)), PageKind.COMPANY, script,
                          PageKind.COMPANY.template, (cid, number, total),
                          digest([head, str(number), str(total)] + [cards[s] for s in chunk])))
    return pages


def linked(index: CompanyIndex, view: CompanyView) -> list[str]:
    """Ids a profile links to: parent, subsidiaries, companies named alongside."""
    company = view.company
    found = [company.parent] if company.parent else []
    found += list(index.registry.subsidiaries(company.id))
    found += [cid for cid, _ in view.alongside]
    return found


def sitemap_extra(site: Site) -> list[str]:
    """What the sitemap's key must add for company pages: each article's companies."""
    return [f"{slug}:{'|'.join(site.articles[slug].companies)}" for slug in site.order]
