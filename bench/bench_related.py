"""Time related-article lists on corpora made by ../shared/bench/make_corpus.py.

    .venv/bin/python bench/bench_related.py --n 1000 10000

For each size: folding (converter.fold of tags and text), a full computation, and the
incremental update after a one-article edit (the live-preview path); --memory adds the
peak memory of a full computation.
Corpora are generated into a temporary folder (or --corpus-dir) and read from there.
"""
from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

import synthetic  # bench/synthetic.py: the shared synthetic archives

import yaml

from generator.core.related import RelatedDoc, RelatedIndex, text_features
from generator.core.chinese import Converter
from generator.io.converters import open_converter, load_glossary

REPO = Path(__file__).resolve().parent.parent
FRONT = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.S)


def make_corpus(n: int, out: Path) -> Path:
    """Generate (once) a plain corpus of n articles."""
    return synthetic.write_articles(n, out)


def read_docs(folder: Path, conv: Converter) -> list[RelatedDoc]:
    """Read articles and fold them as the build does."""
    docs = []
    for path in sorted(folder.glob("*.md")):
        meta_text, body = FRONT.match(path.read_text(encoding="utf-8")).groups()
        meta = yaml.safe_load(meta_text)
        day = date.fromisoformat(str(meta["date"])[:10]).toordinal()
        text = conv.fold(f"{meta['title']}\n{meta.get('summary', '')}\n{body}")
        tags = frozenset(conv.fold(t) for t in meta["tags"])
        docs.append(RelatedDoc(path.stem, tags, text, day))
    return docs


def edited(doc: RelatedDoc) -> RelatedDoc:
    """The same article with one sentence added (a typical preview edit)."""
    return RelatedDoc(doc.key, doc.tags, doc.text + "\n商汤医疗发布医疗世界模型。", doc.day)


def bench(n: int, root: Path, conv: Converter, *, memory: bool) -> None:
    """Print figures for one corpus size."""
    folder = make_corpus(n, root / f"corpus-{n}")
    t0 = time.perf_counter()
    docs = read_docs(folder, conv)
    t1, c1 = time.perf_counter(), time.process_time()
    index = RelatedIndex.build(docs)
    t2, c2 = time.perf_counter(), time.process_time()
    lists = index.lists()
    edits = []
    for doc in docs[:: max(1, len(docs) // 5)][:5]:
        t = time.perf_counter()
        index.update([edited(doc)])
        edits.append(time.perf_counter() - t)
    lengths = [len(v) for v in lists.values()]
    c3 = time.process_time()
    cached = [RelatedDoc(d.key, d.tags, "", d.day, terms=text_features(d.text)) for d in docs]
    c4 = time.process_time()
    RelatedIndex.build(cached)
    c5 = time.process_time()
    print(f"n={n}: read+fold {t1 - t0:.2f} s; full related {t2 - t1:.2f} s wall, "
          f"{c2 - c1:.2f} s CPU ({(c2 - c1) / n * 1000:.3f} ms/doc), of which text features "
          f"{c4 - c3:.2f} s CPU (cacheable per article: with them cached {c5 - c4:.2f} s); "
          f"one-edit update median {statistics.median(edits) * 1000:.0f} ms "
          f"(max {max(edits) * 1000:.0f} ms); mean list length {statistics.mean(lengths):.2f}")
    if memory:
        tracemalloc.start()
        RelatedIndex.build(docs)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"n={n}: peak memory of a full computation {peak / 2**20:.0f} MB (tracemalloc)")


def main() -> None:
    """Parse arguments and run the benchmark for each size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 10000],
                        help="corpus sizes (default 1000 10000)")
    parser.add_argument("--corpus-dir", type=Path, help="keep generated corpora here")
    parser.add_argument("--memory", action="store_true",
                        help="also measure peak memory (a second, slower run under tracemalloc)")
    args = parser.parse_args()
    conv = open_converter(glossary=load_glossary(REPO / "glossary.yml"))
    with tempfile.TemporaryDirectory() as tmp:
        root = args.corpus_dir or Path(tmp)
        for n in args.n:
            bench(n, root, conv, memory=args.memory)


if __name__ == "__main__":
    main()
