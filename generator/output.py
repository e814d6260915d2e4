"""The write edge: the new site is made beside the old one and swapped in at once.

A build (swap mode) makes the complete new tree in a hidden sibling of out_dir: changed
files are written there, every other file of out_dir that stays is hard-linked in (unknown
files too: they are the curator's), the search index is brought up to date inside it, and
then the two folders trade places in one renameat2(RENAME_EXCHANGE) call. After a kill at
any moment out_dir is exactly the old site or exactly the new one; the tree set aside is
removed afterwards (by a detached `rm` when it is large) or by the next build. Linking
28,000 files costs ~0.3 s, paid only by builds that change something.

The preview (in-place mode: a temporary folder nobody else reads) keeps the cheaper
transaction: changed files are staged in a sibling folder, then each is renamed over its
target, with the replaced and removed files kept as hard links in a backup folder; if any
step fails, every step done is undone.

Test hook: NEWSARCHIVE_TEST_KILL_AT=N (or a step name: "exchange", "exchanged") makes the
process group kill itself with SIGKILL at the Nth file operation of the write edge.
"""
from __future__ import annotations

import ctypes
import errno
import os
import shutil
import signal
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path

from generator.errors import SiteError
from generator.output_guard import lock_folder, scratch_path

# From this many files on, the tree set aside by a swap is deleted by a detached `rm -rf`.
DETACH_REMOVE_FILES = 10_000
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_KILL_AT = os.environ.get("NEWSARCHIVE_TEST_KILL_AT", "")
_steps = [0, -1]  # operations so far; the one to kill at (NAME+N)
_HINTS = {errno.ENOSPC: "free some disk space, then build again",
          errno.EDQUOT: "free some disk space, then build again",
          errno.EACCES: "make the site folder and the output folder writable",
          errno.EPERM: "make the site folder and the output folder writable",
          errno.EROFS: "the file system is read-only; build into another folder with --out",
          errno.EXDEV: "the new tree and the output folder must be on one file system"}


def step(name: str = "") -> None:
    """Count one file operation; the test hook kills the build here when told to.

    NEWSARCHIVE_TEST_KILL_AT: N (the Nth operation), a step name, or NAME+N (N operations
    after that step).
    """
    if not _KILL_AT:
        return
    _steps[0] += 1
    after, _, count = _KILL_AT.partition("+")
    if name and name == after and count:
        _steps[1] = _steps[0] + int(count)
    if _KILL_AT in (name, str(_steps[0])) or _steps[1] == _steps[0]:
        os.killpg(os.getpgrp(), signal.SIGKILL)


def write_error(exc: OSError, where: Path | str) -> SiteError:
    """One line for a failed file operation: where, what, and what to do."""
    return SiteError(f"could not write the site: {exc.strerror or exc}; the output folder was left as it was",
                     exc.filename or where,
                     hint=_HINTS.get(exc.errno or 0, "check the folder and build again"))


