"""`newsarchive import PATH_OR_URL...`: raw news pages in, curated Markdown articles out.

Each page gets one status: new, updated, unchanged, duplicate, kept-edited or error. A page
that fails never stops the batch and never leaves a half-written file; the exit status is
1 when any page failed. See generator/importer/store.py for edit and duplicate detection.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.config import load_config
from generator.errors import SiteError
from generator.importer import fetch as fetching
from generator.importer import store
from generator.importer.model import Extracted
from generator.importer.pipeline import (SiteKnowledge, article_path, import_page, removal_counts,
                                         render_article)
from generator.scripts import Converter, load_glossary

PAGE_SUFFIXES = (".html", ".htm", ".txt")
_MEDIA_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg")


@dataclass
class Result:
    """What happened to one input (one JSON object with --json)."""

    input: str
    status: str = "error"
    output: str | None = None
    title: str | None = None
    date: str | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    removed: dict[str, int] = field(default_factory=dict)
    removed_texts: dict[str, list[str]] = field(default_factory=dict)
    duplicate_of: str | None = None
    backup: str | None = None
    images: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Options:
    """Command-line switches that change what is written."""

    dry_run: bool
    force: bool
    allow_duplicates: bool
    now: datetime


@dataclass(frozen=True)
class Page:
    """One input's bytes and where they came from."""

    label: str
    raw: bytes
    name: str
    url: str | None
    # the saved page's file (for its X_files/ images), None for URLs
    path: Path | None = None
    charset: str | None = None


# --------------------------------------------------------------------------- inputs

def expand_inputs(items: list[str]) -> list[str]:
    """Files, URLs, and the page files inside folders (recursively, skipping X_files/ folders)."""
    out: list[str] = []
    for item in items:
        path = Path(item)
        if fetching.is_url(item) or not path.is_dir():
            out.append(item)
            continue
        for found in sorted(path.rglob("*")):
            inside = found.relative_to(path).parts[:-1]
            if any(p.endswith("_files") or p.startswith(".") for p in inside):
                continue
            if found.is_file() and found.suffix.lower() in PAGE_SUFFIXES:
                out.append(str(found))
    return out


def read_input(item: str) -> Page:
    """Read a file or fetch a URL; SiteError when neither works."""
    if fetching.is_url(item):
        got = fetching.fetch(item)
        name = unquote(urlsplit(got.url).path.rsplit("/", 1)[-1]) or "index.html"
        if "." not in name:
            name += ".html" if (got.content_type or "").endswith("html") else ""
        return Page(item, got.raw, name, got.url, None, got.charset)
    path = Path(item)
    if not path.exists():
        raise SiteError("no such file", item, hint="check the path")
    if path.suffix.lower() not in PAGE_SUFFIXES:
        raise SiteError(f"not a page file ({path.suffix or 'no extension'})", item,
                        hint="import .html, .htm or .txt files, folders or http(s) URLs")
    return Page(item, path.read_bytes(), path.name, None, path)


# --------------------------------------------------------------------------- saved-page images

def saved_images(page: Page, extracted: Extracted, stem: str) -> tuple[Extracted, list[tuple[Path, str]]]:
    """Figures pointing into the saved page's X_files/ folder -> local names next to the article."""
    if page.path is None:
        return extracted, []
    folder = page.path.with_name(page.path.stem + "_files")
    if not folder.is_dir():
        return extracted, []
    copies: list[tuple[Path, str]] = []
    figures = []
    for fig in extracted.figures:
        source = _local_file(page.path.parent, fig.src, folder)
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
        if fig.src and fig.src not in copied and not re.match(r"^https?://", fig.src, re.I):
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
    if not src or re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I) or src.startswith("/"):
        return None
    target = (base / unquote(src.split("?")[0].split("#")[0])).resolve()
    try:
        target.relative_to(folder.resolve())
    except ValueError:
        return None
    if target.is_file() and target.suffix.lower() in _MEDIA_SUFFIXES:
        return target
    return None


def _safe_name(name: str) -> str:
    """An ASCII file name for a copied image."""
    stem, dot, suffix = name.rpartition(".")
    clean = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-") or hashlib.sha256(
        name.encode()).hexdigest()[:8]
    return f"{clean}.{suffix.lower()}" if dot else clean


# --------------------------------------------------------------------------- one page

def _describe(result: Result, extracted: Extracted) -> None:
    """Copy title, date, warnings and removals into the result."""
    result.title = extracted.title
    result.date = extracted.date
    result.warnings = list(extracted.warnings)
    result.removed = removal_counts(extracted.removals)
    result.removed_texts = {r.rule: list(r.texts) for r in extracted.removals if r.count}


