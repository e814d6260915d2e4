"""Summaries (issue 12): the page's own description, never a copy of the lead paragraph."""
from __future__ import annotations

from generator.importer.pipeline import SiteKnowledge, import_page, own_summary

_LEAD = "市政府今日召開記者會，宣布新的交通政策將於下月起實施。主要內容包括公車路線調整、捷運班次增加以及自行車道擴建。"
_MORE = "官員表示，此舉可望改善尖峰時段的壅塞情形，並鼓勵市民多加利用大眾運輸工具，減少私人車輛的使用。"


def _page(description: str) -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>市府宣布交通新政策_示例新聞網</title>"
            f"<meta name='description' content='{description}'></head><body>"
            f"<h1>市府宣布交通新政策</h1><p>2025-05-01 10:00 記者王小明／台北報導</p>"
            f"<div class='content'><p>{_LEAD}</p><p>{_MORE}</p><p>{_MORE}</p></div></body></html>").encode("utf-8")


def _summary(description: str) -> str | None:
    return import_page(_page(description), name="p.html", url=None, site=SiteKnowledge()).summary


def test_a_description_that_is_the_first_sentence_is_dropped():
    assert _summary("市政府今日召開記者會，宣布新的交通政策將於下月起實施。") is None


def test_a_description_that_is_a_cut_prefix_of_the_lead_is_dropped():
    assert _summary("市政府今日召開記者會，宣布新的交通政策將於下月起實施。主要內容包括公車路線…") is None


def test_no_description_gives_no_summary_rather_than_the_lead():
    assert import_page(_page(""), name="p.html", url=None, site=SiteKnowledge()).summary is None


def test_an_article_specific_description_is_kept():
    dek = "北市交通新制下月上路，公車路線調整、捷運班次增加與自行車道擴建三管齊下。"
    assert _summary(dek) == dek


def test_own_summary_compares_across_punctuation_and_markup():
    body = "**市政府**今日召開記者會，宣布新政策。\n\n其餘內容。"
    assert own_summary("市政府今日召開記者會,宣布新政策", body) is None
    assert own_summary("另一段摘要文字在此", body) == "另一段摘要文字在此"


def test_the_theme_does_not_show_a_summary_that_is_the_bodys_first_sentence():
    from pathlib import Path

    from generator.core.contexts import repeats_lead
    body = ('<figure><img src="a.jpg" alt=""><figcaption>圖說</figcaption></figure>'
            "<p>市政府今日召開記者會，宣布<strong>新的</strong>交通政策。</p><p>其餘內容。</p>")
    assert repeats_lead("市政府今日召開記者會，宣布新的交通政策。", body)
    assert repeats_lead("市政府今日召開記者會，宣布新…", body)
    assert not repeats_lead("北市交通新制下月上路。", body)
    template = (Path(__file__).resolve().parents[1] / "themes/default/templates/article.html").read_text(encoding="utf-8")
    assert "article.summary and not article.lead_summary" in template


def test_a_visible_dek_outside_the_body_is_the_summary():
    dek = "北市交通新制下月上路，公車路線調整、捷運班次增加與自行車道擴建三管齊下。"
    raw = (f"<html><head><meta charset='utf-8'><title>市府宣布交通新政策_示例新聞網</title>"
           f"<meta name='description' content='{_LEAD}'></head><body><h1>市府宣布交通新政策</h1>"
           f"<p class='summary'>{dek}</p><p>2025-05-01 10:00 記者王小明／台北報導</p>"
           f"<div class='content'><p>{_LEAD}</p><p>{_MORE}</p><p>{_MORE}</p></div></body></html>").encode("utf-8")
    page = import_page(raw, name="p.html", url=None, site=SiteKnowledge())
    assert page.summary == dek and dek not in page.body
