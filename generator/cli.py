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


def command_name(module: str) -> str:
    """The subcommand a module registers ("import_" -> "import", "init_pages" -> "init-pages")."""
    return module.rstrip("_").replace("_", "-")


def make_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser with every subcommand, or with `only` that one (importing fewer modules
    keeps `build` fast: some commands import heavy libraries)."""
    parser = argparse.ArgumentParser(
        prog="newsarchive",
        description="Build a curated Chinese company-news archive in both scripts.")
    parser.add_argument("--version", action="version", version=f"newsarchive {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        if only is None or command_name(name) == only:
            module = importlib.import_module(f"generator.commands.{name}")
            module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; exit status 0 on success, 1 on content errors, 2 on usage errors."""
    argv = list(sys.argv[1:] if argv is None else argv)
    first = argv[0] if argv else None
    known = {command_name(m) for m in COMMAND_MODULES}
    parser = make_parser(first if first in known else None)
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
    except OSError as error:  # a file operation no command turned into a SiteError
        where = f"{error.filename}: " if error.filename else ""
        print(f"error: {where}{error.strerror or error} (check the folder's permissions and "
              "free space, then run the command again)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
