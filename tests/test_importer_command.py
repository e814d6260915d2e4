"""`newsarchive import`: statuses, curated files, duplicates, bad input, dry run, JSON, URLs."""
from __future__ import annotations

import http.server
import json
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from import_helpers import import_site, run, articles

from generator.cli import main
from generator.core.errors import SiteError
from generator.core.frontmatter import split_front_matter
from generator.importer import store
from generator.importer.fetch import fetch

FIXTURES = Path(__file__).parent / "fixtures" / "importer"
NOW = "2025-12-01T09:00:00+08:00"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return import_site(tmp_path)


def test_new_then_unchanged_with_json_shape(site, capsys):
    status, [first] = run(site, FIXTURES / "plain_hans.txt", capsys=capsys)
    assert status == 0 and first["status"] == "new"
    assert {"input", "status", "output", "title", "date", "warnings", "error"} <= set(first)
    assert first["output"].startswith("content/2025/2025-03-18-") and first["error"] is None
    assert first["removed"]["editor-line"] == 1 and "removed_texts" not in first
    path = site / first["output"]
    before = path.read_bytes()
    status, [again] = run(site, FIXTURES / "plain_hans.txt", capsys=capsys)
    assert status == 0 and again["status"] == "unchanged" and again["output"] == first["output"]
    assert again["date"] == first["date"] == "2025-03-18T10:30:00+08:00"
    assert path.read_bytes() == before


def test_verbose_lists_removed_texts(site, capsys):
    main(["import", "--site", str(site), "--verbose", "--now", NOW, str(FIXTURES / "pinyin.txt")])
    out = capsys.readouterr().out
    assert "- pinyin-annotation: (fā) (×3)" in out and "- breadcrumb: 您現在的位置是:財經 >>正文" in out


def _changed_copy(tmp_path: Path) -> Path:
    changed = tmp_path / "pinyin.txt"
    changed.write_text((FIXTURES / "pinyin.txt").read_text(encoding="utf-8")
                       + "公司同時公布了新的回收計劃,廢舊電池將統一回收處理。\n", encoding="utf-8")
    return changed


def test_changed_page_updates_an_untouched_article(site, tmp_path, capsys):
    _, [first] = run(site, FIXTURES / "pinyin.txt", capsys=capsys)
    _, [second] = run(site, _changed_copy(tmp_path), capsys=capsys)
    assert second["status"] == "updated" and second["output"] == first["output"]
    assert "回收計劃" in (site / first["output"]).read_text(encoding="utf-8")


def test_edited_article_is_kept_unless_forced_with_backup(site, tmp_path, capsys):
    _, [first] = run(site, FIXTURES / "pinyin.txt", capsys=capsys)
    path = site / first["output"]
    edited = path.read_text(encoding="utf-8").replace("能量密度提升兩成", "能量密度提升兩成(編者按:官方數據)")
    path.write_text(edited, encoding="utf-8")
    status, [kept] = run(site, _changed_copy(tmp_path), capsys=capsys)
    assert status == 0 and kept["status"] == "kept-edited"
    assert path.read_text(encoding="utf-8") == edited
    status, [forced] = run(site, _changed_copy(tmp_path), "--force", capsys=capsys)
    assert forced["status"] == "updated" and forced["backup"] == first["output"] + ".bak"
    assert (site / forced["backup"]).read_text(encoding="utf-8") == edited
    assert "回收計劃" in path.read_text(encoding="utf-8")


def _syndicated_copy(tmp_path: Path) -> Path:
    """The same story as plain_hans.txt, in Traditional script, from another outlet."""
    text = (FIXTURES / "plain_hans.txt").read_text(encoding="utf-8")
    body = text.split("\n", 4)[4].split("责任编辑")[0]
    from generator.io.converters import open_converter
    copy = tmp_path / "copy.txt"
    copy.write_text("華為推出新一代昇騰晶片\n2025-03-19 08:00  來源：另一家報社\n"
                    + open_converter().text("hant", body), encoding="utf-8")
    return copy


def test_syndicated_copy_is_recorded_on_the_original(site, tmp_path, capsys):
    _, [first] = run(site, FIXTURES / "plain_hans.txt", capsys=capsys)
    copy = _syndicated_copy(tmp_path)
    status, [dup] = run(site, copy, capsys=capsys)
    assert status == 0 and dup["status"] == "duplicate" and dup["duplicate_of"] == first["output"]
    assert len(articles(site)) == 1
    meta, _, _ = split_front_matter((site / first["output"]).read_text(encoding="utf-8"), "x")
    assert meta["syndicated"] == [{"name": "另一家報社",
                                   "date": meta["syndicated"][0]["date"]}]
    assert meta["syndicated"][0]["date"].isoformat() == "2025-03-19T08:00:00+08:00"
    _, [again] = run(site, copy, capsys=capsys)
    assert again["status"] == "duplicate" and "already listed" in again["warnings"][-1]
    meta, _, _ = split_front_matter((site / first["output"]).read_text(encoding="utf-8"), "x")
    assert len(meta["syndicated"]) == 1
    # the original is still recognised as untouched by a curator
    _, [re_import] = run(site, FIXTURES / "plain_hans.txt", capsys=capsys)
    assert re_import["status"] == "unchanged"


def test_allow_duplicates_imports_the_copy_as_an_article(site, tmp_path, capsys):
    run(site, FIXTURES / "plain_hans.txt", capsys=capsys)
    _, [dup] = run(site, _syndicated_copy(tmp_path), "--allow-duplicates", capsys=capsys)
    assert dup["status"] == "new" and len(articles(site)) == 2


def test_bad_inputs_fail_alone_and_exit_1(site, tmp_path, capsys):
    batch = tmp_path / "batch"
    batch.mkdir()
    for name in ("empty.txt", "binary.html", "index_page.html", "pinyin.txt", "nul_byte.txt",
                 "mixed_encodings.txt"):
        shutil.copy(FIXTURES / name, batch / name)
    status, results = run(site, batch, capsys=capsys)
    by_name = {Path(r["input"]).name: r for r in results}
    assert status == 1
    assert by_name["pinyin.txt"]["status"] == "new"
    assert by_name["nul_byte.txt"]["status"] == "new"
    assert any("NUL" in w for w in by_name["nul_byte.txt"]["warnings"])
    for name, words in (("empty.txt", "empty file"), ("binary.html", "binary"),
                        ("index_page.html", "no article"), ("mixed_encodings.txt", "cannot be decoded")):
        assert by_name[name]["status"] == "error", name
        assert words in by_name[name]["error"] and by_name[name]["output"] is None
    assert len(articles(site)) == 2
    assert not list((site / "content").rglob("*.tmp"))


def test_truncated_html_imports_with_a_warning(site, capsys):
    status, [page] = run(site, FIXTURES / "truncated.html", capsys=capsys)
    assert status == 0 and page["status"] == "new"
    assert any("truncated" in w for w in page["warnings"])


def test_missing_file_and_wrong_type_are_errors(site, tmp_path, capsys):
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    status, results = run(site, tmp_path / "nope.txt", tmp_path / "photo.jpg", capsys=capsys)
    assert status == 1 and [r["status"] for r in results] == ["error", "error"]
    assert "no such file" in results[0]["error"] and "not a page file" in results[1]["error"]


def test_dry_run_writes_nothing(site, capsys):
    status, [page] = run(site, FIXTURES / "plain_hans.txt", "--dry-run", capsys=capsys)
    assert status == 0 and page["status"] == "new" and articles(site) == []


def test_tag_and_category_switches_and_glossary_tags(site, capsys):
    (site / "glossary.yml").write_text("- {hant: 華為, hans: 华为}\n- 小米\n", encoding="utf-8")
    (site / "site.yml").write_text("title: T\nbase_url: https://example.org/\nglossary: glossary.yml\n",
                                   encoding="utf-8")
    _, [page] = run(site, FIXTURES / "plain_hans.txt", "--tag", "晶片", "--category", "半導體",
                    capsys=capsys)
    meta, _, _ = split_front_matter((site / page["output"]).read_text(encoding="utf-8"), "x")
    # 华为 is in the title; 小米 only in the removed related links; tags are in the page's script
    assert meta["tags"] == ["晶片", "华为"] and meta["category"] == "半導體"


def test_undated_page_becomes_a_draft_with_a_warning(site, tmp_path, capsys):
    page = tmp_path / "undated.txt"
    page.write_text("某公司發布新產品\n" + "公司今天發布新產品,售價一千元,首批產品將於下月上市銷售。\n" * 3,
                    encoding="utf-8")
    _, [result] = run(site, page, capsys=capsys)
    assert result["status"] == "new" and result["date"] is None
    assert result["output"].startswith("content/undated/")
    assert any("no publication date" in w for w in result["warnings"])
    meta, _, _ = split_front_matter((site / result["output"]).read_text(encoding="utf-8"), "x")
    assert meta["draft"] is True and "published" not in meta["source"] and "date" not in meta
    # an undated draft never stops the archive from building
    assert main(["build", "--site", str(site), "--out", str(tmp_path / "out")]) == 0


def test_saved_page_folder_images_are_copied_next_to_the_article(site, capsys):
    saved = FIXTURES / "saved_page"
    status, results = run(site, saved, capsys=capsys)
    assert status == 0 and [Path(r["input"]).name for r in results] == ["news.html"]
    meta, _, _ = split_front_matter((site / results[0]["output"]).read_text(encoding="utf-8"), "x")
    stem = Path(results[0]["output"]).stem
    assert meta["figures"][0]["src"] == f"{stem}-photo-1.jpg"
    copied = (site / results[0]["output"]).parent / f"{stem}-photo-1.jpg"
    assert copied.read_bytes() == b"\xff\xd8\xff\xe0fakejpeg"


def test_big5_hkscs_text_page(site, capsys):
    _, [page] = run(site, FIXTURES / "big5hkscs.txt", capsys=capsys)
    text = (site / page["output"]).read_text(encoding="utf-8")
    assert page["title"] == "港鐵公布新線通車時間表" and "佢哋會喺通車前" in text and "嘅通車時間表" in text


# --------------------------------------------------------------------------- URLs

class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path == "/news/2025/huawei-ascend-chip-launch.txt":
            body = (FIXTURES / "plain_hans.txt").read_bytes()
            self._send(200, body, "text/plain; charset=utf-8")
        elif self.path == "/page":
            # the same headline on the same day, from another site with its own text
            other = (FIXTURES / "plain_hans.txt").read_bytes() + "另有消息称，新芯片将首先供应国内客户。\n".encode()
            self._send(200, other, "text/plain; charset=utf-8")
        elif self.path == "/slow":
            time.sleep(1.5)
            self._send(200, b"late", "text/html")
        elif self.path == "/big":
            self._send(200, b"<p>" + b"x" * 5000 + b"</p>", "text/html")
        elif self.path == "/image":
            self._send(200, b"\x89PNG", "image/png")
        else:
            self._send(404, b"not found", "text/plain")

    def _send(self, code: int, body: bytes, kind: str) -> None:
        try:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):  # keep test output quiet
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_url_import_uses_the_url_slug_and_records_the_source(site, server, capsys):
    url = f"{server}/news/2025/huawei-ascend-chip-launch.txt"
    status, [page, missing] = run(site, url, f"{server}/missing.html", capsys=capsys)
    assert status == 1 and missing["status"] == "error"
    assert page["status"] == "new"
    assert page["output"] == "content/2025/2025-03-18-huawei-ascend-chip-launch.md"
    meta, _, _ = split_front_matter((site / page["output"]).read_text(encoding="utf-8"), "x")
    assert meta["source"]["url"] == url
    _, [again] = run(site, url, capsys=capsys)
    assert again["status"] == "unchanged"


def test_url_errors_name_the_url(server, site, capsys):
    status, [missing] = run(site, f"{server}/missing.html", capsys=capsys)
    assert status == 1 and "HTTP 404" in missing["error"] and server in missing["error"]
    with pytest.raises(SiteError, match="no answer within 0.3 seconds"):
        fetch(f"{server}/slow", timeout=0.3)
    with pytest.raises(SiteError, match="larger than the limit|too large"):
        fetch(f"{server}/big", max_bytes=1000)
    with pytest.raises(SiteError, match="not a web page"):
        fetch(f"{server}/image")


def test_an_importer_failure_is_reported_and_the_batch_goes_on(site, monkeypatch, capsys):
    from generator.importer import pipeline

    def broken(text, *, html, url, detect=None):
        if "比亞迪" in text:
            raise RuntimeError("boom")
        return original(text, html=html, url=url, detect=detect)

    original = pipeline.extract
    monkeypatch.setattr(pipeline, "extract", broken)
    status, results = run(site, FIXTURES / "pinyin.txt", FIXTURES / "plain_hans.txt", capsys=capsys)
    assert status == 1 and [r["status"] for r in results] == ["error", "new"]
    assert "RuntimeError: boom" in results[0]["error"] and "nothing was written" in results[0]["error"]


