"""Hostile input never becomes a clickable script: URL schemes, YAML aliases, control characters.

Only http, https, mailto and scheme-less URLs reach a page (generator.core.urls.is_safe_url);
the importer drops the rest with a reported removal, build and check name path:line.
"""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from build_helpers import article, make_site
from generator.core import markdown
from generator.build import build
from generator.io.cache import DiskCache
from generator.cli import main
from generator.core.errors import BuildFailed, SiteError
from generator.core.frontmatter import split_front_matter
from generator.core.urls import is_safe_url

UNSAFE = [
    "javascript:alert(document.domain)//", " JaVaScRiPt:alert(1)", "java\tscript:alert(1)",
    "java\nscript:alert(1)", "\x01javascript:alert(1)", "java&#x09;script:alert(1)",
    "javascript&#58;alert(1)", "&#106;avascript:alert(1)", "javascript%3Aalert(1)",
    "java%09script:alert(1)", "vbscript:msgbox(1)", "VBScript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "data:image/png;base64,AAAA",
    "data:image/svg+xml,<svg onload=alert(1)>", "file:///etc/passwd", "whatsapp://send?text=x",
    "jav\u200bascript:alert(1)", "\u3000javascript:alert(1)",
]
SAFE = [
    "https://example.com/a?b=1#c", "http://example.com/", "HTTPS://EXAMPLE.COM/", "mailto:a@b.org",
    "/media/2025/a.png", "a.png", "../2024/b/", "#top", "?page=2", "//cdn.example.com/x.png",
    "https://example.com/%E4%B8%AD%E6%96%87", "https://example.com/a:b", "./x:y.png", "",
]


@pytest.mark.parametrize("url", UNSAFE)
def test_unsafe_urls_are_refused(url):
    assert not is_safe_url(url)


@pytest.mark.parametrize("url", SAFE)
def test_web_mail_and_relative_urls_are_allowed(url):
    assert is_safe_url(url)


class _Links(HTMLParser):
    """Every href/src/srcset/action attribute value of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.values += [v for k, v in attrs if k in ("href", "src", "srcset", "action") and v]


def output_links(out: Path) -> list[str]:
    """Link targets of every HTML and XML file of a build."""
    found = []
    for path in out.rglob("*"):
        if path.suffix in (".html", ".xml"):
            parser = _Links()
            parser.feed(path.read_text(encoding="utf-8"))
            found += parser.values
    return found


def assert_no_script_links(out: Path) -> None:
    """No href/src with a script or document scheme, and no trace of one in any file."""
    links = output_links(out)
    assert links and all(is_safe_url(v) for v in links), [v for v in links if not is_safe_url(v)]
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".txt"):
            text = path.read_text(encoding="utf-8").lower()
            assert not re.search(r"(javascript|vbscript)\s*:|data:text/html", text), path


EVIL_PAGE = """<html><head><meta charset="utf-8"><title>格力電器發布年度業績報告 - 新聞網</title>
<link rel="canonical" href="javascript:alert(document.domain)//">
<meta property="og:url" content=" JaVaScRiPt:alert(1)">
<meta property="og:image" content="data:text/html;base64,PHNjcmlwdD4=">
<base href="vbscript:msgbox(1)">
</head><body><article>
<h1>格力電器發布年度業績報告</h1>
<p>2025-03-01 10:00 記者王小明</p>
<p>格力電器今日發布年度業績報告，營收同比增長百分之十，淨利潤創歷史新高。公司表示，
<a href="javascript:alert(2)">點擊這裡</a>將繼續加大研發投入，<a href=" JAVASCRIPT:alert(3)">更多</a>推動產品升級。</p>
<p><img src="java&#x09;script:alert(4)" width="600" height="400" alt="圖一"></p>
<p><img src="vbscript:msgbox(5)" width="600" height="400" alt="圖二"></p>
<p><img src="https://img.example.com/gree-2025.jpg" width="600" height="400" alt="廠房"></p>
<p>分析人士認為，格力電器的業績增長主要得益於空調業務的穩定表現和新業務的拓展。<a href="https://example.com/more">相關報道</a>值得關注。</p>
<p>公司董事長在發布會上表示，未來三年將投入更多資金用於技術創新和市場開拓，力爭實現更高質量的發展。</p>
</article></body></html>
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    make_site(root, {}, theme_dir=None)  # the default theme: it links source.url
    return root


def test_javascript_canonical_page_imports_without_it_and_builds_clean(site, tmp_path, capsys):
    page = tmp_path / "evil.html"
    page.write_text(EVIL_PAGE, encoding="utf-8")
    assert main(["import", "--site", str(site), "--json", str(page)]) == 0
    [result] = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert result["status"] == "new" and result["removed"]["unsafe-url"] == 5
    text = (site / result["output"]).read_text(encoding="utf-8")
    assert not re.search(r"(?i)(javascript|vbscript)\s*:|data:", text)
    meta, body, _ = split_front_matter(text, "x")
    assert "url" not in (meta.get("source") or {})
    assert [f.get("src") for f in meta["figures"]] == ["https://img.example.com/gree-2025.jpg"]
    assert "點擊這裡" in body and "[相關報道](https://example.com/more)" in body
    out = tmp_path / "out"
    assert main(["build", "--site", str(site), "--out", str(out)]) == 0
    assert_no_script_links(out)
    assert main(["check", "--site", str(site)]) == 0


