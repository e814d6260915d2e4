"""The preview loop with a stand-in build: errors, crashes, changed paths, clean-up."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from generator.core.settings import Config
from generator.core.errors import BuildFailed, SiteError
from generator.build import build as full_build
from generator.io.config import load_config
from generator.preview.serve import (
    SERVE_CACHE_DIR,
    Preview,
    changed_paths,
    local_base_url,
    preview_temp_parent,
    remove_tree,
    session_cache,
)
from generator.preview.watch import ChangeBatch, Kind


class FakeBuild:
    """Writes one page from content/page.txt; fails the way a marker file says."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, frozenset[Path] | None]] = []
        self.indexers: list[Any] = []

    def __call__(self, config: Config, *, out_dir: Path, cache: Any = None,
                 changed: frozenset[Path] | None = None, indexer: Any = None) -> None:
        self.calls.append((cache, changed))
        self.indexers.append(indexer)
        content = config.root / "content"
        if (content / "crash").exists():
            raise RuntimeError("bug in the build")
        if (content / "bad").exists():
            raise BuildFailed([SiteError("date: not a date", "content/2025/a.md", 3),
                               SiteError("title: is required", "content/2025/b.md", 1)])
        text = (content / "page.txt").read_text(encoding="utf-8")
        (out_dir / "index.html").write_text(
            f"<html><body><p>{text}</p><a href='{config.base_url}'>home</a></body></html>",
            encoding="utf-8")


@pytest.fixture
def preview(tmp_path: Path):
    """A started preview of a tiny site on an ephemeral port, closed afterwards."""
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "site.yml").write_text("title: Test\nbase_url: https://example.org/archive/\n")
    (site / "content/page.txt").write_text("first", encoding="utf-8")
    build = FakeBuild()
    out, err = io.StringIO(), io.StringIO()
    view = Preview(site, port=0, out=out, err=err, build_fn=build,
                   cache_factory=lambda config: {"cache": "kept"}, temp_parent=tmp_path)
    try:
        view.start()
        yield view, build, site, out, err
    finally:
        view.close()


def fetch(url: str) -> str:
    """GET a page body as text."""
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def test_start_builds_with_base_url_at_the_server_keeping_the_sub_path(preview) -> None:
    view, build, site, out, _ = preview
    port = int(view.url.split(":")[2].split("/")[0])
    assert port > 0
    assert view.url == f"http://127.0.0.1:{port}/archive/"
    assert view.config.base_url == view.url
    assert "first" in fetch(view.url)
    assert not (site / "output").exists()
    assert build.calls == [({"cache": "kept"}, None)]
    assert out.getvalue().startswith("built in ")


def test_failed_rebuild_keeps_last_good_site_and_publishes_errors(preview) -> None:
    view, _, site, _, err = preview
    (site / "content/bad").touch()
    outcome = view.rebuild(ChangeBatch(frozenset({site / "content/bad"}),
                                       frozenset({Kind.CONTENT})))
    assert not outcome.ok
    assert err.getvalue().splitlines()[:2] == ["content/2025/a.md:3: date: not a date",
                                               "content/2025/b.md:1: title: is required"]
    assert view.state.snapshot().errors == ("content/2025/a.md:3: date: not a date",
                                            "content/2025/b.md:1: title: is required")
    assert "first" in fetch(view.url)
    (site / "content/bad").unlink()
    (site / "content/page.txt").write_text("second", encoding="utf-8")
    assert view.rebuild(ChangeBatch(frozenset({site / "content/page.txt"}),
                                    frozenset({Kind.CONTENT}))).ok
    assert view.state.snapshot().errors == ()
    assert view.state.snapshot().epoch == 2
    assert "second" in fetch(view.url)


def test_failed_rebuild_says_which_site_is_served(preview) -> None:
    view, _, site, _, err = preview
    (site / "content/bad").touch()
    view.rebuild(None)
    assert err.getvalue().splitlines()[-1] == \
        "build failed: 2 error(s); still serving the last good build"


