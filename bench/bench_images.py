"""Benchmark images (issue 13): import with figures, cold derivatives, no-change cost, bytes.

1. import of a page with 10 images (1600x1067 JPEGs made with Pillow) from a server on
   127.0.0.1, with and without --no-images;
2. a cold build of N articles x 2 images each (photo-like JPEGs, 2400x1600), i.e. the
   Pillow work of every copy, and the same build with the image cache warm (a new output
   folder, the copies reused);
3. a no-change rebuild;
4. bytes: the originals against what a reader on a 40rem column downloads (the 960w WebP);
5. an edit build (one article's text changed) of N articles x 2 small JPEGs with the image
   cache warm: the images stage's cost of knowing every picture (`--edit N`);
6. the copies of PNG originals (photo-like and screenshot-like, 2400x1600), seconds per
   original in one process (the JPEG photos of 2. are the common case, PNG charts and
   screenshots the slow one).

    PYTHONPATH=$PWD .venv/bin/python bench/bench_images.py --articles 100
"""
from __future__ import annotations

import argparse
import http.server
import io
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

from generator.build import build
from generator.cli import main
from generator.io import images as io_images
from generator.io.config import load_config

PARAGRAPH = "<p>台積電宣布在台南擴建先進封裝產線，預計明年量產，以因應人工智慧晶片的強勁需求。</p>"


