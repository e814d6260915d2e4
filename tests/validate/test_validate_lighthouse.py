"""Lighthouse (mobile, simulated throttling): 100 for accessibility, best practices and SEO on
every page kind, and a cumulative layout shift under 0.02.

One Chrome for all pages (tools/validate/lighthouse-pages.mjs), Debian's Chromium via
CHROME_PATH. The kinds of the sample archive in the default script, plus a later page of the
generated archive's home (the sample has one page). The 404 page is noindex on purpose, so its
SEO score leaves out the is-crawlable audit. The root chooser sends the reader on to a home
page; Lighthouse audits where it lands.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import Built, node_tool, page_kinds

pytestmark = pytest.mark.validate

CATEGORIES = ("accessibility", "best-practices", "seo")
MAX_CLS = 0.02
# expected on a page that asks not to be indexed
NOINDEX_AUDITS = {"is-crawlable"}


@pytest.fixture(scope="module")
def lighthouse_results(sample: Built, generated: Built, tmp_path_factory) -> list[dict]:
    """One run over every page kind."""
    script = node_tool("lighthouse/cli/index.js").parents[3] / "lighthouse-pages.mjs"
    chromium = os.environ.get("NEWSARCHIVE_CHROMIUM") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("chromium is not installed")
    urls = [sample.page_url(p) for p in page_kinds(sample, "hant").values()]
    urls.append(generated.page_url("zh-hant/page/2/"))
    out = tmp_path_factory.mktemp("lighthouse") / "results.json"
    subprocess.run(["node", str(script), str(out), *urls], check=True, cwd=script.parent,
                   env=dict(os.environ, CHROME_PATH=chromium), timeout=600)
    return json.loads(out.read_text(encoding="utf-8"))


def test_scores_are_100(lighthouse_results: list[dict]) -> None:
    problems = []
    for result in lighthouse_results:
        assert result["error"] is None, result
        allowed = NOINDEX_AUDITS if result["url"].endswith("/404.html") else set()
        failing = [f for f in result["failing"] if f.split(":")[0] not in allowed]
        low = {c: result["scores"][c] for c in CATEGORIES if result["scores"][c] < 1}
        if failing or (low and not allowed):
            problems.append(f"{result['url']}: {low} {failing}")
    assert not problems, "\n".join(problems)


def test_layout_does_not_shift(lighthouse_results: list[dict]) -> None:
    shifts = {r["url"]: r["cls"] for r in lighthouse_results}
    assert max(shifts.values()) < MAX_CLS, shifts
