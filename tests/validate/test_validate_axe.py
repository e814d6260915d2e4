"""Zero axe-core violations (WCAG 2.1 A and AA rules) on every page kind of both builds.

Each kind in both scripts, in light and dark colour schemes; the home page again with the search
panel open on results. axe runs in Debian's Chromium, injected from the pinned npm package.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from conftest import SUBPATH, Built, node_tool, page_kinds

pytestmark = pytest.mark.validate

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCHEMES = ("light", "dark")
# a word every archive has (the sample and the generated ones both write about 華為)
QUERY = "華為"


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe.min.js of the pinned axe-core."""
    return node_tool("axe-core/axe.min.js").read_text(encoding="utf-8")


@pytest.fixture
def page_in(browser: object) -> Iterator[object]:
    """`page_in(scheme, hold_root)`: a fresh page; hold_root keeps the root chooser from leaving
    (its inline decision is taken out of the HTML as it arrives: axe needs scripts on)."""
    contexts = []

    def make(scheme: str, hold_root: bool = False) -> object:
        context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
        contexts.append(context)
        if hold_root:
            context.route(lambda url: url.endswith("/" + SUBPATH), _without_inline_script)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _without_inline_script(route: object) -> None:
    """The root chooser as served, less its inline (src-less) script."""
    response = route.fetch()
    body = re.sub(r"<script>.*?</script>", "", response.text(), count=1, flags=re.DOTALL)
    route.fulfill(response=response, body=body)


def violations(page: object, axe: str) -> list[str]:
    """'rule (impact): n nodes, e.g. selector' for each violation on the page as it is now."""
    options = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
    result = page.evaluate(f"o => {{ {axe}; return axe.run(document, o); }}", options)
    return [f"{v['id']} ({v['impact']}): {len(v['nodes'])} nodes, e.g. {json.dumps(v['nodes'][0]['target'])}"
            for v in result["violations"]]


def test_every_page_kind_has_no_violation(archive: Built, page_in: object, axe_source: str) -> None:
    found = []
    for scheme in SCHEMES:
        page, held = page_in(scheme), page_in(scheme, hold_root=True)
        for script in ("hant", "hans"):
            for kind, path in page_kinds(archive, script).items():
                tab = held if kind == "root" else page
                tab.goto(archive.page_url(path), wait_until="load")
                assert tab.url == archive.page_url(path), f"{kind} went on to {tab.url}"
                found += [f"{scheme} {script} {kind}: {v}" for v in violations(tab, axe_source)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_open_search_panel_has_no_violation(sample: Built, page_in: object, axe_source: str,
                                            scheme: str) -> None:
    page = page_in(scheme)
    page.goto(sample.page_url("zh-hant/"), wait_until="load")
    page.fill("#search-input", QUERY)
    page.wait_for_selector(".search-results li", timeout=15000)
    assert page.is_visible(".search-panel")
    assert violations(page, axe_source) == []
