"""rescan(): an earlier scan plus the changed paths gives what a full scan would."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.io.sources import rescan, scan


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    for name in ("a.md", "b.md", "sub/c.md", "sub/fig.png"):
        path = tmp_path / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# {name}\n", encoding="utf-8")
    return tmp_path


def full(site: Path):
    entries, errors = scan(site / "content", site)
    assert errors == []
    return entries


def test_edit_add_and_delete_match_a_full_scan(site: Path) -> None:
    before = full(site)
    (site / "content/a.md").write_text("# longer text now\n", encoding="utf-8")
    os.utime(site / "content/a.md", ns=(1, 1))
    (site / "content/sub/d.md").write_text("# d\n", encoding="utf-8")
    (site / "content/b.md").unlink()
    changed = {"content/a.md", "content/sub/d.md", "content/b.md", "site.yml", "content/.x.md.swp"}
    assert rescan(site / "content", site, before, changed) == full(site)


def test_unchanged_paths_keep_their_entries(site: Path) -> None:
    before = full(site)
    assert rescan(site / "content", site, before, {"content/b.md"}) == before


@pytest.mark.parametrize("make", ["new folder", "gone folder", "folder path"])
def test_folders_need_a_full_scan(site: Path, make: str) -> None:
    before = full(site)
    if make == "new folder":
        (site / "content/new").mkdir()
        (site / "content/new/e.md").write_text("# e\n", encoding="utf-8")
        changed = {"content/new/e.md"}
    elif make == "gone folder":
        for child in (site / "content/sub").iterdir():
            child.unlink()
        (site / "content/sub").rmdir()
        changed = {"content/sub"}
    else:
        changed = {"content/sub"}
    assert rescan(site / "content", site, before, changed) is None
