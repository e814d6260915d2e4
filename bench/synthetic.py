"""Synthetic archives for the benchmarks, made by ../shared/bench/make_corpus.py.

The generator is deterministic (article i depends only on the seed and i), so every
benchmark measures the same articles. A folder that already holds articles is reused.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MAKE_CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"


def write_articles(count: int, folder: Path) -> Path:
    """`count` plain-flavour articles in `folder` (generated once); returns the folder."""
    if not MAKE_CORPUS.is_file():
        raise SystemExit(f"the benchmarks need {MAKE_CORPUS}")
    if not any(folder.glob("*.md")):
        subprocess.run([sys.executable, str(MAKE_CORPUS), "--n", str(count), "--out", str(folder),
                        "--flavor", "plain"], check=True, stdout=subprocess.DEVNULL)
    return folder


def make_site(folder: Path, count: int, site_yml: str) -> Path:
    """A site folder with `site_yml` and `count` generated articles in content/."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "site.yml").write_text(site_yml, encoding="utf-8")
    write_articles(count, folder / "content")
    return folder