def test_first_build_failing_says_there_is_nothing_to_serve(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "site.yml").write_text("title: Test\n")
    (site / "content/bad").touch()
    err = io.StringIO()
    view = Preview(site, port=0, out=io.StringIO(), err=err, build_fn=FakeBuild(),
                   cache_factory=lambda config: None, temp_parent=tmp_path)
    try:
        assert not view.start().ok
    finally:
        view.close()
    assert err.getvalue().splitlines()[-1] == \
        "build failed: 2 error(s); nothing to serve until the errors are fixed"


def test_crash_inside_a_build_never_stops_the_server(preview) -> None:
    view, _, site, _, err = preview
    (site / "content/crash").touch()
    outcome = view.rebuild(None)
    assert not outcome.ok and "bug in the build" in outcome.errors[0]
    assert "RuntimeError" in err.getvalue()
    assert "first" in fetch(view.url)


def test_broken_site_yml_is_an_error_not_a_crash(preview) -> None:
    view, _, site, _, _ = preview
    (site / "site.yml").write_text("title: [unclosed\n")
    outcome = view.rebuild(ChangeBatch(frozenset({site / "site.yml"}), frozenset({Kind.CONFIG})))
    assert not outcome.ok and outcome.errors[0].startswith("site.yml:")
    assert "first" in fetch(view.url)


def test_cache_is_kept_and_changed_paths_are_passed(preview) -> None:
    view, build, site, _, _ = preview
    paths = frozenset({site.resolve() / "content/page.txt"})
    view.rebuild(ChangeBatch(paths, frozenset({Kind.CONTENT})))
    assert build.calls[-1] == ({"cache": "kept"}, frozenset({"content/page.txt"}))
    assert build.calls[-1][0] is build.calls[0][0]
    # search is on: every build hands its indexing to the session's one background indexer
    assert build.indexers[0] is not None and build.indexers[-1] == build.indexers[0]
    assert build.indexers[0].__self__ is view._indexer


def test_changed_paths_are_site_relative_or_none_when_everything_must_be_reread() -> None:
    root = Path("/s")
    paths = frozenset({root / "content/2025/a.md", root / "content/b.md", Path("/elsewhere/x")})
    expected = frozenset({"content/2025/a.md", "content/b.md"})
    assert changed_paths(ChangeBatch(paths, frozenset({Kind.CONTENT})), root) == expected
    assert changed_paths(ChangeBatch(paths, frozenset({Kind.CONTENT}), rescan=True), root) is None
    assert changed_paths(ChangeBatch(paths, frozenset({Kind.CONFIG})), root) is None
    assert changed_paths(None, root) is None


def test_close_removes_the_temporary_folder_and_stops_serving(preview) -> None:
    view, *_ = preview
    out_dir, url = view.out_dir, view.url
    view.close()
    assert not out_dir.parent.exists()
    with pytest.raises(urllib.error.URLError):
        fetch(url)


def test_local_base_url_for_wildcard_and_ipv6_binds() -> None:
    assert local_base_url("0.0.0.0", 8000, "/") == "http://127.0.0.1:8000/"
    assert local_base_url("::1", 8000, "/a/") == "http://[::1]:8000/a/"


def test_port_in_use_is_a_site_error(preview, tmp_path: Path) -> None:
    view, _, site, _, _ = preview
    port = int(view.url.split(":")[2].split("/")[0])
    other = Preview(site, port=port, build_fn=FakeBuild(), temp_parent=tmp_path)
    with pytest.raises(SiteError, match="cannot listen"):
        other.start()
    other.close()