def test_same_title_and_day_from_another_origin_gets_its_own_file(site, server, capsys):
    _, [local] = run(site, FIXTURES / "plain_hans.txt", "--allow-duplicates", capsys=capsys)
    _, [remote] = run(site, f"{server}/page", "--allow-duplicates", capsys=capsys)
    assert local["status"] == remote["status"] == "new"
    assert remote["output"] == local["output"].removesuffix(".md") + "-2.md"


def test_syndication_keeps_a_curated_file_as_written(site, tmp_path, capsys):
    _, [first] = run(site, FIXTURES / "plain_hans.txt", capsys=capsys)
    path = site / first["output"]
    curated = path.read_text(encoding="utf-8").replace("tags: []", "# checked by the curator\ntags: [華為]")
    path.write_text(curated, encoding="utf-8")
    _, [dup] = run(site, _syndicated_copy(tmp_path), capsys=capsys)
    assert dup["status"] == "duplicate"
    text = path.read_text(encoding="utf-8")
    head, _, body = text.partition("\n---\n")
    assert head.startswith(curated.partition("\n---\n")[0]) and "# checked by the curator" in head
    assert body == curated.partition("\n---\n")[2]
    meta, _, _ = split_front_matter(text, "x")
    assert meta["tags"] == ["華為"] and [s["name"] for s in meta["syndicated"]] == ["另一家報社"]


def test_a_broken_file_in_the_way_is_never_overwritten(site, capsys):
    _, [planned] = run(site, FIXTURES / "plain_hans.txt", "--dry-run", capsys=capsys)
    path = site / planned["output"]
    path.parent.mkdir(parents=True)
    path.write_text("no front matter here\n", encoding="utf-8")
    status = main(["import", "--site", str(site), "--json", str(FIXTURES / "plain_hans.txt")])
    captured = capsys.readouterr()
    [result] = [json.loads(line) for line in captured.out.splitlines()]
    assert status == 1 and result["status"] == "error" and "in the way" in result["error"]
    assert "no front matter" in captured.err and "not considered" in captured.err
    assert path.read_text(encoding="utf-8") == "no front matter here\n"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(site, tmp_path, monkeypatch, capsys):
    _, [first] = run(site, FIXTURES / "pinyin.txt", capsys=capsys)
    path = site / first["output"]
    before = path.read_bytes()

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.os, "replace", crash)
    status, [second] = run(site, _changed_copy(tmp_path), capsys=capsys)
    assert status == 1 and second["status"] == "error" and "No space left" in second["error"]
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_a_wire_story_saved_from_another_outlet_is_a_duplicate(site, tmp_path, capsys):
    _, [first] = run(site, FIXTURES / "plain_hans.txt", capsys=capsys)
    copy = tmp_path / "wire.txt"
    copy.write_text((FIXTURES / "plain_hans.txt").read_text(encoding="utf-8")
                    .replace("来源：示例科技网", "来源：另一家网站"), encoding="utf-8")
    _, [second] = run(site, copy, capsys=capsys)
    assert second["status"] == "duplicate" and second["duplicate_of"] == first["output"]
    meta, _, _ = split_front_matter((site / first["output"]).read_text(encoding="utf-8"), "x")
    assert meta["source"]["name"] == "示例科技网"
    assert [s["name"] for s in meta["syndicated"]] == ["另一家网站"]


def test_relative_images_without_a_base_url_keep_only_their_caption(site, tmp_path, capsys):
    page = tmp_path / "lost_images.html"
    page.write_text(
        "<html><head><title>台積電擴建先進封裝產線 - 範例新聞</title></head><body>"
        "<article><h1>台積電擴建先進封裝產線</h1><p>2025-03-18 10:30</p>"
        + "<p>台積電宣布在台南擴建先進封裝產線，預計明年量產，以因應人工智慧晶片的強勁需求。</p>" * 4
        + "<figure><img src='../../Upload/photo.jpg'><figcaption>台南廠區外觀</figcaption></figure>"
        "</article></body></html>", encoding="utf-8")
    status, [result] = run(site, page, capsys=capsys)
    assert status == 0 and result["status"] == "new"
    meta, _, _ = split_front_matter((site / result["output"]).read_text(encoding="utf-8"), "x")
    assert meta["figures"] == [{"caption": "台南廠區外觀"}]
    assert any("could not be located" in w for w in result["warnings"])
    assert main(["build", "--site", str(site), "--out", str(tmp_path / "out")]) == 0
