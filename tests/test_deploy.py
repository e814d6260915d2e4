"""`deploy` against a local bare repository standing in for GitHub (real git, no network)."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from generator import cli

from generator.publish import deploy
from generator.core.errors import SiteError



@pytest.fixture(autouse=True)
def git_env(isolated_git: None) -> None:
    """Every test here runs git isolated (see conftest.isolated_git)."""


def git(cwd: Path, *args: str, stdin: bytes | None = None) -> str:
    """Run git, fail the test on error, return stdout."""
    result = subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=cwd, input=stdin,
                            capture_output=True, check=False)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode()


def write_files(root: Path, files: dict[str, bytes | str]) -> None:
    """Create files (and folders) under ROOT."""
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """An empty bare repository: the stand-in for GitHub."""
    path = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(path))
    return path


@pytest.fixture
def site(tmp_path: Path, remote: Path) -> Path:
    """A site checkout with one commit, origin set, output/ ignored and a first build."""
    path = tmp_path / "site"
    path.mkdir()
    git(path, "init", "-q")
    write_files(path, {".gitignore": "/output/\n", "site.yml": "title: 測試新聞\n",
                       "content/2025/a.md": "---\ntitle: A\n---\nbody\n"})
    git(path, "add", ".")
    git(path, "commit", "-q", "-m", "start")
    git(path, "remote", "add", "origin", str(remote))
    write_files(path / "output", {
        "index.html": "<h1>home</h1>\n",
        ".nojekyll": "",
        "static/site.css": "body{}\n",
        "zh-hant/index.html": "<h1>首頁</h1>\n",
        "zh-hant/tags/華為/index.html": "<h1>華為</h1>\n",
        "zh-hans/tags/华为/index.html": "<h1>华为</h1>\n",
    })
    return path


def blob_id(data: bytes) -> str:
    """git's object id of a blob with these bytes (SHA-1 repositories)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def disk_tree(out_dir: Path) -> dict[str, str]:
    """{path: blob id} of every file of the site under OUT_DIR (not the build's own record)."""
    return {p.relative_to(out_dir).as_posix(): blob_id(p.read_bytes())
            for p in out_dir.rglob("*") if p.is_file() and p.name != ".newsarchive-files"}


def branch_tree(repo: Path, ref: str) -> dict[str, str]:
    """{path: blob id} of every file in REF's tree."""
    out = git(repo, "ls-tree", "-r", "-z", ref)
    entries = {}
    for record in filter(None, out.split("\0")):
        meta, name = record.split("\t", 1)
        entries[name] = meta.split()[2]
    return entries


def commits(repo: Path, ref: str = "gh-pages") -> list[str]:
    """Commit ids on REF, newest first ([] when REF does not exist)."""
    result = subprocess.run(["git", "rev-list", ref, "--"], cwd=repo, capture_output=True,
                            text=True, check=False)
    return result.stdout.split() if result.returncode == 0 else []


def refs(repo: Path) -> str:
    """Every ref and its target: what "the repository is untouched" compares."""
    return git(repo, "for-each-ref", "--format=%(refname) %(objectname)")


