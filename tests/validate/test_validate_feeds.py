"""Every Atom feed of both builds: RFC 4287 rules (atom_rules.py) and feedparser's bozo check."""
from __future__ import annotations

import feedparser
import pytest
from atom_rules import check_feed
from conftest import Built

pytestmark = pytest.mark.validate

GOOD = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>https://a.example/feed.xml</id>
<updated>2025-01-02T00:00:00+08:00</updated><author><name>n</name></author>
<link rel="self" href="https://a.example/feed.xml"/>
<entry><title>e</title><id>https://a.example/1</id><link href="https://a.example/1"/>
<updated>2025-01-02T00:00:00+08:00</updated><published>2025-01-01T00:00:00+08:00</published></entry>
</feed>"""


def feeds(built: Built) -> list:
    """Every feed file of a build."""
    found = sorted(built.out.rglob("feed.xml"))
    assert found, f"no feeds in {built.name}"
    return found


def test_rules_catch_what_they_claim() -> None:
    assert check_feed(GOOD) == []
    no_id = GOOD.replace(b"<id>https://a.example/1</id>", b"")
    assert check_feed(no_id) == ["entry 1: 0 atom:id (exactly one required)",
                                 "entry 1: id '' is not an absolute IRI"]
    twice = GOOD.replace(b"</feed>", GOOD[GOOD.index(b"<entry>"):GOOD.index(b"</feed>")] + b"</feed>")
    assert check_feed(twice) == ["entry 2: id https://a.example/1 repeats entry 1"]
    date_only = GOOD.replace(b"<updated>2025-01-02T00:00:00+08:00</updated><published>",
                             b"<updated>2025-01-02</updated><published>")
    assert check_feed(date_only) == ["entry 1: updated '2025-01-02' is not an RFC 3339 date-time"]
    backwards = GOOD.replace(b"<published>2025-01-01", b"<published>2025-03-01")
    assert "before published" in check_feed(backwards)[0]


def test_every_feed_follows_rfc_4287(archive: Built) -> None:
    problems = [f"{path.relative_to(archive.out)}: {p}" for path in feeds(archive)
                for p in check_feed(path.read_bytes())]
    assert problems == [], "\n".join(problems[:20])


def test_feedparser_reads_every_feed_cleanly(archive: Built) -> None:
    for path in feeds(archive):
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
        assert parsed.version == "atom10" and parsed.entries, path
        generator = parsed.feed.generator_detail
        assert generator.get("name") == "newsarchive" and "github.com" not in generator.get("href", "")
