"""Search indexing: tokens, plain text, the fold table, records, and the index on disk."""
from __future__ import annotations

import dataclasses
import gzip
import json
import threading
from pathlib import Path

import pytest

from generator.build import build
from generator.io.cache import DiskCache
from generator.io.config import load_config
from generator.core.chinese import Converter, parse_glossary
from generator.io.converters import open_converter
from generator.core.errors import SiteError
from generator.publish.search import (DATA_FILE, SEARCH_DIR, TITLE_WEIGHT, Background, SearchReport,
                              article_record, article_text, fold_table,
                              index_search, index_tokens, plain_text, plan_shards, record_id,
                              record_json, search_tokens)
from generator.core.corpus import build_site

GLOSSARY = """\
- {hant: 華為, hans: 华为}
- {hant: 台積電, hans: 台积电}
- {hant: 晶片, hans: 芯片}
"""
SITE = {
    "site.yml": "title: 測試\ndescription: 測試站\nbase_url: https://example.org/sub/\n"
                "glossary: glossary.yml\nsearch: true\n",
    "glossary.yml": GLOSSARY,
    "content/2024/a.md": "---\ntitle: 華為發布新晶片\ndate: 2024-05-01\nscript: hant\n"
                         "tags: [華為, 晶片]\nsummary: 華為的新款晶片。\n---\n"
                         "華為今天發布<新款>晶片，著名分析師認為[融資](https://example.com/x)不是問題。\n",
    "content/2025/c.md": "---\ntitle: 台积电扩产\ndate: 2025-02-03\nscript: hans\n"
                         "tags: [台积电, 芯片]\n---\n台积电表示芯片需求强劲。\n\n## 产能\n\n- 先进封装\n- 金融资料\n",
}


