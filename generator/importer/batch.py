"""Import a batch of inputs into a site's content/: one `PageResult` per page, never a stop.

Each page gets one status: new, updated, unchanged, duplicate, kept-edited or error. A page
that fails never stops the batch and never leaves a half-written file. The status rules:

- unchanged: the same raw bytes were imported before, or the article would be rewritten
  identically apart from its import time and the raw bytes' hash (a re-saved copy of the
  page: the same text from the same origin);
- duplicate: the text nearly matches another article: the copy is listed in that
  article's `syndicated` instead (unless --allow-duplicates);
- kept-edited: the curator edited the article since its import (unless --force, which
  keeps a .bak copy);
- new / updated: the article was (or, with --dry-run, would be) written;
- skipped: a file in an imported folder that is not read (a symlink leading out of it);
- error: nothing was written for the page, e.g. because the build would reject the file.

Writing is exclusive: a new article is linked into place only if its name is still free, an
update replaces only the text that was read, and `locked_batch` holds the site's import lock
so that a second importer waits instead of racing. Every article text is checked with the
build's own parser (`verify`) before it is written. What a page turns into does not depend
on how pages were split into batches: the archive (tags, duplicates, free names) is updated
after every page, in a dry run too.

See `store` for edit and duplicate detection, `pipeline` for the page itself.
"""
from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from generator.core.settings import Config
from generator.io.config import load_config
from generator.core.errors import SiteError
from generator.importer import store
from generator.importer.images import drop_pictureless_figures, drop_unreachable_images
from generator.importer.inputs import Page, Skipped, expand_inputs, read_input
from generator.importer.model import Extracted, Removal
from generator.importer.page_images import page_pictures, stale_images
from generator.importer.pipeline import SiteKnowledge, import_page
from generator.importer.render import article_path, render_article
from generator.importer.verify import ArticleCheck, article_check
from generator.core.chinese import Converter
from generator.io.converters import converter_for
from generator.io.companies import load_companies
from generator.core.company_match import detect as detect_companies, make_matcher

_IMPORT_TIME = re.compile(r"imported: [^,}\n]+")
_RAW_HASH = re.compile(r"sha256: [0-9a-f]{64}")
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
    # why the importer is unsure (the article is then a draft with `status: review`)
    review: list[str] = field(default_factory=list)
    error: str | None = None
    removed: dict[str, int] = field(default_factory=dict)
    removed_texts: dict[str, list[str]] = field(default_factory=dict)
    duplicate_of: str | None = None
    backup: str | None = None
    images: list[str] = field(default_factory=list)
    # web addresses of figures a dry run did not download (it asks no server for images)
    pending_images: list[str] = field(default_factory=list)
    # pictures of the article's earlier import that its new text no longer uses, removed
    removed_images: list[str] = field(default_factory=list)
    # company ids written to `companies:`
    companies: list[str] = field(default_factory=list)


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
    # --no-images: figures keep their remote src (nothing is downloaded)
    no_images: bool = False


@dataclass(frozen=True)
class Batch:
    """The archive a batch imports into, what the pipeline knows of it, and the switches."""

    archive: store.Archive
    site: SiteKnowledge
    options: Options
    # the import time written into every article
    now: datetime
    # the build's verdict on an article text about to be written (verify.article_check)
    check: ArticleCheck = lambda rel, text: None

    def knowledge(self) -> SiteKnowledge:
        """What the pipeline knows now: tags of the archive as it stands after earlier pages."""
        return replace(self.site, known_tags=self.archive.tags())

    @property
    def problems(self) -> list[str]:
        """Articles the archive could not read (not considered for duplicates or updates)."""
        return list(self.archive.problems)


def open_batch(site_dir: str | Path, options: Options, now: datetime | None = None) -> Batch:
    """Load the site's config, glossary and archive; now defaults to the site's local time."""
    return _open(load_config(site_dir), options, now)


@contextlib.contextmanager
def locked_batch(site_dir: str | Path, options: Options, now: datetime | None = None, *,
                 wait: float = store.LOCK_WAIT_SECONDS) -> Iterator[Batch]:
    """open_batch under the site's import lock, held until the batch is done.

    A dry run writes nothing and reads only whole files, so it takes no lock.
    """
    config = load_config(site_dir)
    if options.dry_run:
        yield _open(config, options, now)
        return
    with store.import_lock(config.cache_dir, wait):
        # the archive is read under the lock: it includes what the previous import wrote
        yield _open(config, options, now)


