"""The preview loop: build into a temporary folder, serve it, rebuild on change, reload pages.

change batch -> build(changed paths, kept cache) -> bump the reload epoch, or print the
errors and show them on every open page while the last good build stays served.
The search index is brought up to date afterwards on a thread of its own (search.Background):
a reload never waits for Pagefind.
"""
from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from generator.build import build
from generator.publish.search import Indexer
from generator.io.cache import DiskCache
from generator.core.settings import Config
from generator.io.config import load_config
from generator.core.errors import BuildFailed, SiteError
from generator.io.guard import pid_alive
from generator.publish.search import Background, SearchReport
from generator.preview.server import (
    PreviewHTTPServer,
    PreviewState,
    make_server,
    start_in_thread,
    stop_server,
)
from generator.preview.watch import MAX_WAIT_SECONDS, QUIET_SECONDS, ChangeBatch, Watcher, WatchTargets

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# Signature of generator.build.build, injectable so the loop is testable on its own.
BuildFn = Callable[..., Any]
CacheFactory = Callable[[Config], Any]
SERVE_CACHE_DIR = "serve"
# Below this much free RAM-backed space the preview goes to the ordinary temporary folder.
MIN_SHM_BYTES = 2 * 1024**3
# From this many pages on, deleting the preview at Ctrl-C is left to a detached process.
DETACH_DELETE_PAGES = 10_000
# a preview folder is named after its serve process: newsarchive-serve-<pid>-<random>
PREVIEW_PREFIX = "newsarchive-serve-"
_PREVIEW_NAME = re.compile(rf"{PREVIEW_PREFIX}(?P<pid>\d+)-")


@dataclass(frozen=True)
class Outcome:
    """The result of one (re)build."""

    ok: bool
    # `path:line: message` per error
    errors: tuple[str, ...]
    seconds: float
    report: Any = None


def url_host(host: str) -> str:
    """The host part of a URL for a bind address (wildcards become loopback)."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def local_base_url(host: str, port: int, base_path: str) -> str:
    """base_url pointing at the preview server, keeping the site's sub-path."""
    return f"http://{url_host(host)}:{port}{base_path}"


def is_local(host: str) -> bool:
    """Whether only this machine can reach the address."""
    return host in LOCAL_HOSTS


def changed_paths(batch: ChangeBatch | None, root: Path) -> frozenset[str] | None:
    """What to pass as `changed`: site-relative POSIX paths, or None (re-read everything).

    Relative paths spare build() resolving each one again (a stat per path component).
    Paths outside the site (the built-in theme) are left out: templates are fingerprinted.
    """
    if batch is None or batch.rescan or batch.reload_config:
        return None
    relative = (_relative_to(path, root) for path in batch.paths)
    return frozenset(path for path in relative if path is not None)


