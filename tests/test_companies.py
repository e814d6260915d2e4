"""Companies (issue 16): companies.yml errors, detection, built company pages in both scripts."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from build_helpers import article, make_site
from generator.build import build
from generator.io.cache import DiskCache
from generator.core.companies import parse_companies
from generator.core.company_index import describe
from generator.core.company_match import detect, fold_all, make_matcher
from generator.core.errors import BuildFailed, SiteError
from generator.io.converters import converter_for, open_converter

COMPANIES = """\
- id: sensetime
  hant: 商湯科技
  hans: 商汤科技
  aliases: [SenseTime, {hant: 商湯集團, hans: 商汤集团}]
  tickers: ["HKEX:0020"]
  website: https://www.sensetime.com/
  description: 人工智能软件公司。
- id: sensetime-healthcare
  hant: 商湯醫療
  hans: 商汤医疗
  parent: sensetime
- id: tsmc
  hant: 台積電
  hans: 台积电
  aliases: [TSMC]
  tickers: ["TWSE:2330", "NYSE:TSM"]
- id: xiaomi
  name: 小米
  tickers: ["HKEX:1810"]
"""


def errors_of(text: str) -> list[str]:
    """Every error line parse_companies reports."""
    try:
        parse_companies(text)
    except BuildFailed as exc:
        return [str(e) for e in exc.errors]
    except SiteError as exc:
        return [str(exc)]
    return []


# ------------------------------------------------------------------ companies.yml

def test_registry_parses_names_aliases_tickers_and_parents() -> None:
    reg = parse_companies(COMPANIES)
    st = reg.by_id["sensetime"]
    assert st.names == {"hant": "商湯科技", "hans": "商汤科技"}
    assert ("商湯集團", "商汤集团") in st.aliases and ("SenseTime", "SenseTime") in st.aliases
    assert st.tickers == ("HKEX:0020",)
    assert reg.by_id["xiaomi"].names == {"hant": "小米", "hans": "小米"}
    assert reg.subsidiaries("sensetime") == ("sensetime-healthcare",)


@pytest.mark.parametrize("text, message", [
    ("- id: a\n  name: 甲\n- id: a\n  name: 乙\n",
     "companies.yml:3: duplicate id 'a' (first on line 1) (give each company its own id)"),
    ("- id: a\n  name: 甲\n  aliases: [Acme]\n- id: b\n  name: 乙\n  aliases: [Acme]\n",
     "companies.yml:4: Acme is claimed by a (line 1) and b (a name or alias names one company)"),
    ("- id: a\n  name: 甲\n  parent: nobody\n",
     "companies.yml:1: a: unknown parent 'nobody' (the parent's id must be listed in companies.yml)"),
    ("- id: a\n  name: 甲\n  tickers: [\"HKEX:20\"]\n",
     "companies.yml:3: ticker 'HKEX:20': not a HKEX code (4 or 5 digits, leading zeros kept: HKEX:0020)"),
    ("- id: a\n  name: 甲\n  tickers: [\"LSE:VOD\"]\n",
     "companies.yml:3: ticker 'LSE:VOD': unknown exchange 'LSE' (one of HKEX, SSE, SZSE, BSE, "
     "TWSE, TPEX, NASDAQ, NYSE, SGX, TSE)"),
    ("- id: a\n  name: 甲\n  tickers: [0020]\n",
     "companies.yml:3: tickers: an item must be text (quote it)"),
    ("- id: A b\n  name: 甲\n",
     "companies.yml:1: id 'A b' is not a URL name (lower-case ASCII letters, digits and hyphens: "
     "sensetime-healthcare)"),
    ("- id: a\n  hant: 甲\n",
     "companies.yml:1: company needs both hant and hans (or one name: written alike)"),
    ("- id: a\n  name: 甲\n  colour: red\n",
     "companies.yml:3: unknown key 'colour' (use id, name, hant, hans, aliases, tickers, "
     "website, description, parent)"),
    ("- id: a\n  name: 甲\n  parent: b\n- id: b\n  name: 乙\n  parent: a\n",
     "companies.yml:1: a: its parent chain comes back to itself"),
])
def test_registry_errors_are_one_line_each(text: str, message: str) -> None:
    assert message in errors_of(text)


@pytest.mark.parametrize("ticker", ["HKEX:0020", "HKEX:00700", "SZSE:000651", "SSE:600519",
                                    "TWSE:2330", "NASDAQ:NVDA", "NYSE:BRK.B", "TPEX:6488"])
def test_good_tickers_pass(ticker: str) -> None:
    assert parse_companies(f'- id: a\n  name: 甲\n  tickers: ["{ticker}"]\n').items[0].tickers == (ticker,)


@pytest.mark.parametrize("ticker", ["SZSE:651", "SSE:000651", "TWSE:23", "NASDAQ:nvda1", "HKEX0020"])
def test_bad_tickers_fail(ticker: str) -> None:
    assert any("ticker" in line for line in errors_of(f'- id: a\n  name: 甲\n  tickers: ["{ticker}"]\n'))


def test_cli_reports_companies_errors_without_traceback(tmp_path: Path, capsys) -> None:
    from generator.cli import main

    (tmp_path / "site.yml").write_text("title: t\nbase_url: https://e.org/\ncompanies: companies.yml\n"
                                       "search: false\n", encoding="utf-8")
    (tmp_path / "companies.yml").write_text("- id: a\n  name: 甲\n- id: a\n  name: 乙\n", encoding="utf-8")
    (tmp_path / "content").mkdir()
    assert main(["--site", str(tmp_path), "build", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "companies.yml:3: duplicate id 'a'" in err and "Traceback" not in err


# ------------------------------------------------------------------ detection

class _Fold:
    """Enough of converter.fold for detection tests: Traditional -> Simplified for the names."""

    TABLE = str.maketrans("湯醫療積電團", "汤医疗积电团")

    def __call__(self, s: str) -> str:
        return s.translate(self.TABLE).lower()


def test_detect_in_both_scripts_most_mentioned_first() -> None:
    m = make_matcher(parse_companies(COMPANIES), _Fold())
    fold = _Fold()
    hant = detect(m, fold("台積電擴產"), fold("台積電（2330）與商湯科技合作。台積電表示，TSMC 將擴產。"))
    hans = detect(m, fold("台积电扩产"), fold("台积电与商汤科技合作，台积电表示。"))
    assert hant == ("tsmc", "sensetime") and hans == ("tsmc", "sensetime")


def test_longest_form_wins_and_tickers_find_companies() -> None:
    m = make_matcher(parse_companies(COMPANIES), _Fold())
    fold = _Fold()
    assert detect(m, "", fold("商湯醫療宣布融資。商湯醫療表示")) == ("sensetime-healthcare",)
    assert detect(m, "", fold("股份代號 HKEX:0020 今日上漲")) == ("sensetime",)
    assert detect(m, "", fold("0020.HK 今日上漲")) == ("sensetime",)


def test_a_common_word_needs_more_than_one_weak_hit() -> None:
    m = make_matcher(parse_companies(COMPANIES), _Fold())
    assert detect(m, "", "今年小米價格上漲") == ()
    assert detect(m, "", "小米發布新手機，小米表示銷量增長") == ("xiaomi",)
    assert detect(m, "", "共有 1810 名員工") == ()


def test_latin_forms_match_whole_words_only() -> None:
    m = make_matcher(parse_companies(COMPANIES), _Fold())
    assert detect(m, "", "tsmcx 與 xtsmc 都不是 tsmc2 公司") == ()
    assert detect(m, "", "據 tsmc 公告，tsmc。") == ("tsmc",)


def test_equal_counts_go_to_the_first_mentioned() -> None:
    m = make_matcher(parse_companies(COMPANIES), _Fold())
    # two strong hits each; TSMC is named first by its second ticker (TSM), and the order is
    # the text's, not the order of a company's tickers in companies.yml
    text = _Fold()("NYSE:TSM 與 HKEX:0020，HKEX:0020 與 TWSE:2330")
    assert detect(m, "", text) == ("tsmc", "sensetime")


def test_fold_all_folds_many_texts_in_one_call() -> None:
    calls = []

    def fold(text: str) -> str:
        calls.append(text)
        return text.upper()

    assert fold_all(fold, ["ab", "cd"]) == ["AB", "CD"] and len(calls) == 1
    assert fold_all(fold, ["a\nb", "c"]) == ["A\nB", "C"] and len(calls) == 3


def test_descriptions_are_normalised_in_their_script_and_converted_in_the_other() -> None:
    registry = parse_companies("- id: acme\n  name: 艾克美\n  description: 总部位於台北的軟體公司。\n"
                               "- id: blank\n  name: 空白\n")
    converter = open_converter()
    views = describe(registry, converter, lambda text: converter.detect_script(text, "hant"))
    # written in Traditional with one Simplified character (总): repaired, 台 kept
    assert views["acme"]["hant"] == "總部位於台北的軟體公司。"
    assert views["acme"]["hans"] == "总部位于台北的软体公司。"
    assert views["blank"] == {"hant": "", "hans": ""}


def test_companies_file_errors_read_as_pure_python_yaml_words() -> None:
    # the fast (libyaml) composer is used when it can; a broken file is reported in PyYAML's
    # own words, with its line
    assert errors_of("- id: acme\n  name: [unclosed\n") == [
        "companies.yml:3: invalid YAML: expected ',' or ']', but got '<stream end>'"]


# ------------------------------------------------------------------ built pages

def _site(tmp_path: Path, per_page: int = 2):
    files = {"companies.yml": COMPANIES}
    files["content/2025/a.md"] = article("商湯科技發布新模型", "2025-01-10", "[大模型]",
                                         "商湯科技發布。", companies="[sensetime]")
    files["content/2025/b.md"] = article("商汤医疗完成融资", "2025-03-02", "[融资]",
                                         "商汤医疗与商汤科技。", companies="[sensetime-healthcare, sensetime]",
                                         script="hans")
    files["content/2025/c.md"] = article("商湯科技與台積電合作", "2025-03-20", "[晶片]",
                                         "合作。", companies="[sensetime, tsmc]")
    files["content/2025/d.md"] = article("台積電擴產", "2025-05-01", "[晶片]", "擴產。",
                                         companies="[tsmc]")
    return make_site(tmp_path / "site", files, companies="companies.yml", theme_dir=None,
                     per_page=per_page)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("companies")
    config = _site(tmp)
    out = tmp / "out"
    report = build(config, out_dir=out, cache=DiskCache.memory())
    assert not report.warnings, report.warnings
    return out


@pytest.mark.parametrize("prefix, name", [("zh-hant", "商湯科技"), ("zh-hans", "商汤科技")])
def test_profile_shows_names_tickers_parent_and_subsidiaries(built: Path, prefix: str, name: str) -> None:
    html = (built / prefix / "companies/sensetime/index.html").read_text()
    assert f"<h1 class=\"list-heading\">{name}</h1>" in html
    assert "HKEX:0020" in html and "https://www.sensetime.com/" in html
    assert f'href="/{prefix}/companies/sensetime-healthcare/"' in html  # subsidiary
    child = (built / prefix / "companies/sensetime-healthcare/index.html").read_text()
    assert f'href="/{prefix}/companies/sensetime/"' in child  # parent


def test_chart_bars_match_monthly_counts(built: Path) -> None:
    html = (built / "zh-hant/companies/sensetime/index.html").read_text()
    svg = re.search(r"<svg class=\"company-chart\".*?</svg>", html, re.S).group(0)
    root = ET.fromstring(svg)
    bars = root.findall("{http://www.w3.org/2000/svg}rect")
    counts = {b.get("data-month"): int(b.get("data-count")) for b in bars}
    assert counts == {"2025-01": 1, "2025-03": 2}
    heights = {b.get("data-month"): float(b.get("height")) for b in bars}
    assert heights["2025-03"] == pytest.approx(2 * heights["2025-01"])
    # the accessible table lists every month, empty ones too
    assert re.findall(r'<th scope="row">(2025年\d+月)</th><td class="num">(\d+)</td>', html) == [
        ("2025年1月", "1"), ("2025年2月", "0"), ("2025年3月", "2")]


def test_profile_is_paginated_newest_first(built: Path) -> None:
    first = (built / "zh-hant/companies/sensetime/index.html").read_text()
    second = (built / "zh-hant/companies/sensetime/page/2/index.html").read_text()
    titles = re.findall(r'class="item-title"><a href="/zh-hant/articles/(\w)/"', first + second)
    assert titles == ["c", "b", "a"]
    assert 'rel="next"' in first and 'rel="prev"' in second


def test_feed_is_atom_with_the_company_articles(built: Path) -> None:
    root = ET.fromstring((built / "zh-hans/companies/tsmc/feed.xml").read_bytes())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    links = [e.find("a:link", ns).get("href") for e in root.findall("a:entry", ns)]
    assert links == ["https://example.org/zh-hans/articles/d/", "https://example.org/zh-hans/articles/c/"]
    assert root.find("a:title", ns).text.endswith("台积电")


def _jsonld(html: str) -> list[dict]:
    return [json.loads(m) for m in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)]


def test_profile_jsonld_is_an_organization(built: Path) -> None:
    (data,) = _jsonld((built / "zh-hant/companies/sensetime-healthcare/index.html").read_text())
    assert data["@type"] == "Organization" and data["name"] == "商湯醫療"
    assert data["parentOrganization"]["name"] == "商湯科技"
    (st,) = _jsonld((built / "zh-hans/companies/sensetime/index.html").read_text())
    assert st["tickerSymbol"] == ["HKEX:0020"] and st["sameAs"] == ["https://www.sensetime.com/"]
    assert "SenseTime" in st["alternateName"] and "商汤集团" in st["alternateName"]
    assert st["url"] == "https://example.org/zh-hans/companies/sensetime/"


def test_article_links_its_companies_and_is_about_them(built: Path) -> None:
    html = (built / "zh-hant/articles/c/index.html").read_text()
    assert '<a href="/zh-hant/companies/tsmc/">台積電</a>' in html
    (data,) = _jsonld(html)
    assert [o["name"] for o in data["about"]] == ["商湯科技", "台積電"]


def test_index_sorts_by_name_and_by_recent(built: Path) -> None:
    by_name = (built / "zh-hant/companies/index.html").read_text()
    recent = (built / "zh-hant/companies/recent/index.html").read_text()
    assert re.findall(r'data-id="([\w-]+)"', by_name) == ["sensetime", "sensetime-healthcare", "tsmc", "xiaomi"]
    assert re.findall(r'data-id="([\w-]+)"', recent) == ["tsmc", "sensetime", "sensetime-healthcare", "xiaomi"]
    assert 'href="/zh-hant/companies/recent/"' in by_name and 'aria-current="page">依最新報導排序' in recent


def test_names_are_protected_in_conversion(tmp_path: Path) -> None:
    config = make_site(tmp_path, {"companies.yml": "- id: acme\n  hant: 于東來\n  hans: 于东来\n"},
                       companies="companies.yml")
    assert converter_for(config).text("hant", "于东来的店") == "于東來的店"
    bare = make_site(tmp_path / "bare", {})
    assert converter_for(bare).text("hant", "于东来的店") != "于東來的店"


def test_unknown_id_is_an_error_and_unlisted_title_a_warning(tmp_path: Path) -> None:
    config = make_site(tmp_path, {"companies.yml": COMPANIES,
                                  "content/2025/a.md": article("台積電擴產", "2025-01-01",
                                                               companies="[nobody]")},
                       companies="companies.yml")
    with pytest.raises(BuildFailed) as failed:
        build(config, out_dir=tmp_path / "out", cache=DiskCache.memory())
    assert [str(e) for e in failed.value.errors] == [
        "content/2025/a.md:5: companies: unknown company 'nobody' (use an id from companies.yml "
        "or add the company there)"]
    (tmp_path / "content/2025/a.md").write_text(article("台積電擴產", "2025-01-01", companies="[]"))
    report = build(config, out_dir=tmp_path / "out", cache=DiskCache.memory())
    assert report.warnings == ("content/2025/a.md:5: the title names 台積電 but companies: "
                               "leaves out tsmc (add it?)",)


def test_a_two_character_name_in_a_title_warns_when_the_summary_names_it_too(tmp_path: Path) -> None:
    files = {"companies.yml": COMPANIES,
             "content/2025/a.md": article("小米發布新手機", "2025-01-01", companies="[]",
                                          body="小米今天發布新手機。"),
             "content/2025/b.md": article("今年小米價格上漲", "2025-01-02", companies="[]",
                                          body="糧食市場的報導。")}
    config = make_site(tmp_path, files, companies="companies.yml")
    report = build(config, out_dir=tmp_path / "out", cache=DiskCache.memory())
    assert report.warnings == ("content/2025/a.md:5: the title names 小米 but companies: "
                               "leaves out xiaomi (add it?)",)


def test_a_kept_session_looks_again_at_edited_titles_and_descriptions(tmp_path: Path) -> None:
    # serve keeps one cache (and session) across rebuilds: the matcher, the converted
    # descriptions and each article's title warnings are reused only while they hold
    files = {"companies.yml": COMPANIES,
             "content/2025/a.md": article("擴產計畫", "2025-01-01", companies="[]")}
    config = make_site(tmp_path, files, companies="companies.yml")
    cache, out = DiskCache.memory(), tmp_path / "out"
    assert build(config, out_dir=out, cache=cache).warnings == ()
    (tmp_path / "content/2025/a.md").write_text(article("台積電擴產", "2025-01-01", companies="[]"))
    assert build(config, out_dir=out, cache=cache).warnings == (
        "content/2025/a.md:5: the title names 台積電 but companies: leaves out tsmc (add it?)",)
    (tmp_path / "content/2025/a.md").write_text(article("擴產計畫", "2025-01-02", companies="[]"))
    assert build(config, out_dir=out, cache=cache).warnings == ()
    (tmp_path / "companies.yml").write_text(COMPANIES.replace("人工智能软件公司。", "视觉软件公司。"))
    build(config, out_dir=out, cache=cache)
    profile = (out / "zh-hant/companies/sensetime/index.html").read_text(encoding="utf-8")
    assert "視覺軟件公司。" in profile and "人工智能" not in profile


def test_one_edit_rebuilds_only_the_company_pages_it_changes(tmp_path: Path) -> None:
    config = _site(tmp_path, per_page=10)
    cache, out = DiskCache.memory(), tmp_path / "out"
    build(config, out_dir=out, cache=cache)
    path = config.root / "content/2025/d.md"
    path.write_text(path.read_text().replace("擴產。", "擴產，產能增加。"))
    report = build(config, out_dir=out, cache=cache, changed=[path])
    company = sorted(p for p in report.rendered_paths if "/companies/" in p)
    assert company == [f"{s}/companies/tsmc/{f}" for s in ("zh-hans", "zh-hant")
                       for f in ("feed.xml", "index.html")]
    (config.root / "companies.yml").write_text(COMPANIES.replace("TWSE:2330", "TWSE:2331"))
    report = build(config, out_dir=out, cache=cache)
    company = sorted(p for p in report.rendered_paths if "/companies/" in p)
    assert company == sorted(f"{s}/companies/{f}" for s in ("zh-hans", "zh-hant") for f in (
        "index.html", "recent/index.html", "tsmc/index.html", "tsmc/feed.xml"))


# ------------------------------------------------------------------ import

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
<meta property="article:published_time" content="2025-03-02T10:00:00+08:00"></head>
<body><article><h1>{title}</h1>{paras}<p>{filler}</p><p>{filler}</p></article></body></html>"""
FILLER = ("業界人士指出，人工智慧應用帶動算力需求快速成長，相關供應鏈今年的營收與獲利預期"
          "普遍上調，市場也關注後續的產能規劃與資本支出安排。")


