"""The output folder is the generator's alone: refused folders, kept strangers, clean errors.

Each refusal is one `path: what (hint)` line, exit 1, and not one byte changed anywhere in
the site; a failing search indexer, a full disk or a permission error leave output/ exactly
as it was and no scratch folder behind.
"""
from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from build_helpers import THEME_MIN, article, make_site, snapshot

import generator.io.output as output
from generator import cli
from generator.build import build
from generator.io.cache import DiskCache
from generator.core.errors import SiteError
from generator.io.guard import MANIFEST_FILE, lock_folder

FILES = {"content/2025/a.md": article("騰訊發布財報", "2025-01-02"),
         "content/2025/b.md": article("華為新機", "2025-01-03", tags="[華為]")}


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    make_site(tmp_path / "site", FILES)
    return tmp_path / "site"


def run(site: Path, *args: str, capsys) -> tuple[int, list[str], str]:
    """`newsarchive build --site SITE ARGS`: (exit status, stderr lines, stdout)."""
    status = cli.main(["build", "--site", str(site), *args])
    captured = capsys.readouterr()
    return status, captured.err.splitlines(), captured.out


def everything(folder: Path) -> dict[str, bytes]:
    """Every file under folder, hidden ones and .git included."""
    return snapshot(folder)


def scratch(site: Path) -> list[str]:
    """Scratch entries a build may leave beside output/ (there must be none; the twin, the
    tree the next build starts from, may stay)."""
    return sorted(n for n in os.listdir(site) if n.startswith(".output.") and n != ".output.twin")


@pytest.mark.parametrize("out", [".", "", "content", "content/2025", str(THEME_MIN / "static"), ".."])
def test_an_output_folder_holding_inputs_is_refused_before_anything_is_written(site, capsys,
                                                                              monkeypatch, out):
    monkeypatch.chdir(site)
    before = everything(site.parent)
    status, err, _ = run(site, "--out", out, capsys=capsys)
    assert status == 1 and len(err) == 1, err
    assert "refusing to build here" in err[0] or "output folder name is empty" in err[0]
    assert "Traceback" not in err[0]
    assert everything(site.parent) == before


@pytest.mark.parametrize("mark", [".git", "site.yml", "content"])
def test_a_folder_that_looks_like_a_site_or_repository_is_refused_even_with_clean(site, tmp_path,
                                                                                 capsys, mark):
    other = tmp_path / "docs"
    (other / mark).mkdir(parents=True) if mark != "site.yml" else other.mkdir()
    if mark == "site.yml":
        (other / mark).write_text("title: x\n")
    (other / "guide.md").write_text("the project's docs\n")
    before = everything(other)
    for extra in ([], ["--clean"]):
        status, err, _ = run(site, "--out", str(other), *extra, capsys=capsys)
        assert status == 1 and len(err) == 1 and f"holds {mark}" in err[0], err
        assert everything(other) == before


def test_a_real_git_repository_is_refused(site, tmp_path, capsys):
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "README").write_text("mine\n")
    before = everything(repo)
    status, err, _ = run(site, "--out", str(repo), "--clean", capsys=capsys)
    assert status == 1 and len(err) == 1 and "holds .git" in err[0]
    assert everything(repo) == before


def test_a_folder_with_a_strangers_file_is_refused_and_clean_empties_it(site, tmp_path, capsys):
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "letter.txt").write_bytes(b"not the generator's\n")
    status, err, _ = run(site, "--out", str(other), capsys=capsys)
    assert status == 1 and len(err) == 1 and "--clean" in err[0] and "no build recorded" in err[0]
    assert everything(other) == {"letter.txt": b"not the generator's\n"}
    status, err, _ = run(site, "--out", str(other), "--clean", capsys=capsys)
    assert status == 0, err
    assert not (other / "letter.txt").exists() and (other / "index.html").is_file()


def test_files_nobody_recorded_are_kept_through_rebuilds_and_counted(site, capsys):
    assert run(site, capsys=capsys)[0] == 0
    out = site / "output"
    (out / "CNAME.txt").write_bytes(b"mine\n")
    (out / "zh-hant" / "extra").mkdir()
    (out / "zh-hant" / "extra" / "notes.html").write_bytes(b"<p>mine</p>")
    (site / "content/2025/a.md").write_text(FILES["content/2025/a.md"].replace("正文", "新正文"))
    (site / "content/2025/b.md").unlink()
    status, err, summary = run(site, capsys=capsys)
    assert status == 0, err
    assert (out / "CNAME.txt").read_bytes() == b"mine\n"
    assert (out / "zh-hant/extra/notes.html").read_bytes() == b"<p>mine</p>"
    assert "2 file(s) no build made kept" in summary
    assert not list(out.rglob("*華為*")), "files the build recorded and no longer makes are removed"
    status, _, summary = run(site, "--clean", capsys=capsys)
    assert status == 0 and not (out / "CNAME.txt").exists() and "kept" not in summary
    assert scratch(site) == []


