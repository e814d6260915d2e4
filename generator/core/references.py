"""Links and images an article's Markdown points at inside the site, checked against the plan.

`newsarchive check` finds broken links in the built HTML, once per script and page; this
finds them in the source, once, at the content file's line, while the build still can say
so (a warning; an error under --strict). Pure: articles and the planned paths in, warnings out.
"""
from __future__ import annotations

import posixpath
from collections.abc import Set
from dataclasses import dataclass
from urllib.parse import unquote

from generator.core.errors import SiteError
from generator.core.markdown import site_link
from generator.core.memo import PerArticle
from generator.core.model import PREFIXES, Article, Site


@dataclass(frozen=True)
class Broken:
    """A link or image of one article that leads nowhere."""

    # `path:line: what (hint)`
    warning: str
    # (output page, href as written in its HTML) for each script's page: the same finding as
    # `check` meets it in the built pages, so it is reported once, at the source
    in_pages: tuple[tuple[str, str], ...]


def broken_references(site: Site, paths: tuple[Set[str], ...], base_path: str,
                      memo: PerArticle[list[Broken]] | None = None) -> list[Broken]:
    """Every link or image of the site's articles whose target is no file of the build.

    With `memo` (a preview's), an article that is not one of the site's edits since the
    memo's last call, against the same planned paths, keeps its findings unread (at 10,000
    articles the whole check was a third of a preview's one-edit rebuild). `paths` holds
    the files of the build in parts (the plan's, the rest): each part is compared by identity
    first, so a part that is the very set of the last call costs nothing to compare.
    """
    memo = PerArticle() if memo is None else memo
    found = memo.each_in_site(site, lambda art: _broken_in(art, paths, base_path),
                              context=(paths, base_path))
    return [broken for mine in found for broken in mine]


def _broken_in(art: Article, paths: tuple[Set[str], ...], base_path: str) -> list[Broken]:
    """One article's links and images whose target is no file of the build."""
    found = []
    for line, kind, written, rendered in art.links:
        target = _target(rendered, f"{PREFIXES[art.script]}/articles/{art.slug}/")
        if not _exists(target, paths):
            pages = tuple((f"{prefix}/articles/{art.slug}/index.html", site_link(rendered, base_path))
                          for prefix in PREFIXES.values())
            found.append(Broken(_warning(art.path, line, kind, written), pages))
    return found


def _target(url: str, page_folder: str) -> str:
    """The output path a site or relative URL names, seen from a page in `page_folder`."""
    bare = unquote(url.split("#", 1)[0].split("?", 1)[0])
    if bare.startswith("/"):
        return bare[1:]
    joined = posixpath.normpath(posixpath.join(page_folder, bare))
    return "" if joined == "." else joined + ("/" if bare.endswith("/") else "")


def _exists(target: str, paths: tuple[Set[str], ...]) -> bool:
    """A file of the build, or a folder whose index.html is one (the site root always is)."""
    if target in ("", "/"):
        return True
    folder_index = f"{target.rstrip('/')}/index.html"
    return any(target in part or folder_index in part for part in paths)


def _warning(path: str, line: int, kind: str, url: str) -> str:
    """One warning line."""
    if kind == "img":
        return str(SiteError(f"image {url} is not in the site", path, line,
                             "put the file next to the article, or fix the link"))
    return str(SiteError(f"link {url} leads to no page of this site", path, line,
                         "fix the link, or remove it"))
