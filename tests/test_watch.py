"""Change classifier, batch summary and debouncer, fed with fake events and a fake clock."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from generator.preview.watch import (
    ChangeBatch,
    Debouncer,
    FsEvent,
    Kind,
    Watcher,
    WatchTargets,
    classify,
    summarize,
    watch_roots,
)

ROOT = Path("/site")
TARGETS = WatchTargets(
    root=ROOT,
    config_file=ROOT / "site.yml",
    content_dir=ROOT / "content",
    theme_dirs=(ROOT / "themes", ROOT / "themes" / "house"),
    glossary=ROOT / "glossary.yml",
    companies=ROOT / "data" / "companies.yml",
)


def ev(type_: str, rel: str, dest: str | None = None, *, is_dir: bool = False) -> FsEvent:
    """A fake event below the fake site root."""
    return FsEvent(type_, ROOT / rel, ROOT / dest if dest else None, is_dir)


@pytest.mark.parametrize(("rel", "kind"), [
    ("content/2025/a.md", Kind.CONTENT),
    ("content/2025/images/a.png", Kind.CONTENT),
    ("themes/default/templates/article.html", Kind.THEME),
    ("themes/house/static/site.css", Kind.THEME),
    ("site.yml", Kind.CONFIG),
    ("glossary.yml", Kind.GLOSSARY),
    ("data/companies.yml", Kind.CONFIG),
    # editor temporaries and litter
    ("content/2025/.a.md.swp", None), ("content/2025/.a.md.swx", None),
    ("content/2025/a.md~", None), ("content/2025/.#a.md", None), ("content/2025/4913", None),
    ("content/2025/a.md.tmp", None), ("content/2025/a.md.part", None),
    ("content/2025/a.md___jb_tmp___", None), ("content/2025/.a.md.kate-swp", None),
    ("content/.DS_Store", None),
    # build products, caches, version control, everything else
    ("output/zh-hant/index.html", None), (".newsarchive-cache/parse/x.json", None),
    (".git/index", None), ("content/.git/HEAD", None), ("README.md", None),
    ("generator/build.py", None), ("other.yml", None), ("content", None),
])
def test_classify(rel: str, kind: Kind | None) -> None:
    assert classify(ROOT / rel, TARGETS) == kind


def test_vim_save_dance_is_one_content_change() -> None:
    events = [
        ev("created", "content/2025/4913"), ev("deleted", "content/2025/4913"),
        ev("moved", "content/2025/a.md", "content/2025/a.md~"),
        ev("created", "content/2025/a.md"), ev("modified", "content/2025/a.md"),
        ev("closed", "content/2025/a.md"), ev("deleted", "content/2025/a.md~"),
        ev("modified", "content/2025", is_dir=True), ev("opened", "content/2025/a.md"),
    ]
    assert summarize(events, TARGETS) == ChangeBatch(
        frozenset({ROOT / "content/2025/a.md"}), frozenset({Kind.CONTENT}))


def test_atomic_save_through_temporary_counts_the_destination() -> None:
    batch = summarize([ev("created", "content/a.md.tmp"),
                       ev("moved", "content/a.md.tmp", "content/a.md")], TARGETS)
    assert batch is not None and batch.paths == {ROOT / "content/a.md"}


def test_rename_reports_both_ends() -> None:
    batch = summarize([ev("moved", "content/2025/old.md", "content/2025/new.md")], TARGETS)
    assert batch is not None
    assert batch.paths == {ROOT / "content/2025/old.md", ROOT / "content/2025/new.md"}
    assert not batch.rescan


def test_moving_an_article_out_of_content_is_a_deletion() -> None:
    batch = summarize([ev("moved", "content/a.md", "a.md")], TARGETS)
    assert batch is not None and batch.paths == {ROOT / "content/a.md"}


def test_folder_created_or_moved_asks_for_a_rescan() -> None:
    batch = summarize([ev("moved", "content/2024", "content/old", is_dir=True)], TARGETS)
    assert batch is not None and batch.rescan
    assert batch.kinds == {Kind.CONTENT}


def test_only_ignored_events_make_no_batch() -> None:
    events = [ev("modified", "output/index.html"), ev("created", ".newsarchive-cache/x"),
              ev("modified", "content/.a.md.swp"), ev("modified", ".git/index")]
    assert summarize(events, TARGETS) is None


def test_settings_and_glossary_reload_config() -> None:
    assert summarize([ev("modified", "glossary.yml")], TARGETS).reload_config
    assert summarize([ev("modified", "site.yml")], TARGETS).reload_config
    assert not summarize([ev("modified", "themes/default/templates/a.html")],
                         TARGETS).reload_config


def test_git_checkout_of_500_files_is_one_batch() -> None:
    events = [ev("modified", f"content/2025/a{i:03}.md") for i in range(500)]
    debouncer = Debouncer(quiet=0.05, max_wait=1.0)
    for i, event in enumerate(events):
        debouncer.add(event, now=i * 0.001)  # one event per millisecond
    assert not debouncer.ready(0.5)
    assert debouncer.ready(0.499 + 0.05)
    batch = summarize(debouncer.take(), TARGETS)
    assert batch is not None and len(batch.paths) == 500
    assert debouncer.deadline() is None


def test_debouncer_waits_for_quiet() -> None:
    debouncer = Debouncer(quiet=0.1, max_wait=2.0)
    assert debouncer.deadline() is None and not debouncer.ready(100.0)
    debouncer.add(ev("modified", "content/a.md"), now=10.0)
    debouncer.add(ev("modified", "content/b.md"), now=10.08)
    assert not debouncer.ready(10.15)
    assert debouncer.deadline() == pytest.approx(10.18)
    assert debouncer.ready(10.18)
    assert [e.path.name for e in debouncer.take()] == ["a.md", "b.md"]
    assert debouncer.take() == ()


def test_debouncer_settles_sooner_once_written_files_are_closed() -> None:
    debouncer = Debouncer(quiet=0.05, max_wait=1.0, settle=0.02)
    debouncer.add(ev("modified", "content/a.md"), now=10.0)
    assert debouncer.deadline() == pytest.approx(10.05)  # a.md may be half written
    debouncer.add(ev("closed", "content/a.md"), now=10.001)
    assert debouncer.deadline() == pytest.approx(10.021)
    debouncer.add(ev("created", "content/b.md"), now=10.002)
    assert debouncer.deadline() == pytest.approx(10.052)
    debouncer.add(ev("moved", "content/b.md", "content/c.md"), now=10.003)
    assert debouncer.deadline() == pytest.approx(10.023)
    debouncer.take()
    debouncer.add(ev("modified", "content/d.md"), now=20.0)
    assert debouncer.deadline() == pytest.approx(20.05)  # take() forgot the closed files


def test_git_checkout_with_closes_is_still_one_batch() -> None:
    debouncer = Debouncer(quiet=0.05, max_wait=1.0, settle=0.02)
    for i in range(500):
        now = i * 0.001
        assert not debouncer.ready(now)
        debouncer.add(ev("modified", f"content/a{i:03}.md"), now)
        debouncer.add(ev("closed", f"content/a{i:03}.md"), now)
    assert not debouncer.ready(0.51)
    assert debouncer.ready(0.519 + 0.001)
    assert len(summarize(debouncer.take(), TARGETS).paths) == 500


def test_debouncer_max_wait_bounds_an_endless_stream() -> None:
    debouncer = Debouncer(quiet=0.25, max_wait=0.5)
    now = 0.0
    while not debouncer.ready(now):
        debouncer.add(ev("modified", "content/a.md"), now)
        now += 0.125  # always sooner than the quiet period; binary-exact steps
    assert now == 0.5
    assert len(debouncer.take()) == 4


def test_watch_roots_without_overlap(tmp_path: Path) -> None:
    for folder in ("content/2025", "themes/default", "themes/house"):
        (tmp_path / folder).mkdir(parents=True)
    targets = WatchTargets(tmp_path, tmp_path / "site.yml", tmp_path / "content",
                           (tmp_path / "themes", tmp_path / "themes/house"),
                           tmp_path / "glossary.yml")
    assert watch_roots(targets) == [(tmp_path / "content", True), (tmp_path / "themes", True),
                                    (tmp_path, False)]


def test_watcher_turns_real_writes_into_one_batch(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "output").mkdir()
    targets = WatchTargets(tmp_path, tmp_path / "site.yml", tmp_path / "content", (), None)
    watcher = Watcher(targets, quiet=0.05, max_wait=1.0)
    watcher.start()
    stop = threading.Event()
    try:
        (tmp_path / "output" / "x.html").write_text("ignored")
        for name in ("a.md", ".a.md.swp", "b.md"):
            (tmp_path / "content" / name).write_text("x")
        (tmp_path / "site.yml").write_text("title: x")
        timer = threading.Timer(5, stop.set)  # bounds the test if no event ever arrives
        timer.start()
        batch = watcher.next_batch(stop)
        timer.cancel()
    finally:
        watcher.stop()
    assert batch is not None
    assert batch.paths == {tmp_path / "content/a.md", tmp_path / "content/b.md",
                           tmp_path / "site.yml"}
    assert batch.kinds == {Kind.CONTENT, Kind.CONFIG}


def test_watcher_next_batch_returns_none_when_stopped(tmp_path: Path) -> None:
    targets = WatchTargets(tmp_path, tmp_path / "site.yml", tmp_path / "content", (), None)
    watcher = Watcher(targets)
    watcher.start()
    stop = threading.Event()
    threading.Timer(0.1, stop.set).start()
    started = time.monotonic()
    try:
        assert watcher.next_batch(stop, poll=0.05) is None
    finally:
        watcher.stop()
    assert time.monotonic() - started < 1.0


def test_watcher_falls_back_to_polling_when_inotify_refuses(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from watchdog.observers.api import BaseObserver
    from watchdog.observers.polling import PollingObserver

    (tmp_path / "content").mkdir()
    targets = WatchTargets(tmp_path, tmp_path / "site.yml", tmp_path / "content", (), None)
    watcher = Watcher(targets)
    refused = OSError(28, "inotify watch limit reached")

    def refuse(self: BaseObserver) -> None:
        raise refused

    monkeypatch.setattr(type(watcher._observer), "start", refuse)
    watcher.start()
    try:
        assert isinstance(watcher._observer, PollingObserver)
        assert watcher._observer.is_alive()
    finally:
        watcher.stop()
