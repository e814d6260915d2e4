"""Article images of a saved page: copy them from its X_files/ folder, drop the unreachable."""
from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

from generator.importer.model import Extracted

MEDIA_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg")
_ABSOLUTE_WEB = re.compile(r"^https?://", re.I)
_ANY_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def saved_images(saved_file: Path | None, extracted: Extracted,
                 stem: str) -> tuple[Extracted, list[tuple[Path, str]]]:
    """Figures pointing into the saved page's X_files/ folder -> local names next to the article."""
    if saved_file is None:
        return extracted, []
    folder = saved_file.with_name(saved_file.stem + "_files")
    if not folder.is_dir():
        return extracted, []
    copies: list[tuple[Path, str]] = []
    figures = []
    for fig in extracted.figures:
        source = _local_file(saved_file.parent, fig.src, folder)
        if source is None:
            figures.append(fig)
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
            lost.append(fig.src)
            fig = replace(fig, src=None)
        figures.append(fig)
    if not lost:
        return extracted
    warnings = extracted.warnings + tuple(
        f"image {src!r} could not be located (no base URL or saved file); kept its caption"
        for src in lost)
    return replace(extracted, figures=tuple(figures), warnings=warnings)


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


def _safe_name(name: str) -> str:
    """An ASCII file name for a copied image."""
    stem, dot, suffix = name.rpartition(".")
    clean = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-") or hashlib.sha256(
        name.encode()).hexdigest()[:8]
    return f"{clean}.{suffix.lower()}" if dot else clean
