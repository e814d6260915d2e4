"""Tags (issue 12, part 4): the article's own tags, never the site's keyword list or its names."""
from __future__ import annotations

from generator.io.converters import open_converter
from generator.importer.pipeline import SiteKnowledge, import_page
from generator.importer.tags import tag_lines

_PARA = "台積電今日宣布，將在美國亞利桑那州興建第二座晶圓廠，預計投資金額達到四百億美元，董事長表示此舉是為了滿足客戶需求。"


def _page(head: str = "", body_extra: str = "", para: str = _PARA) -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>台積電宣布在美國設廠_示例財經網</title>"
            f"<meta property='og:site_name' content='示例財經網'>{head}</head><body>"
            f"<h1>台積電宣布在美國設廠</h1><p>2025-05-01 10:00 記者王小明／台北報導</p>"
            f"<div class='content'><p>{para}</p><p>{para}</p>{body_extra}</div></body></html>").encode("utf-8")


def _tags(raw: bytes, site: SiteKnowledge | None = None) -> tuple[str, ...]:
    return import_page(raw, name="p.html", url=None, site=site or SiteKnowledge()).tags


def test_site_wide_meta_keywords_that_the_article_never_mentions_are_not_tags():
    # the same generic list on every page of the site: 财经, 科技, 股票
    tags = _tags(_page("<meta name='keywords' content='财经,科技,股票,晶圓廠,示例財經網'>"))
    assert tags == ("晶圓廠",)


def test_article_tag_metas_and_json_ld_keywords_win_over_meta_keywords():
    head = ("<meta name='keywords' content='財經,晶圓廠'>"
            "<meta property='article:tag' content='台積電'><meta property='article:tag' content='半導體'>"
            '<script type="application/ld+json">{"@type":"NewsArticle","keywords":["美國投資"]}</script>')
    assert _tags(_page(head)) == ("台積電", "半導體", "美國投資")


def test_a_visible_tag_row_gives_its_link_texts():
    row = "<div class='keywords'><label>关键字 : </label><a href='/t/1'>台積電</a><a href='/t/2'>亞利桑那</a></div>"
    assert _tags(_page("<meta name='keywords' content='财经,科技'>", row)) == ("台積電", "亞利桑那")


def test_outlet_and_section_names_are_not_tags():
    head = "<meta property='article:tag' content='示例財經網'><meta property='article:tag' content='產業'>" \
           "<meta property='article:section' content='產業'><meta property='article:tag' content='晶圓廠'>"
    assert _tags(_page(head)) == ("晶圓廠",)


def test_a_tags_line_in_the_body_is_removed_and_becomes_tags():
    page = import_page(_page(body_extra="<p>標簽：台積電 晶圓廠</p>"), name="p.html", url=None, site=SiteKnowledge())
    assert {"台積電", "晶圓廠"} <= set(page.tags)
    assert "標簽" not in page.body
    assert any(r.rule in ("tag-line", "trailing-label") and "標簽：台積電 晶圓廠" in r.texts for r in page.removals)


def test_tag_lines_reads_linked_tags():
    body, tags, removed = tag_lines("正文。\n\nTags: [台积电](https://x/1), [芯片](https://x/2)\n")
    assert tags == ("台积电", "芯片") and body == "正文。\n" and len(removed) == 1


def test_tags_are_converted_into_the_articles_script():
    conv = open_converter()
    site = SiteKnowledge(convert=conv.text, fold=conv.fold, detect=conv.detect_script)
    head = "<meta property='article:tag' content='晶圆厂'><meta property='article:tag' content='半导体'>"
    assert _tags(_page(head), site) == ("晶圓廠", "半導體")
