"""Contexts, chart and feed of the company pages, and the company parts of article pages (pure).

The timeline is an inline SVG drawn here (no JavaScript): one bar per month with articles,
its height `count * unit`, with the same numbers in a table for screen readers and text
browsers.
"""
from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from generator.core import feeds, urls
from generator.core.company_index import CompanyView
from generator.core.company_plan import linked
from generator.core.model import LANGS, SCRIPTS, Article, Page

CHART_HEIGHT = 120
BAR_WIDTH = 14
BAR_GAP = 4
CHART_PAD = 24


def _index(ctx_builder) -> Any:
    """The site's CompanyIndex."""
    return ctx_builder.site.companies


def company_link(ctx_builder, cid: str, script: str) -> dict[str, str]:
    """{id, name, url} of a company in a script."""
    company = _index(ctx_builder).views[cid].company
    return {"id": cid, "name": company.names[script],
            "url": ctx_builder.href(urls.company(script, cid))}


def article_companies(ctx_builder, art: Article, script: str) -> list[dict[str, str]]:
    """Links to an article's companies (none on a site without companies.yml)."""
    if _index(ctx_builder) is None:
        return []
    return [company_link(ctx_builder, cid, script) for cid in art.companies]


def about(ctx_builder, art: Article, script: str) -> list[dict[str, Any]]:
    """schema.org Organizations an article is about."""
    if _index(ctx_builder) is None:
        return []
    found = []
    for cid in art.companies:
        company = _index(ctx_builder).views[cid].company
        found.append({"@type": "Organization", "name": company.names[script],
                      "url": ctx_builder.absolute(urls.company(script, cid))})
    return found


def _row(ctx_builder, view: CompanyView, script: str) -> dict[str, Any]:
    """One company in the index."""
    site = ctx_builder.site
    latest = site.articles[view.slugs[0]].date if view.slugs else None
    return dict(company_link(ctx_builder, view.company.id, script),
                tickers=list(view.company.tickers), count=len(view.slugs),
                latest=latest, latest_iso=ctx_builder_iso(latest), latest_text=_date_text(latest))


def ctx_builder_iso(when) -> str:
    """ISO date-time with offset, or ""."""
    return when.isoformat(timespec="seconds") if when else ""


def _date_text(when) -> str:
    """2025年11月28日."""
    return f"{when.year}年{when.month}月{when.day}日" if when else ""


def index_context(ctx_builder, page: Page) -> dict[str, Any]:
    """Context of the companies index in one order ("name" or "recent")."""
    script, (order,) = page.script, page.params
    ui = ctx_builder.text.ui[script]
    heading = ui["companies_heading"]
    ctx = ctx_builder.common(script, urls.companies_index(script, order),
                             {s: urls.companies_index(s, order) for s in SCRIPTS},
                             page_title=heading, description=None, current="companies")
    rows = [_row(ctx_builder, v, script) for v in _index(ctx_builder).views.values()]
    rows.sort(key=lambda r: r["id"])
    if order == "recent":
        # newest latest article first (the instant, not the text), companies without any last
        rows.sort(key=lambda r: -r["latest"].timestamp() if r["latest"] else float("inf"))
    ctx.update(heading=heading, order=order, companies=rows,
               orders=[{"order": o, "label": ui[f"companies_by_{o}"], "current": o == order,
                        "url": ctx_builder.href(urls.companies_index(script, o))}
                       for o in ("name", "recent")])
    return ctx


def profile_context(ctx_builder, page: Page) -> dict[str, Any]:
    """Context of one page of a company's profile."""
    script, cid = page.script, page.params[0]  # (id, page number, pages): list_context pages
    view = _index(ctx_builder).views[cid]
    company = view.company
    ctx = ctx_builder.list_context(page, view.slugs, company.names[script],
                                   lambda s, n: urls.company(s, cid, n), "companies",
                                   description=view.descriptions[script] or None)
    parent = company_link(ctx_builder, company.parent, script) if company.parent else None
    subs = [company_link(ctx_builder, c, script) for c in _index(ctx_builder).registry.subsidiaries(cid)]
    ctx["company"] = {
        "id": cid, "name": company.names[script],
        "other_name": company.names[SCRIPTS[1] if script == SCRIPTS[0] else SCRIPTS[0]],
        "aliases": [pair[0] if script == "hant" else pair[1] for pair in company.aliases],
        "tickers": list(company.tickers), "website": company.website,
        "description": view.descriptions[script], "parent": parent, "subsidiaries": subs,
        "count": len(view.slugs),
        "alongside": [dict(company_link(ctx_builder, c, script), count=n) for c, n in view.alongside],
        "months": [{"label": f"{y}年{m}月", "count": n} for (y, m), n in view.months],
        "chart": chart_svg(view, ctx_builder.text.ui[script]),
        "feed_url": ctx_builder.href(urls.company_feed(script, cid)) if view.slugs else None,
    }
    if not view.slugs:
        # a registry entry no article names yet: nothing of the archive's to index
        ctx.update(noindex=True, alternates=[])
    ctx["jsonld"] = organization_jsonld(ctx_builder, view, script, parent)
    return ctx


