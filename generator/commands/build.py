"""`newsarchive build`: content/ -> output/ in both scripts."""
from __future__ import annotations

import argparse
import dataclasses
import sys
from generator.build import build
from generator.commands import add_base_url_option, add_site_option
from generator.io.config import load_config
from generator.core.model import BuildReport


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `build` and its options."""
    parser = subparsers.add_parser(
        "build", help="build the static site into output/",
        description="Build content/ into a static site in Traditional and Simplified Chinese. "
                    "Nothing in the output folder changes unless the whole build succeeds.")
    add_site_option(parser)
    add_base_url_option(parser)
    parser.add_argument("--out", metavar="DIR",
                        help="output folder (default: output/ in the site folder); it must be "
                             "empty or made by an earlier build")
    parser.add_argument("--clean", action="store_true",
                        help="also remove files of the output folder no build made (never in "
                             "a folder holding .git, site.yml or content/)")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--no-search", action="store_true",
                        help="skip the search index (site.yml `search: false` does the same)")
    parser.add_argument("--quiet", action="store_true", help="no progress and summary lines")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Build once and print the summary line."""
    config = load_config(args.site, base_url=args.base_url)
    if args.no_search:
        config = dataclasses.replace(config, search=False)
    progress = terminal_progress() if not args.quiet and sys.stderr.isatty() else None
    report = build(config, out_dir=args.out, strict=args.strict, progress=progress,
                   clean=args.clean)
    if progress:
        sys.stderr.write("\r\033[K")
    if not args.quiet:
        print_report(report)
    return 0


def print_report(report: BuildReport) -> None:
    """Warnings, one per line, then the summary line."""
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    kept = report.extra.get("kept", 0)
    tail = f"; {kept} file(s) no build made kept in the output folder (--clean removes them)" if kept else ""
    print(report.summary() + tail)


def terminal_progress():
    """A progress callback that redraws one status line on stderr."""
    def show(stage: str, done: int, total: int) -> None:
        """Redraw the status line."""
        sys.stderr.write(f"\r\033[K{stage}: {min(done, total)}/{total}")
        sys.stderr.flush()
    return show