FRONT_MATTER = """---
title: 格力電器發布年度業績報告
date: 2025-03-01
tags: [格力]
source:
  name: 新聞網
  url: "javascript:alert(document.domain)//"
syndicated:
  - name: 轉載一
    url: https://example.com/ok
  - name: 轉載二
    url: " JaVaScRiPt:alert(1)"
figures:
  - caption: 圖一
    src: data:text/html;base64,PHNjcmlwdD4=
  - caption: 圖二
    src: "java\\tscript:alert(1)"
  - caption: 圖三
    src: vbscript:msgbox(1)
---

正文。
"""


def test_front_matter_urls_with_unsafe_schemes_are_errors_at_their_lines(tmp_path):
    config = make_site(tmp_path / "site", {"content/2025/a.md": FRONT_MATTER})
    out = tmp_path / "out"
    with pytest.raises(BuildFailed) as caught:
        build(config, out_dir=out, cache=DiskCache.memory())
    lines = [(e.line, e.message.split(":")[0]) for e in caught.value.errors]
    assert sorted(lines) == [(7, "source"), (12, "syndicated"), (15, "figures"), (17, "figures"),
                             (19, "figures")]
    assert all(e.path == "content/2025/a.md" and "not a safe link" in e.message for e in caught.value.errors)
    assert not out.exists()


MARKDOWN = """正文第一段 [點我](javascript:alert(1)) 結束。
第二行 [再點](JaVaScRiPt:alert(2)) 與 [編碼](java&#x09;script:alert(3))。

![圖](data:image/png;base64,AAAA)

[參考][r] 與 <vbscript:msgbox(4)>

| 欄 | 位 |
|---|---|
| [表格]( javascript&#58;alert(5)) | 值 |

[r]: javascript%3Aalert(6)
[好的](https://example.com/) [信](mailto:a@example.com) ![本地](/media/2025/a.png) [相對](../x/)
"""


def test_markdown_links_and_images_with_unsafe_schemes_are_errors_at_their_lines(tmp_path, capsys):
    config = make_site(tmp_path / "site", {"content/2025/a.md": article("標題", "2025-03-01", body=MARKDOWN)})
    with pytest.raises(BuildFailed) as caught:
        build(config, out_dir=tmp_path / "out", cache=DiskCache.memory())
    body_line = 7  # article(): 5 lines of front matter, a blank line, then the body
    assert [e.line - body_line for e in caught.value.errors] == [0, 1, 1, 3, 5, 5, 9]
    assert all("not a safe link" in e.message for e in caught.value.errors)
    assert main(["check", "--site", str(config.root)]) == 1
    err = capsys.readouterr().err
    assert "error: content/2025/a.md:7: link 'javascript:alert(1)' is not a safe link" in err


def test_the_renderer_refuses_a_body_with_an_unsafe_link_and_keeps_safe_ones():
    render = markdown.make_renderer()
    with pytest.raises(markdown.UnsafeLinks) as caught:
        render(MARKDOWN)
    assert [line for line, _ in caught.value.found] == [0, 1, 1, 3, 5, 5, 9]
    html = render(MARKDOWN.split("[r]:")[1].split("\n", 1)[1])
    assert 'href="https://example.com/"' in html and 'href="mailto:a@example.com"' in html
    assert 'src="/media/2025/a.png"' in html and 'href="../x/"' in html


def test_safe_links_still_build(tmp_path):
    body = "[好的](https://example.com/) [信](mailto:a@example.com) [站內](/zh-hant/tags/)"
    config = make_site(tmp_path / "site", {"content/2025/a.md": article(
        "標題", "2025-03-01", body=body, source="{name: 網, url: 'https://example.com/a'}")},
        theme_dir=None)
    out = tmp_path / "out"
    build(config, out_dir=out, cache=DiskCache.memory())
    page = (out / "zh-hant/articles/a/index.html").read_text(encoding="utf-8")
    assert 'class="source-link" href="https://example.com/a"' in page
    assert 'href="mailto:a@example.com"' in page and 'href="/zh-hant/tags/"' in page
    assert_no_script_links(out)


ALIAS_BOMB = """---
title: 標題
date: 2025-03-01
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
tags: *i
---
正文。
"""


def test_an_alias_bomb_is_a_clean_error_at_its_first_anchor():
    with pytest.raises(SiteError) as caught:
        split_front_matter(ALIAS_BOMB, "content/a.md")
    assert str(caught.value).startswith("content/a.md:4: YAML anchor &a is not allowed")


