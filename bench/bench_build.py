#!/usr/bin/env python3
"""Benchmark `newsarchive build` on synthetic archives (prints figures; not a test).

For each size (default 1,000 and 10,000 articles) it generates a corpus with
../shared/bench/make_corpus.py (--flavor plain) into a temporary site, then times, each in
a fresh process: a cold build (no cache, no output), a no-change rebuild, and a rebuild
after editing one article. Peak memory is the largest resident set of the build process
and its workers (wait4 rusage). Both scripts are built; search indexing is off so the
figures compare with the peers' builds.

    .venv/bin/python bench/bench_build.py [--sizes 1000 10000] [--keep DIR]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import synthetic  # bench/synthetic.py: the shared synthetic archives

REPO = Path(__file__).resolve().parent.parent
SITE_YML = """title: 基準測試
description: 合成語料
base_url: https://example.github.io/archive/
per_page: 20
related: 5
search: false
"""


def make_site(folder: Path, count: int) -> None:
    """A site folder with site.yml and `count` generated articles in content/."""
    synthetic.make_site(folder, count, SITE_YML)


def timed_build(site: Path) -> tuple[float, float, int, str]:
    """(wall seconds, CPU seconds, peak RSS in MB, summary line) of one build in a fresh process.

    CPU time (user + system, workers included) is printed too: on a shared machine it
    says more than wall time about the build itself.
    """
    # output goes to files: a build printing more than a pipe holds would block on a pipe
    # nobody reads until wait4 returns
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "generator", "build", "--site", str(site)],
                                cwd=REPO, stdout=stdout, stderr=stderr, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        stdout.seek(0), stderr.seek(0)
        out, err = stdout.read(), stderr.read()
    if status != 0:
        raise SystemExit(f"build failed:\n{err}")
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss // 1024, out.strip().splitlines()[-1]


def edit_one(site: Path) -> None:
    """Append a sentence to the body of one article (the first, by name)."""
    first = sorted((site / "content").glob("*.md"))[0]
    with first.open("a", encoding="utf-8") as f:
        f.write("\n基準測試修改了這篇文章。\n")


def bench(size: int, folder: Path) -> None:
    """Print cold, no-change and one-edit figures for one corpus size."""
    make_site(folder, size)
    print(f"== {size} articles (load average {os.getloadavg()[0]:.1f})", flush=True)
    for label, prepare in (("cold", None), ("no change", None), ("one edit", edit_one)):
        if prepare:
            prepare(folder)
        seconds, cpu, peak, summary = timed_build(folder)
        print(f"{label:>10}: {seconds:6.2f} s wall {cpu:6.2f} s CPU  peak {peak:4d} MB  | {summary}",
              flush=True)
    files = sum(1 for _ in (folder / "output").rglob("*") if _.is_file())
    print(f"{'output':>10}: {files} files")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = parser.parse_args()
    for size in args.sizes:
        if args.keep:
            folder = args.keep / f"site-{size}"
            shutil.rmtree(folder, ignore_errors=True)
            bench(size, folder)
        else:
            with tempfile.TemporaryDirectory(prefix="newsarchive-bench-") as tmp:
                bench(size, Path(tmp) / "site")


if __name__ == "__main__":
    main()
