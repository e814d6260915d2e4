"""Measure own-script normalisation: what each candidate mechanism changes in real text.

Imports the seed page and the real-page corpus (../shared/corpus/real) into temporary sites
with this checkout's importer and lists every residue repair the importer made; then, for
every article's own-script title, summary and body (the sample archive's content/ and the
imported corpus), counts what two mechanisms would change at build time:

  full   OpenCC outright (s2tw on Traditional text, t2s on Simplified), glossary protected
  chosen generator/core/residue.py: OpenCC proposes; shared characters change only by phrase,
         Taiwan variants (台 布 了 …) stay

and prints every change the chosen mechanism makes with its context, so each can be read.

Usage: python tools/measure_script_normalisation.py [--corpus DIR] [--site DIR] [--all] [--cost N]
  --site: an already imported site instead of importing the corpus; --all: list every full
  change too (not only counts); --cost N: instead, the CPU cost of normalisation in
  parse_article on N articles of ../shared/bench/make_corpus.py, interleaved with the same
  parse where the own-script text is only stripped of its `-{…}-` markers (the old path).
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from generator.core.frontmatter import split_front_matter  # noqa: E402
from generator.core.chinese import Converter  # noqa: E402
from generator.io.converters import open_converter, load_glossary  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "real"
SEED = REPO / "tests" / "fixtures" / "importer" / "seed.txt"


_REPAIR = re.compile(r"^\s*- (simplified|traditional)-residue: (.*)$", re.M)


def import_pages(pages: Path, site: Path) -> list[str]:
    """Import pages into a fresh site with the sample's settings; the residue repairs made."""
    (site / "content").mkdir(parents=True)
    for name in ("site.yml", "glossary.yml", "companies.yml"):
        (site / name).write_bytes((REPO / name).read_bytes())
    done = subprocess.run([sys.executable, "-m", "generator", "import", "--site", str(site),
                           "--allow-duplicates", "--verbose", str(pages)], cwd=REPO,
                          capture_output=True, text=True,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    return [f"{kind}: {m}" for kind, m in _REPAIR.findall(done.stdout)]


def show_repairs(label: str, repairs: list[str]) -> None:
    """Print the importer's residue repairs (each `found→suggested (×n)`)."""
    total = sum(int(n) if n else 1 for r in repairs
                for n in re.findall(r"\(×(\d+)\)|(?<!\))$", r) or [""])
    print(f"{label} import: {len(repairs)} distinct residue repairs ({total} in all)")
    for repair in repairs:
        print(f"    {repair}")


def own_texts(site: Path):
    """(path, script, text) of every article: title, summary and body as written."""
    for path in sorted((site / "content").rglob("*.md")):
        meta, body, _ = split_front_matter(path.read_text(encoding="utf-8"), str(path))
        script = meta.get("script")
        if script in ("hant", "hans"):
            yield path, script, f"{meta.get('title') or ''}\n{meta.get('summary') or ''}\n{body}"


def diff(before: str, after: str) -> list[tuple[int, str]]:
    """(offset, 'old→new') of every changed character (equal lengths)."""
    return [(i, f"{a}→{b}") for i, (a, b) in enumerate(zip(before, after)) if a != b]


def measure(site: Path, label: str, converter: Converter, show_all: bool) -> None:
    """Print counts for both mechanisms and every chosen change, per script."""
    for script in ("hant", "hans"):
        full, chosen, articles, chars = Counter(), Counter(), 0, 0
        lines = []
        for path, s, text in own_texts(site):
            if s != script:
                continue
            marked, text = text, text.replace("-{", "").replace("}-", "")
            articles, chars = articles + 1, chars + len(text)
            converted = converter.text(script, text)
            if len(converted) == len(text):
                full.update(pair for _, pair in diff(text, converted))
            # `-{…}-` stays as written (markers dropped), as in the build
            normalised = converter.normalise(script, marked)
            for i, pair in diff(text, normalised):
                chosen[pair] += 1
                where = text[max(0, i - 4):i + 4].replace("\n", " ")
                lines.append(f"    {pair}  {where}  ({path.relative_to(site)})")
        print(f"{label} {script}: {articles} articles, {chars} characters")
        print(f"  full OpenCC: {sum(full.values())} changes: "
              + " ".join(f"{k}×{n}" for k, n in full.most_common()))
        print(f"  chosen: {sum(chosen.values())} changes: "
              + " ".join(f"{k}×{n}" for k, n in chosen.most_common()))
        if show_all or lines:
            print("\n".join(lines))


def cost(count: int) -> None:
    """Print parse_article CPU ms per article with and without own-script normalisation."""
    import time
    from datetime import timedelta, timezone

    from generator.core.articles import parse_article
    from generator.core.markdown import make_renderer, strip_keep_markers
    from generator.core.model import Source

    conv = open_converter(glossary=load_glossary(REPO / "glossary.yml"))

    class AsWritten:
        """The converter with own-script text kept as written (markers stripped only)."""

        def __getattr__(self, name):
            return getattr(conv, name)

        def own_html(self, script, html, texts=()):
            return (strip_keep_markers(html), [], [strip_keep_markers(t) for t in texts],
                    [[] for _ in texts])

    render, tz = make_renderer(), timezone(timedelta(hours=8))
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, str(REPO.parent / "shared" / "bench" / "make_corpus.py"),
                        "--n", str(count), "--out", tmp, "--flavor", "plain"], check=True,
                       capture_output=True)
        texts = [p.read_text(encoding="utf-8") for p in sorted(Path(tmp).glob("*.md"))]
    spent = {"normalised": 0.0, "as written": 0.0}
    variants = (("normalised", conv), ("as written", AsWritten()))
    for rep in range(3):
        for i, text in enumerate(texts):
            for label, c in variants if (i + rep) % 2 else variants[::-1]:
                started = time.process_time()
                parse_article(Source(f"content/a{i}.md", text, "d" * 64), converter=c,
                              render=render, detect=lambda t: conv.detect_script(t, "hant"),
                              tz=tz, base_path="/", fingerprint="f")
                spent[label] += time.process_time() - started
    per = {k: v / (3 * len(texts)) * 1000 for k, v in spent.items()}
    print(f"parse_article, {len(texts)} articles: " + ", ".join(f"{k} {v:.3f} ms" for k, v in per.items())
          + f"; normalisation adds {per['normalised'] - per['as written']:.3f} ms per article")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--site", type=Path, help="an imported site (skip importing)")
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--cost", type=int, metavar="N")
    args = parser.parse_args(argv)
    if args.cost:
        cost(args.cost)
        return 0
    converter = open_converter(None, load_glossary(REPO / "glossary.yml"))
    measure(REPO, "sample", converter, args.all)
    if args.site:
        measure(args.site, "corpus", converter, args.all)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        show_repairs("seed", import_pages(SEED, Path(tmp) / "seed"))
        show_repairs("corpus", import_pages(args.corpus, Path(tmp) / "site"))
        measure(Path(tmp) / "site", "corpus", converter, args.all)
    return 0


if __name__ == "__main__":
    sys.exit(main())
