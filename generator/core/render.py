"""Page -> bytes: templates for HTML pages, generators for feeds, sitemap and the rest."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote

from generator.core import company_pages, contexts, feeds, urls
from generator.core.contexts import Contexts, SiteText
from generator.core.model import LANGS, SCRIPTS, Page, PageKind, Site


# kinds whose pages list one term's (or company's) articles: params[0] names it
_TERM_KINDS = frozenset({"tag", "category", "company"})

# (template name, context) -> bytes: the theme's Jinja templates (generator.io.templates)
RenderTemplate = Callable[[str, dict[str, Any]], bytes]


class Renderer:
    """Renders any planned page of one site.

    Templates and copied files come through `render_template` and `read_file`, given by the
    build, so that this module opens no file itself.
    """

    def __init__(self, site: Site, text: SiteText, render_template: RenderTemplate,
                 read_file: Callable[[str], bytes], pages: list[Page], feed_items: int) -> None:
        self.site, self.text = site, text
        self.render_template, self.read_file = render_template, read_file
        self.contexts = Contexts(site, text)
        self.pages = pages
        self.feed_items = feed_items
        # sitemap lastmod per list (see _lastmod)
        self._lastmods: dict[tuple, datetime | None] = {}
        # the files made without a template, by kind
        self._makers = {PageKind.FEED: self._feed, PageKind.SITEMAP: self._sitemap,
                        PageKind.ROBOTS: self._robots, PageKind.NOJEKYLL: self._nojekyll,
                        PageKind.CNAME: self._cname, PageKind.STATIC: self._static,
                        PageKind.COMPANY_FEED: self._company_feed}

    def render(self, page: Page) -> bytes:
        """The bytes of one output file."""
        if page.template:
            return self.render_template(page.template, self.contexts.context(page))
        return self._makers[page.kind](page)

    def _feed(self, page: Page) -> bytes:
        """An Atom feed: the site's (full text) or a tag's (summaries)."""
        script, (term_key,) = page.script, page.params
        ui = self.text.ui[script]
        if term_key is None:
            slugs, title, page_url = self.site.order, self.text.titles[script], urls.home(script)
            self_url, full = urls.feed(script), True
        else:
            term = self.site.tags[term_key]
            slugs, page_url = term.slugs, urls.tag(script, term.segments[script])
            title = f"{self.text.titles[script]}: {term.names[script]}"
            self_url, full = urls.tag_feed(script, term.segments[script]), False
        head = feeds.Feed(title=title, subtitle=ui.get("feed_title", ""), lang=LANGS[script],
                          self_url=self.contexts.absolute(self_url),
                          page_url=self.contexts.absolute(page_url), base_url=self.text.base_url,
                          author=self.text.publisher[script])
        return feeds.atom(head, [self._entry(s, script, full) for s in slugs[:self.feed_items]])

    def _company_feed(self, page: Page) -> bytes:
        """A company's Atom feed."""
        return company_pages.company_feed(self, page)

    def entry(self, slug: str, script: str, full: bool) -> feeds.Entry:
        """One feed entry of an article (full text or summary)."""
        return self._entry(slug, script, full)

    def _entry(self, slug: str, script: str, full: bool) -> feeds.Entry:
        """One feed entry of an article."""
        art = self.site.articles[slug]
        ver = art.versions[script]
        return feeds.Entry(
            title=ver.title, url=self.contexts.absolute(urls.article(script, slug)),
            published=art.date, updated=art.updated, summary=ver.summary,
            content_html=ver.body_html if full else "",
            categories=tuple(self.site.tags[k].names[script] for k in art.tag_keys),
            authors=ver.authors or art.authors)

    def _sitemap(self, page: Page) -> bytes:
        """Every indexable HTML page (all list pages too) with its hreflang alternates, the same
        set as in the pages' heads (x-default included), and a lastmod from the content."""
        groups: dict[tuple, dict[str, str]] = {}
        for p in self.pages:
            if p.kind == PageKind.COMPANY and not self.site.companies.views[p.params[0]].slugs:
                continue  # noindex: a company no article names yet
            if p.template and (p.script is not None or p.kind == "root"):
                groups.setdefault((p.kind, p.params), {})[p.script] = _url_of(p.path)
        return feeds.sitemap(self._sitemap_urls(groups))

    def _sitemap_urls(self, groups: dict[tuple, dict[str, str]]) -> Iterator[feeds.SitemapUrl]:
        """The sitemap's <url> entries, one at a time (feeds.sitemap encodes each as it comes:
        a list of them all was the largest thing a 50,000-article build held)."""
        for (kind, params), by_script in groups.items():
            if kind == "root":
                by_home = {s: urls.home(s) for s in SCRIPTS}
                alternates = self.contexts.hreflang(by_home, contexts.x_default(kind, params))
            else:
                alternates = self.contexts.hreflang(by_script, contexts.x_default(kind, params))
            pairs = tuple((a["hreflang"], a["href"]) for a in alternates)
            when = self._lastmod(kind, params)
            for url in by_script.values():
                yield feeds.SitemapUrl(self.contexts.absolute(url), when, pairs)

    def _lastmod(self, kind: str, params: tuple) -> datetime | None:
        """Newest change of what a page shows: the article, or the newest article it lists.

        Every page of a list has its whole list's date, so it is computed once per list:
        per page, the 500 home pages of 10,000 articles each took the newest of all 10,000
        (5 million dates, seconds of the sitemap's one worker)."""
        # the list a page belongs to: its parameters without (page number, page count)
        ident = (kind, params if kind == "article" else params[:1] if kind in _TERM_KINDS
                 else params[:-2] if kind in ("year", "month") else ())
        if ident not in self._lastmods:
            self._lastmods[ident] = self._newest(kind, params)
        return self._lastmods[ident]

    def _newest(self, kind: str, params: tuple) -> datetime | None:
        """Newest change of the articles a page of this kind and these parameters shows."""
        site = self.site
        if kind == "article":
            slugs: tuple[str, ...] | list[str] = (params[0],)
        elif kind == "tag":
            slugs = site.tags[params[0]].slugs
        elif kind == "category":
            slugs = site.categories[params[0]].slugs
        elif kind == "company":
            slugs = site.companies.views[params[0]].slugs
        elif kind in ("year", "month"):
            slugs = [s for key, ss in site.months.items() if key[:len(params) - 2] == params[:-2]
                     for s in ss]
        else:
            slugs = site.order
        return max((site.articles[s].updated or site.articles[s].date for s in slugs), default=None)

    def _robots(self, page: Page) -> bytes:
        """robots.txt."""
        return feeds.robots(self.text.base_url)

    def _nojekyll(self, page: Page) -> bytes:
        """.nojekyll (empty)."""
        return b""

    def _cname(self, page: Page) -> bytes:
        """CNAME for GitHub Pages."""
        return f"{page.params[0]}\n".encode()

    def _static(self, page: Page) -> bytes:
        """A theme or media file, copied."""
        return self.read_file(page.params[0])




def _url_of(path: str) -> str:
    """Output file path -> URL (percent-encoded), the inverse of urls.file_path."""
    url = path.removesuffix("index.html")
    return quote(url, safe="/")
