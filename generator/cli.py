"""The `newsarchive` command line: one subcommand per module in generator/commands/."""
from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from generator import __version__
from generator.commands import find_site
from generator.core.errors import BuildFailed, SiteError

# Each module defines `register(subparsers) -> None`, which adds its subparser and sets
# `func(args) -> int` as the parser default. Order here is the order in `--help`.
COMMAND_MODULES = ("init", "build", "check", "new", "import_", "serve", "deploy", "init_pages")


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
    parser.add_argument("--site", metavar="DIR", type=Path, dest="global_site",
                        help="site folder (also accepted after the command)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        if only is None or command_name(name) == only:
            module = importlib.import_module(f"generator.commands.{name}")
            module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; exit status 0 on success, 1 on content errors, 2 on usage errors."""
    argv = list(sys.argv[1:] if argv is None else argv)
    known = {command_name(m) for m in COMMAND_MODULES}
    parser = make_parser(_command_word(argv, known))
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    _settle_site(args)
    try:
        return int(args.func(args) or 0)
    except BuildFailed as failure:
        report_errors(failure.errors)
        return 1
    except SiteError as error:
        report_errors([error])
        return 1
    except OSError as error:  # a file operation no command turned into a SiteError
        where = f"{error.filename}: " if error.filename else ""
        print(f"error: {where}{error.strerror or error} (check the folder's permissions and "
              "free space, then run the command again)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def report_errors(errors: Sequence[SiteError]) -> None:
    """One `error: path:line: what (hint)` line each; a failure of several errors ends with
    their count, whatever kind of command failed (a stopped command changed nothing)."""
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if len(errors) > 1:
        print(f"{len(errors)} errors; nothing was changed", file=sys.stderr)


def _command_word(argv: Sequence[str], known: set[str]) -> str | None:
    """The subcommand named in argv, past global options (`--site DIR build`)."""
    words = iter(argv)
    for word in words:
        if word == "--site":
            next(words, None)
        elif word in known:
            return word
        elif not word.startswith("-"):
            return None
    return None


def _settle_site(args: argparse.Namespace) -> None:
    """--site after the command wins over one before it; without either, the nearest site
    folder from the current one."""
    if not hasattr(args, "site"):
        return
    if args.site is None:
        args.site = args.global_site
    if args.site is None:
        args.site = find_site(Path.cwd())


if __name__ == "__main__":
    sys.exit(main())
