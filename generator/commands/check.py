"""`newsarchive check`: validate content and the built links without touching output/."""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from generator.build import build
from generator.stages.render import site_text
from generator.io.converters import converter_for
from generator.io.cache import DiskCache
from generator.commands import add_base_url_option, add_site_option
from generator.io.config import load_config
from generator.publish.script_check import check_scripts


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `check`."""
    parser = subparsers.add_parser(
        "check", help="validate content and links without writing output/",
        description="Build the site into a temporary folder (output/ is not touched), report "
                    "every content error, then check every internal link, anchor and asset, and that "
                    "no page shows characters of the other script.")
    add_site_option(parser)
    add_base_url_option(parser)
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """0 when content and links are sound, 1 otherwise."""
    config = load_config(args.site, base_url=args.base_url)
    with tempfile.TemporaryDirectory(prefix="newsarchive-check-") as tmp:
        out = Path(tmp) / "site"
        # the build's parse cache, read but never written: check changes nothing on disk
        cache = DiskCache.load(config.cache_dir, read_only=True)
        report = build(config, out_dir=out, cache=cache, strict=args.strict)
        # a link written in an article is reported once, at its line; the pages that show
        # it (one per script) do not report it again
        at_source = report.extra.get("broken_references", ())
        reported = report.extra.get("reported_links", frozenset())
        in_pages = [str(link) for link in check_links(out, config.base_path, config.base_url)
                    if (link.page, link.target) not in reported]
        converter = converter_for(config)
        labels = {s: ui.get("script_label", "") for s, ui in site_text(config, converter).ui.items()}
        mixed = check_scripts(out, config.content_dir, config.root, converter, labels)
    warnings = [w for w in report.warnings if w not in at_source]
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    broken = [*at_source, *in_pages]
    for problem in [*broken, *mixed]:
        print(f"error: {problem}", file=sys.stderr)
    print(f"{report.articles} articles, {report.pages} pages checked: "
          f"{len(broken)} broken link(s), {len(mixed)} other-script finding(s), "
          f"{len(warnings)} warning(s)")
    return 1 if broken or mixed else 0


def check_links(out: Path, base_path: str, base_url: str) -> list[object]:
    """generator.publish.linkcheck over the built site (no check when that module is absent)."""
    try:
        from generator.publish import linkcheck
    except ImportError:
        return []
    return linkcheck.check_site(out, base_path, base_url=base_url)


