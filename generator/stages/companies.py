"""Companies stage: companies.yml read, every article's `companies:` checked against it, the
company index made (articles, months, companies named alongside) and attached to the Site."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from generator.core.company_index import describe, index_companies, unlisted_in_titles
from generator.core.company_match import Matcher, make_matcher
from generator.core.model import Site
from generator.core.plan import digest
from generator.io.companies import load_companies
from generator.stages.parse import ScriptDetector
from generator.stages.run import Run, fail_on


@dataclass
class CompanyState:
    """What later builds of one process reuse while companies.yml and the settings hold."""

    matcher: Matcher
    # describe()'s {id: {script: description}}
    descriptions: dict[str, dict[str, str]]
    # unlisted_in_titles' warnings per article, by what they depend on
    title_warnings: dict[tuple, list[str]] = field(default_factory=dict)


def companies_stage(run: Run, site: Site) -> Site:
    """The site with its company index (None without companies.yml or ids in articles)."""
    companies = load_companies(run.config)
    if not companies.items and not any(a.companies for a in site.articles.values()):
        return site
    converter = run.converter()
    detect = run.cache.session.detector.get(run.fingerprint,
                                            lambda: ScriptDetector(converter, run.config.default_script))
    # matching forms and converted descriptions cost 0.4 s at 500 companies: a preview
    # rebuild reuses them while the registry's text and the settings are the same
    key = digest([run.fingerprint, *(c.digest() for c in companies.items)])
    state = run.cache.session.companies.get(key, lambda: CompanyState(
        make_matcher(companies, converter.fold), describe(companies, converter, detect)))
    index, errors = index_companies(site, companies, state.descriptions)
    run.warnings.extend(unlisted_in_titles(site, companies, state.matcher, converter.fold,
                                           state.title_warnings))
    fail_on(errors, [], False)
    run.stages.lap("companies")
    return dataclasses.replace(site, companies=index)