def chart_svg(view: CompanyView, ui: dict[str, str]) -> str:
    """Articles per month as an inline SVG bar chart ("" when there are none)."""
    if not view.months:
        return ""
    top = max(n for _, n in view.months)
    unit = (CHART_HEIGHT - CHART_PAD) / top
    width = CHART_PAD + len(view.months) * (BAR_WIDTH + BAR_GAP)
    base = CHART_HEIGHT - 16
    title = escape(ui["company_chart_title"].replace("{count}", str(sum(n for _, n in view.months))))
    out = [f'<svg class="company-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
           f'aria-labelledby="chart-title" viewBox="0 0 {width} {CHART_HEIGHT}" '
           f'width="{width}" height="{CHART_HEIGHT}" preserveAspectRatio="xMinYMin meet">',
           f'<title id="chart-title">{title}</title>',
           f'<line class="axis" x1="{CHART_PAD - 2}" y1="{base}" x2="{width}" y2="{base}"/>',
           f'<text class="tick" x="0" y="{base - top * unit + 4:.1f}">{top}</text>']
    for i, ((year, month), n) in enumerate(view.months):
        x = CHART_PAD + i * (BAR_WIDTH + BAR_GAP)
        if n:
            height = n * unit
            label = quoteattr(f"{year}-{month:02d}: {n}")
            out.append(f'<rect class="bar" x="{x}" y="{base - height:.2f}" width="{BAR_WIDTH}" '
                       f'height="{height:.2f}" data-month="{year}-{month:02d}" data-count="{n}">'
                       f'<title>{escape(label[1:-1])}</title></rect>')
        if month == 1 or i == 0:
            out.append(f'<text class="tick" x="{x}" y="{CHART_HEIGHT - 2}">{year}</text>')
    out.append("</svg>")
    return "".join(out)


def organization_jsonld(ctx_builder, view: CompanyView, script: str,
                        parent: dict[str, str] | None) -> str:
    """schema.org Organization JSON-LD, safe inside <script>."""
    company = view.company
    other = company.names[SCRIPTS[1] if script == SCRIPTS[0] else SCRIPTS[0]]
    forms = [other] + [p[0] if script == "hant" else p[1] for p in company.aliases]
    alternate = [n for n in dict.fromkeys(forms) if n != company.names[script]]
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "Organization",
        "name": company.names[script], "inLanguage": LANGS[script],
        "url": ctx_builder.absolute(urls.company(script, company.id)),
    }
    if alternate:
        data["alternateName"] = alternate
    if company.tickers:
        data["tickerSymbol"] = list(company.tickers)
    if company.website:
        data["sameAs"] = [company.website]
    if company.description:
        data["description"] = view.descriptions[script]
    if parent:
        data["parentOrganization"] = {"@type": "Organization", "name": parent["name"],
                                      "url": ctx_builder.absolute(urls.company(script, parent["id"]))}
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def company_feed(renderer, page: Page) -> bytes:
    """A company's Atom feed (summaries, newest first)."""
    script, (cid,) = page.script, page.params
    view = renderer.site.companies.views[cid]
    ctx = renderer.contexts
    head = feeds.Feed(title=f"{renderer.text.titles[script]}: {view.company.names[script]}",
                      subtitle=renderer.text.ui[script].get("feed_title", ""), lang=LANGS[script],
                      self_url=ctx.absolute(urls.company_feed(script, cid)),
                      page_url=ctx.absolute(urls.company(script, cid)),
                      base_url=renderer.text.base_url, author=renderer.text.publisher[script])
    entries = [renderer.entry(s, script, False) for s in view.slugs[:renderer.feed_items]]
    return feeds.atom(head, entries)


def linked_ids(ctx_builder, cid: str) -> list[str]:
    """Ids a company's profile links to."""
    index = _index(ctx_builder)
    return linked(index, index.views[cid])
