"""Bad input of every kind: all errors at once, exact messages, output untouched, exit 1."""
import os
import shutil

import pytest

from build_helpers import THEME_MIN, article, make_site, snapshot
from generator.build import build
from generator.io.cache import DiskCache
from generator.cli import main
from generator.core.errors import BuildFailed, SiteError

GOOD = {"content/ok.md": article("好", "2025-01-01")}


def failures(config, out):
    with pytest.raises(BuildFailed) as caught:
        build(config, out_dir=out, cache=DiskCache.memory())
    return [str(e) for e in caught.value.errors]


def test_unreadable_files_are_all_reported(tmp_path):
    files = dict(GOOD)
    files["content/big5.md"] = "---\ntitle: 台積電\n---\n".encode("big5")
    files["content/empty.md"] = ""
    files["content/binary.md"] = b"---\x00\x01\x02"
    files["content/huge.md"] = "---\n" + "x" * (2 * 1024 * 1024 + 1)
    config = make_site(tmp_path / "site", files)
    assert failures(config, tmp_path / "out") == [
        "content/big5.md:2: not UTF-8 (byte 0xa5 at offset 11) "
        "(save the file as UTF-8; `newsarchive import` converts GBK and Big5)",
        "content/binary.md: binary file (contains NUL bytes) (only Markdown belongs in content/)",
        "content/empty.md: empty file (an article needs front matter and a body)",
        "content/huge.md: file is too large (2,097,157 bytes; limit 2,097,152) (is this really an article?)",
    ]
    assert not (tmp_path / "out").exists()


def test_symlink_loop_and_broken_link(tmp_path):
    config = make_site(tmp_path / "site", GOOD)
    os.symlink(".", config.root / "content" / "loop")
    os.symlink("missing.md", config.root / "content" / "broken.md")
    messages = failures(config, tmp_path / "out")
    assert messages == [
        "content/broken.md: cannot read: No such file or directory (fix or remove the symlink)",
        "content/loop: symlink loop: this folder is already part of content/ (remove the symlink)",
    ]


