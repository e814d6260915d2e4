"""The GitHub Actions workflow that builds the archive and publishes it to GitHub Pages."""
from __future__ import annotations

import importlib.resources
import subprocess
from pathlib import Path, PurePosixPath

from generator.core.errors import SiteError

WORKFLOW_PATH = PurePosixPath(".github/workflows/pages.yml")

# The official Pages flow (configure-pages -> upload-pages-artifact -> deploy-pages), kept in
# generator/workflows/: pages.yml is the current format, pages-v*.yml every earlier one that
# `init-pages` wrote (so `--upgrade` can tell an untouched old file from a user's edit).
# configure-pages reports base_url without a trailing slash ("https://user.github.io/repo"),
# so the build step appends exactly one, stripping one first in case a later version adds it.
CURRENT = "pages.yml"
EARLIER = ("pages-v1.yml",)


def _template(name: str) -> str:
    """A workflow template shipped with the package."""
    return importlib.resources.files("generator").joinpath("workflows", name).read_text("utf-8")


def workflow_text(site_path: str = ".", template: str = CURRENT) -> str:
    """The workflow for a site at SITE_PATH (relative to the repository root, "/"-separated)."""
    site = PurePosixPath(site_path)
    if site.is_absolute() or ".." in site.parts:
        raise SiteError(f"site folder {site_path!r} is not inside the repository")
    text = _template(template)
    if template == "pages-v1.yml":
        directory = "" if str(site) == "." else f"        working-directory: {site}\n"
        return text.format(working_directory=directory,
                           output="output" if str(site) == "." else f"{site}/output")
    return text.format(site=site, prefix="" if str(site) == "." else f"{site}/")


def repository_root(site_dir: Path) -> Path:
    """The git work tree holding SITE_DIR (GitHub reads workflows only there), else SITE_DIR."""
    try:
        result = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=site_dir,
                                capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return site_dir
    top = result.stdout.strip()
    return Path(top).resolve() if result.returncode == 0 and top else site_dir


def write_workflow(site_dir: Path, *, force: bool = False, upgrade: bool = False
                   ) -> tuple[Path, str]:
    """Write the workflow; (path, "written" | "unchanged" | "upgraded" | "replaced").

    Never clobbers silently: an earlier generated workflow that nobody edited is rewritten
    with `upgrade`, any other different file only with `force`."""
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
        status = _replacement(current, site_dir.relative_to(root).as_posix(), path,
                              force=force, upgrade=upgrade)
    else:
        status = "written"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode())
    return path, status


def _replacement(current: bytes, site_path: str, path: Path, *, force: bool, upgrade: bool) -> str:
    """How an existing different workflow may be replaced, or the error that refuses it."""
    generated = any(current == workflow_text(site_path, old).encode() for old in EARLIER)
    if generated and (upgrade or force):
        return "upgraded"
    if generated:
        raise SiteError("the workflow was written by an earlier newsarchive; not rewriting it",
                        path=path, hint="pass --upgrade to bring it to the current format")
    if force:
        return "replaced"
    raise SiteError("a different workflow already exists; not overwriting it", path=path,
                    hint="it was edited by hand: compare it with `newsarchive init-pages "
                         "--force` in a scratch copy, or pass --force to replace it")
