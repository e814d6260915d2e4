"""Bylines read by shape (issue 12: authors missed when the byline is only in the text), a wire
dateline kept as the text's start, a promoted link cut from the body's end. Synthetic pages in
the shapes seen on real pages (tests/corpus dev part)."""
from __future__ import annotations

import pytest

from generator.importer.pipeline import SiteKnowledge, import_page

_P1 = ("市政府今日召开记者会，宣布新的交通政策将于下月起实施，主要内容包括公交线路调整、地铁班次增加以及自行车道扩建，"
       "官员表示此举可望改善高峰时段的拥堵情况。")
_P2 = ("交通局长在会上表示，新政策实施后，市区主要干道的通行时间预计可缩短两成，市民可通过政务网站查询各条线路的调整细节，"
       "并在意见征集期内提出建议。")


def _import(inside: str, *, above: str = "", head: str = ""):
    page = (f"<html><head><meta charset='utf-8'><title>市府宣布交通新政策_示例新闻网</title>"
            f"<meta property='article:published_time' content='2025-05-01T10:00:00+08:00'>{head}</head><body>"
            f"<h1>市府宣布交通新政策</h1>{above}<div class='content'>{inside}</div></body></html>")
    return import_page(page.encode("utf-8"), name="page.html", url="https://news.example.com/a/1.html",
                       site=SiteKnowledge())


@pytest.mark.parametrize(("byline", "where", "names"), [
    ("<p><strong>文丨本网特约评论员 韩涵</strong></p>", "first", ("韩涵",)),
    ("<div class='author'>本报记者 王乐文 方 敏</div>", "above", ("王乐文", "方敏")),
    ("<p>半月谈记者 史卫燕</p>", "first", ("史卫燕",)),
    ("<div class='author'>上報快訊／范姜佳鈺 2020年03月12日 20:19:00</div>", "above", ("范姜佳鈺",)),
    ("正是有了英勇的你们，才有这座英雄的城！（评论员 罗博 萧海川）", "last", ("罗博", "萧海川")),
])
def test_a_byline_in_the_text_is_read_by_its_shape(byline: str, where: str, names: tuple[str, ...]) -> None:
    paragraphs = f"<p>{_P1}</p><p>{_P2}</p>"
    if where == "first":
        page = _import(byline + paragraphs)
    elif where == "above":
        page = _import(paragraphs, above=byline)
    else:
        page = _import(paragraphs + f"<p>{byline}</p><p>【纠错】 责任编辑：焦鹏</p>")
    assert page.authors == names


def test_an_editor_or_a_desk_is_not_read_as_the_author() -> None:
    assert _import(f"<p>{_P1}</p><p>{_P2}</p><p>责任编辑：孔德明</p>").authors == ()
    assert _import(f"<p>地方中心／桃園報導</p><p>{_P1}</p><p>{_P2}</p>").authors == ()


def test_a_wire_dateline_above_the_byline_is_the_text_not_a_deck() -> None:
    page = _import(f"<p>新华社北京5月9日电 题：积极因素不断增多 “质升量稳”动能增强</p>"
                   f"<p>新华社记者邹多为、唐诗凝</p><p>{_P1}</p><p>{_P2}</p>")
    assert page.body.startswith("新华社北京5月9日电"), page.body[:40]
    assert page.authors == ("邹多为", "唐诗凝")


def test_a_short_deck_above_the_byline_is_still_dropped() -> None:
    page = _import(f"<p>公交地铁自行车道一起改</p><p>新华社记者邹多为</p><p>{_P1}</p><p>{_P2}</p>")
    assert page.body.startswith("市政府今日"), page.body[:40]


def test_a_promoted_link_closing_the_last_paragraph_is_cut() -> None:
    promo = "（<a href='https://news.example.com/a/2.html'>中職二度延賽至4月11日</a>）"
    page = _import(f"<p>{_P1}</p><p>{_P2}{promo}</p>")
    assert "中職二度延賽" not in page.body and page.body.rstrip().endswith("提出建议。")
    assert any(r.rule == "promo-link" for r in page.removals)
