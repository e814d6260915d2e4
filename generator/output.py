"""The write edge: stage changed files, then swap them in so a failure changes nothing.

A fresh output folder is built in a sibling staging folder and renamed into place. An
existing one is updated by a transaction: changed files are staged in a sibling folder
first (nothing in out_dir is touched while anything can still fail for content reasons),
then each is renamed over its target, with the replaced and removed files kept as hard
links in a backup folder; if any step fails, every step done is undone. Linking the whole
unchanged tree into a new folder would cost seconds at 30,000 files; this costs one
rename per changed file.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from generator.errors import SiteError


class Staging:
    """New file contents waiting in a sibling folder of out_dir."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.fresh = not out_dir.exists()
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.dir = out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir()

    def write(self, path: str, data: bytes) -> None:
        """Stage one file (path relative to out_dir); plain os calls, as this runs 30,000 times."""
        target = f"{self.dir}/{path}"
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)

    def discard(self) -> None:
        """Drop everything staged."""
        shutil.rmtree(self.dir, ignore_errors=True)

    def commit(self, written: Iterable[str], removed: Iterable[str]) -> None:
        """Make out_dir hold the staged files and none of the removed ones, all or nothing."""
        try:
            if self.fresh:
                os.rename(self.dir, self.out_dir)
                return
            _swap_in(self.dir, self.out_dir, sorted(written), sorted(removed))
        finally:
            self.discard()


def _swap_in(staging: Path, out_dir: Path, written: list[str], removed: list[str]) -> None:
    """Rename staged files over their targets, undoing everything if one step fails."""
    backup = staging.parent / f".{out_dir.name}.backup-{os.getpid()}"
    backup.mkdir(exist_ok=True)
    undo: list[tuple[str, Path, Path | None]] = []
    try:
        for n, path in enumerate(written):
            target = out_dir / path
            saved = _save(target, backup / str(n))
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / path, target)
            undo.append(("write", target, saved))
        for n, path in enumerate(removed, len(written)):
            target = out_dir / path
            if target.exists():
                os.replace(target, backup / str(n))
                undo.append(("remove", target, backup / str(n)))
                _prune_empty(target.parent, out_dir)
    except OSError as exc:
        _undo(undo)
        raise SiteError(f"could not write the site ({exc.strerror}); output was left as it was",
                        str(getattr(exc, "filename", "") or out_dir)) from exc
    finally:
        shutil.rmtree(backup, ignore_errors=True)


def _save(target: Path, backup: Path) -> Path | None:
    """Hard-link the current file into the backup folder (None if there is none)."""
    try:
        os.link(target, backup)
        return backup
    except FileNotFoundError:
        return None


def _undo(steps: list[tuple[str, Path, Path | None]]) -> None:
    """Put back every replaced or removed file, newest step first."""
    for _, target, saved in reversed(steps):
        if saved is None:
            target.unlink(missing_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(saved, target)


def _prune_empty(folder: Path, out_dir: Path) -> None:
    """Remove folders left empty by removals, up to out_dir."""
    while folder != out_dir and folder.is_relative_to(out_dir):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def list_files(out_dir: Path, keep: Iterable[str] = ()) -> list[str]:
    """Every file under out_dir (relative POSIX paths), skipping top-level folders in `keep`."""
    if not out_dir.is_dir():
        return []
    keep = set(keep)
    found = []
    for folder, dirs, files in os.walk(out_dir):
        rel = Path(folder).relative_to(out_dir).as_posix()
        if rel == ".":
            dirs[:] = [d for d in dirs if d not in keep]
            rel = ""
        found += [f"{rel}/{f}" if rel else f for f in files]
        dirs.sort()
    return sorted(found)