def _relative_to(path: Path, root: Path) -> str | None:
    """`path` relative to `root` in POSIX form, or None when outside."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return None


def session_cache(config: Config) -> DiskCache:
    """A cache for one preview, warm from serve's own folder on disk.

    Serve keeps its cache apart from `build`'s: its pages carry the local server's URLs,
    and sharing one file would make each command throw the other's pages away.
    """
    cache = DiskCache.load(config.cache_dir / SERVE_CACHE_DIR)
    # Manifests describe earlier sessions' temporary folders, deleted since.
    cache.manifests.clear()
    # Rendered pages are kept across sessions, so a warm start unpacks them instead of
    # rendering every page again; the first build writes back only what it had to render.
    cache.keep_pages = True
    cache.in_place_output = True
    return cache


def preview_temp_parent(env: Mapping[str, str] = os.environ) -> Path | None:
    """Where the temporary build goes: RAM (/dev/shm) unless TMPDIR says otherwise.

    Like Hugo's server, the preview lives in memory: thousands of small files are written
    per start and deleted at Ctrl-C, which on a disk mounted with `discard` takes seconds.
    """
    shm = Path("/dev/shm")
    if env.get("TMPDIR") or not shm.is_dir() or not os.access(shm, os.W_OK):
        return None
    stats = os.statvfs(shm)
    return shm if stats.f_bavail * stats.f_frsize >= MIN_SHM_BYTES else None


class Preview:
    """One preview session: a temporary build folder, the server, the kept cache."""

    def __init__(self, root: Path, *, host: str = "127.0.0.1", port: int = 8000,
                 out: TextIO = sys.stdout, err: TextIO = sys.stderr,
                 build_fn: BuildFn = build,
                 cache_factory: CacheFactory = session_cache,
                 temp_parent: Path | None = None, search: bool = True) -> None:
        self.root = Path(root).resolve()
        self.host = host
        self.port = port
        self.out = out
        self.err = err
        self.state = PreviewState()
        self._build = build_fn
        self._cache_factory = cache_factory
        self._cache: Any = None
        self._tmp: Path | None = None
        # where the temporary build folder goes (None: the system's temporary folder)
        self._temp_parent = temp_parent if temp_parent is not None else preview_temp_parent()
        # False: no search index (and no search box), as `build --no-search`
        self._search = search
        # re-indexes search after a rebuild, on a thread of its own: a reload never waits
        # for Pagefind (seconds on a big archive)
        self._indexer: Background | None = None
        self._server: PreviewHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.config: Config | None = None
        self.url = ""
        self.served_once = False  # a build succeeded in this preview (there is a site to show)
        self.last: Outcome | None = None

    @property
    def out_dir(self) -> Path:
        """The served build folder (inside the temporary folder)."""
        if self._tmp is None:
            raise RuntimeError("preview not started")
        return self._tmp / "site"

    def start(self) -> Outcome:
        """Bind, build once, serve; returns the first build's outcome."""
        base_path = self._base_path()
        parent = self._temp_parent or Path(tempfile.gettempdir())
        remove_dead_previews(parent)
        self._tmp = Path(tempfile.mkdtemp(prefix=f"{PREVIEW_PREFIX}{os.getpid()}-", dir=parent))
        self.out_dir.mkdir()
        try:
            self._server = make_server(self.host, self.port, root=self.out_dir,
                                       base_path=base_path, state=self.state)
        except OSError as exc:
            self.close()
            raise SiteError(f"cannot listen on {self.host}:{self.port}: {exc.strerror}",
                            hint="use --port 0 for a free port") from exc
        self.url = local_base_url(self.host, self._server.port, base_path)
        outcome = self.rebuild(None)
        self._thread = start_in_thread(self._server)
        return outcome

    def _base_path(self) -> str:
        """The site's base path from site.yml ('/' while site.yml cannot be read)."""
        try:
            return load_config(self.root).base_path
        except (SiteError, BuildFailed):
            return "/"

    def _load_config(self) -> Config:
        """site.yml with base_url pointed at this server (and search off when asked)."""
        config = load_config(self.root, base_url=self.url)
        return config if self._search else dataclasses.replace(config, search=False)

    def rebuild(self, batch: ChangeBatch | None) -> Outcome:
        """Build what changed; publish reload or errors. Never raises for a failed build."""
        started = time.perf_counter()
        try:
            report = self._build_once(batch)
        except BuildFailed as failure:
            outcome = Outcome(False, tuple(str(e) for e in failure.errors), _since(started))
        except SiteError as error:
            outcome = Outcome(False, (str(error),), _since(started))
        except Exception as error:  # noqa: BLE001 - a crashing build must not stop the preview
            if _interrupted(error):
                raise KeyboardInterrupt from error
            traceback.print_exc(file=self.err)
            outcome = Outcome(False, (f"internal error during the build: {error!r}",),
                              _since(started))
        else:
            outcome = Outcome(True, (), _since(started), report)
        self._publish(outcome)
        return outcome

    def _build_once(self, batch: ChangeBatch | None) -> Any:
        """Reload settings when they changed, then build into the served folder."""
        if self.config is None or batch is None or batch.reload_config:
            self.config = self._load_config()
        if self._cache is None:
            # One cache for the whole session: build() drops what new settings invalidate.
            self._cache = self._cache_factory(self.config)
        options = {"indexer": self._background_indexer()} if self.config.search else {}
        report = self._build(self.config, out_dir=self.out_dir, cache=self._cache,
                             changed=changed_paths(batch, self.root), **options)
        if isinstance(self._cache, DiskCache) and self._cache.folder is not None:
            # The corpus as parsed at start-up is on disk now for the next warm start;
            # rebuilds stay in memory instead of rewriting the whole pickle per keystroke.
            self._cache.stop_saving()
        return report

    def _background_indexer(self) -> Indexer:
        """The search indexing of this session's builds: on a thread, after the reload."""
        if self._indexer is None:
            self._indexer = Background(self._indexed)
        return self._indexer.index

    def _indexed(self, result: SearchReport | SiteError) -> None:
        """Report a background indexing run (on the indexer's thread)."""
        if isinstance(result, SiteError):
            print(str(result), file=self.err, flush=True)
        elif not result.skipped:
            print(result.summary(), file=self.out, flush=True)

    def _publish(self, outcome: Outcome) -> None:
        """Tell the terminal and every open page."""
        self.last = outcome
        self.served_once = self.served_once or outcome.ok
        if outcome.ok:
            self.state.publish_success()
            for warning in getattr(outcome.report, "warnings", ()):
                print(f"warning: {warning}", file=self.err)
            print(f"built in {outcome.seconds * 1000:.0f} ms{_summary(outcome.report)}",
                  file=self.out, flush=True)
            return
        for line in outcome.errors:
            print(line, file=self.err)
        after = ("still serving the last good build" if self.served_once
                 else "nothing to serve until the errors are fixed")
        print(f"build failed: {len(outcome.errors)} error(s); {after}", file=self.err, flush=True)
        self.state.publish_errors(outcome.errors)

    def targets(self) -> WatchTargets:
        """What to watch for the current settings."""
        return WatchTargets.for_site(self.root, self.config)

    def watch(self, stop: threading.Event, *, quiet: float = QUIET_SECONDS,
              max_wait: float = MAX_WAIT_SECONDS) -> None:
        """Rebuild on every settled change until `stop` is set."""
        while not stop.is_set():
            watcher = Watcher(self.targets(), quiet=quiet, max_wait=max_wait)
            watcher.start()
            try:
                self._watch_with(watcher, stop)
            finally:
                watcher.stop()

    def _watch_with(self, watcher: Watcher, stop: threading.Event) -> None:
        """Rebuild per batch; return when the watched folders may have moved (new settings)."""
        while (batch := watcher.next_batch(stop)) is not None:
            self.rebuild(batch)
            if batch.reload_config and self.targets() != watcher.targets:
                return

    def close(self) -> None:
        """Stop serving and remove the temporary folder."""
        if self._server is not None:
            stop_server(self._server, self._thread)
            self._server = None
        if self._indexer is not None:
            # a running Pagefind must finish before its folder is deleted under it
            self._indexer.close()
            self._indexer = None
        if self._tmp is not None:
            pages = getattr(self.last.report, "pages", 0) if self.last else 0
            remove_tree(self._tmp, detach=pages >= DETACH_DELETE_PAGES)
            self._tmp = None


