"""The parse cache written by a forked child reads back whole; kept pages are reused."""
from pathlib import Path

from generator.io import cache as cache_mod
from generator.build import build
from generator.io.cache import DiskCache

from build_helpers import article, make_site


def test_cache_written_by_a_child_reads_back_every_body(tmp_path: Path, monkeypatch) -> None:
    files = {f"content/a{n:02d}.md": article(f"標題{n}", f"2025-01-{n + 1:02d}", body=f"第{n}篇正文。")
             for n in range(12)}
    config = make_site(tmp_path, files)
    monkeypatch.setattr(cache_mod, "PARALLEL_WRITE", 1)  # a child writes, even for a dozen articles
    build(config, out_dir=tmp_path / "out", workers_count=1)
    loaded = DiskCache.load(config.cache_dir)
    assert len(loaded.articles) == 12
    bodies = {a.path: a.versions["hans"].body_html for a in loaded.hydrate(loaded.articles.values()).values()}
    assert bodies == {f"content/a{n:02d}.md": f"<p>第{n}篇正文。</p>\n" for n in range(12)}


def test_kept_pages_make_a_fresh_folder_without_rendering(tmp_path: Path, monkeypatch) -> None:
    from generator.core.render import Renderer
    from build_helpers import snapshot

    files = {f"content/a{n}.md": article(f"標題{n}", f"2025-02-{n + 1:02d}") for n in range(3)}
    config = make_site(tmp_path, files)
    first = DiskCache.load(config.cache_dir)
    first.keep_pages = True
    build(config, out_dir=tmp_path / "one", cache=first, workers_count=1)
    assert (config.cache_dir / cache_mod.PAGES_NAME).is_file()

    def refuse(self, page):
        raise AssertionError(f"rendered {page.path} although it was kept")

    monkeypatch.setattr(Renderer, "render", lambda self, page: refuse(self, page) if page.kind != "static"
                        else Path(page.params[0]).read_bytes())
    warm = DiskCache.load(config.cache_dir)
    warm.keep_pages = True
    report = build(config, out_dir=tmp_path / "two", cache=warm, workers_count=1)
    assert report.written == report.pages
    assert snapshot(tmp_path / "two") == snapshot(tmp_path / "one")
    # without keep_pages nothing is kept, so a fresh folder renders again
    plain = DiskCache.load(config.cache_dir)
    assert plain.pages == {}


def test_shards_a_failed_child_did_not_write_are_written_by_save(tmp_path: Path, monkeypatch) -> None:
    import os

    files = {f"content/b{n}.md": article(f"標題{n}", f"2025-03-{n + 1:02d}", body=f"第{n}段。") for n in range(5)}
    config = make_site(tmp_path, files)
    monkeypatch.setattr(cache_mod, "PARALLEL_WRITE", 1)
    parent, original = os.getpid(), DiskCache._write_parts

    def fail_in_child(self, todo):
        if os.getpid() != parent:
            raise OSError("disk full (in the child only)")
        original(self, todo)

    monkeypatch.setattr(DiskCache, "_write_parts", fail_in_child)
    build(config, out_dir=tmp_path / "out", workers_count=1)
    loaded = DiskCache.load(config.cache_dir)
    bodies = {a.path: a.versions["hant"].body_html for a in loaded.hydrate(loaded.articles.values()).values()}
    assert bodies == {f"content/b{n}.md": f"<p>第{n}段。</p>\n" for n in range(5)}


def test_the_related_index_released_early_reads_back_for_the_next_build(tmp_path: Path, monkeypatch) -> None:
    """A build that keeps no session writes the related-articles index from a child and drops
    it; the file holds the index of every article, and a later build in the same process
    lists the same related articles as a build from scratch."""
    files = {f"content/a{n:02d}.md": article(f"標題{n}", f"2025-01-{n + 1:02d}", "[騰訊, 晶片]" if n % 2 else "[華為]",
                                             body=f"第{n}篇正文，談晶片與手機。")
             for n in range(8)}
    config = make_site(tmp_path, files)
    monkeypatch.setattr(cache_mod, "PARALLEL_WRITE", 1)
    cache = DiskCache.load(config.cache_dir)
    build(config, out_dir=tmp_path / "out", cache=cache, workers_count=1)
    assert cache.related_index is None and not cache.related_loaded  # dropped after the index
    on_disk = DiskCache.load(config.cache_dir).related_state()
    assert on_disk is not None and len(on_disk[2]) == 8  # (setting, index, digests) of all 8
    edited = files["content/a03.md"].replace("第3篇正文", "第3篇正文，改寫過")
    (config.root / "content/a03.md").write_text(edited, encoding="utf-8")
    build(config, out_dir=tmp_path / "out", cache=cache, workers_count=1)
    fresh = DiskCache.memory()
    build(config, out_dir=tmp_path / "fresh", cache=fresh, workers_count=1)
    assert cache.related is not None and cache.related[1] == fresh.related[1]
