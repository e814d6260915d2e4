"""Images an article loads from another host: a warning each at its line (an error under
--strict). The archive keeps its pictures: a remote image can vanish or change, and every
reader's browser asks its host for it (a `http://` one also in the clear, which an https
site's browser blocks or flags)."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from generator.core.errors import SiteError
from generator.core.model import Figure

_HINT = "download it next to the article and name the file; newsarchive import does that"


def is_remote(url: str) -> bool:
    """An http(s) or protocol-relative address."""
    return url.lower().startswith(("http://", "https://", "//"))


def remote_image_warnings(path: str, figures: Iterable[Figure], links: Iterable[tuple],
                          body_line: int, value_line: Callable[[str, str], int | None]) -> list[str]:
    """One `path:line: …` warning per remote figure src and Markdown image."""
    found = []
    for number, fig in enumerate(figures, 1):
        if fig.src and is_remote(fig.src):
            found.append(_warning(f"figure {number}: image", fig.src, path,
                                  value_line("figures", fig.src)))
    for line, kind, written, _ in links:
        if kind == "img" and is_remote(written):
            found.append(_warning("image", written, path, body_line + line))
    return found


def _warning(what: str, url: str, path: str, line: int | None) -> str:
    if url.lower().startswith("http://"):
        message = f"{what} {url} is loaded from another site over plain http (insecure)"
    else:
        message = f"{what} {url} is loaded from another site, not kept by the archive"
    return str(SiteError(message, path, line, _HINT))
