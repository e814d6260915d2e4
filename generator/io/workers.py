"""Split a pure job over forked worker processes (both cores, no pickling of the inputs).

The children inherit the parent's memory (the parsed corpus, the Jinja environment), so
only each chunk's results travel back, pickled through a pipe. SiteError and BuildFailed
raised in a child are re-raised in the parent with their location intact.
"""
from __future__ import annotations

import ctypes
import os
import pickle
import traceback
from collections.abc import Callable, Sequence
from typing import TypeVar

from generator.core.errors import BuildFailed, SiteError

T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    """Two processes when the machine has two cores or more."""
    return 2 if (os.cpu_count() or 1) >= 2 and hasattr(os, "fork") else 1


def fork_map(job: Callable[[Sequence[T]], R], items: Sequence[T], workers: int) -> list[R]:
    """[job(chunk) for each of `workers` interleaved chunks]; chunk 0 runs in this process."""
    if workers <= 1 or len(items) < 2:
        return [job(items)]
    chunks = [items[i::workers] for i in range(workers)]
    children = [_spawn(job, chunk) for chunk in chunks[1:]]
    try:
        results = [job(chunks[0])]
    finally:
        collected = [_collect(pid, fd) for pid, fd in children]
    return results + collected


def _spawn(job: Callable[[Sequence[T]], R], chunk: Sequence[T]) -> tuple[int, int]:
    """Fork a child that runs the job on a chunk and pickles the outcome to a pipe."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: run, send the outcome, leave without running parent cleanups
        os.close(read_fd)
        status = 0
        try:
            outcome = ("ok", job(chunk))
        except BuildFailed as failed:
            outcome = ("errors", [_flat(e) for e in failed.errors])
        except SiteError as error:
            outcome = ("errors", [_flat(error)])
        except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
            outcome = ("crash", traceback.format_exc())
        try:
            with os.fdopen(write_fd, "wb") as pipe:
                pickle.dump(outcome, pipe, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:  # noqa: BLE001 - nothing to report to if the pipe is gone
            status = 1
        os._exit(status)
    os.close(write_fd)
    return pid, read_fd


def _collect(pid: int, fd: int) -> R:
    # unpickle straight from the pipe: holding the whole byte string too would double the peak
    """The outcome of one child, re-raised here if it failed."""
    with os.fdopen(fd, "rb") as pipe:
        try:
            kind, value = pickle.load(pipe)
        except EOFError:
            kind, value = "crash", "a worker process died without a result"
    os.waitpid(pid, 0)
    if kind == "errors":
        raise BuildFailed([SiteError(*args) for args in value])
    if kind == "crash":
        raise RuntimeError(f"worker process failed:\n{value}")
    return value


def _flat(error: SiteError) -> tuple[str, str | None, int | None, str | None]:
    """A SiteError as plain values (it pickles without its location otherwise)."""
    return (error.message, error.path, error.line, error.hint)


def release_freed_memory() -> None:
    """Hand back to the system the pages malloc holds free (glibc's malloc_trim).

    The text of every source read for a cold parse is freed in the middle of the heap,
    where the later stages' small objects (which live in arenas of their own) never reuse
    it; kept, those pages stay resident here and in every worker forked afterwards.
    Elsewhere than glibc: nothing to do.
    """
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass
