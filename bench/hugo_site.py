"""The Hugo side of `bench_build.py --compare-hugo`: the same articles as a Hugo site.

The articles are ../shared/bench/make_corpus.py's (the `plain` flavour newsarchive builds),
rewritten for Hugo: `category: X` becomes `categories: ["X"]` (what the `hugo` flavour
writes), and two taxonomy values are added from the article's own date (`years: ["2019"]`,
`months: ["2019-03"]`) because Hugo has no date archives of its own; the body and every
other field are byte for byte the same. The minimal theme written here lists the same
kinds of pages as newsarchive's default theme, in one script (Hugo has no conversion):

- an article page per article: title, date, category, tags, summary, body, previous/next
  by date; no related articles: Hugo's `.Related` walks every article sharing an index
  value, and with this corpus' Zipf-distributed tags it cost 2.5-6.8 ms per article at
  2,000 articles and made a 10,000-article build take minutes. newsarchive computes five
  related articles per article (its own index, both scripts), so this Hugo site does less
  than newsarchive and the ratio errs in Hugo's favour;
- the home page, paginated by `per_page` (20), newest first;
- a page per tag, category, year and month, each paginated the same way, items showing
  title, date, category, summary and tags; the index of each taxonomy with counts;
- shared header (site title, navigation) and footer on every page; 404.html, sitemap.xml,
  robots.txt and Hugo's default RSS feeds (home and every term, like newsarchive's Atom
  feeds per tag).

Hugo's `posts` section list is disabled (newsarchive has no such page).
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

CONFIG = """baseURL = "https://example.github.io/archive/"
languageCode = "zh-Hant"
title = "基準測試"
paginate = {per_page}
enableRobotsTXT = true
disableKinds = ["section"]
[taxonomies]
  tag = "tags"
  category = "categories"
  year = "years"
  month = "months"
"""

LAYOUTS = {
    "_default/baseof.html": """<!doctype html>
<html lang="zh-Hant">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ block "title" . }}{{ .Title }} | {{ .Site.Title }}{{ end }}</title>
<meta name="description" content="{{ with .Summary }}{{ . | plainify }}{{ else }}{{ .Site.Title }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
<link rel="stylesheet" href="{{ "static/site.css" | relURL }}">
<meta property="og:title" content="{{ .Title }}">
<meta property="og:url" content="{{ .Permalink }}">
</head>
<body>
{{ partial "header.html" . }}
<main id="main">
{{ block "main" . }}{{ end }}
</main>
{{ partial "footer.html" . }}
</body>
</html>
""",
    "partials/header.html": """<header class="site-header">
  <a class="site-title" href="{{ .Site.Home.RelPermalink }}">{{ .Site.Title }}</a>
  <nav><ul>
    <li><a href="{{ .Site.Home.RelPermalink }}">首頁</a></li>
    <li><a href="{{ "tags/" | relURL }}">標籤</a></li>
    <li><a href="{{ "categories/" | relURL }}">分類</a></li>
    <li><a href="{{ "months/" | relURL }}">歸檔</a></li>
  </ul></nav>
</header>
""",
    "partials/footer.html": """<footer class="site-footer">
  <p>{{ .Site.Title }} · <a href="{{ "index.xml" | relURL }}">RSS</a></p>
</footer>
""",
    "partials/item.html": """<li class="article-item">
  <h2 class="item-title"><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
  <p class="item-meta"><time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "2006年1月2日" }}</time>
  {{ range .Params.categories }} <a class="item-category" href="{{ printf "categories/%s/" (urlize .) | relURL }}">{{ . }}</a>{{ end }}</p>
  {{ with .Params.summary }}<p class="item-summary">{{ . }}</p>{{ end }}
  <ul class="tag-list">{{ range .Params.tags }}<li><a href="{{ printf "tags/%s/" (urlize .) | relURL }}" rel="tag">{{ . }}</a></li>{{ end }}</ul>
