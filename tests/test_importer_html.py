"""HTML extraction on small synthetic pages: article found, metadata read, chrome removed."""
from __future__ import annotations

from pathlib import Path

import pytest

from generator.importer import metadata as meta
from generator.importer.html.extract import extract_html
from generator.importer.html.figures import split_credit

FIXTURES = Path(__file__).parent / "fixtures" / "importer_html"
URL = "https://news.example.com/a/2025/x.html"


def _extract(name: str):
    return extract_html((FIXTURES / name).read_text(encoding="utf-8"), url=URL)


def _rules(extracted) -> dict[str, tuple[str, ...]]:
    return {r.rule: r.texts for r in extracted.removals}


@pytest.fixture(scope="module")
def portal():
    return _extract("portal_article.html")


@pytest.fixture(scope="module")
def taiwan():
    return _extract("tw_figures.html")


def test_title_loses_channel_and_site_suffix(portal):
    assert portal.title == "华为发布新款芯片 性能提升三成"


def test_date_is_read_next_to_the_headline_with_offset(portal):
    assert portal.date == "2025-11-28T10:30:00+08:00"


def test_xinhua_dispatch_byline_gives_reporters_not_the_editor(portal):
    assert portal.authors == ("王小明", "李四")
    assert "赵六" not in portal.authors
    assert "责任编辑" not in portal.body


def test_breadcrumb_gives_category_and_site_name_the_outlet(portal):
    assert portal.category == "公司"
    assert portal.source_name == "示例新闻网"


def test_original_title_line_becomes_metadata(portal):
    assert portal.original_title == "华为新芯片来了"
    assert "原标题" not in portal.body


def test_keywords_and_summary_are_cleaned(portal):
    assert portal.tags == ("华为", "芯片")
    assert portal.summary == "华为今天在深圳发布新款芯片，性能较上一代提升三成。"


def test_body_starts_at_the_first_sentence_and_keeps_structure(portal):
    assert portal.body.startswith("新华社深圳11月28日电（记者王小明 李四）华为公司今天在深圳发布新款芯片")
    assert "\n## 供应链加速\n" in portal.body
    assert "> “我们会继续加大研发投入。”" in portal.body
    assert "- 性能提升三成\n- 功耗下降两成" in portal.body


def test_share_bar_related_teasers_comments_and_copyright_are_gone(portal):
    for chrome in ("分享到", "相关新闻", "华为发布会现场直击", "我要评论", "条评论", "版权所有", "首页"):
        assert chrome not in portal.body
    rules = _rules(portal)
    assert rules["editor-line"] == ("责任编辑：赵六",)
    assert any("分享到" in text for text in rules["outside-article"])


def test_script_is_detected(portal, taiwan):
    assert portal.script == "hans"
    assert taiwan.script == "hant"


def test_utc_meta_date_is_expressed_in_taiwan_time(taiwan):
    assert taiwan.date == "2025-09-01T14:15:00+08:00"


def test_taiwanese_byline_in_brackets(taiwan):
    assert taiwan.authors == ("王小明",)
    assert "記者王小明" not in taiwan.body
    assert taiwan.title == "颱風逼近 東部停班停課"


def test_lazy_image_with_figcaption_and_credit(taiwan):
    first = taiwan.figures[0]
    assert first.src == "https://news.example.com/photos/2025/typhoon.jpg"
    assert first.caption == "颱風外圍環流帶來豪雨。"
    assert first.credit == "記者陳大同攝"
    assert first.alt == "颱風"


def test_caption_in_the_table_cell_below_the_image(taiwan):
    second = taiwan.figures[1]
    assert second.src == "https://news.example.com/photos/2025/rain.jpg"
    assert second.caption == "台東市區街道積水。"
    assert "台東市區街道積水" not in taiwan.body


