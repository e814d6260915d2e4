"""Front matter: splitting, refusing mangled YAML values, and the one writer."""
from datetime import datetime, timedelta, timezone

import pytest

from generator.core.errors import SiteError
from generator.core.frontmatter import dump_front_matter, split_front_matter


def doc(*lines: str) -> str:
    return "\n".join(["---", *lines, "---", "", "正文", ""])


def error_of(text: str) -> str:
    with pytest.raises(SiteError) as caught:
        split_front_matter(text, "content/a.md")
    return str(caught.value)


def test_split_returns_meta_body_and_body_line():
    meta, body, line = split_front_matter(doc("title: 格力", "tags: [騰訊]"), "a.md")
    assert meta == {"title": "格力", "tags": ["騰訊"]}
    assert body == "\n正文\n"
    assert line == 5


@pytest.mark.parametrize("value, number", [("000651", 425), ("0700", 448)])
def test_unquoted_stock_code_is_an_error_saying_quote_it(value, number):
    message = error_of(doc("title: x", f"code: {value}"))
    assert message == f"content/a.md:3: {value} would be read as the number {number} (quote it)"


def test_sexagesimal_time_is_an_error():
    assert "10:30 would be read as the number 630 (quote it)" in error_of(doc("time: 10:30"))


def test_quoted_stock_code_is_kept_as_text():
    meta, _, _ = split_front_matter(doc("code: '000651'", "n: 2025"), "a.md")
    assert meta == {"code": "000651", "n": 2025}


def test_impossible_date_names_the_line():
    assert error_of(doc("title: x", "date: 2025-13-01")).startswith(
        "content/a.md:3: not a date: '2025-13-01'")


@pytest.mark.parametrize("text, expected", [
    ("", "content/a.md: empty file (an article needs front matter and a body)"),
    ("title: x\n", "content/a.md:1: no front matter (start the file with a line '---')"),
    ("---\ntitle: x\n", "content/a.md:1: front matter is not closed (did you forget the closing '---'?)"),
    ("---\n- a\n---\n", "content/a.md:2: front matter must be a mapping (key: value)"),
])
def test_structural_errors(text, expected):
    assert error_of(text) == expected


def test_invalid_yaml_reports_absolute_line():
    # the line where the unclosed list starts, not where the parser gave up
    assert error_of(doc("title: x", "tags: [a, b")).startswith("content/a.md:3: invalid YAML")


def test_dump_orders_keys_and_quotes_what_yaml_would_misread():
    meta = {"tags": ["騰訊", "5G"], "code": "000651", "title": "格力: 新高",
            "date": datetime(2025, 11, 28, 10, 0, tzinfo=timezone(timedelta(hours=8))), "draft": False}
    text = dump_front_matter(meta, "正文")
    assert text.splitlines()[:6] == [
        "---", "title: '格力: 新高'", "date: 2025-11-28T10:00:00+08:00", "draft: false",
        "tags: [騰訊, 5G]", "code: '000651'"]
    assert text.endswith("---\n\n正文\n")


def test_dump_round_trips():
    meta = {"title": "yes", "date": "2025-11-28", "tags": ["on", "0700"], "summary": "第一行\n第二行",
            "figures": [{"caption": "圖", "src": None}]}
    back, body, _ = split_front_matter(dump_front_matter(meta, "正文\n"), "a.md")
    assert back == meta
    assert body.strip() == "正文"


def test_raw_control_character_in_front_matter():
    assert error_of(doc("title: x", "summary: a\x07b")) == (
        'content/a.md:3: control character U+0007 is not allowed in front matter '
        '(remove it, or write it as an escape inside "double quotes")')
