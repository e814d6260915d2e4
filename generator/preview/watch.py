"""File-system changes as debounced batches: which paths changed and what kind of input they are.

The classifier and the debouncer are pure (paths and a clock in, values out) so tests feed
them fake event batches; `Watcher` is the thin watchdog edge around them.
"""
from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from generator.core.settings import SITE_FILE, Config

# Folders whose contents never feed a build (or that a build itself writes).
IGNORED_DIRS = frozenset({
    "output", ".newsarchive-cache", ".git", ".hg", ".svn", "__pycache__", ".venv",
    "node_modules", ".pytest_cache", ".idea", ".vscode",
})
IGNORED_SUFFIXES = (".swp", ".swo", ".swx", ".swpx", "~", ".tmp", ".part", ".crdownload",
                    ".bak", ".orig", ".pyc", ".kate-swp", "___jb_tmp___", "___jb_old___")
IGNORED_PREFIXES = (".#", ".goutputstream-", ".~lock.")
# Vim probes a folder's writability by creating and deleting a file named 4913 (or 4914...).
IGNORED_NAMES = frozenset({"4913", ".DS_Store", "Thumbs.db"})
# Event types that do not change a file's content.
PASSIVE_EVENTS = frozenset({"opened", "closed_no_write"})

# Quiet time that ends a burst while a written file is not yet closed, and when all are.
QUIET_SECONDS = 0.05
SETTLE_SECONDS = 0.02
MAX_WAIT_SECONDS = 1.0


class Kind(str, Enum):
    """What a changed file is to the build."""

    CONTENT = "content"
    THEME = "theme"
    GLOSSARY = "glossary"
    CONFIG = "config"


@dataclass(frozen=True)
class WatchTargets:
    """The inputs of a build: where to look and how to tell them apart."""

    root: Path
    config_file: Path
    content_dir: Path
    theme_dirs: tuple[Path, ...]
    glossary: Path | None
    # companies.yml (site.yml `companies`): a settings file like site.yml (company names join
    # the settings' fingerprint), so a change reloads the config
    companies: Path | None = None

    @classmethod
    def for_site(cls, root: Path, config: Config | None) -> WatchTargets:
        """Targets for a site; without a valid config, the conventional folders."""
        root = root.resolve()
        themes = [root / "themes"]
        if config is not None:
            themes += [d.resolve() for d in config.theme_dirs()]
        return cls(
            root=root,
            config_file=root / SITE_FILE,
            content_dir=(config.content_dir if config else root / "content").resolve(),
            theme_dirs=tuple(dict.fromkeys(themes)),
            glossary=config.glossary.resolve() if config and config.glossary else None,
            companies=config.companies.resolve() if config and config.companies else None,
        )


@dataclass(frozen=True)
class FsEvent:
    """One file-system event, independent of watchdog."""

    # created | modified | deleted | moved | closed (written and closed)
    type: str
    path: Path
    # the new path of a move
    dest: Path | None = None
    is_directory: bool = False


@dataclass(frozen=True)
class ChangeBatch:
    """The net effect of one debounced burst of events."""

    # every relevant file that changed, appeared or vanished (both ends of a rename)
    paths: frozenset[Path]
    kinds: frozenset[Kind]
    # a folder appeared, vanished or moved: the set of files is unknown, re-read them all
    rescan: bool = False

    @property
    def reload_config(self) -> bool:
        """Settings or glossary changed: reload the config before building."""
        return bool(self.kinds & {Kind.CONFIG, Kind.GLOSSARY})


def is_ignored_name(name: str) -> bool:
    """Editor temporaries, swap and backup files, OS litter."""
    return (name in IGNORED_NAMES or name.endswith(IGNORED_SUFFIXES)
            or name.startswith(IGNORED_PREFIXES))


def _relative(path: Path, folder: Path) -> tuple[str, ...] | None:
    """The parts of `path` below `folder`, or None when it is not below it."""
    try:
        return path.relative_to(folder).parts
    except ValueError:
        return None


def _ignored_parts(parts: tuple[str, ...]) -> bool:
    """Whether a path below a watched folder is a temporary or inside an ignored folder."""
    if not parts:
        return False
    return is_ignored_name(parts[-1]) or any(p in IGNORED_DIRS for p in parts[:-1])


def classify(path: Path, targets: WatchTargets) -> Kind | None:
    """What kind of build input a path is, or None when no build depends on it."""
    if path == targets.config_file or (targets.companies is not None and path == targets.companies):
        return Kind.CONFIG
    if targets.glossary is not None and path == targets.glossary:
        return Kind.GLOSSARY
    parts = _relative(path, targets.content_dir)
    if parts:
        return None if _ignored_parts(parts) else Kind.CONTENT
    for folder in targets.theme_dirs:
        parts = _relative(path, folder)
        if parts:
            return None if _ignored_parts(parts) else Kind.THEME
    return None


def _event_paths(event: FsEvent) -> tuple[Path, ...]:
    """The paths an event touches (both ends of a move)."""
    return (event.path, event.dest) if event.dest is not None else (event.path,)


def is_relevant(event: FsEvent, targets: WatchTargets) -> bool:
    """Whether an event can change the build (cheap enough for every raw event)."""
    if event.type in PASSIVE_EVENTS:
        return False
    # A folder's own "modified" fires whenever a child changes; the child's event counts.
    if event.is_directory and event.type in ("modified", "closed"):
        return False
    return any(classify(p, targets) is not None for p in _event_paths(event))