def test_an_alias_alone_is_refused_where_it_is_written():
    text = "---\ntitle: 標題\ndate: 2025-03-01\ntags:\n  - *x\n---\n正文。\n"
    with pytest.raises(SiteError) as caught:
        split_front_matter(text, "a.md")
    assert caught.value.line == 5
    # an & or * that is no YAML syntax is plain text
    meta, _, _ = split_front_matter("---\ntitle: AT&T *新*品\ntags: [a&b]\n---\nx\n", "a.md")
    assert meta["title"] == "AT&T *新*品" and meta["tags"] == ["a&b"]


def test_an_alias_bomb_fails_the_build_with_one_line(tmp_path, capsys):
    config = make_site(tmp_path / "site", {"content/2025/a.md": ALIAS_BOMB})
    assert main(["build", "--site", str(config.root), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("error: content/2025/a.md:4: YAML anchor") and len(err) == 1


def test_messages_never_repr_a_huge_value(tmp_path):
    huge = "[" + ", ".join(f"'{'長' * 50}{i}'" for i in range(2000)) + "]"
    text = f"---\ntitle: {huge}\ndate: 2025-03-01\ntags: [a]\n---\n正文。\n"
    config = make_site(tmp_path / "site", {"content/2025/a.md": text})
    with pytest.raises(BuildFailed) as caught:
        build(config, out_dir=tmp_path / "out", cache=DiskCache.memory())
    [error] = caught.value.errors
    assert error.message.startswith("title: must be text (found list [") and len(str(error)) < 400


@pytest.mark.parametrize("field, line", [
    ('title: "標\\0題"', 2), ('tags: ["騰\\0訊"]', 4), ('tags: [a, "b\\x01"]', 4),
    ('summary: "x\\ey"', 5), ('source: {name: "網\\0"}', 5), ('figures: [{caption: "\\x7f"}]', 5),
])
def test_control_characters_in_front_matter_are_errors_at_their_line(tmp_path, field, line):
    key = field.split(":")[0]
    base = {"title": "標題", "date": "2025-03-01", "tags": "[騰訊]"}
    base[key] = field.split(": ", 1)[1]
    text = "---\n" + "".join(f"{k}: {v}\n" for k, v in base.items())
    if key not in ("title", "date", "tags"):
        text += field + "\n"
    text += "---\n正文。\n"
    config = make_site(tmp_path / "site", {"content/2025/a.md": text})
    with pytest.raises(BuildFailed) as caught:
        build(config, out_dir=tmp_path / "out", cache=DiskCache.memory())
    [error] = caught.value.errors
    assert (error.path, error.line) == ("content/2025/a.md", line)
    assert "control character" in error.message


def test_a_raw_nul_in_front_matter_is_an_error_with_its_line():
    with pytest.raises(SiteError) as caught:
        split_front_matter("---\ntitle: 標題\ntags: [騰\x00訊]\n---\n正文。\n", "a.md")
    assert caught.value.line == 3 and "U+0000" in caught.value.message


def test_tabs_and_newlines_in_values_are_still_text():
    meta, _, _ = split_front_matter('---\ntitle: "a\\tb"\nsummary: "c\\nd"\ntags: [a]\n---\nx\n', "a.md")
    assert meta["title"] == "a\tb" and meta["summary"] == "c\nd"


def test_an_alias_bomb_in_site_yml_is_a_clean_error(tmp_path, capsys):
    root = tmp_path / "site"
    make_site(root, {})
    settings = (root / "site.yml").read_text(encoding="utf-8")
    lines = ALIAS_BOMB.split("\n")[3:12]  # the anchors a..i
    (root / "site.yml").write_text(settings + "\n".join(lines) + "\nextra: *i\n", encoding="utf-8")
    assert main(["check", "--site", str(root)]) == 1
    err = capsys.readouterr().err
    assert "site.yml:" in err and "YAML anchor &a is not allowed in settings" in err


EVIL_TEXT = """格力電器發布年度業績報告
2025-03-01 10:00

格力電器今日發布年度業績報告，營收同比增長百分之十，淨利潤創歷史新高。詳見[這裡](javascript:alert(1))。

分析人士認為，格力電器的業績增長主要得益於空調業務的穩定表現和新業務的拓展，值得關注。<vbscript:msgbox(1)>
"""


def test_a_text_page_with_script_links_imports_them_as_text(site, tmp_path, capsys):
    page = tmp_path / "evil.txt"
    page.write_text(EVIL_TEXT, encoding="utf-8")
    assert main(["import", "--site", str(site), "--json", str(page)]) == 0
    [result] = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert result["removed"]["unsafe-url"] == 2
    out = tmp_path / "out"
    assert main(["build", "--site", str(site), "--out", str(out)]) == 0
    links = output_links(out)
    assert links and all(is_safe_url(v) for v in links)
    page_html = (out / "zh-hant/articles" / Path(result["output"]).stem / "index.html").read_text(encoding="utf-8")
    assert "詳見[這裡](javascript:alert(1))。" in page_html  # the text, not a link


def test_defusing_leaves_safe_markdown_alone():
    body = "好的 [x](https://example.com/) \\\\[不是連結]\n"
    assert markdown.defuse_unsafe_links(body) == (body, ())
