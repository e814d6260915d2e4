"""Page -> template context, exactly as docs/design.md "Page contexts" describes (pure)."""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from generator.core import company_pages, urls
from generator.core.images import responsive_html, shared_image
from generator.core.model import LANGS, SCRIPTS, Article, Page, PageKind, Site, Term
from generator.core.plan import article_shows


@dataclass(frozen=True)
class SiteText:
    """Site-wide values every context needs, per script where they differ."""

    base_url: str
    base_path: str
    # {script: site title / description in that script}
    titles: dict[str, str]
    descriptions: dict[str, str]
    publisher: dict[str, str]
    default_script: str
    # {script: {ui key: text}} from the theme's ui.yml
    ui: dict[str, dict[str, str]]
    search_enabled: bool
    per_page: int
    # publisher logo: site-relative path or absolute URL (site.yml `logo`), or None
    logo: str | None = None


def date_text(when: datetime | None) -> str:
    """2025年11月28日 (the same in both scripts)."""
    return f"{when.year}年{when.month}月{when.day}日" if when else ""


def x_default(kind: str, params: tuple) -> str | None:
    """URL of a page's x-default alternate when it is not the default script's version:
    the root chooser, for itself and for the first home pages (see Contexts.hreflang)."""
    if kind == "root" or (kind == "home" and params[-2] == 1):
        return ""
    return None


def iso(when: datetime | None) -> str:
    """ISO 8601 with offset, seconds precision."""
    return when.isoformat(timespec="seconds") if when else ""


