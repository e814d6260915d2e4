"""Figures at import beyond a plain URL import (issue 13): a dry run asks no server for an
image, a saved page's web figures are downloaded with the page's own address as Referer,
its X_files/ pictures are copied even when a canonical link made their address absolute.

Every test runs a real HTTP server on 127.0.0.1 that counts what it is asked for.
"""
from __future__ import annotations

import http.server
import io
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from generator.core.frontmatter import split_front_matter
from import_helpers import import_site, run

FIXTURES = Path(__file__).parent / "fixtures" / "importer"
PARAGRAPH = "<p>台積電宣布在台南擴建先進封裝產線，預計明年量產，以因應人工智慧晶片的強勁需求。</p>"


def _jpeg(size=(640, 480), color="red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _gif(frames: int, size=(300, 200)) -> bytes:
    buffer = io.BytesIO()
    images = [Image.new("RGB", size, (i * 60, 0, 255 - i * 60)) for i in range(frames)]
    images[0].save(buffer, "GIF", save_all=frames > 1, append_images=images[1:], duration=100, loop=0)
    return buffer.getvalue()


def _page(head: str = "", figures: str = "") -> bytes:
    return ("<html><head><meta charset='utf-8'>" + head
            + "<title>台積電擴建先進封裝產線 - 範例新聞</title></head><body><article>"
            "<h1>台積電擴建先進封裝產線</h1><p>2025-03-18 10:30</p>" + PARAGRAPH * 3 + figures
            + PARAGRAPH + "</article></body></html>").encode()


FIGURES = ("<figure><img src='/img/a.jpg'><figcaption>圖一：廠區</figcaption></figure>"
           "<figure><img src='/img/b.jpg'><figcaption>圖二：產線</figcaption></figure>")


class _Server(http.server.ThreadingHTTPServer):
    """Serves /news/1.html and /img/*.jpg; records (path, Referer) of every request."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[str, str | None]] = []
        self.pictures = {"/img/a.jpg": _jpeg(), "/img/b.jpg": _jpeg(color="blue")}
        self.pages = {"/news/1.html": _page(figures=FIGURES)}

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.requests.append((self.path, self.headers.get("Referer")))
        if self.path in self.server.pages:
            body, kind = self.server.pages[self.path], "text/html; charset=utf-8"
        else:
            body = self.server.pictures.get(self.path, b"")
            kind = "image/gif" if self.path.endswith(".gif") else "image/jpeg"
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # noqa: ANN002
        pass


@pytest.fixture
def server() -> Iterator[_Server]:
    httpd = _Server()
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _meta(site: Path, result: dict) -> dict:
    return split_front_matter((site / result["output"]).read_text(encoding="utf-8"), "x")[0]


def test_a_dry_run_downloads_no_image(tmp_path, server, capsys):
    site = import_site(tmp_path)
    status, [result] = run(site, "--dry-run", f"{server.base}/news/1.html", capsys=capsys)
    assert status == 0 and result["status"] == "new"
    # the page is the input: it is read; no picture is asked for
    assert [path for path, _ in server.requests] == ["/news/1.html"]
    assert result["pending_images"] == [f"{server.base}/img/a.jpg", f"{server.base}/img/b.jpg"]
    assert result["images"] == [] and not (site / "content").exists()
    # the real import asks for both, once each
    status, [real] = run(site, f"{server.base}/news/1.html", capsys=capsys)
    assert status == 0 and real["status"] == "new" and real["pending_images"] == []
    assert sorted(p for p, _ in server.requests[1:]) == ["/img/a.jpg", "/img/b.jpg", "/news/1.html"]


def test_a_dry_run_says_so_in_its_report(tmp_path, server, capsys):
    from generator.cli import main
    site = import_site(tmp_path)
    assert main(["import", "--site", str(site), "--dry-run", f"{server.base}/news/1.html"]) == 0
    out = capsys.readouterr()
    assert "images: 2 would be downloaded" in out.out and "nothing was written" in out.err
    assert [p for p, _ in server.requests] == ["/news/1.html"]


@pytest.mark.parametrize("head", [
    "<link rel='canonical' href='{base}/news/1.html'>",
    "<meta property='og:url' content='{base}/news/1.html'>",
    "<!-- saved from url=(0040){base}/news/1.html -->",
])
def test_a_saved_pages_web_figures_are_fetched_with_its_address_as_referer(tmp_path, server, capsys, head):
    site = import_site(tmp_path)
    saved = tmp_path / "saved.html"
    figures = FIGURES.replace("/img/", f"{server.base}/img/")
    saved.write_bytes(_page(head.format(base=server.base), figures))
    status, [result] = run(site, saved, capsys=capsys)
    assert status == 0 and result["status"] == "new", result
    assert sorted(server.requests) == [("/img/a.jpg", f"{server.base}/news/1.html"),
                                       ("/img/b.jpg", f"{server.base}/news/1.html")]
    figures = _meta(site, result)["figures"]
    folder = (site / result["output"]).parent
    assert [f["source_url"] for f in figures] == [f"{server.base}/img/a.jpg", f"{server.base}/img/b.jpg"]
    assert all((folder / f["src"]).read_bytes() == server.pictures[f"/img/{n}.jpg"]
               for f, n in zip(figures, "ab"))


def test_a_saved_pages_relative_figures_resolve_against_its_saved_from_address(tmp_path, server, capsys):
    site = import_site(tmp_path)
    saved = tmp_path / "saved.html"
    saved.write_bytes(_page(f"<!-- saved from url=(0040){server.base}/news/1.html -->", FIGURES))
    status, [result] = run(site, saved, capsys=capsys)
    assert status == 0
    assert [f["source_url"] for f in _meta(site, result)["figures"]] == [
        f"{server.base}/img/a.jpg", f"{server.base}/img/b.jpg"]


def test_no_images_leaves_a_saved_pages_web_figures_alone(tmp_path, server, capsys):
    site = import_site(tmp_path)
    saved = tmp_path / "saved.html"
    saved.write_bytes(_page(f"<link rel='canonical' href='{server.base}/news/1.html'>",
                            FIGURES.replace("/img/", f"{server.base}/img/")))
    status, [result] = run(site, "--no-images", saved, capsys=capsys)
    assert status == 0 and server.requests == []
    assert [f["src"] for f in _meta(site, result)["figures"]] == [
        f"{server.base}/img/a.jpg", f"{server.base}/img/b.jpg"]


def test_x_files_pictures_are_copied_under_a_canonical_link(tmp_path, server, capsys):
    """The canonical link makes `news_files/photo 1.jpg` absolute; it is still the folder's file,
    copied, never fetched; the page's other, web figure is fetched."""
    folder = tmp_path / "saved"
    shutil.copytree(FIXTURES / "saved_page", folder)
    page = folder / "news.html"
    text = page.read_text(encoding="utf-8").replace(
        '<meta charset="utf-8">',
        f'<meta charset="utf-8"><link rel="canonical" href="{server.base}/news/1.html">').replace(
        "</div></body>", f"<figure><img src='{server.base}/img/a.jpg'><figcaption>遠端</figcaption>"
                         "</figure></div></body>")
    page.write_text(text, encoding="utf-8")
    site = import_site(tmp_path)
    status, [result] = run(site, page, capsys=capsys)
    assert status == 0
    stem = Path(result["output"]).stem
    first, second = _meta(site, result)["figures"]
    assert first["src"] == f"{stem}-photo-1.jpg" and "source_url" not in first
    assert second["source_url"] == f"{server.base}/img/a.jpg"
    assert [p for p, _ in server.requests] == ["/img/a.jpg"]


# --------------------------------------------------------------------------- --refetch-images

def _offline_import(tmp_path, server, capsys) -> tuple[Path, dict]:
    """An import while the image server refuses every picture: figures keep only source_url."""
    site = import_site(tmp_path)
    server.pictures, kept = {}, server.pictures
    status, [result] = run(site, f"{server.base}/news/1.html", capsys=capsys)
    server.pictures = kept
    assert status == 0 and all("src" not in f for f in _meta(site, result)["figures"])
    server.requests.clear()
    return site, result


def test_refetch_images_downloads_what_the_import_could_not(tmp_path, server, capsys):
    site, result = _offline_import(tmp_path, server, capsys)
    del server.pictures["/img/b.jpg"]  # still gone
    status, [again] = run(site, "--refetch-images", capsys=capsys)
    assert status == 0 and again["status"] == "updated" and again["input"] == result["output"]
    assert sorted(server.requests) == [("/img/a.jpg", f"{server.base}/news/1.html"),
                                       ("/img/b.jpg", f"{server.base}/news/1.html")]
    first, second = _meta(site, result)["figures"]
    assert again["fetched"] == [{"figure": 1, "url": f"{server.base}/img/a.jpg", "src": first["src"]}]
    assert [(m["figure"], "404" in m["why"]) for m in again["missing"]] == [(2, True)]
    assert first["alt"] == "圖一：廠區" and first["source_url"] == f"{server.base}/img/a.jpg"
    assert "src" not in second and second["source_url"] == f"{server.base}/img/b.jpg"
    path = site / result["output"]
    assert (path.parent / first["src"]).read_bytes() == server.pictures["/img/a.jpg"]
    from generator.importer import store
    assert not store.is_edited(path.read_text(encoding="utf-8"))  # still the importer's file
    # nothing left to fetch that can be had: the article is not touched again
    before = path.read_bytes()
    status, [still] = run(site, "--refetch-images", path, capsys=capsys)
    assert status == 0 and still["status"] == "unchanged" and len(still["missing"]) == 1
    assert path.read_bytes() == before


def test_refetch_images_never_overwrites_a_curators_edit(tmp_path, server, capsys):
    site, result = _offline_import(tmp_path, server, capsys)
    path = site / result["output"]
    edited = path.read_text(encoding="utf-8").replace("台積電宣布", "台積電公司宣布", 1)
    path.write_text(edited, encoding="utf-8")
    status, [kept] = run(site, "--refetch-images", capsys=capsys)
    assert status == 0 and kept["status"] == "kept-edited" and len(kept["missing"]) == 2
    assert server.requests == [] and path.read_text(encoding="utf-8") == edited
    status, [forced] = run(site, "--refetch-images", "--force", capsys=capsys)
    assert status == 0 and forced["status"] == "updated" and len(forced["fetched"]) == 2
    assert Path(site / forced["backup"]).read_text(encoding="utf-8") == edited
    text = path.read_text(encoding="utf-8")
    assert "台積電公司宣布" in text and all("src" in f for f in _meta(site, result)["figures"])


def test_refetch_images_dry_run_asks_no_server(tmp_path, server, capsys):
    site, result = _offline_import(tmp_path, server, capsys)
    before = (site / result["output"]).read_bytes()
    status, [dry] = run(site, "--refetch-images", "--dry-run", capsys=capsys)
    assert status == 0 and dry["status"] == "unchanged" and len(dry["missing"]) == 2
    assert server.requests == [] and (site / result["output"]).read_bytes() == before


def test_refetch_images_refuses_paths_outside_content(tmp_path, server, capsys):
    site = import_site(tmp_path)
    (site / "content").mkdir()
    status, [error] = run(site, "--refetch-images", tmp_path, capsys=capsys)
    assert status == 1 and error["status"] == "error" and "content folder" in error["error"]


def test_the_built_page_shows_a_refetched_figure(tmp_path, server, capsys):
    from generator.cli import main
    site, result = _offline_import(tmp_path, server, capsys)
    assert run(site, "--refetch-images", capsys=capsys)[0] == 0
    out = tmp_path / "out"
    assert main(["build", "--site", str(site), "--out", str(out), "--no-search"]) == 0
    page = next(out.glob("zh-hant/articles/*/index.html")).read_text(encoding="utf-8")
    assert page.count('<source type="image/webp"') == 2
    assert not [src for src in re.findall(r'<img[^>]* src="([^"]+)"', page) if not src.startswith("/media/")]


# --------------------------------------------------------------------------- GIF figures

GIF_FIGURES = (
    "<figure><img src='/img/chart.gif'><figcaption>圖一：動態圖表</figcaption></figure>"
    "<p>一段說明<img src='/img/t.gif'>結束。</p>"  # a pixel the markup does not size
    "<figure><a href='http://ad.doubleclick.net/click?x=1'><img src='/img/promo.gif'></a>"
    "<figcaption>廣告</figcaption></figure>"
    "<p><a href='/send'><img src='/img/send.gif' align='absmiddle'>發送給好友</a></p>")


def test_a_gif_figure_is_kept_and_gif_junk_is_not(tmp_path, server, capsys):
    """The file type decides nothing: the animated chart is a figure; the pixel is dropped by
    its size once downloaded, the ad by its link, the icon by its alignment with the text."""
    server.pictures.update({"/img/chart.gif": _gif(4), "/img/t.gif": _gif(1, (1, 1)),
                            "/img/promo.gif": _gif(2), "/img/send.gif": _gif(1, (60, 60))})
    saved = tmp_path / "gifs.html"
    saved.write_bytes(_page(f"<link rel='canonical' href='{server.base}/news/1.html'>",
                            GIF_FIGURES.replace("/img/", f"{server.base}/img/")))
    site = import_site(tmp_path)
    status, [result] = run(site, saved, capsys=capsys)
    assert status == 0
    figures = _meta(site, result)["figures"]
    assert [f["source_url"].rsplit("/", 1)[1] for f in figures] == ["chart.gif"]
    local = (site / result["output"]).parent / figures[0]["src"]
    assert figures[0]["src"].endswith(".gif") and local.read_bytes() == server.pictures["/img/chart.gif"]
    assert sorted(p for p, _ in server.requests) == ["/img/chart.gif", "/img/t.gif"]
    assert any("t.gif" in w and "tracking pixel" in w for w in result["warnings"])


def test_a_saved_pages_tiny_picture_is_no_figure(tmp_path, capsys):
    folder = tmp_path / "saved"
    (folder / "news_files").mkdir(parents=True)
    (folder / "news_files" / "chart.gif").write_bytes(_gif(3))
    (folder / "news_files" / "dot.gif").write_bytes(_gif(1, (2, 2)))
    (folder / "news.html").write_bytes(_page(figures=(
        "<figure><img src='news_files/chart.gif'><figcaption>圖一：動態圖表</figcaption></figure>"
        "<figure><img src='news_files/dot.gif' alt='dot'></figure>")))
    site = import_site(tmp_path)
    status, [result] = run(site, folder / "news.html", capsys=capsys)
    assert status == 0
    stem = Path(result["output"]).stem
    assert _meta(site, result)["figures"] == [
        {"caption": "圖一：動態圖表", "src": f"{stem}-chart.gif"}]
    assert result["removed"].get("image-without-source") == 1
    assert not ((site / result["output"]).parent / f"{stem}-dot.gif").exists()


# --------------------------------------------------------------------------- re-import

def test_a_reimported_articles_old_pictures_go_unless_still_used(tmp_path, server, capsys):
    """The story's page changes its pictures: the update removes the file only it used; a
    picture another article shows stays."""
    other = ("<html><head><meta charset='utf-8'><title>聯發科發表新晶片 - 範例新聞</title></head><body>"
             "<article><h1>聯發科發表新晶片</h1><p>2025-03-19 09:00</p>"
             + "<p>聯發科今天在新竹發表新一代手機晶片，強調能效與人工智慧運算的表現大幅提升。</p>" * 4
             + "<figure><img src='/img/b.jpg'><figcaption>同一張圖</figcaption></figure>"
             "</article></body></html>").encode()
    server.pages["/news/2.html"] = other
    site = import_site(tmp_path)
    status, results = run(site, f"{server.base}/news/1.html", f"{server.base}/news/2.html", capsys=capsys)
    assert status == 0 and [r["status"] for r in results] == ["new", "new"]
    folder = (site / results[0]["output"]).parent
    a, b = (f["src"] for f in _meta(site, results[0])["figures"])
    assert _meta(site, results[1])["figures"][0]["src"] == b  # one file, two articles
    server.pictures["/img/c.jpg"] = _jpeg(color="green")
    server.pages["/news/1.html"] = _page(figures=FIGURES.replace("/img/a.jpg", "/img/c.jpg")
                                         .replace("/img/b.jpg", "/img/c.jpg"))
    status, [again] = run(site, f"{server.base}/news/1.html", capsys=capsys)
    assert status == 0 and again["status"] == "updated"
    assert again["removed_images"] == [f"{Path(results[0]['output']).parent.as_posix()}/{a}"]
    assert not (folder / a).exists() and (folder / b).is_file()
    assert {f["src"] for f in _meta(site, again)["figures"]} == set(again["images"])


def test_a_forced_reimport_over_an_edit_keeps_the_old_pictures(tmp_path, server, capsys):
    site = import_site(tmp_path)
    status, [first] = run(site, f"{server.base}/news/1.html", capsys=capsys)
    path = site / first["output"]
    old = [f["src"] for f in _meta(site, first)["figures"]]
    path.write_text(path.read_text(encoding="utf-8") + "\n編者按。\n", encoding="utf-8")
    server.pictures["/img/c.jpg"] = _jpeg(color="green")
    server.pages["/news/1.html"] = _page(figures=FIGURES.replace("/img/a.jpg", "/img/c.jpg"))
    status, [forced] = run(site, "--force", f"{server.base}/news/1.html", capsys=capsys)
    assert status == 0 and forced["status"] == "updated" and forced["backup"]
    assert forced["removed_images"] == []  # the backup still shows them
    assert len(old) == 2 and all((path.parent / name).is_file() for name in old)
