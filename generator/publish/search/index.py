"""Indexing: records written per shard, Pagefind run on each, the data file moved in last;
the background indexer of the preview."""
from __future__ import annotations

import gzip
import html
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.core.errors import SiteError
from generator.core.model import SCRIPTS, Site
from generator.core.settings import Config
from generator.io.converters import converter_for
from generator.io.workers import default_workers, fork_map
from generator.publish.search.layout import (
    DATA_FILE,
    FORMAT,
    LANGUAGE,
    RECORD_DIR,
    RECORD_SUFFIX,
    SEARCH_DIR,
    SHARD_SIZE,
    UNUSED_FILES,
)
from generator.publish.search.records import (
    Folder,
    FoldTable,
    SearchRecord,
    article_record,
    article_text,
    fold_table,
    plan_shards,
    record_json,
    search_data,
    shard_key,
)


@dataclass(frozen=True)
class SearchReport:
    """What indexing did."""

    records: int
    written: int
    removed: int
    # size of output/pagefind/ after indexing (0 when skipped)
    bytes: int
    seconds: float
    # True when the index was already current and nothing was run
    skipped: bool
    # True when handed to a Background runner instead of being indexed now
    deferred: bool = False

    def summary(self) -> str:
        """One line for the build summary."""
        if self.deferred:
            return "search: index updating in the background"
        if self.skipped:
            return f"search: index current ({self.records} records)"
        return (f"search: {self.records} records, {self.written} files written, "
                f"{self.removed} removed, {self.bytes / 1e6:.1f} MB, {self.seconds:.2f}s")


# ---------------------------------------------------------------------------- tokens








# ---------------------------------------------------------------------------- records
















# ---------------------------------------------------------------------------- fold table














# ---------------------------------------------------------------------------- I/O edge


class Background:
    """Runs index jobs one at a time on a thread of its own, the newest only.

    The preview server indexes this way so that a reload never waits for Pagefind: build()
    returns once the pages are written, and the index follows a few seconds later. A job
    submitted while another runs replaces any job still waiting; it re-checks the shard keys
    when it starts, so it does nothing if the running job already covered its change.
    """

    def __init__(self, done: Callable[[SearchReport | SiteError], None]) -> None:
        self._done = done
        self._lock = threading.Condition()
        self._pending: Callable[[], SearchReport] | None = None
        self._busy = False
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="search-index", daemon=True)
        self._thread.start()

    def index(self, out_dir: Path, site: Site, config: Config) -> SearchReport:
        """index_search for build(indexer=...): hand the work to this thread, return at once.

        Handed over before any check (reading the data file and hashing every slug would
        cost a preview's reload tens of milliseconds); the job itself finds a current index.
        """
        self.submit(lambda: index_search(out_dir, site, config, workers=1))
        return SearchReport(len(site.order), 0, 0, 0, 0.0, False, deferred=True)

    def submit(self, job: Callable[[], SearchReport]) -> None:
        """Run `job` after the current one, dropping any job still waiting."""
        with self._lock:
            if not self._closed:
                self._pending = job
                self._lock.notify_all()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until no job runs or waits; False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._busy and self._pending is None, timeout)

    def close(self, timeout: float = 60.0) -> None:
        """Drop the waiting job and let the running one finish (its files must not be torn)."""
        with self._lock:
            self._closed = True
            self._pending = None
            self._lock.notify_all()
        self._thread.join(timeout)

    def _run(self) -> None:
        """The thread: take the newest job, run it, report, repeat until closed."""
        while True:
            with self._lock:
                self._lock.wait_for(lambda: self._closed or self._pending is not None)
                if self._closed:
                    return
                job, self._pending, self._busy = self._pending, None, True
            try:
                result: SearchReport | SiteError = job()
            except SiteError as error:
                result = error
            except Exception as error:  # noqa: BLE001 - reported; the next edit must still index
                result = SiteError(f"search: indexing failed: {error!r}",
                                   hint="the pages are current; the search index is not")
            finally:
                with self._lock:
                    self._busy = False
                    self._lock.notify_all()
            self._done(result)


