"""Publish output/ as one new commit on a GitHub Pages branch, with git plumbing only.

The user's checkout is never touched: files are hashed into the repository's object store,
assembled into a tree through a temporary index (GIT_INDEX_FILE), committed with
`commit-tree` on top of the branch tip fetched from the remote, and pushed by commit id
without force. No local ref is written, so a failure at any step leaves nothing half-done.

Every call that talks to the remote (ls-remote, fetch, push) is bounded in time: HTTP transfers
give up after `timeout` seconds without data (git's low-speed limit), and the git process with
its helpers (one process group) is killed when it runs past its limit, so a remote that never
answers is one error line, not a hang.
"""
from __future__ import annotations

import math
import os
import signal
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.core.errors import SiteError
from generator.io.guard import MANIFEST_FILE

# Every git call: file names as UTF-8, never C-quoted ("華為", not "\350\217\257...").
GIT = ("git", "-c", "core.quotepath=off")
FILE_MODE = "100644"
NOJEKYLL = ".nojekyll"
CNAME = "CNAME"
# the longest a call to the remote may go without an answer (configurable: deploy --timeout)
REMOTE_TIMEOUT_SECONDS = 120.0
# fetch and push carry the site itself: their hard limit is this many stall limits
TRANSFER_FACTOR = 5


@dataclass(frozen=True)
class Target:
    """Where a deploy goes."""

    # top of the site's git work tree
    repo: Path
    remote: str
    branch: str
    # seconds a call to the remote may wait without an answer
    timeout: float = REMOTE_TIMEOUT_SECONDS


@dataclass(frozen=True)
class Prepared:
    """A commit built from output/ but not yet pushed."""

    target: Target
    # the branch tip fetched from the remote, or None when the branch does not exist yet
    parent: str | None
    tree: str
    # None when the tree equals the parent's: nothing to publish
    commit: str | None
    files: int
    # (added, modified, deleted) against the parent's tree
    changes: tuple[int, int, int]
    # `git rev-parse HEAD` of the site, "-dirty" appended when the work tree has changes
    source: str
    message: str


@dataclass(frozen=True)
class DeployResult:
    """What a deploy did."""

    prepared: Prepared
    pushed: bool

    def summary(self) -> str:
        """One line for the terminal."""
        p = self.prepared
        where = f"{p.target.remote}/{p.target.branch}"
        if p.commit is None:
            return f"nothing to publish: {where} already holds this build ({p.files} files)"
        added, modified, deleted = p.changes
        counts = f"{p.files} files: {added} added, {modified} changed, {deleted} removed"
        if not self.pushed:
            return f"dry run: would publish {p.commit[:12]} to {where} ({counts}); nothing pushed"
        first = " (new branch)" if p.parent is None else ""
        return f"published {p.commit[:12]} to {where}{first} ({counts}), built from {p.source}"


def resolve_target(site_dir: Path, *, remote: str = "origin", branch: str = "gh-pages",
                   timeout: float = REMOTE_TIMEOUT_SECONDS) -> Target:
    """The repository holding SITE_DIR and a configured remote, or a SiteError (build nothing)."""
    target = Target(find_repo(Path(site_dir)), remote, branch, timeout)
    check_remote(target)
    return target


def deploy(target: Target, out_dir: Path, *, message: str | None = None,
           cname: str | None = None, dry_run: bool = False) -> DeployResult:
    """Commit exactly OUT_DIR on top of the remote branch and push it (unless a dry run)."""
    prepared = prepare(target, out_dir, message=message, cname=cname)
    if prepared.commit is None or dry_run:
        return DeployResult(prepared, pushed=False)
    return publish(prepared)


def prepare(target: Target, out_dir: Path, *, message: str | None = None,
            cname: str | None = None) -> Prepared:
    """Fetch the branch tip and write the commit object for OUT_DIR; push nothing."""
    out_dir = Path(out_dir)
    check_output(out_dir)
    parent = fetch_tip(target)
    entries = output_entries(target.repo, out_dir)
    entries = add_site_files(target.repo, entries, parent=parent, cname=cname)
    tree = write_tree(target.repo, entries)
    parent_tree = git(target.repo, "rev-parse", f"{parent}^{{tree}}") if parent else None
    source = source_revision(target.repo)
    text = commit_message(message, source)
    if tree == parent_tree:
        return Prepared(target, parent, tree, None, len(entries), (0, 0, 0), source, text)
    commit = commit_tree(target.repo, tree, parent, text)
    changes = count_changes(target.repo, parent_tree, tree, len(entries))
    return Prepared(target, parent, tree, commit, len(entries), changes, source, text)


