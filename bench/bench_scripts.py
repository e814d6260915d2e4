"""Time script conversion of article HTML made from ../shared/bench/make_corpus.py corpora.

    .venv/bin/python bench/bench_scripts.py --n 300

Renders each article body with markdown-it, then converts it to both scripts with the
sample site's converter; prints CPU milliseconds per KB of HTML and per article, and the
cost of fold() on the same bodies. The target is under 0.1 ms per KB.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import synthetic  # bench/synthetic.py: the shared synthetic archives

from markdown_it import MarkdownIt

from generator.io.converters import open_converter, load_glossary

REPO = Path(__file__).resolve().parent.parent


def bodies(n: int, folder: Path) -> list[str]:
    """HTML bodies of the first n articles of a generated corpus."""
    synthetic.write_articles(n, folder)
    md = MarkdownIt("commonmark")
    paths = sorted(folder.glob("*.md"))[:n]
    return [md.render(p.read_text(encoding="utf-8").split("\n---\n", 1)[1]) for p in paths]


def cpu_ms(work: Callable[[str], object], htmls: list[str]) -> float:
    """CPU milliseconds spent running `work` over every body."""
    start = time.process_time()
    for html in htmls:
        work(html)
    return (time.process_time() - start) * 1000


def main() -> None:
    """Parse arguments, convert, print figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="articles to convert (default 300)")
    parser.add_argument("--corpus-dir", type=Path, help="an existing or kept corpus folder")
    args = parser.parse_args()
    conv = open_converter(glossary=load_glossary(REPO / "glossary.yml"))
    with tempfile.TemporaryDirectory() as tmp:
        htmls = bodies(args.n, args.corpus_dir or Path(tmp))
    kb = sum(len(h.encode()) for h in htmls) / 1024
    for name, work in [("html hant", lambda h: conv.html("hant", h)),
                       ("html hans", lambda h: conv.html("hans", h)),
                       ("fold", conv.fold)]:
        ms = cpu_ms(work, htmls)
        print(f"{name}: {ms / kb:.4f} ms/KB, {ms / len(htmls):.3f} ms/article "
              f"({len(htmls)} articles, {kb / len(htmls):.1f} KB each)")


if __name__ == "__main__":
    main()
