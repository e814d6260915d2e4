"""The preview after a sequence of edits is byte for byte a fresh full build with its base_url.

Edits go through the real classifier (fake watchdog events), the preview's kept cache and
`changed` paths; after each one the preview's folder on disk is compared with a full build
(fresh cache, fresh folder) of the same site, and the server is asked for the old URL of
a renamed or deleted article.
"""
from __future__ import annotations

import io
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.build import build
from generator.io.config import load_config
from generator.preview.serve import Preview
from generator.preview.watch import FsEvent, summarize

THEME = Path(__file__).resolve().parent.parent / "themes" / "default"

SITE_YML = """\
title: 測試存檔
base_url: https://example.github.io/archive/
theme_dir: themes/house
glossary: glossary.yml
search: false
per_page: 2
"""


def article(title: str, date: str, tags: str, body: str, category: str = "科技") -> str:
    """An article file."""
    return (f"---\ntitle: {title}\ndate: {date}\ntags: [{tags}]\ncategory: {category}\n---\n\n"
            f"{body}\n")


ARTICLES = {
    "content/2025/alpha.md": article("阿里巴巴發布新模型", "2025-03-01", "阿里巴巴, 大模型",
                                     "阿里巴巴今日發布新一代大模型。"),
    "content/2025/beta.md": article("騰訊擴大雲服務", "2025-04-02", "騰訊, 雲服務",
                                    "騰訊宣布擴大海外雲服務。"),
    "content/2024/gamma.md": article("比亞迪銷量創新高", "2024-12-03", "比亞迪, 電動車",
                                     "比亞迪十二月銷量創新高。", category="汽車"),
}


def write(site: Path, rel: str, text: str) -> Path:
    """Write a site file, creating folders."""
    path = site / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below a folder, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A small site whose theme override holds a copy of the article template."""
    root = tmp_path / "site"
    write(root, "site.yml", SITE_YML)
    write(root, "glossary.yml", "- {hant: 騰訊, hans: 腾讯}\n")
    for rel, text in ARTICLES.items():
        write(root, rel, text)
    (root / "themes/house/templates").mkdir(parents=True)
    shutil.copy(THEME / "templates/article.html", root / "themes/house/templates/article.html")
    return root


@pytest.fixture
def preview(site: Path) -> Iterator[Preview]:
    """A started preview (real build, kept cache) on an ephemeral port."""
    view = Preview(site, port=0, out=io.StringIO(), err=io.StringIO(),
                   temp_parent=site.parent)
    try:
        assert view.start().ok
        yield view
    finally:
        view.close()


def full_build(site: Path, base_url: str, out_dir: Path) -> dict[str, bytes]:
    """A fresh, uncached full build with the preview's base_url."""
    build(load_config(site, base_url=base_url), out_dir=out_dir)
    return tree(out_dir)


def apply(view: Preview, *events: FsEvent) -> None:
    """Rebuild the preview for these events, as the watcher would hand them over."""
    batch = summarize(events, view.targets())
    assert batch is not None
    outcome = view.rebuild(batch)
    assert outcome.ok, outcome.errors


def status(url: str) -> int:
    """HTTP status of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def assert_same_as_full_build(view: Preview, tmp_path: Path, step: str) -> dict[str, bytes]:
    """The preview's folder equals a full build of the same site."""
    expected = full_build(view.root, view.url, tmp_path / f"full-{step}")
    actual = tree(view.out_dir)
    assert sorted(actual) == sorted(expected), step
    differing = [path for path in expected if actual[path] != expected[path]]
    assert differing == [], step
    return actual