def publish(prepared: Prepared) -> DeployResult:
    """Push the prepared commit as a fast-forward of the branch; never force."""
    t = prepared.target
    assert prepared.commit is not None, "nothing to publish"
    result = remote_git(t, "push", "--porcelain", t.remote,
                        f"{prepared.commit}:refs/heads/{t.branch}", transfer=True)
    if result.returncode != 0:
        raise push_error(t, result.stdout + result.stderr)
    return DeployResult(prepared, pushed=True)


def push_error(target: Target, output: str) -> SiteError:
    """Explain a failed push: the remote moved, refused it, or could not be reached."""
    where = f"{target.remote}/{target.branch}"
    if "[rejected]" in output:
        return SiteError(
            f"push rejected: the remote {target.branch} moved since it was fetched; "
            f"nothing was published",
            hint=f"run deploy again to build on top of the new {where}")
    if "[remote rejected]" in output:
        reason = _line_with(output, "[remote rejected]")
        return SiteError(f"the remote refused the push to {where}: {reason}",
                         hint="check the branch protection rules and your access rights")
    return SiteError(f"push to {where} failed: {_git_message(output)}",
                     hint="check the remote URL, your network and credentials")


# --- checks --------------------------------------------------------------------------------

def check_output(out_dir: Path) -> None:
    """The built site must exist and have a home page."""
    if not out_dir.is_dir():
        raise SiteError("nothing built: the output folder does not exist", path=out_dir,
                        hint="run `newsarchive build` first, or deploy without --no-build")
    if not (out_dir / "index.html").is_file():
        raise SiteError("the output folder has no index.html; refusing to publish it",
                        path=out_dir, hint="run `newsarchive build` to rebuild it")


def find_repo(site_dir: Path) -> Path:
    """Top of the git work tree holding the site, or a SiteError."""
    if not site_dir.is_dir():
        raise SiteError("site folder does not exist", path=site_dir)
    result = run(site_dir, "rev-parse", "--show-toplevel")
    if result.returncode != 0 or not result.stdout.strip():
        raise SiteError("not a git repository", path=site_dir,
                        hint="deploy publishes with git: run `git init` and add a remote first")
    return Path(result.stdout.strip())


def check_remote(target: Target) -> None:
    """The remote must be configured (its URL is what we push to)."""
    result = run(target.repo, "remote", "get-url", "--push", target.remote)
    if result.returncode != 0:
        raise SiteError(f"no git remote named {target.remote!r}", path=target.repo,
                        hint=f"add it with `git remote add {target.remote} URL` or pass --remote")


# --- reading the remote ----------------------------------------------------------------------

def fetch_tip(target: Target) -> str | None:
    """The remote branch's tip, its objects fetched; None when the branch does not exist."""
    ref = f"refs/heads/{target.branch}"
    listing = remote_git(target, "ls-remote", "--heads", target.remote, ref)
    if listing.returncode != 0:
        raise SiteError(f"cannot read remote {target.remote!r}: {_git_message(listing.stderr)}",
                        hint="check the remote URL, your network and credentials")
    tips = [line.split("\t")[0] for line in listing.stdout.splitlines()
            if line.endswith(f"\t{ref}")]
    if not tips:
        return None
    tip = tips[0]
    if not has_commit(target.repo, tip):
        # objects only, no ref and no FETCH_HEAD: the user's refs stay as they were
        fetched = remote_git(target, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head",
                             target.remote, ref, transfer=True)
        if fetched.returncode != 0:
            raise SiteError(f"cannot fetch {target.remote}/{target.branch}: "
                            f"{_git_message(fetched.stderr)}")
    if not has_commit(target.repo, tip):
        raise SiteError(f"the remote {target.branch} moved while it was being fetched",
                        hint="run deploy again")
    return tip


def has_commit(repo: Path, sha: str) -> bool:
    """Whether the commit object is in the local object store."""
    return run(repo, "cat-file", "-e", f"{sha}^{{commit}}").returncode == 0


def tree_entry(repo: Path, commit: str, path: str) -> tuple[str, str] | None:
    """(mode, blob id) of PATH at the top of COMMIT's tree, or None."""
    out = git(repo, "ls-tree", "-z", commit, "--", path)
    for record in out.split("\0"):
        if record:
            meta, name = record.split("\t", 1)
            mode, kind, sha = meta.split()
            if name == path and kind == "blob":
                return mode, sha
    return None


# --- building the commit -------------------------------------------------------------------

def output_files(out_dir: Path) -> list[tuple[str, Path]]:
    """(tree path, file) for every file under OUT_DIR, sorted; empty folders have no entry.
    The build's record of its own files is bookkeeping, not part of the site."""
    found = []
    for path in out_dir.rglob("*"):
        if path.is_file():
            rel = path.relative_to(out_dir).as_posix()
            if rel == MANIFEST_FILE:
                continue
            if "\n" in rel or "\r" in rel:
                raise SiteError("file name contains a line break; git cannot publish it",
                                path=path, hint="rename the file")
            found.append((rel, path))
    return sorted(found)