def summarize(events: Iterable[FsEvent], targets: WatchTargets) -> ChangeBatch | None:
    """The batch a burst of events amounts to, or None when none of them matters."""
    paths: set[Path] = set()
    kinds: set[Kind] = set()
    rescan = False
    for event in events:
        if not is_relevant(event, targets):
            continue
        for path in _event_paths(event):
            kind = classify(path, targets)
            if kind is None:
                continue
            kinds.add(kind)
            paths.add(path)
            rescan = rescan or event.is_directory
    if not paths:
        return None
    return ChangeBatch(frozenset(paths), frozenset(kinds), rescan)


class Debouncer:
    """Holds events until the burst is over, or `max_wait` after its first event.

    A burst is over after `settle` seconds without events when every file written in it
    has been closed again (inotify reports the close), else after the longer `quiet`
    period: a file still open for writing may be half written.
    """

    def __init__(self, quiet: float = QUIET_SECONDS, max_wait: float = MAX_WAIT_SECONDS,
                 settle: float = SETTLE_SECONDS) -> None:
        self.quiet = quiet
        self.max_wait = max_wait
        self.settle = min(settle, quiet)
        self._events: list[FsEvent] = []
        self._writing: set[Path] = set()
        self._first = 0.0
        self._last = 0.0

    def add(self, event: FsEvent, now: float) -> None:
        """Record one event seen at `now`."""
        if not self._events:
            self._first = now
        self._events.append(event)
        self._last = now
        if event.is_directory:
            return
        if event.type in ("created", "modified"):
            self._writing.add(event.path)
        else:  # closed, deleted, moved: the file at that path is complete or gone
            self._writing.discard(event.path)

    def deadline(self) -> float | None:
        """When the pending events are due, or None when there are none."""
        if not self._events:
            return None
        wait = self.quiet if self._writing else self.settle
        return min(self._last + wait, self._first + self.max_wait)

    def ready(self, now: float) -> bool:
        """Whether the pending events are due at `now`."""
        deadline = self.deadline()
        return deadline is not None and now >= deadline

    def take(self) -> tuple[FsEvent, ...]:
        """Hand over the pending events and start afresh."""
        events, self._events = tuple(self._events), []
        self._writing.clear()
        return events


def from_watchdog(event: FileSystemEvent) -> FsEvent:
    """Translate a watchdog event (paths may be bytes or str)."""
    dest = getattr(event, "dest_path", "") or None
    return FsEvent(
        type=event.event_type,
        path=Path(os.fsdecode(event.src_path)),
        dest=Path(os.fsdecode(dest)) if dest else None,
        is_directory=event.is_directory,
    )


class _Forward(FileSystemEventHandler):
    """Push every watchdog event onto a queue (runs on watchdog's thread)."""

    def __init__(self, sink: Callable[[FsEvent], None]) -> None:
        self._sink = sink

    def on_any_event(self, event: FileSystemEvent) -> None:
        """Forward the event."""
        self._sink(from_watchdog(event))


def watch_roots(targets: WatchTargets) -> list[tuple[Path, bool]]:
    """Folders to watch as (folder, recursive), without overlaps and only those that exist."""
    recursive = [d for d in (targets.content_dir, *targets.theme_dirs) if d.is_dir()]
    recursive = [d for d in dict.fromkeys(recursive)
                 if not any(o != d and _relative(d, o) is not None for o in recursive)]
    flat = [targets.root] + [f.parent for f in (targets.glossary, targets.companies) if f]
    flat = [d for d in dict.fromkeys(flat)
            if d.is_dir() and not any(_relative(d, o) is not None for o in recursive)]
    return [(d, True) for d in recursive] + [(d, False) for d in flat]


class Watcher:
    """Watchdog observer turned into debounced `ChangeBatch`es."""

    def __init__(self, targets: WatchTargets, *, quiet: float = QUIET_SECONDS,
                 max_wait: float = MAX_WAIT_SECONDS, settle: float = SETTLE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.targets = targets
        self._events: queue.Queue[FsEvent] = queue.Queue()
        self._debouncer = Debouncer(quiet, max_wait, settle)
        self._clock = clock
        self._observer = self._observe(Observer)

    def _observe(self, kind: type[BaseObserver]) -> BaseObserver:
        """An observer of `kind` (not started) scheduled on every watched folder."""
        observer = kind()
        observer.daemon = True
        handler = _Forward(self._events.put)
        for folder, recursive in watch_roots(self.targets):
            observer.schedule(handler, str(folder), recursive=recursive)
        return observer

    def start(self) -> None:
        """Begin watching (polling when the system refuses more inotify watches)."""
        try:
            self._observer.start()
        except OSError:
            # ENOSPC: fs.inotify.max_user_watches reached. Polling is slower but works.
            self._observer.unschedule_all()
            self._observer = self._observe(PollingObserver)
            self._observer.start()

    def stop(self) -> None:
        """Stop watching (bounded wait for watchdog's thread)."""
        self._observer.stop()
        self._observer.join(timeout=1)

    def next_batch(self, stop: threading.Event, poll: float = 0.2) -> ChangeBatch | None:
        """Block until a relevant burst has settled; None once `stop` is set."""
        while not stop.is_set():
            deadline = self._debouncer.deadline()
            now = self._clock()
            if deadline is not None and now >= deadline:
                batch = summarize(self._debouncer.take(), self.targets)
                if batch is not None:
                    return batch
                continue
            wait = poll if deadline is None else min(poll, deadline - now)
            try:
                event = self._events.get(timeout=max(wait, 0.0))
            except queue.Empty:
                continue
            if is_relevant(event, self.targets):
                self._debouncer.add(event, self._clock())
        return None
