"""Values passed between the importer's stages (all frozen; stages are pure)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Decoded:
    """Raw bytes turned into text, and how."""

    text: str
    # codec actually used (e.g. "utf-8", "gb18030", "big5hkscs")
    encoding: str
    # charset the page declared (meta/BOM), if any; a hint, not the truth
    declared: str | None = None
    # bytes that could not be decoded without loss (0 = clean)
    lossy_bytes: int = 0


@dataclass(frozen=True)
class Removal:
    """What one cleaning rule removed from one page."""

    # rule name, e.g. "breadcrumb", "view-counter", "pinyin-annotation", "keyword-stuffing"
    rule: str
    # the removed text, one entry per removal (shown with --verbose)
    texts: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.texts)


@dataclass(frozen=True)
class FigureInfo:
    """An article image (or caption-only figure) found in the page."""

    caption: str | None
    src: str | None = None
    alt: str | None = None
    credit: str | None = None
    # where a downloaded image came from (its remote URL), when src names the local copy
    # or the download failed
    source_url: str | None = None


@dataclass(frozen=True)
class Extracted:
    """Everything the importer learned about one page, before it is written."""

    title: str | None
    # ISO 8601 date-time with offset ("2025-11-28T10:00:00+08:00") or date ("2025-11-28"); None if unknown
    date: str | None
    authors: tuple[str, ...] = ()
    # outlet name (e.g. 中央社, 新华网)
    source_name: str | None = None
    source_url: str | None = None
    original_title: str | None = None
    category: str | None = None
    tags: tuple[str, ...] = ()
    # company ids (companies.yml) the title and body name, most mentioned first
    companies: tuple[str, ...] = ()
    summary: str | None = None
    figures: tuple[FigureInfo, ...] = ()
    # Markdown body; figures placed by paragraphs `{{figure N}}` (1-based into `figures`)
    body: str = ""
    # "hant" or "hans"
    script: str | None = None
    removals: tuple[Removal, ...] = ()
    warnings: tuple[str, ...] = ()
    # why the importer is unsure of the page (importer.verdict); () = sure. A page with
    # reasons is written as a draft with `status: review`
    review: tuple[str, ...] = ()
    # e.g. {"encoding": "gb18030", "declared_charset": "gb2312"}
    details: dict = field(default_factory=dict)
