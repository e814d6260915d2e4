"""How big the built site is against GitHub Pages' limit, and which parts make it so.

GitHub Pages publishes a site of at most 1 GB. An archive grows by every article (two script
versions of each page) and every figure (several copies of each), so a curator learns it is
near the limit from the build, with the parts to act on, before a deploy is refused.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

# GitHub Pages: "Published GitHub Pages sites may be no larger than 1 GB."
PAGES_LIMIT = 1_000_000_000
# a build warns from this share of the limit on
NEAR = 0.8
# the script folders: their parts are named one level deeper (zh-hant/articles/)
_SCRIPT_FOLDERS = ("zh-hant", "zh-hans")


def part_of(path: str) -> str:
    """The part of the site a file counts towards: its top folder (its second one in a
    script folder), or the file itself at the top."""
    head, sep, rest = path.partition("/")
    if not sep:
        return path
    if head in _SCRIPT_FOLDERS and "/" in rest:
        return f"{head}/{rest.partition('/')[0]}/"
    return f"{head}/"


def size_warning(sizes: Iterable[tuple[str, int]], where: str, *, limit: int | None = None,
                 near: float = NEAR) -> str | None:
    """A warning when the files (path, bytes) add up to `near` of `limit` (PAGES_LIMIT) or
    more, naming the three largest parts; None below that."""
    limit = PAGES_LIMIT if limit is None else limit
    sizes = list(sizes)
    total = sum(size for _, size in sizes)
    if total < near * limit:  # the common case costs one sum, nothing per path
        return None
    parts: Counter[str] = Counter()
    for path, size in sizes:
        parts[part_of(path)] += size
    largest = ", ".join(f"{name} {_megabytes(size)}" for name, size in parts.most_common(3))
    return (f"{where}: the site is {_megabytes(total)}, {total / limit:.0%} of GitHub Pages' "
            f"{_megabytes(limit)} limit; largest parts: {largest} (fewer image widths in "
            "site.yml, or split the archive by year?)")


def _megabytes(size: int) -> str:
    """Bytes as whole megabytes (10^6, as GitHub counts its limit)."""
    return f"{size / 1_000_000:,.0f} MB"
