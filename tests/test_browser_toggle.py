"""A built site in a real browser: the script toggle, the remembered choice, the root chooser;
and the link checker over the same site built for a domain root and for a sub-path."""
from __future__ import annotations

import functools
import http.server
import threading
from dataclasses import dataclass
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from generator.build import build
from generator.io.config import load_config
from generator.publish.linkcheck import check_site

SITE_YML = """\
title: 测试新闻档案
description: 浏览器测试用的小档案
base_url: https://example.org/
default_script: hans
per_page: 2
search: false
"""
# Written in Simplified; the Traditional page must show TRADITIONAL_PHRASE.
SIMPLIFIED_PHRASE = "这是一篇关于医疗人工智能的报道"
TRADITIONAL_PHRASE = "這是一篇關於醫療人工智能的報道"
ARTICLES = {
    "2025/2025-11-28-medical-ai.md": f"""---
title: 医疗人工智能的新进展
date: 2025-11-28
slug: medical-ai
script: hans
tags: [医疗AI, 商汤]
category: 焦点
summary: 医院开始使用大模型辅助诊断。
---
{SIMPLIFIED_PHRASE}，新闻发布会在上海举行。

## 医院的看法

医院表示，人工智能将改变诊断流程。
""",
    "2025/2025-10-02-chip-supply.md": """---
title: 台灣晶片產業鏈的新布局
date: 2025-10-02
slug: chip-supply
script: hant
tags: [半導體, 醫療AI]
category: 產業
summary: 晶片廠擴大先進封裝產能。
---
晶片廠宣布擴大先進封裝產能，供應醫療與車用市場。
""",
    "2025/2025-08-15-model-release.md": """---
title: 商汤发布新一代大模型
date: 2025-08-15
slug: model-release
script: hans
tags: [商汤, 大模型]
category: 焦点
---
商汤发布新一代大模型，面向医疗与金融行业。
""",
}
LOCAL = "http://127.0.0.1"


def write_site(root: Path) -> Path:
    """A three-article site (two written in Simplified, one in Traditional)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.yml").write_text(SITE_YML, encoding="utf-8")
    for rel, text in ARTICLES.items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def build_site(root: Path, out_dir: Path, base_url: str) -> Path:
    """Build the site at `root` into `out_dir` for `base_url`."""
    config = load_config(root, base_url=base_url, env={})
    build(config, out_dir=out_dir)
    return out_dir


class PagesHandler(http.server.SimpleHTTPRequestHandler):
    """Serves like GitHub Pages: a missing path answers with the site's 404.html."""

    not_found_page: Path | None = None

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404 or self.not_found_page is None or not self.not_found_page.is_file():
            super().send_error(code, message, explain)
            return
        body = self.not_found_page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


@dataclass(frozen=True)
class Served:
    """A built site being served."""

    # local URL of the site, ending in its base path
    url: str
    # the build folder
    out: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Served]]:
    """`served(base_path)` builds the site for that base path and serves it locally."""
    work = tmp_path_factory.mktemp("toggle")
    root = write_site(work / "site")
    servers: list[http.server.ThreadingHTTPServer] = []

    def serve(base_path: str) -> Served:
        docroot = work / f"served{len(servers)}"
        out = docroot / base_path.strip("/") if base_path.strip("/") else docroot
        handler = functools.partial(type("Handler", (PagesHandler,), {"not_found_page": out / "404.html"}),
                                    directory=str(docroot))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        url = f"{LOCAL}:{server.server_address[1]}{base_path}"
        build_site(root, out, url)
        return Served(url, out)

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site_url(served: Callable[[str], Served]) -> str:
    """The site built for and served at a sub-path, as GitHub project pages are."""
    return served("/archive/").url


def test_toggle_switches_script_and_root_follows_the_choice(browser, site_url: str) -> None:
    # The browser asks for Simplified, so without a remembered choice `/` would go to zh-hans.
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(site_url + "zh-hans/articles/medical-ai/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert SIMPLIFIED_PHRASE in page.inner_text("main")

    page.click("a.script-toggle")
    page.wait_for_url(site_url + "zh-hant/articles/medical-ai/")
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    text = page.inner_text("main")
    assert TRADITIONAL_PHRASE in text and SIMPLIFIED_PHRASE not in text
    assert "醫療人工智能的新進展" in page.inner_text("h1")

    page.goto(site_url)
    page.wait_for_url(site_url + "zh-hant/")
    assert page.locator("html").get_attribute("lang") == "zh-Hant"

    page.click("a.script-toggle")
    page.wait_for_url(site_url + "zh-hans/")
    page.goto(site_url)
    page.wait_for_url(site_url + "zh-hans/")
    context.close()


@pytest.mark.parametrize(("locale", "script"), [("zh-TW", "hant"), ("zh-HK", "hant"), ("zh-CN", "hans"),
                                                ("zh-SG", "hans"), ("en-US", "hans")])
def test_root_follows_browser_language_then_site_default(browser, site_url: str, locale: str,
                                                         script: str) -> None:
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.goto(site_url)
    page.wait_for_url(site_url + f"zh-{script}/")
    context.close()


def test_without_javascript_the_root_and_the_toggle_are_plain_links(browser, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False, locale="zh-TW")
    page = context.new_page()
    page.goto(site_url)
    assert page.url == site_url
    hrefs = sorted(a.get_attribute("href") for a in page.locator("a[data-script]").all())
    assert hrefs == ["/archive/zh-hans/", "/archive/zh-hant/"]
    page.click("a[data-script=hant]")
    page.wait_for_url(site_url + "zh-hant/")
    page.click("a.script-toggle")
    page.wait_for_url(site_url + "zh-hans/")
    context.close()


def test_not_found_page_is_styled_at_any_depth(browser, site_url: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    response = page.goto(site_url + "zh-hant/no/such/page/")
    assert response is not None and response.status == 404
    # The stylesheet loaded (absolute URL) and its rules apply: the skip link is moved off-screen.
    assert page.evaluate("document.styleSheets.length") >= 1
    assert page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position") == "absolute"
    home = page.locator("main a").first.get_attribute("href")
    assert home is not None and home.startswith("/archive/zh-")
    context.close()


def test_skip_link_appears_on_first_tab_and_moves_focus_to_the_content(browser, site_url: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(site_url + "zh-hant/articles/chip-supply/")
    skip = page.locator("a.skip-link")
    assert skip.bounding_box()["y"] < 0
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert skip.bounding_box()["y"] >= 0
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'main'")
    context.close()


@pytest.mark.parametrize("base_path", ["/", "/archive/"])
def test_built_site_has_no_broken_links(served: Callable[[str], Served], base_path: str) -> None:
    site = served(base_path)
    assert (site.out / "zh-hant" / "articles" / "medical-ai" / "index.html").is_file()
    assert (site.out / "sitemap.xml").is_file() and (site.out / "404.html").is_file()
    assert check_site(site.out, base_path, base_url=site.url) == []
