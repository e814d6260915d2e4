"""Incremental rebuilds, tested as Hugo does: edit one file, count the pages re-rendered."""
import shutil

from build_helpers import THEME_MIN, article, make_site, snapshot

from generator.build import build
from generator.core.errors import BuildFailed
from generator.core import urls
from generator.core.contexts import Contexts
from generator.core.model import PageKind
from generator.core.plan import article_shows
from generator.io.cache import DiskCache
from generator.io.converters import converter_for
from generator.stages.render import site_text

# Three articles sharing one tag, 2 per page: home, tag and year lists have two pages.
FILES = {
    "content/a.md": article("甲", "2025-01-01", "[騰訊]", summary="摘要甲"),
    "content/b.md": article("乙", "2025-01-02", "[騰訊]", summary="摘要乙"),
    "content/c.md": article("丙", "2025-01-03", "[騰訊]", summary="摘要丙"),
}


def first_build(tmp_path):
    config = make_site(tmp_path / "site", FILES)
    out, cache = tmp_path / "out", DiskCache.memory()
    build(config, out_dir=out, cache=cache)
    return config, out, cache


def rewrite(config, name: str, text: str) -> None:
    (config.root / name).write_text(text, encoding="utf-8")


def test_body_edit_rerenders_the_pages_that_show_the_article(tmp_path):
    config, out, cache = first_build(tmp_path)
    rewrite(config, "content/b.md", FILES["content/b.md"].replace("正文。", "新的正文。"))
    report = build(config, out_dir=out, cache=cache, changed={"content/b.md"})
    # per script: b, its neighbours a and c, home p1, tag p1, year p1, month p1, site feed,
    # tag feed = 9 (the sitemap shows URLs and dates only: not re-rendered)
    assert report.rendered == 2 * 9
    # but only b's pages and the full-text site feeds changed bytes
    assert sorted(report.written_paths) == [
        "zh-hans/articles/b/index.html", "zh-hans/feed.xml",
        "zh-hant/articles/b/index.html", "zh-hant/feed.xml"]


def test_title_edit_rewrites_lists_and_neighbours(tmp_path):
    config, out, cache = first_build(tmp_path)
    rewrite(config, "content/a.md", FILES["content/a.md"].replace("title: 甲", "title: 甲二"))
    report = build(config, out_dir=out, cache=cache)
    written = set(report.written_paths)
    assert "zh-hant/articles/b/index.html" in written          # a is b's previous article
    assert "zh-hant/page/2/index.html" in written              # a is on home page 2
    assert "zh-hant/index.html" not in written                 # home page 1 shows b and c
    assert (out / "zh-hans/articles/a/index.html").read_text().count("甲二") >= 1


def test_template_change_rerenders_everything_but_writes_only_changed_bytes(tmp_path):
    config, out, cache = first_build(tmp_path)
    theme = tmp_path / "theme"
    shutil.copytree(THEME_MIN, theme)
    (theme / "templates" / "404.html").write_text("<p>{{ page_title }} 找不到</p>\n")
    config = make_site(tmp_path / "site", {}, theme_dir=str(theme))
    report = build(config, out_dir=out, cache=cache)
    static = [p for p in snapshot(out) if p.startswith("static/")]
    # every page depends on the templates except theme files and .nojekyll
    assert report.rendered == report.pages - len(static) - 1
    assert report.written_paths == ("404.html",)


def test_new_article_adds_its_pages(tmp_path):
    config, out, cache = first_build(tmp_path)
    rewrite(config, "content/d.md", article("丁", "2025-01-04", "[格力]"))
    report = build(config, out_dir=out, cache=cache)
    assert (out / "zh-hant/articles/d/index.html").is_file()
    assert (out / "zh-hans/tags/格力/feed.xml").is_file()
    assert report.removed == 0


def test_rebuild_without_cache_reads_output_to_skip_unchanged_files(tmp_path):
    config, out, _ = first_build(tmp_path)
    before = {p: (out / p).stat().st_mtime_ns for p in snapshot(out)}
    report = build(config, out_dir=out, cache=DiskCache.memory())
    assert report.written == 0
    assert {p: (out / p).stat().st_mtime_ns for p in snapshot(out)} == before


