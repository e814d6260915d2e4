"""An article with pictures in Chromium: nothing is asked of another host, and the pictures
do not move the page while they load (layout-shift sum under 0.01)."""
from __future__ import annotations

import functools
import http.server
import io
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from PIL import Image

from build_helpers import article, make_site
from generator.build import build
from generator.io.cache import DiskCache
from generator.io.config import load_config

CLS = """() => new Promise(done => {
  let sum = 0;
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) sum += e.value;
  }).observe({type: 'layout-shift', buffered: true});
  setTimeout(() => done(sum), 800);
})"""


class _SlowImages(http.server.SimpleHTTPRequestHandler):
    """Serves the site; pictures arrive late, after the text is laid out (as on a real
    network), so a picture without a reserved size would push the text down."""

    def do_GET(self) -> None:  # noqa: N802
        if "/media/" in self.path:
            time.sleep(0.6)
        super().do_GET()

    def log_message(self, *args) -> None:  # noqa: ANN002
        pass


@pytest.fixture
def slow_server(tmp_path) -> Iterator[str]:
    out = tmp_path / "out"
    out.mkdir()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                            functools.partial(_SlowImages, directory=str(out)))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _jpeg(size, color) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def test_article_pictures_stay_on_the_site_and_do_not_shift(tmp_path, browser, slow_server):
    body = "開頭一段。\n\n{{figure 1}}\n\n" + "正文段落。" * 80 + "\n\n{{figure 2}}\n\n結尾。"
    figures = "\n  - {caption: 第一張, src: one.jpg}\n  - {caption: 第二張, src: two.jpg}"
    files = {"content/2025/a.md": article("圖片頁", "2025-03-01", body=body, figures=figures),
             "content/2025/one.jpg": _jpeg((2400, 1600), (200, 40, 40)),
             "content/2025/two.jpg": _jpeg((900, 1200), (40, 40, 200))}
    make_site(tmp_path / "site", files)
    (tmp_path / "site/site.yml").write_text(  # the default theme, as a reader meets it
        "title: 圖片測試\ndescription: 測試\nbase_url: https://example.org/\nsearch: false\n",
        encoding="utf-8")
    out = tmp_path / "out"
    url = slow_server
    config = load_config(tmp_path / "site", env={"NEWSARCHIVE_BASE_URL": url + "/"})
    build(config, out_dir=out, cache=DiskCache.memory())
    page = browser.new_page(viewport={"width": 800, "height": 900})
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(f"{url}/zh-hant/articles/a/")
    page.wait_for_load_state("networkidle")
    shift = page.evaluate(CLS)
    page.mouse.wheel(0, 4000)  # the lazy second picture comes into view and loads
    page.wait_for_timeout(500)
    shift_after = page.evaluate(CLS)
    loaded = page.evaluate("[...document.images].map(i => [i.currentSrc, i.complete, i.naturalWidth])")
    page.close()
    assert {urlsplit(u).hostname for u in asked if u.startswith("http")} == {"127.0.0.1"}, asked
    assert shift < 0.01 and shift_after < 0.01, (shift, shift_after)
    assert len(loaded) == 2 and all(done and width > 0 for _, done, width in loaded), loaded
    assert all(src.endswith(".webp") for src, _, _ in loaded)  # Chromium takes the WebP copy