def test_icons_pixels_logos_and_placeholders_are_not_figures(taiwan):
    srcs = [f.src for f in taiwan.figures]
    assert len(srcs) == 2
    assert not any(s.startswith("data:") or "pixel" in s or "share.png" in s or "logo" in s for s in srcs)


def test_figures_are_placed_where_the_images_stood(taiwan):
    paragraphs = taiwan.body.split("\n\n")
    assert paragraphs[0] == "{{figure 1}}"
    assert paragraphs.index("{{figure 2}}") == 3


def test_related_reading_block_at_the_end_is_dropped(taiwan):
    assert "延伸閱讀" not in taiwan.body
    assert "防颱準備清單" not in taiwan.body
    assert "熱門新聞" not in taiwan.body
    assert taiwan.body.rstrip().endswith("準備協助撤離低窪地區居民。")


def test_data_table_becomes_markdown_and_layout_table_does_not():
    page = _extract("tables.html")
    assert "| 车型 | 销量（万辆） | 同比 |\n| --- | --- | --- |\n| 新能源 | 350 | +30% |" in page.body
    assert "汽车新闻" not in page.body  # the layout table's menu column
    assert page.body.startswith("中国汽车工业协会今天公布三季度销量统计")
    assert page.title == "三季度销量统计出炉"
    assert page.date == "2025-10-12T08:00:00+08:00"


def test_index_page_gets_a_warning_and_no_date():
    page = _extract("index_page.html")
    assert "no article found: looks like an index page" in page.warnings
    assert page.date is None


def test_page_without_body_text_is_not_an_error():
    page = extract_html("<html><head><title>空</title></head><body></body></html>")
    assert page.body == ""
    assert any("no article found" in w for w in page.warnings)


@pytest.mark.parametrize("raw, expected", [
    ("記者王小明／台北報導", ("王小明",)),
    ("〔記者李欣芳／台北報導〕最新消息！", ("李欣芳",)),
    ("新华社北京11月28日电（记者王小明 李四）国务院今天", ("王小明", "李四")),
    ("（中央社記者楊思瑞台南4日電）台南市虱目魚養殖協會今天", ("楊思瑞",)),
    ("【陳怡妏╱綜合外電報導】日本前東京都知事", ("陳怡妏",)),
    ("光明日报记者 王建宏 张文攀", ("王建宏", "张文攀")),
    ("新京报记者 彭冲 山东冠县报道", ("彭冲",)),
    ("（溫蘭魁報導）", ("溫蘭魁",)),
    ("時間：2004年10月21日14:18 作者：郭励弘", ("郭励弘",)),
])
def test_byline_patterns(raw, expected):
    found = meta.find_bylines(raw, frozenset({"本报", "记者", "台北"}))
    assert found is not None and found.names == expected


@pytest.mark.parametrize("raw", ["责任编辑：杨倩", "第A04版：小记者训练营", "（記者方賓照攝）", "今天天气很好。"])
def test_not_bylines(raw):
    assert meta.find_bylines(raw, frozenset()) is None


@pytest.mark.parametrize("raw, expected", [
    ("2013-06-29 19:35", "2013-06-29T19:35:00+08:00"),
    ("2013年06月29日 下午3:05", "2013-06-29T15:05:00+08:00"),
    ("2013.06.29 04:17 pm", "2013-06-29T16:17:00+08:00"),
    ("发布时间：2005-3-11", "2005-03-11"),
    ("2013-02-30", None),
    ("中華民國102年6月29日 下午3:05", "2013-06-29T15:05:00+08:00"),
    ("102年06月29日", "2013-06-29"),
    ("他服刑3年5月10日後出獄，之後一直住在台北市的親戚家裡，很少與人往來。", None),
])
def test_parse_date(raw, expected):
    assert meta.parse_date(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("多数夫妻生活有名无实 日本无性婚姻问题严重(图)", "多数夫妻生活有名无实 日本无性婚姻问题严重"),
    ("【资讯汇总】9月26日盘中重要资讯汇总", "9月26日盘中重要资讯汇总"),
    ("義光禁食》林義雄宣布停止禁食", "義光禁食》林義雄宣布停止禁食"),
])
def test_clean_title(raw, expected):
    assert meta.clean_title(raw) == expected


