"""The pictures one imported page keeps: its saved X_files/ copies, then its web figures.

- A saved page's figures that name files of its `X_files/` folder are copied beside the
  article (generator.importer.images.saved_images), also when the page's canonical URL
  made their `src` absolute (`http://host/news/X_files/a.jpg`).
- Every figure left with a web address is downloaded (generator.importer.figure_fetch),
  for a page fetched from a URL and for a saved page alike. The Referer, and the origin that
  decides whether private addresses may be asked, is the page's own address: the URL it was
  fetched from, else what the saved page says it is (`<link rel=canonical>`, `og:url`, the
  crawler wrapper, else the browser's `<!-- saved from url=(…)… -->` comment). A relative
  `src` of a saved page that no X_files/ file answers is resolved against that address.
- `--no-images` downloads nothing (figures keep their web address); a dry run downloads
  nothing either and lists the addresses it would ask for (`pending`).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urljoin

from generator.importer.fetch import is_url
from generator.importer.figure_fetch import fetch_figures
from generator.importer.images import saved_images
from generator.importer.inputs import Page
from generator.importer.model import Extracted

# what Internet Explorer, Chrome and Edge write at the top of a page they save
_SAVED_FROM = re.compile(rb"<!--\s*saved from url=\(\d+\)\s*(https?://[^\s>]+?)\s*-->", re.I)
_ANY_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


@dataclass(frozen=True)
class Pictures:
    """The page's figures after this step, and the files to write beside the article."""

    extracted: Extracted
    # (bytes or a saved page's file, file name beside the article)
    copies: list[tuple[Path | bytes, str]]
    # web addresses a dry run would download (nothing was asked of any server)
    pending: tuple[str, ...] = ()


def page_address(page: Page, extracted: Extracted) -> str | None:
    """The page's own web address: fetched from, named in its head, or its saved-from comment."""
    if page.url:
        return page.url
    if extracted.source_url and is_url(extracted.source_url):
        return extracted.source_url
    found = _SAVED_FROM.search(page.raw[:4096])
    return found[1].decode("ascii", "replace") if found else None


def page_pictures(page: Page, extracted: Extracted, stem: str, *, no_images: bool,
                  dry_run: bool, fetcher=None) -> Pictures:  # noqa: ANN001
    """Copies and downloads for one page (see the module docstring)."""
    address = page_address(page, extracted)
    extracted, copies = saved_images(page.path, extracted, stem, address)
    if no_images or address is None:
        return Pictures(extracted, list(copies))
    if page.url is None:
        extracted = _resolved(extracted, address, {name for _, name in copies})
    if dry_run:
        pending = tuple(dict.fromkeys(f.src for f in extracted.figures if f.src and is_url(f.src)))
        return Pictures(extracted, list(copies), pending)
    extra = {"fetcher": fetcher} if fetcher is not None else {}
    fetched = fetch_figures(extracted, address, fetched_from_url=True, **extra)
    return Pictures(fetched.extracted, [*copies, *fetched.files])


def _resolved(extracted: Extracted, address: str, copied: set[str]) -> Extracted:
    """A saved page's relative figure addresses (not its copied files) made absolute."""
    figures = []
    for fig in extracted.figures:
        src = fig.src
        if src and src not in copied and not _ANY_SCHEME.match(src) and not src.startswith("#"):
            fig = replace(fig, src=urljoin(address, src))
        figures.append(fig)
    return replace(extracted, figures=tuple(figures))


# a downloaded image (content hash) and a saved page's copy (`<article stem>-<name>`)
_DOWNLOADED = re.compile(r"[0-9a-f]{16}\.(jpg|png|gif|webp)")


def stale_images(old_meta: dict, new_text: str, folder: Path, stem: str,
                 others: Iterable[str]) -> list[Path]:
    """Image files an earlier import of this article wrote that its new text no longer uses.

    Only files the importer names (a content hash, or the article's own `<stem>-` prefix for
    a saved page's copy), in the article's folder, and only when neither the new text nor
    any other article's text (`others`) names them: a picture two articles share stays.
    """
    figures = old_meta.get("figures")
    names = {fig.get("src") for fig in figures if isinstance(fig, dict)} if isinstance(figures, list) else set()
    mine = [n for n in names if isinstance(n, str) and "/" not in n
            and (_DOWNLOADED.fullmatch(n) or n.startswith(f"{stem}-")) and n not in new_text]
    if not mine:
        return []
    texts = list(others)
    return [folder / n for n in sorted(mine)
            if (folder / n).is_file() and not any(n in text for text in texts)]