def index_search(out_dir: Path, site: Site, config: Config, *, folder: Folder | None = None,
                 shard_size: int = SHARD_SIZE, workers: int | None = None) -> SearchReport:
    """Index the site's articles into out_dir/pagefind/, re-indexing only shards that changed.

    Shards are indexed by `workers` processes (default: one per core, up to two; the
    preview's Background indexer uses one: it shares the machine with the rebuilds, and
    forking a threaded server is best avoided).
    """
    started = time.perf_counter()
    target = out_dir / SEARCH_DIR
    shards, keys = shard_keys(site, config, shard_size)
    entries = _current_entries(target, keys)
    todo = [name for name in shards if name not in entries]
    if not todo and _read_bytes(target / DATA_FILE) == _data_json(site, shards, entries).encode():
        # no walk over the index to measure it: this path must stay cheap
        return SearchReport(len(site.order), 0, 0, 0, 0.0, True)
    # beside out_dir, named after it (a build's new tree is hidden already): the next build
    # removes it if this process is killed
    hidden = out_dir.name if out_dir.name.startswith(".") else f".{out_dir.name}"
    staging = out_dir.parent / f"{hidden}.search-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        folder = folder or converter_for(config)
        entries.update(_index_shards(site, {name: shards[name] for name in todo}, keys, folder,
                                     staging, default_workers() if workers is None else workers))
        written, removed = _move_in(staging, target, todo, _data_json(site, shards, entries))
        removed += _remove_others(target, {DATA_FILE, *shards})
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return SearchReport(len(site.order), written, removed, _size(target),
                        round(time.perf_counter() - started, 3), False)


def shard_keys(site: Site, config: Config, shard_size: int
               ) -> tuple[dict[str, list[str]], dict[str, str]]:
    """{shard name: slugs} and {shard name: key}; empty shards (an unlucky hash) get none."""
    planned = plan_shards(site, shard_size)
    base = [str(FORMAT), pagefind_version(), config.fingerprint(), str(len(planned))]
    shards = {str(i): slugs for i, slugs in enumerate(planned) if slugs}
    return shards, {name: shard_key(site, slugs, base) for name, slugs in shards.items()}


