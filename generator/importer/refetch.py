"""`newsarchive import --refetch-images`: download the figures an import could not keep.

A figure that kept only its `source_url` (the import was offline, the server said no, or a
saved page's pictures were gone) is asked for again, with the article's `source.url` as
Referer and origin (generator.importer.figure_fetch: the same checks, limits and names as at
import). A kept image is written beside the article and the figure gets its `src` (and its
alt text, else the caption, as at import); every figure is reported, fetched or still
missing with the reason.

The article is rewritten under the store's rules: an article as the importer wrote it is
rewritten (and stamped again), one the curator edited is left alone unless `--force`, which
keeps a `.bak` copy first; the text is replaced only if it is still the one that was read,
and the build's parser must accept the new text. A dry run asks no server and writes
nothing: it lists what it would ask for.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from generator.core.errors import SiteError
from generator.core.frontmatter import dump_front_matter
from generator.importer import store
from generator.importer.fetch import is_url
from generator.importer.fetch_image import fetch_image, host_is_private
from generator.importer.figure_fetch import download
from generator.importer.render import stamp

# the importer's order of a figure's keys (generator.importer.render), others after them
_FIGURE_KEYS = ("caption", "src", "alt", "credit", "source_url")


@dataclass
class Refetched:
    """What happened to one article (one JSON object with --json)."""

    input: str
    # updated, unchanged, kept-edited, error
    status: str = "unchanged"
    # [{figure, url, src}] and [{figure, url, why}]
    fetched: list[dict] = field(default_factory=list)
    missing: list[dict] = field(default_factory=list)
    backup: str | None = None
    error: str | None = None


def waiting_figures(meta: dict) -> list[tuple[int, dict]]:
    """(1-based number, figure) of every figure with a web `source_url` and no `src`."""
    figures = meta.get("figures")
    if not isinstance(figures, list):
        return []
    return [(n, fig) for n, fig in enumerate(figures, 1)
            if isinstance(fig, dict) and not fig.get("src") and isinstance(fig.get("source_url"), str)
            and is_url(fig["source_url"])]


def article_files(content_dir: Path, items: list[str]) -> Iterator[Path | SiteError]:
    """The article files named (files, or folders searched for *.md), every one when none is."""
    if not items:
        items = [str(content_dir)]
    root = content_dir.resolve()
    for item in items:
        path = Path(item).resolve()
        if path != root and root not in path.parents:
            yield SiteError("not in the site's content folder", item,
                            hint=f"name articles or folders under {content_dir}")
        elif path.is_dir():
            yield from (p for p in sorted(path.rglob("*.md"))
                        if not any(part.startswith(".") for part in p.relative_to(root).parts))
        elif path.suffix == ".md" and path.is_file():
            yield path
        else:
            yield SiteError("no such article file", item, hint="name a .md file or a folder")


def refetch(stored: store.Stored, *, shown: str, force: bool, dry_run: bool,
            check: Callable[[str, str], None], fetcher=fetch_image) -> Refetched:  # noqa: ANN001
    """Ask again for the article's waiting figures and write what came (see the docstring)."""
    result = Refetched(shown)
    waiting = waiting_figures(stored.meta)
    if not waiting:
        return result
    if stored.edited and not force:
        result.status = "kept-edited"
        result.missing = [_missing(n, fig, "the article was edited since it was imported: not "
                                           "changed (--force rewrites it, keeping a backup)")
                          for n, fig in waiting]
        return result
    if dry_run:
        result.missing = [_missing(n, fig, "dry run: not asked for") for n, fig in waiting]
        return result
    source = stored.meta.get("source")
    page_url = source.get("url") if isinstance(source, dict) else None
    page_url = page_url if isinstance(page_url, str) and is_url(page_url) else None
    done, files = download([fig["source_url"] for _, fig in waiting], page_url,
                           allow_private=host_is_private(page_url), fetcher=fetcher)
    figures = [dict(fig) if isinstance(fig, dict) else fig for fig in stored.meta["figures"]]
    for number, fig in waiting:
        name, why = done[fig["source_url"]]
        if name is None:
            result.missing.append(_missing(number, fig, why or "not received"))
            continue
        figures[number - 1] = _with_src(fig, name)
        result.fetched.append({"figure": number, "url": fig["source_url"], "src": name})
    if result.fetched:
        _write(stored, figures, {n: files[n] for n in {f["src"] for f in result.fetched}},
               check, result)
    return result


def _with_src(fig: dict, name: str) -> dict:
    """The figure naming its local file, its keys in the importer's order."""
    item = {**fig, "src": name, "alt": fig.get("alt") or fig.get("caption")}
    ordered = {k: item[k] for k in _FIGURE_KEYS if item.get(k)}
    return {**ordered, **{k: v for k, v in item.items() if k not in _FIGURE_KEYS}}


def _missing(number: int, fig: dict, why: str) -> dict:
    return {"figure": number, "url": fig["source_url"], "why": why}


def _write(stored: store.Stored, figures: list, images: dict[str, bytes],
           check: Callable[[str, str], None], result: Refetched) -> None:
    """Images first (kept once, by content), then the article over the text that was read."""
    if not stored.edited and dump_front_matter(stored.meta, stored.body) != stored.text:
        # written by an older importer: re-writing it would change more than its figures
        raise SiteError("the article's front matter would be re-written beyond its figures; "
                        "not changed", str(stored.path), hint="add the figures' src by hand, "
                        "or re-import the page with --force")
    text = dump_front_matter({**stored.meta, "figures": figures}, stored.body)
    text = text if stored.edited else stamp(text)  # a curated file stays "edited"
    check(stored.rel, text)
    if stored.edited:
        backup = store.backup(stored.path)
        result.backup = str(Path(result.input).with_name(backup.name).as_posix())
    for name, data in sorted(images.items()):
        target = stored.path.parent / name
        if not target.is_file():
            store.atomic_write(target, data)
    store.replace_unchanged(stored.path, stored.text, text)
    result.status = "updated"


def refetch_site(site_dir: str | Path, items: list[str], *, force: bool = False, dry_run: bool = False,
                 wait: float = store.LOCK_WAIT_SECONDS, fetcher=fetch_image) -> Iterator[Refetched]:  # noqa: ANN001
    """Every named article (all of content/ when none is) with figures waiting, one result
    each; under the site's import lock unless it is a dry run (which writes nothing)."""
    from contextlib import nullcontext

    from generator.io.config import load_config
    config = load_config(site_dir)
    content_dir = config.content_dir
    checks: list[Callable[[str, str], None]] = []

    def check(rel: str, text: str) -> None:
        if not checks:  # the converter is opened only when an article is about to change
            from generator.importer.verify import article_check
            from generator.io.converters import converter_for
            checks.append(article_check(config, converter_for(config)))
        checks[0](rel, text)

    with nullcontext() if dry_run else store.import_lock(config.cache_dir, wait):
        for path in article_files(content_dir, items):
            if isinstance(path, SiteError):
                yield Refetched(path.path or "", status="error", error=str(path))
                continue
            shown = _shown(path, config.root)
            try:
                stored = store.read_stored(path, content_dir.resolve(), str)
                result = refetch(stored, shown=shown, force=force, dry_run=dry_run, check=check,
                                 fetcher=fetcher)
            except (SiteError, OSError, UnicodeDecodeError) as exc:
                result = Refetched(shown, status="error", error=str(exc))
            if result.status != "unchanged" or result.missing:
                yield result


def _shown(path: Path, root: Path) -> str:
    """An article's path as the curator sees it: relative to the site root."""
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