def test_split_credit_leaves_plain_captions_alone():
    assert split_credit("台東市區街道積水。") == ("台東市區街道積水。", None)
    assert split_credit("他說（這是真的）") == ("他說（這是真的）", None)


@pytest.mark.parametrize("caption, expected", [
    ("下月將法拍的房子位在萬大路一帶。（圖翻攝自google map）", ("下月將法拍的房子位在萬大路一帶。", "圖翻攝自google map")),
    ("警消到場時高姓男子已無生命跡象。（圖／翻攝畫面）", ("警消到場時高姓男子已無生命跡象。", "圖／翻攝畫面")),
    ("性感扮演學生妹。(取自日網)", ("性感扮演學生妹。", "取自日網")),
])
def test_split_credit(caption, expected):
    assert split_credit(caption) == expected


def test_absurdly_deep_nesting_does_not_crash():
    html = ("<html><head><title>深层嵌套测试</title></head><body>" + "<div>" * 3000
            + "<p>这是一段足够长的正文内容，用来测试极深的嵌套结构。这里还有第二句话。</p>" + "</div>" * 3000 + "</body></html>")
    page = extract_html(html)
    assert page.body.startswith("这是一段足够长的正文内容")


def test_truncated_page_still_extracts():
    text = (FIXTURES / "portal_article.html").read_text(encoding="utf-8")
    page = extract_html(text[: text.index("<h2>")])
    assert page.title == "华为发布新款芯片 性能提升三成"
    assert "性能较上一代提升三成" in page.body


@pytest.fixture(scope="module")
def markers():
    return _extract("markers.html")


def test_caption_markers_point_at_their_pictures(markers):
    assert [f.caption for f in markers.figures] == ["民代步出偵查庭，向媒體鞠躬。", "民代受訪時的畫面。", "資料圖：醫院外觀"]
    assert "▲" not in markers.body and "▼" not in markers.body and "資料圖" not in markers.body


def test_deck_date_and_desk_byline_before_the_text_are_removed(markers):
    assert markers.body.startswith("{{figure 1}}\n\n桃園縣一名鄉民代表被控掌摑醫院護理師")
    rules = _rules(markers)
    assert rules["byline"] == ("地方中心／桃園報導",)
    assert rules["deck"] == ("民代表示一定要親自道歉，但檢方諭令她不得騷擾",)
    assert markers.authors == ()  # a desk is not a reporter


def test_short_bold_paragraph_becomes_a_section_heading(markers):
    assert "\n### 警方函送 檢方火速傳喚\n" in markers.body


_ARTICLE = "<p>国务院常务会议今天部署进一步做好稳就业工作，要求各地落实落细各项政策措施。会议指出，就业是最大的民生。</p>" * 3


def test_publication_time_kept_in_a_page_script():
    html = ('<html><head><title>三星手机正式发布</title></head><body><h1>三星手机正式发布</h1>'
            '<em id="publish_time">昨天</em>' + _ARTICLE + '<script>var ct = "1581517074";</script></body></html>')
    page = extract_html(html)
    assert page.date == "2020-02-12T22:17:54+08:00"


def test_labelled_date_in_a_blog_footer():
    html = ('<html><head><title>一篇博客</title></head><body><h1>一篇博客</h1>' + _ARTICLE
            + '<div class="postfoot">作者:someone 阅读(1660) 发表于:2005-07-31 12:30</div></body></html>')
    assert extract_html(html).date == "2005-07-31T12:30:00+08:00"


