"""Random hostile articles through the parser, a real build and the importer: never a traceback,
never a script link.

Front matter mixes YAML edge cases (aliases, tags, mangled numbers, broken quoting), control
characters raw and escaped, and obfuscated javascript:/vbscript:/data: URLs in every field
that holds one; the body mixes Markdown links, images, autolinks and references to the same
URLs. Outcomes allowed: an Article / a built site, or SiteError / BuildFailed. Seeded
(derandomize) and small, so the run is the same every time and takes a few seconds.
"""
from __future__ import annotations

import json
import tempfile
from html import unescape
from pathlib import Path
from urllib.parse import unquote

from hypothesis import HealthCheck, event, given, settings, strategies as st

from build_helpers import article, make_site
from generator.build import build
from generator.io.cache import DiskCache
from generator.core.errors import BuildFailed, SiteError
from test_articles import parse
from test_url_safety import SAFE, UNSAFE, output_links

SCRIPTED = ["javascript:alert(1)", "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>"]
# ways browsers and decoders let a scheme be written
NOISE = ["\t", "\n", " ", "\x00", "&#x09;", "&#9;", "&Tab;", "&NewLine;", "%09", "&#58;", "\u200b"]


def _obfuscate(url: str, at: int, noise: str, upper: bool, lead: str) -> str:
    """The URL with noise inside its scheme, its case flipped, something in front."""
    at %= url.index(":") + 1
    url = url[:at] + noise + url[at:]
    return lead + (url.upper() if upper else url)


URLS = st.one_of(
    st.sampled_from(SAFE), st.sampled_from(SAFE), st.sampled_from(SAFE),  # most links are fine
    st.sampled_from(UNSAFE),
    st.builds(_obfuscate, st.sampled_from(SCRIPTED), st.integers(0, 20), st.sampled_from(NOISE),
              st.booleans(), st.sampled_from(["", " ", "\x01", "&#32;"])),
    st.text(max_size=12),
)
SCALARS = st.one_of(
    st.sampled_from(["000651", "10:30", "0x1F", "yes", "~", "null", "2025-13-01", "2025-02-30",
                     "&a 值", "*a", "[*a, *a]", "{a: *a}", "!!python/object/apply:os.system [ls]",
                     "'未閉合", '"\\0"', '"\\x01\\e"', '"\\u0000"', "<script>alert(1)</script>",
                     "[1, [2, [3]]]", "-{保留}-", "|\n  多行\n  文字", ">-", "? a", "x: y: z"]),
    st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=12),
    st.text(max_size=12).map(json.dumps),  # YAML double quotes: \u0000-style escapes
)


def _quote(url: str) -> str:
    """A URL as YAML text: JSON-quoted (so every character survives) or as is."""
    return json.dumps(url)


@st.composite
def front_matter(draw) -> str:
    """YAML lines of a hostile front matter."""
    def mostly(good: str, bad: st.SearchStrategy[str]) -> str:
        """The good value four times in five: an article must often get through to the build."""
        return draw(st.one_of(st.just(good), st.just(good), st.just(good), st.just(good), bad))

    lines = [f"title: {mostly('標題', SCALARS)}",
             f"date: {mostly('2025-03-01', st.sampled_from(['2025-03-01T10:00:00', 'x', '', '2025-02-30']))}",
             f"tags: {mostly('[騰訊]', st.one_of(SCALARS, SCALARS.map(lambda s: f'[{s}]')))}"]
    optional = {
        "source": f"{{name: 網, url: {_quote(draw(URLS))}}}",
        "syndicated": f"[{{name: 轉, url: {_quote(draw(URLS))}}}]",
        "figures": f"[{{caption: 圖, src: {_quote(draw(URLS))}}}]",
        "summary": draw(SCALARS), "category": draw(SCALARS), "slug": draw(SCALARS),
        "yaml": draw(st.sampled_from(["&x [1, 2]", "*x", "{<<: *x}", "!!binary aGk=", "!!set {a}"])),
    }
    for key in draw(st.lists(st.sampled_from(sorted(optional)), max_size=3, unique=True)):
        lines.append(f"{key}: {optional[key]}")
    return "\n".join(draw(st.permutations(lines)))


@st.composite
def body(draw) -> str:
    """Markdown mixing text with links, images, autolinks and references to hostile URLs."""
    url = draw(URLS)
    pieces = [draw(st.text(max_size=20)), f"[點]({url})", f"![圖]({url})", f"<{url}>",
              f"[參][r]\n\n[r]: {url}", f"{{{{figure {draw(st.integers(0, 2))}}}}}", f'<a href="{url}">原始</a>',
              f"| a | b |\n|---|---|\n| [x]({url}) | y |", "正文。"]
    chosen = draw(st.lists(st.sampled_from(pieces), min_size=1, max_size=4))
    return "\n".join(chosen)


