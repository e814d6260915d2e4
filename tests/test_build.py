"""End-to-end builds of small inline sites with the minimal test theme."""
import xml.etree.ElementTree as ET

import pytest

from build_helpers import article, make_site, snapshot
from generator.build import build
from generator.io.cache import DiskCache
from generator.core.errors import BuildFailed

FILES = {
    "content/2025/a.md": article("騰訊發布新模型", "2025-01-01", "[騰訊, 人工智能]", summary="摘要甲",
                                 category="科技"),
    "content/2025/b.md": article("腾讯云扩张", "2025-01-02", "[腾讯, 雲計算]", summary="摘要乙"),
    "content/2025/c.md": article("格力電器業績", "2025-02-03", "[格力]", summary="摘要丙", slug="gree"),
    "content/2025/d.md": article("草稿", "2025-02-04", draft="true"),
}


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path / "site", FILES)


def test_full_site_in_both_scripts(site, tmp_path):
    out = tmp_path / "out"
    report = build(site, out_dir=out, cache=DiskCache.memory())
    files = snapshot(out)
    assert report.articles == 3 and report.drafts == 1
    for expected in ["index.html", "404.html", "robots.txt", "sitemap.xml", ".nojekyll",
                     "zh-hant/index.html", "zh-hans/index.html", "zh-hant/page/2/index.html",
                     "zh-hant/articles/a/index.html", "zh-hans/articles/gree/index.html",
                     "zh-hant/tags/騰訊/index.html", "zh-hans/tags/腾讯/index.html",
                     "zh-hant/tags/騰訊/feed.xml", "zh-hant/feed.xml", "zh-hant/categories/科技/index.html",
                     "zh-hant/archive/index.html", "zh-hant/archive/2025/02/index.html",
                     "zh-hans/tags/index.html"]:
        assert expected in files, expected
    assert not any("/d/" in name for name in files), "drafts are not published"
    assert "CNAME" not in files
    page = files["zh-hant/articles/b/index.html"].decode()
    assert '<html lang="zh-Hant">' in page and "<h1>騰訊雲擴張</h1>" in page
    assert '<a class="toggle" href="/zh-hans/articles/b/">' in page
    assert 'hreflang="zh-Hans" href="https://example.org/zh-hans/articles/b/"' in page
    # 騰訊 and 腾讯 are one tag: both articles list it, with the page's script spelling
    assert '<a class="tag" href="/zh-hant/tags/%E9%A8%B0%E8%A8%8A/">騰訊</a>' in page
    tag_page = files["zh-hant/tags/騰訊/index.html"].decode()
    assert tag_page.count('class="item"') == 2


def test_second_build_writes_nothing_and_output_is_identical(site, tmp_path):
    out, cache = tmp_path / "out", DiskCache.memory()
    build(site, out_dir=out, cache=cache)
    before = snapshot(out)
    again = build(site, out_dir=out, cache=cache)
    assert (again.rendered, again.written, again.removed) == (0, 0, 0)
    assert snapshot(out) == before
    # a fresh cache (new process) renders everything again but still writes nothing
    fresh = build(site, out_dir=out, cache=DiskCache.memory())
    assert (fresh.written, fresh.removed) == (0, 0) and fresh.rendered == fresh.pages
    assert snapshot(out) == before


def test_disk_cache_survives_between_builds_and_a_corrupt_one_is_ignored(site, tmp_path):
    out = tmp_path / "out"
    build(site, out_dir=out)
    assert build(site, out_dir=out).rendered == 0
    (site.cache_dir / "build.pickle").write_bytes(b"not a pickle")
    report = build(site, out_dir=out)
    assert report.written == 0
    assert any("ignored an unreadable cache" in w for w in report.warnings)


def test_sub_path_base_url_prefixes_every_link(tmp_path):
    config = make_site(tmp_path / "site", FILES, base_url="https://example.github.io/archive/")
    out = tmp_path / "out"
    build(config, out_dir=out, cache=DiskCache.memory())
    page = (out / "zh-hant/articles/a/index.html").read_text()
    assert 'href="/archive/zh-hans/articles/a/"' in page
    assert 'href="/zh-' not in page
    assert "https://example.github.io/archive/sitemap.xml" in (out / "robots.txt").read_text()


def test_cname_when_configured(tmp_path):
    config = make_site(tmp_path / "site", FILES, cname="news.example.com")
    build(config, out_dir=tmp_path / "out", cache=DiskCache.memory())
    assert (tmp_path / "out" / "CNAME").read_text() == "news.example.com\n"