def output_entries(repo: Path, out_dir: Path) -> list[tuple[str, str, str]]:
    """(mode, blob id, tree path) for OUT_DIR's files, their bytes stored exactly (no filters)."""
    files = output_files(out_dir)
    if not files:
        return []
    paths = b"".join(os.fsencode(path.resolve()) + b"\n" for _, path in files)
    # --no-filters: autocrlf or .gitattributes must never alter the published bytes
    blobs = git(repo, "hash-object", "-w", "--no-filters", "--stdin-paths", stdin=paths).split()
    return [(FILE_MODE, blob, rel) for (rel, _), blob in zip(files, blobs, strict=True)]


def add_site_files(repo: Path, entries: list[tuple[str, str, str]], *, parent: str | None,
                   cname: str | None) -> list[tuple[str, str, str]]:
    """Add .nojekyll always, and a CNAME from site.yml or kept from the branch."""
    names = {rel for _, _, rel in entries}
    extra = []
    if NOJEKYLL not in names:
        extra.append((FILE_MODE, store_blob(repo, b""), NOJEKYLL))
    if CNAME not in names:
        if cname:
            extra.append((FILE_MODE, store_blob(repo, f"{cname}\n".encode()), CNAME))
        elif parent and (kept := tree_entry(repo, parent, CNAME)):
            # a custom domain set in GitHub's settings is committed there as CNAME: keep it
            extra.append((kept[0], kept[1], CNAME))
    return sorted(entries + extra, key=lambda e: e[2])


def store_blob(repo: Path, data: bytes) -> str:
    """Write bytes as a blob; its id."""
    return git(repo, "hash-object", "-w", "--no-filters", "--stdin", stdin=data)


