"""Kinds of failure seen on pages nobody here had tuned on (issue 12), one synthetic fixture page
each (tests/fixtures/importer_kinds/, written for these tests, modelled on the kind, copied
from no site): NAME.html is the page, NAME.json what the import must give (the fields it names:
title, date, authors, body start and end, figures, tags, category, summary, whether the page
is flagged for review and, for a kind the importer cannot repair, the reason it must give),
NAME.md, when present, the expected Markdown body."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.importer.pipeline import SiteKnowledge, import_page
from generator.io.converters import default_converter

FIXTURES = Path(__file__).parent / "fixtures" / "importer_kinds"
KINDS = sorted(p.stem for p in FIXTURES.glob("*.json"))


def _site() -> SiteKnowledge:
    """The importer as a site with default settings runs it (converter, script detection)."""
    conv = default_converter()
    return SiteKnowledge(fold=conv.fold, detect=conv.detect_script, convert=conv.text,
                         normalise=conv.normalise_many)


def _import(name: str):
    page = FIXTURES / f"{name}.html"
    if not page.exists():
        page = FIXTURES / f"{name}.txt"
    return import_page(page.read_bytes(), name=page.name, url="https://news.example.com/2025/05/03/a1.html",
                       site=_site())


def _figures(page) -> list[dict]:
    return [{k: v for k, v in (("caption", f.caption), ("src", f.src), ("credit", f.credit)) if v}
            for f in page.figures]


def test_every_fixture_page_has_its_expectations() -> None:
    pages = {p.stem for p in FIXTURES.iterdir() if p.suffix in (".html", ".txt")}
    assert KINDS and pages == set(KINDS)


@pytest.mark.parametrize("name", KINDS)
def test_a_page_of_each_kind_imports_as_expected(name: str) -> None:
    want = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    page = _import(name)
    got = {"title": page.title, "date": page.date, "authors": list(page.authors), "tags": list(page.tags),
           "category": page.category, "summary": page.summary, "figures": _figures(page),
           "review": bool(page.review)}
    for key in ("title", "date", "authors", "tags", "category", "summary", "figures", "review"):
        if key in want:
            assert got[key] == want[key], f"{key}: {got[key]!r} (review: {page.review})"
    body = page.body.strip()
    assert body.startswith(want["body_start"]), body[:80]
    assert body.endswith(want["body_end"]), body[-80:]
    for text in want.get("not_in_body", ()):
        assert text not in body
    if "reason" in want:  # a kind the importer cannot repair: flagged for review, with this reason
        assert any(want["reason"] in r for r in page.review), page.review
    markdown = FIXTURES / f"{name}.md"
    if markdown.exists():
        assert page.body == markdown.read_text(encoding="utf-8")


def test_a_reader_notice_left_inside_the_body_is_flagged() -> None:
    # the edge rule removes notices that close the text; one between paragraphs stays, for review
    from generator.importer import verdict
    from generator.importer.model import Extracted

    body = "第一段正文内容。\n\n图片来自网络，如有侵权，请联系删除。\n\n第二段正文内容。\n"
    page = Extracted(title="标题", date="2025-05-03", authors=("王小明",), body=body,
                     details={"date_from": "headline"})
    assert any("reader notice" in r for r in verdict.assess(page))


def test_a_list_introduced_by_a_colon_ahead_of_the_text_is_kept() -> None:
    # the summary-box rule must not take a notice's own list (各有关单位：- … - …) for a site's box
    items = "".join(f"<li>第{n}项工作要求按期完成</li>" for n in "一二三")
    para = "请各单位认真对照上述要求，抓好贯彻落实，确保各项工作取得实效，有关情况请于月底前报送办公室。" * 2
    raw = (f"<html><head><meta charset='utf-8'><title>关于做好年度工作的通知_示例网</title></head><body>"
           f"<h1>关于做好年度工作的通知</h1><p>2025-05-03</p><div class='content'><p>各有关单位：</p>"
           f"<ul>{items}</ul><p>{para}</p></div></body></html>").encode("utf-8")
    page = import_page(raw, name="n.html", url=None, site=_site())
    assert "- 第一项工作要求按期完成" in page.body


def test_a_tag_in_the_other_script_is_converted_into_the_articles() -> None:
    # a Simplified article tagged 華為 (the site's tag row is in Traditional): the tag is 华为
    para = "华为今天发布了新一代手机芯片，采用自主研发的架构，性能比上一代提升三成，功耗下降两成，将率先用于旗舰机型。" * 2
    raw = (f"<html><head><meta charset='utf-8'><title>华为发布新一代手机芯片_示例网</title>"
           f"<meta property='article:tag' content='華為'><meta property='article:tag' content='芯片'></head><body>"
           f"<h1>华为发布新一代手机芯片</h1><p>2025-05-03 10:00</p><div class='content'><p>{para}</p><p>{para}</p></div>"
           f"</body></html>").encode("utf-8")
    assert import_page(raw, name="t.html", url=None, site=_site()).tags == ("华为", "芯片")


def test_a_byline_with_its_verb_right_after_the_name_is_read() -> None:
    # 本报记者王立新报道: 报道 follows the name without a place between
    from generator.importer.metadata import find_bylines
    found = find_bylines("本报记者王立新报道", frozenset({"本报", "记者"}))
    assert found is not None and found.names == ("王立新",) and found.whole_line


def test_an_outlet_named_like_its_host_is_no_author() -> None:
    """文｜示例 林晓 on shili.com: 示例 reads shili, the host's own name, so it is the outlet;
    a lone name would stay (a blog's owner may name the blog and its domain)."""
    page = ("<html><head><meta charset='utf-8'><title>港口吞吐量创新高</title></head><body>"
            "<h1>港口吞吐量创新高</h1><p class='author'>文｜{byline}</p><div class='text'>"
            "<p>今年一季度，港口货物吞吐量达到3.2亿吨，同比增长百分之七，创下同期新高。</p>"
            "<p>港口集团表示，增长主要来自集装箱业务和新开通的国际航线，二季度将继续扩大泊位。</p>"
            "</div></body></html>")
    both = import_page(page.format(byline="示例 林晓").encode(), name="a.html",
                       url="https://www.shili.com/2025/a.html", site=_site())
    assert both.authors == ("林晓",)
    from generator.importer.html.byline import without_outlet
    assert without_outlet(("示例",), set(), "https://www.shili.com/2025/a.html") == ("示例",)
