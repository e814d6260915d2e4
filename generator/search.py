"""Static search: folded bigram records -> a Pagefind index in output/pagefind/.

Pagefind segments Chinese differently in its indexer (a dictionary segmenter) and in the
browser (Intl.Segmenter), so words such as 华为 or 芯片 were not found at all and 大模型
matched every page holding 大 and 模型 anywhere. Both sides therefore use the scheme below
instead, and Pagefind sees only space-separated tokens (language "und": no stemming, no
segmentation of its own):

- fold: `Converter.fold` (NFKC, Simplified, lower case) on the index side; in the browser
  the fold table written here (every character of the archive whose fold differs, plus the
  phrases OpenCC and the glossary fold differently from their characters) does the same.
- tokens: a run of Han characters becomes its overlapping bigrams (a lone character stays
  itself; the index adds the run's last character, for one-character queries, which
  Pagefind matches as a prefix); any other run of letters and digits is one token. A
  two-character query is then one token that only pages containing exactly that word hold.

Pagefind's excerpts would be in the folded script, so search.js shows each result from a
record file of ours (title, URL, tags and text in both scripts) and highlights in the reader's
script. That text is kept out of Pagefind's metadata on purpose: Pagefind indexes every meta
field as searchable words, which cost a third of its time and doubled the index, for words no
query can use (they are not folded nor cut into bigrams). Pagefind's own record holds only the
tokens, the date and where the record file is.

Cost (measured with bench/bench_search.py): Pagefind holds ~0.45 MB per article while it runs
and spends ~3 ms of CPU per article, in proportion to the distinct tokens of each article, and
making the records costs Python about as much. Shards are therefore small (a bounded memory
per Pagefind process) and split over two forked processes that each make a shard's records
and run Pagefind on it, one shard after the other: both cores work, and no more than two
Pagefind runs are ever alive. An article's body is indexed up to BODY_LIMIT characters (news
articles are shorter: the real-corpus median is ~1,300 characters, p75 ~2,600; only the tail
of a very long piece is left out, and no one article can blow a shard's memory).

Layout: output/pagefind/N/ is one Pagefind bundle per shard (a stable hash of the slug picks
the shard; one shard per SHARD_SIZE articles), with the shard's record files in N/r/, and
output/pagefind/newsarchive-search.json lists the shards with their keys and fold tables. A shard is re-indexed only when its key
(its articles' digests, the settings, the Pagefind version) changes, which also keeps
Pagefind's filter files, not byte-stable between runs, from being rewritten for nothing.
"""
from __future__ import annotations

import gzip
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from generator import urls
from generator.config import Config
from generator.errors import SiteError
from generator.model import SCRIPTS, Article, Site
from generator.workers import default_workers, fork_map

SEARCH_DIR = "pagefind"
DATA_FILE = "newsarchive-search.json"
# bump when records, tokens or the data file change shape
FORMAT = 4
LANGUAGE = "und"
# title tokens are repeated so a word in the title outranks one in the body
TITLE_WEIGHT = 3
# articles per Pagefind index: Pagefind holds ~0.45 MB per article while indexing and has no
# incremental mode, so a large archive is split into shards the browser merges (an edit
# re-indexes one shard only); two Pagefind runs of this size stay under ~600 MB together
SHARD_SIZE = 600
# characters of an article's body that are indexed (and kept for the excerpt)
BODY_LIMIT = 5000
# a shard's record files, one per article: what search.js shows for a result (gzip'd JSON,
# like Pagefind's own fragments: a third of the size on disk)
RECORD_DIR = "r"
RECORD_SUFFIX = ".json.gz"
# Pagefind's UI bundles: search.js talks to pagefind.js directly and needs none of them
UNUSED_FILES = re.compile(r"pagefind-(component-ui|modular-ui|ui|highlight)\.(js|css)$")

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_TOKEN = re.compile(rf"(?P<han>[{HAN}]+)|[^\W{HAN}_]+")
# index_tokens' three kinds, each found by the regex engine alone (no Python per token)
_BIGRAM = re.compile(rf"(?=([{HAN}][{HAN}]))")
_RUN_END = re.compile(rf"[{HAN}](?![{HAN}])")
_WORD = re.compile(rf"[^\W{HAN}_]+")
_BLOCK_TAG = re.compile(r"<(?:/(?:p|h[1-6]|li|blockquote|figcaption|figure|div|pre|tr)|br\s*/?)>", re.I)
_TAG = re.compile(r"<[^>]*>")
_BLANKS = re.compile(r"[ \t\r\f\v]*\n\s*")
_LONGEST_PHRASE = 6


