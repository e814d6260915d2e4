"""Links and images in an article's Markdown that lead nowhere: one warning at the source line."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from build_helpers import article, make_site

from generator.build import build
from generator.io.cache import DiskCache
from generator.cli import main
from generator.core.errors import BuildFailed

BODY = ("正文。\n\n![現場](photo.jpg) [另一篇](/zh-hant/articles/b/) [舊文](/zh-hant/articles/gone/)\n\n"
        "[標籤](/zh-hans/tags/) [相對](../b/) [錯的](../nothing/) [外站](https://example.com/)\n")


def _photo() -> bytes:
    """A real (tiny) JPEG: the build measures and resizes it."""
    buffer = io.BytesIO()
    Image.new("RGB", (100, 80), "red").save(buffer, "JPEG")
    return buffer.getvalue()


def site_files(with_photo: bool) -> dict[str, object]:
    files: dict[str, object] = {"content/2025/a.md": article("甲", "2025-01-02", body=BODY),
                                "content/2025/b.md": article("乙", "2025-01-01")}
    if with_photo:
        files["content/2025/photo.jpg"] = _photo()
    return files


def test_broken_links_and_missing_images_are_warnings_at_their_line(tmp_path) -> None:
    config = make_site(tmp_path / "site", site_files(with_photo=False))
    report = build(config, out_dir=tmp_path / "out", cache=DiskCache.memory())
    assert [w for w in report.warnings if "a.md" in w] == [
        "content/2025/a.md:9: image photo.jpg is not in the site (put the file next to the "
        "article, or fix the link)",
        "content/2025/a.md:9: link /zh-hant/articles/gone/ leads to no page of this site (fix "
        "the link, or remove it)",
        "content/2025/a.md:11: link ../nothing/ leads to no page of this site (fix the link, or "
        "remove it)"]


def test_an_image_beside_the_article_is_published_and_linked_from_media(tmp_path) -> None:
    config = make_site(tmp_path / "site", site_files(with_photo=True), base_url="https://x.org/archive/")
    report = build(config, out_dir=tmp_path / "out", cache=DiskCache.memory())
    assert not any("photo.jpg" in w for w in report.warnings)
    page = (tmp_path / "out/zh-hant/articles/a/index.html").read_text(encoding="utf-8")
    assert '<img src="/archive/media/2025/photo-100w.jpg" srcset="/archive/media/2025/photo-100w.jpg 100w"' in page
    assert 'alt="現場" width="100" height="80"' in page
    assert (tmp_path / "out/media/2025/photo.jpg").is_file()


def test_strict_fails_before_writing(tmp_path) -> None:
    config = make_site(tmp_path / "site", site_files(with_photo=True))
    with pytest.raises(BuildFailed) as failed:
        build(config, out_dir=tmp_path / "out", cache=DiskCache.memory(), strict=True)
    assert len(failed.value.errors) == 2
    assert not (tmp_path / "out").exists()


def test_check_reports_each_once_at_the_source(tmp_path, capsys) -> None:
    config = make_site(tmp_path / "site", site_files(with_photo=True))
    assert main(["check", "--site", str(config.root)]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "error: content/2025/a.md:9: link /zh-hant/articles/gone/ leads to no page of this site "
        "(fix the link, or remove it)",
        "error: content/2025/a.md:11: link ../nothing/ leads to no page of this site (fix the "
        "link, or remove it)"]
    assert "2 broken link(s), 0 other-script finding(s), 0 warning(s)" in captured.out  # not again per script and page


def test_a_kept_session_rechecks_only_edited_articles_and_all_when_the_plan_moves(tmp_path, monkeypatch) -> None:
    from generator.core import references

    site = tmp_path / "site"
    config = make_site(site, site_files(with_photo=False))
    out, cache = tmp_path / "out", DiskCache.memory()  # one cache: a preview's session
    build(config, out_dir=out, cache=cache)
    checked: list[str] = []
    real = references._broken_in
    monkeypatch.setattr(references, "_broken_in",
                        lambda art, paths, base: checked.append(art.slug) or real(art, paths, base))

    (site / "content/2025/b.md").write_text(article("乙", "2025-01-01", body="改過的正文。"), encoding="utf-8")
    report = build(config, out_dir=out, cache=cache, changed=["content/2025/b.md"])
    assert checked == ["b"]  # a's findings were kept, and still reported
    assert sum("a.md:" in w and "leads to no page" in w for w in report.warnings) == 2

    checked.clear()  # a new article is a new page: every article is checked against it
    (site / "content/2025/gone.md").write_text(article("舊", "2024-12-01", slug="gone"), encoding="utf-8")
    report = build(config, out_dir=out, cache=cache, changed=["content/2025/gone.md"])
    assert sorted(checked) == ["a", "b", "gone"]
    assert [w for w in report.warnings if "a.md:" in w and "leads to no page" in w] == [
        "content/2025/a.md:11: link ../nothing/ leads to no page of this site (fix the link, or "
        "remove it)"]
