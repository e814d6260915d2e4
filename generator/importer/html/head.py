"""What the <head> says about a page: <title>, <meta>, JSON-LD, canonical link, crawler wrapper."""
from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from generator.importer import metadata as meta
from generator.importer.html.tree import Rules
from generator.core.urls import is_safe_url

# <meta> values that are URLs the importer may write into an article
_URL_METAS = ("og:url", "og:image", "twitter:url", "twitter:image")


@dataclass(frozen=True)
class Head:
    """What the <head> (and a crawler wrapper) says about the page."""

    title: str
    metas: dict
    json_ld: list
    canonical: str | None
    wrapper_url: str | None
    wrapper_title: str | None
    # a publication time set by the page's own script (rules/html.yml script_dates)
    script_date: str | None = None
    # page URLs with a scheme that must not reach an article (javascript:, data:, ...), dropped
    unsafe_urls: tuple[str, ...] = ()
    # every article:tag value (a page lists one meta per tag)
    article_tags: tuple[str, ...] = ()


def read_head(tree: LexborHTMLParser, rules: Rules | None = None) -> Head:
    """Collect <title>, <meta>, JSON-LD, canonical link and the crawler <text> wrapper."""
    title_node = tree.css_first("title")
    metas: dict[str, str] = {}
    article_tags: list[str] = []
    for node in tree.css("meta"):
        attrs = node.attributes
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").strip().lower()
        value = (attrs.get("content") or "").strip()
        if key and value and key not in metas:
            metas[key] = value
        if key == "article:tag" and value:
            article_tags.append(value)
    json_ld = meta.json_ld_items([n.text(deep=True) for n in tree.css('script[type="application/ld+json"]')])
    canonical = None
    node = tree.css_first('link[rel="canonical"]')
    if node is not None:
        canonical = node.attributes.get("href")
    wrapper = tree.css_first("text[id]")
    wrapper_url = wrapper.attributes.get("id") if wrapper is not None else None
    wrapper_title = wrapper.attributes.get("title") if wrapper is not None else None
    if wrapper_title and "document.title" in wrapper_title:
        wrapper_title = None  # the crawler captured a script fragment, not a title
    script_date = None
    if rules is not None:
        scripts = " ".join(n.text(deep=True) for n in tree.css("script:not([src])"))
        script_date = meta.epoch_date(scripts, rules.script_dates)
    unsafe = [u for u in (canonical, wrapper_url, *(metas.get(k) for k in _URL_METAS))
              if u and not is_safe_url(u)]
    canonical, wrapper_url = _safe(canonical), _safe(wrapper_url)
    metas = {k: v for k, v in metas.items() if k not in _URL_METAS or is_safe_url(v)}
    return Head(meta.squash(title_node.text()) if title_node is not None else "", metas, json_ld,
                canonical, wrapper_url, wrapper_title, script_date, tuple(unsafe), tuple(article_tags))


def _safe(url: str | None) -> str | None:
    """The URL, or None when its scheme must not reach an article."""
    return url if url and is_safe_url(url) else None