class Staging:
    """The new files of a build, in a hidden sibling folder of out_dir (see above)."""

    def __init__(self, out_dir: Path, *, in_place: bool = False) -> None:
        self.out_dir = out_dir
        self.in_place = in_place
        self.fresh = not out_dir.exists()
        self.dir = scratch_path(out_dir, "staging" if in_place else "new")
        self.linked = 0
        self._lock: int | None = None
        try:
            out_dir.parent.mkdir(parents=True, exist_ok=True)
            if not in_place and not self.fresh:
                _refuse_mount_point(out_dir)
            self.dir.mkdir()
            self._lock = lock_folder(self.dir)
        except OSError as exc:
            self.discard()
            raise write_error(exc, out_dir) from exc

    def write(self, path: str, data: bytes) -> None:
        """Stage one file (path relative to out_dir); plain os calls, as this runs 30,000 times."""
        target = f"{self.dir}/{path}"
        step()
        try:
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
        except OSError as exc:
            raise write_error(exc, self.out_dir / path) from None

    def discard(self) -> None:
        """Drop everything staged (and the lock)."""
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None
        shutil.rmtree(self.dir, ignore_errors=True)

    # ------------------------------------------------------------------ swap mode

    def link_rest(self, keep: Callable[[str], bool]) -> int:
        """Hard-link into the new tree each file of out_dir that keep(rel) accepts and that
        was not staged; call after the last write(). Returns how many were linked."""
        if self.fresh:
            return 0
        try:
            self.linked = _link_folder(str(self.out_dir), str(self.dir), "", keep)
        except OSError as exc:
            raise write_error(exc, self.out_dir) from exc
        return self.linked

    def swap(self) -> None:
        """Put the new tree in out_dir's place in one step, then remove the old tree."""
        try:
            if self.fresh:
                step("exchange")
                os.rename(self.dir, self.out_dir)
                step("exchanged")
                old = None
            else:
                old = _exchange(self.dir, self.out_dir)
        except OSError as exc:
            raise write_error(exc, self.out_dir) from exc
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None
        if old is not None:
            remove_tree(old, detach=self.linked >= DETACH_REMOVE_FILES)
            step("removed")

    # ------------------------------------------------------------------ in-place mode

    def commit(self, written: Iterable[str], removed: Iterable[str]) -> None:
        """Make out_dir hold the staged files and none of the removed ones, all or nothing."""
        try:
            if self.fresh:
                os.rename(self.dir, self.out_dir)
                return
            _swap_in(self.dir, self.out_dir, sorted(written), sorted(removed))
        finally:
            self.discard()


def _refuse_mount_point(out_dir: Path) -> None:
    """A whole-folder swap cannot replace a mount point: say so before anything is written."""
    if os.stat(out_dir).st_dev != os.stat(out_dir.parent).st_dev:
        raise SiteError("the output folder is a mount point; a build replaces the whole folder "
                        "at once, which cannot cross file systems", out_dir,
                        hint="mount the folder above it instead, or build into a folder inside "
                             "the mount with --out")


def _link_folder(src: str, dst: str, rel: str, keep: Callable[[str], bool]) -> int:
    """Hard-link the kept files under src into dst (made as needed); how many."""
    with os.scandir(src) as found:
        entries = list(found)
    if not entries and rel:
        os.makedirs(dst, exist_ok=True)  # an empty folder of the curator's stays
    count = 0
    for entry in entries:
        path = rel + entry.name
        if entry.is_dir(follow_symlinks=False):
            count += _link_folder(entry.path, f"{dst}/{entry.name}", path + "/", keep)
        elif keep(path):
            count += _link_one(entry.path, f"{dst}/{entry.name}", dst)
    return count


def _link_one(src: str, dst: str, folder: str) -> int:
    """Link one file (1), or leave the staged file of that name in place (0)."""
    step()
    try:
        os.link(src, dst, follow_symlinks=False)
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
        os.link(src, dst, follow_symlinks=False)
    except FileExistsError:
        return 0
    return 1


def _exchange(new: Path, out_dir: Path) -> Path:
    """Swap the new tree into out_dir; where the old tree is now."""
    step("exchange")
    if _rename_exchange(new, out_dir):
        step("exchanged")
        return new
    # no atomic exchange here: two renames; a kill between them leaves the old tree under
    # its scratch name, which the next build puts back (output_guard.clean_leftovers)
    old = scratch_path(out_dir, "old")
    os.rename(out_dir, old)
    step("half-exchanged")
    try:
        os.rename(new, out_dir)
    except OSError:
        os.rename(old, out_dir)
        raise
    step("exchanged")
    return old


def _rename_exchange(a: Path, b: Path) -> bool:
    """renameat2(a, b, RENAME_EXCHANGE); False where the system or file system lacks it."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def remove_tree(folder: Path, *, detach: bool) -> None:
    """Delete a folder; a big one by a detached `rm -rf`, so the build returns at once."""
    rm = shutil.which("rm") if detach else None
    if rm is None:
        shutil.rmtree(folder, ignore_errors=True)
        return
    subprocess.Popen([rm, "-rf", "--", str(folder)], start_new_session=True,
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _swap_in(staging: Path, out_dir: Path, written: list[str], removed: list[str]) -> None:
    """Rename staged files over their targets, undoing everything if one step fails."""
    backup = scratch_path(out_dir, "backup")
    backup.mkdir()
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
        raise write_error(exc, out_dir) from exc
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
