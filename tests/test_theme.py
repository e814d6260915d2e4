"""The default theme renders every page kind from the documented contexts (docs/design.md)."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml

from generator.io.templates import make_env

THEME = Path(__file__).resolve().parent.parent / "themes" / "default"
TEMPLATES = THEME / "templates"
STATIC = THEME / "static"
SCRIPTS = ("hant", "hans")
LANGS = {"hant": "zh-Hant", "hans": "zh-Hans"}
LABELS = {"hant": "繁體中文", "hans": "简体中文"}
BASE_URL = "https://example.github.io/archive/"
BASE_PATH = "/archive/"


def load_ui() -> dict[str, dict[str, str]]:
    """The theme's UI strings per script."""
    return yaml.safe_load((THEME / "ui.yml").read_text(encoding="utf-8"))


def environment() -> jinja2.Environment:
    """The build's environment over the default theme: undefined names fail, HTML is escaped,
    fragment() renders a list item."""
    return make_env([TEMPLATES.parent])


def common(script: str, path: str, base_path: str = BASE_PATH) -> dict[str, Any]:
    """The context every page receives, for `path` below the script prefix."""
    base_url = "https://example.github.io" + base_path
    other = "hans" if script == "hant" else "hant"
    return {
        "site": {"title": "企業新聞檔案" if script == "hant" else "企业新闻档案",
                 "description": "公司新聞彙整", "base_url": base_url, "base_path": base_path,
                 "publisher": "新聞檔案編輯部"},
        "script": script, "lang": LANGS[script], "ui": load_ui()[script],
        "page_title": "頁面", "description": "公司新聞彙整",
        "url": f"{base_path}zh-{script}/{path}", "canonical": f"{base_url}zh-{script}/{path}",
        "alternates": [{"lang": LANGS[s], "hreflang": LANGS[s], "href": f"{base_url}zh-{s}/{path}"}
                       for s in SCRIPTS],
        "other": {"script": other, "lang": LANGS[other], "label": LABELS[other],
                  "url": f"{base_path}zh-{other}/{path}"},
        "nav": [{"title": t, "url": f"{base_path}zh-{script}/{p}", "current": p == path}
                for t, p in (("首頁", ""), ("標籤", "tags/"), ("歸檔", "archive/"))],
        "asset": lambda name: f"{base_path}static/{name}",
        "feed_url": f"{base_path}zh-{script}/feed.xml", "root_url": base_path,
        "search_enabled": False, "noindex": False,
        "og": {"type": "website", "title": "頁面", "description": "公司新聞彙整",
               "url": f"{base_url}zh-{script}/{path}", "image": None, "card": "summary"},
    }


BODY = ('<p>商湯醫療在上海舉行啟航盛典。</p>\n'
        '<figure><img src="/archive/static/x.png" alt="會場"><figcaption>圖一：政產學研專家齊聚</figcaption></figure>\n'
        '<h2 id="s1">戰略共識</h2>\n<p>醫療人工智能。</p>\n'
        '<figure><figcaption>圖二：沒有圖片的說明</figcaption></figure>')