def remove_dead_previews(parent: Path) -> list[Path]:
    """Delete the preview folders in `parent` of serve processes that no longer run.

    A serve killed with SIGKILL cannot delete its folder (in /dev/shm it holds RAM); its
    name carries its pid, so the next serve finds it. Returns the folders removed.
    """
    removed = []
    try:
        names = sorted(os.listdir(parent))
    except OSError:
        return removed
    for name in names:
        match = _PREVIEW_NAME.match(name)
        if match and int(match["pid"]) != os.getpid() and not pid_alive(int(match["pid"])):
            shutil.rmtree(parent / name, ignore_errors=True)
            removed.append(parent / name)
    return removed


def remove_tree(folder: Path, *, detach: bool) -> None:
    """Delete a folder; a big one is renamed away and deleted by a detached `rm -rf`.

    Freeing tens of thousands of files takes the kernel over a second; handing that to a
    process of its own lets Ctrl-C return at once while the files still go away.
    """
    rm = shutil.which("rm") if detach else None
    if rm is None:
        shutil.rmtree(folder, ignore_errors=True)
        return
    trash = folder.with_name(folder.name + "-deleting")
    folder.rename(trash)
    subprocess.Popen([rm, "-rf", "--", str(trash)], start_new_session=True,
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)


def _interrupted(error: BaseException) -> bool:
    """Whether Ctrl-C caused this error (a worker process reports it as its own crash)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt) or "KeyboardInterrupt" in str(current):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _since(started: float) -> float:
    """Seconds since a perf_counter reading."""
    return time.perf_counter() - started


def _summary(report: Any) -> str:
    """A short tail for the 'built' line from a BuildReport, when there is one."""
    if report is None:
        return ""
    rendered = getattr(report, "rendered", None)
    pages = getattr(report, "pages", None)
    if rendered is None or pages is None:
        return ""
    search = getattr(report, "extra", {}).get("search")
    later = "; search index updating in the background" if getattr(search, "deferred", 0) else ""
    return f": {rendered} of {pages} pages rendered{later}"