@st.composite
def plausible_article(draw) -> str:
    """A valid article but for its links: hostile URLs in the link fields and the body."""
    lines = ["title: 標題", "date: 2025-03-01", "tags: [騰訊]"]
    fields = {"source": "{{name: 網, url: {}}}", "syndicated": "[{{name: 轉, url: {}}}]",
              "figures": "[{{caption: 圖, src: {}}}]"}
    for key in draw(st.lists(st.sampled_from(sorted(fields)), max_size=2, unique=True)):
        lines.append(f"{key}: " + fields[key].format(_quote(draw(URLS))))
    url = draw(URLS)
    text = draw(st.sampled_from([f"正文 [點]({url}) 完。", f"![圖]({url})", f"<{url}>", "正文。",
                                 f"[參][r]\n\n[r]: {url}", f'<a href="{url}">原始</a>']))
    return "---\n" + "\n".join(lines) + f"\n---\n\n{text}\n"


def hostile_article() -> st.SearchStrategy[str]:
    """A whole article file (sometimes with a raw control character anywhere)."""
    whole = st.builds(lambda fm, b: f"---\n{fm}\n---\n\n{b}\n", front_matter(), body())
    raw = st.builds(lambda text, at, ch: text[:at % (len(text) + 1)] + ch + text[at % (len(text) + 1):],
                    whole, st.integers(4, 400), st.sampled_from(["\x00", "\x01", "\x1b", "\x7f", "\ufeff"]))
    return st.one_of(whole, whole, whole, whole, raw)


def is_script_link(value: str) -> bool:
    """An href/src a browser would run or open as a document (checked independently of
    generator.core.urls): invisible characters dropped, entities and percent-escapes decoded."""
    for form in (value, unescape(value), unquote(value), unquote(unescape(value))):
        text = "".join(ch for ch in form if ch > " " and ch not in "\x7f\u200b").lower()
        if text.startswith(("javascript:", "vbscript:", "data:text/html")):
            return True
    return False


def assert_safe_article(art) -> None:
    """No script link in the rendered bodies or in the article's link fields."""
    links = [art.source.url if art.source else None, *(s.url for s in art.syndicated),
             *(f.src for f in art.figures)]
    assert not any(is_script_link(u) for u in links if u)
    for version in art.versions.values():
        for marker in ('href="', 'src="'):
            for chunk in version.body_html.split(marker)[1:]:
                assert not is_script_link(chunk.split('"', 1)[0]), version.body_html


FUZZ = settings(derandomize=True, database=None, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@settings(FUZZ, max_examples=150)
@given(st.one_of(plausible_article(), hostile_article()))
def test_the_parser_never_raises_anything_but_site_errors(text):
    try:
        art = parse(text, "content/2025/fuzz.md")
    except (BuildFailed, SiteError) as failure:
        for error in getattr(failure, "errors", [failure]):
            assert error.path == "content/2025/fuzz.md" and len(str(error)) < 600
        event("refused")
        return
    event("parsed")
    assert_safe_article(art)


@settings(FUZZ, max_examples=30)
@given(st.one_of(plausible_article(), plausible_article(), hostile_article()))
def test_a_real_build_never_raises_anything_but_build_errors_nor_links_a_script(text):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        config = make_site(root / "site", {
            "content/2025/fuzz.md": text,
            "content/2025/good.md": article("好文章", "2025-03-02", body="[好](https://example.com/)"),
        }, theme_dir=None)
        out = root / "out"
        try:
            build(config, out_dir=out, cache=DiskCache.memory())
        except (BuildFailed, SiteError):
            assert not out.exists()  # a failed build writes nothing
            event("refused")
            return
        event("built")
        links = output_links(out)
        assert links and not [v for v in links if is_script_link(v)]


@st.composite
def hostile_page(draw) -> str:
    """An HTML page whose canonical, og:url, <base>, links and images carry hostile URLs."""
    def attr() -> str:
        return draw(URLS).replace("&", "&amp;").replace('"', "&quot;")

    head = [f'<link rel="canonical" href="{attr()}">', f'<meta property="og:url" content="{attr()}">',
            f'<meta property="og:image" content="{attr()}">', f'<base href="{attr()}">']
    text = "格力電器今日發布年度業績報告，營收同比增長百分之十，淨利潤創歷史新高。"
    body = [f'<p>{text}<a href="{attr()}">連結</a>{text}</p>',
            f'<p><img src="{attr()}" width="600" height="400" alt="圖"></p>',
            f'<p><img data-src="{attr()}" srcset="{attr()} 2x" width="600" alt="圖"></p>', f"<p>{text}</p>"]
    chosen_head = draw(st.lists(st.sampled_from(head), max_size=4, unique=True))
    chosen_body = draw(st.lists(st.sampled_from(body), min_size=1, max_size=5))
    return (f"<html><head><title>格力電器發布年度業績報告</title>{''.join(chosen_head)}</head><body>"
            f"<article><h1>格力電器發布年度業績報告</h1>{''.join(chosen_body)}</article></body></html>")


@settings(FUZZ, max_examples=60)
@given(hostile_page())
def test_the_importer_never_writes_a_script_link(page):
    from generator.importer.html.extract import extract_html
    from generator.core.markdown import make_renderer

    extracted = extract_html(page)
    urls = [extracted.source_url, *(f.src for f in extracted.figures)]
    assert not any(is_script_link(u) for u in urls if u), urls
    html = make_renderer()(extracted.body)  # raises UnsafeLinks if the body links one
    assert not any(is_script_link(c.split('"', 1)[0]) for c in html.split('href="')[1:])
