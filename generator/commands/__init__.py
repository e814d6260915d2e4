"""Subcommands of the `newsarchive` CLI; each module registers one (see generator.cli)."""
from __future__ import annotations

import argparse
from pathlib import Path


def add_site_option(parser: argparse.ArgumentParser) -> None:
    """--site DIR: every command works on one site folder, the current one by default."""
    parser.add_argument("--site", metavar="DIR", type=Path, default=Path("."),
                        help="site folder holding site.yml (default: current folder)")


def add_base_url_option(parser: argparse.ArgumentParser) -> None:
    """--base-url URL: overrides site.yml, as NEWSARCHIVE_BASE_URL does (the flag wins)."""
    parser.add_argument("--base-url", metavar="URL",
                        help="override base_url of site.yml (also: NEWSARCHIVE_BASE_URL)")