class Folder(Protocol):
    """The part of generator.scripts.Converter search needs."""

    def fold(self, s: str) -> str: ...


@dataclass(frozen=True)
class SearchRecord:
    """One Pagefind record: an article, searchable in both scripts."""

    # record URL (the article's URL in the written script, relative to base_path)
    url: str
    # folded tokens, space-separated
    content: str
    # date (ISO) and r (the record file: "<shard>/<id>"); Pagefind indexes meta as words, so
    # nothing long goes here
    meta: dict[str, str]
    # tag: tag keys; year: ["2025"]
    filters: dict[str, list[str]]
    # date: ISO date, for filter-only listings newest first
    sort: dict[str, str]
    # the record file: date, date_text and per script {title, url, tags [[name, url]], text}
    view: dict[str, Any]


@dataclass(frozen=True)
class FoldTable:
    """What the browser needs to fold a query exactly as the index was folded."""

    # {character: folded character(s)} for every archive character whose fold differs
    chars: dict[str, str]
    # {phrase: folded phrase} where folding the phrase differs from folding its characters
    phrases: dict[str, str]


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


def search_tokens(folded: str, *, index: bool = False) -> list[str]:
    """Han runs as overlapping bigrams (a lone character as itself); other words whole.

    With `index`, a run's last character is added too: Pagefind matches a one-character query
    as a prefix, and a character ending a run starts no bigram. Queries never add it.
    """
    tokens: list[str] = []
    for match in _TOKEN.finditer(folded):
        run = match.group()
        if match.group("han") and len(run) > 1:
            tokens += [a + b for a, b in zip(run, run[1:])]
            if index:
                tokens.append(run[-1])
        else:
            tokens.append(run)
    return tokens


def index_tokens(folded: str) -> list[str]:
    """The tokens search_tokens(folded, index=True) gives, grouped by kind (5x faster).

    Order within a record is irrelevant to Pagefind's ranking (term counts and weights), and
    search.js never asks Pagefind for positions.
    """
    return _BIGRAM.findall(folded) + _RUN_END.findall(folded) + _WORD.findall(folded)


def plain_text(body_html: str) -> str:
    """Rendered body HTML as plain text, one line per block, no inline spaces added."""
    text = html.unescape(_TAG.sub("", _BLOCK_TAG.sub("\n", body_html)))
    return _BLANKS.sub("\n", text).strip()


# ---------------------------------------------------------------------------- records


@dataclass(frozen=True)
class ArticleText:
    """An article's searchable text: per script, and folded once."""

    # {script: summary and body, as the excerpt is cut from}
    excerpt: dict[str, str]
    # {script: title, tags, summary and body, one per line (the title first)}
    plain: dict[str, str]
    # folder.fold of the written script's `plain`
    folded: str


def article_text(article: Article, folder: Folder) -> ArticleText:
    """Plain texts of both versions and the one fold records and the fold table share."""
    excerpt, plain = {}, {}
    for script in SCRIPTS:
        v = article.versions[script]
        body = plain_text(v.body_html)[:BODY_LIMIT]
        excerpt[script] = "\n".join(p for p in (v.summary, body) if p)
        plain[script] = "\n".join([v.title.replace("\n", " "), *v.tags, excerpt[script]])
    return ArticleText(excerpt, plain, folder.fold(plain[article.script]))


def record_id(slug: str) -> str:
    """The stable name of an article's record file."""
    return hashlib.sha256(slug.encode()).hexdigest()[:12]


def article_record(article: Article, site: Site, text: ArticleText, shard: str = "0") -> SearchRecord:
    """The record of one published article, in shard `shard`."""
    title, _, rest = text.folded.partition("\n")
    title_tokens = index_tokens(title)
    tags = [site.tags[k] for k in article.tag_keys if k in site.tags]
    date = article.date.date().isoformat()
    view: dict[str, Any] = {
        "date": date,
        "date_text": f"{article.date.year}年{article.date.month}月{article.date.day}日"}
    for script in SCRIPTS:
        view[script] = {
            "title": article.versions[script].title,
            "url": urls.article(script, article.slug),
            "tags": [[t.names[script], urls.tag(script, t.segments[script])] for t in tags],
            "text": text.excerpt[script]}
    return SearchRecord(
        url=urls.article(article.script, article.slug),
        content=" ".join(title_tokens * TITLE_WEIGHT + index_tokens(rest)),
        meta={"date": date, "r": f"{shard}/{record_id(article.slug)}"},
        filters={"tag": list(article.tag_keys), "year": [str(article.date.year)]},
        sort={"date": date},
        view=view,
    )


