"""The archive keeps its pictures: each figure's image downloaded at import, checked, stored.

For a page imported from a URL (or a saved page whose figures name web addresses), every
figure with an http(s) `src` is fetched (generator.importer.fetch_image: Referer, public
addresses only, one deadline and one byte budget for the page, MAX_IMAGE_BYTES each). The
bytes must be a JPEG, PNG, GIF or WebP by their first bytes and Pillow must open, verify
and decode them within MAX_PIXELS (SVG is refused: it can carry script). A picture under
MIN_SIDE pixels on a side is a tracking pixel or an icon, not a figure: it is dropped.

A kept image is stored once, by content hash, beside the article (`content/2025/
<sha256[:16]>.jpg`); the figure's `src` names that file and `source_url` keeps where it came
from. A failure of any kind never fails the text import: the figure keeps its caption, loses
its `src`, keeps the address in `source_url`, and the page gets a warning saying why.
The alt text is the page's own, else the caption.
"""
from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass, replace

from generator.importer.fetch import Deadline, is_url
from generator.importer.fetch_image import ImageRefused, fetch_image, host_is_private
from generator.importer.model import Extracted, FigureInfo

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_PAGE_BYTES = 40 * 1024 * 1024
TOTAL_SECONDS = 60.0
MAX_PIXELS = 60_000_000
MIN_SIDE = 40
_MAGIC = ((b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"GIF87a", "gif"),
          (b"GIF89a", "gif"))


@dataclass(frozen=True)
class Fetched:
    """The figures after fetching and the files to write beside the article."""

    extracted: Extracted
    # (bytes, file name) of each image, once per content
    files: tuple[tuple[bytes, str], ...] = ()


def image_kind(data: bytes) -> str:
    """'jpg', 'png', 'gif' or 'webp' by the first bytes, with Pillow's verdict; ImageRefused else."""
    kind = next((ext for magic, ext in _MAGIC if data.startswith(magic)), None)
    if kind is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind = "webp"
    if kind is None:
        head = data[:256].lstrip().lower()
        what = "an SVG drawing" if b"<svg" in head or head.startswith(b"<?xml") else "not an image"
        raise ImageRefused(f"{what} (the first bytes are no JPEG, PNG, GIF or WebP)")
    from PIL import Image  # imported only when there is an image to check

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                probe.verify()
            with Image.open(io.BytesIO(data)) as im:
                if im.width * im.height > MAX_PIXELS:
                    raise ImageRefused(f"{im.width}x{im.height} pixels is over the limit of {MAX_PIXELS:,}")
                if min(im.width, im.height) < MIN_SIDE:
                    raise ImageRefused(f"{im.width}x{im.height} pixels: a tracking pixel or an icon")
                im.load()  # a truncated or corrupt file fails here, not at build time
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused("a decompression bomb (far too many pixels for its size)") from None
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds on broken files
        raise ImageRefused(f"a corrupt {kind} ({type(exc).__name__}: {exc})") from None
    return kind


def fetch_figures(extracted: Extracted, page_url: str | None, *, fetched_from_url: bool,
                  fetcher=fetch_image, seconds: float = TOTAL_SECONDS) -> Fetched:  # noqa: ANN001
    """Download every web figure of a page (see the module docstring)."""
    figures = extracted.figures
    urls = [f.src for f in figures if f.src and is_url(f.src)]
    if not urls:
        return Fetched(extracted)
    done, files = download(urls, page_url, allow_private=fetched_from_url and host_is_private(page_url),
                           fetcher=fetcher, seconds=seconds)
    out, problems = [], []
    for fig in figures:
        if not (fig.src and is_url(fig.src)):
            out.append(fig)
            continue
        name, problem = done[fig.src]
        alt = fig.alt or fig.caption
        if name is None:
            problems.append((fig, problem))
            out.append(replace(fig, src=None, alt=alt, source_url=None if is_tiny(problem) else fig.src))
        else:
            out.append(replace(fig, src=name, alt=alt, source_url=fig.src))
    warned = tuple(_warning(fig, problem) for fig, problem in problems)
    return Fetched(replace(extracted, figures=tuple(out), warnings=extracted.warnings + warned),
                   tuple((data, name) for name, data in files.items()))


def download(urls: list[str], referer: str | None, *, allow_private: bool, fetcher=fetch_image,  # noqa: ANN001
             seconds: float = TOTAL_SECONDS) -> tuple[dict[str, tuple[str | None, str | None]], dict[str, bytes]]:
    """({url: (file name, None) or (None, why)}, {file name: bytes}): each address asked once,
    all of them within one deadline and one byte budget. A page from 127.0.0.1 or the office
    network (allow_private) may use images from there too; no other page may."""
    deadline, budget = Deadline(seconds), [MAX_PAGE_BYTES]
    done: dict[str, tuple[str | None, str | None]] = {}
    files: dict[str, bytes] = {}
    for url in urls:
        if url not in done:
            done[url] = _one(url, referer, deadline, budget, allow_private, fetcher, files)
    return done, files


def is_tiny(problem: str | None) -> bool:
    """The refusal of a tracking pixel or an icon (not a figure: nothing worth keeping)."""
    return problem is not None and "tracking pixel" in problem


def _one(url: str, referer: str | None, deadline: Deadline, budget: list[int],
         allow_private: bool, fetcher, files: dict[str, bytes]) -> tuple[str | None, str | None]:  # noqa: ANN001
    """(file name, None) for a kept image, (None, why) for one that is not."""
    try:
        if budget[0] <= 0:
            raise ImageRefused(f"the page's images passed {MAX_PAGE_BYTES:,} bytes in all")
        data = fetcher(url, referer=referer, deadline=deadline,
                       max_bytes=min(MAX_IMAGE_BYTES, budget[0]), allow_private=allow_private)
        budget[0] -= len(data)
        kind = image_kind(data)
    except ImageRefused as why:
        return None, str(why)
    except Exception as exc:  # noqa: BLE001 - a picture never fails the text import
        return None, f"{type(exc).__name__}: {exc}"
    name = f"{hashlib.sha256(data).hexdigest()[:16]}.{kind}"
    files[name] = data
    return name, None


def _warning(fig: FigureInfo, problem: str | None) -> str:
    kept = "kept its caption, the address is in source_url" if fig.caption else \
        "no caption: the figure is left out"
    return f"image {fig.src} not downloaded: {problem}; {kept}"

