"""`newsarchive init-pages`: write the GitHub Actions workflow that publishes to Pages."""
from __future__ import annotations

import argparse

from generator.commands import add_site_option
from generator.publish.workflow import write_workflow


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the subcommand."""
    parser = subparsers.add_parser(
        "init-pages", help="write .github/workflows/pages.yml (publish on every push to main)",
        description="Write the GitHub Actions workflow that builds the archive with the base URL "
                    "GitHub Pages reports and publishes it. Then choose Settings -> Pages -> "
                    "Source: GitHub Actions in the repository on GitHub.")
    add_site_option(parser)
    parser.add_argument("--force", action="store_true",
                        help="replace an existing workflow file that differs")
    parser.add_argument("--upgrade", action="store_true",
                        help="rewrite a workflow an earlier newsarchive wrote (and nobody edited)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the workflow file and say where."""
    path, status = write_workflow(args.site, force=args.force, upgrade=args.upgrade)
    if status == "unchanged":
        print(f"{path} is already up to date")
    else:
        print(f"{status} {path}")
        print("next: commit it, push to main, and choose Settings -> Pages -> "
              "Source: GitHub Actions on GitHub")
    return 0