class Contexts:
    """Builds contexts for one Site; one instance per build (renderers share it)."""

    def __init__(self, site: Site, text: SiteText) -> None:
        self.site, self.text = site, text
        # list entries by (slug, script): an article appears on ~8 list pages
        self._items: dict[tuple[str, str], dict[str, Any]] = {}
        # tag and category links by (kind, key, script)
        self._links: dict[tuple[str, str, str], dict[str, str]] = {}
        # the context of each HTML page kind
        self._builders = {
            PageKind.ARTICLE: self._article, PageKind.HOME: self._home, PageKind.TAG: self._tag,
            PageKind.CATEGORY: self._category, PageKind.YEAR: self._year,
            PageKind.MONTH: self._month, PageKind.TAGS: self._tags,
            PageKind.CATEGORIES: self._categories, PageKind.ARCHIVE: self._archive,
            PageKind.NOTFOUND: self._notfound, PageKind.ROOT: self._root,
            PageKind.COMPANIES: self._companies, PageKind.COMPANY: self._company}

    # ------------------------------------------------------------------ common parts

    def href(self, url: str) -> str:
        """In-page link (generator.core.urls is the one URL authority)."""
        return urls.href(self.text.base_path, url)

    def absolute(self, url: str) -> str:
        """Canonical link."""
        return urls.absolute(self.text.base_url, url)

    def asset(self, path: str) -> str:
        """URL of a theme static file."""
        return urls.href(self.text.base_path, "static/" + path.lstrip("/"))

    def hreflang(self, urls_by_script: dict[str, str], fallback: str | None = None
                 ) -> list[dict[str, str]]:
        """Alternates of a page in both scripts plus x-default (the page for readers of neither).

        x-default is the root chooser for the home pages (it sends readers to one of them) and
        the default script's version for every other page; the same set goes in every version's
        <head> and in the sitemap, so each alternate names all the others (reciprocal)."""
        found = [{"lang": LANGS[s], "hreflang": LANGS[s], "href": self.absolute(urls_by_script[s])}
                 for s in SCRIPTS if s in urls_by_script]
        default = fallback if fallback is not None else urls_by_script.get(self.text.default_script)
        if default is not None:
            found.append({"lang": "x-default", "hreflang": "x-default", "href": self.absolute(default)})
        return found

    def common(self, script: str, url: str, urls_by_script: dict[str, str], *,
               page_title: str, description: str | None, current: str | None,
               fallback: str | None = None) -> dict[str, Any]:
        """What every HTML page gets."""
        other = SCRIPTS[1] if script == SCRIPTS[0] else SCRIPTS[0]
        ui = self.text.ui[script]
        summary = description if description is not None else self.text.descriptions[script]
        return {
            "site": {"title": self.text.titles[script], "description": self.text.descriptions[script],
                     "base_url": self.text.base_url, "base_path": self.text.base_path,
                     "publisher": self.text.publisher[script]},
            "script": script, "lang": LANGS[script], "ui": ui,
            "page_title": page_title,
            "description": summary,
            "url": self.href(url), "canonical": self.absolute(url), "noindex": False,
            "alternates": self.hreflang(urls_by_script, fallback),
            "og": self.open_graph("website", page_title, summary, url, None),
            "other": {"script": other, "lang": LANGS[other],
                      "label": self.text.ui[other].get("script_label", LANGS[other]),
                      "url": self.href(urls_by_script[other])},
            "nav": self.nav(script, current),
            "asset": self.asset, "feed_url": self.href(urls.feed(script)),
            "root_url": self.text.base_path, "search_enabled": self.text.search_enabled,
            # the search box's company filter goes with the Companies link of `nav`
            "search_companies": self.site.companies is not None,
        }

    def nav(self, script: str, current: str | None) -> list[dict[str, Any]]:
        """Main navigation; `current` is the section of the page."""
        ui = self.text.ui[script]
        items = (("home", urls.home(script)), ("tags", urls.tags_index(script)),
                 ("categories", urls.categories_index(script)), ("archive", urls.archive(script)))
        if self.site.companies is not None:
            items = items[:1] + (("companies", urls.companies_index(script)),) + items[1:]
        return [{"title": ui.get(name, name), "url": self.href(url), "current": name == current}
                for name, url in items]

    # ------------------------------------------------------------------ per kind

    def context(self, page: Page) -> dict[str, Any]:
        """The context of one HTML page."""
        return self._builders[page.kind](page)

    def _article(self, page: Page) -> dict[str, Any]:
        """Context of an article page."""
        script, (slug,) = page.script, page.params
        art = self.site.articles[slug]
        ver = art.versions[script]
        url = urls.article(script, slug)
        ctx = self.common(script, url, {s: urls.article(s, slug) for s in SCRIPTS},
                          page_title=ver.title, description=ver.summary or None, current=None)
        shown = article_shows(self.site, slug)
        ctx["article"] = {
            "title": ver.title, "url": self.href(url), "date": art.date,
            "date_iso": iso(art.date), "date_text": date_text(art.date),
            "updated_iso": iso(art.updated), "updated_text": date_text(art.updated),
            "authors": list(ver.authors or art.authors), "tags": self.tag_links(art, script),
            "category": self.category_link(art, script), "summary": ver.summary,
            "lead_summary": repeats_lead(ver.summary, ver.body_html),
            "body_html": responsive_html(ver.body_html, self.site.images, self.text.base_path),
            "source": self.source(art, script),
            "syndicated": [{"name": s.name or s.url or "", "url": s.url, "date_text": date_text(s.date)}
                           for s in art.syndicated],
            "extra": dict(art.extra),
            "companies": company_pages.article_companies(self, art, script),
        }
        ctx["related"] = [{"title": self.site.articles[s].versions[script].title,
                           "url": self.href(urls.article(script, s)),
                           "date_text": date_text(self.site.articles[s].date)}
                          for s in shown.related]
        ctx["prev"] = self.neighbour(shown.older, script)
        ctx["next"] = self.neighbour(shown.newer, script)
        first = next((f.src for f in art.figures if f.src), None)
        image = self.site_image(shared_image(first, self.site.images))
        ctx["article"]["modified_iso"] = iso(art.updated or art.date)
        ctx["og"] = self.open_graph("article", ver.title, ver.summary, url, image)
        ctx["jsonld"] = self.jsonld(art, script, url, image)
        return ctx

    def open_graph(self, kind: str, title: str, description: str | None, url: str,
                   image: str | None) -> dict[str, Any]:
        """Open Graph (and twitter:card) values of a page; the logo stands in for a missing image."""
        picture = image or self.logo_url()
        return {"type": kind, "title": title, "description": description or "",
                "url": self.absolute(url), "image": picture,
                "card": "summary_large_image" if image else "summary"}

    def logo_url(self) -> str | None:
        """Absolute URL of the publisher logo, or None."""
        return self.absolute_media(self.text.logo)

    def site_image(self, src: str | None) -> str | None:
        """Absolute URL of an image the site itself serves; None for other hosts' images
        (structured data must not promise an image the site cannot vouch for)."""
        if not src:
            return None
        if src.startswith(("http://", "https://", "//")):
            url = self.absolute_media(src)
            return url if url.startswith(self.text.base_url) else None
        return self.absolute_media(src)  # root-relative: under base_url, as the body links it

    def neighbour(self, slug: str | None, script: str) -> dict[str, str] | None:
        """{title, url} of a neighbouring article, or None."""
        if slug is None:
            return None
        return {"title": self.site.articles[slug].versions[script].title,
                "url": self.href(urls.article(script, slug))}

    def absolute_media(self, src: str | None) -> str | None:
        """Absolute URL of an image (root-relative ones are under base_url)."""
        if not src:
            return None
        if src.startswith(("http://", "https://")):
            return src
        if src.startswith("//"):
            return "https:" + src
        return urls.absolute(self.text.base_url, src.lstrip("/"))

    def source(self, art: Article, script: str) -> dict[str, Any] | None:
        """{name, url, published} of the original publication, the name in `script`."""
        if art.source is None:
            return None
        name = art.versions[script].source_name or art.source.name
        return {"name": name, "url": art.source.url,
                "published": date_text(art.source.published)}

    def tag_links(self, art: Article, script: str) -> list[dict[str, str]]:
        """[{name, url}] of an article's tags in a script."""
        return [self.term_link(self.site.tags[k], script, urls.tag) for k in art.tag_keys]

    def category_link(self, art: Article, script: str) -> dict[str, str] | None:
        """{name, url} of an article's category, or None."""
        if not art.category_key:
            return None
        return self.term_link(self.site.categories[art.category_key], script, urls.category)

    def term_link(self, term: Term, script: str, make) -> dict[str, str]:
        """{name, url} of a tag or category (built once per build; templates only read it)."""
        ident = (make.__name__, term.key, script)
        found = self._links.get(ident)
        if found is None:
            found = self._links[ident] = {"name": term.names[script],
                                          "url": self.href(make(script, term.segments[script]))}
        return found

    def jsonld(self, art: Article, script: str, url: str, image: str | None) -> str:
        """NewsArticle JSON-LD, safe inside <script> (no '<', '>' or '&' unescaped)."""
        ver = art.versions[script]
        data: dict[str, Any] = {
            "@context": "https://schema.org", "@type": "NewsArticle",
            "headline": ver.title[:110], "datePublished": iso(art.date),
            "dateModified": iso(art.updated or art.date),
            "inLanguage": LANGS[script], "mainEntityOfPage": self.absolute(url), "url": self.absolute(url),
            "publisher": self.organization(script),
            "keywords": [self.site.tags[k].names[script] for k in art.tag_keys],
        }
        if ver.summary:
            data["description"] = ver.summary
        if art.companies and self.site.companies is not None:
            data["about"] = company_pages.about(self, art, script)
        if image:
            data["image"] = [image]
        if art.authors:
            data["author"] = [{"@type": "Person", "name": a} for a in ver.authors or art.authors]
        else:
            data["author"] = self.organization(script)
        text = json.dumps(data, ensure_ascii=False, sort_keys=True)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    def organization(self, script: str) -> dict[str, Any]:
        """The publisher as a schema.org Organization: name, home URL and logo when set."""
        found: dict[str, Any] = {"@type": "Organization", "name": self.text.publisher[script],
                                 "url": self.absolute(urls.home(script))}
        logo = self.logo_url()
        if logo:
            found["logo"] = {"@type": "ImageObject", "url": logo}
        return found

    def item(self, slug: str, script: str) -> dict[str, Any]:
        """One entry of a list page (built once per build; templates only read it)."""
        found = self._items.get((slug, script))
        if found is None:
            found = self._items[(slug, script)] = self._make_item(slug, script)
        return found

    def _make_item(self, slug: str, script: str) -> dict[str, Any]:
        """One list entry, built."""
        art = self.site.articles[slug]
        ver = art.versions[script]
        return {"title": ver.title, "url": self.href(urls.article(script, slug)),
                "date_text": date_text(art.date), "date_iso": iso(art.date), "summary": ver.summary,
                "tags": self.tag_links(art, script), "category": self.category_link(art, script)}

    def _list(self, page: Page, slugs: tuple[str, ...], heading: str, url_of, current: str | None,
              description: str | None = None) -> dict[str, Any]:
        """Context of one page of a paginated list."""
        script = page.script
        number, total = page.params[-2], page.params[-1]
        per_page = self.text.per_page
        ctx = self.common(script, url_of(script, number), {s: url_of(s, number) for s in SCRIPTS},
                          page_title=heading, description=description, current=current,
                          fallback=x_default(page.kind, page.params))
        chunk = slugs[(number - 1) * per_page: number * per_page]
        ctx.update(kind=page.kind, heading=heading, items=[self.item(s, script) for s in chunk],
                   pagination={
                       "page": number, "pages": total,
                       "prev_url": self.href(url_of(script, number - 1)) if number > 1 else None,
                       "next_url": self.href(url_of(script, number + 1)) if number < total else None,
                       "first_url": self.href(url_of(script, 1))})
        return ctx

    def list_context(self, page: Page, slugs: tuple[str, ...], heading: str, url_of,
                     current: str | None, description: str | None = None) -> dict[str, Any]:
        """Context of one page of a paginated list (for the company pages)."""
        return self._list(page, slugs, heading, url_of, current, description)

    def _companies(self, page: Page) -> dict[str, Any]:
        """Context of the companies index (A–Z or most recent first)."""
        return company_pages.index_context(self, page)

    def _company(self, page: Page) -> dict[str, Any]:
        """Context of a company profile page."""
        return company_pages.profile_context(self, page)

    def _home(self, page: Page) -> dict[str, Any]:
        """Context of a home page."""
        return self._list(page, self.site.order, self.text.titles[page.script], urls.home, "home")

    def _tag(self, page: Page) -> dict[str, Any]:
        """Context of a tag page."""
        term = self.site.tags[page.params[0]]
        return self._list(page, term.slugs, term.names[page.script],
                          lambda s, n: urls.tag(s, term.segments[s], n), "tags")

    def _category(self, page: Page) -> dict[str, Any]:
        """Context of a category page."""
        term = self.site.categories[page.params[0]]
        return self._list(page, term.slugs, term.names[page.script],
                          lambda s, n: urls.category(s, term.segments[s], n), "categories")

    def _year(self, page: Page) -> dict[str, Any]:
        """Context of a year page."""
        year = page.params[0]
        slugs = tuple(s for (y, _), ss in self.site.months.items() if y == year for s in ss)
        heading = self.text.ui[page.script].get("year_label", "{year} 年").replace("{year}", str(year))
        return self._list(page, slugs, heading, lambda s, n: urls.year(s, year, n), "archive")

    def _month(self, page: Page) -> dict[str, Any]:
        """Context of a month page."""
        year, month = page.params[0], page.params[1]
        return self._list(page, self.site.months[(year, month)], f"{year}年{month}月",
                          lambda s, n: urls.month(s, year, month, n), "archive")

    def _terms(self, page: Page, terms: dict[str, Term], make, index, heading_key: str,
               current: str) -> dict[str, Any]:
        """Context of the tags or categories overview."""
        script = page.script
        heading = self.text.ui[script].get(heading_key, current)
        ctx = self.common(script, index(script), {s: index(s) for s in SCRIPTS},
                          page_title=heading, description=None, current=current)
        ordered = sorted(terms.values(), key=lambda t: (-len(t.slugs), t.names[script]))
        ctx["terms"] = [dict(self.term_link(t, script, make), count=len(t.slugs)) for t in ordered]
        return ctx

    def _tags(self, page: Page) -> dict[str, Any]:
        """Context of the tags overview."""
        return self._terms(page, self.site.tags, urls.tag, urls.tags_index, "all_tags", "tags")

    def _categories(self, page: Page) -> dict[str, Any]:
        """Context of the categories overview."""
        return self._terms(page, self.site.categories, urls.category, urls.categories_index,
                           "all_categories", "categories")

    def _archive(self, page: Page) -> dict[str, Any]:
        """Context of the archive overview."""
        script = page.script
        heading = self.text.ui[script].get("archive_heading", "archive")
        ctx = self.common(script, urls.archive(script), {s: urls.archive(s) for s in SCRIPTS},
                          page_title=heading, description=None, current="archive")
        years: dict[int, dict[str, Any]] = {}
        for (y, m), slugs in self.site.months.items():
            entry = years.setdefault(y, {"year": y, "url": self.href(urls.year(script, y)),
                                         "count": 0, "months": []})
            entry["count"] += len(slugs)
            entry["months"].append({"month": m, "label": f"{m}月",
                                    "url": self.href(urls.month(script, y, m)), "count": len(slugs)})
        ctx["years"] = list(years.values())
        return ctx

    def _notfound(self, page: Page) -> dict[str, Any]:
        """Context of 404.html (default script)."""
        script = self.text.default_script
        title = self.text.ui[script].get("not_found_title", "404")
        ctx = self.common(script, "404.html", {s: urls.home(s) for s in SCRIPTS},
                          page_title=title, description=None, current=None)
        # served for any missing path: never indexed, no alternates; the default theme leaves
        # the canonical link out when noindex (`canonical` stays a URL for other themes)
        ctx.update(noindex=True, alternates=[])
        return ctx

    def _root(self, page: Page) -> dict[str, Any]:
        """Context of the root chooser."""
        script = self.text.default_script
        ctx = self.common(script, "", {s: urls.home(s) for s in SCRIPTS},
                          page_title=self.text.titles[script], description=None, current=None,
                          fallback=x_default(page.kind, page.params))
        ctx["scripts"] = [{"script": s, "lang": LANGS[s], "label": self.text.ui[s].get("script_label", LANGS[s]),
                           "url": self.href(urls.home(s))} for s in SCRIPTS]
        ctx["root_targets"] = {s["script"]: s["url"] for s in ctx["scripts"]}
        return ctx


_TAG = re.compile(r"<[^>]+>")
_FIGURE = re.compile(r"<figure\b.*?</figure>", re.S)
_NOT_WORD = re.compile(r"[\W_]+")


def repeats_lead(summary: str, body_html: str) -> bool:
    """True when the summary is the body's opening again (its first sentence, or a cut prefix
    of it): the theme then does not show it above the text it repeats."""
    folded = _NOT_WORD.sub("", summary.removesuffix("…")).lower()
    if len(folded) < 4:
        return False
    opening = _FIGURE.sub("", body_html[:8 * len(summary) + 4000])
    text = _NOT_WORD.sub("", html.unescape(_TAG.sub("", opening))).lower()
    return text.startswith(folded)

