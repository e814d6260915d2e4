"""The build warns when the site nears GitHub Pages' 1 GB limit and names its largest parts."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from build_helpers import article, make_site
from generator.build import build
from generator.core import site_size
from generator.core.site_size import part_of, size_warning
from generator.io.cache import DiskCache

MB = 1_000_000


def test_parts_are_top_folders_and_a_script_folders_sections():
    assert part_of("media/2024/05/a.jpg") == "media/"
    assert part_of("zh-hant/articles/2025/x/index.html") == "zh-hant/articles/"
    assert part_of("zh-hans/index.html") == "zh-hans/"
    assert part_of("sitemap.xml") == "sitemap.xml"


def test_below_the_threshold_nothing_is_said():
    assert size_warning([("media/a.jpg", 799 * MB)], "output/") is None


def test_near_the_limit_the_largest_parts_are_named_largest_first():
    sizes = [("media/2024/a.jpg", 300 * MB), ("media/2025/b.jpg", 200 * MB),
             ("zh-hant/articles/x/index.html", 180 * MB), ("zh-hans/articles/x/index.html", 150 * MB),
             ("zh-hant/tags/y/index.html", 20 * MB), ("index.html", 1)]
    warning = size_warning(sizes, "output/")
    assert warning is not None and warning.startswith("output/: the site is 850 MB, 85% of")
    assert "largest parts: media/ 500 MB, zh-hant/articles/ 180 MB, zh-hans/articles/ 150 MB (" in warning
    assert "tags" not in warning


def _largest_part(out: Path) -> str:
    """The biggest part of a built folder, counted here from the files themselves."""
    parts: Counter[str] = Counter()
    for path in out.rglob("*"):
        if path.is_file():
            parts[part_of(path.relative_to(out).as_posix())] += path.stat().st_size
    return parts.most_common(1)[0][0]


@pytest.mark.parametrize("search", [False, True])
def test_a_build_and_a_no_change_build_warn_but_never_fail_under_strict(tmp_path, monkeypatch, search):
    files = {f"content/{n}.md": article(f"騰訊新聞{n}", f"2025-01-0{n}", body="正文。" * 200) for n in range(1, 4)}
    config = make_site(tmp_path / "site", files, search=search)
    out, cache = tmp_path / "site" / "output", DiskCache.memory()
    quiet = build(config, out_dir=out, cache=cache)
    assert not [w for w in quiet.warnings if "GitHub Pages" in w]  # a small site is far below 1 GB

    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    monkeypatch.setattr(site_size, "PAGES_LIMIT", total)  # the site is now 100 % of the limit
    for report in (build(config, out_dir=out, cache=DiskCache.memory(), strict=True),
                   build(config, out_dir=out, cache=cache, strict=True)):  # a full, a no-change build
        [warning] = [w for w in report.warnings if "GitHub Pages" in w]
        # the manifest's sizes: every page the build wrote (its ownership marks aside)
        share = int(re.search(r", (\d+)% of GitHub Pages'", warning)[1])
        assert warning.startswith("output/: the site is ") and 95 <= share <= 100
        assert f"largest parts: {_largest_part(out)} " in warning
    assert report.rendered == 0
    if search:
        assert cache.search_bytes == sum(p.stat().st_size for p in (out / "pagefind").rglob("*") if p.is_file())
