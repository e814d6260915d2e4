"""Company pages in a real browser: the index's sort links and the article's company links."""
from __future__ import annotations

from pathlib import Path

from test_companies import _site

from generator.build import build
from generator.io.cache import DiskCache


def test_sort_links_and_article_company_links(tmp_path: Path, browser, static_server) -> None:
    config = _site(tmp_path)
    out = tmp_path / "out"
    from dataclasses import replace
    build(replace(config, base_url="http://127.0.0.1/", base_path="/"), out_dir=out, cache=DiskCache.memory())
    url = static_server(out)
    page = browser.new_page()
    try:
        page.goto(f"{url}/zh-hant/companies/")
        ids = page.locator("tr.company-row").evaluate_all("rows => rows.map(r => r.dataset.id)")
        assert ids == ["sensetime", "sensetime-healthcare", "tsmc", "xiaomi"]
        page.get_by_role("link", name="依最新報導排序").click()
        page.wait_for_url("**/zh-hant/companies/recent/")
        ids = page.locator("tr.company-row").evaluate_all("rows => rows.map(r => r.dataset.id)")
        assert ids[0] == "tsmc"
        page.get_by_role("link", name="依名稱排序").click()
        page.wait_for_url("**/zh-hant/companies/")
        page.goto(f"{url}/zh-hant/articles/c/")
        page.locator(".companies").get_by_role("link", name="台積電").click()
        page.wait_for_url("**/zh-hant/companies/tsmc/")
        assert page.locator("h1").inner_text() == "台積電"
        assert page.locator("svg.company-chart rect.bar").count() == 2
    finally:
        page.close()
