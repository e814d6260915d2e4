"""sitemap.xml against the sitemaps.org schema (with xhtml:link alternates), and hreflang sets
that agree between the sitemap and every page's head, reciprocal, x-default included."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import Built
from lxml import etree, html

pytestmark = pytest.mark.validate

HERE = Path(__file__).resolve().parent
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
MAX_URLS, MAX_BYTES = 50_000, 50 * 1024 * 1024


def sitemap_entries(built: Built) -> dict[str, tuple[str | None, frozenset[tuple[str, str]]]]:
    """{loc: (lastmod, {(hreflang, href)})}."""
    tree = etree.parse(str(built.out / "sitemap.xml"))
    found = {}
    for url in tree.getroot().iterfind("s:url", NS):
        alternates = frozenset((a.get("hreflang"), a.get("href")) for a in url.iterfind("x:link", NS))
        found[url.findtext("s:loc", namespaces=NS)] = (url.findtext("s:lastmod", namespaces=NS), alternates)
    return found


def page_url(built: Built, path: Path) -> str:
    """Absolute URL of an output file, as the sitemap spells it."""
    relative = path.relative_to(built.out).as_posix().removesuffix("index.html")
    return built.url + quote(relative, safe="/")


def head(path: Path) -> tuple[str | None, frozenset[tuple[str, str]], str]:
    """(canonical, {(hreflang, href)}, robots) of a page."""
    doc = html.parse(str(path)).getroot()
    canonical = doc.xpath("string(//head/link[@rel='canonical']/@href)") or None
    alternates = frozenset((a.get("hreflang"), a.get("href"))
                           for a in doc.xpath("//head/link[@rel='alternate'][@hreflang]"))
    return canonical, alternates, doc.xpath("string(//head/meta[@name='robots']/@content)")


def test_sitemap_is_valid_against_the_schema(archive: Built) -> None:
    schema = etree.XMLSchema(etree.parse(str(HERE / "sitemap-alternates.xsd")))
    data = (archive.out / "sitemap.xml").read_bytes()
    assert schema.validate(etree.fromstring(data)), str(schema.error_log)
    assert len(data) <= MAX_BYTES and len(sitemap_entries(archive)) <= MAX_URLS
    robots = (archive.out / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {archive.url}sitemap.xml" in robots.splitlines()


def test_every_indexable_page_is_listed_with_a_lastmod(archive: Built) -> None:
    entries = sitemap_entries(archive)
    pages = {page_url(archive, p) for p in archive.html_files() if "noindex" not in head(p)[2]}
    assert archive.url in pages  # the root chooser
    assert set(entries) == pages
    assert [loc for loc, (lastmod, _) in entries.items() if not lastmod] == []


def test_hreflang_sets_are_reciprocal_with_x_default(archive: Built) -> None:
    entries = sitemap_entries(archive)
    for loc, (_, alternates) in entries.items():
        langs = [lang for lang, _ in alternates]
        assert sorted(langs) == ["x-default", "zh-Hans", "zh-Hant"], loc
        assert loc in {href for _, href in alternates}, f"{loc} is not in its own set"
        for _, href in alternates:
            assert href in entries, f"{loc} names {href}, which the sitemap lacks"
            assert entries[href][1] == alternates, f"{href} does not point back to {loc}"
    home_set = entries[archive.url + "zh-hant/"][1]
    assert ("x-default", archive.url) in home_set and entries[archive.url][1] == home_set


def test_heads_agree_with_the_sitemap(archive: Built) -> None:
    entries = sitemap_entries(archive)
    for path in archive.html_files():
        canonical, alternates, robots = head(path)
        url = page_url(archive, path)
        if url in entries:
            assert canonical == url and alternates == entries[url][1], url
            assert "noindex" not in robots


def test_not_found_page_is_noindex_without_canonical(archive: Built) -> None:
    canonical, alternates, robots = head(archive.out / "404.html")
    assert "noindex" in robots and canonical is None and not alternates
    assert archive.url + "404.html" not in sitemap_entries(archive)
