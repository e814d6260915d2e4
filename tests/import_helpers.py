"""Shared pieces of the importer tests: a bare site, the import command with --json, its articles."""
from __future__ import annotations

import json
from pathlib import Path

from generator.cli import main

NOW = "2025-12-01T09:00:00+08:00"


def import_site(tmp_path: Path) -> Path:
    """A site folder with only site.yml (the importer creates content/)."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "site.yml").write_text("title: 測試典藏\nbase_url: https://example.org/\n", encoding="utf-8")
    return root


def run(site: Path, *args: object, capsys) -> tuple[int, list[dict]]:
    """The import command with --json: (exit status, one dict per page)."""
    status = main(["import", "--site", str(site), "--json", "--now", NOW, *map(str, args)])
    out = capsys.readouterr().out
    return status, [json.loads(line) for line in out.splitlines() if line.strip()]


def articles(site: Path) -> list[Path]:
    """Every article file the site holds, sorted."""
    return sorted((site / "content").rglob("*.md")) if (site / "content").exists() else []
