#!/usr/bin/env python3
"""Benchmark search indexing (prints figures; not a test).

For each size (default 1,000 and 10,000 articles) it generates a corpus with
../shared/bench/make_corpus.py (--flavor plain), builds it with search off (to get the parsed
articles), then times the stages of generator.publish.search:
records (fold + bigrams), fold table, Pagefind, and moving the files into place; and a
second call, which finds the index current and skips. It prints the index size on disk,
what a reader downloads before the first result, and the average fragment size; then
re-indexes after one edit (one shard of search.SHARD_SIZE articles), and times what the
preview server waits for after an edit (index_search handing the work to a background thread).

    .venv/bin/python bench/bench_search.py [--sizes 1000 10000] [--keep DIR]
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import synthetic  # bench/synthetic.py: the shared synthetic archives

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SITE_YML = "title: 基準測試\ndescription: 合成語料\nbase_url: https://example.github.io/archive/\n"

from generator import build as build_mod  # noqa: E402  (after the path insert)
from generator.io.converters import converter_for  # noqa: E402
from generator.publish import search  # noqa: E402
from generator.io.cache import DiskCache  # noqa: E402
from generator.io.config import load_config  # noqa: E402
from generator.core.corpus import build_site  # noqa: E402


def make_site(folder: Path, count: int) -> None:
    """A site folder with site.yml and `count` generated articles in content/."""
    synthetic.make_site(folder, count, SITE_YML)


def timed(label: str, fn, *args, **kwargs):
    """Run fn(*args, **kwargs), print its wall time, return its result."""
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    print(f"{label:>16}: {time.perf_counter() - started:7.2f} s")
    return result


def sizes(folder: Path) -> None:
    """Print the index's size on disk and what the first query downloads."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    fragments = [p.stat().st_size for p in folder.glob("*/fragment/*")]
    chunks = [p.stat().st_size for p in folder.glob("*/index/*")]
    data = json.loads((folder / search.DATA_FILE).read_text(encoding="utf-8"))
    names = [s["name"] for s in data["shards"]]
    # pagefind.js, worker and wasm once; every shard's entry and meta; the data file
    first = sum(p.stat().st_size for p in (folder / names[0]).iterdir() if p.is_file())
    first += sum(p.stat().st_size for n in names[1:] for p in (folder / n).iterdir()
                 if p.suffix in (".json", ".pf_meta"))
    first += (folder / search.DATA_FILE).stat().st_size
    print(f"{'index on disk':>16}: {total / 1e6:7.1f} MB in {len(files)} files, {len(names)} shards")
    print(f"{'fragments':>16}: {sum(fragments) / 1e6:7.1f} MB, {sum(fragments) / len(fragments) / 1e3:.1f} kB each (gzip)")
    print(f"{'index chunks':>16}: {len(chunks)}, {sum(chunks) / len(chunks) / 1e3:.1f} kB each (gzip)")
    print(f"{'start-up files':>16}: {first / 1e3:7.1f} kB before the first query's index chunks")


def bench(size: int, folder: Path) -> None:
    """Print indexing figures for one corpus size."""
    make_site(folder, size)
    print(f"== {size} articles")
    config = dataclasses.replace(load_config(folder), search=False)
    cache = DiskCache.memory()
    timed("build (no search)", build_mod.build, config, out_dir=folder / "output", cache=cache)
    site = build_site(cache.articles.values(), related=lambda published: {})
    folder_ = converter_for(config)
    texts = timed("texts (fold)", search.site_texts, site, folder_)
    timed("records", search.search_records, site, texts)
    pairs = [(t.plain[s], t.folded) for t in texts.values() for s in ("hant", "hans")]
    timed("fold table", search.fold_table, pairs, folder_)
    out = folder / "output"
    # index_search does records and fold table again, then Pagefind and the move into place
    report = timed("index_search", search.index_search, out, site, config)
    print(f"{'':>16}  {report.summary()}")
    again = timed("no change", search.index_search, out, site, config)
    print(f"{'':>16}  {again.summary()}")
    slug = site.order[len(site.order) // 2]
    edited = dataclasses.replace(site, articles={**site.articles, slug: dataclasses.replace(
        site.articles[slug], digest="edited")})
    one = timed("one edit", search.index_search, out, edited, config)
    print(f"{'':>16}  {one.summary()}")
    again_edited = dataclasses.replace(edited, articles={**edited.articles, slug: dataclasses.replace(
        site.articles[slug], digest="edited again")})
    runner = search.Background(lambda result: None)
    try:
        with search.in_background(runner):
            handed = timed("serve: hand-off", search.index_search, out, again_edited, config)
        print(f"{'':>16}  {handed.summary()}")
        timed("serve: indexed", runner.wait)
    finally:
        runner.close()
    sizes(out / search.SEARCH_DIR)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    print(f"{'peak memory':>16}: {peak} MB (Python), {child} MB (largest child: a Pagefind run "
          "or a build worker)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-search-"))
    try:
        for size in args.sizes:
            bench(size, base / f"site-{size}")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