def _current_entries(target: Path, keys: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Data-file entries of the shards in target whose key is still the planned one."""
    old = {e.get("name"): e for e in _read_data(target).get("shards", []) if isinstance(e, dict)}
    return {name: old[name] for name, key in keys.items()
            if name in old and old[name].get("key") == key
            and (target / name / "pagefind-entry.json").is_file()}


def _move_in(staging: Path, target: Path, shards: Sequence[str], data: str) -> tuple[int, int]:
    """Move re-indexed shards into target, then the data file; (written, removed) counts."""
    written = removed = 0
    for name in shards:
        w, r = sync_dir(staging / name, target / name)
        written, removed = written + w, removed + r
    if _read_bytes(target / DATA_FILE) != data.encode():
        # written last and atomically: it names the shards the browser loads
        staging.mkdir(parents=True, exist_ok=True)
        target.mkdir(parents=True, exist_ok=True)
        (staging / DATA_FILE).write_text(data, encoding="utf-8")
        os.replace(staging / DATA_FILE, target / DATA_FILE)
        written += 1
    return written, removed


def _data_json(site: Site, shards: dict[str, list[str]], entries: dict[str, dict[str, Any]]) -> str:
    """The data file's text, shards in order."""
    return json.dumps(search_data(site, [entries[name] for name in shards]), ensure_ascii=False,
                      sort_keys=True, separators=(",", ":"))


def _index_shards(site: Site, todo: dict[str, list[str]], keys: dict[str, str], folder: Folder,
                  staging: Path, workers: int) -> dict[str, dict[str, Any]]:
    """Index each shard of `todo` into staging/<name>; their data-file entries.

    Shards are split over `workers` processes (forked: the site is not copied), each making
    its shards' records and running Pagefind on them one after the other, so no more than
    `workers` Pagefind processes ever run at once.
    """
    def job(names: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Index some shards; their entries."""
        done = {}
        for name in names:
            records, table = shard_records(site, name, todo[name], folder)
            write_shard(records, staging / name)
            done[name] = {"name": name, "key": keys[name], "chars": table.chars,
                          "phrases": table.phrases}
        return done

    entries: dict[str, dict[str, Any]] = {}
    for part in fork_map(job, list(todo), max(1, min(workers, len(todo)))):
        entries.update(part)
    return entries


def shard_records(site: Site, name: str, slugs: Sequence[str], folder: Folder
                  ) -> tuple[list[SearchRecord], FoldTable]:
    """One shard's records and the fold table covering its texts."""
    texts = {slug: article_text(site.articles[slug], folder) for slug in slugs}
    records = [article_record(site.articles[slug], site, texts[slug], name) for slug in slugs]
    table = fold_table(((t.plain[s], t.folded) for t in texts.values() for s in SCRIPTS), folder)
    return records, table


def write_shard(records: Sequence[SearchRecord], out: Path) -> None:
    """Pagefind's index of the records and their record files, into `out` (a new folder)."""
    run_pagefind(records, out)
    folder = out / RECORD_DIR
    folder.mkdir()
    for record in records:
        # mtime=0: the same record gives the same bytes, so an unchanged file is not moved in
        data = gzip.compress(record_json(record).encode(), compresslevel=6, mtime=0)
        (folder / f"{record.meta['r'].rpartition('/')[2]}{RECORD_SUFFIX}").write_bytes(data)


def pagefind_version() -> str:
    """Version of the installed Pagefind Python package (part of the index key)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pagefind")
    except PackageNotFoundError as exc:
        raise SiteError("search needs Pagefind: pip install 'pagefind[extended]'",
                        hint="or set `search: false` in site.yml / build --no-search") from exc


def run_pagefind(records: Sequence[SearchRecord], out: Path) -> None:
    """Write Pagefind's index of the records into `out` (a new folder)."""
    # Pagefind's CLI over one small HTML file per record: its Python API waits 0.1 s per
    # record (it polls the service's answers), 17 minutes at 10,000 articles
    pages = out.parent / f"{out.name}.pages"
    shutil.rmtree(pages, ignore_errors=True)
    try:
        for record in records:
            path = pages / record.url / "index.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(record_html(record), encoding="utf-8")
        command = [sys.executable, "-m", "pagefind", "--site", str(pages), "--output-path", str(out),
                   "--force-language", LANGUAGE, "--silent"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise SiteError(f"search: could not run Pagefind ({exc.strerror})", str(out),
                        hint="reinstall pagefind[extended], or build with --no-search") from exc
    finally:
        shutil.rmtree(pages, ignore_errors=True)
    if done.returncode != 0 or not (out / "pagefind-entry.json").is_file():
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise SiteError(f"search: Pagefind failed: {detail[0]}", str(out),
                        hint="reinstall pagefind[extended], or build with --no-search")


def record_html(record: SearchRecord) -> str:
    """One record as the HTML page Pagefind indexes: tokens in the body, the rest in <meta>."""
    def meta(kind: str, key: str, value: str) -> str:
        return f'<meta data-pagefind-{kind}="{key}[content]" content="{html.escape(value)}">'

    head = [meta("meta", k, v) for k, v in record.meta.items()]
    head += [meta("filter", k, v) for k, values in record.filters.items() for v in values]
    head += [meta("sort", k, v) for k, v in record.sort.items()]
    return (f'<!doctype html><html lang="{LANGUAGE}"><head><meta charset="utf-8">'
            + "".join(head) + f"</head><body><p>{html.escape(record.content)}</p></body></html>\n")


def sync_dir(src: Path, dst: Path) -> tuple[int, int]:
    """Make dst hold src's files: move in those whose bytes differ, delete the rest; counts."""
    wanted = {p.relative_to(src).as_posix(): p for p in sorted(src.rglob("*"))
              if p.is_file() and not UNUSED_FILES.search(p.name)}
    # the entry file names the current meta file: replace it after everything it points to
    order = sorted(wanted, key=lambda rel: (rel in ("pagefind-entry.json", DATA_FILE), rel))
    written = 0
    for rel in order:
        target = dst / rel
        if target.is_file() and target.read_bytes() == wanted[rel].read_bytes():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(wanted[rel], target)
        written += 1
    removed = 0
    if dst.is_dir():
        for path in sorted(dst.rglob("*"), reverse=True):
            rel = path.relative_to(dst).as_posix()
            if path.is_file() and rel not in wanted:
                path.unlink()
                removed += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return written, removed


def _read_data(target: Path) -> dict[str, Any]:
    """The data file of the index in target, or {} if missing, unreadable or of another format."""
    try:
        data = json.loads((target / DATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("format") == FORMAT else {}


def _read_bytes(path: Path) -> bytes | None:
    """A file's bytes, or None."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def _remove_others(target: Path, keep: set[str]) -> int:
    """Delete whatever target holds besides `keep` (a former layout, shards no longer used)."""
    removed = 0
    for path in sorted(target.iterdir()) if target.is_dir() else []:
        if path.name in keep:
            continue
        if path.is_dir():
            removed += sum(1 for p in path.rglob("*") if p.is_file())
            shutil.rmtree(path)
        else:
            path.unlink()
            removed += 1
    return removed


def _size(folder: Path) -> int:
    """Total bytes of the files under folder."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0
