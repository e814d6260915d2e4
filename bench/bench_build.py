#!/usr/bin/env python3
"""Benchmark `newsarchive build` on synthetic archives (prints figures; not a test).

For each size (default 1,000 and 10,000 articles) it generates a corpus with
../shared/bench/make_corpus.py (--flavor plain) into a temporary site, then times, each in
a fresh process: a cold build (no cache, no output), a no-change rebuild, and a rebuild
after editing one article. Peak memory is the largest resident set of the build process
and its workers (wait4 rusage). Both scripts are built; search indexing is off so the
figures compare with the peers' builds.

With --compare-hugo (and `hugo` on PATH) it instead times cold builds of the same articles
by newsarchive (both scripts, no search) and by Hugo (one script; what the Hugo site holds
is in bench/hugo_site.py's docstring), alternating newsarchive and Hugo runs in the same
temporary folder on the same disk, and prints each run's wall time, CPU time and peak
memory and the ratio of each pair. With --search as well, newsarchive builds with its
search index and Hugo's build is followed by Pagefind (the same Python package newsarchive
runs) over Hugo's output; the pair's times are summed.

    .venv/bin/python bench/bench_build.py [--sizes 1000 10000] [--keep DIR]
    .venv/bin/python bench/bench_build.py --compare-hugo [--search] [--rounds 3] [--sizes 10000]

--against CHECKOUT alternates cold builds by this checkout's generator and another's (a
`git worktree` or `git archive` of the commit before a change): the before/after ratio.

    .venv/bin/python bench/bench_build.py --against /tmp/before --sizes 2000 --rounds 4
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

import hugo_site  # bench/hugo_site.py: the same articles as a Hugo site
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


def timed_build(site: Path, *options: str, root: Path = REPO) -> tuple[float, float, int, str]:
    """(wall seconds, CPU seconds, peak RSS in MB, summary line) of one build in a fresh process.

    CPU time (user + system, workers included) is printed too: on a shared machine it
    says more than wall time about the build itself. `root` is the checkout whose generator
    runs (--against compares two).
    """
    seconds, cpu, peak, out = timed_run([sys.executable, "-m", "generator", "build", "--site",
                                         str(site), *options], root)
    return seconds, cpu, peak, out.strip().splitlines()[-1]


def timed_run(command: list[str], root: Path = REPO) -> tuple[float, float, int, str]:
    """(wall seconds, CPU seconds, peak RSS in MB of the process or any child it waited for,
    stdout) of one command run from `root` (its generator package first on the path)."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    # output goes to files: a build printing more than a pipe holds would block on a pipe
    # nobody reads until wait4 returns
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=root, env=env, stdout=stdout, stderr=stderr,
                                text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        stdout.seek(0), stderr.seek(0)
        out, err = stdout.read(), stderr.read()
    if status != 0:
        raise SystemExit(f"{command[0]} failed:\n{err}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, out


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


def cold_newsarchive(site: Path, search: bool, root: Path = REPO) -> tuple[float, float, int]:
    """A cold newsarchive build (of the generator in `root`): no output, no twin, no cache."""
    for leftover in [site / "output", site / ".newsarchive-cache", *site.glob(".output.*")]:
        shutil.rmtree(leftover, ignore_errors=True)
    return timed_build(site, *(() if search else ("--no-search",)), root=root)[:3]


def cold_hugo(site: Path, search: bool) -> tuple[float, float, int]:
    """A cold Hugo build (then Pagefind over it, with `search`): times summed, peak the larger."""
    out = site / "public"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(site / ".hugo-cache", ignore_errors=True)
    seconds, cpu, peak, _ = timed_run(hugo_site.hugo_command(site, out))
    if search:
        more = timed_run(hugo_site.pagefind_command(sys.executable, out))
        seconds, cpu, peak = seconds + more[0], cpu + more[1], max(peak, more[2])
    return seconds, cpu, peak


def compare_hugo(size: int, folder: Path, rounds: int, search: bool) -> None:
    """Print alternating cold builds of newsarchive and Hugo over the same articles."""
    if shutil.which("hugo") is None:
        raise SystemExit("--compare-hugo needs `hugo` on PATH (Debian: apt-get install hugo)")
    site = folder / "site"
    synthetic.make_site(site, size, SITE_YML.replace("search: false\n", ""))
    hugo = hugo_site.make_hugo_site(site / "content", folder / "hugo", per_page=20)
    version = subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.split()[1]
    print(f"== {size} articles, newsarchive (both scripts) vs Hugo {version} (one script)"
          f"{', search: Pagefind after Hugo' if search else ', no search'}", flush=True)
    alternate(rounds, [("newsarchive", lambda: cold_newsarchive(site, search)),
                       ("hugo", lambda: cold_hugo(hugo, search))])


def compare_against(size: int, folder: Path, rounds: int, search: bool, other: Path) -> None:
    """Print alternating cold builds by this checkout's generator and another's (before/after)."""
    site = folder / "site"
    synthetic.make_site(site, size, SITE_YML.replace("search: false\n", ""))
    print(f"== {size} articles, this checkout vs {other}"
          f"{', search on' if search else ', no search'}", flush=True)
    alternate(rounds, [("this", lambda: cold_newsarchive(site, search)),
                       ("other", lambda: cold_newsarchive(site, search, root=other))])


def alternate(rounds: int, runs: list[tuple[str, object]]) -> None:
    """Run two contestants `rounds` times each, alternating who goes first (so neither always
    meets the warmer page cache or the quieter neighbour); print each run and each pair's ratio."""
    ratios = []
    (first, _), (second, _) = runs
    for n in range(rounds):
        figures = {}
        for name, run in runs if n % 2 == 0 else runs[::-1]:
            load = os.getloadavg()[0]
            figures[name] = seconds, cpu, peak = run()
            print(f"  round {n + 1} {name:>11}: {seconds:6.2f} s wall {cpu:6.2f} s CPU "
                  f"peak {peak:5d} MB  (load {load:.1f})", flush=True)
        ratios.append(figures[first][0] / figures[second][0])
        print(f"  round {n + 1} ratio {first} / {second}: {ratios[-1]:.2f} wall, "
              f"{figures[first][1] / figures[second][1]:.2f} CPU", flush=True)
    print(f"  wall ratios: {', '.join(f'{r:.2f}' for r in ratios)} (min {min(ratios):.2f}, "
          f"max {max(ratios):.2f})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    parser.add_argument("--compare-hugo", action="store_true",
                        help="alternate cold builds with Hugo's over the same articles")
    parser.add_argument("--search", action="store_true",
                        help="with --compare-hugo: search on, against Hugo + Pagefind")
    parser.add_argument("--against", type=Path, metavar="CHECKOUT",
                        help="alternate cold builds with another checkout's generator (before/after)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="pairs of runs for --compare-hugo and --against")
    args = parser.parse_args()
    for size in args.sizes:
        if args.keep:
            folder = args.keep / f"site-{size}"
            if not (args.compare_hugo or args.against):
                shutil.rmtree(folder, ignore_errors=True)
            run_one(args, size, folder)
        else:
            with tempfile.TemporaryDirectory(prefix="newsarchive-bench-") as tmp:
                run_one(args, size, Path(tmp) / "site")


def run_one(args: argparse.Namespace, size: int, folder: Path) -> None:
    """The comparison or the usual figures for one size."""
    if args.against:
        compare_against(size, folder, args.rounds, args.search, args.against.resolve())
    elif args.compare_hugo:
        compare_hugo(size, folder, args.rounds, args.search)
    else:
        bench(size, folder)


if __name__ == "__main__":
    main()
