"""The `newsarchive` command line: one subcommand per module in generator/commands/."""
from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from generator import __version__
from generator.errors import BuildFailed, SiteError

# Each module defines `register(subparsers) -> None`, which adds its subparser and sets
# `func(args) -> int` as the parser default. Order here is the order in `--help`.
COMMAND_MODULES = ("build", "check", "new", "import_", "serve", "deploy", "init_pages")


def make_parser() -> argparse.ArgumentParser:
    """The full parser, with every available subcommand."""
    parser = argparse.ArgumentParser(
        prog="newsarchive",
        description="Build a curated Chinese company-news archive in both scripts.")
    parser.add_argument("--version", action="version", version=f"newsarchive {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"generator.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; exit status 0 on success, 1 on content errors, 2 on usage errors."""
    parser = make_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except BuildFailed as failure:
        for error in failure.errors:
            print(f"error: {error}", file=sys.stderr)
        print(f"{len(failure.errors)} error(s); nothing was changed", file=sys.stderr)
        return 1
    except SiteError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
