"""Article images of a saved page: copy them from its X_files/ folder, drop the unreachable."""
from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urljoin

from generator.importer.model import Extracted, Removal

MEDIA_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg")
# a web address, protocol-relative ones (//host/pic.jpg) included: the build keeps them
_ABSOLUTE_WEB = re.compile(r"^(https?:)?//", re.I)
_ANY_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
# a figure's own paragraph in an imported body (html_figures, text_extract write them)
_MARKER = re.compile(r"^[ \t]*\{\{\s*figure\s+(\d+)\s*\}\}[ \t]*$", re.MULTILINE)


def saved_images(saved_file: Path | None, extracted: Extracted, stem: str,
                 address: str | None = None) -> tuple[Extracted, list[tuple[Path, str]]]:
    """Figures pointing into the saved page's X_files/ folder -> local names next to the article.

    `address` is the page's own URL (its canonical link): the extractor resolved relative
    sources against it, so `X_files/a.jpg` may arrive as `http://host/news/X_files/a.jpg`.
    """
    if saved_file is None:
        return extracted, []
    folder = saved_file.with_name(saved_file.stem + "_files")
    if not folder.is_dir():
        return extracted, []
    here = urljoin(address, ".") if address else None
    copies: list[tuple[Path, str]] = []
    figures = []
    for fig in extracted.figures:
        src = fig.src
        if here and src and src.startswith(here):
            src = src[len(here):]  # maybe the folder's file, seen through the page's address
        source = _local_file(saved_file.parent, src, folder)
        if source is None:
            figures.append(fig)
            continue
        if _tiny(source):  # a tracking pixel or an icon the page's markup did not size
            figures.append(replace(fig, src=None))
            continue
        name = f"{stem}-{_safe_name(source.name)}"
        copies.append((source, name))
        figures.append(replace(fig, src=name))
    return replace(extracted, figures=tuple(figures)), copies


def drop_unreachable_images(extracted: Extracted, copied: set[str]) -> Extracted:
    """Relative image references that no copied file answers lose their src, keep their caption.

    A page saved without its images, or fetched without a base URL, names pictures that will
    never exist next to the article; the build would reject them, so say so here instead.
    """
    figures, lost = [], []
    for fig in extracted.figures:
        if fig.src and fig.src not in copied and not _ABSOLUTE_WEB.match(fig.src):
            lost.append((fig.src, bool(fig.caption)))
            fig = replace(fig, src=None)
        figures.append(fig)
    if not lost:
        return extracted
    warnings = extracted.warnings + tuple(
        f"image {src!r} could not be located (no base URL or saved file); "
        + ("kept its caption" if captioned else "dropped it (it has no caption)")
        for src, captioned in lost)
    return replace(extracted, figures=tuple(figures), warnings=warnings)


def drop_pictureless_figures(extracted: Extracted) -> Extracted:
    """Figures left with neither caption nor src are removed, with their `{{figure N}}` lines.

    Such a figure is a picture that will never be shown (its file is unreachable) described
    only by its alt text, which on real pages is mostly a file name or "click to enlarge":
    printed as a caption it would be noise, and the build refuses a figure with nothing to
    show. The alt texts are reported as the `image-without-source` removal.
    """
    keep = [i for i, fig in enumerate(extracted.figures, 1) if fig.caption or fig.src]
    if len(keep) == len(extracted.figures):
        return extracted
    number = {old: new for new, old in enumerate(keep, 1)}

    def renumber(marker: re.Match) -> str:
        new = number.get(int(marker[1]))
        return f"{{{{figure {new}}}}}" if new else ""

    body = re.sub(r"\n{3,}", "\n\n", _MARKER.sub(renumber, extracted.body)).strip("\n")
    gone = tuple(fig.alt or "(image without alt text)" for i, fig in
                 enumerate(extracted.figures, 1) if i not in number)
    return replace(extracted, figures=tuple(extracted.figures[i - 1] for i in keep),
                   body=body,
                   removals=(*extracted.removals, Removal("image-without-source", gone)))


def _local_file(base: Path, src: str | None, folder: Path) -> Path | None:
    """The file a relative src names inside the saved page's folder, if it exists there."""
    if not src or _ANY_SCHEME.match(src) or src.startswith("/"):
        return None
    target = (base / unquote(src.split("?")[0].split("#")[0])).resolve()
    try:
        target.relative_to(folder.resolve())
    except ValueError:
        return None
    if target.is_file() and target.suffix.lower() in MEDIA_SUFFIXES:
        return target
    return None


def _tiny(path: Path) -> bool:
    """True for a picture under MIN_SIDE pixels on a side (False when Pillow cannot tell)."""
    from PIL import Image  # imported only for a saved page with pictures

    from generator.importer.figure_fetch import MIN_SIDE
    try:
        with Image.open(path) as im:
            return min(im.size) < MIN_SIDE
    except Exception:  # noqa: BLE001 - an unreadable file is the build's to report
        return False


def _safe_name(name: str) -> str:
    """An ASCII file name for a copied image."""
    stem, dot, suffix = name.rpartition(".")
    clean = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-") or hashlib.sha256(
        name.encode()).hexdigest()[:8]
    return f"{clean}.{suffix.lower()}" if dot else clean
