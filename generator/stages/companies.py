"""Companies stage: companies.yml read, every article's `companies:` checked against it, the
company index made (articles, months, companies named alongside) and attached to the Site."""
from __future__ import annotations

import dataclasses

from generator.core.company_index import describe, index_companies, unlisted_in_titles
from generator.core.model import Site
from generator.io.companies import load_companies
from generator.stages.parse import ScriptDetector
from generator.stages.run import Run, fail_on


def companies_stage(run: Run, site: Site) -> Site:
    """The site with its company index (None without companies.yml or ids in articles)."""
    companies = load_companies(run.config)
    if not companies.items and not any(a.companies for a in site.articles.values()):
        return site
    converter = run.converter()
    detect = run.cache.session.detector.get(run.fingerprint,
                                            lambda: ScriptDetector(converter, run.config.default_script))
    index, errors = index_companies(site, companies, describe(companies, converter, detect))
    run.warnings.extend(unlisted_in_titles(site, companies, converter.fold))
    fail_on(errors, [], False)
    run.stages.lap("companies")
    return dataclasses.replace(site, companies=index)
