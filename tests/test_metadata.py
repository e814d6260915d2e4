"""What the default theme tells machines: JSON-LD dates and image, Open Graph, feed dates."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from build_helpers import article, make_site

from generator.build import build
from generator.io.cache import DiskCache

ATOM = "{http://www.w3.org/2005/Atom}"


def jsonld(page: str) -> dict:
    """The NewsArticle of a page."""
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1])


def meta(page: str, name: str) -> str | None:
    """content of <meta property|name=name>."""
    found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)">', page)
    return found[1] if found else None


def built(tmp_path):
    """A site with an updated article (another host's image) and a date-only one (its own)."""
    files = {
        "content/a.md": article("更新過的", "2025-01-02T09:00:00+08:00", updated="2025-02-03T10:00:00+08:00",
                                figures="[{caption: 圖, src: 'https://other.example/x.jpg'}]"),
        "content/b.md": article("只有日期", "2025-01-05", figures="[{caption: 圖, src: /images/b.jpg}]"),
    }
    config = make_site(tmp_path / "site", files, theme_dir=None, logo="static/logo.png")
    out = tmp_path / "out"
    build(config, out_dir=out, cache=DiskCache.memory())
    return out


def test_dates_image_and_card_follow_the_content(tmp_path) -> None:
    out = built(tmp_path)
    a = (out / "zh-hant/articles/a/index.html").read_text(encoding="utf-8")
    data = jsonld(a)
    assert (data["datePublished"], data["dateModified"]) == ("2025-01-02T09:00:00+08:00", "2025-02-03T10:00:00+08:00")
    assert meta(a, "article:modified_time") == "2025-02-03T10:00:00+08:00"
    # another host's image is not promised as the article's image; the logo stands in
    assert "image" not in data and meta(a, "og:image") == "https://example.org/static/logo.png"
    assert meta(a, "twitter:card") == "summary"
    assert data["publisher"] == {"@type": "Organization", "name": "新聞典藏", "url": "https://example.org/zh-hant/",
                                 "logo": {"@type": "ImageObject", "url": "https://example.org/static/logo.png"}}
    b = (out / "zh-hant/articles/b/index.html").read_text(encoding="utf-8")
    # a date without a time is midnight in the site time zone (README, Articles)
    assert jsonld(b)["datePublished"] == jsonld(b)["dateModified"] == "2025-01-05T00:00:00+08:00"
    assert jsonld(b)["image"] == ["https://example.org/images/b.jpg"]
    assert meta(b, "twitter:card") == "summary_large_image"


def test_feed_entries_carry_updated_and_the_generator_version(tmp_path) -> None:
    feed = ET.parse(built(tmp_path) / "zh-hant/feed.xml").getroot()
    stamps = {e.find(f"{ATOM}title").text: (e.find(f"{ATOM}published").text, e.find(f"{ATOM}updated").text)
              for e in feed.iter(f"{ATOM}entry")}
    assert stamps["更新過的"] == ("2025-01-02T09:00:00+08:00", "2025-02-03T10:00:00+08:00")
    assert stamps["只有日期"] == ("2025-01-05T00:00:00+08:00", "2025-01-05T00:00:00+08:00")
    generator = feed.find(f"{ATOM}generator")
    assert generator.text == "newsarchive" and generator.get("version") and generator.get("uri") is None
