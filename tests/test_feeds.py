"""Atom feeds and sitemap: valid XML whatever the text holds, parsed back."""
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

from generator.core import feeds

TZ = timezone(timedelta(hours=8))
ATOM = "{http://www.w3.org/2005/Atom}"
HEAD = feeds.Feed(title="典藏 & <站>", subtitle="最新", lang="zh-Hant",
                  self_url="https://x.org/zh-hant/feed.xml", page_url="https://x.org/zh-hant/",
                  base_url="https://x.org/", author="典藏")


def entry(title: str, day: int, content: str = "") -> feeds.Entry:
    return feeds.Entry(title=title, url=f"https://x.org/zh-hant/articles/a{day}/",
                       published=datetime(2025, 1, day, 9, tzinfo=TZ), updated=None,
                       summary="摘要\x0b", content_html=content, categories=("騰訊", "A&B"),
                       authors=("記者",))


def test_atom_parses_back_with_control_characters_stripped():
    data = feeds.atom(HEAD, [entry("標題\x00\x07\x1f\ud800終", 2, "<p>正文\x1b</p>"), entry("二", 1)])
    root = ET.fromstring(data)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}title").text == "典藏 & <站>"
    assert root.find(f"{ATOM}updated").text == "2025-01-02T09:00:00+08:00"
    first = root.findall(f"{ATOM}entry")[0]
    assert first.find(f"{ATOM}title").text == "標題終"
    assert first.find(f"{ATOM}content").text == "<p>正文</p>"
    assert [c.get("term") for c in first.findall(f"{ATOM}category")] == ["騰訊", "A&B"]
    assert first.find(f"{ATOM}summary").text == "摘要"


def test_empty_feed_has_a_fixed_date_not_the_build_time():
    root = ET.fromstring(feeds.atom(HEAD, []))
    assert root.find(f"{ATOM}updated").text == "1970-01-01T00:00:00+00:00"


def test_sitemap_lists_alternates():
    alternates = (("zh-Hant", "https://x.org/zh-hant/a/"), ("zh-Hans", "https://x.org/zh-hans/a/"))
    data = feeds.sitemap([feeds.SitemapUrl("https://x.org/zh-hant/a/", datetime(2025, 3, 1, tzinfo=TZ),
                                           alternates)])
    root = ET.fromstring(data)
    url = root[0]
    assert url.find("{http://www.sitemaps.org/schemas/sitemap/0.9}lastmod").text == "2025-03-01"
    links = url.findall("{http://www.w3.org/1999/xhtml}link")
    assert [(l.get("hreflang"), l.get("href")) for l in links] == list(alternates)


def test_robots_names_the_sitemap():
    assert feeds.robots("https://x.org/archive/") == (
        b"User-agent: *\nAllow: /\n\nSitemap: https://x.org/archive/sitemap.xml\n")
