#!/usr/bin/env python3
"""SHA-256 of every file a build writes, for the sample archive and a generated archive.

A refactor that promises "no output byte changes" proves it with this:

    .venv/bin/python tools/output_hashes.py --update     # before: record tests/fixtures/output_hashes.json
    .venv/bin/python -m pytest tests/test_output_hashes.py  # after: every hash must match

The generated archive is 300 articles from ../shared/bench/make_corpus.py (deterministic).
Builds run with search off (Pagefind's bundle names carry its own hashes) and with a fixed
base_url, into temporary folders; the site's own output/ is never touched.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "fixtures" / "output_hashes.json"
MAKE_CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"
GENERATED = 300
GENERATED_SITE = """title: 生成典藏
description: 基準測試用的生成新聞。
base_url: https://example.org/archive/
search: false
"""


def tree_hashes(folder: Path) -> dict[str, str]:
    """{relative path: sha256} of every file under folder."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build_hashes(site: Path, work: Path) -> dict[str, str]:
    """Build `site` (a folder in `work`) with search off and hash the output."""
    import dataclasses

    from generator.build import build
    from generator.io.config import load_config

    config = load_config(site, env={"NEWSARCHIVE_BASE_URL": "https://example.org/archive/"})
    out = work / f"{site.name}-out"
    build(dataclasses.replace(config, search=False), out_dir=out, workers_count=1)
    return tree_hashes(out)


def generated_site(work: Path) -> Path:
    """A site folder with the generated articles."""
    site = work / "generated"
    (site / "content").mkdir(parents=True)
    (site / "site.yml").write_text(GENERATED_SITE, encoding="utf-8")
    subprocess.run([sys.executable, str(MAKE_CORPUS), "--n", str(GENERATED), "--out",
                    str(site / "content"), "--flavor", "plain"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return site


def all_hashes() -> dict[str, dict[str, str]]:
    """Hashes of the sample archive's build and of the generated archive's (when available)."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sample = work / "sample-src"
        sample.mkdir()
        for name in ("site.yml", "glossary.yml", "companies.yml", "content", "themes"):
            source = REPO / name
            if source.is_dir():
                shutil.copytree(source, sample / name)
            elif source.is_file():
                shutil.copy2(source, sample / name)
        result = {"sample": build_hashes(sample, work)}
        if MAKE_CORPUS.is_file():
            result["generated"] = build_hashes(generated_site(work), work)
        return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help=f"write {GOLDEN.relative_to(REPO)}")
    args = parser.parse_args()
    hashes = all_hashes()
    if args.update:
        GOLDEN.write_text(json.dumps(hashes, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    for name, files in hashes.items():
        print(f"{name}: {len(files)} files")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