def test_cli_serves_then_ctrl_c_exits_within_a_second_leaving_nothing(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content/2025").mkdir(parents=True)
    (site / "site.yml").write_text("title: T\nsearch: false\n", encoding="utf-8")
    (site / "content/2025/a.md").write_text(
        "---\ntitle: 標題\ndate: 2025-01-02\ntags: [甲]\n---\n\n正文。\n", encoding="utf-8")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--watch", "--port", "0", "--site", str(site)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        while line and not line.startswith("serving "):
            line = proc.stdout.readline()
        url = line.split()[1].rstrip(";")
        assert url.startswith("http://127.0.0.1:") and not url.startswith("http://127.0.0.1:0/")
        assert "<html" in fetch(url + "zh-hant/articles/a/")
        assert len(list(scratch.iterdir())) == 1  # the temporary build folder
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=5) == 0
        assert time.monotonic() - started < 1.0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert list(scratch.iterdir()) == []
    assert not (site / "output").exists()


def test_cli_warns_when_not_bound_to_loopback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "serve", "--host", "0.0.0.0", "--port", "0",
         "--site", str(tmp_path)], capture_output=True, text=True, timeout=30)
    assert "warning: listening on 0.0.0.0" in result.stderr
    assert result.returncode == 1  # no site.yml: the first build fails without --watch
    assert "site.yml" in result.stderr


def test_ctrl_c_during_a_build_is_not_reported_as_a_build_error(tmp_path: Path) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> None:
        try:
            raise KeyboardInterrupt
        finally:  # what a forked worker's crash report looks like after Ctrl-C
            raise RuntimeError("worker process failed:\nKeyboardInterrupt")

    (tmp_path / "site.yml").write_text("title: T\n")
    view = Preview(tmp_path, port=0, out=io.StringIO(), err=io.StringIO(), build_fn=interrupted,
                   temp_parent=tmp_path)
    try:
        with pytest.raises(KeyboardInterrupt):
            view.start()
    finally:
        view.close()


def test_preview_goes_to_ram_unless_tmpdir_is_set() -> None:
    assert preview_temp_parent({"TMPDIR": "/somewhere"}) is None
    chosen = preview_temp_parent({})
    assert chosen is None or chosen == Path("/dev/shm")


def test_session_cache_keeps_rendered_pages_for_the_next_start(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "site.yml").write_text("title: T\nsearch: false\n")
    (tmp_path / "content").mkdir()
    (tmp_path / "content/a.md").write_text(
        "---\ntitle: 標題\ndate: 2025-01-02\ntags: [甲]\n---\n\n正文。\n", encoding="utf-8")
    config = load_config(tmp_path, base_url="http://127.0.0.1:8000/")
    cold = session_cache(config)
    assert cold.folder == tmp_path / ".newsarchive-cache" / SERVE_CACHE_DIR and cold.keep_pages
    full_build(config, out_dir=tmp_path / "session-1", cache=cold)  # writes the cache back
    pages_file = cold.folder / "pages.pickle"
    stamp = pages_file.stat().st_mtime_ns

    warm = session_cache(config)
    assert len(warm.articles) == 1
    assert warm.manifests == {}  # the earlier session's folder is gone
    from generator.core.render import Renderer

    rendered: list[str] = []
    original = Renderer.render

    def counting(self, page):  # type: ignore[no-untyped-def]
        if page.kind != "static":
            rendered.append(page.path)
        return original(self, page)

    monkeypatch.setattr(Renderer, "render", counting)
    full_build(config, out_dir=tmp_path / "session-2", cache=warm)
    assert rendered == []  # every page unpacked from the kept ones, none rendered again
    assert snapshot_of(tmp_path / "session-2") == snapshot_of(tmp_path / "session-1")
    assert pages_file.stat().st_mtime_ns == stamp  # nothing new to keep, nothing rewritten

    # another port reuses the parsed articles, but pages carry absolute URLs: rendered anew
    other_port = load_config(tmp_path, base_url="http://127.0.0.1:8001/")
    full_build(other_port, out_dir=tmp_path / "session-3", cache=session_cache(other_port))
    assert {"zh-hant/articles/a/index.html", "zh-hans/articles/a/index.html"} <= set(rendered)


