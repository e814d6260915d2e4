"""Readable slugs (issue 12): a meaningful URL path, else the title's pinyin; never changed once written."""
from __future__ import annotations

from generator.importer.model import Extracted
from generator.importer.render import article_path, title_slug
from import_helpers import articles, import_site, run


def test_title_slug_is_pinyin_with_polyphones_read_by_phrase():
    # 行 is hang in 银行 and 行长, 重 is chong in 重庆, 长 is chang in 长江: not a hash
    assert title_slug("银行行长谈重庆长江大桥") == "yin-hang-hang-zhang-tan-chong"
    assert title_slug("台積電宣布在美國設廠") == "tai-ji-dian-xuan-bu-zai"


def test_title_slug_keeps_latin_words_and_stays_short():
    assert title_slug("华为Mate20X 5G版半天不到需充电") == "hua-wei-mate20x-5g-ban-ban"
    assert len(title_slug("長" * 200)) <= 48


def test_a_title_without_han_or_latin_falls_back_to_a_hash():
    assert len(title_slug("？！")) == 10


def test_meaningful_url_path_wins_over_the_title_and_an_id_does_not():
    page = Extracted(title="台積電宣布在美國設廠", date="2025-05-01",
                     source_url="https://news.example.com/2025/05/tsmc-arizona-plant.html")
    assert article_path(page) == "2025/2025-05-01-tsmc-arizona-plant.md"
    by_id = Extracted(title="台積電宣布在美國設廠", date="2025-05-01",
                      source_url="https://news.example.com/a/20250501/1aeefea2ad.html")
    assert article_path(by_id) == "2025/2025-05-01-tai-ji-dian-xuan-bu-zai.md"


_PARA = "台積電今日宣布，將在美國亞利桑那州興建第二座晶圓廠，預計投資金額達到四百億美元，董事長表示此舉是為了滿足客戶需求。"


def _page(extra: str = "") -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>台積電宣布在美國設廠_示例新聞網</title>"
            f"<link rel='canonical' href='https://news.example.com/a/20250501/88231.html'>"
            f"<meta property='article:published_time' content='2025-05-01T10:00:00+08:00'></head><body>"
            f"<h1>台積電宣布在美國設廠</h1><p>記者王小明／台北報導</p>"
            f"<div><p>{_PARA}</p><p>{_PARA}{extra}</p></div></body></html>").encode("utf-8")


def test_an_existing_article_keeps_its_slug(tmp_path, capsys):
    site = import_site(tmp_path)
    saved = tmp_path / "page.html"
    saved.write_bytes(_page())
    assert run(site, saved, capsys=capsys)[0] == 0
    [first] = articles(site)
    assert first.name == "2025-05-01-tai-ji-dian-xuan-bu-zai.md"
    # an article written under the old hash scheme, then its page imported again
    old = first.with_name("2025-05-01-1aeefea2ad.md")
    first.rename(old)
    status, results = run(site, "--force", saved, capsys=capsys)
    assert status == 0 and results[0]["output"] == "content/2025/2025-05-01-1aeefea2ad.md", results
    assert [p.name for p in articles(site)] == [old.name]
