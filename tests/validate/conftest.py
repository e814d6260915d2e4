"""The `validate` suite: the validators people trust, run over two real builds.

Both archives (the sample content/ and a 300-article one from ../shared/bench/make_corpus.py)
are built once per session into a temporary folder served on 127.0.0.1, with the server's URL as
base_url so that canonical links, feeds and the sitemap name the pages actually served.

The validators are installed by .ci/run: Java (Debian) for the W3C Nu checker, and the pinned
npm packages of tools/validate/package.json (vnu-jar, html-validate, axe-core, lighthouse).
Where one is missing the tests skip with the reason, unless NEWSARCHIVE_REQUIRE_VALIDATORS is
set (CI sets it): then they fail.
"""
from __future__ import annotations

import dataclasses
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

REPO = Path(__file__).resolve().parents[2]
NODE_MODULES = Path(os.environ.get("NEWSARCHIVE_VALIDATORS", REPO / "tools/validate/node_modules"))
MAKE_CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"
GENERATED = 300
# the archive lives below the server's root, as on a GitHub Pages project site
SUBPATH = "archive/"


def missing(reason: str) -> None:
    """Skip, or fail where validators are required (CI)."""
    if os.environ.get("NEWSARCHIVE_REQUIRE_VALIDATORS"):
        pytest.fail(reason)
    pytest.skip(reason)


def node_tool(relative: str) -> Path:
    """A file of an installed npm package, e.g. 'axe-core/axe.min.js' (skips when absent)."""
    path = NODE_MODULES / relative
    if not shutil.which("node") or not path.exists():
        missing(f"{relative} not installed (npm ci --prefix tools/validate; see .ci/run)")
    return path


def java() -> str:
    """The java binary (skips when absent)."""
    found = shutil.which("java")
    if not found:
        missing("java not installed (apt-get install default-jre-headless)")
    return found


@dataclasses.dataclass(frozen=True)
class Built:
    """A built archive: its output folder and the URL it is served at (= its base_url)."""

    name: str
    out: Path
    url: str

    def html_files(self) -> list[Path]:
        """Every HTML page of the build."""
        return sorted(self.out.rglob("*.html"))

    def page_url(self, relative: str) -> str:
        """Served URL of an output path ('' is the root chooser), percent-encoded."""
        return self.url + quote(relative, safe="/")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


@pytest.fixture(scope="session")
def served_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A folder served on 127.0.0.1 for the whole session: (folder, 'http://127.0.0.1:PORT/')."""
    root = tmp_path_factory.mktemp("validate-served")
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _build(site: Path, out: Path, base_url: str) -> None:
    """`newsarchive build` of a site folder, as a reader would run it."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    subprocess.run([sys.executable, "-m", "generator", "build", "--site", str(site), "--out",
                    str(out), "--base-url", base_url, "--quiet"], check=True, env=env, cwd=REPO)


def _site_folder(folder: Path, articles: Path | None) -> Path:
    """The repository's site settings with the sample content, or with `articles` instead."""
    folder.mkdir(parents=True)
    for name in ("site.yml", "glossary.yml", "companies.yml"):
        shutil.copy(REPO / name, folder / name)
    if articles is None:
        shutil.copytree(REPO / "content", folder / "content")
    return folder


@pytest.fixture(scope="session")
def sample(served_root: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The sample archive (content/), built and served."""
    root, url = served_root
    site = _site_folder(tmp_path_factory.mktemp("sample") / "site", None)
    base = f"{url}sample/{SUBPATH}"
    _build(site, root / "sample" / SUBPATH, base)
    return Built("sample", root / "sample" / SUBPATH, base)


@pytest.fixture(scope="session")
def generated(served_root: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Built:
    """A 300-article archive from make_corpus.py, built and served."""
    if not MAKE_CORPUS.is_file():
        missing(f"{MAKE_CORPUS} is absent")
    root, url = served_root
    site = _site_folder(tmp_path_factory.mktemp("generated") / "site", Path("generated"))
    subprocess.run([sys.executable, str(MAKE_CORPUS), "--n", str(GENERATED), "--out",
                    str(site / "content"), "--flavor", "plain"], check=True, stdout=subprocess.DEVNULL)
    base = f"{url}generated/{SUBPATH}"
    _build(site, root / "generated" / SUBPATH, base)
    return Built("generated", root / "generated" / SUBPATH, base)


@pytest.fixture(scope="session", params=["sample", "generated"])
def archive(request: pytest.FixtureRequest) -> Built:
    """Each archive in turn."""
    return request.getfixturevalue(request.param)


def page_kinds(built: Built, script: str) -> dict[str, str]:
    """{page kind: output path} of one page of every kind in a script ('' = root chooser)."""
    out, prefix = built.out, f"zh-{script}/"
    first = lambda pattern: next(  # noqa: E731 - a one-line helper
        p.relative_to(out).as_posix() for p in sorted(out.glob(prefix + pattern)))
    kinds = {
        "home": prefix, "pagination": prefix + "page/2/",
        "article": first("articles/*/index.html").removesuffix("index.html"),
        "tag": first("tags/*/index.html").removesuffix("index.html"),
        "tags-index": prefix + "tags/",
        "category": first("categories/*/index.html").removesuffix("index.html"),
        "categories-index": prefix + "categories/",
        "year": first("archive/[0-9][0-9][0-9][0-9]/index.html").removesuffix("index.html"),
        "month": first("archive/[0-9][0-9][0-9][0-9]/[0-9][0-9]/index.html").removesuffix("index.html"),
        "404": "404.html", "root": "",
    }
    if not (out / prefix / "page/2/index.html").is_file():
        del kinds["pagination"]
    return kinds