def test_disk_cache_loads_bodies_only_for_pages_that_show_them(tmp_path):
    config = make_site(tmp_path / "site", FILES)
    out = tmp_path / "out"
    build(config, out_dir=out)
    rewrite(config, "content/a.md", FILES["content/a.md"].replace("title: 甲", "title: 甲二"))
    report = build(config, out_dir=out)  # a fresh disk-backed cache, as a new process has
    assert "zh-hant/articles/b/index.html" in report.written_paths
    after = (out / "zh-hant/articles/b/index.html").read_text()
    assert '<div class="body"><p>正文。</p>' in after and "甲二" in after
    assert "\0" not in after
    assert build(config, out_dir=out).rendered == 0


def test_deleted_or_edited_output_file_is_restored(tmp_path):
    config = make_site(tmp_path / "site", FILES)
    out = tmp_path / "out"
    build(config, out_dir=out)
    good = (out / "zh-hant/articles/a/index.html").read_bytes()
    (out / "zh-hant/articles/a/index.html").unlink()
    (out / "zh-hans/index.html").write_text("edited by hand")
    report = build(config, out_dir=out)
    assert sorted(report.written_paths) == ["zh-hans/index.html", "zh-hant/articles/a/index.html"]
    assert (out / "zh-hant/articles/a/index.html").read_bytes() == good
    assert build(config, out_dir=out).written == 0


def test_missing_bodies_file_means_parsing_again_not_a_crash(tmp_path):
    config = make_site(tmp_path / "site", FILES)
    out = tmp_path / "out"
    build(config, out_dir=out)
    for shard in config.cache_dir.glob("bodies-*.pickle"):
        shard.unlink()
    rewrite(config, "content/a.md", FILES["content/a.md"].replace("title: 甲", "title: 甲二"))
    report = build(config, out_dir=out)
    assert any("parsed everything again" in w for w in report.warnings)
    assert "甲二" in (out / "zh-hant/articles/b/index.html").read_text()


def test_loaded_cache_switched_to_memory_still_reads_its_parts(tmp_path):
    """serve loads the disk cache, then keeps it in memory (folder = None)."""
    config = make_site(tmp_path / "site", FILES)
    build(config, out_dir=tmp_path / "out")
    cache = DiskCache.load(config.cache_dir)
    cache.folder = None
    cache.manifests.clear()
    report = build(config, out_dir=tmp_path / "preview", cache=cache)
    assert report.written == report.pages and not report.warnings
    assert '<div class="body"><p>正文。</p>' in (tmp_path / "preview/zh-hant/articles/a/index.html").read_text()
    assert not list(config.cache_dir.glob(".*"))


def test_one_edit_rewrites_at_most_two_shards(tmp_path):
    config = make_site(tmp_path / "site", FILES)
    build(config, out_dir=tmp_path / "out")
    shards = {p.name: p.stat().st_mtime_ns for p in config.cache_dir.glob("bodies-*.pickle")}
    assert len(shards) == 32  # a first build writes every shard, empty ones included
    rewrite(config, "content/b.md", FILES["content/b.md"].replace("正文。", "新的正文。"))
    build(config, out_dir=tmp_path / "out")
    after = {p.name: p.stat().st_mtime_ns for p in config.cache_dir.glob("bodies-*.pickle")}
    # the shard that gains the new version and the one that drops the old (maybe the same)
    assert 1 <= len([n for n in after if after[n] != shards.get(n)]) <= 2
    assert build(config, out_dir=tmp_path / "out").rendered == 0