@pytest.mark.parametrize("title, paras, expected", [
    ("台積電擴充先進封裝產能", ["台積電（2330）宣布擴產，商湯科技也將採用其晶片。",
                             "台積電表示，需求持續旺盛，今年產能將提高三成以上，客戶包括多家人工智慧公司。"],
     ["tsmc", "sensetime"]),
    ("商汤医疗完成新一轮融资", ["商汤医疗今日宣布完成融资，母公司商汤科技继续领投。",
                             "商汤医疗表示，资金将用于医疗大模型研发与医院端产品落地，覆盖更多城市。"],
     ["sensetime-healthcare", "sensetime"]),
])
def test_import_fills_companies_and_reports_them(tmp_path: Path, capsys, title, paras, expected) -> None:
    from import_helpers import import_site, run
    from generator.core.frontmatter import split_front_matter

    site = import_site(tmp_path)
    (site / "site.yml").write_text("title: 測試典藏\nbase_url: https://example.org/\n"
                                   "companies: companies.yml\n", encoding="utf-8")
    (site / "companies.yml").write_text(COMPANIES, encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text(PAGE.format(title=title, paras="".join(f"<p>{p}</p>" for p in paras),
                                filler=FILLER),
                    encoding="utf-8")
    status, results = run(site, page, capsys=capsys)
    assert status == 0, results[0]["error"]
    assert results[0]["companies"] == expected
    written = next((site / "content").rglob("*.md")).read_text(encoding="utf-8")
    meta, _, _ = split_front_matter(written, "x.md")
    assert meta["companies"] == expected
