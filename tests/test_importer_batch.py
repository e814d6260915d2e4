"""The importer's batch API, used without the `import` command: results, writing, dry run."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from import_helpers import import_site

from generator.core.frontmatter import split_front_matter
from generator.importer.batch import Options, import_batch, open_batch

FIXTURES = Path(__file__).parent / "fixtures" / "importer"
NOW = datetime.fromisoformat("2025-12-01T09:00:00+08:00")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return import_site(tmp_path)


def test_a_batch_reports_each_page_and_writes_the_new_article(site):
    batch = open_batch(site, Options(tags=("晶片",)), now=NOW)
    results = list(import_batch([str(FIXTURES / "plain_hans.txt"), str(FIXTURES / "missing.txt")],
                                batch))
    assert [r.status for r in results] == ["new", "error"]
    assert "no such file" in results[1].error
    path = site / results[0].output
    meta, _, _ = split_front_matter(path.read_text(encoding="utf-8"), str(path))
    assert meta["source"]["imported"] == NOW and "晶片" in meta["tags"]
    again = list(import_batch([str(FIXTURES / "plain_hans.txt")], open_batch(site, Options(), now=NOW)))
    assert [r.status for r in again] == ["unchanged"]


def test_a_dry_run_batch_writes_nothing(site):
    batch = open_batch(site, Options(dry_run=True), now=NOW)
    [result] = import_batch([str(FIXTURES / "plain_hans.txt")], batch)
    assert result.status == "new" and result.output.startswith("content/2025/")
    assert not (site / "content").exists() or not any((site / "content").rglob("*.md"))