def test_the_manifest_in_the_output_survives_a_lost_cache(site, capsys):
    assert run(site, capsys=capsys)[0] == 0
    out = site / "output"
    assert (out / MANIFEST_FILE).is_file()
    subprocess.run(["rm", "-rf", str(site / ".newsarchive-cache")], check=True)
    (site / "content/2025/b.md").unlink()
    status, err, _ = run(site, capsys=capsys)
    assert status == 0, err
    assert not list(out.rglob("*華為*"))


def test_a_failing_search_indexer_leaves_output_byte_identical(site, tmp_path):
    config = make_site(site, {}, search=True)
    out = tmp_path / "out"
    cache = DiskCache.memory()
    build(config, out_dir=out, cache=cache, indexer=lambda into, s, c: (into / "pagefind").mkdir())
    before = everything(out)
    (site / "content/2025/a.md").write_text(FILES["content/2025/a.md"].replace("正文", "改過"))

    def failing(into: Path, site_, config_):
        (into / "pagefind" / "half-written.js").write_text("partial")
        (into / "index.html").unlink()
        raise SiteError("search: Pagefind failed: boom", into)

    with pytest.raises(SiteError, match="Pagefind failed"):
        build(config, out_dir=out, cache=cache, indexer=failing)
    assert everything(out) == before
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".out.") and n != ".out.twin"]


def test_a_pagefind_that_fails_leaves_output_byte_identical(site, capsys, monkeypatch):
    pytest.importorskip("pagefind")

    make_site(site, {}, search=True)
    status, err, _ = run(site, capsys=capsys)
    assert status == 0, err
    before = everything(site / "output")
    (site / "content/2025/a.md").write_text(FILES["content/2025/a.md"].replace("正文", "改過"))
    monkeypatch.setattr(sys, "executable", "/bin/false")
    status, err, _ = run(site, capsys=capsys)
    monkeypatch.undo()
    assert status == 1 and len(err) == 1 and "Pagefind failed" in err[0], err
    assert everything(site / "output") == before
    assert scratch(site) == []


