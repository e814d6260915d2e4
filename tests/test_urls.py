"""The URL scheme: prefixes, pagination, percent-encoded term segments, file paths."""
from generator.core import urls


def test_article_url_is_identical_in_both_scripts_apart_from_prefix():
    assert urls.article("hant", "gree-2025") == "zh-hant/articles/gree-2025/"
    assert urls.article("hans", "gree-2025") == "zh-hans/articles/gree-2025/"


def test_pagination_and_archives():
    assert urls.home("hant") == "zh-hant/"
    assert urls.home("hant", 3) == "zh-hant/page/3/"
    assert urls.month("hans", 2025, 3, 2) == "zh-hans/archive/2025/03/page/2/"


def test_tag_segment_is_percent_encoded_in_url_and_plain_on_disk():
    url = urls.tag("hant", "台積電")
    assert url == "zh-hant/tags/%E5%8F%B0%E7%A9%8D%E9%9B%BB/"
    assert urls.file_path(url) == "zh-hant/tags/台積電/index.html"
    assert urls.file_path(urls.tag_feed("hans", "AI 芯片")) == "zh-hans/tags/AI 芯片/feed.xml"


def test_term_segment_drops_unsafe_characters():
    assert urls.term_segment("AI / 晶片?") == "AI-晶片"
    assert urls.term_segment("..") == "-"


def test_valid_slug():
    assert urls.valid_slug("2025-11-28-gree.results_1")
    assert not urls.valid_slug("格力")
    assert not urls.valid_slug(".hidden")
    assert not urls.valid_slug("a b")


def test_href_and_absolute():
    assert urls.href("/archive/", "zh-hant/") == "/archive/zh-hant/"
    assert urls.absolute("https://x.org/archive/", "zh-hant/") == "https://x.org/archive/zh-hant/"


def test_planned_list_paths_match_the_url_scheme():
    from generator.core.plan import _lists
    pages = _lists("hant", "tag", ("k",), ["a", "b", "c"], 2, {"a": "1", "b": "2", "c": "3"}, "b",
                   lambda p: urls.tag("hant", "台積電", p))
    assert [p.path for p in pages] == [urls.file_path(urls.tag("hant", "台積電", n)) for n in (1, 2)]