def test_dates_in_related_lists_are_not_the_publication_date():
    html = ('<html><head><title>一篇文章</title></head><body><h1>一篇文章</h1>' + _ARTICLE
            + '<h3>相关新闻</h3><ul><li><a href="/1">另一篇文章</a> <span class="time">2004-10-10 17:06</span></li></ul>'
            + '</body></html>')
    page = extract_html(html)
    assert page.date is None
    assert "no publication date found" in page.warnings


def test_badge_before_the_headline_is_not_part_of_the_title():
    html = ('<html><head><title>最不愁吃肉的国家_头条</title></head><body><h1><span>原创</span>最不愁吃肉的国家</h1>'
            + _ARTICLE + '</body></html>')
    assert extract_html(html).title == "最不愁吃肉的国家"


def _page_with(description: str, extra_head: str = "", crumb: str = "") -> str:
    return (f'<html><head><title>国务院部署稳就业工作_示例网</title><meta name="description" content="{description}">'
            f'{extra_head}</head><body>{crumb}<h1>国务院部署稳就业工作</h1>{_ARTICLE}</body></html>')


def test_site_self_description_is_not_a_summary():
    page = extract_html(_page_with("示例网是经国家批准的重点新闻网站，以权威新闻为核心，打造东北地区的主流网络媒体。"))
    assert page.summary is None


def test_description_keeps_the_lead_without_byline_and_keyword_tail():
    page = extract_html(_page_with("【王小明／北京報導】国务院常务会议今天部署进一步做好稳就业工作。(就业,国务院,民生)"))
    assert page.summary == "国务院常务会议今天部署进一步做好稳就业工作。"


def test_title_as_description_is_not_a_summary():
    assert extract_html(_page_with("国务院部署稳就业工作_示例网")).summary is None


def test_breadcrumb_without_markup_starting_at_home():
    page = extract_html(_page_with("", crumb="<div>首页 &gt; 财经 &gt; 宏观 &gt; 正文</div>"))
    assert page.category == "宏观"


@pytest.mark.parametrize("raw, expected", [
    ("法国全国大罢工再次严重影响交通-新华网", "法国全国大罢工再次严重影响交通"),
    ("交通运输部：着力打造京津冀区域综合立体交通网络-股票频道-和讯网", "交通运输部：着力打造京津冀区域综合立体交通网络"),
    ("G-20峰会开幕", "G-20峰会开幕"),
    ("白米換番薯 馬市府有內鬼？ - 中時電子報", "白米換番薯 馬市府有內鬼？"),
    ("邱文達內定衛福部長 政次曾中明戴桂英呼聲高 | 即時新聞 | 20130629 | 蘋果日報", "邱文達內定衛福部長 政次曾中明戴桂英呼聲高"),
])
def test_title_from_head(raw, expected):
    assert meta.title_from_head(raw) == expected


def test_list_of_linked_teasers_is_flagged_as_an_index_page():
    page = _extract("teaser_list.html")
    assert "no article found: looks like an index page" in page.warnings
    assert "no article found: looks like an index page" not in _extract("portal_article.html").warnings


def test_closing_notices_and_photo_credit_lines():
    html = ('<html><head><title>男子墜樓不治 | 範例報</title></head><body><h1>男子墜樓不治</h1>'
            '<figure><img src="/p.jpg"><figcaption>警消到場搶救。</figcaption></figure><p>記者王大明／攝影</p>'
            '<p>新北市今天下午發生墜樓案件，一名男子不慎從住家屋頂墜落，送醫急救仍宣告不治。</p>'
            '<p>警方已採集現場跡證，將訊問家屬事發經過，以釐清案情，全案仍在調查中。</p>'
            '<p>★範例報關心您：再給自己一次機會</p><p>自殺諮詢專線：0800-788995（24小時）</p>'
            '<p>生命線：1995</p><p>(範例 )</p></body></html>')
    page = extract_html(html, url="https://example.tw/n/1")
    assert page.figures[0].credit == "記者王大明／攝影"
    assert page.figures[0].caption == "警消到場搶救。"
    assert page.body.rstrip().endswith("全案仍在調查中。")
    assert "攝影" not in page.body
    assert len(_rules(page)["disclaimer"]) >= 3


