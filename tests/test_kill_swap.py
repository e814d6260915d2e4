"""A build killed (SIGKILL) at any step leaves output/ exactly the old site or exactly the new.

The build runs in a subprocess of its own session; NEWSARCHIVE_TEST_KILL_AT=N (or a step
name) makes it kill its process group at the Nth file operation of the write edge. After
every kill the output is compared, file by file, with the old and the new site; the next
build must make exactly the new site and leave nothing behind in the site folder.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from build_helpers import article, make_site

REPO = Path(__file__).resolve().parent.parent
TAGS = ["騰訊", "華為", "阿里巴巴", "小米", "比亞迪", "格力"]
ARTICLES = 40
SITE_ENTRIES = {"site.yml", "content", "output", ".newsarchive-cache"}
NAMED_STEPS = ("exchange", "exchanged")
TWIN = ".output.twin"


def article_text(n: int) -> str:
    """Article n of the generated archive (deterministic)."""
    tags = f"[{TAGS[n % len(TAGS)]}, {TAGS[(n * 7 + 1) % len(TAGS)]}]"
    day = f"2024-{1 + n % 12:02d}-{1 + n % 27:02d}"
    body = "\n\n".join(f"第{n}篇第{k}段：{TAGS[(n + k) % len(TAGS)]}公佈了新的產品與財報。"
                       for k in range(3))
    return article(f"新聞{n}號", day, tags=tags, body=body, slug=f"news-{n}")


def hashes(folder: Path) -> dict[str, str]:
    """{relative path: sha256} of every file under folder ({} when it does not exist)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() or p.is_symlink()}


def copy_site(src: Path, dst: Path) -> None:
    """Copy a site folder keeping hard links (the twin shares inodes with output/)."""
    subprocess.run(["cp", "-a", str(src), str(dst)], check=True)


def run_build(site: Path, kill_at: str | None = None) -> subprocess.CompletedProcess:
    """`newsarchive build` in a new session (the kill hook kills that session only)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("NEWSARCHIVE_TEST_KILL_AT", None)
    if kill_at is not None:
        env["NEWSARCHIVE_TEST_KILL_AT"] = kill_at
    return subprocess.run([sys.executable, "-m", "generator", "build", "--site", str(site), "--quiet"],
                          env=env, cwd=site, capture_output=True, text=True, start_new_session=True,
                          timeout=300)


def edit_content(site: Path) -> None:
    """The change the killed builds carry: edits, a removed article, a new one, a stranger's file."""
    content = site / "content"
    for n in (3, 17, 30):
        path = content / f"a{n:03d}.md"
        path.write_text(path.read_text(encoding="utf-8").replace("新的產品", "修訂後的產品"),
                        encoding="utf-8")
    (content / f"a{ARTICLES - 1:03d}.md").unlink()
    (content / "a999.md").write_text(article_text(999), encoding="utf-8")


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    """(template site: old output + new content, old hashes, new hashes)."""
    root = tmp_path_factory.mktemp("kill")
    template = root / "template"
    make_site(template, {f"content/a{n:03d}.md": article_text(n) for n in range(ARTICLES)})
    assert run_build(template).returncode == 0
    # one more edit, so the template has a twin sharing inodes with output/
    first = template / "content" / "a005.md"
    first.write_text(first.read_text(encoding="utf-8") + "\n補記。\n", encoding="utf-8")
    assert run_build(template).returncode == 0
    assert (template / TWIN).is_dir()
    (template / "output" / "notes.txt").write_bytes(b"kept by the curator\n")
    edit_content(template)
    old = hashes(template / "output")
    expected = root / "expected"
    copy_site(template, expected)
    done = run_build(expected)
    assert done.returncode == 0, done.stderr
    new = hashes(expected / "output")
    assert new != old and new["notes.txt"] == old["notes.txt"]
    return template, old, new


def kill_points(files: int) -> list[str]:
    """Named steps and those after them, counts spread over the writes and links (a build
    makes about one operation per output file), and one past the end."""
    spread = [1, 5, files // 4, files // 2, files * 3 // 4, files - 3]
    return [*NAMED_STEPS, "exchange+1", "exchange+4", "exchange+20",
            *(str(n) for n in spread), str(files * 10)]


def test_a_killed_build_leaves_the_old_or_the_new_site_and_the_next_build_repairs(states, tmp_path):
    template, old, new = states
    outcomes = []
    for point in kill_points(len(new)):
        work = tmp_path / f"site-{point}"
        copy_site(template, work)
        killed = run_build(work, point)
        assert killed.returncode in (0, -signal.SIGKILL), (point, killed.stderr)
        state = hashes(work / "output")
        assert state in (old, new), f"kill at {point}: output/ is neither the old nor the new site"
        outcomes.append((point, killed.returncode, state == new))
        repaired = run_build(work)
        assert repaired.returncode == 0, repaired.stderr
        assert hashes(work / "output") == new, f"kill at {point}: the next build is wrong"
        assert set(os.listdir(work)) - {TWIN} == SITE_ENTRIES, f"kill at {point}: leftovers"
        shutil.rmtree(work)
    killed = [p for p, rc, _ in outcomes if rc != 0]
    # the kills must have hit both sides of the swap, and the largest point must be past the end
    assert "exchange" in killed and "exchanged" in killed
    assert any(not is_new for _, rc, is_new in outcomes if rc != 0)
    assert any(is_new for _, rc, is_new in outcomes if rc != 0)
    assert outcomes[-1][1] == 0, "the last kill point lies inside the build: raise the range"


def test_a_build_killed_before_its_first_swap_leaves_no_output(tmp_path):
    site = tmp_path / "site"
    make_site(site, {f"content/a{n:03d}.md": article_text(n) for n in range(5)})
    killed = run_build(site, "exchange")
    assert killed.returncode == -signal.SIGKILL
    assert not (site / "output").exists()
    assert run_build(site).returncode == 0
    assert (site / "output" / "index.html").is_file()
    assert set(os.listdir(site)) - {TWIN} == SITE_ENTRIES
