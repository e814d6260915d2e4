"""Forked workers: results come back, content errors keep their location."""
import pytest

from generator.core.errors import BuildFailed, SiteError
from generator.io.workers import fork_map


def test_results_of_every_chunk_come_back():
    parts = fork_map(lambda chunk: [x * 2 for x in chunk], list(range(7)), 2)
    assert sorted(x for part in parts for x in part) == [0, 2, 4, 6, 8, 10, 12]
    assert len(parts) == 2


def test_site_error_in_a_worker_keeps_path_and_line():
    def job(chunk):
        if 1 in chunk:  # chunk 1 runs in the forked child
            raise SiteError("bad date", "content/a.md", 3, "fix it")
        return chunk

    with pytest.raises(BuildFailed) as caught:
        fork_map(job, [0, 1, 2, 3], 2)
    assert [str(e) for e in caught.value.errors] == ["content/a.md:3: bad date (fix it)"]


def test_a_crash_in_a_worker_is_not_silent():
    def job(chunk):
        if 1 in chunk:
            raise ZeroDivisionError("worker bug")
        return chunk

    with pytest.raises(RuntimeError, match="ZeroDivisionError: worker bug"):
        fork_map(job, [0, 1], 2)


def test_one_worker_runs_in_process():
    assert fork_map(lambda chunk: list(chunk), [1, 2, 3], 1) == [[1, 2, 3]]
