"""Source -> Article: validation, figures, slugs, dates and both script versions."""
from datetime import timedelta, timezone

import pytest

from generator.core.articles import check_duplicate_slugs, parse_article
from generator.core.errors import BuildFailed, SiteError
from generator.core.markdown import make_renderer
from generator.core.model import Source
from generator.core.chinese import parse_glossary
from generator.io.converters import open_converter

# the glossary keeps 台積電 (OpenCC alone would write 臺積電)
CONVERTER = open_converter({"hant": "s2tw", "hans": "t2s"}, parse_glossary("- {hant: 台積電, hans: 台积电}\n"))
TZ = timezone(timedelta(hours=8))


def parse(text: str, path: str = "content/2025/gree-results.md", base_path: str = "/"):
    return parse_article(Source(path, text, "d" * 64), converter=CONVERTER, render=make_renderer(),
                         detect=lambda t: CONVERTER.detect_script(t, "hant"), tz=TZ,
                         base_path=base_path, fingerprint="f")


def errors_of(text: str, path: str = "content/2025/x.md") -> list[str]:
    with pytest.raises((BuildFailed, SiteError)) as caught:
        parse(text, path)
    failure = caught.value
    return [str(e) for e in getattr(failure, "errors", [failure])]


FIGURES = """---
title: 台积电扩充先进封装产能
date: 2025-11-28T09:30:00
tags: [台積電, 晶片, 芯片]
category: 科技
figures:
  - {caption: 產能走勢, src: chart.svg, alt: 折線圖}
  - {caption: 僅有說明的圖}
---
第一段，发布新产品。

{{figure 1}}

第二段 -{范先群}-。
"""


def test_both_versions_figures_and_metadata():
    art = parse(FIGURES, base_path="/archive/")
    assert art.slug == "gree-results"
    assert art.date.isoformat() == "2025-11-28T09:30:00+08:00"
    assert art.script == "hans"
    hant, hans = art.versions["hant"], art.versions["hans"]
    assert hant.title == "台積電擴充先進封裝產能"
    assert hans.title == "台积电扩充先进封装产能"
    # s2tw, not s2twp (which writes 釋出 for 发布 in news text)
    assert "發佈新產品" in hant.body_html
    assert hant.summary == "第一段，發佈新產品。 第二段 范先群。"
    assert "范先群" in hant.body_html and "-{" not in hant.body_html
    body = hans.body_html
    assert body.index("第一段") < body.index('<img src="/archive/media/2025/chart.svg"') < body.index("第二段")
    # the unplaced caption-only figure comes after the body, without <img>
    assert body.rstrip().endswith(
        '<figure class="figure figure-caption-only"><figcaption>仅有说明的图</figcaption></figure>')
    # 晶片 and 芯片 are different words; 台積電 folds to one identity in both scripts
    assert art.tag_keys == (CONVERTER.fold("台積電"), CONVERTER.fold("晶片"), CONVERTER.fold("芯片"))
    assert hans.category == "科技"


def test_date_only_takes_site_time_zone_and_summary_is_derived():
    art = parse("---\ntitle: t\ndate: 2025-11-28\ntags: []\n---\n這是第一句話，說明了很多很多很多很多很多事情。第二句。\n")
    assert art.date.isoformat() == "2025-11-28T00:00:00+08:00"
    assert art.versions["hant"].summary.startswith("這是第一句話")


def test_every_error_of_a_file_is_reported_with_its_line():
    text = "---\ntitle: 123\ndate: yesterday\ntags: 騰訊, 晶片\ndraft: maybe\n---\n{{figure 2}}\n"
    assert errors_of(text) == [
        "content/2025/x.md:3: date: not a date ('yesterday') (use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+08:00)",
        "content/2025/x.md:4: tags: must be a list (found text '騰訊, 晶片') (write tags: [騰訊, 晶片])",
        "content/2025/x.md:5: draft: must be true or false (found 'maybe')",
        "content/2025/x.md:7: {{figure 2}}: no such figure (the article has 0) "
        "(figures are numbered from 1 in `figures:`)",
    ]