def test_feeds_and_sitemap_are_valid_xml_whatever_the_text_holds(tmp_path):
    # control characters in front matter are an error (tests/test_url_safety.py); in the body
    # they are text that the feeds must still carry as valid XML
    nasty = article(r'"控制字元與 <標記> & 引號\""', "2025-03-01", "[騰訊]", summary=r'"\t"',
                    body="正文\x01含控制字元 & <b>\x1b。")
    config = make_site(tmp_path / "site", {"content/x.md": nasty})
    out = tmp_path / "out"
    build(config, out_dir=out, cache=DiskCache.memory())
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(out / "zh-hant/feed.xml").getroot()
    assert feed.find(f"{atom}entry/{atom}title").text == "控制字元與 <標記> & 引號\""
    ET.parse(out / "zh-hant/tags/騰訊/feed.xml")
    sitemap = ET.parse(out / "sitemap.xml").getroot()
    locs = [u.find("{http://www.sitemaps.org/schemas/sitemap/0.9}loc").text for u in sitemap]
    assert "https://example.org/zh-hans/articles/x/" in locs
    first = sitemap[0]
    # both scripts and x-default
    assert len(first.findall("{http://www.w3.org/1999/xhtml}link")) == 3


def test_content_errors_are_all_reported_and_output_is_untouched(site, tmp_path):
    out = tmp_path / "out"
    build(site, out_dir=out, cache=DiskCache.memory())
    before = snapshot(out)
    (site.root / "content/2025/a.md").write_text("---\ntitle: t\ndate: 2025-02-30\ntags: []\n---\nx\n")
    (site.root / "content/2025/e.md").write_text("---\ntitle: t\ncode: 000651\ntags: []\n---\nx\n")
    with pytest.raises(BuildFailed) as caught:
        build(site, out_dir=out, cache=DiskCache.memory())
    assert [str(e) for e in caught.value.errors] == [
        "content/2025/a.md:3: not a date: '2025-02-30' (day is out of range for month) "
        "(use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+08:00)",
        "content/2025/e.md:3: 000651 would be read as the number 425 (quote it)",
    ]
    assert snapshot(out) == before


def test_removed_article_removes_its_files(site, tmp_path):
    out, cache = tmp_path / "out", DiskCache.memory()
    build(site, out_dir=out, cache=cache)
    (site.root / "content/2025/c.md").unlink()
    report = build(site, out_dir=out, cache=cache)
    assert not (out / "zh-hant/articles/gree").exists()
    assert not (out / "zh-hans/tags/格力").exists()
    # per script: the article, its tag page and feed, month 2025/02, and the second pages of
    # home and of year 2025 (3 -> 2 articles at 2 per page)
    assert report.removed == 2 * 6


def test_failure_while_swapping_in_leaves_output_as_it_was(site, tmp_path, monkeypatch):
    out, cache = tmp_path / "out", DiskCache.memory()
    build(site, out_dir=out, cache=cache)
    before = snapshot(out)
    (site.root / "content/2025/a.md").write_text(FILES["content/2025/a.md"].replace("摘要甲", "新摘要"))
    import generator.io.output as output
    real, calls = output.os.link, []

    def flaky(src, dst, **kwargs):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(28, "No space left on device", str(dst))
        return real(src, dst, **kwargs)

    monkeypatch.setattr(output.os, "link", flaky)
    with pytest.raises(Exception, match="output folder was left as it was"):
        build(site, out_dir=out, cache=cache)
    monkeypatch.undo()
    assert snapshot(out) == before
    # the twin (the tree the next build starts from) may stay; no other scratch folder
    assert [p.name for p in tmp_path.glob(".out.*")] in ([], [".out.twin"]), "scratch folders are cleaned up"


def test_strict_turns_warnings_into_errors(tmp_path):
    config = make_site(tmp_path / "site", {"content/x.md": article("t", "2025-01-01", body="")})
    assert len(build(config, out_dir=tmp_path / "out", cache=DiskCache.memory()).warnings) == 1
    with pytest.raises(BuildFailed, match="the article has no body text"):
        build(config, out_dir=tmp_path / "out2", cache=DiskCache.memory(), strict=True)
    assert not (tmp_path / "out2").exists()


def test_no_change_build_with_search_on_neither_renders_nor_reindexes(tmp_path, monkeypatch):
    from generator.publish import search

    config = make_site(tmp_path / "site", {"content/a.md": article("騰訊發布財報", "2025-01-02")},
                       search=True)
    out, cache = tmp_path / "out", DiskCache.memory()
    build(config, out_dir=out, cache=cache)
    assert (out / "pagefind" / search.DATA_FILE).is_file()

    def must_not_run(*args, **kwargs):
        raise AssertionError("the search index was rebuilt although nothing changed")

    monkeypatch.setattr(search, "index_search", must_not_run)
    again = build(config, out_dir=out, cache=cache)
    assert (again.rendered, again.written, again.removed) == (0, 0, 0)
