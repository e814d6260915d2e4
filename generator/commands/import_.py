"""`newsarchive import PATH_OR_URL...`: raw news pages in, curated Markdown articles out.

This module only reads the command line and prints: the batch itself (statuses, writing,
syndication) is generator/importer/batch.py. The exit status is 1 when any page failed.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import datetime

from generator.commands import add_site_option
from generator.importer.batch import Options, PageResult, import_batch, locked_batch
from generator.importer.refetch import Refetched, refetch_site
from generator.importer.store import LOCK_WAIT_SECONDS


def format_result(result: PageResult, *, verbose: bool) -> str:
    """One line per page (plus removed texts and warnings with --verbose)."""
    where = result.output or "-"
    if result.status == "error":
        return f"error       {result.error}"
    if result.status == "skipped":
        return f"skipped     {result.input}  ({'; '.join(result.warnings)})"
    line = f"{result.status:<11} {where}  {result.title or ''}"
    if result.companies:
        line += "\n            companies: " + ", ".join(result.companies)
    if result.duplicate_of:
        line += f"  (syndicated copy: {result.input})"
    if result.removed:
        line += "\n            removed: " + ", ".join(f"{k} {v}" for k, v in result.removed.items())
    if result.backup:
        line += f"\n            backup: {result.backup}"
    for warning in result.warnings:
        line += f"\n            warning: {warning}"
    if result.removed_images:
        line += "\n            removed images: " + ", ".join(result.removed_images)
    if result.pending_images:
        line += (f"\n            images: {len(result.pending_images)} would be downloaded "
                 "(a dry run asks no server for them)")
    if result.review:
        line += "\n            verdict: review (written as a draft with `status: review`)"
        line += "".join(f"\n            - unsure: {reason}" for reason in result.review)
    if verbose:
        for rule, texts in result.removed_texts.items():
            for text, count in Counter(texts).items():
                times = f" (×{count})" if count > 1 else ""
                line += f"\n            - {rule}: {text}{times}"
    return line


def _verdict(result: PageResult) -> str | None:
    """"review" or "sure" for a page this run extracted; None for errors, skips and unchanged pages."""
    if result.status in ("error", "skipped", "unchanged"):
        return None
    return "review" if result.review else "sure"


def as_json(result: PageResult, *, verbose: bool) -> str:
    """The result as one JSON object (removed texts only with --verbose)."""
    data = {"input": result.input, "status": result.status, "output": result.output,
            "title": result.title, "date": result.date, "warnings": result.warnings,
            "verdict": _verdict(result), "review": result.review,
            "error": result.error, "removed": result.removed,
            "duplicate_of": result.duplicate_of, "backup": result.backup, "images": result.images,
            "pending_images": result.pending_images, "removed_images": result.removed_images,
            "companies": result.companies}
    if verbose:
        data["removed_texts"] = result.removed_texts
    return json.dumps(data, ensure_ascii=False)


def format_refetched(result: Refetched) -> str:
    """One line per article, one more per figure fetched or still missing."""
    if result.status == "error":
        return f"error       {result.error}"
    line = f"{result.status:<11} {result.input}  images: {len(result.fetched)} fetched, " \
           f"{len(result.missing)} still missing"
    if result.backup:
        line += f"\n            backup: {result.backup}"
    line += "".join(f"\n            fetched: figure {f['figure']} {f['url']} -> {f['src']}"
                    for f in result.fetched)
    line += "".join(f"\n            missing: figure {f['figure']} {f['url']}: {f['why']}"
                    for f in result.missing)
    return line


def refetch_images(args: argparse.Namespace) -> int:
    """--refetch-images: the waiting figures of the named articles (or of all); 1 on errors."""
    failed = 0
    for result in refetch_site(args.site, args.inputs, force=args.force, dry_run=args.dry_run,
                               wait=args.wait):
        failed += result.status == "error"
        print(json.dumps(result.__dict__, ensure_ascii=False) if args.json
              else format_refetched(result), flush=True)
    if args.dry_run and not args.json:
        print("dry run: nothing was written or downloaded", file=sys.stderr)
    return 1 if failed else 0


def run(args: argparse.Namespace) -> int:
    """Import every input, print one report per page; 1 when any page failed."""
    if args.refetch_images:
        return refetch_images(args)
    if not args.inputs:
        print("error: name the pages to import (files, folders or http(s) URLs), "
              "or give --refetch-images", file=sys.stderr)
        return 2
    options = Options(dry_run=args.dry_run, force=args.force,
                      allow_duplicates=args.allow_duplicates, tags=tuple(args.tag or ()),
                      category=args.category, no_images=args.no_images)
    failed = 0
    with locked_batch(args.site, options, now=args.now, wait=args.wait) as batch:
        for problem in batch.problems:
            print(f"warning: {problem} (not considered for duplicates or updates)", file=sys.stderr)
        for result in import_batch(args.inputs, batch):
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


def _seconds(text: str) -> float:
    """--wait value: a number of seconds, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 or more seconds (found {text!r})")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `import` to the command line."""
    parser = subparsers.add_parser(
        "import", help="turn raw news pages (files, folders, URLs) into articles",
        description="Import .html/.htm/.txt pages, folders of them, or http(s) URLs into content/. "
                    "With --refetch-images, retry the figures earlier imports could not download.")
    parser.add_argument("inputs", nargs="*", metavar="PATH_OR_URL",
                        help="pages to import; with --refetch-images, articles or folders "
                             "under content/ (default: all of it)")
    add_site_option(parser)
    parser.add_argument("--dry-run", action="store_true",
                        help="report only; write nothing, download no image")
    parser.add_argument("--force", action="store_true",
                        help="re-import and overwrite curated articles (a .bak copy is kept)")
    parser.add_argument("--json", action="store_true", help="one JSON object per page on stdout")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every removed text")
    parser.add_argument("--tag", action="append", metavar="TAG", help="add a tag to every page")
    parser.add_argument("--category", metavar="C", help="category for every page")
    parser.add_argument("--no-images", action="store_true",
                        help="do not download figures: they keep their web address as src")
    parser.add_argument("--refetch-images", action="store_true",
                        help="import nothing: download again the figures of imported articles "
                             "that kept only their source_url (offline or refused at import); "
                             "an edited article is left alone unless --force")
    parser.add_argument("--allow-duplicates", action="store_true",
                        help="import near-duplicates of existing articles as new articles")
    parser.add_argument("--wait", type=_seconds, default=LOCK_WAIT_SECONDS, metavar="SECONDS",
                        help="how long to wait for another import into the same site "
                             f"(default {LOCK_WAIT_SECONDS:g})")
    parser.add_argument("--now", type=_timestamp, default=None, help=argparse.SUPPRESS)
    parser.set_defaults(func=run)
