"""The corpus index: terms across scripts, segments, months, neighbours, drafts."""
from datetime import datetime, timedelta, timezone

from generator.core.model import Article, Version
from generator.core.corpus import build_site

TZ = timezone(timedelta(hours=8))


def art(slug: str, day: int, tags: dict[str, tuple[str, str]], draft: bool = False,
        category: tuple[str, str] | None = None) -> Article:
    """An article with tags {key: (hant name, hans name)}."""
    versions = {s: Version(title=slug, summary="", tags=tuple(n[i] for n in tags.values()),
                           category=category[i] if category else None, body_html="")
                for i, s in enumerate(("hant", "hans"))}
    return Article(path=f"content/{slug}.md", slug=slug, date=datetime(2025, 1 + day // 28, 1 + day % 28, tzinfo=TZ),
                   updated=None, script="hant", draft=draft, tag_keys=tuple(tags),
                   category_key=category[1] if category else None, authors=(), source=None,
                   syndicated=(), figures=(), extra=(), text="", versions=versions,
                   source_digest="0" * 64, digest=slug)


def no_related(published, edited):
    return {}


def test_terms_order_months_neighbours_and_drafts():
    corpus = [
        art("a", 1, {"腾讯": ("騰訊", "腾讯")}, category=("科技", "科技")),
        art("b", 2, {"腾讯": ("騰訊", "腾讯"), "ai/芯片": ("AI/晶片", "AI/芯片")}),
        art("c", 40, {"ai芯片": ("AI晶片", "AI芯片")}),
        art("d", 41, {"腾讯": ("騰訊", "腾讯")}, draft=True),
    ]
    site = build_site(corpus, related=no_related)
    assert site.order == ("c", "b", "a")
    assert site.tags["腾讯"].slugs == ("b", "a")
    assert site.tags["腾讯"].names == {"hant": "騰訊", "hans": "腾讯"}
    # "AI/晶片" and "AI晶片" clean to the same segment: the second in key order gets -2
    assert site.tags["ai/芯片"].segments["hant"] == "AI晶片"
    assert site.tags["ai芯片"].segments["hant"] == "AI晶片-2"
    assert site.categories["科技"].slugs == ("a",)
    assert list(site.months) == [(2025, 2), (2025, 1)]
    assert site.neighbours["b"] == ("a", "c")
    assert site.neighbours["c"] == ("b", None)
    assert "d" not in site.articles


def test_most_used_spelling_names_the_term():
    corpus = [art("a", 1, {"k": ("甲", "甲")}), art("b", 2, {"k": ("乙", "乙")}),
              art("c", 3, {"k": ("乙", "乙")})]
    assert build_site(corpus, related=no_related).tags["k"].names["hant"] == "乙"


def test_related_lists_drop_unknown_and_self():
    corpus = [art("a", 1, {}), art("b", 2, {})]
    site = build_site(corpus, related=lambda published, edited: {"a": ("a", "x", "b"), "zz": ("a",)})
    assert site.related == {"a": ("b",)}
