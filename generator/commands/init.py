"""`newsarchive init [DIR]`: a complete, commented starting archive in DIR.

The starting files live in generator/starter/ (shipped in the package); `starter_files`
fills them in (pure), `write_starter` writes them and never overwrites without --force.
"""
from __future__ import annotations

import argparse
import importlib.resources
import os
from datetime import date
from pathlib import Path
from string import Template

from generator import __version__
from generator.core.settings import check_base_url
from generator.core.errors import SiteError
from generator.publish.workflow import WORKFLOW_PATH, workflow_text

# starter file -> where it goes in the new site ($-placeholders filled in by starter_files)
STARTER = {
    "site.yml": "site.yml",
    "glossary.yml": "glossary.yml",
    "companies.yml": "companies.yml",
    "gitignore.txt": ".gitignore",
    "requirements.txt": "requirements.txt",
    "README.md": "README.md",
}
DEFAULT_TITLE = {"hant": "企業新聞典藏", "hans": "企业新闻典藏"}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `init`."""
    parser = subparsers.add_parser(
        "init", help="start a new archive in DIR (settings, glossary, a first article, workflow)",
        description="Write a complete starting archive: site.yml (every setting explained), "
                    "glossary.yml, content/ with a welcome article, .gitignore, "
                    "requirements.txt, .github/workflows/pages.yml and README.md. "
                    "Existing files are never overwritten unless --force.")
    parser.add_argument("dir", nargs="?", default=".", type=Path,
                        help="folder of the new archive (default: the current folder)")
    parser.add_argument("--title", help="the archive's name (default: 企業新聞典藏)")
    parser.add_argument("--base-url", default="https://example.github.io/archive/",
                        help="the address it will be published at (default: %(default)s)")
    parser.add_argument("--script", choices=("hant", "hans"), default="hant",
                        help="the script of the welcome article and the default for / "
                             "(default: %(default)s)")
    parser.add_argument("--force", action="store_true", help="overwrite files that exist")
    parser.set_defaults(func=run)


def starter_files(*, title: str, base_url: str, script: str, today: date) -> dict[str, str]:
    """{path in the new site: text} of every starting file."""
    values = {"title": title, "base_url": base_url, "script": script,
              "version": __version__, "date": today.isoformat()}
    files = {target: Template(_starter(name)).substitute(values) for name, target in STARTER.items()}
    files[f"content/{today:%Y}/{today.isoformat()}-welcome.md"] = Template(
        _starter(f"welcome-{script}.md")).substitute(values)
    files[WORKFLOW_PATH.as_posix()] = workflow_text(".")
    return files


def _starter(name: str) -> str:
    """One file of generator/starter/."""
    return importlib.resources.files("generator").joinpath("starter", name).read_text("utf-8")


def write_starter(folder: Path, files: dict[str, str], *, force: bool) -> list[str]:
    """Write the files under folder; refuse (listing them) when any exists, unless force."""
    existing = sorted(p for p in files if (folder / p).exists())
    if existing and not force:
        listed = ", ".join(existing)
        raise SiteError(f"not overwriting {len(existing)} existing file(s): {listed}",
                        path=str(folder), hint="start in an empty folder, or pass --force")
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.init-{os.getpid()}")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    return existing


def run(args: argparse.Namespace) -> int:
    """Write the starting archive and print the next steps."""
    base_url = check_base_url(args.base_url, "--base-url")
    title = args.title or DEFAULT_TITLE[args.script]
    files = starter_files(title=title, base_url=base_url, script=args.script,
                          today=date.today())
    folder = args.dir
    try:
        replaced = write_starter(folder, files, force=args.force)
    except OSError as exc:
        raise SiteError(f"could not write the archive ({exc.strerror})",
                        path=str(exc.filename or folder)) from exc
    for relative in files:
        print(f"{'replaced' if relative in replaced else 'wrote'} {folder / relative}")
    print(f"next: cd {folder} && newsarchive serve --watch   (then newsarchive import PAGE)")
    return 0

