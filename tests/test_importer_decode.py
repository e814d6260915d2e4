"""Charset decoding: declarations are hints, strict decodes decide, losses are counted."""
from __future__ import annotations

import codecs

from generator.importer.decode import decode, decode_mixed, sniff_declared

ARTICLE = "新华社北京11月28日电（记者王小明）国务院今天召开常务会议。"
TRAD = "記者王小明／台北報導　行政院今天召開會議，討論預算。"


def _page(charset: str, body: str) -> str:
    return f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}"></head><body><p>{body}</p></body></html>'


def test_utf8_page_declaring_gb2312_is_read_as_utf8():
    raw = _page("gb2312", ARTICLE).encode("utf-8")
    got = decode(raw)
    assert got.encoding == "utf-8"
    assert got.declared == "gb2312"
    assert ARTICLE in got.text
    assert got.lossy_bytes == 0


def test_gb2312_declared_page_with_gbk_only_characters_needs_gb18030():
    # 镕 and 喆 are outside GB2312 but inside GBK: a strict gb2312 decode would fail
    text = "朱镕基与王喆出席会议"
    raw = _page("gb2312", text).encode("gbk")
    got = decode(raw)
    assert got.encoding == "gb18030"
    assert text in got.text
    assert got.lossy_bytes == 0


def test_big5_page_with_stray_utf8_run_decodes_that_run_as_utf8():
    raw = (_page("big5", TRAD).encode("big5")
           + "<a title='討論'>討論</a>".encode("utf-8")
           + "<p>今天天氣很好</p>".encode("big5"))
    got = decode(raw)
    assert "<a title='討論'>討論</a>" in got.text
    assert TRAD in got.text and "今天天氣很好" in got.text
    assert got.encoding.startswith("big5hkscs")
    assert got.lossy_bytes == 0


def test_big5_hkscs_characters_decode():
    text = "香港深水埗的邨屋"  # 埗 and 邨 are HKSCS characters
    raw = _page("big5", text).encode("big5hkscs")
    got = decode(raw)
    assert text in got.text
    assert got.lossy_bytes == 0


def test_utf8_bom_is_stripped():
    raw = codecs.BOM_UTF8 + "<p>你好</p>".encode("utf-8")
    got = decode(raw)
    assert got.text == "<p>你好</p>"
    assert got.encoding == "utf-8"


def test_utf16_bom_is_honoured():
    raw = codecs.BOM_UTF16_LE + "<p>你好</p>".encode("utf-16-le")
    assert decode(raw).text == "<p>你好</p>"


def test_undecodable_bytes_are_counted():
    raw = _page("big5", TRAD).encode("big5") + b"\xff\xff\xff" + "完".encode("big5")
    got = decode(raw)
    assert got.lossy_bytes == 3
    assert TRAD in got.text


def test_declared_argument_beats_missing_meta():
    raw = "<p>中华人民共和国国务院办公厅</p>".encode("gbk")
    got = decode(raw, declared="GBK")
    assert got.text == "<p>中华人民共和国国务院办公厅</p>"
    assert got.declared == "gbk"


def test_undeclared_gbk_is_detected():
    text = "<p>" + "国务院总理李克强今天主持召开国务院常务会议，部署进一步做好稳就业工作。" * 4 + "</p>"
    got = decode(text.encode("gbk"))
    assert got.text == text
    assert got.lossy_bytes == 0


def test_crawler_wrapper_encoding_is_a_hint_but_script_charset_is_not():
    wrapper = b'<text id="http://x.cn/a.html" title="t" encoding="gb2312">'
    assert sniff_declared(wrapper + "<p>中文</p>".encode("gbk")) == "gb2312"
    trap = b'<html><head></head><body><script charset="gb2312" src="x.js"></script></body></html>'
    assert sniff_declared(trap) is None


def test_decode_mixed_reports_repairs():
    raw = "甲乙".encode("big5") + "丙丁".encode("utf-8") + "戊".encode("big5")
    text, repairs, lossy = decode_mixed(raw, "big5hkscs")
    assert text == "甲乙丙丁戊"
    assert (repairs, lossy) == (1, 0)


def test_gbk_text_knocked_out_of_step_by_a_lost_byte_is_realigned():
    good = "裴逸群表示，没有经过接触与皮肤测试，他们不知道那位消费者是否是使用这款产品而出现皮肤问题。"
    raw = _page("gb2312", good).encode("gbk")
    comma = "，".encode("gbk")
    broken = raw.replace("表示".encode("gbk") + comma, "表示".encode("gbk") + comma[1:], 1)
    got = decode(broken)
    assert "裴逸群表示没有经过接触与皮肤测试，他们不知道那位消费者" in got.text
    assert got.lossy_bytes == 1


def test_private_use_characters_of_a_clean_gbk_page_are_kept():
    # GBK user-defined code points are a publisher's own glyphs: decoded, not "repaired"
    raw = _page("gbk", "投身外交").encode("gbk") + b"\xaa\xa5" + "乔冠华开国之初的外交生涯，是他人生的组成部分。".encode("gbk")
    got = decode(raw)
    assert "\ue004" not in got.text or got.lossy_bytes == 0
    assert "乔冠华开国之初的外交生涯" in got.text


def test_undeclared_big5_is_detected():
    text = "<p>" + "行政院今天召開院會，通過明年度中央政府總預算案，其中社會福利支出比重最高。" * 3 + "</p>"
    got = decode(text.encode("big5"))
    assert got.text == text
    assert got.encoding in ("big5hkscs", "cp950", "big5")


def test_binary_junk_never_raises_and_reports_loss():
    got = decode(bytes(range(256)) * 4)
    assert isinstance(got.text, str)


def test_utf8_page_with_a_cut_character_stays_utf8():
    body = _page("gb2312", ARTICLE * 5).encode("utf-8")
    cut = body.index(ARTICLE.encode("utf-8")) + 1
    broken = body[:cut] + body[cut + 1:]  # one byte of the first CJK character lost
    got = decode(broken)
    assert got.encoding == "utf-8"
    assert got.lossy_bytes >= 1
    assert ARTICLE in got.text


def test_single_byte_declaration_on_a_gbk_page_is_not_trusted():
    text = "<p>" + "国务院总理今天主持召开国务院常务会议，部署进一步做好稳就业工作。" * 4 + "</p>"
    raw = b'<meta charset="iso-8859-1">' + text.encode("gbk")
    got = decode(raw)
    assert text in got.text
