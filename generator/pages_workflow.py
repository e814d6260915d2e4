"""The GitHub Actions workflow that builds the archive and publishes it to GitHub Pages."""
from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath

from generator.errors import SiteError

WORKFLOW_PATH = PurePosixPath(".github/workflows/pages.yml")

# The official Pages flow (configure-pages -> upload-pages-artifact -> deploy-pages).
# configure-pages reports base_url without a trailing slash ("https://user.github.io/repo"),
# so the build step appends exactly one, stripping one first in case a later version adds it.
_TEMPLATE = """\
# Build the archive and publish it to GitHub Pages on every push to main.
# Written by `newsarchive init-pages`. In the repository on GitHub, choose
# Settings -> Pages -> Build and deployment -> Source: GitHub Actions.
name: Publish to GitHub Pages

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

# One deployment at a time; a run in progress finishes rather than being cancelled.
concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - name: Check out the repository
        uses: actions/checkout@v4

      - name: Set up Python
        uses: actions/setup-python@v5
        with:
          python-version: "3.11"
          cache: pip
          cache-dependency-path: pyproject.toml

      - name: Install newsarchive
        run: python -m pip install .

      - name: Configure GitHub Pages
        id: pages
        uses: actions/configure-pages@v5

      - name: Build the archive for the Pages address
{working_directory}        env:
          PAGES_BASE_URL: ${{{{ steps.pages.outputs.base_url }}}}
        run: |
          export NEWSARCHIVE_BASE_URL="${{PAGES_BASE_URL%/}}/"
          echo "base URL: $NEWSARCHIVE_BASE_URL"
          newsarchive build

      - name: Upload the site
        uses: actions/upload-pages-artifact@v3
        with:
          path: {output}

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - name: Deploy to GitHub Pages
        id: deployment
        uses: actions/deploy-pages@v4
"""


def workflow_text(site_path: str = ".") -> str:
    """The workflow for a site at SITE_PATH (relative to the repository root, "/"-separated)."""
    site = PurePosixPath(site_path)
    if site.is_absolute() or ".." in site.parts:
        raise SiteError(f"site folder {site_path!r} is not inside the repository")
    if str(site) == ".":
        return _TEMPLATE.format(working_directory="", output="output")
    return _TEMPLATE.format(working_directory=f"        working-directory: {site}\n",
                            output=f"{site}/output")


def repository_root(site_dir: Path) -> Path:
    """The git work tree holding SITE_DIR (GitHub reads workflows only there), else SITE_DIR."""
    try:
        result = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=site_dir,
                                capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return site_dir
    top = result.stdout.strip()
    return Path(top).resolve() if result.returncode == 0 and top else site_dir


def write_workflow(site_dir: Path, *, force: bool = False) -> tuple[Path, str]:
    """Write the workflow; (path, "written" | "unchanged" | "replaced"). Never clobbers silently."""
    site_dir = Path(site_dir).resolve()
    if not site_dir.is_dir():
        raise SiteError("site folder does not exist", path=site_dir)
    root = repository_root(site_dir)
    text = workflow_text(site_dir.relative_to(root).as_posix())
    path = root / WORKFLOW_PATH
    if path.is_file():
        current = path.read_bytes()
        if current == text.encode():
            return path, "unchanged"
        if not force:
            raise SiteError("a different workflow already exists; not overwriting it", path=path,
                            hint="compare it with `newsarchive init-pages`, or pass --force")
        status = "replaced"
    else:
        status = "written"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode())
    return path, status