def _fail_with(monkeypatch, code: int, when) -> None:
    """Make the write edge's os.write (or os.mkdir of a scratch folder) fail with `code`."""
    real_write, real_mkdir = output.os.write, Path.mkdir

    def write(fd, data):
        if when("write"):
            raise OSError(code, os.strerror(code))
        return real_write(fd, data)

    def mkdir(self, *args, **kwargs):
        if when("mkdir") and ".output.new-" in self.name:
            raise OSError(code, os.strerror(code), str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(output.os, "write", write)
    monkeypatch.setattr(Path, "mkdir", mkdir)


@pytest.mark.parametrize("code, where, hint", [(errno.ENOSPC, "write", "free some disk space"),
                                               (errno.EACCES, "mkdir", "writable"),
                                               (errno.EPERM, "write", "writable")])
def test_disk_full_and_permission_denied_are_one_line_and_change_nothing(site, capsys, monkeypatch,
                                                                         code, where, hint):
    assert run(site, capsys=capsys)[0] == 0
    before = everything(site / "output")
    (site / "content/2025/a.md").write_text(FILES["content/2025/a.md"].replace("正文", "改過"))
    _fail_with(monkeypatch, code, lambda kind: kind == where)
    status, err, _ = run(site, capsys=capsys)
    monkeypatch.undo()
    assert status == 1 and len(err) == 1, err
    assert os.strerror(code) in err[0] and hint in err[0] and "left as it was" in err[0]
    assert everything(site / "output") == before
    assert scratch(site) == []


@pytest.fixture()
def tmpfs(tmp_path: Path):
    """A 2 MB tmpfs at tmp_path/small (skipped where mounting is not allowed)."""
    folder = tmp_path / "small"
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_really_full_disk_is_one_line_and_changes_nothing(tmpfs, capsys):
    site = tmpfs / "site"
    make_site(site, FILES)
    assert run(site, capsys=capsys)[0] == 0
    before = everything(site / "output")
    body = "\n\n".join(f"第{n}段很長的正文，" * 40 for n in range(400))
    (site / "content/2025/big.md").write_text(article("大文章", "2025-02-01", body=body))
    status, err, _ = run(site, capsys=capsys)
    assert status == 1 and len(err) == 1 and "No space left on device" in err[0], err
    assert everything(site / "output") == before
    assert scratch(site) == []


def test_an_output_that_is_a_mount_point_is_one_line_with_a_hint(tmpfs, capsys):
    site = tmpfs.parent / "site"
    make_site(site, FILES)
    status, err, _ = run(site, "--out", str(tmpfs), capsys=capsys)
    assert status == 1 and len(err) == 1 and "mount point" in err[0] and "(" in err[0], err
    assert os.listdir(tmpfs) == []


def test_leftovers_of_killed_builds_are_removed_and_live_ones_kept(site, capsys):
    assert run(site, capsys=capsys)[0] == 0
    dead = [site / ".output.new-4000000-0badc0de", site / ".output.new-4000000-0badc0de.search-4000000",
            site / ".output.staging-4000000", site / ".output.backup-4000000", site / ".output.search-4000000"]
    for folder in dead:
        (folder / "sub").mkdir(parents=True)
        (folder / "sub" / "x.html").write_text("old")
    live = site / f".output.new-{os.getpid() + 1}-0fed0fed"
    live.mkdir()
    fd = lock_folder(live)
    try:
        (site / "content/2025/a.md").write_text(FILES["content/2025/a.md"].replace("正文", "改過"))
        status, err, _ = run(site, capsys=capsys)
        assert status == 0, err
        assert scratch(site) == [live.name], "dead builds' folders are removed, a live one is not"
    finally:
        os.close(fd)
    assert run(site, "--clean", capsys=capsys)[0] == 0
    assert scratch(site) == []


def test_a_swap_killed_between_two_renames_is_put_back(site, capsys):
    assert run(site, capsys=capsys)[0] == 0
    before = everything(site / "output")
    (site / "output").rename(site / ".output.old-4000000-0badc0de")  # as the fallback leaves it
    status, err, _ = run(site, capsys=capsys)
    assert status == 0, err
    assert everything(site / "output") == before and scratch(site) == []


def test_gitignore_lists_the_scratch_folders() -> None:
    root = Path(__file__).resolve().parent.parent
    names = [".output.new-123-abcd", ".output.old-1-ff", ".output.staging-9", ".output.search-9",
             ".output.twin"]
    done = subprocess.run(["git", "-C", str(root), "check-ignore", "--no-index", *names],
                          capture_output=True, text=True)
    assert sorted(done.stdout.split()) == sorted(names)


def test_serve_removes_the_preview_folders_of_killed_serves(site, tmp_path):
    import io

    from generator.preview.serve import Preview

    shm = tmp_path / "shm"
    dead = shm / "newsarchive-serve-4000000-k1ll3d"
    (dead / "site").mkdir(parents=True)
    (dead / "site" / "index.html").write_text("stale")
    alive = shm / f"newsarchive-serve-{os.getppid()}-l1ve"
    alive.mkdir()
    other = shm / "someone-elses"
    other.mkdir()
    view = Preview(site, port=0, out=io.StringIO(), err=io.StringIO(), temp_parent=shm, search=False)
    try:
        assert view.start().ok
        mine = view.out_dir.parent
        assert mine.name.startswith(f"newsarchive-serve-{os.getpid()}-")
        assert sorted(p.name for p in shm.iterdir()) == sorted([alive.name, other.name, mine.name])
    finally:
        view.close()
    assert not mine.exists()


def test_an_unwritable_cache_is_one_line_not_a_traceback(site, capsys, monkeypatch):
    from generator.io import cache as cache_mod

    def denied(self):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self.folder))

    monkeypatch.setattr(cache_mod.DiskCache, "save", denied)
    status, err, _ = run(site, capsys=capsys)
    assert status == 1 and len(err) == 1 and "Permission denied" in err[0] and ".newsarchive-cache" in err[0]


def test_a_twin_that_differs_from_the_live_site_is_mirrored_right(site, tmp_path, capsys):
    assert run(site, capsys=capsys)[0] == 0
    (site / "content/2025/a.md").write_text(FILES["content/2025/a.md"].replace("正文", "一改"))
    assert run(site, capsys=capsys)[0] == 0
    twin = site / ".output.twin"
    assert twin.is_dir(), "the swap keeps the old tree as the next build's base"
    index = twin / "index.html"
    index.unlink()
    index.write_bytes(b"tampered")                     # another inode, other bytes
    (twin / "zh-hant" / "stray.html").write_bytes(b"x")  # a file the live site lacks
    (twin / "404.html").unlink()                        # a file the live site has
    (twin / "zh-hans").rename(twin / "zh-hans-moved")
    (site / "content/2025/a.md").write_text(FILES["content/2025/a.md"].replace("正文", "二改"))
    (site / "content/2025/b.md").unlink()
    expected = tmp_path / "expected"
    subprocess.run(["cp", "-a", str(site), str(expected)], check=True)
    subprocess.run(["rm", "-rf", str(expected / ".output.twin"), str(expected / "output")], check=True)
    assert run(expected, capsys=capsys)[0] == 0
    assert run(site, capsys=capsys)[0] == 0
    assert everything(site / "output") == everything(expected / "output")
    assert scratch(site) == []