def _open(config: Config, options: Options, now: datetime | None) -> Batch:
    """The batch of one site: its converter, archive and the build's article check."""
    converter = converter_for(config)
    archive = store.Archive.load(config.content_dir, converter.fold)
    matcher = make_matcher(load_companies(config), converter.fold)
    site = replace(site_knowledge(converter, archive, options),
                   companies=lambda title, body: detect_companies(matcher, title, body))
    return Batch(archive=archive, site=site,
                 options=options, now=now or datetime.now(config.timezone),
                 check=article_check(config, converter))


def site_knowledge(converter: Converter, archive: store.Archive, options: Options) -> SiteKnowledge:
    """Glossary terms, archive tags and the --tag/--category switches for the pipeline."""
    terms = tuple((t.hant, t.hans) for t in converter.glossary.terms)
    return SiteKnowledge(terms=terms, known_tags=archive.tags(), extra_tags=options.tags,
                         category=options.category, fold=converter.fold,
                         detect=converter.detect_script, convert=converter.text,
                         normalise=converter.normalise_many)


def import_batch(inputs: list[str], batch: Batch) -> Iterator[PageResult]:
    """Import every input (folders expanded), one result per page as soon as it is done."""
    for item in expand_inputs(inputs):
        if isinstance(item, Skipped):
            yield PageResult(input=item.path, status="skipped", warnings=[item.reason])
        else:
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
    extracted = import_page(page.raw, name=page.label, url=page.url, site=batch.knowledge(),
                            declared=page.charset)
    _describe(result, extracted)
    mine = store.shingles(f"{extracted.title}\n{extracted.body}", archive.fold)
    # the same story re-saved (same URL, or same date, title, origin and text) updates its article
    if same is not None:
        target = same.rel
    else:
        target = _free_path(article_path(extracted), page, extracted.source_name, mine, archive)
    if target not in archive.articles and not opts.allow_duplicates:
        twin = archive.duplicate_of(mine)
        if twin is not None and _is_resave(twin, extracted, page, archive.fold):
            _report_unchanged(twin, archive, result)
            return
        if twin is not None:
            _syndicate(twin, extracted, page, batch, result)
            return
    pictures = page_pictures(page, extracted, Path(target).stem, no_images=opts.no_images,
                             dry_run=opts.dry_run)
    extracted, copies = pictures.extracted, pictures.copies
    extracted = drop_pictureless_figures(drop_unreachable_images(extracted, {n for _, n in copies}))
    _describe(result, extracted)
    result.pending_images = list(pictures.pending)
    existing = archive.articles.get(target)
    syndicated = existing.meta.get("syndicated") if existing else None
    _, text = render_article(extracted, raw_sha256=raw_sha, imported=batch.now,
                             syndicated=syndicated)
    _write(target, text, existing, copies, batch, result)


def _is_resave(twin: store.Stored, extracted: Extracted, page: Page,
               fold: Callable[[str], str]) -> bool:
    """The twin is this very page saved again: the same body text, no sign of another origin.

    The headline may read differently (a browser's copy with another <title>); a wire story
    run by another outlet has the same text too, but names that outlet (or comes from
    another URL): that is syndication, not a re-save.
    """
    if store.shingles(extracted.body, fold) != store.shingles(twin.body, fold):
        return False
    source = twin.meta.get("source")
    source = source if isinstance(source, dict) else {}
    name, url = source.get("name"), source.get("url")
    return (not extracted.source_name or not name or name == extracted.source_name) and (
        not page.url or not url or url == page.url)


def _report_unchanged(same: store.Stored, archive: store.Archive, result: PageResult) -> None:
    """The page's bytes were imported before: report the article as it stands."""
    result.status, result.output = "unchanged", _shown(archive, same.rel)
    result.title = str(same.meta.get("title") or "")
    when = same.meta.get("date")
    result.date = when.isoformat() if hasattr(when, "isoformat") else None


def _describe(result: PageResult, extracted: Extracted) -> None:
    """Copy title, date, warnings and removals into the result."""
    result.title = extracted.title
    result.companies = list(extracted.companies)
    result.date = extracted.date
    result.warnings = list(extracted.warnings)
    result.review = list(extracted.review)
    result.removed = removal_counts(extracted.removals)
    result.removed_texts = {r.rule: list(r.texts) for r in extracted.removals if r.count}


def removal_counts(removals: tuple[Removal, ...]) -> dict[str, int]:
    """{rule: number of removed pieces} for the report."""
    return {r.rule: r.count for r in removals if r.count}


