"""Rich-result metadata: NewsArticle JSON-LD with every recommended property the content can
supply (Google's Article guidance), and Open Graph plus twitter:card on every page."""
from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from conftest import Built
from lxml import html

pytestmark = pytest.mark.validate

OFFSET_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}\Z")
EVERY_PAGE = ("og:type", "og:title", "og:site_name", "og:locale")


def meta(doc: html.HtmlElement) -> dict[str, str]:
    """{property or name: content} of the head's meta elements (first of each)."""
    found: dict[str, str] = {}
    for node in doc.xpath("//head/meta[@property or @name]"):
        found.setdefault(node.get("property") or node.get("name"), node.get("content"))
    return found


def articles(built: Built) -> list[Path]:
    """Every article page of a build."""
    return sorted(built.out.glob("zh-*/articles/*/index.html"))


def first_site_image(doc: html.HtmlElement, built: Built) -> str | None:
    """Absolute URL of the body's first figure image when the site serves it, else None."""
    src = doc.xpath("string((//div[@class='article-body']//figure//img)[1]/@src)")
    if not src:
        return None
    base_path = "/" + built.url.split("/", 3)[3]
    if src.startswith(base_path):
        return built.url + src[len(base_path):]
    return src if src.startswith(built.url) else None


def test_every_article_has_a_complete_news_article(archive: Built) -> None:
    for path in articles(archive):
        doc = html.parse(str(path)).getroot()
        (block,) = doc.xpath("//script[@type='application/ld+json']/text()")
        data = json.loads(block)
        where = path.relative_to(archive.out).as_posix()
        assert data["@type"] == "NewsArticle" and 0 < len(data["headline"]) <= 110, where
        for key in ("datePublished", "dateModified"):
            assert OFFSET_STAMP.match(data[key]), (where, key, data[key])
        assert datetime.fromisoformat(data["dateModified"]) >= datetime.fromisoformat(data["datePublished"])
        publisher = data["publisher"]
        assert publisher["name"] and publisher["url"].startswith(archive.url), where
        assert publisher["logo"]["url"].startswith(archive.url), where
        authors = data["author"] if isinstance(data["author"], list) else [data["author"]]
        assert all(a["name"] for a in authors), where
        image = first_site_image(doc, archive)
        assert data.get("image") == ([image] if image else None), where
        tags = meta(doc)
        assert tags["article:published_time"] == data["datePublished"]
        assert tags["article:modified_time"] == data["dateModified"]
        assert tags.get("og:image") == (image or publisher["logo"]["url"])
        assert tags["twitter:card"] == ("summary_large_image" if image else "summary")


def test_the_logo_is_served(archive: Built) -> None:
    doc = html.parse(str(articles(archive)[0])).getroot()
    logo = json.loads(doc.xpath("//script[@type='application/ld+json']/text()")[0])["publisher"]["logo"]
    assert (archive.out / logo["url"].removeprefix(archive.url)).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_page_has_open_graph_and_a_twitter_card(archive: Built) -> None:
    for path in archive.html_files():
        doc = html.parse(str(path)).getroot()
        tags = meta(doc)
        where = path.relative_to(archive.out).as_posix()
        assert all(tags.get(k) for k in EVERY_PAGE), (where, tags)
        assert tags.get("twitter:card") in ("summary", "summary_large_image"), where
        canonical = doc.xpath("string(//head/link[@rel='canonical']/@href)")
        assert tags.get("og:url") == (canonical or None), where
