"""The importer's confidence verdict (issue 12): uncertain pages are drafts with `status: review`
and their reasons; a clear page is not flagged. Small synthetic pages written here."""
from __future__ import annotations

from generator.core.frontmatter import split_front_matter
from generator.importer.pipeline import SiteKnowledge, import_page
from import_helpers import articles, import_site, run

_PARA = ("市政府今日召開記者會，宣布新的交通政策將於下月起實施，"
         "主要內容包括公車路線調整、捷運班次增加以及自行車道擴建，官員表示此舉可望改善尖峰時段的壅塞情形。")


def _page(title: str, body: str, *, head_title: str | None = None, extra: str = "") -> bytes:
    head = head_title if head_title is not None else f"{title}_示例新聞網"
    return (f"<html><head><meta charset='utf-8'><title>{head}</title>"
            f"<meta property='article:published_time' content='2025-05-01T10:00:00+08:00'></head><body>"
            f"<div class='nav'><a href='/'>首頁</a> <a href='/n'>新聞</a></div>"
            f"<h1>{title}</h1><p class='byline'>記者王小明／台北報導</p>"
            f"<div class='content'>{body}</div>{extra}</body></html>").encode("utf-8")


def _import(raw: bytes):
    return import_page(raw, name="page.html", url="https://news.example.com/a/1.html", site=SiteKnowledge())


def test_a_clear_page_is_sure():
    page = _import(_page("市府宣布交通新政策", f"<p>{_PARA}</p><p>{_PARA}</p>"))
    assert page.review == ()


def test_a_headline_the_title_does_not_confirm_is_flagged():
    page = _import(_page("市府宣布交通新政策", f"<p>{_PARA}</p><p>{_PARA}</p>", head_title="颱風明日登陸_天氣網"))
    assert any("not confirmed by <title>" in r for r in page.review)


def test_two_containers_of_like_score_are_flagged():
    other = "<div class='story2'>" + "".join(f"<p>{_PARA.replace('市政府', '縣政府')}</p>" for _ in range(2)) + "</div>"
    page = _import(_page("市府宣布交通新政策", f"<p>{_PARA}</p><p>{_PARA}</p>", extra=other))
    assert any("containers score alike" in r for r in page.review), page.review


def test_residue_left_in_the_body_is_flagged():
    page = _import(_page("市府宣布交通新政策", f"<p>{_PARA}</p><p>{_PARA}相关新闻请见本网专题。</p>"))
    assert any("residue left" in r and "related links" in r for r in page.review), page.review


def test_an_unsure_import_is_a_draft_for_review_with_its_reasons(tmp_path, capsys):
    site = import_site(tmp_path)
    saved = tmp_path / "page.html"
    saved.write_bytes(_page("市府宣布交通新政策", f"<p>{_PARA}</p><p>{_PARA}</p>", head_title="颱風明日登陸_天氣網"))
    status, results = run(site, saved, capsys=capsys)
    assert status == 0 and results[0]["verdict"] == "review"
    assert any("not confirmed" in r for r in results[0]["review"])
    meta, _, _ = split_front_matter(articles(site)[0].read_text(encoding="utf-8"), "a.md")
    assert meta["draft"] is True and meta["status"] == "review"


def test_a_sure_import_is_published(tmp_path, capsys):
    site = import_site(tmp_path)
    saved = tmp_path / "page.html"
    saved.write_bytes(_page("市府宣布交通新政策", f"<p>{_PARA}</p><p>{_PARA}</p>"))
    status, results = run(site, saved, capsys=capsys)
    assert status == 0 and results[0]["verdict"] == "sure" and results[0]["review"] == []
    meta, _, _ = split_front_matter(articles(site)[0].read_text(encoding="utf-8"), "a.md")
    assert "draft" not in meta and "status" not in meta