def test_only_a_draft_may_wait_for_its_date():
    draft = parse("---\ntitle: t\ntags: []\ndraft: true\n---\nx\n")
    assert draft.draft is True and draft.date.year == 1970
    assert errors_of("---\ntitle: t\ntags: []\ndraft: false\n---\nx\n") == [
        "content/2025/x.md:1: date: is required (for example date: 2025-11-28)"]


def test_missing_required_fields():
    assert errors_of("---\nsummary: s\n---\nx\n") == [
        "content/2025/x.md:1: date: is required (for example date: 2025-11-28)",
        "content/2025/x.md:1: tags: is required (for example tags: [騰訊, 晶片])",
        "content/2025/x.md:1: title: is required",
    ]


def test_non_ascii_file_name_without_slug_is_an_error_with_a_hint():
    text = "---\ntitle: t\ndate: 2025-01-01\ntags: []\n---\nx\n"
    assert errors_of(text, "content/2025/格力.md") == [
        "content/2025/格力.md:1: file name '格力' is not an ASCII slug "
        "(add slug: some-ascii-name to the front matter, or rename the file)"]
    assert parse(text.replace("tags: []", "tags: []\nslug: gree"), "content/2025/格力.md").slug == "gree"


def test_bad_slug_value():
    text = "---\ntitle: t\ndate: 2025-01-01\ntags: []\nslug: 格力 電器\n---\nx\n"
    assert errors_of(text) == ["content/2025/x.md:5: slug: must be ASCII letters, digits, '-', '_' "
                               "or '.' (found '格力 電器') (for example slug: gree-results-2025)"]


def test_duplicate_slugs_name_both_files():
    text = "---\ntitle: t\ndate: 2025-01-01\ntags: []\nslug: same\n---\nx\n"
    a, b = parse(text, "content/a.md"), parse(text, "content/b.md")
    assert [str(e) for e in check_duplicate_slugs([b, a])] == [
        "content/b.md:5: duplicate URL /articles/same/ (also used by content/a.md) "
        "(give one of them another slug:)"]


def test_duplicate_file_names_point_at_the_first_line():
    text = "---\ntitle: t\ndate: 2025-01-01\ntags: []\n---\nx\n"
    a, b = parse(text, "content/2024/same.md"), parse(text, "content/2025/same.md")
    assert [str(e) for e in check_duplicate_slugs([a, b])] == [
        "content/2025/same.md:1: duplicate URL /articles/same/ (also used by "
        "content/2024/same.md) (give one of them another slug:)"]


def test_a_misspelt_key_is_a_warning_with_did_you_mean():
    art = parse("---\ntitle: t\ndate: 2025-01-01\ntags: []\ncatgory: 科技\nsummery: 摘要\n"
                "stock: '000651'\n---\n正文。\n")
    assert art.warnings == (
        "content/2025/gree-results.md:5: unknown key 'catgory' (did you mean 'category'? "
        "unknown keys are kept as they are)",
        "content/2025/gree-results.md:6: unknown key 'summery' (did you mean 'summary'? "
        "unknown keys are "
        "kept as they are)")
    assert dict(art.extra)["catgory"] == "科技"


def test_unknown_keys_are_kept_and_raw_html_is_escaped():
    art = parse("---\ntitle: t\ndate: 2025-01-01\ntags: []\nstock: '000651'\n---\n<script>x</script>\n")
    assert dict(art.extra) == {"stock": "000651"}
    assert "<script>" not in art.versions["hant"].body_html


def test_text_in_its_own_script_keeps_its_variants_and_loses_the_other_scripts():
    text = "---\ntitle: 台灣半導體\ndate: 2025-01-01\ntags: [台灣]\nscript: hant\n---\n台灣的 -{着}- 與着，基于此。\n"
    art = parse(text)
    hant, hans = art.versions["hant"], art.versions["hans"]
    # s2tw would write 臺灣: Taiwan's 台 stays; the Simplified 着 and 于 do not; -{着}- does
    assert hant.title == "台灣半導體" and "<p>台灣的 着 與著，基於此。</p>" in hant.body_html
    assert hans.title == "台湾半导体" and "台湾的 着 与着，基于此。" in hans.body_html
    assert any("Simplified 基于 on the Traditional page (基於?)" in w for w in art.warnings)