def article_context(script: str, *, full: bool = True, base_path: str = BASE_PATH) -> dict[str, Any]:
    """An article page; `full=False` leaves every optional part empty."""
    ctx = common(script, "articles/sensetime-medical/", base_path)
    p = base_path + f"zh-{script}/"
    article = {
        "title": "竹蜻蜓啟航：商湯醫療以世界模型擘畫智慧醫療新未來",
        "url": p + "articles/sensetime-medical/", "date": "2025-11-28",
        "date_iso": "2025-11-28T00:00:00+08:00", "date_text": "2025年11月28日",
        "updated_iso": "2025-11-29T10:00:00+08:00" if full else None,
        "updated_text": "2025年11月29日" if full else None,
        "authors": ["王小明", "李華"] if full else [],
        "tags": [{"name": "商湯", "url": p + "tags/%E5%95%86%E6%B9%AF/"},
                 {"name": "醫療AI", "url": p + "tags/%E9%86%AB%E7%99%82AI/"}] if full else [],
        "category": {"name": "焦點", "url": p + "categories/%E7%84%A6%E9%BB%9E/"} if full else None,
        "summary": "商湯醫療完成新一輪融資後首次公開亮相。" if full else "", "lead_summary": False,
        "body_html": BODY,
        "source": {"name": "科技日報", "url": "https://news.example.com/a/1.html",
                   "published": "2025年11月28日"} if full else None,
        "syndicated": [{"name": "財經網", "url": "https://finance.example.com/2",
                        "date_text": "2025年11月29日"}] if full else [],
        "extra": {}, "modified_iso": "2025-11-29T10:00:00+08:00" if full else "2025-11-28T00:00:00+08:00",
    }
    ctx.update({
        "page_title": article["title"], "article": article,
        "related": [{"title": "商湯發布醫療大模型", "url": p + "articles/sensetime-model/",
                     "date_text": "2025年10月2日"}] if full else [],
        "prev": {"title": "較早的一篇", "url": p + "articles/older/"} if full else None,
        "next": {"title": "較新的一篇", "url": p + "articles/newer/"} if full else None,
        "jsonld": json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                              "headline": article["title"] + "</script>"},
                             ensure_ascii=False).replace("</", "<\\/"),
        "og": {"type": "article", "title": article["title"], "description": article["summary"],
               "url": ctx["canonical"], "image": None, "card": "summary"},
    })
    return ctx


def list_context(script: str, *, page: int = 1, pages: int = 3, items: int = 2) -> dict[str, Any]:
    """A home page, page `page` of `pages`."""
    p = BASE_PATH + f"zh-{script}/"
    ctx = common(script, "" if page == 1 else f"page/{page}/")
    ctx.update({
        "kind": "home", "heading": "最新文章",
        "items": [{"title": f"第{i}篇", "url": p + f"articles/a{i}/", "date_text": "2025年11月28日",
                   "date_iso": "2025-11-28", "summary": "摘要", "tags": [{"name": "商湯", "url": p + "tags/x/"}],
                   "category": {"name": "焦點", "url": p + "categories/y/"}} for i in range(items)],
        "pagination": {"page": page, "pages": pages,
                       "prev_url": (p if page == 2 else p + f"page/{page - 1}/") if page > 1 else None,
                       "next_url": p + f"page/{page + 1}/" if page < pages else None,
                       "first_url": p},
    })
    return ctx


def page_contexts(script: str) -> dict[str, dict[str, Any]]:
    """One context per template."""
    p = BASE_PATH + f"zh-{script}/"
    terms = [{"name": "商湯", "url": p + "tags/a/", "count": 3}, {"name": "騰訊", "url": p + "tags/b/", "count": 1}]
    return {
        "article.html": article_context(script),
        "list.html": list_context(script),
        "tags.html": {**common(script, "tags/"), "terms": terms},
        "categories.html": {**common(script, "categories/"), "terms": terms},
        "archive.html": {**common(script, "archive/"), "years": [
            {"year": 2025, "url": p + "archive/2025/", "count": 4,
             "months": [{"month": 11, "label": "11月", "url": p + "archive/2025/11/", "count": 4}]}]},
        "404.html": common(script, "404.html"),
        "root.html": {**common(script, ""), "scripts": [
            {"script": s, "lang": LANGS[s], "label": LABELS[s], "url": f"{BASE_PATH}zh-{s}/"} for s in SCRIPTS]},
    }


def render(name: str, ctx: dict[str, Any]) -> str:
    """Render one template of the theme."""
    return environment().get_template(name).render(ctx)


