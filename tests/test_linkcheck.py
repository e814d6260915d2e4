"""The link checker on tiny hand-made sites: what resolves, and every way a link can break."""
from __future__ import annotations

from pathlib import Path

from generator.publish.linkcheck import BrokenLink, check_site, site_path

PAGE = """<!doctype html><html lang="zh-Hant"><head>
<link rel="stylesheet" href="{base}static/site.css">
<link rel="canonical" href="https://example.org{base}zh-hant/">
<link rel="preconnect" href="https://cdn.example.com">
<meta property="og:image" content="https://example.org{base}static/logo.png">
<script src="{base}static/site.js" defer></script>
</head><body>
<a href="#main">skip</a>
<main id="main">
<h2 id="戰略">戰略</h2>
<a href="{base}zh-hant/tags/%E5%95%86%E6%B9%AF/">商湯</a>
<a href="{base}zh-hant/articles/a/#%E6%88%B0%E7%95%A5">戰略</a>
<a href="../zh-hans/">简体</a>
<a href="{base}zh-hant">home without slash</a>
<a href="https://elsewhere.example.com/x">external</a>
<a href="mailto:editor@example.org">mail</a>
<img src="{base}static/logo.png" srcset="{base}static/logo.png 1x, {base}static/logo@2x.png 2x" alt="">
</main></body></html>
"""

ARTICLE = '<html><body><h2 id="戰略">戰略</h2><a href="?q=1#top-none">x</a></body></html>'
FEED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><link rel="self" href="https://example.org{base}zh-hant/feed.xml"/>
<entry><link rel="alternate" href="https://example.org{base}zh-hant/articles/a/"/></entry></feed>"""
SITEMAP = """<?xml version="1.0" encoding="utf-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">
<url><loc>https://example.org{base}zh-hant/</loc>
<xhtml:link rel="alternate" hreflang="zh-Hans" href="https://example.org{base}zh-hans/"/></url></urlset>"""


def make_site(root: Path, base: str) -> Path:
    """A small site that has no broken link when served at `base`."""
    files = {
        "zh-hant/index.html": PAGE.format(base=base),
        "zh-hans/index.html": "<html><body>简体</body></html>",
        "zh-hant/tags/商湯/index.html": "<html><body>tag</body></html>",
        "zh-hant/articles/a/index.html": ARTICLE.replace('<a href="?q=1#top-none">x</a>', ""),
        "zh-hant/feed.xml": FEED.format(base=base),
        "sitemap.xml": SITEMAP.format(base=base),
        "static/site.css": "body{}", "static/site.js": "", "static/logo.png": "",
        "static/logo@2x.png": "",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_complete_site_has_no_broken_link(tmp_path: Path) -> None:
    site = make_site(tmp_path, "/")
    assert check_site(site, "/", base_url="https://example.org/") == []


def test_a_complete_site_under_a_sub_path_has_no_broken_link(tmp_path: Path) -> None:
    site = make_site(tmp_path, "/archive/")
    assert check_site(site, "/archive/", base_url="https://example.org/archive/") == []


def test_links_built_for_another_base_path_are_reported(tmp_path: Path) -> None:
    site = make_site(tmp_path, "/")
    broken = check_site(site, "/archive/")
    assert BrokenLink("zh-hant/index.html", "/static/site.css", "outside the site") in broken
    assert all(b.page == "zh-hant/index.html" for b in broken)


def test_a_missing_page_is_reported_with_page_and_target(tmp_path: Path) -> None:
    site = make_site(tmp_path, "/")
    (site / "zh-hant/tags/商湯/index.html").unlink()
    assert check_site(site) == [
        BrokenLink("zh-hant/index.html", "/zh-hant/tags/%E5%95%86%E6%B9%AF/", "no such file")]


def test_a_missing_anchor_is_reported(tmp_path: Path) -> None:
    site = make_site(tmp_path, "/")
    (site / "zh-hant/articles/a/index.html").write_text("<html><body></body></html>", encoding="utf-8")
    assert check_site(site) == [
        BrokenLink("zh-hant/index.html", "/zh-hant/articles/a/#%E6%88%B0%E7%95%A5", "no such anchor")]


def test_a_missing_anchor_on_the_same_page_is_reported(tmp_path: Path) -> None:
    site = make_site(tmp_path, "/")
    page = site / "zh-hant/index.html"
    page.write_text(page.read_text(encoding="utf-8").replace('id="main"', 'id="content"'), encoding="utf-8")
    assert check_site(site) == [BrokenLink("zh-hant/index.html", "#main", "no such anchor")]


def test_missing_assets_in_src_srcset_and_og_image_are_reported(tmp_path: Path) -> None:
    site = make_site(tmp_path, "/")
    (site / "static/logo@2x.png").unlink()
    (site / "static/logo.png").unlink()
    (site / "static/site.js").unlink()
    targets = {(b.target, b.reason) for b in check_site(site, "/", base_url="https://example.org/")}
    assert targets == {("/static/logo.png", "no such file"), ("/static/logo@2x.png", "no such file"),
                       ("/static/site.js", "no such file"),
                       ("https://example.org/static/logo.png", "no such file")}


def test_feed_and_sitemap_urls_are_checked_under_the_base_url(tmp_path: Path) -> None:
    site = make_site(tmp_path, "/")
    (site / "zh-hans/index.html").unlink()
    (site / "zh-hant/articles/a/index.html").unlink()
    broken = check_site(site, "/", base_url="https://example.org/")
    assert {(b.page, b.target) for b in broken} == {
        ("sitemap.xml", "https://example.org/zh-hans/"),
        ("zh-hant/feed.xml", "https://example.org/zh-hant/articles/a/"),
        ("zh-hant/index.html", "../zh-hans/"),
        ("zh-hant/index.html", "/zh-hant/articles/a/#%E6%88%B0%E7%95%A5"),
    }


def test_external_links_are_ignored_without_a_base_url(tmp_path: Path) -> None:
    site = make_site(tmp_path, "/")
    (site / "static/logo.png").unlink()
    # og:image is absolute: without base_url it cannot be told apart from an external image.
    assert [b.target for b in check_site(site)] == ["/static/logo.png"]


def test_relative_links_that_climb_out_of_the_site_are_reported(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text('<a href="../../etc/passwd">x</a>', encoding="utf-8")
    assert check_site(tmp_path) == [BrokenLink("index.html", "../../etc/passwd", "outside the site")]


def test_site_path_maps_urls_to_output_paths() -> None:
    assert site_path("/archive/", "index.html", "/archive/") == ""
    assert site_path("/archive", "index.html", "/archive/") == ""
    assert site_path("/archive/zh-hant/x/", "index.html", "/archive/") == "zh-hant/x/"
    assert site_path("/archived/x", "index.html", "/archive/") is None
    assert site_path("b/c.png", "a/index.html", "/") == "a/b/c.png"
