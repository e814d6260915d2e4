"""Responsive image markup, decided from image sizes given as values (pure).

The build (generator.stages.images, with generator.io.images doing the Pillow work) knows,
for each image file next to an article, its size after EXIF orientation and the resized
copies it made: an `ImageSet`. Here an article body's `<img>` of such a file becomes a
`<picture>`: a WebP `<source>` and an `<img>` in the original format, both with `srcset`
and `sizes`, `width`/`height` (so the page does not shift when it loads), `decoding="async"`
and `loading="lazy"` for every image after the first (the first is usually in view).

An image the build did not find (`ImageSet.missing`: the file named is not beside the
article; a warning at its line, an error under --strict) is never published as a broken
`<img>`: its figure keeps only its caption (a figure without one is left out) and a bare
Markdown image becomes its alt text.
"""
from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from generator.core.model import Article

# the article column is at most 40rem (themes/default/static/site.css --measure)
SIZES = "(max-width: 40rem) 100vw, 40rem"
_IMG = re.compile(r"<img\s[^>]*>")
# a figure's picture as generator.core.markdown.figure_html writes it, and what follows it
_FIGURE_IMG = re.compile(r'<figure class="figure">(<img\s[^>]*>)(</figure>\n?)?')
_ATTR = re.compile(r'([a-z-]+)="([^"]*)"')
_KEEP = ("alt", "title")


@dataclass(frozen=True)
class ImageSet:
    """One image file as the build publishes it."""

    # site-root URL of the file itself ('/media/2025/photo.jpg')
    original: str
    # size after EXIF orientation
    width: int
    height: int
    # (width, site-root URL '/media/…') smallest first: WebP copies, original-format copies;
    # both empty when the file is published as it is (animated GIF, SVG, unreadable)
    webp: tuple[tuple[int, str], ...] = ()
    fallback: tuple[tuple[int, str], ...] = ()
    # changes when any of the above does (page keys include it)
    key: str = ""
    # the file is not there: pages show no <img> for it
    missing: bool = False


def missing_image(url: str) -> ImageSet:
    """The stand-in of a local image the build did not find."""
    return ImageSet(url, 0, 0, key="missing", missing=True)


def shared_image(src: str | None, images: Mapping[str, ImageSet]) -> str | None:
    """The copy of an image that link previews and structured data name: the largest copy in
    the original format (EXIF orientation applied, metadata stripped, as the page shows it),
    else the file itself."""
    found = images.get(src) if src else None
    if found is not None and found.missing:
        return None
    return found.fallback[-1][1] if found is not None and found.fallback else src


def media_urls(article: Article) -> Iterator[str]:
    """Site-root URLs of the local images an article shows (figures, then Markdown images)."""
    for fig in article.figures:
        if fig.src and fig.src.startswith("/media/"):
            yield fig.src
    for _, kind, _, rendered in article.links:
        if kind == "img" and rendered.startswith("/media/"):
            yield rendered


def images_key(article: Article, images: Mapping[str, ImageSet]) -> str:
    """A digest of the ImageSets an article shows ("" when it shows none)."""
    keys = [f"{u}={images[u].key}" for u in media_urls(article) if u in images]
    if not keys:
        return ""
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16]


def responsive_html(body_html: str, images: Mapping[str, ImageSet], base_path: str) -> str:
    """Every `<img>` of a known local image as a `<picture>`; the first image loads eagerly;
    missing images are left out (see the module docstring)."""
    if "<img" not in body_html:
        return body_html
    if any(image.missing for image in images.values()):
        body_html = _without_missing(body_html, images, base_path)
    seen = [0]

    def swap(match: re.Match[str]) -> str:
        first = seen[0] == 0
        seen[0] += 1
        attrs = dict(_ATTR.findall(match[0]))
        found = _known(attrs, images, base_path)
        if found is None:
            return match[0]
        return picture_html(found, {k: attrs[k] for k in _KEEP if k in attrs}, base_path,
                            lazy=not first)

    return _IMG.sub(swap, body_html)


def _known(attrs: Mapping[str, str], images: Mapping[str, ImageSet], base_path: str) -> ImageSet | None:
    """The ImageSet an `<img>`'s src names (a site-root URL under base_path), if any."""
    src = html.unescape(attrs.get("src", ""))
    site_src = "/" + src[len(base_path):] if src.startswith(base_path) else None
    return images.get(site_src) if site_src else None


def _without_missing(body_html: str, images: Mapping[str, ImageSet], base_path: str) -> str:
    """Figures of missing images as their caption alone (or nothing); other such `<img>`s as
    their alt text."""
    def figure(match: re.Match[str]) -> str:
        found = _known(dict(_ATTR.findall(match[1])), images, base_path)
        if found is None or not found.missing:
            return match[0]
        return "" if match[2] else '<figure class="figure figure-caption-only">'

    def bare(match: re.Match[str]) -> str:
        attrs = dict(_ATTR.findall(match[0]))
        found = _known(attrs, images, base_path)
        return attrs.get("alt", "") if found is not None and found.missing else match[0]

    return _IMG.sub(bare, _FIGURE_IMG.sub(figure, body_html))


def picture_html(image: ImageSet, attrs: Mapping[str, str], base_path: str, *, lazy: bool) -> str:
    """`<picture>` (or a bare `<img>` when there are no copies) with size and loading hints."""
    extra = "".join(f' {k}="{v}"' for k, v in attrs.items())  # already escaped in the body
    hints = ' decoding="async"' + (' loading="lazy"' if lazy else "")
    if not image.fallback:
        return f'<img{_src_attr(None, image, base_path)}{extra} width="{image.width}" ' \
               f'height="{image.height}"{hints}>'
    width, _ = image.fallback[-1]
    height = max(1, round(image.height * width / image.width))
    parts = ["<picture>"]
    if image.webp:
        parts.append(f'<source type="image/webp" srcset="{_srcset(image.webp, base_path)}" '
                     f'sizes="{SIZES}">')
    parts.append(f'<img{_src_attr(image.fallback, image, base_path)} '
                 f'srcset="{_srcset(image.fallback, base_path)}" sizes="{SIZES}"{extra} '
                 f'width="{width}" height="{height}"{hints}>')
    parts.append("</picture>")
    return "".join(parts)


def _src_attr(fallback: tuple[tuple[int, str], ...] | None, image: ImageSet, base_path: str) -> str:
    """` src="…"`: the copy nearest 960 pixels wide, or the original file."""
    if not fallback:
        return f' src="{html.escape(_link(image.original, base_path), quote=True)}"'
    url = min(fallback, key=lambda pair: abs(pair[0] - 960))[1]
    return f' src="{html.escape(_link(url, base_path), quote=True)}"'


def _srcset(copies: Iterable[tuple[int, str]], base_path: str) -> str:
    return ", ".join(f"{html.escape(_link(url, base_path), quote=True)} {w}w" for w, url in copies)


def _link(url: str, base_path: str) -> str:
    return base_path + url[1:] if url.startswith("/") else url