def checkout_state(site: Path) -> dict[str, str]:
    """Digest of the index, HEAD and every work-tree file outside .git/ and output/."""
    state = {".git/index": hashlib.sha256((site / ".git/index").read_bytes()).hexdigest(),
             ".git/HEAD": (site / ".git/HEAD").read_text(), "refs": refs(site)}
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if path.is_file() and not rel.startswith((".git/", "output/")):
            state[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


def run_deploy(site: Path, **kwargs) -> deploy.DeployResult:
    """Deploy SITE/output to origin/gh-pages."""
    target = deploy.resolve_target(site)
    return deploy.deploy(target, site / "output", **kwargs)


def test_first_deploy_creates_the_branch_as_an_orphan(site: Path, remote: Path) -> None:
    result = run_deploy(site)
    assert result.pushed and result.prepared.parent is None
    history = commits(remote)
    assert history == [result.prepared.commit]
    assert git(remote, "rev-list", "--parents", "-n1", "gh-pages").split() == history  # no parent
    assert branch_tree(remote, "gh-pages") == disk_tree(site / "output")
    head = git(site, "rev-parse", "HEAD").strip()
    assert f"Source commit: {head}\n" in git(remote, "log", "-1", "--format=%B", "gh-pages")


def test_second_deploy_after_an_edit_adds_exactly_one_commit(site: Path, remote: Path) -> None:
    first = run_deploy(site).prepared.commit
    write_files(site / "output", {"zh-hant/index.html": "<h1>首頁 v2</h1>\n",
                                  "zh-hant/articles/new/index.html": "<p>新</p>\n"})
    (site / "output/static/site.css").unlink()
    result = run_deploy(site, message="Add an article")
    assert commits(remote) == [result.prepared.commit, first]
    assert branch_tree(remote, "gh-pages") == disk_tree(site / "output")
    assert result.prepared.changes == (1, 1, 1)
    assert git(remote, "log", "-1", "--format=%s", "gh-pages").strip() == "Add an article"


def test_a_deploy_with_no_change_adds_nothing_and_says_so(site: Path, remote: Path,
                                                          capsys: pytest.CaptureFixture) -> None:
    run_deploy(site)
    before = refs(remote)
    assert cli.main(["deploy", "--site", str(site), "--no-build"]) == 0
    assert "nothing to publish" in capsys.readouterr().out
    assert refs(remote) == before


def test_bytes_arrive_exactly_despite_autocrlf(site: Path, remote: Path) -> None:
    git(site, "config", "core.autocrlf", "true")
    write_files(site / "output", {"crlf.txt": b"a\r\nb\r\n", "lf.txt": b"a\nb\n",
                                  ".gitattributes": "* text eol=crlf\n"})
    run_deploy(site)
    assert branch_tree(remote, "gh-pages") == disk_tree(site / "output")


def test_non_ascii_file_names_arrive_intact(site: Path, remote: Path) -> None:
    run_deploy(site)
    names = git(remote, "ls-tree", "-r", "-z", "--name-only", "gh-pages").split("\0")
    assert "zh-hant/tags/華為/index.html" in names and "zh-hans/tags/华为/index.html" in names
    data = subprocess.run(["git", "show", "gh-pages:zh-hant/tags/華為/index.html"], cwd=remote,
                          capture_output=True, check=True).stdout
    assert data.decode() == "<h1>華為</h1>\n"


def test_nojekyll_is_always_published(site: Path, remote: Path) -> None:
    (site / "output/.nojekyll").unlink()
    run_deploy(site)
    assert ".nojekyll" in branch_tree(remote, "gh-pages")


def test_the_builds_record_of_its_files_is_not_published(site: Path, remote: Path) -> None:
    (site / "output/.newsarchive-files").write_text("index.html\n", encoding="utf-8")
    run_deploy(site)
    assert ".newsarchive-files" not in branch_tree(remote, "gh-pages")


def test_cname_committed_on_the_branch_by_someone_else_survives(site: Path, remote: Path,
                                                                 tmp_path: Path) -> None:
    run_deploy(site)
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", "--branch", "gh-pages", str(remote), str(other))
    write_files(other, {"CNAME": "news.example.org\n"})
    git(other, "add", "CNAME")
    git(other, "commit", "-q", "-m", "Set custom domain")
    git(other, "push", "-q", "origin", "gh-pages")
    write_files(site / "output", {"index.html": "<h1>home v2</h1>\n"})
    run_deploy(site)
    tree = branch_tree(remote, "gh-pages")
    assert tree["CNAME"] == blob_id(b"news.example.org\n")
    assert {k: v for k, v in tree.items() if k != "CNAME"} == disk_tree(site / "output")
    assert len(commits(remote)) == 3


def test_cname_from_site_yml_is_written(site: Path, remote: Path) -> None:
    run_deploy(site, cname="news.example.com")
    assert branch_tree(remote, "gh-pages")["CNAME"] == blob_id(b"news.example.com\n")


def push_from_another_clone(remote: Path, where: Path) -> str:
    """Someone else publishes to gh-pages; the new tip."""
    git(where.parent, "clone", "-q", "--branch", "gh-pages", str(remote), str(where))
    write_files(where, {"elsewhere.html": "<p>pushed meanwhile</p>\n"})
    git(where, "add", "elsewhere.html")
    git(where, "commit", "-q", "-m", "Pushed meanwhile")
    git(where, "push", "-q", "origin", "gh-pages")
    return git(where, "rev-parse", "HEAD").strip()


def test_remote_moved_between_fetch_and_push(site: Path, remote: Path, tmp_path: Path) -> None:
    run_deploy(site)
    write_files(site / "output", {"index.html": "<h1>home v2</h1>\n"})
    prepared = deploy.prepare(deploy.resolve_target(site), site / "output")
    theirs = push_from_another_clone(remote, tmp_path / "other")
    remote_before, site_before = refs(remote), checkout_state(site)
    with pytest.raises(SiteError, match="moved since it was fetched") as caught:
        deploy.publish(prepared)
    assert "run deploy again" in str(caught.value)
    assert refs(remote) == remote_before and commits(remote)[0] == theirs
    assert checkout_state(site) == site_before


def test_cli_reports_the_moved_remote_and_exits_1(site: Path, remote: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture) -> None:
    run_deploy(site)
    write_files(site / "output", {"index.html": "<h1>home v2</h1>\n"})
    fetch = deploy.fetch_tip

    def fetch_then_race(target: deploy.Target) -> str | None:
        tip = fetch(target)
        push_from_another_clone(remote, tmp_path / "other")
        return tip

    monkeypatch.setattr(deploy, "fetch_tip", fetch_then_race)
    site_before = checkout_state(site)
    assert cli.main(["deploy", "--site", str(site), "--no-build"]) == 1
    err = capsys.readouterr().err
    assert "the remote gh-pages moved since it was fetched" in err
    assert "run deploy again to build on top of the new origin/gh-pages" in err
    assert len(commits(remote)) == 2 and checkout_state(site) == site_before
    assert "elsewhere.html" in branch_tree(remote, "gh-pages")


def test_checkout_and_index_are_untouched_byte_for_byte(site: Path, remote: Path) -> None:
    # a dirty checkout: a modified tracked file, a staged change, an untracked file
    write_files(site, {"content/2025/a.md": "---\ntitle: A2\n---\nedited\n",
                       "content/2025/b.md": "---\ntitle: B\n---\nstaged\n",
                       "notes.txt": "untracked\n"})
    git(site, "add", "content/2025/b.md")
    # same bytes, new mtime: a plain `git status` would refresh (rewrite) the index here
    os.utime(site / ".gitignore", (1_700_000_000, 1_700_000_000))
    before = checkout_state(site)
    first = run_deploy(site)
    write_files(site / "output", {"index.html": "<h1>home v2</h1>\n"})
    run_deploy(site)
    run_deploy(site, dry_run=True)
    after = checkout_state(site)
    assert {k: v for k, v in after.items() if k != "refs"} == \
        {k: v for k, v in before.items() if k != "refs"}
    # the only ref push may add is the usual remote-tracking one
    new_refs = set(after["refs"].splitlines()) - set(before["refs"].splitlines())
    assert {line.split()[0] for line in new_refs} <= {"refs/remotes/origin/gh-pages"}
    assert first.prepared.source.endswith("-dirty")


def test_dry_run_pushes_nothing(site: Path, remote: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["deploy", "--site", str(site), "--no-build", "--dry-run"]) == 0
    assert "dry run" in capsys.readouterr().out
    assert refs(remote) == ""
    run_deploy(site)
    before = refs(remote)
    write_files(site / "output", {"index.html": "<h1>home v2</h1>\n"})
    result = run_deploy(site, dry_run=True)
    assert not result.pushed and result.prepared.commit and refs(remote) == before


@pytest.mark.parametrize("breakage, message", [
    ("no-git", "not a git repository"),
    ("no-remote", "no git remote named 'origin'"),
    ("no-output", "nothing built: the output folder does not exist"),
    ("no-index", "the output folder has no index.html"),
])
def test_clear_errors_exit_1_and_change_nothing(site: Path, remote: Path, breakage: str,
                                               message: str, capsys: pytest.CaptureFixture) -> None:
    if breakage == "no-git":
        shutil.rmtree(site / ".git")
    elif breakage == "no-remote":
        git(site, "remote", "remove", "origin")
    elif breakage == "no-output":
        shutil.rmtree(site / "output")
    else:
        (site / "output/index.html").unlink()
    assert cli.main(["deploy", "--site", str(site), "--no-build"]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert refs(remote) == ""


def test_unknown_remote_url_is_a_clear_error(site: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.git"
    git(site, "remote", "set-url", "origin", str(missing))
    with pytest.raises(SiteError) as caught:
        run_deploy(site)
    # git's whole message, cause first, on one line: not a fragment of its advice
    assert str(caught.value) == (
        f"cannot read remote 'origin': '{missing}' does not appear to be a git repository; "
        "Could not read from remote repository. Please make sure you have the correct access "
        "rights and the repository exists. (check the remote URL, your network and credentials)")


def test_deploy_builds_with_the_production_base_url_first(site: Path, remote: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture) -> None:
    shutil.rmtree(site / "output")
    write_files(site, {
        "site.yml": "title: 測試新聞\nbase_url: https://news.example.com/\nsearch: false\n"
                    "cname: news.example.com\n",
        "content/2025/a.md": "---\ntitle: 華為發布新手機\ndate: 2025-01-02\ntags: [華為]\n---\n正文。\n",
    })
    monkeypatch.setenv("NEWSARCHIVE_BASE_URL", "https://ignored.example.com/")
    assert cli.main(["deploy", "--site", str(site), "--base-url", "https://octo.github.io/proj"]) == 0
    assert "building for https://octo.github.io/proj/" in capsys.readouterr().out
    tree = branch_tree(remote, "gh-pages")
    assert tree == disk_tree(site / "output")
    assert {"index.html", ".nojekyll", "CNAME", "sitemap.xml"} <= set(tree)
    sitemap = git(remote, "show", "gh-pages:sitemap.xml")
    assert "https://octo.github.io/proj/zh-hant/" in sitemap and "ignored" not in sitemap
