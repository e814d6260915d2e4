"""Which folders a build may write, what it owns in them, and what killed builds left behind.

The output folder is the generator's alone: a build removes only files an earlier build
recorded in the folder's manifest (output/.newsarchive-files, swapped in with the tree it
describes), and refuses, before writing anything, a folder that holds a site, a repository or
files nobody recorded. Scratch folders beside the output (the tree being built, a tree set
aside, search staging) carry the builder's pid and a random part, and a live builder holds a
lock (flock) on its tree: the next build keeps an unlocked tree as its twin (the starting
point of its new tree) and removes the rest.
"""
from __future__ import annotations

import fcntl
import os
import re
import secrets
import shutil
from collections.abc import Iterable
from pathlib import Path

from generator.core.errors import SiteError

MANIFEST_FILE = ".newsarchive-files"
SEARCH_DIR = "pagefind"
# a manifest line ending in "/" claims the whole folder (the search index)
FOLDER_MARK = "/"
SCRATCH_KINDS = ("new", "old", "staging", "backup", "search")
_SCRATCH = re.compile(rf"(?P<kind>{'|'.join(SCRATCH_KINDS)})-(?P<pid>\d+)(?P<rand>-[0-9a-f]+)?")
_SITE_MARKS = (".git", "site.yml", "content")


def scratch_path(out_dir: Path, kind: str) -> Path:
    """A new hidden sibling of out_dir that no other build can be using."""
    return out_dir.parent / f".{out_dir.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}"


def twin_path(out_dir: Path) -> Path:
    """Where the tree the last swap set aside waits to become the next build's new tree."""
    return out_dir.parent / f".{out_dir.name}.twin"


def lock_folder(folder: Path) -> int:
    """Hold an exclusive lock on a folder (released when the fd closes or the process dies)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise
    return fd


def is_locked(folder: Path) -> bool:
    """Whether a live process holds the lock of lock_folder() on folder."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


# ---------------------------------------------------------------------------- refusals


def check_output_dir(out: Path, root: Path, protected: Iterable[Path], recorded: bool,
                     *, clean: bool) -> None:
    """Refuse an output folder a build must not replace; before anything is written.

    `protected`: folders of the site's inputs (content, themes, cache) the output may not be
    in; `recorded`: whether a manifest records what an earlier build wrote there.
    """
    def refuse(what: str, hint: str) -> SiteError:
        return SiteError(f"refusing to build here: {what}", out, hint=hint)

    elsewhere = "choose another folder with --out; the default is output/ in the site folder"
    if out == root or root.is_relative_to(out):
        raise refuse("the output folder holds the site itself; building would replace it", elsewhere)
    for folder in protected:
        if out.is_relative_to(folder.resolve()):
            raise refuse(f"the output folder is inside {folder}", elsewhere)
    if not out.is_dir():
        if out.exists():
            raise refuse("it is a file, not a folder", elsewhere)
        return
    for mark in _SITE_MARKS:
        if (out / mark).exists():
            raise refuse(f"it holds {mark}; it looks like a site or a repository", elsewhere)
    if not recorded and not clean and _has_entries(out):
        raise refuse("it is not empty and no build recorded its files",
                     "empty it, pass --clean to let the build remove everything in it, or " + elsewhere)


def _has_entries(folder: Path) -> bool:
    """Whether a folder holds anything."""
    with os.scandir(folder) as entries:
        return next(entries, None) is not None


def read_owned(out: Path, recorded: Iterable[str]) -> set[str] | None:
    """Paths the output's manifest file records; else those the cache recorded; else None."""
    try:
        text = (out / MANIFEST_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        recorded = set(recorded)
        # the cache of an older generator recorded pages only; its search index was its own too
        return recorded | {SEARCH_DIR + FOLDER_MARK} if recorded else None
    except (OSError, UnicodeDecodeError) as exc:
        raise SiteError(f"cannot read the output's manifest ({exc})", out / MANIFEST_FILE,
                        hint="delete the output folder and build again") from exc
    return set(text.splitlines())


def manifest_text(paths: Iterable[str]) -> str:
    """The manifest file's text: one path per line, sorted."""
    return "".join(f"{p}\n" for p in sorted(paths))


def claims(paths: set[str], rel: str) -> bool:
    """Whether a manifest (or produced set) covers rel: listed, or under a listed folder."""
    if rel in paths:
        return True
    top = rel.split("/", 1)[0] + FOLDER_MARK
    return top in paths


# ---------------------------------------------------------------------------- leftovers


def clean_leftovers(out: Path) -> None:
    """Remove what killed builds left beside out; bring back a tree a killed swap set aside."""
    prefix = f".{out.name}."
    try:
        names = sorted(os.listdir(out.parent))
    except OSError:
        return
    found = [(name, m) for name in names if name.startswith(prefix)
             and (m := _SCRATCH.match(name, len(prefix)))]
    for name, match in found:
        path = out.parent / name
        if _in_use(out.parent, prefix, match):
            continue
        whole_tree = match["kind"] in ("new", "old") and match.end() == len(name)
        if whole_tree and match["kind"] == "old" and not os.path.lexists(out):
            os.rename(path, out)  # a swap without RENAME_EXCHANGE was killed half-way
        elif whole_tree and not os.path.lexists(twin_path(out)):
            os.rename(path, twin_path(out))  # any tree is a base the next build mirrors right
        else:
            remove(path)


def _in_use(parent: Path, prefix: str, match: re.Match[str]) -> bool:
    """Whether the builder of a scratch entry still runs: its tree is locked (or, for the
    names of older versions, without the random part, its pid is alive and not ours)."""
    if match["rand"]:
        return is_locked(parent / f"{prefix}{match.group()}")
    pid = int(match["pid"])
    return pid != os.getpid() and pid_alive(pid)


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove(path: Path) -> None:
    """Delete a file or a folder tree, whatever it is."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
