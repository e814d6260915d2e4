"""Figures fetched at import and resized at build (issue 13), against a real local server.

The server on 127.0.0.1 serves one news page with a picture of every kind the importer
meets: one that needs the page as Referer, a lazy-loaded one behind a data: placeholder,
one in a srcset, a tracking pixel, an oversized one, HTML named .jpg, a corrupt JPEG, a
CMYK JPEG, an EXIF-rotated JPEG, a PNG with alpha and an animated GIF (all made here with
Pillow).
"""
from __future__ import annotations

import http.server
import io
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from generator.cli import main
from generator.core.frontmatter import split_front_matter
from generator.importer import figure_fetch
from generator.importer.fetch import Deadline
from generator.importer.fetch_image import ImageRefused, fetch_image, is_public
from generator.importer.model import Extracted, FigureInfo
from import_helpers import import_site, run


def _jpeg(size, color="red", mode="RGB", exif=None) -> bytes:
    buffer = io.BytesIO()
    im = Image.new(mode, size, color)
    im.save(buffer, "JPEG", quality=90, **({"exif": exif} if exif else {}))
    return buffer.getvalue()


def _rotated() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored 200x100, shown rotated 90°: 100 wide, 200 high
    return _jpeg((200, 100), "blue", exif=exif.tobytes())


def _png_alpha() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (640, 480), (0, 128, 0, 100)).save(buffer, "PNG")
    return buffer.getvalue()


def _gif(frames: int, size=(120, 90)) -> bytes:
    buffer = io.BytesIO()
    images = [Image.new("RGB", size, (i * 80, 0, 255 - i * 80)) for i in range(frames)]
    images[0].save(buffer, "GIF", save_all=frames > 1, append_images=images[1:], duration=100, loop=0)
    return buffer.getvalue()


IMAGES = {
    "/img/referer.jpg": _jpeg((1200, 800)),
    "/img/lazy.png": _png_alpha(),
    "/img/large.jpg": _jpeg((2000, 1000), "green"),
    "/img/c.jpg": _jpeg((1, 1)),
    "/img/huge.jpg": _jpeg((64, 64)) + b"\0" * 300_000,
    "/img/fake.jpg": b"<html><body>not a picture</body></html>",
    "/img/corrupt.jpg": _jpeg((800, 600))[:400],
    "/img/cmyk.jpg": _jpeg((500, 400), (0, 255, 255, 0), mode="CMYK"),
    "/img/rotated.jpg": _rotated(),
    "/img/animation": _gif(3),
}
FIGURES = [
    ("<img src='/img/referer.jpg' alt='需要來源頁'>", "圖一：需要來源頁的圖片"),
    ("<img src='data:image/gif;base64,R0lGODlhAQABAAAAACw=' data-src='/img/lazy.png'>", "圖二：延遲載入"),
    ("<img src='/img/small.jpg' srcset='/img/small.jpg 300w, /img/large.jpg 2000w'>", "圖三：多種尺寸"),
    ("<img src='/img/huge.jpg'>", "圖四：太大的圖"),
    ("<img src='/img/fake.jpg'>", "圖五：不是圖片"),
    ("<img src='/img/corrupt.jpg'>", "圖六：損壞的圖"),
    ("<img src='/img/cmyk.jpg'>", "圖七：CMYK"),
    ("<img src='/img/rotated.jpg'>", "圖八：旋轉"),
    ("<img src='/img/animation'>", "圖九：動畫"),
]
PARAGRAPH = "<p>台積電宣布在台南擴建先進封裝產線，預計明年量產，以因應人工智慧晶片的強勁需求。</p>"


def _page() -> bytes:
    figures = "".join(f"<figure>{img}<figcaption>{cap}</figcaption></figure>{PARAGRAPH}"
                      for img, cap in FIGURES)
    return ("<html><head><meta charset='utf-8'><title>台積電擴建先進封裝產線 - 範例新聞</title></head>"
            "<body><article><h1>台積電擴建先進封裝產線</h1><p>2025-03-18 10:30</p>"
            + PARAGRAPH * 3 + "<p>統計像素<img src='/img/c.jpg'>結束。</p>" + figures
            + "</article></body></html>").encode()