def test_replanned_pages_equal_a_plan_from_scratch(tmp_path):
    """serve keeps the last index and plan; each edit's replan must equal a fresh plan."""
    from generator.core.corpus import build_site
    from generator.core.plan import plan_pages

    files = dict(FILES)
    files["content/d.md"] = article("丁", "2025-02-01", "[騰訊, 格力]", summary="摘要丁")
    files["content/e.md"] = article("戊", "2025-02-02", "[格力]", summary="摘要戊", category="科技")
    config = make_site(tmp_path / "site", files)
    out, cache = tmp_path / "out", DiskCache.memory()
    build(config, out_dir=out, cache=cache)
    edits = [
        ("content/b.md", FILES["content/b.md"].replace("正文。", "改過的正文。")),
        ("content/d.md", files["content/d.md"].replace("title: 丁", "title: 丁丁")),
        ("content/e.md", files["content/e.md"].replace("摘要戊", "新摘要")),
        ("content/a.md", FILES["content/a.md"].replace("[騰訊]", "[騰訊, 格力]")),
        ("content/c.md", FILES["content/c.md"].replace("2025-01-03", "2025-03-09")),
        ("content/f.md", article("己", "2025-03-10", "[格力]")),
    ]
    for number, (name, text) in enumerate(edits):
        before = cache.session.site.recall(config.fingerprint())
        rewrite(config, name, text)
        build(config, out_dir=out, cache=cache, changed={name})
        plan = cache.session.plan.recall(str(out.resolve()))
        kept = cache.session.site.recall(config.fingerprint())
        # text edits keep the index structure (the replan path); the others rebuild it
        assert (kept.tags is before.tags) == (number < 3), name
        fresh_site = build_site(list(cache.articles.values()), related=lambda *_: kept.related)
        fresh = plan_pages(fresh_site, per_page=config.per_page, feed_items=config.feed_items,
                           base_key=plan.settings[2], cname=config.cname)
        assert [(p.path, p.key) for p in plan.pages] == [(p.path, p.key) for p in fresh], name
        assert fresh_site.order == kept.order and fresh_site.tags == kept.tags, name


def test_deleted_article_leaves_the_disk_cache(tmp_path):
    config = make_site(tmp_path / "site", FILES)
    build(config, out_dir=tmp_path / "out")
    (config.root / "content/c.md").unlink()
    build(config, out_dir=tmp_path / "out")
    paths = sorted(a.path for a in DiskCache.load(config.cache_dir).articles.values())
    assert paths == ["content/a.md", "content/b.md"]
    assert build(config, out_dir=tmp_path / "out").rendered == 0


def test_an_article_page_links_no_article_its_key_leaves_out(tmp_path):
    # the key and the context of an article page are made from one article_shows(): an
    # article linked from the page but missing from the key would leave the page stale
    files = {f"content/{n}.md": article(title, f"2025-01-0{n}", tags)
             for n, (title, tags) in enumerate([("甲", "[騰訊]"), ("乙", "[格力]"), ("丙", "[騰訊, 格力]"),
                                                ("丁", "[比亞迪]")], 1)}
    config = make_site(tmp_path / "site", files, related=1)
    out, cache = tmp_path / "out", DiskCache.memory()
    build(config, out_dir=out, cache=cache)
    site = cache.session.site.recall(config.fingerprint())
    plan = cache.session.plan.recall(str(out.resolve()))
    contexts = Contexts(site, site_text(config, converter_for(config)))
    pages = [p for p in plan.pages if p.kind == PageKind.ARTICLE]
    assert pages
    for page in pages:
        ctx = contexts.context(page)
        linked = {item["url"] for item in ctx["related"]}
        linked |= {n["url"] for n in (ctx["prev"], ctx["next"]) if n}
        covered = {contexts.href(urls.article(page.script, s))
                   for s in article_shows(site, page.params[0]).articles() if s}
        assert linked and linked <= covered, page.path


