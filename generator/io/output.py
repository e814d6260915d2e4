"""The write edge: the new site is made beside the old one and swapped in at once.

A build (swap mode) makes the complete new tree in a hidden sibling of out_dir, starting
from the twin: the tree the last swap set aside (`.<out>.twin`), which already holds nearly
every file. Changed files are written into it (a file there is unlinked first: it may share
its inode with the live site), then it is made to mirror out_dir for every other path, by
hard links, skipping each file whose inode is already the live one (so one edit costs two
directory walks and a few links, not 28,000 links and mkdirs); the search index is brought
up to date inside it, and the two folders trade places in one renameat2(RENAME_EXCHANGE)
call. The old live tree becomes the next twin. After a kill at any moment out_dir is
exactly the old site or exactly the new one; the mirror step makes any tree a correct base,
so a half-updated twin left by a killed build is simply reused.

The preview (in-place mode: a temporary folder nobody else reads) keeps the cheaper
transaction: changed files are staged in a sibling folder, then each is renamed over its
target, with the replaced and removed files kept as hard links in a backup folder; if any
step fails, every step done is undone.

Test hook: NEWSARCHIVE_TEST_KILL_AT=N, a step name ("exchange", "exchanged") or NAME+N makes
the process group kill itself with SIGKILL at that file operation of the write edge.
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

from generator.core.errors import SiteError
from generator.io.folders import link_into
from generator.io.guard import lock_folder, scratch_path, twin_path

# From this many files on, a fresh build also links its twin (as the workers write, see
# Staging.start_twin), so that the first edit after a cold build does not pay for it.
EARLY_TWIN_FILES = 5000
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


def write_error(exc: OSError, where: Path | str, *, named: bool = False) -> SiteError:
    """One line for a failed file operation: where (`where` itself when `named`, else the
    file the system names), what, and what to do."""
    return SiteError(f"could not write the site: {exc.strerror or exc}; the output folder was left as it was",
                     where if named else exc.filename or where,
                     hint=_HINTS.get(exc.errno or 0, "check the folder and build again"))


class Staging:
    """The new files of a build, in a hidden sibling folder of out_dir (see above)."""

    def __init__(self, out_dir: Path, *, in_place: bool = False) -> None:
        self.out_dir = out_dir
        self.in_place = in_place
        self.fresh = not out_dir.exists()
        self.dir = scratch_path(out_dir, "staging" if in_place else "new")
        # the new tree starts as the twin (files there may share inodes with out_dir)
        self.from_twin = False
        self._lock: int | None = None
        # a fresh build's twin, linked file by file as write() stages them (start_twin)
        self.twin_dir: str | None = None
        self._twin_lock: int | None = None
        try:
            out_dir.parent.mkdir(parents=True, exist_ok=True)
            if not in_place and not self.fresh:
                _refuse_mount_point(out_dir)
                self._lock = _take_twin(out_dir, self.dir)
                self.from_twin = self._lock is not None
            if not self.from_twin:
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
            if self.from_twin:
                _clear_for(str(self.dir), path)
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
            # the output path, not the scratch folder's: that is where the curator looks
            raise write_error(exc, self.out_dir / path, named=True) from None
        if self.twin_dir is not None:
            link_into(self.twin_dir, path, target)

    def start_twin(self, files: int) -> None:
        """Have write() link each new file into the twin as well, when a fresh build makes
        `files` files or more (EARLY_TWIN_FILES); call before the workers fork.

        Linked after the swap, the twin took one more walk of the new tree in one process
        (1.9 s of an 18.8 s cold build at 10,000 articles, 16 s at 50,000); linked as
        written, the render workers share it. A file the twin misses (a failed link) costs
        a link in the next build's mirror step, which makes any tree right."""
        if self.in_place or not self.fresh or self.twin_dir is not None or files < EARLY_TWIN_FILES:
            return
        tree = scratch_path(self.out_dir, "new")
        try:
            tree.mkdir()
            self._twin_lock = lock_folder(tree)
        except OSError:  # only a head start: the build goes on without it
            shutil.rmtree(tree, ignore_errors=True)
            return
        self.twin_dir = str(tree)

    def discard(self) -> None:
        """Drop the lock and what is left of the new tree: in swap mode it stays as the twin
        (any tree is a base the next build mirrors right), in place it is deleted."""
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None
        self._drop_twin()
        if self.in_place:
            shutil.rmtree(self.dir, ignore_errors=True)
        elif os.path.isdir(self.dir):
            keep_as_twin(self.dir, self.out_dir)

    # ------------------------------------------------------------------ swap mode

    def mirror(self, keep: Callable[[str], bool], staged: set[str]) -> None:
        """Make the new tree hold, besides the staged paths, every file of out_dir that
        keep(rel) accepts (hard links) and nothing else; call after the last write()."""
        if self.fresh:
            return
        dirs = {p.rsplit("/", k)[0] for p in staged for k in range(1, p.count("/") + 1)}
        try:
            _mirror(str(self.out_dir), str(self.dir), "", keep, staged, dirs)
        except OSError as exc:
            raise write_error(exc, self.out_dir) from exc

    def swap(self) -> None:
        """Put the new tree in out_dir's place in one step; the old tree becomes the twin."""
        try:
            if self.fresh:
                step("exchange")
                os.rename(self.dir, self.out_dir)
                step("exchanged")
                old = None
                if self.twin_dir is not None:
                    self._keep_twin()
            else:
                old = _exchange(self.dir, self.out_dir)
        except OSError as exc:
            raise write_error(exc, self.out_dir) from exc
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None
        if old is not None:
            keep_as_twin(old, self.out_dir)

    def _keep_twin(self) -> None:
        """The twin linked as written becomes the twin (after the fresh tree's swap)."""
        tree, self.twin_dir = Path(self.twin_dir), None
        try:  # what was not staged by write() (the search index): whole top-level folders
            _mirror_missing(str(self.out_dir), str(tree))
        except OSError:
            pass  # the next build's mirror step links what is missing
        _drop_stale_twin(self.out_dir)
        self._release_twin_lock()
        keep_as_twin(tree, self.out_dir)

    def _drop_twin(self) -> None:
        """Delete a twin linked as written whose build did not swap in."""
        self._release_twin_lock()
        if self.twin_dir is not None:  # at once: a failed build leaves no scratch behind
            shutil.rmtree(self.twin_dir, ignore_errors=True)
            self.twin_dir = None

    def _release_twin_lock(self) -> None:
        """Let go of the lock on the twin linked as written."""
        if self._twin_lock is not None:
            os.close(self._twin_lock)
            self._twin_lock = None

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


