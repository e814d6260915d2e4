"""Site + companies.yml -> the company index: each company's articles, months and the
companies named alongside it; unknown ids are errors, titles naming an unlisted company
warnings (pure)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from generator.core import company_match
from generator.core.companies import Companies, Company
from generator.core.errors import SiteError
from generator.core.model import SCRIPTS, Article, Site

ALONGSIDE = 8


class DescriptionConverter(Protocol):
    """The part of generator.core.chinese.Converter descriptions need."""

    def convert_many(self, script: str, pieces: list[str]) -> list[str]: ...
    def normalise_many(self, script: str, pieces: list[str]) -> tuple[list[str], list[list[Any]]]: ...


@dataclass(frozen=True)
class CompanyView:
    """One company as its pages show it."""

    company: Company
    # published slugs naming it, newest first
    slugs: tuple[str, ...]
    # ((year, month), articles) oldest first, every month from the first to the last
    months: tuple[tuple[tuple[int, int], int], ...]
    # (id, articles naming both) most first
    alongside: tuple[tuple[str, int], ...]
    # {script: the description converted}
    descriptions: dict[str, str]


@dataclass(frozen=True)
class CompanyIndex:
    """Every company of companies.yml, A–Z by id, with its view."""

    registry: Companies
    views: dict[str, CompanyView]

    def view(self, cid: str) -> CompanyView:
        """The view of one company."""
        return self.views[cid]


def describe(companies: Companies, converter: DescriptionConverter,
             detect: Callable[[str], str | None]) -> dict[str, dict[str, str]]:
    """{id: {script: description}} as articles are converted: in the script it is written in,
    the other script's characters normalised (generator.core.residue); in the other script,
    converted. One OpenCC call per script and kind for all companies."""
    written = [c for c in companies.items if c.description]
    out = {c.id: {s: "" for s in SCRIPTS} for c in companies.items}
    for script in SCRIPTS:
        own, other = [], []
        for c in written:
            (own if (detect(c.description) or script) == script else other).append(c)
        normalised = converter.normalise_many(script, [c.description for c in own])[0]
        converted = converter.convert_many(script, [c.description for c in other])
        for company, text in (*zip(own, normalised), *zip(other, converted)):
            out[company.id][script] = text
    return out


def index_companies(site: Site, companies: Companies,
                    descriptions: dict[str, dict[str, str]]) -> tuple[CompanyIndex, list[SiteError]]:
    """The index, and an error per article naming an unknown id; `descriptions` are
    `describe`'s."""
    by_id = companies.by_id
    errors: list[SiteError] = []
    slugs: dict[str, list[str]] = {cid: [] for cid in by_id}
    together: dict[str, Counter] = {cid: Counter() for cid in by_id}
    for slug in site.order:
        art = site.articles[slug]
        known = [cid for cid in art.companies if cid in by_id]
        for cid in art.companies:
            if cid not in by_id:
                errors.append(SiteError(f"companies: unknown company {cid!r}", art.path,
                                        art.companies_line, _hint(companies)))
        for cid in known:
            slugs[cid].append(slug)
            together[cid].update(other for other in known if other != cid)
    views = {}
    for cid in sorted(by_id):
        company = by_id[cid]
        views[cid] = CompanyView(
            company=company, slugs=tuple(slugs[cid]),
            months=_months([site.articles[s].date for s in slugs[cid]]),
            alongside=tuple(sorted(together[cid].items(), key=lambda kv: (-kv[1], kv[0]))[:ALONGSIDE]),
            descriptions=descriptions[cid])
    return CompanyIndex(companies, views), errors


def _hint(companies: Companies) -> str:
    """What to do about an unknown id."""
    if not companies.items:
        return "add the company to companies.yml (named by `companies:` in site.yml)"
    return "use an id from companies.yml or add the company there"


def _months(dates: list) -> tuple[tuple[tuple[int, int], int], ...]:
    """Articles per month, oldest first, months without articles included."""
    if not dates:
        return ()
    counts = Counter((d.year, d.month) for d in dates)
    (y, m), last = min(counts), max(counts)
    out = []
    while (y, m) <= last:
        out.append(((y, m), counts.get((y, m), 0)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return tuple(out)


def unlisted_in_titles(site: Site, companies: Companies, matcher: company_match.Matcher,
                       fold: Callable[[str], str],
                       memo: dict[tuple, list[str]] | None = None) -> list[str]:
    """A warning per article whose title names a known company its `companies:` leaves out.

    A strong form in the title (a name of three or more characters, a ticker with its
    exchange) is enough. A weak one (華為, 小米, a bare code) can be a common word, so like
    import detection it needs a second hit: the summary must name the company too. Only
    those articles' summaries are folded (one converter call).

    `memo` (kept by the caller for one matcher) holds each article's warnings by what they
    depend on, so a rebuild looks again only at the articles that changed; it is pruned to
    the articles of `site`."""
    if not companies.items:
        return []
    memo = {} if memo is None else memo
    keys = {slug: _title_key(site.articles[slug]) for slug in site.order}
    todo = [site.articles[slug] for slug in site.order if keys[slug] not in memo]
    fresh = _title_warnings(todo, companies, matcher, fold)
    for art in todo:
        memo[keys[art.slug]] = fresh.get(art.slug, [])
    live = set(keys.values())
    for key in [k for k in memo if k not in live]:
        del memo[key]
    return [w for slug in site.order for w in memo[keys[slug]]]


def _title_key(art: Article) -> tuple:
    """What an article's title warnings depend on."""
    version = art.versions[art.script]
    return (art.path, art.companies_line, art.script, version.title, version.summary, art.companies)


def _title_warnings(arts: list[Article], companies: Companies, matcher: company_match.Matcher,
                    fold: Callable[[str], str]) -> dict[str, list[str]]:
    """{slug: its warnings} for the articles whose title names an unlisted company."""
    titles = company_match.fold_all(fold, [a.versions[a.script].title for a in arts])
    named: list[tuple[Article, list[str]]] = []
    weak: list[tuple[Article, dict[str, list[int]]]] = []
    for art, title in zip(arts, titles):
        hits = {cid: h for cid, h in company_match.mentions(matcher, title).items()
                if cid not in art.companies}
        named.append((art, [cid for cid, h in hits.items() if h[0] or h[1] >= 2]))
        if any(not h[0] and h[1] < 2 for h in hits.values()):
            weak.append((art, hits))
    summaries = company_match.fold_all(fold, [a.versions[a.script].summary for a, _ in weak])
    seconded = {art.slug: [cid for cid, h in hits.items() if not h[0] and h[1] < 2
                           and cid in company_match.mentions(matcher, summary)]
                for (art, hits), summary in zip(weak, summaries)}
    by_id = companies.by_id
    return {art.slug: [f"{art.path}:{art.companies_line}: the title names "
                       f"{by_id[cid].names[art.script]} but companies: leaves out {cid} (add it?)"
                       for cid in ids + seconded.get(art.slug, [])]
            for art, ids in named if ids or seconded.get(art.slug)}


def page_months(view: CompanyView) -> int:
    """How many months the timeline spans."""
    return len(view.months)