</li>
""",
    "partials/pager.html": """{{ $p := .Paginator }}{{ if gt $p.TotalPages 1 }}<nav class="pagination"><ul>
{{ if $p.HasPrev }}<li><a href="{{ $p.Prev.URL }}" rel="prev">← 較新</a></li>{{ end }}
<li>第 {{ $p.PageNumber }} / {{ $p.TotalPages }} 頁</li>
{{ if $p.HasNext }}<li><a href="{{ $p.Next.URL }}" rel="next">較舊 →</a></li>{{ end }}
</ul></nav>{{ end }}
""",
    "index.html": """{{ define "title" }}{{ .Site.Title }}{{ end }}
{{ define "main" }}<h1>最新文章</h1>
<ol class="article-list">{{ range (.Paginate .Site.RegularPages.ByDate.Reverse).Pages }}{{ partial "item.html" . }}{{ end }}</ol>
{{ partial "pager.html" . }}{{ end }}
""",
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
<ol class="article-list">{{ range (.Paginate .Pages.ByDate.Reverse).Pages }}{{ partial "item.html" . }}{{ end }}</ol>
{{ partial "pager.html" . }}{{ end }}
""",
    "_default/terms.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
<ul class="terms">{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> <span class="count">{{ .Count }}</span></li>{{ end }}</ul>
{{ end }}
""",
    "_default/single.html": """{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
<p class="meta"><time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "2006年1月2日" }}</time>
{{ range .Params.categories }}<a href="{{ printf "categories/%s/" (urlize .) | relURL }}">{{ . }}</a>{{ end }}</p>
{{ with .Params.summary }}<p class="summary">{{ . }}</p>{{ end }}
<div class="body">{{ .Content }}</div>
<ul class="tag-list">{{ range .Params.tags }}<li><a href="{{ printf "tags/%s/" (urlize .) | relURL }}" rel="tag">{{ . }}</a></li>{{ end }}</ul>
<nav class="neighbours">{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
</article>{{ end }}
""",
    "404.html": """{{ define "main" }}<h1>找不到這一頁</h1>{{ end }}
""",
}

_CATEGORY = re.compile(r'^category: (.*)$', re.M)
_DATE = re.compile(r'^date: (\d{4})-(\d{2})', re.M)


def hugo_front_matter(text: str) -> str:
    """A plain-flavour article as Hugo reads it: categories list, year and month terms."""
    head_end = text.index("\n---", 3)
    head, rest = text[:head_end], text[head_end:]
    year, month = _DATE.search(head).groups()
    head = _CATEGORY.sub(r'categories: [\1]', head)
    head += f'\nyears: ["{year}"]\nmonths: ["{year}-{month}"]'
    return head + rest


def make_hugo_site(articles: Path, folder: Path, per_page: int = 20) -> Path:
    """A Hugo site in `folder` with every article of `articles` (written once; the config and
    theme every time, so an edit of this file counts); returns it."""
    posts = folder / "content" / "posts"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(CONFIG.format(per_page=per_page), encoding="utf-8")
    shutil.rmtree(folder / "layouts", ignore_errors=True)
    for name, text in LAYOUTS.items():
        path = folder / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (folder / "static" / "static").mkdir(parents=True, exist_ok=True)
    (folder / "static" / "static" / "site.css").write_text("body{font-family:sans-serif}\n")
    if posts.is_dir() and any(posts.iterdir()):
        return folder
    posts.mkdir(parents=True)
    for source in sorted(articles.glob("*.md")):
        (posts / source.name).write_text(hugo_front_matter(source.read_text(encoding="utf-8")),
                                         encoding="utf-8")
    return folder


def hugo_command(site: Path, out: Path) -> list[str]:
    """A cold Hugo build of `site` into `out` (no cache of rendered output exists in Hugo)."""
    return ["hugo", "--source", str(site), "--destination", str(out), "--quiet",
            "--cleanDestinationDir", "--cacheDir", str(site / ".hugo-cache")]


def pagefind_command(python: str, out: Path) -> list[str]:
    """Pagefind (the Python package newsarchive uses) over Hugo's output."""
    return [python, "-m", "pagefind", "--site", str(out), "--silent"]