def _mirror_missing(src: str, dst: str) -> None:
    """Link into dst each top-level entry of src that dst lacks, with all it holds."""
    for name, entry in _scan(src).items():
        if os.path.lexists(f"{dst}/{name}"):
            continue
        if entry.is_dir(follow_symlinks=False):
            os.mkdir(f"{dst}/{name}")
            _mirror(entry.path, f"{dst}/{name}", name + "/", lambda _: True, set(), set())
        else:
            os.link(entry.path, f"{dst}/{name}", follow_symlinks=False)


def _refuse_mount_point(out_dir: Path) -> None:
    """A whole-folder swap cannot replace a mount point: say so before anything is written."""
    if os.stat(out_dir).st_dev != os.stat(out_dir.parent).st_dev:
        raise SiteError("the output folder is a mount point; a build replaces the whole folder "
                        "at once, which cannot cross file systems", out_dir,
                        hint="mount the folder above it instead, or build into a folder inside "
                             "the mount with --out")


def _take_twin(out_dir: Path, new: Path) -> int | None:
    """Lock the twin (if no build holds it) and rename it to `new`; the lock's fd, or None.

    Locked first: the lock follows the folder, so no cleanup sees it unlocked under `new`.
    """
    twin = twin_path(out_dir)
    try:
        fd = lock_folder(twin)
    except OSError:  # none, or another build holds it
        return None
    try:
        os.rename(twin, new)
    except OSError:
        os.close(fd)
        return None
    return fd


def _drop_stale_twin(out_dir: Path) -> None:
    """Remove a twin left from before out_dir was deleted (a fresh build found none to take).

    It shares no inode with the fresh tree, so the next build would relink every file from
    it (20 s for 11,000 files on a busy disk) instead of starting from the fresh tree's twin.
    """
    old = scratch_path(out_dir, "old")
    fd = _take_twin(out_dir, old)
    if fd is None:
        return  # none, or another build holds it
    os.close(fd)
    _remove_detached(old)


