"""The build's Pillow work: each image's size and its resized copies, cached by content hash.

An image file next to an article (JPEG, PNG, GIF, WebP) is read once per content: its
orientation applied (EXIF), it is resized to each of WIDTHS narrower than itself (never
up) plus its own width when that is under the largest, and saved as WebP and in its own
format (a still GIF as PNG), with no metadata and fixed encoder settings so that the same
input always gives the same bytes. The copies and a small record of the sizes live in
`.newsarchive-cache/images/`, named by the file's SHA-256 and the settings' key: a build
that meets the same bytes again does no image work. An animated GIF, an SVG or a file
Pillow cannot read is published as it is (the last with a warning).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

WIDTHS = (480, 960, 1600)
JPEG_QUALITY = 82
WEBP_QUALITY = 80
# pixels beyond which a file is refused before it is decoded (a decompression bomb)
MAX_PIXELS = 60_000_000
RASTER = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".gif": "GIF", ".webp": "WEBP"}
_EXT = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# zlib level of PNG copies: 9 took 1.7 s for the 1600w copy of a photo-like PNG, 6 takes
# 0.35 s for 8 % more bytes (2 % on a screenshot); readers mostly get the WebP copy anyway
PNG_LEVEL = 6
_SETTINGS = [WIDTHS, JPEG_QUALITY, WEBP_QUALITY, "lanczos-chain", "webp-m2"]
# the settings in the cache's file names, by the original's kind: a JPEG's or WebP's copies
# do not depend on the PNG settings, so changing those does not make them again
SETTINGS_KEY = hashlib.sha256(json.dumps([*_SETTINGS, "png-9", "draft", 2]).encode()).hexdigest()[:8]
PNG_SETTINGS_KEY = hashlib.sha256(json.dumps(
    [*_SETTINGS, f"png-{PNG_LEVEL}", "draft", 2]).encode()).hexdigest()[:8]


@dataclass(frozen=True)
class Made:
    """What the build publishes for one image file."""

    sha: str
    width: int
    height: int
    # (format extension "webp" | "jpg" | "png", width, file in the cache folder), smallest first
    copies: tuple[tuple[str, int, str], ...] = ()
    # why the file is published as it is (None: fine or not resizable on purpose)
    problem: str | None = None


def is_raster(path: str) -> bool:
    """An image the build resizes (by its name; SVG and others are published as they are)."""
    return os.path.splitext(path)[1].lower() in RASTER


def settings_key(path: str | Path) -> str:
    """The settings part of the cache names of one original's copies (see SETTINGS_KEY)."""
    return PNG_SETTINGS_KEY if os.path.splitext(str(path))[1].lower() in (".png", ".gif") \
        else SETTINGS_KEY


def file_sha(path: str | Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def made_for(path: Path, sha: str, folder: Path) -> Made:
    """The copies of one image: from the cache's record when this content was seen, else made."""
    record = folder / f"{cache_stem(path, sha)}.json"
    try:
        saved = json.loads(record.read_text(encoding="utf-8"))
        copies = tuple(tuple(c) for c in saved["copies"])
        if all((folder / name).is_file() for _, _, name in copies):
            return Made(sha, saved["width"], saved["height"], copies, saved.get("problem"))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    made = make_copies(path, sha, folder)
    _atomic_write(record, json.dumps({"width": made.width, "height": made.height,
                                      "copies": made.copies, "problem": made.problem}).encode())
    return made


def make_copies(path: Path, sha: str, folder: Path) -> Made:
    """Open the image with Pillow and write its resized copies into `folder`."""
    from PIL import Image, ImageOps  # imported only when an image needs work

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                if im.width * im.height > MAX_PIXELS:
                    return Made(sha, im.width, im.height, (),
                                f"{im.width}x{im.height} pixels is over the limit of {MAX_PIXELS:,}")
                if getattr(im, "n_frames", 1) > 1 or im.format not in ("JPEG", "PNG", "GIF", "WEBP"):
                    return Made(sha, im.width, im.height)  # animated: published as it is
                kind = "PNG" if im.format == "GIF" else im.format
                if kind == "JPEG":  # decode at 1/2, 1/4 … when still at least WIDTHS[-1] wide
                    turned = im.getexif().get(0x0112, 1) in (5, 6, 7, 8)
                    im.draft("RGB" if im.mode != "CMYK" else "CMYK",
                             (1, WIDTHS[-1]) if turned else (WIDTHS[-1], 1))
                # upright in place: a transposed copy of a 12-Mpx picture costs more than
                # the 480w copy's whole resize
                ImageOps.exif_transpose(im, in_place=True)
                return _resized(im, kind, cache_stem(path, sha), sha, folder)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        return Made(sha, 0, 0, (), f"not a readable image ({type(exc).__name__}: {exc})")


def widths_for(width: int) -> list[int]:
    """Copy widths for an image `width` pixels wide: never wider than the image itself."""
    out = [w for w in WIDTHS if w < width]
    if width <= WIDTHS[-1] and width not in out:
        out.append(width)
    return out or [WIDTHS[-1]]


def _resized(im, kind: str, stem: str, sha: str, folder: Path) -> Made:  # noqa: ANN001 - a PIL image
    """The copies of a loaded, upright image."""
    from PIL import Image

    alpha = im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)
    mode = "RGBA" if alpha else "RGB"
    im = im if im.mode == mode else im.convert(mode)  # convert() copies even when it need not
    copies = []
    full, small = im.size, im
    # largest first, each from the one before: resizing 1600 -> 960 costs a third of 3000 -> 960
    for width in sorted(widths_for(im.width), reverse=True):
        height = max(1, round(full[1] * width / full[0]))
        if width != small.width:
            small = small.resize((width, height), Image.Resampling.LANCZOS)
        formats = ["WEBP"] if kind == "WEBP" else ["WEBP", kind]
        for fmt in formats:
            name = f"{stem}-{width}.{_EXT[fmt]}"
            if not (folder / name).is_file():
                _atomic_write(folder / name, _encode(small, fmt, alpha))
            copies.append((_EXT[fmt], width, name))
    copies.sort(key=lambda c: (c[0], c[1]))
    return Made(sha, im.width, im.height, tuple(copies))