def photo(seed: int, size=(2400, 1600)) -> bytes:
    """A photo-like JPEG (shapes and noise, blurred): compresses like a real picture."""
    rnd = random.Random(seed)
    im = Image.new("RGB", size, tuple(rnd.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(im)
    for _ in range(60):
        x, y = rnd.randrange(size[0]), rnd.randrange(size[1])
        draw.ellipse((x, y, x + rnd.randrange(50, 600), y + rnd.randrange(50, 600)),
                     fill=tuple(rnd.randrange(256) for _ in range(3)))
    im = im.filter(ImageFilter.GaussianBlur(3))
    noise = Image.effect_noise(size, 24).convert("RGB")
    im = Image.blend(im, noise, 0.12)
    buffer = io.BytesIO()
    im.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def bench_import(folder: Path) -> None:
    pictures = {f"/img/{i}.jpg": photo(i, (1600, 1067)) for i in range(10)}
    page = ("<html><head><meta charset='utf-8'><title>十張圖的報導</title></head><body><article>"
            "<h1>十張圖的報導</h1><p>2025-03-18 10:30</p>" + PARAGRAPH * 3
            + "".join(f"<figure><img src='/img/{i}.jpg'><figcaption>圖{i}</figcaption></figure>{PARAGRAPH}"
                      for i in range(10)) + "</article></body></html>").encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body, kind = (page, "text/html; charset=utf-8") if self.path == "/news/1.html" \
                else (pictures.get(self.path, b""), "image/jpeg")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/news/1.html"
    for label, extra in (("with images", []), ("--no-images", ["--no-images"])):
        site = folder / f"import-{len(extra)}"
        site.mkdir()
        (site / "site.yml").write_text("title: t\nbase_url: https://example.org/\n", encoding="utf-8")
        start = time.perf_counter()
        status = main(["import", "--site", str(site), "--json", *extra, url])
        seconds = time.perf_counter() - start
        files = len(list((site / "content").rglob("*.jpg")))
        print(f"import, page with 10 images, {label}: {seconds:.2f} s (exit {status}, {files} images stored)",
              file=sys.stderr)
    httpd.shutdown()


def make_site(folder: Path, articles: int) -> Path:
    site = folder / f"site-{articles}"
    content = site / "content" / "2025"
    content.mkdir(parents=True)
    (site / "site.yml").write_text("title: 基準\nbase_url: https://example.org/\nsearch: false\n",
                                   encoding="utf-8")
    sources = [photo(i) for i in range(8)]  # 8 distinct photos, each re-saved to differ in bytes
    for n in range(articles):
        names = []
        for k in range(2):
            name = f"{n:05d}-{k}.jpg"
            (content / name).write_bytes(sources[(2 * n + k) % 8] + f"{n}-{k}".encode())
            names.append(name)
        figures = "".join(f"\n  - {{caption: 圖{k + 1}, src: {name}}}" for k, name in enumerate(names))
        (content / f"{n:05d}.md").write_text(
            f"---\ntitle: 報導{n}\ndate: 2025-03-01\ntags: [基準]\nfigures:{figures}\n---\n\n正文{n}。\n",
            encoding="utf-8")
    return site


def bench_build(folder: Path, articles: int) -> None:
    site = make_site(folder, articles)
    config = load_config(site, env={})
    start = time.perf_counter()
    cold = build(config, out_dir=folder / "out")
    cold_s = time.perf_counter() - start
    print(f"cold build, {articles} articles x 2 images: {cold_s:.2f} s "
          f"(images stage {cold.seconds.get('images', 0):.2f} s, {cold.written} files)", file=sys.stderr)
    start = time.perf_counter()
    warm = build(config, out_dir=folder / "out2")
    print(f"build into a new folder, image cache warm: {time.perf_counter() - start:.2f} s "
          f"(images stage {warm.seconds.get('images', 0):.2f} s)", file=sys.stderr)
    start = time.perf_counter()
    again = build(config, out_dir=folder / "out")
    print(f"no-change rebuild: {time.perf_counter() - start:.3f} s, {again.written} written",
          file=sys.stderr)
    media = folder / "out" / "media" / "2025"
    originals = sum(p.stat().st_size for p in media.glob("*.jpg") if "w." not in p.name)
    webp = sum(p.stat().st_size for p in media.glob("*-960w.webp"))
    jpeg = sum(p.stat().st_size for p in media.glob("*-960w.jpg"))
    print(f"bytes: originals {originals / 1e6:.1f} MB; a reader gets the 960w WebP "
          f"{webp / 1e6:.1f} MB ({100 * (1 - webp / originals):.0f} % saved) or JPEG "
          f"{jpeg / 1e6:.1f} MB ({100 * (1 - jpeg / originals):.0f} % saved)", file=sys.stderr)


def screenshot(seed: int, size=(2400, 1600)) -> Image.Image:
    """A chart-and-text picture: flat colours, sharp edges, lines of figures."""
    rnd = random.Random(seed)
    im = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(im)
    for x in range(100, size[0] - 100, 90):
        top = rnd.randrange(200, size[1] - 200)
        draw.rectangle((x, top, x + 60, size[1] - 120), fill=(30, 90 + x % 120, 200))
    for y in range(20, 200, 22):
        draw.text((40, y), "營收 Revenue 2025 Q3  12,345  +8.2%  " * 6, fill=(40, 40, 40))
    return im


def bench_png(folder: Path, count: int) -> None:
    """Seconds per PNG original for its copies (io.images.make_copies, one process)."""
    for label, make in (("photo-like", lambda i: Image.open(io.BytesIO(photo(100 + i))).convert("RGB")),
                        ("screenshot", screenshot)):
        paths = []
        for i in range(count):
            path = folder / f"{label}-{i}.png"
            make(i).save(path, "PNG")
            paths.append(path)
        start = time.perf_counter()
        for n, path in enumerate(paths):
            out = folder / f"copies-{label}-{n}"
            out.mkdir()
            io_images.make_copies(path, f"{n:064x}", out)
        seconds = (time.perf_counter() - start) / count
        kb = sum(f.stat().st_size for f in folder.glob(f"copies-{label}-*/*.png")) / count / 1e3
        print(f"PNG originals, {label} 2400x1600: {seconds:.2f} s per original for its copies "
              f"({kb:.0f} kB of PNG copies each)", file=sys.stderr)


def bench_edit(folder: Path, articles: int) -> None:
    """The images stage of edit builds with every picture known (median of 5)."""
    content = folder / "site" / "content" / "2025"
    content.mkdir(parents=True)
    (folder / "site" / "site.yml").write_text("title: 基準\nbase_url: https://example.org/\nsearch: false\n",
                                              encoding="utf-8")
    small = io.BytesIO()
    Image.new("RGB", (100, 80), "red").save(small, "JPEG")
    for n in range(articles):
        for k in range(2):
            (content / f"{n:05d}-{k}.jpg").write_bytes(small.getvalue() + f"{n}-{k}".encode())
        (content / f"{n:05d}.md").write_text(
            f"---\ntitle: 報導{n}\ndate: 2025-03-01\ntags: [基準]\nfigures:\n  - {{caption: 圖, src: {n:05d}-0.jpg}}"
            f"\n  - {{caption: 圖, src: {n:05d}-1.jpg}}\n---\n\n正文{n}。\n", encoding="utf-8")
    config = load_config(folder / "site", env={})
    build(config, out_dir=folder / "out")
    seconds = []
    for n in range(5):
        path = content / "00001.md"
        path.write_text(path.read_text(encoding="utf-8") + f"\n補充{n}。\n", encoding="utf-8")
        seconds.append(build(config, out_dir=folder / "out").seconds.get("images", 0))
    print(f"edit build, {articles} articles x 2 images, cache warm: images stage "
          f"{sorted(seconds)[2]:.3f} s (median of 5)", file=sys.stderr)


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[100])
    parser.add_argument("--edit", type=int, default=2000, metavar="N",
                        help="articles (2 small images each) of the edit-build measure (0: none)")
    parser.add_argument("--png", type=int, default=4, metavar="N",
                        help="PNG originals of each kind to time (0: none)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        bench_import(folder)
        for n in args.articles:
            bench_build(folder / str(n), n)
        if args.edit:
            bench_edit(folder / "edit", args.edit)
        if args.png:
            (folder / "png").mkdir()
            bench_png(folder / "png", args.png)


if __name__ == "__main__":
    main_()