def test_a_big_fresh_build_links_its_twin_at_once(site, capsys, monkeypatch):
    monkeypatch.setattr(output, "EARLY_TWIN_FILES", 1)
    status, err, _ = run(site, capsys=capsys)
    assert status == 0, err
    twin = site / ".output.twin"
    assert everything(twin) == everything(site / "output") and scratch(site) == []
    inodes = {p.relative_to(twin): p.stat().st_ino for p in twin.rglob("*") if p.is_file()}
    assert inodes == {p.relative_to(site / "output"): p.stat().st_ino
                      for p in (site / "output").rglob("*") if p.is_file()}, "hard links, not copies"


def test_a_fresh_build_that_fails_half_way_leaves_no_twin_it_was_linking(site, capsys, monkeypatch):
    monkeypatch.setattr(output, "EARLY_TWIN_FILES", 1)  # the twin is linked as files are written
    writes = iter(range(10**6))
    _fail_with(monkeypatch, errno.ENOSPC, lambda kind: kind == "write" and next(writes) == 5)
    status, err, _ = run(site, capsys=capsys)
    monkeypatch.undo()
    assert status == 1 and "free some disk space" in err[0], err
    assert not (site / "output").exists() and scratch(site) == []
    monkeypatch.setattr(output, "EARLY_TWIN_FILES", 1)
    assert run(site, capsys=capsys)[0] == 0  # and the next build is whole, with its own twin
    twin = site / ".output.twin"
    assert everything(twin) == everything(site / "output")


def test_a_fresh_build_replaces_a_twin_left_from_a_deleted_output(site, capsys, monkeypatch):
    monkeypatch.setattr(output, "EARLY_TWIN_FILES", 1)
    assert run(site, capsys=capsys)[0] == 0
    subprocess.run(["rm", "-rf", str(site / "output")], check=True)  # the curator deletes it
    assert (site / ".output.twin").is_dir()
    assert run(site, capsys=capsys)[0] == 0
    twin = site / ".output.twin"
    inodes = {p.relative_to(twin): p.stat().st_ino for p in twin.rglob("*") if p.is_file()}
    assert inodes == {p.relative_to(site / "output"): p.stat().st_ino
                      for p in (site / "output").rglob("*") if p.is_file()}, \
        "the twin is the fresh tree's, not the stale one (which shares no file with it)"


def test_without_rename_exchange_two_renames_swap_the_tree(site, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(output, "_rename_exchange", lambda a, b: False)
    assert run(site, capsys=capsys)[0] == 0
    before = everything(site / "output")
    (site / "content/2025/a.md").write_text(FILES["content/2025/a.md"].replace("正文", "改過"))
    assert run(site, capsys=capsys)[0] == 0
    assert everything(site / "output") != before
    expected = tmp_path / "expected"
    subprocess.run(["cp", "-a", str(site), str(expected)], check=True)
    subprocess.run(["rm", "-rf", str(expected / ".output.twin"), str(expected / "output")], check=True)
    monkeypatch.undo()
    assert run(expected, capsys=capsys)[0] == 0
    assert everything(site / "output") == everything(expected / "output")
    assert scratch(site) == []


def test_a_kept_preview_session_keeps_the_output_manifest_true(tmp_path):
    site = make_site(tmp_path / "site", FILES)
    out, cache = tmp_path / "preview", DiskCache.memory()
    cache.in_place_output = True  # what serve's session does
    build(site, out_dir=out, cache=cache)
    listed = (out / MANIFEST_FILE).read_text(encoding="utf-8")
    build(site, out_dir=out, cache=cache, changed=["content/2025/a.md"])  # nothing moved
    assert (out / MANIFEST_FILE).read_text(encoding="utf-8") == listed
    (tmp_path / "site/content/2025/new.md").write_text(article("新文", "2025-03-01", slug="new"),
                                                       encoding="utf-8")
    build(site, out_dir=out, cache=cache, changed=["content/2025/new.md"])
    assert "zh-hant/articles/new/index.html\n" in (out / MANIFEST_FILE).read_text(encoding="utf-8")
    (out / MANIFEST_FILE).unlink()  # someone deletes it: the next rebuild writes it again
    build(site, out_dir=out, cache=cache, changed=["content/2025/a.md"])
    assert "zh-hant/articles/new/index.html\n" in (out / MANIFEST_FILE).read_text(encoding="utf-8")
