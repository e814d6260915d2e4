"""End to end in headless Chromium: edit on disk, the open pages (both scripts) follow by themselves.

The preview runs in-process with the real watcher; the article is open in Traditional and
Simplified at once. An edit shows up without a manual reload, a broken front matter puts
an overlay over both pages, and fixing it removes the overlay.
"""
from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.preview.serve import Preview

SITE_YML = "title: 測試存檔\nbase_url: https://example.github.io/archive/\nsearch: false\n"
ARTICLE = """\
---
title: 華為發布新晶片
date: 2025-03-01
tags: [華為, 晶片]
category: 科技
---

{body}
"""
TIMEOUT_MS = 10_000
# True once the page's live-reload script has received the server's first state event.
LIVE = "() => window.__newsarchiveLive !== undefined"


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[tuple[Preview, Path]]:
    """A watched preview of a one-article site, stopped afterwards."""
    site = tmp_path / "site"
    (site / "content/2025").mkdir(parents=True)
    (site / "site.yml").write_text(SITE_YML, encoding="utf-8")
    source = site / "content/2025/chip.md"
    source.write_text(ARTICLE.format(body="華為今日發布第一代晶片。"), encoding="utf-8")
    view = Preview(site, port=0, out=io.StringIO(), err=io.StringIO(), temp_parent=tmp_path)
    stop = threading.Event()
    loop = threading.Thread(target=view.watch, args=(stop,), kwargs={"quiet": 0.05}, daemon=True)
    try:
        assert view.start().ok
        loop.start()
        yield view, source
    finally:
        stop.set()
        if loop.is_alive():
            loop.join(timeout=2)
        view.close()
    assert not loop.is_alive()


def test_edit_overlay_and_fix_in_both_scripts(browser, watched) -> None:
    view, source = watched
    context = browser.new_context()
    try:
        hant = context.new_page()
        hans = context.new_page()
        hant.goto(view.url + "zh-hant/articles/chip/")
        hans.goto(view.url + "zh-hans/articles/chip/")
        assert "第一代晶片" in hant.text_content("body")
        assert "第一代芯片" in hans.text_content("body") or "第一代晶片" in hans.text_content("body")
        for page in (hant, hans):  # the event stream is connected before the edit
            page.wait_for_function(LIVE, timeout=TIMEOUT_MS)

        source.write_text(ARTICLE.format(body="華為今日發布第二代處理器。"), encoding="utf-8")
        hant.locator(".article-body").get_by_text("第二代處理器").wait_for(timeout=TIMEOUT_MS)
        hans.locator(".article-body").get_by_text("第二代处理器").wait_for(timeout=TIMEOUT_MS)

        source.write_text(ARTICLE.format(body="x").replace("date: 2025-03-01", "date: 2025-13-45"),
                          encoding="utf-8")
        for page in (hant, hans):
            overlay = page.locator("#__newsarchive-overlay")
            overlay.wait_for(timeout=TIMEOUT_MS)
            assert "content/2025/chip.md:3" in overlay.text_content()
            assert "第二代" in page.text_content("main")  # the last good page is underneath

        source.write_text(ARTICLE.format(body="華為今日發布第三代處理器。"), encoding="utf-8")
        for page, text in ((hant, "第三代處理器"), (hans, "第三代处理器")):
            page.locator("#__newsarchive-overlay").wait_for(state="detached", timeout=TIMEOUT_MS)
            page.locator(".article-body").get_by_text(text).wait_for(timeout=TIMEOUT_MS)
    finally:
        context.close()


def test_removed_page_goes_to_its_script_home(browser, watched) -> None:
    view, source = watched
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(view.url + "zh-hans/articles/chip/")
        page.wait_for_function(LIVE, timeout=TIMEOUT_MS)
        source.rename(source.with_name("chip-2.md"))
        page.wait_for_url(view.url + "zh-hans/", timeout=TIMEOUT_MS)
    finally:
        context.close()
