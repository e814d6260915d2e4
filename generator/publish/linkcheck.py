"""Find internal links, anchors and assets of a built site that do not resolve to a file.

`check_site(out_dir, base_path)` reads every page (.html) and feed/sitemap (.xml) under
`out_dir`, which is served at `base_path`, and returns one `BrokenLink` per page and target.
External links are not followed; absolute URLs count as internal only under `base_url`.
"""
from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser

# Attributes holding one URL, per element.
URL_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "a": ("href",), "area": ("href",), "link": ("href",), "img": ("src",), "script": ("src",),
    "iframe": ("src",), "source": ("src",), "video": ("src", "poster"), "audio": ("src",),
    "track": ("src",), "embed": ("src",), "object": ("data",), "form": ("action",),
    "input": ("src",),
}
SRCSET_ELEMENTS = ("img", "source")
# <meta property|name=...> whose content is a URL worth checking when it points into the site.
URL_METAS = frozenset({"og:image", "og:url", "og:image:url", "og:image:secure_url", "twitter:image"})
# Link relations that are hints about other origins, never files of this site.
HINT_RELS = frozenset({"dns-prefetch", "preconnect"})
SELECTOR = ",".join([*URL_ATTRIBUTES, "meta", "[id]", "a[name]"])


@dataclass(frozen=True)
class BrokenLink:
    """A reference in `page` (path below the output folder) that does not resolve."""

    page: str
    # the URL as written in the page
    target: str
    # "no such file", "no such anchor", "outside the site"
    reason: str

    def __str__(self) -> str:
        return f"{self.page}: {self.target} ({self.reason})"


@dataclass(frozen=True)
class PageLinks:
    """What one file offers (ids) and what it refers to (URLs as written)."""

    ids: frozenset[str]
    refs: tuple[str, ...]


def check_site(out_dir: Path, base_path: str = "/", *, base_url: str | None = None) -> list[BrokenLink]:
    """Every internal reference of the site in `out_dir` that does not resolve, sorted."""
    base_path = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    files = {p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file()}
    pages = {rel: read_links(out_dir / rel) for rel in sorted(files) if rel.endswith((".html", ".xml"))}
    broken: set[BrokenLink] = set()
    for page, links in pages.items():
        for ref in links.refs:
            reason = check_ref(ref, page, base_path, base_url, files, pages)
            if reason:
                broken.add(BrokenLink(page, ref, reason))
    return sorted(broken, key=lambda b: (b.page, b.target))


def read_links(path: Path) -> PageLinks:
    """Ids and references of one HTML page or XML feed/sitemap."""
    data = path.read_bytes()
    if path.suffix == ".xml":
        return PageLinks(frozenset(), tuple(xml_refs(data)))
    return html_links(data.decode("utf-8", errors="replace"))


def html_links(html: str) -> PageLinks:
    """Ids and references of an HTML document."""
    ids: set[str] = set()
    refs: list[str] = []
    for node in LexborHTMLParser(html).css(SELECTOR):
        attrs = node.attributes
        if attrs.get("id"):
            ids.add(attrs["id"])
        if node.tag == "a" and attrs.get("name"):
            ids.add(attrs["name"])
        refs.extend(element_refs(node.tag, attrs))
    return PageLinks(frozenset(ids), tuple(refs))


def element_refs(tag: str, attrs: dict[str, str | None]) -> Iterator[str]:
    """URLs one element refers to."""
    if tag == "link" and HINT_RELS & set((attrs.get("rel") or "").lower().split()):
        return
    for name in URL_ATTRIBUTES.get(tag, ()):
        value = (attrs.get(name) or "").strip()
        if value:
            yield value
    if tag in SRCSET_ELEMENTS and attrs.get("srcset"):
        yield from srcset_urls(attrs["srcset"] or "")
    if tag == "meta":
        yield from meta_refs(attrs)


def meta_refs(attrs: dict[str, str | None]) -> Iterator[str]:
    """The URL of an Open Graph image/url meta or of a meta refresh."""
    key = (attrs.get("property") or attrs.get("name") or "").lower()
    content = (attrs.get("content") or "").strip()
    if key in URL_METAS and content:
        yield content
    if (attrs.get("http-equiv") or "").lower() == "refresh" and "url=" in content.lower():
        yield content[content.lower().index("url=") + 4:].strip().strip("'\"")


def srcset_urls(srcset: str) -> Iterator[str]:
    """The URLs of a srcset ("a.png 1x, b.png 2x")."""
    for candidate in srcset.split(","):
        parts = candidate.split()
        if parts:
            yield parts[0]


def xml_refs(data: bytes) -> Iterator[str]:
    """Atom `link/@href`, `icon`, `logo` and sitemap `loc` URLs (any namespace)."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return
    for element in root.iter():
        local = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if element.get("href"):
            yield element.get("href", "").strip()
        if local in ("loc", "icon", "logo") and element.text and element.text.strip():
            yield element.text.strip()


def check_ref(ref: str, page: str, base_path: str, base_url: str | None, files: set[str],
              pages: dict[str, PageLinks]) -> str | None:
    """Why `ref` written in `page` does not resolve, or None when it does (or is external)."""
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc:
        internal = internal_path(ref, base_url)
        if internal is None:
            return None
        parts = urlsplit(internal)
    if not parts.path:
        target = page
    else:
        target = site_path(unquote(parts.path), page, base_path)
        if target is None:
            return "outside the site"
        target = resolve_file(target, files)
        if target is None:
            return "no such file"
    fragment = unquote(parts.fragment)
    if fragment and target.endswith(".html") and target in pages and fragment not in pages[target].ids:
        return "no such anchor"
    return None


def internal_path(url: str, base_url: str | None) -> str | None:
    """The root-relative form of an absolute URL under `base_url`, else None (external)."""
    if not base_url:
        return None
    prefix = base_url if base_url.endswith("/") else base_url + "/"
    if url.startswith(prefix) or url + "/" == prefix:
        return urlsplit(prefix).path + url[len(prefix):]
    return None


def site_path(path: str, page: str, base_path: str) -> str | None:
    """Path below the output folder of a link in `page`; None when it leaves the site."""
    if path.startswith("/"):
        if not (path + "/").startswith(base_path) and path + "/" != base_path:
            return None
        rel = path[len(base_path):] if path.startswith(base_path) else ""
    else:
        rel = posixpath.join(posixpath.dirname(page), path)
    trailing = rel.endswith("/") or rel == ""
    normal = posixpath.normpath(rel) if rel else "."
    if normal.startswith(".."):
        return None
    normal = "" if normal == "." else normal
    return normal + "/" if trailing and normal else normal


def resolve_file(target: str, files: set[str]) -> str | None:
    """The file a site path serves: itself, or its folder's index.html."""
    if target in files:
        return target
    index = posixpath.join(target.rstrip("/"), "index.html") if target.strip("/") else "index.html"
    if index in files:
        return index
    return None


def report(broken: Iterable[BrokenLink]) -> str:
    """One line per broken link."""
    return "\n".join(str(b) for b in broken)
