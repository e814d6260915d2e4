"""Import a batch of inputs into a site's content/: one `PageResult` per page, never a stop.

Each page gets one status: new, updated, unchanged, duplicate, kept-edited or error. A page
that fails never stops the batch and never leaves a half-written file. The status rules:

- unchanged: the same raw bytes were imported before (or the article would be rewritten
  identically apart from its import time);
- duplicate: the text nearly matches another article: the copy is listed in that
  article's `syndicated` instead (unless --allow-duplicates);
- kept-edited: the curator edited the article since its import (unless --force, which
  keeps a .bak copy);
- new / updated: the article was (or, with --dry-run, would be) written.

See `store` for edit and duplicate detection, `pipeline` for the page itself.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from generator.config import load_config
from generator.errors import SiteError
from generator.importer import store
from generator.importer.images import drop_unreachable_images, saved_images
from generator.importer.inputs import Page, expand_inputs, read_input
from generator.importer.model import Extracted, Removal
from generator.importer.pipeline import SiteKnowledge, import_page
from generator.importer.render import article_path, render_article
from generator.scripts import Converter, load_glossary

_IMPORT_TIME = re.compile(r"imported: [^,}\n]+")
_FINGERPRINT = re.compile(r"fingerprint: v1-[0-9a-f]{16}")


@dataclass
class PageResult:
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

    dry_run: bool = False
    force: bool = False
    allow_duplicates: bool = False
    # --tag values, added to every page
    tags: tuple[str, ...] = ()
    # --category value, overriding each page's own
    category: str | None = None


@dataclass(frozen=True)
class Batch:
    """The archive a batch imports into, what the pipeline knows of it, and the switches."""

    archive: store.Archive
    site: SiteKnowledge
    options: Options
    # the import time written into every article
    now: datetime

    @property
    def problems(self) -> list[str]:
        """Articles the archive could not read (not considered for duplicates or updates)."""
        return list(self.archive.problems)


def open_batch(site_dir: str | Path, options: Options, now: datetime | None = None) -> Batch:
    """Load the site's config, glossary and archive; now defaults to the site's local time."""
    config = load_config(site_dir)
    glossary = load_glossary(config.glossary) if config.glossary else None
    converter = Converter.from_config(config.opencc, glossary)
    archive = store.Archive.load(config.content_dir, converter.fold)
    return Batch(archive=archive, site=site_knowledge(converter, archive, options),
                 options=options, now=now or datetime.now(config.timezone))


def site_knowledge(converter: Converter, archive: store.Archive, options: Options) -> SiteKnowledge:
    """Glossary terms, archive tags and the --tag/--category switches for the pipeline."""
    terms = tuple((t.hant, t.hans) for t in converter.glossary.terms)
    return SiteKnowledge(terms=terms, known_tags=archive.tags(), extra_tags=options.tags,
                         category=options.category, fold=converter.fold,
                         detect=converter.detect_script)


def import_batch(inputs: list[str], batch: Batch) -> Iterator[PageResult]:
    """Import every input (folders expanded), one result per page as soon as it is done."""
    for item in expand_inputs(inputs):
        yield import_one(item, batch)


def import_one(item: str, batch: Batch) -> PageResult:
    """Import one input; every failure becomes an error result."""
    result = PageResult(input=item)
    try:
        _import_page(read_input(item), batch, result)
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


# --------------------------------------------------------------------------- one page

def _import_page(page: Page, batch: Batch, result: PageResult) -> None:
    """Decide the page's status and write what it needs."""
    archive, opts = batch.archive, batch.options
    raw_sha = hashlib.sha256(page.raw).hexdigest()
    same = archive.by_source(raw_sha, page.url)
    if same is not None and same.meta.get("source", {}).get("sha256") == raw_sha and not opts.force:
        _report_unchanged(same, archive, result)
        return
    extracted = import_page(page.raw, name=page.label, url=page.url, site=batch.site,
                            declared=page.charset)
    _describe(result, extracted)
    # the same story re-saved (same URL, or same date, title and origin) updates its article
    if same is not None:
        target = same.rel
    else:
        target = _free_path(article_path(extracted), page, extracted.source_name, archive)
    if target not in archive.articles and not opts.allow_duplicates:
        twin = archive.duplicate_of(store.shingles(f"{extracted.title}\n{extracted.body}",
                                                   archive.fold))
        if twin is not None:
            _syndicate(twin, extracted, page, batch, result)
            return
    extracted, copies = saved_images(page.path, extracted, Path(target).stem)
    extracted = drop_unreachable_images(extracted, {name for _, name in copies})
    result.warnings = list(extracted.warnings)
    existing = archive.articles.get(target)
    syndicated = existing.meta.get("syndicated") if existing else None
    _, text = render_article(extracted, raw_sha256=raw_sha, imported=batch.now,
                             syndicated=syndicated)
    _write(target, text, existing, copies, batch, result)


def _report_unchanged(same: store.Stored, archive: store.Archive, result: PageResult) -> None:
    """The page's bytes were imported before: report the article as it stands."""
    result.status, result.output = "unchanged", _shown(archive, same.rel)
    result.title = str(same.meta.get("title") or "")
    when = same.meta.get("date")
    result.date = when.isoformat() if hasattr(when, "isoformat") else None


def _describe(result: PageResult, extracted: Extracted) -> None:
    """Copy title, date, warnings and removals into the result."""
    result.title = extracted.title
    result.date = extracted.date
    result.warnings = list(extracted.warnings)
    result.removed = removal_counts(extracted.removals)
    result.removed_texts = {r.rule: list(r.texts) for r in extracted.removals if r.count}


def removal_counts(removals: tuple[Removal, ...]) -> dict[str, int]:
    """{rule: number of removed pieces} for the report."""
    return {r.rule: r.count for r in removals if r.count}


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
        return _FINGERPRINT.sub("fingerprint: -", _IMPORT_TIME.sub("imported: -", text))
    return strip(old) == strip(new)


# --------------------------------------------------------------------------- writing

def _write(target: str, text: str, existing: store.Stored | None, copies: list[tuple[Path, str]],
           batch: Batch, result: PageResult) -> None:
    """Write a new or updated article (respecting curated files), and its images."""
    archive, opts = batch.archive, batch.options
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


def _syndicate(twin: store.Stored, extracted: Extracted, page: Page, batch: Batch,
               result: PageResult) -> None:
    """Record a syndicated copy in the article it duplicates."""
    archive = batch.archive
    result.status = "duplicate"
    result.output = result.duplicate_of = _shown(archive, twin.rel)
    name = extracted.source_name or (urlsplit(page.url).hostname if page.url else None) or page.name
    entry = store.syndication_entry(name, page.url, extracted.date)
    text = store.with_syndication(twin, entry)
    if text is None:
        result.warnings.append("this copy is already listed in `syndicated`")
        return
    if batch.options.dry_run:
        return
    store.atomic_write(twin.path, text)
    archive.add(store.stored_from_text(twin.rel, twin.path, text, archive.fold))


def _shown(archive: store.Archive, rel: str) -> str:
    """An output path as the curator sees it: relative to the site root."""
    root = archive.content_dir.parent
    return (archive.content_dir / rel).relative_to(root).as_posix()