class _Handler(http.server.BaseHTTPRequestHandler):
    referers: list = []

    def do_GET(self) -> None:  # noqa: N802
        page = f"http://127.0.0.1:{self.server.server_address[1]}/news/1.html"
        if self.path == "/news/1.html":
            return self._send(200, _page(), "text/html; charset=utf-8")
        if self.path == "/img/referer.jpg" and self.headers.get("Referer") != page:
            return self._send(403, b"hotlinking", "text/plain")
        body = IMAGES.get(self.path)
        if body is None:
            return self._send(404, b"no", "text/plain")
        kind = "image/gif" if self.path.endswith("animation") else \
            "image/png" if self.path.endswith(".png") else "image/jpeg"
        return self._send(200, body, kind)

    def _send(self, code: int, body: bytes, kind: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # noqa: ANN002
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def imported(tmp_path, server, capsys, monkeypatch):
    monkeypatch.setattr(figure_fetch, "MAX_IMAGE_BYTES", 200_000)
    site = import_site(tmp_path)
    status, [result] = run(site, f"{server}/news/1.html", capsys=capsys)
    assert status == 0 and result["status"] == "new", result
    meta, body, _ = split_front_matter((site / result["output"]).read_text(encoding="utf-8"), "x")
    return site, result, meta, server


def test_import_stores_each_picture_beside_the_article(imported):
    site, result, meta, server = imported
    by_caption = {f["caption"]: f for f in meta["figures"]}
    assert len(meta["figures"]) == len(FIGURES)  # the tracking pixel is no figure
    kept = ["圖一：需要來源頁的圖片", "圖二：延遲載入", "圖三：多種尺寸", "圖七：CMYK", "圖八：旋轉", "圖九：動畫"]
    folder = site / Path(result["output"]).parent
    for caption in kept:
        fig = by_caption[caption]
        assert re.fullmatch(r"[0-9a-f]{16}\.(jpg|png|gif)", fig["src"]), fig
        assert fig["source_url"].startswith(f"{server}/img/")
        assert (folder / fig["src"]).is_file()
        assert fig["alt"]  # the page's alt, else the caption
    assert by_caption["圖一：需要來源頁的圖片"]["alt"] == "需要來源頁"
    assert by_caption["圖三：多種尺寸"]["source_url"] == f"{server}/img/large.jpg"
    assert by_caption["圖二：延遲載入"]["source_url"] == f"{server}/img/lazy.png"
    for caption, why in (("圖四：太大的圖", "too large"), ("圖五：不是圖片", "not an image"),
                         ("圖六：損壞的圖", "corrupt")):
        fig = by_caption[caption]
        assert "src" not in fig and fig["source_url"].startswith(server)
        assert any(fig["source_url"] in w and why in w for w in result["warnings"]), result["warnings"]
    assert not any("c.jpg" in (f.get("source_url") or "") for f in meta["figures"])
    assert any("c.jpg" in w and "tracking pixel" in w for w in result["warnings"])


def test_the_built_page_serves_every_picture_from_the_site(imported, tmp_path):
    site, result, meta, server = imported
    out = tmp_path / "out"
    assert main(["build", "--site", str(site), "--out", str(out), "--no-search"]) == 0
    page = next(out.glob("zh-hant/articles/*/index.html")).read_text(encoding="utf-8")
    imgs = re.findall(r"<img\s[^>]*>", page)
    assert len(imgs) == 6
    for tag in imgs:
        src = re.search(r'src="([^"]+)"', tag)[1]
        assert src.startswith("/") and not src.startswith("//"), tag
        assert re.search(r' width="\d+" height="\d+"', tag), tag
    assert sum("srcset=" in t for t in imgs) == 5  # the animated GIF is published as it is
    assert 'loading="lazy"' not in imgs[0] and all('loading="lazy"' in t for t in imgs[1:])
    assert page.count('<source type="image/webp"') == 5
    rotated = next(t for t in imgs if "圖八" in t)
    assert 'width="100" height="200"' in rotated  # EXIF orientation applied
    large = next(t for t in imgs if "圖三" in t)
    assert "-1600w.jpg 1600w" in large and "2000w" not in large  # never wider than 1600
    for srcset in re.findall(r'srcset="([^"]+)"', page):
        for url in re.findall(r"(\S+) \d+w", srcset):
            assert (out / url.lstrip("/")).is_file(), url
    webp = next(out.glob("media/**/*-480w.webp"))
    with Image.open(webp) as im:
        assert im.format == "WEBP" and not im.info.get("exif")


def test_no_images_keeps_the_remote_addresses(tmp_path, server, capsys):
    site = import_site(tmp_path)
    status, [result] = run(site, "--no-images", f"{server}/news/1.html", capsys=capsys)
    assert status == 0
    meta, _, _ = split_front_matter((site / result["output"]).read_text(encoding="utf-8"), "x")
    first = next(f for f in meta["figures"] if f.get("caption") == "圖一：需要來源頁的圖片")
    assert first["src"] == f"{server}/img/referer.jpg" and "source_url" not in first
    assert not list((site / "content").rglob("*.jpg"))


def test_private_addresses_only_for_a_page_from_one(server):
    """127.0.0.1 is reachable from a page that came from 127.0.0.1, never from a public page."""
    fig = FigureInfo(caption="圖", src=f"{server}/img/referer.jpg")
    page = Extracted(title="t", date=None, figures=(fig,))
    public = figure_fetch.fetch_figures(page, "http://93.184.216.34/news/1.html", fetched_from_url=True)
    assert public.files == () and public.extracted.figures[0].src is None
    assert "local or private address" in public.extracted.warnings[0]
    local = figure_fetch.fetch_figures(page, f"{server}/news/1.html", fetched_from_url=True)
    assert len(local.files) == 1
    assert not is_public("127.0.0.1") and not is_public("10.1.2.3") and not is_public("::1")
    assert not is_public("169.254.169.254") and is_public("93.184.216.34")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/a.jpg", "data:image/png;base64,AA"])
def test_only_web_addresses_are_fetched(url):
    with pytest.raises(ImageRefused, match="http"):
        fetch_image(url, referer=None, deadline=Deadline(5), max_bytes=1000, allow_private=True)


def test_an_svg_and_a_decompression_bomb_are_refused():
    with pytest.raises(ImageRefused, match="SVG"):
        figure_fetch.image_kind(b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>")
    buffer = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buffer, "PNG")  # 144 Mpx in a few kB
    with pytest.raises(ImageRefused, match="bomb|pixels"):
        figure_fetch.image_kind(buffer.getvalue())
