"""The importer never loses or breaks an article: concurrent imports, build-checked output,
input limits, re-saved copies, folder symlinks, file modes and batch-independent tags."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from import_helpers import import_site, run, articles

from generator.cli import main
from generator.core.errors import SiteError
from generator.core.frontmatter import split_front_matter
from generator.importer import store
from generator.importer.batch import Options, import_batch, locked_batch
from generator.importer.decode import decode, decode_mixed
from generator.importer.inputs import MAX_BYTES

NOW = "2025-12-01T09:00:00+08:00"
REPO = Path(__file__).resolve().parent.parent
CORPUS = Path("/work/shared/corpus/real/GeneralNewsExtractor/tests")
ALT_ONLY_PAGES = ("people/1.html", "ednchina/1.html", "cjn/1.html")
TRUNCATED_GB2312 = b"<text encoding=gb2312\xb5\xc0\xed\xa3\xac"

_SENTENCES = ("公司今天公布了第三季度的经营数据，营业收入较去年同期增长两成。",
              "管理层表示，海外市场的订单持续增加，新工厂将在明年上半年投产。",
              "分析师认为，原材料价格回落有助于改善毛利率，但汇率波动仍是风险。",
              "董事会同时批准了新的股票回购计划，规模不超过五十亿元。",
              "多家券商上调了目标价，认为公司在储能领域的布局开始见效。",
              "公司计划在东南亚设立研发中心，招聘超过一千名工程师。")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return import_site(tmp_path)


def text_page(path: Path, title: str, body: list[str], *, day: str = "2025-03-18",
              tags: tuple[str, ...] = ()) -> Path:
    """A plain-text news page (headline, dateline, paragraphs, optional tag trailer)."""
    lines = [title, f"{day} 10:30  来源：示例财经网", *body]
    if tags:
        lines.append("标签：" + "，".join(tags))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def builds(site: Path, tmp_path: Path) -> bool:
    return main(["build", "--site", str(site), "--out", str(tmp_path / "out")]) == 0


# --------------------------------------------------------------------------- concurrency

def _clashing_pages(folder: Path, round_: int) -> tuple[Path, Path]:
    """Two different stories with the same headline and day (one file name for both)."""
    title = f"示例集团发布第{round_}季度业绩"
    first = text_page(folder / f"a{round_}.txt", title, list(_SENTENCES[:3]) * 2)
    second = text_page(folder / f"b{round_}.txt", title, list(_SENTENCES[3:]) * 2)
    return first, second


def _import_in_thread(site: Path, page: Path, results: dict) -> None:
    with locked_batch(site, Options(), wait=120) as batch:
        results[page] = list(import_batch([str(page)], batch))


def test_concurrent_imports_of_clashing_pages_keep_both_articles(tmp_path):
    for round_ in range(8):
        site = tmp_path / f"site{round_}"
        site.mkdir()
        (site / "site.yml").write_text("title: t\nbase_url: https://example.org/\n", encoding="utf-8")
        pages = _clashing_pages(tmp_path, round_)
        results: dict = {}
        threads = [threading.Thread(target=_import_in_thread, args=(site, p, results)) for p in pages]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert all(not t.is_alive() for t in threads)
        outputs = []
        for page in pages:
            [result] = results[page]
            assert result.status in ("new", "error"), result
            if result.status == "error":
                assert "\n" not in result.error
                continue
            text = (site / result.output).read_text(encoding="utf-8")
            # the article holds its own page's text, not the other one's
            assert page.read_text(encoding="utf-8").splitlines()[2] in text
            outputs.append(result.output)
        assert len(set(outputs)) == len(outputs) == 2
        assert len(articles(site)) == 2


def test_a_second_importer_waits_then_fails_with_one_line(site, tmp_path, capsys):
    page = text_page(tmp_path / "a.txt", "示例集团发布业绩", list(_SENTENCES))
    with store.import_lock(site / ".newsarchive-cache"):
        status = main(["import", "--site", str(site), "--wait", "0", str(page)])
    err = capsys.readouterr().err
    assert status == 1 and "another import into this site is running" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert articles(site) == []
    assert main(["import", "--site", str(site), "--wait", "0", str(page)]) == 0


def _import_in_process(site: Path, page: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "generator", "import", "--site", str(site),
                             "--json", "--now", NOW, str(page)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)})


def test_concurrent_import_processes_keep_both_articles(tmp_path):
    for round_ in range(3):
        site = tmp_path / f"site{round_}"
        site.mkdir()
        (site / "site.yml").write_text("title: t\nbase_url: https://example.org/\n", encoding="utf-8")
        pages = _clashing_pages(tmp_path, round_)
        procs = [_import_in_process(site, page) for page in pages]
        outcomes = [proc.communicate(timeout=120) for proc in procs]
        assert all("Traceback" not in err for _, err in outcomes)
        results = [json.loads(out) for out, _ in outcomes]
        assert sorted(r["status"] for r in results) == ["new", "new"]
        assert len({r["output"] for r in results}) == 2
        for page, result in zip(pages, results):
            text = (site / result["output"]).read_text(encoding="utf-8")
            assert page.read_text(encoding="utf-8").splitlines()[2] in text


def test_a_new_article_never_replaces_a_file_that_appeared(tmp_path):
    target = tmp_path / "a.md"
    target.write_text("the curator's draft\n", encoding="utf-8")
    with pytest.raises(FileExistsError):
        store.create_new(target, "imported\n")
    assert target.read_text(encoding="utf-8") == "the curator's draft\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_force_over_a_stranger_in_the_way_keeps_a_backup(site, tmp_path, capsys):
    page = text_page(tmp_path / "a.txt", "示例集团发布业绩", list(_SENTENCES))
    _, [planned] = run(site, page, "--dry-run", capsys=capsys)
    stranger = site / planned["output"]
    stranger.parent.mkdir(parents=True)
    stranger.write_text("notes, not an article\n", encoding="utf-8")
    status, [result] = run(site, page, "--force", capsys=capsys)
    assert status == 0 and result["status"] == "updated" and result["backup"]
    assert (site / result["backup"]).read_text(encoding="utf-8") == "notes, not an article\n"


def test_an_update_never_replaces_a_text_changed_since_it_was_read(tmp_path):
    target = tmp_path / "a.md"
    target.write_text("saved by the editor\n", encoding="utf-8")
    with pytest.raises(SiteError, match="changed while"):
        store.replace_unchanged(target, "as the importer read it\n", "new import\n")
    assert target.read_text(encoding="utf-8") == "saved by the editor\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


# --------------------------------------------------------------------------- output builds

@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared real corpus is not on this machine")
def test_real_pages_with_alt_only_images_import_into_files_that_build(site, tmp_path, capsys):
    status, results = run(site, *(CORPUS / p for p in ALT_ONLY_PAGES), capsys=capsys)
    assert status == 0 and [r["status"] for r in results] == ["new"] * 3
    for result in results:
        meta, body, _ = split_front_matter((site / result["output"]).read_text(encoding="utf-8"), "x")
        for figure in meta.get("figures") or []:
            assert figure.get("caption") or figure.get("src")
        assert body.count("{{figure") == len(meta.get("figures") or [])
    assert any(r["removed"].get("image-without-source") for r in results)
    assert builds(site, tmp_path)


def test_an_alt_only_figure_is_dropped_with_its_marker(site, tmp_path, capsys):
    page = tmp_path / "alt.html"
    page.write_text(
        "<html><head><title>示例集团发布业绩</title></head><body><article><h1>示例集团发布业绩</h1>"
        "<p>2025-03-18 10:30</p><p>" + _SENTENCES[0] + "</p>"
        "<p><img src='./lost.jpg' alt='点击查看高清原图'></p><p>" + "".join(_SENTENCES[1:]) + "</p>"
        "<figure><img src='pic.png'><figcaption>新工厂外观</figcaption></figure>"
        "</article></body></html>", encoding="utf-8")
    status, [result] = run(site, page, "--verbose", capsys=capsys)
    assert status == 0 and result["removed"]["image-without-source"] == 1
    assert result["removed_texts"]["image-without-source"] == ["点击查看高清原图"]
    meta, body, _ = split_front_matter((site / result["output"]).read_text(encoding="utf-8"), "x")
    assert meta["figures"] == [{"caption": "新工厂外观"}]
    assert "{{figure 1}}" in body and "{{figure 2}}" not in body
    assert builds(site, tmp_path)


def test_an_article_the_build_would_reject_is_an_error_and_not_written(site, tmp_path, monkeypatch,
                                                                       capsys):
    monkeypatch.setattr("generator.importer.verify.MAX_BYTES", 500)
    page = text_page(tmp_path / "a.txt", "示例集团发布业绩", list(_SENTENCES))
    status, [result] = run(site, page, capsys=capsys)
    assert status == 1 and result["status"] == "error"
    assert "would not build" in result["error"] and "limit of 500" in result["error"]
    assert articles(site) == []


# --------------------------------------------------------------------------- inputs

@pytest.mark.parametrize("codec", ["gb18030", "big5hkscs", "cp950"])
def test_truncated_multibyte_input_never_raises(codec):
    for cut in range(1, len(TRUNCATED_GB2312) + 1):
        text, _, _ = decode_mixed(TRUNCATED_GB2312[:cut], codec)
        assert isinstance(text, str)
    assert decode(TRUNCATED_GB2312).text.startswith("<text encoding=gb2312")


def test_a_truncated_gb2312_page_is_a_clean_result(site, tmp_path, capsys):
    page = tmp_path / "cut.html"
    page.write_bytes(TRUNCATED_GB2312)
    status, [result] = run(site, page, capsys=capsys)
    assert result["status"] == "error" and "the importer failed" not in result["error"]


def test_a_local_file_over_the_size_limit_is_refused(site, tmp_path, capsys):
    page = tmp_path / "huge.html"
    page.write_bytes(b"<p>" + b"x" * MAX_BYTES + b"</p>")
    status, [result] = run(site, page, capsys=capsys)
    assert status == 1 and result["status"] == "error"
    assert "file is too large" in result["error"] and f"limit {MAX_BYTES:,}" in result["error"]
    assert articles(site) == []


def test_a_resaved_copy_is_unchanged_not_syndicated(site, tmp_path, capsys):
    first = text_page(tmp_path / "page.txt", "示例集团发布业绩", list(_SENTENCES))
    _, [new] = run(site, first, capsys=capsys)
    before = (site / new["output"]).read_bytes()
    resaved = tmp_path / "resaved.txt"
    resaved.write_text(first.read_text(encoding="utf-8").replace("\n", "\r\n") + "\r\n",
                       encoding="utf-8")
    html = tmp_path / "resaved.html"
    html.write_text("<!-- saved from url=(0014)about:internet --><html><head><title>"
                    "示例集团发布业绩 - 示例财经网</title></head><body><h1>示例集团发布业绩</h1>"
                    "<p>2025-03-18 10:30 来源：示例财经网</p>"
                    + "".join(f"<p>{s}</p>" for s in _SENTENCES) + "</body></html>",
                    encoding="utf-8")
    status, results = run(site, resaved, html, capsys=capsys)
    assert status == 0 and [r["status"] for r in results] == ["unchanged", "unchanged"]
    assert {r["output"] for r in results} == {new["output"]}
    assert (site / new["output"]).read_bytes() == before and len(articles(site)) == 1


def test_folder_import_skips_symlinks_leading_out_of_the_folder(site, tmp_path, capsys):
    folder = tmp_path / "pages"
    folder.mkdir()
    text_page(folder / "inside.txt", "示例集团发布业绩", list(_SENTENCES[:3]) * 2)
    outside = text_page(tmp_path / "outside.txt", "另一家公司的新闻", list(_SENTENCES[3:]) * 2)
    (folder / "link.txt").symlink_to(outside)
    (folder / "alias.txt").symlink_to(folder / "inside.txt")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    text_page(elsewhere / "far.txt", "远方公司的新闻", [s + "远方。" for s in _SENTENCES])
    (folder / "linked").symlink_to(elsewhere, target_is_directory=True)
    status, results = run(site, folder, capsys=capsys)
    by_name = {Path(r["input"]).name: r for r in results}
    assert status == 0 and by_name["link.txt"]["status"] == "skipped"
    assert "outside the folder" in by_name["link.txt"]["warnings"][0]
    assert by_name["linked"]["status"] == "skipped" and "far.txt" not in by_name
    # a symlink within the folder is read: the same bytes twice, one article
    assert sorted([by_name["inside.txt"]["status"], by_name["alias.txt"]["status"]]) == [
        "new", "unchanged"]
    assert len(articles(site)) == 1


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o002, 0o664)])
def test_written_files_follow_the_umask(site, tmp_path, capsys, umask, mode):
    saved = Path(__file__).parent / "fixtures" / "importer" / "saved_page"
    old = os.umask(umask)
    try:
        status, results = run(site, saved, capsys=capsys)
    finally:
        os.umask(old)
    assert status == 0 and any(r["images"] for r in results)
    written = [p for p in (site / "content").rglob("*") if p.is_file()]
    assert len(written) > 1
    assert {stat.S_IMODE(p.stat().st_mode) for p in written} == {mode}


# --------------------------------------------------------------------------- determinism

def _tagged_pages(folder: Path) -> list[Path]:
    """A page tagged 储能电站, then two that mention 储能电站 often (a known tag by then)."""
    folder.mkdir()
    first = text_page(folder / "1.txt", "示例集团发布业绩", list(_SENTENCES[:3]), tags=("储能电站",))
    others = [text_page(folder / f"{n}.txt", title, [
        f"{title}。" + "储能电站的建设进度超出预期。" * 3, *_SENTENCES[n:n + 3]], day=f"2025-03-2{n}")
        for n, title in ((2, "新能源公司扩建项目"), (3, "电网企业公布投资计划"))]
    return [first, *others]


def _tags(site: Path) -> dict[str, list[str]]:
    out = {}
    for path in articles(site):
        meta, _, _ = split_front_matter(path.read_text(encoding="utf-8"), str(path))
        out[path.name] = meta["tags"]
    return out


def test_tags_do_not_depend_on_how_pages_were_split_into_batches(tmp_path, capsys):
    pages = _tagged_pages(tmp_path / "pages")
    singly, batched = tmp_path / "singly", tmp_path / "batched"
    for root in (singly, batched):
        root.mkdir()
        (root / "site.yml").write_text("title: t\nbase_url: https://example.org/\n", encoding="utf-8")
    for page in pages:
        assert run(singly, page, capsys=capsys)[0] == 0
    assert run(batched, *pages, capsys=capsys)[0] == 0
    assert _tags(singly) == _tags(batched)
    assert sum("储能电站" in tags for tags in _tags(batched).values()) == 3