def test_short_article_beats_a_long_sidebar_of_teasers():
    page = _extract("modern_article.html")
    assert page.title == "某公司发布季度财报 营收增长两成"
    assert page.date == "2024-05-06T09:30:00+08:00"  # JSON-LD, UTC converted
    assert page.authors == ("张三",)
    assert page.figures[0].src == "https://news.example.com/img/a.jpg"
    assert page.body.startswith("{{figure 1}}\n\n某公司今天发布第一季度财报")
    assert page.body.rstrip().endswith("原材料价格波动带来的成本压力。")
    assert "摘要" not in page.body and "示例财经" not in page.body


def test_base_href_resolves_images_but_the_source_stays_the_page_url():
    html = ('<html><head><base href="https://cdn.example.com/news/"><title>基准地址测试</title></head><body>'
            '<h1>基准地址测试</h1><img src="pic/a.jpg">' + _ARTICLE + '</body></html>')
    page = extract_html(html, url="https://www.example.com/a/1.html")
    assert page.figures[0].src == "https://cdn.example.com/news/pic/a.jpg"
    assert page.source_url == "https://www.example.com/a/1.html"


@pytest.mark.parametrize("footer, outlet", [
    ("Copyright © 2025 示例新闻网 版权所有", "示例新闻网"),
    ("版权所有 © 2003-2025 示例日报社", "示例日报社"),
])
def test_outlet_from_the_copyright_line_when_nothing_else_names_it(footer, outlet):
    html = ('<html><head><title>测试标题页面</title></head><body><h1>测试标题页面</h1>' + _ARTICLE
            + f'<div class="footer">{footer}</div></body></html>')
    assert extract_html(html).source_name == outlet


def test_picture_floated_inside_a_sentence_goes_after_the_paragraph():
    html = ('<html><head><title>彩票得主的故事</title></head><body><h1>彩票得主的故事</h1>'
            '<p>他意外地获得了5<img src="/p.jpg" width="300">00万元的体彩大奖，成为让无数人羡慕不已的幸运儿。</p>'
            + _ARTICLE + '</body></html>')
    page = extract_html(html, url="https://example.com/a.html")
    paragraphs = page.body.split("\n\n")
    assert paragraphs[0] == "他意外地获得了500万元的体彩大奖，成为让无数人羡慕不已的幸运儿。"
    assert paragraphs[1] == "{{figure 1}}"


def test_tags_from_a_keyword_strip_when_there_is_no_keywords_meta():
    html = ('<html><head><title>白米換番薯 馬市府有內鬼？ - 範例時報</title></head><body><h1>白米換番薯 馬市府有內鬼？</h1>'
            + _ARTICLE + '<div class="a_k"><span>關鍵字：</span><a href="/s?q=北銀">北銀</a>、<a href="/s?q=富邦">富邦</a>'
            '、<a href="/s?q=重估">重估</a></div></body></html>')
    page = extract_html(html)
    assert page.tags == ("北銀", "富邦", "重估")
    assert "關鍵字" not in page.body


def test_headline_above_the_text_when_title_is_only_the_site_name():
    html = ('<html><head><title>北医新闻网_(新闻)</title></head><body><table><tr><td>首页&gt;&gt;人物聚焦</td></tr>'
            '<tr><td>李简——新外科运动向我们走来</td></tr></table><div class="bt_content">'
            '<b>神奇，偶然掉在凡俗的临床上。</b>' + _ARTICLE + '</div></body></html>')
    page = extract_html(html)
    assert page.title == "李简——新外科运动向我们走来"
    assert page.body.startswith("国务院常务会议今天部署")
    assert _rules(page)["deck"] == ("神奇，偶然掉在凡俗的临床上。",)