def test_related_lists_patched_edit_by_edit_equal_a_cold_builds(tmp_path, monkeypatch):
    """A kept session patches the related lists from the edited articles alone (relate's
    _after_edits); the lists and the corpus key must be those a cold build computes."""
    from generator.stages import relate

    bodies = ["騰訊發布財報，雲業務增長。", "格力空調銷量上升，出口增長。", "騰訊雲與格力合作智能工廠。",
              "比亞迪電動車出口歐洲。", "騰訊遊戲出海，收入增長。", "格力電器發布新品空調。"]
    files = {f"content/{n}.md": article(f"標題{n}", f"2025-01-0{n + 1}", "[騰訊, 格力]" if n % 2 else "[格力]",
                                        body=body) for n, body in enumerate(bodies)}
    config = make_site(tmp_path / "site", files, related=3)
    out, cache = tmp_path / "out", DiskCache.memory()
    build(config, out_dir=out, cache=cache)
    patched = []
    real = relate._after_edits
    monkeypatch.setattr(relate, "_after_edits", lambda *a: patched.append(real(*a)) or patched[-1])
    edits = [("content/0.md", "比亞迪電動車出口歐洲，騰訊雲合作。"), ("content/3.md", "格力空調出口增長。"),
             ("content/5.md", "騰訊發布財報。")]
    for name, body in edits:
        text = (config.root / name).read_text(encoding="utf-8")
        rewrite(config, name, text.replace(text.split("---\n\n", 1)[1], body + "\n"))
        build(config, out_dir=out, cache=cache, changed={name})
        assert patched[-1] is not None, name  # the edit took the patching path
        cold = DiskCache.memory()
        build(config, out_dir=tmp_path / "cold", cache=cold)
        kept_site = cache.session.site.recall(config.fingerprint())
        cold_site = cold.session.site.recall(config.fingerprint())
        assert kept_site.related == cold_site.related, name
        assert cache.related[0] == cold.related[0] == relate.corpus_key(
            config.related, (a.digest for a in cold_site.articles.values())), name


def test_an_edit_replaces_the_files_cached_version_without_a_pass_over_the_corpus(tmp_path, monkeypatch):
    config, out, cache = first_build(tmp_path)
    retained = []
    real = DiskCache.retain
    monkeypatch.setattr(DiskCache, "retain", lambda self, live: retained.append(len(live)) or real(self, live))
    rewrite(config, "content/b.md", FILES["content/b.md"].replace("正文。", "新的正文。"))
    build(config, out_dir=out, cache=cache, changed={"content/b.md"})
    assert retained == []  # the old version left the cache when the new one came in
    versions = {a.path: a for a in cache.articles.values()}
    assert len(cache.articles) == 3 and sorted(versions) == ["content/a.md", "content/b.md", "content/c.md"]
    assert "新的正文" in versions["content/b.md"].text
    (config.root / "content/c.md").unlink()  # a deleted file still leaves by the corpus pass
    build(config, out_dir=out, cache=cache)
    assert retained and sorted(a.path for a in cache.articles.values()) == ["content/a.md", "content/b.md"]


def test_an_edit_parsed_by_a_failed_build_reaches_the_next_one(tmp_path):
    """The next index compares only the articles parsed since the last one: an article
    parsed by a build that then failed is one of them, though nothing names it again."""
    config, out, cache = first_build(tmp_path)
    rewrite(config, "content/a.md", FILES["content/a.md"].replace("正文。", "改過的正文。"))
    rewrite(config, "content/b.md", "---\ntitle: [\n---\n")  # a broken front matter
    try:
        build(config, out_dir=out, cache=cache, changed={"content/a.md", "content/b.md"})
    except BuildFailed:
        pass
    else:
        raise AssertionError("the broken front matter did not fail the build")
    rewrite(config, "content/b.md", FILES["content/b.md"])
    build(config, out_dir=out, cache=cache, changed={"content/b.md"})
    assert "改過的正文" in (out / "zh-hant/articles/a/index.html").read_text()


def test_an_edit_to_a_linked_article_is_checked_against_the_same_plan(tmp_path):
    """A preview's rebuild re-checks only the edited article's links (the plan's paths are
    the same set): a link written into it is reported, one fixed is no longer."""
    config, out, cache = first_build(tmp_path)
    rewrite(config, "content/a.md", FILES["content/a.md"].replace("正文。", "見[丁](/zh-hant/articles/d/)。"))
    report = build(config, out_dir=out, cache=cache, changed={"content/a.md"})
    assert [w for w in report.warnings if "leads to no page" in w and w.startswith("content/a.md:")]
    rewrite(config, "content/a.md", FILES["content/a.md"].replace("正文。", "見[乙](/zh-hant/articles/b/)。"))
    report = build(config, out_dir=out, cache=cache, changed={"content/a.md"})
    assert not [w for w in report.warnings if "leads to no page" in w]