def keep_as_twin(tree: Path, out_dir: Path) -> None:
    """Keep a tree set aside by a swap as the next build's starting point (else delete it)."""
    try:
        os.rename(tree, twin_path(out_dir))
        return
    except OSError:
        pass
    _remove_detached(tree)


def _remove_detached(tree: Path) -> None:
    """Delete a scratch tree of ours by a detached `rm -rf`: freeing 28,000 folders can take
    seconds the build need not wait for."""
    rm = shutil.which("rm")
    if rm is None:
        shutil.rmtree(tree, ignore_errors=True)
        return
    subprocess.Popen([rm, "-rf", "--", str(tree)], start_new_session=True,
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _clear_for(root: str, path: str) -> None:
    """Make room for a new file at root/path: unlink the file there (it may be a link to a
    live file, which writing in place would change), or a folder or file in the way."""
    target = f"{root}/{path}"
    try:
        os.unlink(target)
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        shutil.rmtree(target)
    except NotADirectoryError:  # a file where a folder of the path must be
        parts = path.split("/")
        for n in range(1, len(parts)):
            here = f"{root}/{'/'.join(parts[:n])}"
            if not os.path.isdir(here):
                os.unlink(here)
                return


def _scan(folder: str) -> dict[str, os.DirEntry]:
    """A folder's entries by name (d_ino and d_type come with them: no stat per file)."""
    with os.scandir(folder) as found:
        return {e.name: e for e in found}


def _mirror(src: str, dst: str, rel: str, keep: Callable[[str], bool], staged: set[str],
            staged_dirs: set[str]) -> bool:
    """Make dst mirror src (the live tree) by hard links, leaving staged paths alone;
    whether a live file was left out (dst may be empty now)."""
    ours, removed = _scan(dst), False
    for name, entry in _scan(src).items():
        path, mine = rel + name, ours.pop(name, None)
        mine_dir = mine is not None and mine.is_dir(follow_symlinks=False)
        if entry.is_dir(follow_symlinks=False):
            if mine is not None and not mine_dir:
                if path in staged:
                    continue  # a staged file replaces the live folder
                os.unlink(mine.path)
            if not mine_dir:
                os.mkdir(f"{dst}/{name}")
            if _mirror(entry.path, f"{dst}/{name}", path + "/", keep, staged, staged_dirs):
                _rmdir_if_empty(f"{dst}/{name}")  # every file there was removed
        elif path in staged:
            continue
        elif mine_dir and path in staged_dirs:
            _clear_tree(mine.path, path + "/", staged)  # a staged folder replaces the live file
        else:
            wanted = keep(path)
            if wanted and mine is not None and not mine_dir and mine.inode() == entry.inode():
                continue
            if mine is not None:
                _remove_entry(mine)
            if wanted:
                step()
                os.link(entry.path, f"{dst}/{name}", follow_symlinks=False)
            removed = removed or not wanted
    for name, mine in ours.items():  # in the new tree only
        path = rel + name
        if mine.is_dir(follow_symlinks=False):
            _clear_tree(mine.path, path + "/", staged)
        elif path not in staged:
            os.unlink(mine.path)
    return removed


def _clear_tree(folder: str, rel: str, staged: set[str]) -> None:
    """Remove everything under folder but staged files; the folder too when left empty."""
    for name, entry in _scan(folder).items():
        if entry.is_dir(follow_symlinks=False):
            _clear_tree(entry.path, f"{rel}{name}/", staged)
        elif rel + name not in staged:
            os.unlink(entry.path)
    _rmdir_if_empty(folder)


def _rmdir_if_empty(folder: str) -> None:
    """Remove a folder if it is empty."""
    try:
        os.rmdir(folder)
    except OSError:
        pass  # not empty


def _remove_entry(entry: os.DirEntry) -> None:
    """Delete a file or a folder tree of the new tree."""
    if entry.is_dir(follow_symlinks=False):
        shutil.rmtree(entry.path)
    else:
        os.unlink(entry.path)


def _exchange(new: Path, out_dir: Path) -> Path:
    """Swap the new tree into out_dir; where the old tree is now."""
    step("exchange")
    if _rename_exchange(new, out_dir):
        step("exchanged")
        return new
    # no atomic exchange here: two renames; a kill between them leaves the old tree under
    # its scratch name, which the next build puts back (generator.io.guard.clean_leftovers)
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
