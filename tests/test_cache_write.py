"""The parse cache written by two processes reads back whole (bodies and stubs)."""
from pathlib import Path

from generator import cache as cache_mod
from generator.build import build
from generator.cache import Cache

from build_helpers import article, make_site


def test_cache_written_in_parallel_reads_back_every_body(tmp_path: Path, monkeypatch) -> None:
    files = {f"content/a{n:02d}.md": article(f"標題{n}", f"2025-01-{n + 1:02d}", body=f"第{n}篇正文。")
             for n in range(12)}
    config = make_site(tmp_path, files)
    monkeypatch.setattr(cache_mod, "PARALLEL_WRITE", 1)  # fork even for a dozen articles
    build(config, out_dir=tmp_path / "out", workers_count=1)
    loaded = Cache.load(config.cache_dir)
    assert len(loaded.articles) == 12
    bodies = {a.path: a.versions["hans"].body_html for a in loaded.hydrate(loaded.articles.values()).values()}
    assert bodies == {f"content/a{n:02d}.md": f"<p>第{n}篇正文。</p>\n" for n in range(12)}