def _free_path(rel: str, page: Page, outlet: str | None, mine: frozenset[int],
               archive: store.Archive) -> str:
    """rel, unless another story (other URL, outlet or text) holds it: then rel-2, -3…"""
    candidate, number = rel, 2
    while candidate in archive.articles:
        if _same_story(archive.articles[candidate], page, outlet, mine):
            return candidate
        candidate = rel.removesuffix(".md") + f"-{number}.md"
        number += 1
    return candidate


def _same_story(art: store.Stored, page: Page, outlet: str | None, mine: frozenset[int]) -> bool:
    """The article holding the page's name is an earlier import of the same story.

    The same URL says so; without URLs, two pages with the same title and day are one story
    only when their texts nearly match: different texts are different articles, and each
    keeps its own file.
    """
    source = art.meta.get("source") or {}
    if not isinstance(source, dict):
        source = {}
    same_outlet = not outlet or not source.get("name") or source.get("name") == outlet
    if source.get("url") != page.url or not same_outlet:
        return False
    return bool(page.url) or store.similarity(mine, art.shingles) >= store.DUPLICATE_SHARE


def _same_but_time(old: str, new: str) -> bool:
    """Texts equal apart from the import time, the raw bytes' hash and the fingerprint."""
    def strip(text: str) -> str:
        text = _RAW_HASH.sub("sha256: -", _IMPORT_TIME.sub("imported: -", text))
        return _FINGERPRINT.sub("fingerprint: -", text)
    return strip(old) == strip(new)


# --------------------------------------------------------------------------- writing

def _write(target: str, text: str, existing: store.Stored | None, copies: list[tuple[Path | bytes, str]],
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
    in_the_way = existing is None and (path.exists() or path.is_symlink())
    if in_the_way and not opts.force:
        raise SiteError("a file that is not an article is in the way", str(path),
                        hint="move it, or use --force")
    _check(batch, target, text, result)
    result.status = "new" if existing is None and not in_the_way else "updated"
    result.images = [name for _, name in copies]
    stored = store.stored_from_text(target, path, text, archive.fold)
    if not opts.dry_run:
        _put(path, text, existing, copies, archive, result)
    archive.add(stored)


def _put(path: Path, text: str, existing: store.Stored | None, copies: list[tuple[Path | bytes, str]],
         archive: store.Archive, result: PageResult) -> None:
    """Write the images, then the article: exclusively when new, over what was read when not."""
    if existing is None and path.exists() or existing is not None and existing.edited:
        # --force over a curated file or a stranger in the way: keep a copy first
        result.backup = _shown(archive, str(store.backup(path).relative_to(archive.content_dir)))
    for source, name in copies:
        target = path.parent / name
        if isinstance(source, bytes):  # a downloaded image, named by its content: kept once
            if not target.is_file():
                store.atomic_write(target, source)
            continue
        store.atomic_write(target, source.read_bytes())
    if existing is not None:
        store.replace_unchanged(path, existing.text, text)
        if not result.backup:  # a backup still names the old pictures: they stay with it
            _remove_stale_images(path, text, existing, archive, result)
        return
    if result.backup:
        store.atomic_write(path, text)
        return
    try:
        store.create_new(path, text)
    except FileExistsError:
        raise SiteError("another file took this name while the page was imported; "
                        "not overwritten", str(path), hint="import the page again") from None


def _remove_stale_images(path: Path, text: str, existing: store.Stored, archive: store.Archive,
                         result: PageResult) -> None:
    """The pictures the article's earlier import wrote and nothing uses any more, removed."""
    others = (s.text for rel, s in archive.articles.items() if rel != existing.rel)
    for stale in stale_images(existing.meta, text, path.parent, path.stem, others):
        stale.unlink(missing_ok=True)
        result.removed_images.append(_shown(archive, str(stale.relative_to(archive.content_dir))))


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
    _check(batch, twin.rel, text, result)
    if not batch.options.dry_run:
        store.replace_unchanged(twin.path, twin.text, text)
    archive.add(store.stored_from_text(twin.rel, twin.path, text, archive.fold))


def _check(batch: Batch, target: str, text: str, result: PageResult) -> None:
    """The build's verdict on a text about to be written, as an error naming the input."""
    try:
        batch.check(target, text)
    except SiteError as refused:
        raise SiteError(refused.message, result.input, hint=refused.hint) from None


def _shown(archive: store.Archive, rel: str) -> str:
    """An output path as the curator sees it: relative to the site root."""
    root = archive.content_dir.parent
    return (archive.content_dir / rel).relative_to(root).as_posix()