def write_tree(repo: Path, entries: Sequence[tuple[str, str, str]]) -> str:
    """The tree holding exactly ENTRIES, assembled in a throwaway index."""
    lines = b"".join(f"{mode} {sha}\t".encode() + os.fsencode(rel) + b"\0"
                     for mode, sha, rel in entries)
    with tempfile.TemporaryDirectory(prefix="newsarchive-deploy-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        git(repo, "update-index", "-z", "--index-info", stdin=lines, env=env)
        return git(repo, "write-tree", env=env)


def commit_tree(repo: Path, tree: str, parent: str | None, message: str) -> str:
    """Write the commit object (author and dates from git's usual config and environment)."""
    parents = ["-p", parent] if parent else []
    result = run(repo, "commit-tree", tree, *parents, stdin=message.encode())
    if result.returncode != 0:
        raise SiteError(f"git could not write the commit: {_git_message(result.stderr)}",
                        hint="set your name and e-mail with `git config user.name/user.email`")
    return result.stdout.strip()


def count_changes(repo: Path, old_tree: str | None, new_tree: str,
                  files: int) -> tuple[int, int, int]:
    """(added, modified, deleted) files between two trees (all FILES added on a new branch)."""
    if old_tree is None:
        return (files, 0, 0)
    out = git(repo, "diff-tree", "-r", "-z", "--no-renames", "--name-status", old_tree, new_tree)
    status = out.split("\0")[0::2]
    return (status.count("A"), status.count("M") + status.count("T"), status.count("D"))


def source_revision(repo: Path) -> str:
    """HEAD of the site repository, with "-dirty" when tracked or new files differ from it."""
    head = run(repo, "rev-parse", "--verify", "--quiet", "HEAD").stdout.strip() or "no-commit"
    # --no-optional-locks: `status` must not refresh (rewrite) the user's index
    status = git(repo, "--no-optional-locks", "status", "--porcelain", "-z")
    return f"{head}-dirty" if status else head


def commit_message(message: str | None, source: str) -> str:
    """The user's subject (or a default), and always the source commit."""
    subject = (message or "").strip() or f"Publish the archive built from {source[:12]}"
    return f"{subject}\n\nSource commit: {source}\n"


# --- talking to the remote -----------------------------------------------------------------

def remote_git(target: Target, *args: str,
               transfer: bool = False) -> subprocess.CompletedProcess[str]:
    """Run a git command that talks to the remote; past its time limit, a SiteError."""
    limit = target.timeout * (TRANSFER_FACTOR if transfer else 1)
    env = {
        # curl gives up after `timeout` seconds below 1 byte/s: a silent HTTP remote
        "GIT_HTTP_LOW_SPEED_LIMIT": "1",
        "GIT_HTTP_LOW_SPEED_TIME": str(max(1, math.ceil(target.timeout))),
        # a password prompt could only wait for the limit to kill it: fail at once instead
        "GIT_TERMINAL_PROMPT": "0",
    }
    try:
        result = run(target.repo, *args, env=env, timeout=limit)
    except subprocess.TimeoutExpired:
        raise remote_timeout(target, args[0], limit) from None
    if result.returncode != 0 and "Operation too slow" in result.stderr:
        raise remote_timeout(target, args[0], target.timeout)
    return result


def remote_timeout(target: Target, command: str, seconds: float) -> SiteError:
    """The one line for a remote that did not answer in time."""
    where = f"{target.remote}/{target.branch}"
    if command == "push":
        return SiteError(f"the push to {where} did not finish within {seconds:g} seconds; "
                         f"it was stopped and may not have been published",
                         hint="run deploy again (it publishes only what is missing), "
                              "or allow longer with --timeout SECONDS")
    return SiteError(f"the remote {target.remote!r} did not answer within {seconds:g} seconds "
                     f"(git {command}); nothing was published",
                     hint="check the remote URL and your network, "
                          "or allow longer with --timeout SECONDS")


# --- running git ---------------------------------------------------------------------------

def run(repo: Path, *args: str, stdin: str | bytes | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None) -> subprocess.CompletedProcess[str]:
    """Run git in REPO; output decoded as UTF-8 (file names may be non-ASCII).

    With a timeout, git and every helper it starts are killed when it expires
    (subprocess.TimeoutExpired is raised).
    """
    data = stdin.encode() if isinstance(stdin, str) else stdin
    full_env = {**os.environ, **(env or {})}
    try:
        result = _communicate([*GIT, *args], repo, data, full_env, timeout)
    except FileNotFoundError as exc:
        raise SiteError("git is not installed", hint="install git and try again") from exc
    return subprocess.CompletedProcess(
        result.args, result.returncode,
        result.stdout.decode("utf-8", "surrogateescape"),
        result.stderr.decode("utf-8", "replace"))


def _communicate(command: list[str], repo: Path, data: bytes | None, env: Mapping[str, str],
                 timeout: float | None) -> subprocess.CompletedProcess[bytes]:
    """Run COMMAND to completion; with a timeout, in its own process group, killed on expiry."""
    # git runs transports as children (git-remote-http, ssh): killing only git would leave
    # them holding the pipes open, so a bounded call gets a process group to kill whole
    own_group = timeout is not None and hasattr(os, "killpg")
    stdin = subprocess.PIPE if data is not None else (subprocess.DEVNULL if timeout else None)
    with subprocess.Popen(command, cwd=repo, stdin=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env,
                          process_group=0 if own_group else None) as proc:
        try:
            out, err = proc.communicate(data, timeout=timeout)
        except BaseException:
            # expired, or Ctrl-C (which a group of its own does not get): stop all of it
            _kill(proc, own_group)
            proc.communicate()
            raise
    return subprocess.CompletedProcess(command, proc.returncode, out, err)


def _kill(proc: subprocess.Popen[bytes], own_group: bool) -> None:
    """SIGKILL the process (and its group when it has one)."""
    try:
        if own_group:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except ProcessLookupError:
        pass  # it ended on its own meanwhile


def git(repo: Path, *args: str, stdin: str | bytes | None = None,
        env: Mapping[str, str] | None = None) -> str:
    """Run git and return its stripped output; a failure is a SiteError quoting git."""
    result = run(repo, *args, stdin=stdin, env=env)
    if result.returncode != 0:
        raise SiteError(f"git {args[0]} failed: {_git_message(result.stderr)}", path=repo)
    # NUL-separated (-z) output keeps its exact names; other output loses its newline
    return result.stdout.rstrip("\n") if "-z" in args else result.stdout.strip()


def _git_message(text: str) -> str:
    """git's whole message on one line: its `fatal:`/`error:` lines first (the cause), then
    the advice, with the prefixes and line breaks a wrapped paragraph carries folded away."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    causes = [_unprefixed(line) for line in lines if line.startswith(("fatal:", "error:"))]
    advice = " ".join(line for line in lines if not line.startswith(("fatal:", "error:", "hint:")))
    message = "; ".join(dict.fromkeys(causes)) or advice or "(no message)"
    return message if not causes or not advice else f"{message}. {advice}"


def _unprefixed(line: str) -> str:
    """A git message line without its `fatal: ` or `error: `, and without a final period."""
    return line.split(":", 1)[1].strip().rstrip(".")


def _line_with(text: str, needle: str) -> str:
    """The first line containing NEEDLE, stripped."""
    return next((line.strip() for line in text.splitlines() if needle in line), needle)
