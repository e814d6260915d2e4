"""Plain-text pages: breadcrumb, title, counters, summary, dateline, headings, captions, trailer."""
from __future__ import annotations

from pathlib import Path

from generator.importer.artefacts import strip_pinyin
from generator.importer.text.extract import extract_text, find_date

FIXTURES = Path(__file__).parent / "fixtures" / "importer"


def _read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_seed_head_lines_become_metadata():
    page = extract_text(_read("seed.txt"))
    assert page.category == "焦點"
    assert page.title == "竹蜻蜓啟航:商湯醫(yī)療以“世界模型”擘畫智慧醫(yī)療新未來"
    assert page.summary.endswith("首次公開亮相") and page.summary.startswith("2025年11月28日,")
    assert page.date == "2025-11-28"
    rules = {r.rule: r.texts for r in page.removals}
    assert rules["breadcrumb"] == ("您現在的位置是:焦點 >>正文",)
    assert rules["view-counter"] == ("焦點672人已圍觀",)


def test_seed_captions_become_placed_caption_only_figures():
    page = extract_text(_read("seed.txt"))
    assert [f.caption[:2] for f in page.figures] == ["圖一", "圖二", "圖三", "圖四", "圖五", "圖六", "圖七"]
    assert all(f.src is None for f in page.figures)
    paragraphs = page.body.split("\n\n")
    first = paragraphs.index("{{figure 1}}")
    assert paragraphs[first + 1].startswith("在“人工智能+”與“健康中國”")
    assert [p for p in paragraphs if p.startswith("{{figure")] == [f"{{{{figure {n}}}}}" for n in range(1, 8)]


def test_seed_heading_lines_and_trailer():
    page = extract_text(strip_pinyin(_read("seed.txt"))[0])
    headings = [p for p in page.body.split("\n\n") if p.startswith("## ")]
    assert [h[3:7] for h in headings] == ["戰略共識", "技術破局", "團隊領航", "生態共筑", "初心致遠"]
    assert "相關文章" not in page.body and "閱讀更多" not in page.body and "Tags" not in page.body
    teaser = dict((r.rule, r.texts) for r in page.removals)["related-teaser"]
    assert teaser[0] == "Tags:" and teaser[-1] == "閱讀更多"
    assert page.body.rstrip().endswith("一個個溫暖而具象的應用場景。")


def test_simplified_page_with_dateline_source_author_and_counter():
    page = extract_text(_read("plain_hans.txt"))
    assert page.title == "华为发布新一代昇腾芯片 算力提升一倍"
    assert page.category == "科技"
    assert page.date == "2025-03-18T10:30:00+08:00"
    assert page.source_name == "示例科技网" and page.authors == ("李明",)
    assert page.summary == "华为18日在深圳发布新一代昇腾人工智能芯片，单卡算力较上一代提升一倍。"
    assert "## 性能提升" in page.body
    assert page.figures[0].caption == "图1：华为轮值董事长在发布会上介绍新芯片"
    assert "相关阅读" not in page.body and "小米汽车" not in page.body


def test_no_date_anywhere_gives_none():
    page = extract_text("某公司發布新產品\n公司今天發布新產品,售價一千元。\n分析師認為前景樂觀。\n")
    assert page.date is None and page.title == "某公司發布新產品"


def test_find_date_variants():
    assert find_date(["2025年11月28日,在上海"]) == "2025-11-28"
    assert find_date(["發布時間 2025/3/8 09:05"]) == "2025-03-08T09:05:00+08:00"
    assert find_date(["2025年13月40日"]) is None


def test_markdown_like_lines_are_escaped():
    page = extract_text("標題一則\n# 號開頭的一行文字,並不是標題而是正文的內容。\n- 也不是清單,只是破折號開頭的句子。\n")
    assert "\\# 號開頭" in page.body and "\\- 也不是清單" in page.body


def test_byline_line_gives_authors_and_is_removed():
    page = extract_text("台積電公布先進封裝擴產計劃\n2025-11-05 10:00 來源：示例日報\n"
                        "記者王小明／新竹報導\n台積電今天宣布擴大先進封裝產能,新廠明年投產。\n")
    assert page.authors == ("王小明",) and "王小明" not in page.body
    assert dict((r.rule, r.texts) for r in page.removals)["byline"] == ("記者王小明／新竹報導",)


def test_original_title_line_and_column_prefix():
    page = extract_text("【財經】小米汽車交付量創新高(圖)\n（原標題：小米SU7月交付破三萬台）\n"
                        "2025年8月1日,小米汽車公布7月交付量,首次突破三萬台,創下新高。\n")
    assert page.title == "小米汽車交付量創新高"
    assert page.original_title == "小米SU7月交付破三萬台" and "原標題" not in page.body


def test_hard_wrapped_lines_are_joined_into_paragraphs():
    text = ("比亞迪發布新一代刀片電池\n"
            "2025年6月3日,比亞迪在深圳發布新一代刀片電\n池,能量密度提升兩成,新電池已通過針刺測試,\n"
            "將率先用於高端車型。\n公司董事長王傳福表示,電池安全是電動車發展的\n"
            "基礎,新電池的量產線已在深圳坪山基地投產,預\n計年底產能達到每年二十吉瓦時。\n")
    page = extract_text(text)
    assert page.body.split("\n\n") == [
        "2025年6月3日,比亞迪在深圳發布新一代刀片電池,能量密度提升兩成,新電池已通過針刺測試,將率先用於高端車型。",
        "公司董事長王傳福表示,電池安全是電動車發展的基礎,新電池的量產線已在深圳坪山基地投產,預計年底產能達到每年二十吉瓦時。\n"]


def test_menu_and_label_lines_before_the_title_are_navigation():
    page = extract_text("首頁 | 新聞 | 財經 | 科技\n【科技】\n小米汽車交付量創新高\n"
                        "2025年8月1日,小米汽車公布7月交付量,首次突破三萬台,創下新高。\n"
                        "Tags: 小米, 電動車\n")
    assert page.title == "小米汽車交付量創新高" and page.tags == ("小米", "電動車")
    assert dict((r.rule, r.texts) for r in page.removals)["navigation"] == ("首頁 | 新聞 | 財經 | 科技", "【科技】")
