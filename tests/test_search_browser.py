"""Search in a real browser: the sample archive plus a small generated one, built under a
sub-path, queried through the search box in both scripts (tests/fixtures/search_queries.yml)."""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import http.server
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from generator.build import build
from generator.io.cache import DiskCache
from generator.io.config import load_config
from generator.core.model import Site
from generator.publish.search import DATA_FILE, index_search, search_records, search_tokens, site_texts
from generator.core.corpus import build_site

pytestmark = pytest.mark.sample  # the query fixtures name the sample's articles
REPO = Path(__file__).resolve().parent.parent
MAKE_CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"
QUERIES = yaml.safe_load((REPO / "tests/fixtures/search_queries.yml").read_text(encoding="utf-8"))
GENERATED = 40
# 53 articles in shards of ~20
SHARD_SIZE = 20
BASE_URL = "https://example.github.io/archive/"


@dataclasses.dataclass
class Archive:
    """A built archive served under /archive/, with what the expectations are computed from."""

    url: str
    site: Site
    # {slug: set of index tokens}
    tokens: dict[str, set[str]]
    fold: object


def _generated(folder: Path) -> None:
    """A small generated archive: make_corpus.py when present, else simple filler articles."""
    if MAKE_CORPUS.is_file():
        subprocess.run([sys.executable, str(MAKE_CORPUS), "--n", str(GENERATED), "--out",
                        str(folder), "--flavor", "plain"], check=True, stdout=subprocess.DEVNULL)
        return
    folder.mkdir(parents=True)
    # single characters of the test words (融 資 晶 片 大 模) without the words themselves
    lines = ["金融市場的資金面保持穩定。", "晶圓廠的圖片與影片在網上流傳。", "大型企業的模式正在改變。",
             "華為與騰訊在雲計算領域競爭。", "台積電的產能利用率回升。"]
    for i in range(GENERATED):
        body = "\n\n".join(lines[(i + k) % len(lines)] * 3 for k in range(3))
        (folder / f"n{i:06d}.md").write_text(
            f"---\ntitle: 產業觀察第{i}期\ndate: 2023-{i % 12 + 1:02d}-10\ntags: [產業]\n---\n{body}\n",
            encoding="utf-8")


TWIN = "---\ntitle: 鸚鵡螺號的故事\ndate: {date}\nslug: {slug}\ntags: [海洋]\n---\n鸚鵡螺號是一艘虛構的潛艇。\n"


