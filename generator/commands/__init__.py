"""Subcommands of the `newsarchive` CLI; each module registers one (see generator.cli)."""
from __future__ import annotations

import argparse
from pathlib import Path


SITE_FILE = "site.yml"


def add_site_option(parser: argparse.ArgumentParser) -> None:
    """--site DIR: every command works on one site folder, found from the current one."""
    parser.add_argument("--site", metavar="DIR", type=Path, default=None,
                        help="site folder holding site.yml (default: the nearest folder "
                             "holding one, from the current folder up)")


def find_site(start: Path) -> Path:
    """The nearest folder from START upwards that holds site.yml (as git finds .git), else
    START itself, so that "no site.yml here" names the folder the user is in."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / SITE_FILE).is_file():
            return folder
    return start


def add_base_url_option(parser: argparse.ArgumentParser) -> None:
    """--base-url URL: overrides site.yml, as NEWSARCHIVE_BASE_URL does (the flag wins)."""
    parser.add_argument("--base-url", metavar="URL",
                        help="override base_url of site.yml (also: NEWSARCHIVE_BASE_URL)")
