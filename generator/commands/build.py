"""`newsarchive build` (placeholder until its implementation lands)."""
from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the subcommand (not yet available)."""
    subparsers.add_parser("build", help="(not yet available)")