def snapshot_of(folder: Path) -> dict[str, bytes]:
    """{relative path: bytes} of a built folder."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("detach", [False, True])
def test_remove_tree_leaves_nothing(tmp_path: Path, detach: bool) -> None:
    folder = tmp_path / "newsarchive-serve-x"
    (folder / "site/zh-hant").mkdir(parents=True)
    (folder / "site/zh-hant/index.html").write_text("x")
    remove_tree(folder, detach=detach)
    deadline = time.monotonic() + 5
    while any(tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert list(tmp_path.iterdir()) == []


def wait_until(condition: Any, timeout: float = 5.0) -> bool:
    """Poll a condition (for the real watcher's threads) within a bound."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_watch_follows_a_new_theme_folder_named_in_site_yml(preview) -> None:
    view, build, site, _, _ = preview
    (site / "themes/house/templates").mkdir(parents=True)
    stop = threading.Event()
    loop = threading.Thread(target=view.watch, args=(stop,), daemon=True)
    loop.start()
    try:
        time.sleep(0.2)  # the watcher is up
        (site / "site.yml").write_text("title: Test\ntheme_dir: themes/house\n")
        assert wait_until(lambda: len(build.calls) == 2)
        assert build.calls[-1][1] is None  # new settings: everything is re-read
        time.sleep(0.2)  # the watcher restarted with the new folders
        (site / "themes/house/templates/article.html").write_text("<p>x</p>")
        assert wait_until(lambda: len(build.calls) == 3)
        (site / "content/page.txt").write_text("third", encoding="utf-8")
        assert wait_until(lambda: "third" in fetch(view.url))
    finally:
        stop.set()
        loop.join(timeout=2)
    assert not loop.is_alive()


def test_no_search_turns_search_off_in_the_preview_config(tmp_path: Path) -> None:
    (tmp_path / "site.yml").write_text("title: T\nsearch: true\n")
    seen: list[bool] = []

    def record(config: Config, **kwargs: Any) -> None:
        seen.append(config.search)

    for search in (True, False):
        view = Preview(tmp_path, port=0, out=io.StringIO(), err=io.StringIO(), build_fn=record,
                       cache_factory=lambda config: None, temp_parent=tmp_path, search=search)
        try:
            assert view.start().ok
        finally:
            view.close()
    assert seen == [True, False]


def test_search_index_follows_in_the_background(tmp_path: Path) -> None:
    """The reload does not wait for Pagefind: the build hands indexing to a thread."""
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "site.yml").write_text("title: T\nsearch: true\n", encoding="utf-8")
    article = site / "content/a.md"
    article.write_text("---\ntitle: 華為發布晶片\ndate: 2025-01-02\ntags: [甲]\n---\n\n正文。\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    view = Preview(site, port=0, out=out, err=err, temp_parent=tmp_path)
    try:
        first = view.start()
        assert first.ok, first.errors
        assert first.report.extra["search"].deferred
        assert "search index updating in the background" in out.getvalue()
        data = view.out_dir / "pagefind/newsarchive-search.json"
        assert wait_until(data.is_file, timeout=60)
        assert wait_until(lambda: "search: 1 records" in out.getvalue(), timeout=10)
        before = data.read_bytes()
        article.write_text("---\ntitle: 台積電擴產\ndate: 2025-01-02\ntags: [甲]\n---\n\n正文。\n", encoding="utf-8")
        again = view.rebuild(ChangeBatch(frozenset({article}), frozenset({Kind.CONTENT})))
        assert again.ok and again.report.extra["search"].deferred
        assert wait_until(lambda: data.read_bytes() != before, timeout=60)
        assert err.getvalue() == ""
    finally:
        view.close()
    assert list(tmp_path.iterdir()) == [site]
