#!/usr/bin/env python3
"""Benchmark what companies cost a build (prints figures; not a test).

Issue 16's scale case: a synthetic archive (../shared/bench/make_corpus.py) of 10,000
articles over which 500 companies are spread, the most-named ones in many articles and most
in a few (a Zipf-like draw, deterministic), one to three per article. The same articles are
built twice, in two site folders: once with `companies.yml` and the `companies:` lists, once
without either. Cold builds alternate between the two so that load on the machine falls on
both alike; then the site with companies gets a no-change rebuild and a one-edit rebuild.

Printed per cold build: wall and CPU seconds, peak memory and the build's own summary line
(its `companies` stage); then the cost of companies as the difference of the medians, as a
share of the cold build, and the company stage's own share.

    .venv/bin/python bench/bench_companies.py [--articles 10000] [--companies 500] [--rounds 2]
"""
from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import statistics
import tempfile
from pathlib import Path

import synthetic  # bench/synthetic.py: the shared synthetic archives
from bench_build import SITE_YML, edit_one, timed_build

# first characters and endings of the synthetic company names: (Traditional, Simplified), so
# that a name is written differently in the two scripts like most real ones
HEADS = [("華", "华"), ("東", "东"), ("興", "兴"), ("達", "达"), ("實", "实"), ("豐", "丰"),
         ("聯", "联"), ("長", "长"), ("寶", "宝"), ("廣", "广"), ("萬", "万"), ("匯", "汇"),
         ("順", "顺"), ("偉", "伟"), ("鴻", "鸿"), ("綠", "绿"), ("雲", "云"), ("貴", "贵"),
         ("銀", "银"), ("鐵", "铁"), ("運", "运"), ("國", "国"), ("億", "亿"), ("龍", "龙")]
TAILS = [("科技", "科技"), ("電子", "电子"), ("集團", "集团"), ("銀行", "银行"),
         ("能源", "能源"), ("醫藥", "医药"), ("汽車", "汽车"), ("半導體", "半导体")]
# (exchange, first code): codes that pass the exchanges' formats in core/companies.py
EXCHANGES = [("HKEX", 1), ("SZSE", 1), ("SSE", 600000), ("TWSE", 1101)]


def draw(key: str) -> float:
    """A deterministic number in [0, 1) from `key`."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") / 2**64


def company_yaml(number: int) -> str:
    """The companies.yml entry of synthetic company `number` (0-based)."""
    first, second = HEADS[number % len(HEADS)], HEADS[(number // len(HEADS)) % len(HEADS)]
    tail = TAILS[(number // len(HEADS) ** 2 + number) % len(TAILS)]
    exchange, first_code = EXCHANGES[number % len(EXCHANGES)]
    code = f"{first_code + number:0{4 if exchange in ('HKEX', 'TWSE') else 6}d}"
    entry = [f"- id: company-{number:03d}",
             f"  hant: {first[0]}{second[0]}{tail[0]}{number:03d}",
             f"  hans: {first[1]}{second[1]}{tail[1]}{number:03d}",
             f"  aliases: [Company {number:03d}]",
             f'  tickers: ["{exchange}:{code}"]',
             f"  description: 合成的第 {number} 家公司，只為基準測試而設。"]
    if number % 10 and number > 10:
        entry.append(f"  parent: company-{number - number % 10:03d}")
    return "\n".join(entry) + "\n"


def article_companies(name: str, companies: int) -> list[str]:
    """One to three company ids for article `name`, popular companies drawn more often."""
    count = 1 + int(draw(name + "/count") * 3)
    ids = {f"company-{int(companies * draw(f'{name}/{k}') ** 2.5):03d}" for k in range(count)}
    return sorted(ids)


def name_companies(site: Path, companies: int) -> None:
    """companies.yml for the site, and a `companies:` list in every article's front matter."""
    (site / "companies.yml").write_text("".join(company_yaml(n) for n in range(companies)),
                                        encoding="utf-8")
    with (site / "site.yml").open("a", encoding="utf-8") as f:
        f.write("companies: companies.yml\n")
    for path in sorted((site / "content").glob("*.md")):
        ids = ", ".join(article_companies(path.stem, companies))
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("\n---\n", f"\ncompanies: [{ids}]\n---\n", 1),
                        encoding="utf-8")


def stage_seconds(summary: str, stage: str) -> float:
    """A stage's seconds from a build's summary line (0 when it did not run)."""
    found = re.search(rf"\b{stage} (\d+\.\d+)s", summary)
    return float(found.group(1)) if found else 0.0


def cold(site: Path) -> tuple[float, float, int, str]:
    """A cold build of `site`: output and cache removed first."""
    for folder in ("output", ".newsarchive-cache"):
        shutil.rmtree(site / folder, ignore_errors=True)
    return timed_build(site)


def report(label: str, figures: tuple[float, float, int, str]) -> None:
    seconds, cpu, peak, summary = figures
    print(f"{label:>22}: {seconds:6.2f} s wall {cpu:6.2f} s CPU  peak {peak:4d} MB  | {summary}",
          flush=True)


def bench(articles: int, companies: int, rounds: int, root: Path) -> None:
    """Alternate cold builds with and without companies; then rebuilds with them."""
    plain, named = root / "plain", root / "named"
    synthetic.make_site(plain, articles, SITE_YML)
    synthetic.make_site(named, articles, SITE_YML)
    name_companies(named, companies)
    print(f"== {articles} articles, {companies} companies", flush=True)
    walls: dict[str, list[float]] = {"plain": [], "named": []}
    stage: list[float] = []
    for round_ in range(rounds):
        for label, site in (("plain", plain), ("named", named)):
            figures = cold(site)
            walls[label].append(figures[0])
            if label == "named":
                stage.append(stage_seconds(figures[3], "companies"))
            report(f"cold {'with' if label == 'named' else 'without'} companies", figures)
    report("no change", timed_build(named))
    edit_one(named)
    report("one edit", timed_build(named))
    with_, without = statistics.median(walls["named"]), statistics.median(walls["plain"])
    pages = sum(1 for _ in (named / "output").rglob("index.html") if "/companies/" in str(_))
    print(f"companies cost {with_ - without:+.2f} s of a {with_:.2f} s cold build "
          f"({(with_ - without) / with_:.1%}, medians); the companies stage "
          f"{statistics.median(stage):.2f} s ({statistics.median(stage) / with_:.1%}); "
          f"{pages} company pages in both scripts")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--companies", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2, help="cold builds of each site")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsarchive-companies-") as tmp:
        bench(args.articles, args.companies, args.rounds, Path(tmp))


if __name__ == "__main__":
    main()
