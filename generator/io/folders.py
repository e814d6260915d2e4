"""Plain folder operations of the write edge: listing, sizes, one hard link into a tree."""
from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


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


def tree_bytes(folder: Path) -> int:
    """Bytes of the files under folder (0 when it is missing)."""
    total = 0
    for dirpath, _, names in os.walk(folder):
        for name in names:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:  # gone meanwhile
                continue
    return total


def link_into(tree: str, path: str, target: str) -> None:
    """Hard-link the staged file `target` as tree/path; a failure leaves it out (see
    Staging.start_twin)."""
    twin = f"{tree}/{path}"
    try:
        try:
            os.link(target, twin)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(twin), exist_ok=True)
            os.link(target, twin)
    except OSError:
        pass
