"""tests/corpus holds the upstream bytes of every page and only labels written on the page
(tools/check_corpus_truth.py)."""
from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

from check_corpus_truth import check, check_record, date_forms  # noqa: E402

CORPUS = Path(__file__).resolve().parent / "corpus"


@pytest.mark.skipif(not (CORPUS / "pages").is_dir(), reason="tests/corpus/pages not checked out")
def test_every_page_and_label_in_the_corpus_checks_out() -> None:
    assert check(CORPUS) == []


def test_a_label_missing_from_the_page_is_reported() -> None:
    text = "首页 > 财经 标题在此 2015-07-04 16:43 来源：网易财经 第一句话。最后一句话。 相关新闻"
    record = {"title": "标题在此", "date": "2015-07-04", "time": "16:43", "content_start": "第一句话。",
              "content_end": "最后一句话。", "content_not_contains": ["相关新闻"], "author": "王小明"}
    assert check_record(record, text) == ["author '王小明' is not in the page's visible text"]
    assert check_record({**record, "author": None, "date": "2015-07-05"}, text) == [
        "date 2015-07-05 is not written on the page"]


def test_dates_are_found_in_the_forms_pages_write_them() -> None:
    assert {"2015-07-04", "2015/7/4", "2015年7月4日", "2015.07.04", "42015年7月"} <= set(date_forms("2015-07-04"))


def test_a_changed_page_or_a_wrong_split_is_reported(tmp_path: Path) -> None:
    page = "<html><body><h1>标题</h1><p>正文第一句。</p></body></html>".encode("utf-8")
    digest = hashlib.sha256(page).hexdigest()
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / f"{digest[:12]}.html").write_bytes(page + b" ")
    site = "example.cn"
    even = hashlib.sha256(site.encode()).digest()[0] % 2 == 0
    header = "id file repository commit path blob licence sha256 bytes site url script encoding declared_charset split"
    row = [digest[:12], f"pages/{digest[:12]}.html", "o/r", "c", "p", "b", "MIT", digest, str(len(page)), site, "",
           "Simplified", "UTF-8", "utf-8", "held-out" if even else "dev"]
    (tmp_path / "MANIFEST.tsv").write_text("\t".join(header.split()) + "\n" + "\t".join(row) + "\n", encoding="utf-8")
    record = {"id": digest[:12], "site": site, "split": row[-1], "title": "标题", "content_start": "正文第一句。"}
    (tmp_path / "truth.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    problems = check(tmp_path)
    assert any("differs from the recorded sha256" in p for p in problems)
    assert any("breaks the site-hash rule" in p for p in problems)
    shutil.rmtree(tmp_path / "pages")
    assert any("is missing" in p for p in check(tmp_path))