def import_one(item: str, archive: store.Archive, site: SiteKnowledge, opts: Options) -> Result:
    """Import one input; every failure becomes an error result."""
    result = Result(input=item)
    try:
        page = read_input(item)
        _import_page(page, archive, site, opts, result)
    except SiteError as exc:
        result.status, result.error = "error", str(exc)
    except OSError as exc:
        result.status, result.error = "error", f"{item}: {exc.strerror or exc}"
    except Exception as exc:  # noqa: BLE001
        # a page that trips the importer must not stop the batch; it is reported, not hidden
        result.status = "error"
        result.error = (f"{item}: the importer failed on this page ({type(exc).__name__}: {exc}); "
                        "nothing was written for it")
    return result


def _import_page(page: Page, archive: store.Archive, site: SiteKnowledge, opts: Options,
                 result: Result) -> None:
    """Decide the page's status and write what it needs."""
    raw_sha = hashlib.sha256(page.raw).hexdigest()
    same = archive.by_source(raw_sha, page.url)
    if same is not None and same.meta.get("source", {}).get("sha256") == raw_sha and not opts.force:
        result.status, result.output = "unchanged", _shown(archive, same.rel)
        result.title = str(same.meta.get("title") or "")
        when = same.meta.get("date")
        result.date = when.isoformat() if hasattr(when, "isoformat") else None
        return
    extracted = import_page(page.raw, name=page.label, url=page.url, site=site,
                            declared=page.charset)
    _describe(result, extracted)
    # the same story re-saved (same URL, or same date, title and origin) updates its article
    if same is not None:
        target = same.rel
    else:
        target = _free_path(article_path(extracted), page, extracted.source_name, archive)
    if target not in archive.articles and not opts.allow_duplicates:
        text_shingles = store.shingles(f"{extracted.title}\n{extracted.body}", archive.fold)
        twin = archive.duplicate_of(text_shingles)
        if twin is not None:
            _syndicate(twin, extracted, page, archive, opts, result)
            return
    extracted, copies = saved_images(page, extracted, Path(target).stem)
    extracted = drop_unreachable_images(extracted, {name for _, name in copies})
    result.warnings = list(extracted.warnings)
    existing = archive.articles.get(target)
    syndicated = existing.meta.get("syndicated") if existing else None
    _, text = render_article(extracted, raw_sha256=raw_sha, imported=opts.now,
                             syndicated=syndicated)
    _write(target, text, existing, copies, archive, opts, result)


def _free_path(rel: str, page: Page, outlet: str | None, archive: store.Archive) -> str:
    """rel, unless an article from another origin (URL or outlet) holds it: then rel-2, -3…"""
    candidate, number = rel, 2
    while candidate in archive.articles:
        source = archive.articles[candidate].meta.get("source") or {}
        if not isinstance(source, dict):
            source = {}
        same_outlet = not outlet or not source.get("name") or source.get("name") == outlet
        if source.get("url") == page.url and same_outlet:
            return candidate
        candidate = rel.removesuffix(".md") + f"-{number}.md"
        number += 1
    return candidate


def _same_but_time(old: str, new: str) -> bool:
    """Texts equal apart from the import time and the fingerprint."""
    def strip(text: str) -> str:
        text = re.sub(r"imported: [^,}\n]+", "imported: -", text)
        return re.sub(r"fingerprint: v1-[0-9a-f]{16}", "fingerprint: -", text)
    return strip(old) == strip(new)


def _write(target: str, text: str, existing: store.Stored | None, copies: list[tuple[Path, str]],
           archive: store.Archive, opts: Options, result: Result) -> None:
    """Write a new or updated article (respecting curated files), and its images."""
    path = archive.content_dir / target
    result.output = _shown(archive, target)
    if existing is not None and _same_but_time(existing.text, text):
        result.status = "unchanged"
        return
    if existing is not None and existing.edited and not opts.force:
        result.status = "kept-edited"
        result.warnings.append("the article was edited since it was imported; "
                               "not overwritten (use --force to replace it, keeping a backup)")
        return
    if path.exists() and existing is None and not opts.force:
        raise SiteError("a file that is not an article is in the way", str(path),
                        hint="move it, or use --force")
    result.status = "new" if existing is None and not path.exists() else "updated"
    result.images = [name for _, name in copies]
    if opts.dry_run:
        return
    if existing is not None and existing.edited:
        result.backup = _shown(archive, str(store.backup(path).relative_to(archive.content_dir)))
    for source, name in copies:
        store.atomic_write(path.parent / name, source.read_bytes())
    store.atomic_write(path, text)
    archive.add(store.stored_from_text(target, path, text, archive.fold))


def _syndicate(twin: store.Stored, extracted: Extracted, page: Page, archive: store.Archive,
               opts: Options, result: Result) -> None:
    """Record a syndicated copy in the article it duplicates."""
    result.status = "duplicate"
    result.output = result.duplicate_of = _shown(archive, twin.rel)
    name = extracted.source_name or (urlsplit(page.url).hostname if page.url else None) or page.name
    entry = store.syndication_entry(name, page.url, extracted.date)
    text = store.with_syndication(twin, entry)
    if text is None:
        result.warnings.append("this copy is already listed in `syndicated`")
        return
    if opts.dry_run:
        return
    store.atomic_write(twin.path, text)
    archive.add(store.stored_from_text(twin.rel, twin.path, text, archive.fold))


