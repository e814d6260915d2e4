"""`newsarchive deploy`: build with the production base_url and publish to a Pages branch."""
from __future__ import annotations

import argparse

from generator.publish import deploy
from generator.build import build
from generator.commands import add_base_url_option, add_site_option
from generator.commands.build import print_report
from generator.io.config import load_config


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the subcommand."""
    parser = subparsers.add_parser(
        "deploy", help="build and push output/ as a new commit on the gh-pages branch",
        description="Build the site, then commit exactly output/ on top of the Pages branch "
                    "fetched from the remote and push it (never forced). Your checkout, index "
                    "and branches are not touched.")
    add_site_option(parser)
    parser.add_argument("--remote", default="origin", help="git remote to push to (default: origin)")
    parser.add_argument("--branch", default="gh-pages",
                        help="branch GitHub Pages serves (default: gh-pages)")
    parser.add_argument("--message", "-m", metavar="TEXT",
                        help="commit subject (the source commit is always named below it)")
    add_base_url_option(parser)
    parser.add_argument("--no-build", action="store_true",
                        help="publish output/ as it is, without building first")
    parser.add_argument("--dry-run", action="store_true",
                        help="build and prepare the commit, but push nothing")
    parser.add_argument("--timeout", type=_seconds, default=deploy.REMOTE_TIMEOUT_SECONDS,
                        metavar="SECONDS",
                        help="give up when the remote does not answer for this long "
                             f"(default: {deploy.REMOTE_TIMEOUT_SECONDS:g}; fetch and push "
                             f"may take {deploy.TRANSFER_FACTOR}× this in all)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Check the repository and remote, build, then publish."""
    config = load_config(args.site, base_url=args.base_url)
    # repository and remote problems surface before spending time on a build
    target = deploy.resolve_target(config.root, remote=args.remote, branch=args.branch,
                                   timeout=args.timeout)
    if not args.no_build:
        print(f"building for {config.base_url}")
        print_report(build(config, out_dir=config.output_dir))
    result = deploy.deploy(target, config.output_dir, message=args.message,
                           cname=config.cname, dry_run=args.dry_run)
    print(result.summary())
    return 0


def _seconds(text: str) -> float:
    """--timeout value: a positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"give a positive number of seconds, not {text!r}")
    return value
