"""Artefact repair rules: each removes exactly the artefact and nothing legitimate."""
from __future__ import annotations

from pathlib import Path

from generator.core.chinese import Glossary, Term
from generator.importer import artefacts as A
from generator.io.converters import open_converter
from generator.importer.model import Extracted

FIXTURES = Path(__file__).parent / "fixtures" / "importer"


def _seed_lines() -> list[str]:
    text, _ = A.strip_pinyin((FIXTURES / "seed.txt").read_text(encoding="utf-8"))
    return text.splitlines()


def test_pinyin_after_cjk_removed_in_ascii_and_fullwidth_parentheses():
    text, removal = A.strip_pinyin("商湯醫(yī)療發(fā)布，醫（yī）院")
    assert text == "商湯醫療發布，醫院"
    assert removal.rule == "pinyin-annotation"
    assert removal.texts == ("(yī)", "(fā)", "（yī）")


def test_pinyin_rule_keeps_parentheses_that_are_not_toned_pinyin():
    text = "年產能二十吉瓦時(GWh),人工智能(AI)與(de)字,Apple (蘋果)和 x(ā)"
    assert A.strip_pinyin(text)[0] == text


def test_controls_and_zero_width_characters_removed():
    text, removal = A.strip_controls("商\x00湯\u200b科\x07技\n下一行\t")
    assert text == "商湯科技\n下一行\t"
    assert removal.count == 3


def test_stuffing_removed_with_summary_witness_and_legit_uses_kept():
    lines = _seed_lines()
    title, summary = lines[1], lines[3].removeprefix("簡介").removesuffix(" ...")
    paragraphs, removal = A.strip_stuffing(lines[4:35], title=title, summary=summary)
    assert set(removal.texts) == {"世界模型", "竹蜻", "蜓啟湯醫", "航商畫智慧醫", "療擘療新"}
    assert removal.count == 15
    assert paragraphs[0].startswith(
        "2025年11月28日,在上海——商湯科技大廈,一場以“智啟新生,醫領未來”為主題的啟航盛典"
        "正式拉開帷幕。這不僅是商湯醫療完成新一輪融資后的首次公開亮相,更是一次對智慧醫療")
    # the legitimate later uses stay: “世界模型” in headings and text, 竹蜻蜓 in the logo story
    rest = "\n".join(paragraphs[1:])
    assert rest.count("世界模型") == 8 and rest.count("竹蜻蜓") == 6
    assert rest == "\n".join(lines[5:35])


def test_stuffing_found_from_repetition_without_summary():
    lines = (FIXTURES / "stuffed_nosummary.txt").read_text(encoding="utf-8").splitlines()
    paragraphs, removal = A.strip_stuffing(lines[2:], title=lines[1], summary=None)
    assert removal.texts == ("鈉離子電", "時代量產", "池發布計劃") * 3
    assert paragraphs[0] == (
        "2025年7月8日,在福建寧德,寧德時代舉行發布會,正式公布其鈉離子電池的量產計劃。"
        "公司表示,首批產品將用於儲能,隨後進入乘用車市場。業內人士指出,鈉離子電池成本較低,"
        "低溫性能突出,有望與鋰電池形成互補,並緩解鋰資源的供應壓力,也為電動車降價留出空間。")
    assert paragraphs[1:] == lines[3:]


def test_repeated_legit_title_words_are_not_stuffing():
    para = ("商湯醫療首席執行官張少霆表示,商湯醫療將加大投入,商湯醫療的團隊已超過百人,"
            "商湯醫療也將與醫院合作。")
    out, removal = A.strip_stuffing([para], title="商湯醫療發布新產品", summary=None)
    assert out == [para] and removal.count == 0


def test_chrome_paragraphs_removed_by_named_rules():
    paragraphs = ["正文第一段。", "责任编辑：张三", "分享到：微信 微博", "版權所有 © 2025 某報",
                  "扫描二维码，关注公众号", "編輯部表示,這篇長文" + "很長" * 120,
                  "在超市扫码支付已成为常态,下载银行App的用户也越来越多。"]
    kept, removals = A.strip_chrome(paragraphs)
    assert kept == [paragraphs[0], paragraphs[5], paragraphs[6]]
    assert {r.rule: r.texts for r in removals} == {
        "editor-line": ("责任编辑：张三",), "share-bar": ("分享到：微信 微博",),
        "copyright": ("版權所有 © 2025 某報",), "app-promotion": ("扫描二维码，关注公众号",)}


def test_simplified_residue_fixed_by_phrase_but_names_and_queens_kept():
    text, removal = A.fix_residue("融資后的首次亮相,親臨并致辭,通過云端;皇后大道,余承東與范先群")
    assert text == "融資後的首次亮相,親臨並致辭,通過雲端;皇后大道,余承東與范先群"
    assert removal.texts == ("資后→資後", "臨并→臨並", "過云→過雲")


def test_repair_applies_rules_to_title_summary_captions_and_body():
    page = Extracted(title="商湯醫(yī)療", date=None, summary="醫(yī)療AI",
                     body="正文醫(yī)療。\n\n責任編輯：王五\n", figures=())
    out = A.repair(page, script="hant")
    assert (out.title, out.summary, out.body) == ("商湯醫療", "醫療AI", "正文醫療。\n")
    assert {r.rule: r.count for r in out.removals} == {"pinyin-annotation": 3, "editor-line": 1}


def test_a_shorter_summary_is_not_taken_for_stuffing():
    para = "商湯醫療今天宣布完成新一輪融資,資金將投入醫療大模型研發,並擴大醫院合作。" * 2
    summary = "商湯今天宣布完成融資,資金將投入醫療大模型研發,並擴大醫院合作。"
    out, removal = A.strip_stuffing([para], title="商湯醫療完成新一輪融資", summary=summary)
    assert out == [para] and removal.count == 0


def test_residue_repair_is_the_builds_normaliser_with_the_glossary():
    glossary = Glossary((Term("余承東", "余承东"), Term("台積電", "台积电")))
    normalise = open_converter(None, glossary).normalise_many
    text, removal = A.fix_residue("余承東基于台積電的百余家客戶,依托台灣供應鏈", "hant", normalise)
    assert text == "余承東基於台積電的百餘家客戶,依託台灣供應鏈"
    assert removal.rule == "simplified-residue"
    assert removal.texts == ("基于→基於", "百余→百餘", "依托→依託")


def test_traditional_residue_repaired_in_simplified_pages():
    text, removal = A.fix_residue("随著发展,头发油膩,著名品牌", "hans")
    assert text == "随着发展,头发油腻,著名品牌"
    assert removal.rule == "traditional-residue" and removal.count == 2