def _shown(archive: store.Archive, rel: str) -> str:
    """An output path as the curator sees it: relative to the site root."""
    root = archive.content_dir.parent
    return (archive.content_dir / rel).relative_to(root).as_posix()


# --------------------------------------------------------------------------- reporting

def format_result(result: Result, *, verbose: bool) -> str:
    """One line per page (plus removed texts and warnings with --verbose)."""
    where = result.output or "-"
    if result.status == "error":
        return f"error       {result.error}"
    line = f"{result.status:<11} {where}  {result.title or ''}"
    if result.duplicate_of:
        line += f"  (syndicated copy: {result.input})"
    if result.removed:
        line += "\n            removed: " + ", ".join(f"{k} {v}" for k, v in result.removed.items())
    if result.backup:
        line += f"\n            backup: {result.backup}"
    for warning in result.warnings:
        line += f"\n            warning: {warning}"
    if verbose:
        for rule, texts in result.removed_texts.items():
            for text, count in Counter(texts).items():
                times = f" (×{count})" if count > 1 else ""
                line += f"\n            - {rule}: {text}{times}"
    return line


def as_json(result: Result, *, verbose: bool) -> str:
    """The result as one JSON object (removed texts only with --verbose)."""
    data = {"input": result.input, "status": result.status, "output": result.output,
            "title": result.title, "date": result.date, "warnings": result.warnings,
            "error": result.error, "removed": result.removed,
            "duplicate_of": result.duplicate_of, "backup": result.backup, "images": result.images}
    if verbose:
        data["removed_texts"] = result.removed_texts
    return json.dumps(data, ensure_ascii=False)


# --------------------------------------------------------------------------- command

def site_knowledge(config, converter: Converter, archive: store.Archive,
                   args: argparse.Namespace) -> SiteKnowledge:
    """Glossary terms, archive tags and the --tag/--category switches for the pipeline."""
    terms = tuple((t.hant, t.hans) for t in converter.glossary.terms)
    return SiteKnowledge(terms=terms, known_tags=archive.tags(), extra_tags=tuple(args.tag or ()),
                         category=args.category, fold=converter.fold,
                         detect=converter.detect_script)


def run(args: argparse.Namespace) -> int:
    """Import every input, print one report per page; 1 when any page failed."""
    config = load_config(args.site)
    glossary = load_glossary(config.glossary) if config.glossary else None
    converter = Converter.from_config(config.opencc, glossary)
    archive = store.Archive.load(config.content_dir, converter.fold)
    for problem in archive.problems:
        print(f"warning: {problem} (not considered for duplicates or updates)", file=sys.stderr)
    site = site_knowledge(config, converter, archive, args)
    opts = Options(dry_run=args.dry_run, force=args.force,
                   allow_duplicates=args.allow_duplicates,
                   now=args.now or datetime.now(config.timezone))
    failed = 0
    for item in expand_inputs(args.inputs):
        result = import_one(item, archive, site, opts)
        failed += result.status == "error"
        print(as_json(result, verbose=args.verbose) if args.json
              else format_result(result, verbose=args.verbose), flush=True)
    if args.dry_run and not args.json:
        print("dry run: nothing was written", file=sys.stderr)
    return 1 if failed else 0


def _timestamp(text: str) -> datetime:
    """--now value: an ISO date-time with offset (for reproducible imports)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date-time: {text!r}") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError("give an offset, e.g. 2025-11-28T10:00:00+08:00")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `import` to the command line."""
    parser = subparsers.add_parser(
        "import", help="turn raw news pages (files, folders, URLs) into articles",
        description="Import .html/.htm/.txt pages, folders of them, or http(s) URLs into content/.")
    parser.add_argument("inputs", nargs="+", metavar="PATH_OR_URL")
    parser.add_argument("--site", default=".", metavar="DIR", help="site folder (holding site.yml)")
    parser.add_argument("--dry-run", action="store_true", help="report only; write nothing")
    parser.add_argument("--force", action="store_true",
                        help="re-import and overwrite curated articles (a .bak copy is kept)")
    parser.add_argument("--json", action="store_true", help="one JSON object per page on stdout")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every removed text")
    parser.add_argument("--tag", action="append", metavar="TAG", help="add a tag to every page")
    parser.add_argument("--category", metavar="C", help="category for every page")
    parser.add_argument("--allow-duplicates", action="store_true",
                        help="import near-duplicates of existing articles as new articles")
    parser.add_argument("--now", type=_timestamp, default=None, help=argparse.SUPPRESS)
    parser.set_defaults(func=run)