def make_site(root: Path, files: dict[str, str] = SITE) -> Path:
    """Write a site from an inline file map."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def converter() -> Converter:
    return open_converter(None, parse_glossary(GLOSSARY))


@pytest.fixture
def built(tmp_path: Path):
    """(config, out_dir, site) of the inline site, built with search on."""
    config = load_config(make_site(tmp_path / "site"))
    cache = DiskCache.memory()
    out = tmp_path / "out"
    report = build(config, out_dir=out, cache=cache, workers_count=1)
    return config, out, build_site(cache.articles.values(), related=lambda *_: {}), report


# ---------------------------------------------------------------------------- pure parts


@pytest.mark.parametrize("folded, tokens", [
    ("华为昇腾芯片", ["华为", "为昇", "昇腾", "腾芯", "芯片"]),
    ("融资", ["融资"]),
    ("华", ["华"]),
    ("ai芯片 2025年", ["ai", "芯片", "2025", "年"]),
    ("「世界模型」，大模型。", ["世界", "界模", "模型", "大模", "模型"]),
    ("gpt-4o 与 cvpr_2026", ["gpt", "4o", "与", "cvpr", "2026"]),
    ("", []),
])
def test_search_tokens(folded: str, tokens: list[str]) -> None:
    assert search_tokens(folded) == tokens


def test_index_tokens_add_each_runs_last_character() -> None:
    assert search_tokens("华为昇腾，芯片", index=True) == ["华为", "为昇", "昇腾", "腾", "芯片", "片"]
    assert search_tokens("华", index=True) == ["华"]


@pytest.mark.parametrize("folded", ["华为发布新芯片", "a华b为c", "5g手机，华为 mate60 发布。大", "", "片"])
def test_index_tokens_are_the_index_search_tokens(folded: str) -> None:
    assert sorted(index_tokens(folded)) == sorted(search_tokens(folded, index=True))


def test_plain_text_keeps_words_whole_and_blocks_apart() -> None:
    html = ('<p>商湯<a href="/x">醫療</a>完成<strong>融資</strong></p>\n<h2 id="h">標題 &amp; 小結</h2>'
            '<ul>\n<li>一</li>\n<li>二</li>\n</ul><figure><figcaption>圖一</figcaption></figure>')
    assert plain_text(html) == "商湯醫療完成融資\n標題 & 小結\n一\n二\n圖一"


def test_fold_table_characters_and_phrases(converter: Converter) -> None:
    texts = ["華為昇騰晶片", "乾隆年間", "瞭解", "华为芯片", "ABC"]
    table = fold_table([(t, converter.fold(t)) for t in texts], converter)
    assert table.chars["華"] == "华" and table.chars["為"] == "为"
    assert table.chars["昇"] == "升" and table.chars["騰"] == "腾"
    assert "华" not in table.chars and "A" not in table.chars  # ASCII lower-casing is the browser's
    # the glossary folds 晶片 to 芯片 though neither character changes on its own
    assert table.phrases["晶片"] == "芯片"
    # OpenCC keeps 乾 in 乾隆 while the lone character folds to 干; 瞭 changes only in 瞭解
    assert table.chars["乾"] == "干" and table.phrases["乾隆"] == "乾隆"
    assert "瞭" not in table.chars and table.phrases["瞭解"] == "了解"


def test_fold_table_phrases_reproduce_the_full_fold(converter: Converter) -> None:
    """Applying phrases (longest first) then characters gives Converter.fold, as search.js does."""
    texts = ["華為昇騰晶片著名", "台積電的晶片產能", "乾隆年間的乾燥天氣", "反覆瞭解頭髮"]
    table = fold_table([(t, converter.fold(t)) for t in texts], converter)
    longest = max(map(len, table.phrases), default=0)
    for text in texts:
        out, i = [], 0
        while i < len(text):
            for n in range(min(longest, len(text) - i), 1, -1):
                if text[i:i + n] in table.phrases:
                    out.append(table.phrases[text[i:i + n]])
                    i += n
                    break
            else:
                out.append(table.chars.get(text[i], text[i].lower()))
                i += 1
        assert "".join(out) == converter.fold(text)


def test_article_record(built, converter: Converter) -> None:
    _, _, site, _ = built
    record = article_record(site.articles["a"], site, article_text(site.articles["a"], converter), "3")
    assert record.url == "zh-hant/articles/a/"
    # Pagefind indexes every meta field as words: only short fields go there
    assert record.meta == {"date": "2024-05-01", "r": f"3/{record_id('a')}"}
    view = record.view
    assert view["hans"]["url"] == "zh-hans/articles/a/"
    assert view["hant"]["title"] == "華為發布新晶片"
    assert view["hans"]["title"] == "华为发布新芯片"
    assert view["date"] == "2024-05-01" and view["date_text"] == "2024年5月1日"
    assert view["hans"]["tags"] == [["华为", "zh-hans/tags/%E5%8D%8E%E4%B8%BA/"],
                                    ["芯片", "zh-hans/tags/%E8%8A%AF%E7%89%87/"]]
    # excerpts come from these: the page's own script, links and markup gone
    assert "华为今天发布<新款>芯片，著名分析师认为融资不是问题。" in view["hans"]["text"]
    assert view["hant"]["text"].startswith("華為的新款晶片。\n")
    assert json.loads(record_json(record)) == view
    assert record.filters == {"tag": ["华为", "芯片"], "year": ["2024"]}
    assert record.sort == {"date": "2024-05-01"}
    tokens = record.content.split()
    assert tokens[:7] == ["华为", "为发", "发布", "布新", "新芯", "芯片", "片"]
    assert tokens.count("发布") == TITLE_WEIGHT + 1  # title weighted, plus once in the body
    assert "融资" in tokens and "金融" not in tokens


# ---------------------------------------------------------------------------- on disk


def test_index_written_and_skipped_when_current(built) -> None:
    config, out, site, report = built
    folder = out / SEARCH_DIR
    assert report.extra["search"].records == 2 and not report.extra["search"].skipped
    for name in ("0/pagefind.js", "0/pagefind-entry.json", "0/pagefind-worker.js", DATA_FILE):
        assert (folder / name).is_file(), name
    assert sorted(p.name for p in folder.iterdir()) == ["0", DATA_FILE]
    assert not list(folder.rglob("pagefind-ui*")) and not list(folder.rglob("*highlight*"))
    assert len(list((folder / "0/fragment").iterdir())) == 2
    records = folder / "0/r"
    assert sorted(p.name for p in records.iterdir()) == sorted(f"{record_id(s)}.json.gz" for s in "ac")
    view = json.loads(gzip.decompress((records / f"{record_id('a')}.json.gz").read_bytes()))
    assert view["hant"]["title"] == "華為發布新晶片" and view["hans"]["url"] == "zh-hans/articles/a/"
    data = json.loads((folder / DATA_FILE).read_text(encoding="utf-8"))
    shard = data["shards"][0]
    assert shard["chars"]["華"] == "华" and shard["phrases"]["晶片"] == "芯片"
    assert data["tags"]["华为"] == {"hant": "華為", "hans": "华为"}
    stamps = {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}
    again = index_search(out, site, config)
    assert again.skipped and again.written == 0
    assert stamps == {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_index_follows_content_and_removes_stale_files(built) -> None:
    config, out, site, _ = built
    folder = out / SEARCH_DIR / "0"
    before = set(p.name for p in (folder / "fragment").iterdir())
    (config.root / "content/2025/c.md").unlink()
    report = build(config, out_dir=out, cache=DiskCache.memory(), workers_count=1)
    search = report.extra["search"]
    assert search.records == 1 and not search.skipped and search.removed >= 1
    after = set(p.name for p in (folder / "fragment").iterdir())
    assert len(after) == 1 and after <= before
    assert not list(out.parent.glob(".out.search-*"))  # the staging folder is gone


def test_plan_shards_is_stable_and_balanced(built) -> None:
    _, _, site, _ = built
    assert plan_shards(site, 2000) == [["c", "a"]]
    assert plan_shards(site, 1) == [["a"], ["c"]]


def test_shards_reindex_only_what_changed(built) -> None:
    """With one article per shard, an edit re-indexes its shard and leaves the other alone."""
    config, out, site, _ = built
    folder = out / SEARCH_DIR
    first = index_search(out, site, config, shard_size=1)
    assert not first.skipped and sorted(p.name for p in folder.iterdir()) == ["0", "1", DATA_FILE]
    shards = {n: {p.name for p in (folder / n / "fragment").iterdir()} for n in ("0", "1")}
    assert all(len(names) == 1 for names in shards.values())
    edited = dataclasses.replace(site.articles["a"], digest="edited")
    changed = dataclasses.replace(site, articles={**site.articles, "a": edited})
    stamps = {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}
    again = index_search(out, changed, config, shard_size=1)
    assert not again.skipped and again.records == 2
    touched = {p.relative_to(folder).parts[0] for p in folder.rglob("*")
               if p.is_file() and stamps.get(p) != p.stat().st_mtime_ns}
    # the data file (a new shard key) and at most the shard holding "a", never c's
    assert DATA_FILE in touched and "1" not in touched
    assert index_search(out, changed, config, shard_size=1).skipped
    # back to one shard: the second folder goes
    index_search(out, changed, config)
    assert sorted(p.name for p in folder.iterdir()) == ["0", DATA_FILE]


def test_search_off_writes_no_index(tmp_path: Path) -> None:
    files = dict(SITE, **{"site.yml": SITE["site.yml"].replace("search: true", "search: false")})
    config = load_config(make_site(tmp_path / "site", files))
    report = build(config, out_dir=tmp_path / "out", cache=DiskCache.memory(), workers_count=1)
    assert "search" not in report.extra
    assert not (tmp_path / "out" / SEARCH_DIR).exists()
    assert 'data-search' not in (tmp_path / "out/zh-hant/index.html").read_text(encoding="utf-8")


def test_config_change_rebuilds(built) -> None:
    config, out, site, _ = built
    other = dataclasses.replace(config, glossary=None)
    report = index_search(out, site, other)
    assert not report.skipped


def test_archive_without_articles_gets_an_empty_index(built) -> None:
    config, out, site, _ = built
    empty = dataclasses.replace(site, articles={}, order=(), tags={})
    report = index_search(out, empty, config)
    assert report.records == 0
    folder = out / SEARCH_DIR
    assert sorted(p.name for p in folder.iterdir()) == [DATA_FILE]
    assert json.loads((folder / DATA_FILE).read_text(encoding="utf-8"))["shards"] == []


# ---------------------------------------------------------------------------- in the background


def test_background_indexing_returns_at_once_then_catches_up(built) -> None:
    config, out, site, _ = built
    edited = dataclasses.replace(site.articles["a"], digest="edited")
    changed = dataclasses.replace(site, articles={**site.articles, "a": edited})
    data = out / SEARCH_DIR / DATA_FILE
    before = data.read_bytes()
    done: list[object] = []
    runner = Background(done.append)
    try:
        report = runner.index(out, changed, config)
        assert report.deferred and not report.skipped
        assert "background" in report.summary()
        assert runner.wait(60)
        assert len(done) == 1 and isinstance(done[0], SearchReport) and not done[0].skipped
        assert data.read_bytes() != before
        # the runner's own call finds the index current (and the build's summary says so)
        assert runner.index(out, changed, config).deferred
        assert runner.wait(60)
        assert len(done) == 2 and done[1].skipped and "current" in done[1].summary()
    finally:
        runner.close()
    assert runner.wait(1)


def test_background_runs_the_newest_waiting_job_only() -> None:
    started, gate, ran, done = threading.Event(), threading.Event(), [], []

    def job(name: str):
        def run() -> SearchReport:
            if name == "first":
                started.set()
                gate.wait(10)
            ran.append(name)
            return SearchReport(1, 0, 0, 0, 0.0, True)
        return run

    runner = Background(done.append)
    try:
        runner.submit(job("first"))
        assert started.wait(10)
        runner.submit(job("second"))
        runner.submit(job("third"))
        gate.set()
        assert runner.wait(10)
    finally:
        runner.close()
    assert ran == ["first", "third"] and len(done) == 2


def test_background_reports_a_failing_job_and_keeps_going() -> None:
    done: list[object] = []
    runner = Background(done.append)

    def broken() -> SearchReport:
        raise OSError(28, "No space left on device")

    try:
        runner.submit(broken)
        assert runner.wait(10)
        runner.submit(lambda: SearchReport(1, 0, 0, 0, 0.0, True))
        assert runner.wait(10)
    finally:
        runner.close()
    assert isinstance(done[0], SiteError) and "No space left" in str(done[0])
    assert isinstance(done[1], SearchReport)
