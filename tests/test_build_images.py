"""Images at build (issue 13): resized copies, markup, cache, remote-image warnings."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from build_helpers import article, make_site, snapshot
from generator.build import build
from generator.core.errors import BuildFailed
from generator.io import images as io_images
from generator.io.cache import DiskCache


def _jpeg(size, exif_orientation=None) -> bytes:
    buffer = io.BytesIO()
    im = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # a camera maker: metadata that must not be published
    if exif_orientation:
        exif[0x0112] = exif_orientation
    im.save(buffer, "JPEG", quality=95, exif=exif.tobytes())
    return buffer.getvalue()


FIGURES = "\n  - {caption: 大圖, src: big.jpg}\n  - {caption: 小圖, src: small.png}"


def _site(root, body="正文。\n\n{{figure 1}}\n\n{{figure 2}}", **extra):
    small = io.BytesIO()
    Image.new("RGBA", (300, 200), (0, 0, 255, 128)).save(small, "PNG")
    files = {"content/2025/a.md": article("圖片報導", "2025-03-01", body=body, figures=FIGURES, **extra),
             "content/2025/big.jpg": _jpeg((3000, 2000)),
             "content/2025/small.png": small.getvalue()}
    return make_site(root, files)


def test_copies_are_made_at_each_width_never_wider(tmp_path):
    config = _site(tmp_path / "site")
    out = tmp_path / "out"
    build(config, out_dir=out, cache=DiskCache.memory())
    media = sorted(p.name for p in (out / "media" / "2025").iterdir())
    assert media == ["a.md"] * 0 + sorted([
        "big.jpg", "big-480w.jpg", "big-480w.webp", "big-960w.jpg", "big-960w.webp",
        "big-1600w.jpg", "big-1600w.webp", "small.png", "small-300w.png", "small-300w.webp"])
    with Image.open(out / "media/2025/big-1600w.jpg") as im:
        assert im.size == (1600, 1067) and not im.getexif()
    with Image.open(out / "media/2025/small-300w.webp") as im:
        assert im.mode == "RGBA"  # alpha kept
    page = (out / "zh-hant/articles/a/index.html").read_text(encoding="utf-8")
    first, second = re.findall(r"<img\s[^>]*>", page)
    assert 'width="1600" height="1067"' in first and 'loading="lazy"' not in first
    assert 'width="300" height="200"' in second and 'loading="lazy"' in second
    assert 'srcset="/media/2025/big-480w.jpg 480w, /media/2025/big-960w.jpg 960w, ' \
           '/media/2025/big-1600w.jpg 1600w"' in first
    assert 'src="/media/2025/big-960w.jpg"' in first and 'decoding="async"' in first
    # JSON-LD (and og:image, from the same value) name the first figure's largest copy in its
    # own format (oriented, without metadata), not the original file
    assert '"image": ["https://example.org/media/2025/big-1600w.jpg"]' in page.replace("\\/", "/")


def test_copies_are_the_same_bytes_in_every_build(tmp_path):
    first, second = _site(tmp_path / "one"), _site(tmp_path / "two")
    build(first, out_dir=tmp_path / "out1", cache=DiskCache.memory())
    build(second, out_dir=tmp_path / "out2", cache=DiskCache.memory())
    one, two = snapshot(tmp_path / "out1" / "media"), snapshot(tmp_path / "out2" / "media")
    assert one == two and len(one) == 10


def test_a_rebuild_does_no_image_work(tmp_path, monkeypatch):
    config = _site(tmp_path / "site")
    out = tmp_path / "out"
    build(config, out_dir=out)

    def refuse(*args):
        raise AssertionError("an image was processed again")

    monkeypatch.setattr(io_images, "make_copies", refuse)
    monkeypatch.setattr(io_images, "file_sha", refuse)
    again = build(config, out_dir=out)
    assert again.written == 0
    # an edit of the text alone: the article is rendered again, its images are not touched
    text = (config.content_dir / "2025/a.md").read_text(encoding="utf-8")
    (config.content_dir / "2025/a.md").write_text(text.replace("正文。", "新的正文。"), encoding="utf-8")
    edit = build(config, out_dir=out)
    assert "zh-hant/articles/a/index.html" in edit.written_paths
    assert not any(p.startswith("media/") for p in edit.written_paths)


def test_a_changed_image_changes_its_article_page(tmp_path):
    config = _site(tmp_path / "site")
    out = tmp_path / "out"
    cache = DiskCache.memory()
    build(config, out_dir=out, cache=cache)
    (config.content_dir / "2025/big.jpg").write_bytes(_jpeg((1000, 1000)))
    report = build(config, out_dir=out, cache=cache, changed=[config.content_dir / "2025/big.jpg"])
    assert "zh-hant/articles/a/index.html" in report.written_paths
    page = (out / "zh-hant/articles/a/index.html").read_text(encoding="utf-8")
    assert 'width="1000" height="1000"' in page


def test_exif_orientation_is_applied(tmp_path):
    files = {"content/2025/a.md": article("轉向", "2025-03-01", figures="\n  - {caption: 直幅, src: r.jpg}"),
             "content/2025/r.jpg": _jpeg((800, 400), exif_orientation=6)}
    config = make_site(tmp_path / "site", files)
    build(config, out_dir=tmp_path / "out", cache=DiskCache.memory())
    with Image.open(tmp_path / "out/media/2025/r-400w.jpg") as im:
        assert im.size == (400, 800)


def test_remote_images_are_warned_about_at_their_line(tmp_path):
    body = "正文。\n\n![遠端](https://cdn.example.com/a.jpg)\n\n![明文](http://cdn.example.com/b.jpg)"
    files = {"content/2025/a.md": article("遠端圖片", "2025-03-01", body=body,
                                          figures="\n  - {caption: 外站, src: 'https://img.example.com/c.jpg'}")}
    config = make_site(tmp_path / "site", files)
    report = build(config, out_dir=tmp_path / "out", cache=DiskCache.memory())
    found = [w for w in report.warnings if "another site" in w]
    assert len(found) == 3, report.warnings
    assert any(w.startswith("content/2025/a.md:6: figure 1: image https://img.example.com/c.jpg") for w in found)
    assert any(w.startswith("content/2025/a.md:11: image https://cdn.example.com/a.jpg") for w in found)
    assert any(w.startswith("content/2025/a.md:13: image http://cdn.example.com/b.jpg")
               and "plain http" in w for w in found)
    with pytest.raises(BuildFailed):
        build(config, out_dir=tmp_path / "out2", cache=DiskCache.memory(), strict=True)


def test_an_unreadable_image_is_published_as_it_is_with_a_warning(tmp_path):
    files = {"content/2025/a.md": article("壞圖", "2025-03-01", figures="\n  - {caption: 壞, src: bad.jpg}"),
             "content/2025/bad.jpg": b"\xff\xd8\xff not really a jpeg"}
    config = make_site(tmp_path / "site", files)
    report = build(config, out_dir=tmp_path / "out", cache=DiskCache.memory())
    assert any(w.startswith("content/2025/bad.jpg: image published as it is") for w in report.warnings)
    page = (tmp_path / "out/zh-hant/articles/a/index.html").read_text(encoding="utf-8")
    assert 'src="/media/2025/bad.jpg"' in page


def _gif(frames: int, size=(300, 200)) -> bytes:
    buffer = io.BytesIO()
    images = [Image.new("RGB", size, (i * 60, 0, 255 - i * 60)) for i in range(frames)]
    images[0].save(buffer, "GIF", save_all=frames > 1, append_images=images[1:], duration=100, loop=0)
    return buffer.getvalue()


def test_an_animated_gif_is_published_as_it_is_a_still_one_resized(tmp_path):
    """No copy of an animated GIF (a WebP or PNG copy would keep one frame): the page shows
    the file itself, with its size; a still GIF gets PNG and WebP copies like any picture."""
    figures = "\n  - {caption: 動畫, src: moving.gif}\n  - {caption: 靜止, src: still.gif}"
    files = {"content/2025/a.md": article("動圖", "2025-03-01", figures=figures),
             "content/2025/moving.gif": _gif(4), "content/2025/still.gif": _gif(1)}
    config = make_site(tmp_path / "site", files)
    build(config, out_dir=tmp_path / "out", cache=DiskCache.memory())
    media = sorted(p.name for p in (tmp_path / "out/media/2025").iterdir())
    assert media == ["moving.gif", "still-300w.png", "still-300w.webp", "still.gif"]
    assert (tmp_path / "out/media/2025/moving.gif").read_bytes() == files["content/2025/moving.gif"]
    with Image.open(tmp_path / "out/media/2025/moving.gif") as im:
        assert im.n_frames == 4
    page = (tmp_path / "out/zh-hant/articles/a/index.html").read_text(encoding="utf-8")
    moving, still = re.findall(r"<img\s[^>]*>", page)
    assert 'src="/media/2025/moving.gif"' in moving and 'width="300" height="200"' in moving
    assert "srcset" not in moving and page.count("<picture>") == 1
    assert "still-300w.png 300w" in still


def test_the_image_cache_drops_copies_no_article_uses(tmp_path):
    """A replaced and a deleted picture leave no copies behind in .newsarchive-cache/images/;
    a file the cache did not write stays; the copies of pictures still shown stay."""
    config = _site(tmp_path / "site")
    folder = config.cache_dir / "images"
    build(config, out_dir=tmp_path / "out")
    stranger = folder / "notes.txt"
    stranger.write_text("mine", encoding="utf-8")
    before = {p.name for p in folder.iterdir()}
    big_copies = {n for n in before if n.startswith(io_images.file_sha(config.content_dir / "2025/big.jpg")[:32])}
    small_copies = {n for n in before if n.startswith(io_images.file_sha(config.content_dir / "2025/small.png")[:32])}
    assert len(big_copies) == 7 and len(small_copies) == 3  # 6 copies + record; 2 + record
    (config.content_dir / "2025/big.jpg").write_bytes(_jpeg((1000, 800)))
    build(config, out_dir=tmp_path / "out")
    after = {p.name for p in folder.iterdir()}
    assert not big_copies & after and small_copies <= after and "notes.txt" in after
    new_big = {n for n in after if n.startswith(io_images.file_sha(config.content_dir / "2025/big.jpg")[:32])}
    assert len(new_big) == 7  # 480, 960 and 1000 in both formats, and the record
    # every picture gone: every copy goes, the stranger stays
    text = (config.content_dir / "2025/a.md").read_text(encoding="utf-8")
    (config.content_dir / "2025/a.md").write_text(text.split("figures:")[0] + "---\n\n正文。\n", encoding="utf-8")
    for name in ("big.jpg", "small.png"):
        (config.content_dir / "2025" / name).unlink()
    build(config, out_dir=tmp_path / "out")
    left = {p.name for p in folder.iterdir()}
    assert not [n for n in left if re.fullmatch(r"[0-9a-f]{32}-.+", n)], left
    assert "notes.txt" in left


def test_an_edit_build_reads_no_image_record(tmp_path, monkeypatch):
    """made.json and one listing of the cache answer for every known picture; a copy that
    went missing from the cache is made again."""
    from generator.stages import images as stage
    config = _site(tmp_path / "site")
    build(config, out_dir=tmp_path / "out")
    real = stage.made_for
    asked = []
    monkeypatch.setattr(stage, "made_for", lambda *a: asked.append(a[0].name) or real(*a))
    text = (config.content_dir / "2025/a.md").read_text(encoding="utf-8")
    (config.content_dir / "2025/a.md").write_text(text.replace("正文。", "新的正文。"), encoding="utf-8")
    build(config, out_dir=tmp_path / "out")
    assert asked == []
    folder = config.cache_dir / "images"
    next(folder.glob("*-960.webp")).unlink()
    (config.content_dir / "2025/a.md").write_text(text, encoding="utf-8")
    report = build(config, out_dir=tmp_path / "out")
    assert asked == ["big.jpg"] and len(list(folder.glob("*-960.webp"))) == 1
    assert (tmp_path / "out/media/2025/big-960w.webp").is_file() and not report.warnings


def test_the_settings_in_cache_names_are_per_kind_of_original():
    """A JPEG's or WebP's copies keep the name they had before the PNG level changed (an
    archive's cache of photos stays valid); PNG and GIF originals have their own key."""
    assert io_images.SETTINGS_KEY == "03d6fdc0"  # changing it makes every photo's copies again
    assert io_images.settings_key("content/a.JPG") == io_images.settings_key("b.webp") == "03d6fdc0"
    assert io_images.settings_key("c.png") == io_images.settings_key("d.gif") == io_images.PNG_SETTINGS_KEY
    assert io_images.PNG_SETTINGS_KEY != io_images.SETTINGS_KEY