class Elements(HTMLParser):
    """Collects (tag, attrs) of every start tag, and the text of <script type=ld+json>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.jsonld: list[str] = []
        self._in_jsonld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_jsonld = tag == "script" and dict(attrs).get("type") == "application/ld+json"

    def handle_endtag(self, tag: str) -> None:
        self._in_jsonld = False

    def handle_data(self, data: str) -> None:
        if self._in_jsonld:
            self.jsonld.append(data)

    def find(self, tag: str, **want: str) -> list[dict[str, str | None]]:
        """Attributes of every `tag` whose attributes include `want` (underscores read as dashes)."""
        want = {k.replace("_", "-"): v for k, v in want.items()}
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in want.items())]


def parse(html: str) -> Elements:
    """Parse rendered HTML."""
    doc = Elements()
    doc.feed(html)
    return doc


# --- UI strings ---------------------------------------------------------------------------

def test_ui_strings_exist_in_both_scripts_with_the_same_keys() -> None:
    ui = load_ui()
    assert set(ui) == set(SCRIPTS)
    assert set(ui["hant"]) == set(ui["hans"])
    assert all(isinstance(v, str) and v for s in SCRIPTS for v in ui[s].values())


def test_every_ui_key_a_template_uses_is_defined() -> None:
    texts = [f.read_text(encoding="utf-8") for f in TEMPLATES.glob("*.html")]
    used = {m for t in texts for m in re.findall(r"\bui\.(?!get\b)(\w+)", t)}
    used |= {m for t in texts for m in re.findall(r"\bui\.get\(\s*['\"](\w+)", t)}
    assert used, "templates use no ui strings?"
    assert used <= set(load_ui()["hant"]), used - set(load_ui()["hant"])


def test_ui_strings_are_written_in_their_script() -> None:
    ui = load_ui()
    assert ui["hant"]["home"] == "首頁" and ui["hans"]["home"] == "首页"
    differing = [k for k in ui["hant"] if ui["hant"][k] != ui["hans"][k]]
    assert len(differing) > len(ui["hant"]) // 2


# --- every page kind ----------------------------------------------------------------------

@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("name", ["article.html", "list.html", "tags.html", "categories.html",
                                  "archive.html", "404.html", "root.html"])
def test_page_declares_language_alternates_and_toggle(name: str, script: str) -> None:
    ctx = page_contexts(script)[name]
    doc = parse(render(name, ctx))
    assert doc.find("html")[0]["lang"] == LANGS[script]
    assert doc.find("link", rel="canonical")[0]["href"] == ctx["canonical"]
    hreflangs = {a["hreflang"]: a["href"] for a in doc.find("link", rel="alternate") if a.get("hreflang")}
    assert hreflangs == {a["hreflang"]: a["href"] for a in ctx["alternates"]}
    assert doc.find("link", rel="alternate", type="application/atom+xml")
    assert doc.find("script", src=f"{BASE_PATH}static/site.js")[0].keys() >= {"defer"}
    if name == "root.html":
        links = {a["data-script"]: a["href"] for a in doc.find("a") if a.get("data-script")}
        assert links == {s: f"{BASE_PATH}zh-{s}/" for s in SCRIPTS}
    else:
        toggle = doc.find("a", **{"class": "script-toggle"})[0]
        assert toggle["href"] == ctx["other"]["url"] and toggle["data-script"] == ctx["other"]["script"]


@pytest.mark.parametrize("name", ["article.html", "list.html", "tags.html", "archive.html", "404.html"])
def test_page_has_landmarks_and_a_skip_link(name: str) -> None:
    doc = parse(render(name, page_contexts("hant")[name]))
    for landmark in ("header", "nav", "main", "footer"):
        assert doc.find(landmark), landmark
    assert doc.find("a", href="#main") and doc.find("main", id="main")
    assert doc.find("meta", name="viewport")


@pytest.mark.parametrize("name", ["article.html", "list.html", "tags.html", "archive.html", "404.html", "root.html"])
def test_no_request_leaves_the_site(name: str) -> None:
    doc = parse(render(name, page_contexts("hans")[name]))
    loaded = [a.get("src") for t, a in doc.tags if t in ("script", "img", "iframe") and a.get("src")]
    loaded += [a["href"] for a in doc.find("link") if a.get("rel") in ("stylesheet", "icon", "preload")]
    assert loaded and all(u.startswith(BASE_PATH) for u in loaded), loaded


@pytest.mark.parametrize("name", ["article.html", "list.html", "tags.html", "archive.html", "404.html", "root.html"])
def test_internal_links_start_at_the_base_path(name: str) -> None:
    doc = parse(render(name, page_contexts("hant")[name]))
    hrefs = [a["href"] for t, a in doc.tags if t == "a" and a.get("href")]
    internal = [h for h in hrefs if not h.startswith(("https://", "#"))]
    assert internal and all(h.startswith(BASE_PATH) for h in internal), internal


# --- article ------------------------------------------------------------------------------

def test_article_shows_metadata_body_and_neighbours() -> None:
    ctx = article_context("hant")
    html = render("article.html", ctx)
    doc = parse(html)
    assert "<h1 id=\"article-title\">竹蜻蜓啟航" in html
    assert '<time datetime="2025-11-28T00:00:00+08:00">2025年11月28日</time>' in html
    assert "王小明、李華" in html
    assert doc.find("a", href="https://news.example.com/a/1.html")
    assert ">原文</a>" in html
    assert html.count("<figure>") == 2 and "圖一：政產學研專家齊聚" in html
    assert [a["href"] for a in doc.find("a", rel="tag")] == [t["url"] for t in ctx["article"]["tags"]]
    assert doc.find("a", href=ctx["article"]["category"]["url"])
    assert "同時刊於" in html and doc.find("a", href="https://finance.example.com/2")
    assert doc.find("a", href=ctx["related"][0]["url"])
    assert doc.find("a", rel="prev", href=ctx["prev"]["url"]) and doc.find("a", rel="next", href=ctx["next"]["url"])


def test_article_open_graph_and_json_ld() -> None:
    ctx = article_context("hans")
    doc = parse(render("article.html", ctx))
    props = {a["property"]: a["content"] for a in doc.find("meta") if a.get("property")}
    assert props["og:type"] == "article" and props["og:url"] == ctx["canonical"]
    assert props["og:title"] == ctx["article"]["title"] and props["og:locale"] == "zh_CN"
    assert "og:image" not in props
    data = json.loads("".join(doc.jsonld))
    assert data["@type"] == "NewsArticle" and data["headline"].endswith("</script>")


def test_article_without_optional_parts_renders_without_them() -> None:
    html = render("article.html", article_context("hant", full=False))
    for absent in ("同時刊於", "相關文章", "上一篇", "下一篇", ">原文<", 'rel="tag"', "更新日期", "<dt>作者"):
        assert absent not in html, absent


def test_article_escapes_text_but_not_the_body() -> None:
    ctx = article_context("hant")
    ctx["article"]["title"] = "A<b>&B"
    html = render("article.html", ctx)
    assert "A&lt;b&gt;&amp;B" in html and "<b>&B" not in html
    assert "<figcaption>圖一" in html


# --- lists --------------------------------------------------------------------------------

def test_list_pagination_links_both_ways_in_the_middle() -> None:
    ctx = list_context("hant", page=2, pages=3)
    doc = parse(render("list.html", ctx))
    assert doc.find("a", rel="prev", href=ctx["pagination"]["prev_url"])
    assert doc.find("a", rel="next", href=ctx["pagination"]["next_url"])
    assert doc.find("link", rel="next", href=ctx["pagination"]["next_url"])
    assert "第 2 頁，共 3 頁" in render("list.html", ctx)


def test_single_page_list_has_no_pager_and_empty_list_says_so() -> None:
    html = render("list.html", list_context("hans", page=1, pages=1, items=0))
    assert 'class="pagination"' not in html and "目前没有文章。" in html


def test_term_index_shows_counts_and_archive_shows_months() -> None:
    ctxs = page_contexts("hant")
    tags = render("tags.html", ctxs["tags.html"])
    assert "所有標籤" in tags and '<span class="count" aria-hidden="true">3</span><span class="visually-hidden">（3 篇）</span>' in tags
    archive = parse(render("archive.html", ctxs["archive.html"]))
    assert archive.find("a", href=f"{BASE_PATH}zh-hant/archive/2025/11/")


def test_not_found_page_links_are_absolute() -> None:
    doc = parse(render("404.html", page_contexts("hant")["404.html"]))
    hrefs = [a["href"] for t, a in doc.tags if t in ("a", "link", "script") and (a.get("href") or a.get("src"))
             for a in [{"href": a.get("href") or a.get("src")}]]
    assert hrefs and all(h.startswith(("/", "https://", "#")) for h in hrefs), hrefs


def test_search_partial_is_included_only_when_enabled(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "_search.html").write_text('<form class="search" role="search"></form>',
                                                        encoding="utf-8")
    env = make_env([tmp_path, THEME])  # the site's theme folder wins over the default
    ctx = page_contexts("hant")["list.html"]
    assert 'role="search"' not in env.get_template("list.html").render(ctx)
    assert 'role="search"' in env.get_template("list.html").render({**ctx, "search_enabled": True})


# --- static files -------------------------------------------------------------------------

def test_stylesheets_use_system_fonts_per_script_and_load_nothing() -> None:
    css = (STATIC / "site.css").read_text(encoding="utf-8")
    for needle in ('[lang="zh-Hant"]', '[lang="zh-Hans"]', '"PingFang TC"', '"Noto Sans TC"',
                   '"Microsoft JhengHei"', '"PingFang SC"', '"Noto Sans SC"', '"Microsoft YaHei"',
                   "prefers-color-scheme: dark", ":focus-visible", ".skip-link"):
        assert needle in css, needle
    for sheet in ("site.css", "print.css"):
        text = (STATIC / sheet).read_text(encoding="utf-8")
        assert "@import" not in text and "url(" not in text, sheet
        faces = re.findall(r"@font-face\s*{([^}]*)}", text)
        # Faces may only lend installed fonts: every source is local().
        assert all(re.fullmatch(r'(\s*local\("[^"]+"\)\s*,?)+', re.search(r"src:([^;]*);", f).group(1))
                   for f in faces), faces


def test_script_has_no_dependencies_or_remote_requests() -> None:
    js = (STATIC / "site.js").read_text(encoding="utf-8") + (TEMPLATES / "_root_choice.js").read_text(encoding="utf-8")
    assert "localStorage" in js and "location.replace" in js and "navigator.languages" in js
    assert not re.search(r"https?://|import\s|require\(|fetch\(", js)


# --- contrast -----------------------------------------------------------------------------

def palette(css: str, dark: bool) -> dict[str, str]:
    """The colour variables of the light :root, or of the dark one merged over it."""
    light_block = css[css.index(":root {"):css.index("}", css.index(":root {"))]
    colours = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", light_block))
    if dark:
        start = css.index("@media (prefers-color-scheme: dark)")
        colours.update(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css[start:css.index("}", start)]))
    return colours


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("dark", [False, True])
def test_text_colours_meet_wcag_aa_on_every_background(dark: bool) -> None:
    colours = palette((STATIC / "site.css").read_text(encoding="utf-8"), dark)
    for fg in ("text", "muted", "link", "link-visited", "accent"):
        for bg in ("bg", "bg-soft", "tag-bg"):
            assert contrast(colours[fg], colours[bg]) >= 4.5, (fg, bg, dark)
    assert contrast(colours["focus"], colours["bg"]) >= 3, "focus ring (non-text, 3:1)"


def test_contrast_is_computed_as_wcag_defines_it() -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48


def test_tag_page_links_its_own_feed() -> None:
    ctx = {**list_context("hant", page=2), "kind": "tag", "heading": "商湯"}
    ctx["pagination"] = {**ctx["pagination"], "first_url": f"{BASE_PATH}zh-hant/tags/%E5%95%86%E6%B9%AF/"}
    doc = parse(render("list.html", ctx))
    feed = f"{BASE_PATH}zh-hant/tags/%E5%95%86%E6%B9%AF/feed.xml"
    assert doc.find("link", rel="alternate", type="application/atom+xml", href=feed)
    assert doc.find("a", href=feed)
    home = parse(render("list.html", list_context("hant")))
    assert len(home.find("link", rel="alternate", type="application/atom+xml")) == 1


def test_source_with_only_a_date_says_when_the_original_appeared() -> None:
    ctx = article_context("hans")
    ctx["article"]["source"] = {"name": None, "url": None, "published": "2025年11月28日"}
    html = render("article.html", ctx)
    assert "原文刊于 2025年11月28日" in html and "（2025年11月28日）" not in html


def test_list_headings_name_the_kind_of_list() -> None:
    ctx = {**list_context("hant"), "heading": "企業新聞檔案"}
    assert '<h1 class="list-heading">最新文章</h1>' in render("list.html", ctx)
    tag = render("list.html", {**ctx, "kind": "tag", "heading": "商湯"})
    assert '<p class="kicker">標籤</p>' in tag and '<h1 class="list-heading">商湯</h1>' in tag
