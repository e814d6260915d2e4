"""Shared fixtures: a headless Chromium (Debian's, driven by Playwright) and a static server.

Browser tests skip only when Chromium is absent and NEWSARCHIVE_REQUIRE_BROWSER is unset;
CI sets it, so there a missing browser fails instead of passing silently.
"""
from __future__ import annotations

import functools
import hashlib
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str | None:
    """Debian's chromium binary, if installed."""
    return os.environ.get("NEWSARCHIVE_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the whole session (Playwright's own download is not used)."""
    path = chromium_path()
    if not path:
        if os.environ.get("NEWSARCHIVE_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


@pytest.fixture
def static_server() -> Iterator[object]:
    """Start stdlib static servers on ephemeral ports: `url = static_server(root_dir)`."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(root: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


# --- the shipped sample archive ---------------------------------------------------------
# Tests marked `sample` check the sample archive this repository ships (the seed article,
# the search fixtures' expected hits). A fork whose content/ holds its own articles skips
# them with a reason; this repository's CI sets NEWSARCHIVE_REQUIRE_SAMPLE so a changed
# sample fails there instead. After changing the sample on purpose, record it again:
#   .venv/bin/python -c "import sys; sys.path[:0] = ['tests']; import conftest; \
#       print(conftest.content_digest())" > tests/fixtures/sample_content.sha256
SAMPLE_DIGEST = REPO / "tests" / "fixtures" / "sample_content.sha256"


def content_digest(folder: Path = REPO / "content") -> str:
    """SHA-256 over every file of content/ (relative path and bytes)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@functools.cache
def is_shipped_sample() -> bool:
    """content/ is the sample archive this repository ships."""
    return content_digest() == SAMPLE_DIGEST.read_text(encoding="utf-8").strip()


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip (or, where the sample is required, fail) `sample` tests in a site of its own."""
    if item.get_closest_marker("sample") is None or is_shipped_sample():
        return
    message = "content/ is not the shipped sample archive (a site with its own articles)"
    if os.environ.get("NEWSARCHIVE_REQUIRE_SAMPLE"):
        pytest.fail(f"{message}: update {SAMPLE_DIGEST.name} if the sample changed on purpose")
    pytest.skip(message)


# --- git ---------------------------------------------------------------------------------
FIXED_DATE = "2025-03-04T05:06:07+08:00"


@pytest.fixture
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Isolated, deterministic git: no user or system config, fixed names and dates."""
    config = tmp_path / "gitconfig"
    config.write_text("[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    # "not a git repository" must not find a repository above the test folder
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Curator")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "curator@example.com")
        monkeypatch.setenv(f"GIT_{role}_DATE", FIXED_DATE)
    monkeypatch.delenv("NEWSARCHIVE_BASE_URL", raising=False)
    monkeypatch.delenv("GIT_INDEX_FILE", raising=False)