def _encode(im, fmt: str, alpha: bool) -> bytes:  # noqa: ANN001 - a PIL image
    """Bytes of one copy, fixed settings, no metadata (no EXIF, ICC profile or text chunks)."""
    import io

    im.info = {}
    buffer = io.BytesIO()
    if fmt == "JPEG":
        (im if im.mode == "RGB" else im.convert("RGB")).save(
            buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=False, subsampling=2)
    elif fmt == "PNG":
        im.save(buffer, "PNG", compress_level=PNG_LEVEL)
    else:
        im.save(buffer, "WEBP", quality=WEBP_QUALITY, method=2, exact=False,
                lossless=False, alpha_quality=90 if alpha else 100)
    return buffer.getvalue()


def _atomic_write(path: Path, data: bytes) -> None:
    """Write beside the target, then rename over it (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


# what made_for and make_copies write: `<sha[:32]>-<settings>.json` and `…-<width>.<ext>`
_CACHE_FILE = re.compile(r"([0-9a-f]{32}-[0-9a-f]{8})(?:-\d+\.(?:jpg|png|webp)|\.json)")
_PRUNED = "pruned.txt"


def listing(folder: Path) -> set[str]:
    """The names in the cache folder (one call: cheaper than a stat per copy)."""
    try:
        return set(os.listdir(folder))
    except OSError:
        return set()


class MadeIndex:
    """{cache stem: (width, height, copies, problem)} of every original, in one file
    (`made.json`): an edit build reads it instead of one record per image, and checks the
    copies against one listing of the folder instead of a stat each. The per-image records
    stay the truth when this file is missing or out of date."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "made.json"
        try:
            self.known = json.loads(self.path.read_text("utf-8"))
            if not isinstance(self.known, dict):
                self.known = {}
        except (OSError, ValueError):
            self.known = {}

    def made(self, stem: str, sha: str, present: set[str]) -> Made | None:
        """The Made of an original seen before whose copies are all still there, else None."""
        try:
            width, height, copies, problem = self.known[stem]
            copies = tuple(tuple(c) for c in copies)
        except (KeyError, TypeError, ValueError):
            return None
        if not all(name in present for _, _, name in copies):
            return None
        return Made(sha, width, height, copies, problem)

    def save(self, made: dict[str, Made]) -> None:
        """Write the file when what it should hold changed (entries of gone originals dropped)."""
        now = {stem: [m.width, m.height, [list(c) for c in m.copies], m.problem]
               for stem, m in made.items()}
        if now != self.known:
            _atomic_write(self.path, json.dumps(now, sort_keys=True).encode())
            self.known = now


def prune(folder: Path, live: set[str], names: set[str] | None = None) -> int:
    """Remove the copies and records of originals no article folder holds any more.

    `live` holds `<sha[:32]>-<settings>` of every image of this build; `names` the folder's
    listing when the caller has one. Only files this cache writes are looked at (any other
    file in the folder stays), and only when the live set differs from the one it was last
    pruned for (a marker file keeps its digest). Returns how many files went.
    """
    if not folder.is_dir():
        return 0
    digest = hashlib.sha256("\n".join(sorted(live)).encode()).hexdigest()
    marker = folder / _PRUNED
    try:
        if marker.read_text(encoding="ascii") == digest:
            return 0
    except OSError:
        pass
    removed = 0
    for name in listing(folder) if names is None else names:
        found = _CACHE_FILE.fullmatch(name)
        if found and found[1] not in live:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(folder / name)
                removed += 1
    _atomic_write(marker, digest.encode("ascii"))
    return removed


def cache_stem(path: str | Path, sha: str) -> str:
    """`<sha[:32]>-<settings>`: the start of every cache file name of one original."""
    return f"{sha[:32]}-{settings_key(path)}"


class ShaIndex:
    """{content path: (size, mtime_ns, sha256)} kept in the images folder: an edit build
    hashes only image files whose size or mtime changed."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "index.json"
        try:
            self.known = {k: tuple(v) for k, v in json.loads(self.path.read_text("utf-8")).items()}
        except (OSError, ValueError, AttributeError):
            self.known = {}
        self.dirty = False

    def sha(self, rel: str, absolute: str | Path, size: int, mtime_ns: int) -> str:
        """The file's SHA-256, hashed again only when its size or mtime changed."""
        known = self.known.get(rel)
        if known and known[0] == size and known[1] == mtime_ns:
            return known[2]
        sha = file_sha(absolute)
        self.known[rel] = (size, mtime_ns, sha)
        self.dirty = True
        return sha

    def save(self, live: set[str]) -> None:
        """Write the index (entries of files no longer there dropped)."""
        if set(self.known) - live:
            self.known = {k: v for k, v in self.known.items() if k in live}
            self.dirty = True
        if self.dirty:
            _atomic_write(self.path, json.dumps(self.known, sort_keys=True).encode())