def test_template_error_names_template_file_and_line(tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(THEME_MIN, theme)
    article_html = theme / "templates" / "article.html"
    text = article_html.read_text().replace('<div class="body">', '<div class="{{ article.no_such_field }}">')
    article_html.write_text(text)
    config = make_site(tmp_path / "site", GOOD, theme_dir=str(theme))
    with pytest.raises(SiteError) as caught:
        build(config, out_dir=tmp_path / "out", cache=DiskCache.memory())
    message = str(caught.value)
    assert message.startswith(f"{article_html}:") or message.startswith("../theme/templates/article.html:")
    assert ":4: UndefinedError: 'dict object' has no attribute 'no_such_field'" in message


def test_template_syntax_error_is_reported_before_writing(tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(THEME_MIN, theme)
    (theme / "templates" / "list.html").write_text("{% if %}\n")
    config = make_site(tmp_path / "site", GOOD, theme_dir=str(theme))
    messages = failures(config, tmp_path / "out")
    assert len(messages) == 1 and messages[0].endswith("list.html:1: Expected an expression, got 'end of statement block'")
    assert not (tmp_path / "out").exists()


MISSING = ("content/2025/x.md:5: figures: figure 1: image 'gone.png' not found next to the "
           "article (put the file in the article's folder or fix src; the page shows its caption alone)")


def test_missing_figure_image_is_an_error_under_strict(tmp_path):
    text = article("圖", "2025-01-01", figures="[{caption: 圖一, src: gone.png}]")
    config = make_site(tmp_path / "site", {"content/2025/x.md": text})
    with pytest.raises(BuildFailed) as caught:
        build(config, out_dir=tmp_path / "out", cache=DiskCache.memory(), strict=True)
    assert [str(e) for e in caught.value.errors] == [MISSING]
    assert not (tmp_path / "out").exists()


def test_missing_figure_image_is_a_warning_and_publishes_no_broken_img(tmp_path):
    """The page shows the figure's caption alone, as for a figure without src; a figure
    without a caption is left out; a bare Markdown image becomes its alt text."""
    figures = "[{caption: 圖一, src: gone.png}, {src: gone2.jpg}, {caption: 圖三}]"
    body = "正文。\n\n{{figure 1}}\n\n{{figure 2}}\n\n![不見的圖](gone3.png)\n\n{{figure 3}}"
    text = article("圖", "2025-01-01", figures=figures, body=body)
    config = make_site(tmp_path / "site", {"content/2025/x.md": text})
    report = build(config, out_dir=tmp_path / "out", cache=DiskCache.memory())
    assert MISSING in report.warnings
    assert any("gone2.jpg" in w and w.startswith("content/2025/x.md:5:") for w in report.warnings)
    assert any("image gone3.png is not in the site" in w for w in report.warnings)
    for script in ("zh-hant", "zh-hans"):
        page = (tmp_path / "out" / script / "articles/x/index.html").read_text(encoding="utf-8")
        assert "<img" not in page and "gone" not in page
        assert page.count('<figure class="figure figure-caption-only"><figcaption>') == 2
        assert "不見的圖" in page or "不见的图" in page
    # the file appears: the page shows it (its key follows the image)
    (config.content_dir / "2025" / "gone.png").write_bytes(_png())
    again = build(config, out_dir=tmp_path / "out", cache=DiskCache.memory())
    page = (tmp_path / "out/zh-hant/articles/x/index.html").read_text(encoding="utf-8")
    assert "zh-hant/articles/x/index.html" in again.written_paths and "gone-40w.webp" in page


def _png() -> bytes:
    import io
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_cli_reports_one_line_per_error_and_exits_1(tmp_path, capsys):
    config = make_site(tmp_path / "site", GOOD)
    out = tmp_path / "out"
    assert main(["build", "--site", str(config.root), "--out", str(out), "--quiet"]) == 0
    before = snapshot(out)
    (config.root / "content" / "bad.md").write_text("---\ntitle: x\ndate: 2025-01-01\ntags: [0700]\n---\n")
    (config.root / "content" / "worse.md").write_text("no front matter\n")
    assert main(["build", "--site", str(config.root), "--out", str(out)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "error: content/bad.md:4: 0700 would be read as the number 448 (quote it)",
        "error: content/worse.md:1: no front matter (start the file with a line '---')",
        "2 errors; nothing was changed",
    ]
    assert snapshot(out) == before


def test_broken_site_yml_exits_1(tmp_path, capsys):
    (tmp_path / "site.yml").write_text("title: [\n")
    assert main(["build", "--site", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: site.yml:1: invalid YAML") and err.count("\n") == 1


def test_strict_warning_is_one_error_line_without_a_doubled_prefix(tmp_path, capsys):
    config = make_site(tmp_path / "site", GOOD, base_url="/archive/")
    assert main(["build", "--site", str(config.root), "--out", str(tmp_path / "out"),
                 "--strict"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == ["error: site.yml: base_url '/archive/' is not absolute; feeds, sitemap and "
                   "canonical links need https://host/ (set it, or pass --base-url)"]


def test_contradictory_glossary_fails_the_build(tmp_path):
    config = make_site(tmp_path / "site", GOOD)
    (config.root / "glossary.yml").write_text("- {hant: 范, hans: 范}\n- {hant: 範, hans: 范}\n")
    config = make_site(config.root, {}, glossary="glossary.yml")
    with pytest.raises(SiteError, match="glossary.yml"):
        build(config, out_dir=tmp_path / "out", cache=DiskCache.memory())
    assert not (tmp_path / "out").exists()


def test_theme_override_beside_templates_is_a_warning(tmp_path, capsys):
    (tmp_path / "site/themes/site").mkdir(parents=True)
    (tmp_path / "site/themes/site/base.html").write_text("<p>mine</p>\n")
    config = make_site(tmp_path / "site", GOOD, theme_dir="themes/site")
    report = build(config, out_dir=tmp_path / "out", cache=DiskCache.memory())
    assert "themes/site/base.html: not used: templates are read from themes/site/templates/ " \
        "(move it there)" in report.warnings