def _twins(folder: Path, total: int) -> None:
    """Two articles alike but for their dates, in one shard: their scores tie exactly."""
    shards = -(-total // SHARD_SIZE)
    pick = {}
    for n in range(100):
        slug = f"twin-{n}"
        pick.setdefault(int(hashlib.sha256(slug.encode()).hexdigest()[:8], 16) % shards, []).append(slug)
    older, newer = next(slugs for slugs in pick.values() if len(slugs) >= 2)[:2]
    folder.mkdir(parents=True)
    for slug, date in ((older, "2021-03-01"), (newer, "2021-09-01")):
        (folder / f"{slug}.md").write_text(TWIN.format(slug=slug, date=date), encoding="utf-8")


def with_companies(site, config):
    """The site with its company index, as the build's companies stage attaches it."""
    from generator.core.company_index import describe, index_companies
    from generator.io.companies import load_companies
    from generator.io.converters import converter_for

    converter, companies = converter_for(config), load_companies(config)
    views = describe(companies, converter, lambda text: converter.detect_script(text, "hant"))
    index, errors = index_companies(site, companies, views)
    assert errors == []
    return dataclasses.replace(site, companies=index)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """Build content/ plus the generated articles into <tmp>/serve/archive/ and serve <tmp>/serve."""
    root = tmp_path_factory.mktemp("search-site")
    shutil.copytree(REPO / "content", root / "content")
    for name in ("site.yml", "glossary.yml", "companies.yml"):
        shutil.copy(REPO / name, root / name)
    _generated(root / "content" / "generated")
    _twins(root / "content" / "twins", len(list((root / "content").rglob("*.md"))) + 2)
    config = dataclasses.replace(load_config(root, base_url=BASE_URL), search=True)
    cache = DiskCache.memory()
    serve_root = root / "serve"
    build(config, out_dir=serve_root / "archive", cache=cache, workers_count=1)
    site = with_companies(build_site(cache.articles.values(), related=lambda *_: {}), config)
    # several small shards, so every query also goes through Pagefind's index merging
    report = index_search(serve_root / "archive", site, config, shard_size=SHARD_SIZE)
    assert len(json.loads((serve_root / "archive/pagefind" / DATA_FILE).read_text("utf-8"))["shards"]) >= 2
    assert report.records == len(site.order)
    from generator.io.converters import converter_for

    converter = converter_for(config)
    tokens = {slug: set(r.content.split()) for slug, r in
              zip(site.order, search_records(site, site_texts(site, converter)))}
    handler = functools.partial(_Quiet, directory=str(serve_root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield Archive(f"http://127.0.0.1:{server.server_address[1]}/archive/", site, tokens, converter)
    finally:
        server.shutdown()
        server.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


@pytest.fixture(scope="module")
def pages(browser, archive: Archive) -> Iterator[dict[str, object]]:
    """One open home page per script, reused by every query."""
    context = browser.new_context()
    opened = {}
    for script in ("hant", "hans"):
        page = context.new_page()
        page.goto(f"{archive.url}zh-{script}/")
        page.wait_for_selector("[data-search]:not([hidden])")
        opened[script] = page
    yield opened
    context.close()


def run_query(page, query: str, *, tag: str | None = None, year: str | None = None,
              company: str | None = None) -> list[dict]:
    """Type a query (after choosing filters by key), wait for the answer, return the shown results."""
    page.locator("#search-input").focus()
    page.keyboard.press("Escape")
    if tag is not None or year is not None or company is not None:
        page.wait_for_selector("#search-year option:nth-child(2)", state="attached")
    if tag is not None:
        page.select_option("#search-tag", tag)
    if year is not None:
        page.select_option("#search-year", year)
    if company is not None:
        page.select_option("#search-company", company)
    page.locator("#search-input").fill(query)
    page.locator("#search-input").press("Enter")
    page.wait_for_function("document.querySelector('#search-results').getAttribute('aria-busy') === 'false'")
    return page.evaluate("""() => [...document.querySelectorAll('#search-results > li')].map(li => ({
        href: li.querySelector('.search-result-title').getAttribute('href'),
        title: li.querySelector('.search-result-title').textContent,
        marks: [...li.querySelectorAll('mark')].map(m => m.textContent),
        status: document.querySelector('#search-status').textContent}))""")


def slug_of(href: str) -> str:
    """The article slug of a result link."""
    return href.rstrip("/").rsplit("/", 1)[-1]


def expected_count(archive: Archive, word: str, tag: str | None, year: str | None) -> int:
    """Articles whose index tokens hold every token of the word, within the filters."""
    wanted = set(search_tokens(archive.fold.fold(word)))
    count = 0
    for slug, toks in archive.tokens.items():
        art = archive.site.articles[slug]
        if tag is not None and archive.fold.fold(tag) not in art.tag_keys:
            continue
        if year is not None and str(art.date.year) != year:
            continue
        count += wanted <= toks
    return count


@pytest.mark.parametrize("case", QUERIES, ids=[f"{q['page']}:{q['query']}" for q in QUERIES])
def test_query(case: dict, archive: Archive, pages: dict) -> None:
    script = case["page"]
    tag = archive.fold.fold(case["tag"]) if "tag" in case else None
    results = run_query(pages[script], case["query"], tag=tag, year=case.get("year"))
    if case.get("none"):
        assert results == []
        assert pages[script].locator("#search-status").text_content() in ("沒有符合的文章", "没有符合的文章")
        return
    assert results, f"no results for {case['query']}"
    assert all(r["href"].startswith(f"/archive/zh-{script}/articles/") for r in results)
    first = case.get("first", [])
    top = [slug_of(r["href"]) for r in results[:len(first)]]
    for want in first:
        assert any(s.startswith(want) for s in top), f"{want} not in the top {len(first)}: {top}"
    if "contains" in case:
        word = case["contains"]
        folded = archive.fold.fold(word)
        for r in results:
            assert any(folded in archive.fold.fold(m) for m in r["marks"]), (r["title"], r["marks"])
        total = expected_count(archive, word, case.get("tag"), case.get("year"))
        assert results[0]["status"] == f"找到 {total} 篇文章"


@pytest.mark.parametrize("script", ["hant", "hans"])
def test_company_filter_lists_the_company_articles(script: str, archive: Archive, pages: dict) -> None:
    page = pages[script]
    named = {slug for slug, art in archive.site.articles.items() if "sensetime" in art.companies}
    assert len(named) >= 2, "the sample names SenseTime in several articles"
    results = run_query(page, "", company="sensetime")
    assert {slug_of(r["href"]) for r in results} == named
    label = page.locator("#search-company option[value=sensetime]").text_content()
    assert label == f"{'商湯科技' if script == 'hant' else '商汤科技'} ({len(named)})"
    # with a query the filter narrows it: the company's articles that hold the word
    narrowed = run_query(page, "融資" if script == "hant" else "融资", company="sensetime")
    assert narrowed and {slug_of(r["href"]) for r in narrowed} <= named
    page.locator("#search-input").focus()
    page.keyboard.press("Escape")
    assert page.locator("#search-company").input_value() == ""


def test_results_are_in_the_page_script(pages: dict) -> None:
    """A Simplified query on a Traditional page shows Traditional titles, tags and excerpt."""
    page = pages["hant"]
    run_query(page, "腾讯混元")
    first = page.locator("#search-results > li").first
    assert first.locator(".search-result-title").text_content().startswith("騰訊混元大模型")
    assert "騰訊" in first.locator(".search-result-info").text_content()
    assert "<mark>騰訊</mark>" in first.locator(".search-result-excerpt").inner_html() \
        or "<mark>騰訊混元</mark>" in first.locator(".search-result-excerpt").inner_html()
    tag_href = first.locator(".search-result-tag").first.get_attribute("href")
    assert tag_href.startswith("/archive/zh-hant/tags/")


def test_keyboard_arrow_and_escape(pages: dict) -> None:
    """ArrowDown moves into the results list, Escape clears everything and returns to the box."""
    page = pages["hans"]
    results = run_query(page, "世界模型")
    assert len(results) >= 2
    page.locator("#search-input").press("ArrowDown")
    assert page.evaluate("document.activeElement.classList.contains('search-result-title')")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('href')") == results[1]["href"]
    page.keyboard.press("Escape")
    assert page.locator("#search-input").input_value() == ""
    assert page.locator("#search-results > li").count() == 0
    assert page.locator(".search-panel").is_hidden()
    assert page.evaluate("document.activeElement.id") == "search-input"


def test_ties_and_filter_only_listing_newest_first(pages: dict, archive: Archive) -> None:
    """Choosing only a tag lists its articles newest first."""
    results = run_query(pages["hant"], "", tag=archive.fold.fold("醫療AI"))
    slugs = [slug_of(r["href"]) for r in results]
    dates = [archive.site.articles[s].date for s in slugs]
    assert len(slugs) >= 5 and dates == sorted(dates, reverse=True)


def test_browser_fold_matches_the_index_fold(pages: dict, archive: Archive) -> None:
    """search.js folds every title, tag and summary of the sample archive as Converter.fold does."""
    texts = sorted({t for slug, art in archive.site.articles.items() if not slug.startswith("n0")
                    for v in art.versions.values() for t in (v.title, v.summary, *v.tags)})
    texts += ["昇騰晶片", "瞭解反覆", "華為與騰訊", "ＡＩ晶片"]
    folded = pages["hant"].evaluate(
        "texts => Promise.all(texts.map(t => window.newsarchiveSearch.fold(t)))", texts)
    mismatches = [(t, f, archive.fold.fold(t)) for t, f in zip(texts, folded) if f != archive.fold.fold(t)]
    assert not mismatches
    assert len(texts) > 40


def test_equal_scores_newest_first(pages: dict, archive: Archive) -> None:
    """Two articles alike but for their dates score the same; the newer one comes first."""
    results = run_query(pages["hans"], "鹦鹉螺号")
    dates = [archive.site.articles[slug_of(r["href"])].date for r in results]
    assert len(results) == 2 and dates[0] > dates[1]


def test_one_character_found_where_it_ends_a_phrase(pages: dict, archive: Archive) -> None:
    """艇 occurs only before punctuation in the twins: no bigram starts with it there."""
    results = run_query(pages["hant"], "艇")
    assert {slug_of(r["href"]) for r in results} >= {s for s in archive.site.order if s.startswith("twin-")}


def test_more_results_without_repeats(pages: dict) -> None:
    """The button adds the next page; no article shows twice."""
    page = pages["hant"]
    first = run_query(page, "大模型")
    status = page.locator("#search-status").text_content()
    total = int(status.split()[1])
    assert total > len(first) >= 10 and page.locator(".search-more").is_visible()
    page.locator(".search-more").click()
    page.wait_for_function(f"document.querySelectorAll('#search-results > li').length > {len(first)}")
    hrefs = page.evaluate("[...document.querySelectorAll('#search-results .search-result-title')]"
                          ".map(a => a.getAttribute('href'))")
    assert len(hrefs) == len(set(hrefs)) and hrefs[:len(first)] == [r["href"] for r in first]


def test_search_at_the_domain_root(browser, tmp_path: Path, static_server) -> None:
    """With base_url at a domain root the bundle, data and result links sit under /."""
    root = tmp_path / "site"
    shutil.copytree(REPO / "content", root / "content")
    for name in ("site.yml", "glossary.yml", "companies.yml"):
        shutil.copy(REPO / name, root / name)
    config = load_config(root, base_url="https://news.example.org/")
    build(config, out_dir=tmp_path / "out", cache=DiskCache.memory(), workers_count=1)
    page = browser.new_page()
    try:
        page.goto(static_server(tmp_path / "out") + "/zh-hans/")
        page.wait_for_selector("[data-search]:not([hidden])")
        results = run_query(page, "騰訊混元")
        assert [r["href"] for r in results][:1] == ["/zh-hans/articles/2024-09-18-tencent-hunyuan-cloud/"]
        assert results[0]["title"].startswith("腾讯混元")
    finally:
        page.close()