def record_json(record: SearchRecord) -> str:
    """A record file's text."""
    return json.dumps(record.view, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def search_records(site: Site, texts: dict[str, ArticleText]) -> list[SearchRecord]:
    """Records of every published article, newest first."""
    return [article_record(site.articles[slug], site, texts[slug]) for slug in site.order]


def site_texts(site: Site, folder: Folder) -> dict[str, ArticleText]:
    """{slug: ArticleText} of every published article."""
    return {slug: article_text(site.articles[slug], folder) for slug in site.order}


# ---------------------------------------------------------------------------- fold table


def fold_table(pairs: Iterable[tuple[str, str]], folder: Folder) -> FoldTable:
    """Character and phrase folds covering every text of (text, its fold) pairs.

    Give both scripts of each article with the same fold: where a script's text is folded
    differently character by character, the phrase responsible is looked up.
    """
    pairs = [(t, f) for t, f in pairs if t]
    chars = sorted(c for c in set("".join(t for t, _ in pairs)) if not c.isascii() and c != "\n")
    folded = folder.fold("\n".join(chars)).split("\n") if chars else []
    if len(folded) != len(chars):
        raise SiteError("search: folding single characters changed the line count",
                        hint="a glossary entry may contain a line break")
    table = {c: f for c, f in zip(chars, folded) if f != c}
    phrases: dict[str, str] = {}
    trans = str.maketrans(table)
    for text, whole in pairs:
        by_char = text.lower().translate(trans)
        if by_char == whole:
            continue
        # compared line by line: NFKC may change a line's length ("…" -> "...")
        for line, line_fold, line_chars in zip(text.split("\n"), whole.split("\n"), by_char.split("\n")):
            if line_fold != line_chars and len(line) == len(line_fold) == len(line_chars):
                phrases.update(_phrase_exceptions(line, line_fold, line_chars, folder, trans))
    return FoldTable(chars=table, phrases=dict(sorted(phrases.items())))


def _phrase_exceptions(text: str, whole: str, by_char: str, folder: Folder,
                       trans: dict[int, str]) -> dict[str, str]:
    """Shortest phrases around each spot where the fold differs from folding character by character."""
    found: dict[str, str] = {}
    for i, (a, b) in enumerate(zip(whole, by_char)):
        if a != b:
            phrase = _phrase_at(text, i, whole, folder, trans)
            if phrase:
                found[phrase[0]] = phrase[1]
    return found


def _phrase_at(text: str, i: int, whole: str, folder: Folder, trans: dict[int, str]
               ) -> tuple[str, str] | None:
    """The shortest window over position i that folds as in the whole text and not per character."""
    for size in range(2, _LONGEST_PHRASE + 1):
        for start in range(max(0, i - size + 1), min(i, len(text) - size) + 1):
            window = text[start:start + size]
            folded = folder.fold(window)
            if folded == whole[start:start + size] and folded != window.lower().translate(trans):
                return window, folded
    return None


def search_data(site: Site, shards: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The browser's data file: the shards (name, key, fold table) and tag names per script."""
    return {
        "format": FORMAT,
        "shards": list(shards),
        "tags": {k: {s: t.names[s] for s in SCRIPTS} for k, t in sorted(site.tags.items())},
    }


def plan_shards(site: Site, shard_size: int) -> list[list[str]]:
    """Slugs per shard, newest first: a stable hash of the slug picks one of ceil(n/size) shards."""
    count = max(1, -(-len(site.order) // shard_size))
    shards: list[list[str]] = [[] for _ in range(count)]
    for slug in site.order:
        shards[int(hashlib.sha256(slug.encode()).hexdigest()[:8], 16) % count].append(slug)
    return shards


def shard_key(site: Site, slugs: Sequence[str], base: Sequence[str]) -> str:
    """Digest of everything one shard's index depends on."""
    h = hashlib.sha256()
    for part in [*base, *slugs, *(site.articles[s].digest for s in slugs)]:
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:32]


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
        folder = folder or _converter(config)
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


def _converter(config: Config) -> Folder:
    """The site's converter (OpenCC plus glossary), as the build makes it."""
    from generator.scripts import Converter, load_glossary

    glossary = load_glossary(config.glossary) if config.glossary else None
    return Converter.from_config(config.opencc, glossary)
