"""`deploy` against remotes that never answer: one error line, bounded, nothing changed locally.

The remotes are real: a TCP server on 127.0.0.1 that accepts and says nothing, used as an
http:// git remote, and an `ext::` remote whose transport is a shell that only sleeps (no HTTP,
so only the process-group kill can stop it).
"""
from __future__ import annotations

import hashlib
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import cli

from generator.publish import deploy
from generator.core.errors import SiteError

TIMEOUT = 1.0


@pytest.fixture(autouse=True)
def git_env(isolated_git: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Isolated git (conftest.isolated_git), and no speed limit or proxy from the machine."""
    for name in ("GIT_HTTP_LOW_SPEED_LIMIT", "GIT_HTTP_LOW_SPEED_TIME", "http_proxy", "all_proxy",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def silent_remote() -> Iterator[str]:
    """An http:// URL whose server accepts every connection and never sends a byte."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/site.git"
    listener.close()
    for conn in held:
        conn.close()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A site checkout with one commit and a built output/ (origin is set by each test)."""
    path = tmp_path / "site"
    (path / "output").mkdir(parents=True)
    git(path, "init", "-q")
    (path / ".gitignore").write_text("/output/\n")
    (path / "site.yml").write_text("title: 測試新聞\nbase_url: https://example.org/\n")
    git(path, "add", ".")
    git(path, "commit", "-q", "-m", "start")
    (path / "output" / "index.html").write_text("<h1>home</h1>\n")
    return path


def repo_state(site: Path) -> dict[str, str]:
    """Digest of every file in the checkout, .git/ included: "unchanged" means byte for byte."""
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def deploy_cli(site: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, float]:
    """Run `deploy --no-build --timeout TIMEOUT`; (status, stderr, seconds taken)."""
    started = time.monotonic()
    status = cli.main(["deploy", "--site", str(site), "--no-build", "--timeout", f"{TIMEOUT:g}"])
    return status, capsys.readouterr().err, time.monotonic() - started


def test_a_silent_http_remote_is_one_error_line_and_nothing_changes(
        site: Path, silent_remote: str, capsys: pytest.CaptureFixture[str]) -> None:
    git(site, "remote", "add", "origin", silent_remote)
    before = repo_state(site)
    status, err, took = deploy_cli(site, capsys)
    assert status == 1
    assert err == ("error: the remote 'origin' did not answer within 1 seconds (git ls-remote); "
                   "nothing was published (check the remote URL and your network, "
                   "or allow longer with --timeout SECONDS)\n")
    assert repo_state(site) == before
    assert took < 30  # generous: without a limit it never returns


def alive(pid: int) -> bool:
    """Whether PID is a running (not zombie) process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_hung_transport_is_killed_with_its_whole_process_group(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # ext:: runs a command as the transport; this one records its pid and sleeps for good
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "protocol.ext.allow")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "always")
    pid_file = tmp_path / "transport.pid"
    git(site, "remote", "add", "origin", f"ext::sh -c echo% $$% >{pid_file};% exec% sleep% 300")
    before = repo_state(site)
    status, err, took = deploy_cli(site, capsys)
    assert status == 1 and "did not answer within 1 seconds (git ls-remote)" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert repo_state(site) == before and took < 30
    transport = int(pid_file.read_text())
    for _ in range(50):
        if not alive(transport):
            break
        time.sleep(0.1)
    assert not alive(transport), "the transport outlived the killed git"


def test_a_push_to_a_remote_that_stops_answering_is_stopped(
        site: Path, tmp_path: Path, silent_remote: str) -> None:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(site, "remote", "add", "origin", str(bare))
    prepared = deploy.prepare(deploy.resolve_target(site, timeout=TIMEOUT), site / "output")
    # the remote goes silent between reading the branch and pushing to it
    git(site, "remote", "set-url", "origin", silent_remote)
    before = repo_state(site)
    with pytest.raises(SiteError) as caught:
        deploy.publish(prepared)
    assert caught.value.message == ("the push to origin/gh-pages did not finish within 1 seconds; "
                                    "it was stopped and may not have been published")
    assert repo_state(site) == before
    assert git(bare, "for-each-ref") == ""


def test_timeout_must_be_a_positive_number(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for bad in ("0", "-3", "soon"):
        with pytest.raises(SystemExit):
            cli.main(["deploy", "--site", str(site), "--no-build", "--timeout", bad])
        assert "--timeout" in capsys.readouterr().err