def test_preview_equals_full_build_after_edits(preview: Preview, site: Path,
                                               tmp_path: Path) -> None:
    view = preview
    files = assert_same_as_full_build(view, tmp_path, "start")
    assert "zh-hant/articles/beta/index.html" in files

    # add
    added = write(site, "content/2025/delta.md",
                  article("小米推出新手機", "2025-05-04", "小米, 大模型", "小米推出新手機。"))
    apply(view, FsEvent("created", added), FsEvent("closed", added))
    files = assert_same_as_full_build(view, tmp_path, "add")
    assert "zh-hans/articles/delta/index.html" in files

    # edit (title and body; the tag pages, home and related lists change with it)
    edited = write(site, "content/2025/alpha.md",
                   article("阿里巴巴發布更新模型", "2025-03-01", "阿里巴巴, 電動車",
                           "阿里巴巴今日發布更新後的大模型。"))
    apply(view, FsEvent("modified", edited))
    files = assert_same_as_full_build(view, tmp_path, "edit")
    assert "发布更新后的大模型".encode() in files["zh-hans/articles/alpha/index.html"]

    # rename: the old URL stops being served
    old, new = site / "content/2025/beta.md", site / "content/2025/beta-renamed.md"
    old.rename(new)
    apply(view, FsEvent("moved", old, new))
    files = assert_same_as_full_build(view, tmp_path, "rename")
    assert "zh-hant/articles/beta/index.html" not in files
    assert status(view.url + "zh-hant/articles/beta/") == 404
    assert status(view.url + "zh-hant/articles/beta-renamed/") == 200

    # delete
    gone = site / "content/2024/gamma.md"
    gone.unlink()
    apply(view, FsEvent("deleted", gone))
    files = assert_same_as_full_build(view, tmp_path, "delete")
    assert not any("gamma" in path for path in files)
    assert status(view.url + "zh-hans/articles/gamma/") == 404

    # template edit
    template = site / "themes/house/templates/article.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        '<article class="article wrap"', '<article data-edited="yes" class="article wrap"'),
        encoding="utf-8")
    apply(view, FsEvent("modified", template))
    files = assert_same_as_full_build(view, tmp_path, "template")
    assert b'data-edited="yes"' in files["zh-hant/articles/alpha/index.html"]

    # glossary: a fixed term changes the Simplified pages
    glossary = write(site, "glossary.yml", "- {hant: 騰訊, hans: 腾讯}\n- 小米\n")
    apply(view, FsEvent("modified", glossary))
    assert_same_as_full_build(view, tmp_path, "glossary")

    # settings: a new title on every page
    settings = write(site, "site.yml", SITE_YML.replace("測試存檔", "新名稱存檔"))
    apply(view, FsEvent("modified", settings))
    files = assert_same_as_full_build(view, tmp_path, "settings")
    assert "新名稱存檔".encode() in files["zh-hant/index.html"]


def test_one_article_edit_renders_only_dependent_pages(preview: Preview, site: Path) -> None:
    path = site / "content/2024/gamma.md"
    path.write_text(ARTICLES["content/2024/gamma.md"].replace("創新高。", "再創新高。"),
                    encoding="utf-8")
    batch = summarize([FsEvent("modified", path)], preview.targets())
    outcome = preview.rebuild(batch)
    assert outcome.ok
    report = outcome.report
    # the article in both scripts is re-rendered; pages that do not show it are not
    rendered = set(report.rendered_paths)
    assert {"zh-hant/articles/gamma/index.html", "zh-hans/articles/gamma/index.html"} <= rendered
    # gamma shares no tag, category or month with alpha and beta, and is not their neighbour
    # only by date: their pages list it nowhere but in prev/next links
    assert "zh-hant/tags/騰訊/index.html" not in rendered
    assert not any(path.startswith("static/") for path in rendered)
    assert report.rendered < report.pages


def test_unchanged_rebuild_writes_nothing(preview: Preview, site: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in preview.out_dir.rglob("*") if p.is_file()}
    path = site / "content/2025/alpha.md"
    path.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    outcome = preview.rebuild(summarize([FsEvent("modified", path)], preview.targets()))
    assert outcome.ok and outcome.report.written == 0
    after = {p: p.stat().st_mtime_ns for p in preview.out_dir.rglob("*") if p.is_file()}
    assert after == before
