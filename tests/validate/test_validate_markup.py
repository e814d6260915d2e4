"""Zero errors from the W3C Nu HTML checker and from html-validate on every page of both builds.

vnu runs once over all files (a JVM start per page would take minutes); html-validate uses the
repository's .htmlvalidate.json (recommended rules; the README says why any is turned off).
"""
from __future__ import annotations

import json
import subprocess
from collections import Counter

import pytest
from conftest import REPO, Built, java, node_tool

pytestmark = pytest.mark.validate


def summary(problems: list[tuple[str, str]]) -> str:
    """The most frequent problems, one a line, with a sample file."""
    counts = Counter(message for _, message in problems)
    where = {message: path for path, message in problems}
    return "\n".join(f"{n} x {message} (e.g. {where[message]})" for message, n in counts.most_common(15))


def test_nu_validator_finds_no_error(archive: Built) -> None:
    jar = node_tool("vnu-jar/build/dist/vnu.jar")
    files = [str(p) for p in archive.html_files()]
    done = subprocess.run([java(), "-jar", str(jar), "--errors-only", "--format", "json", *files],
                          capture_output=True, text=True, check=False)
    messages = json.loads(done.stderr)["messages"] if done.stderr.strip() else []
    problems = [(m.get("url", ""), m.get("message", "")) for m in messages]
    assert not problems, f"{len(problems)} Nu errors in {archive.name}:\n{summary(problems)}"
    assert done.returncode == 0


def test_html_validate_finds_no_error(archive: Built) -> None:
    cli = node_tool("html-validate/bin/html-validate.mjs")
    done = subprocess.run(["node", str(cli), "--config", str(REPO / ".htmlvalidate.json"),
                           "--formatter", "json", f"{archive.out}/**/*.html"],
                          capture_output=True, text=True, check=False, cwd=REPO)
    reports = json.loads(done.stdout or "[]")
    problems = [(r["filePath"], f"{m['ruleId']}: {m['message']}")
                for r in reports for m in r["messages"] if m["severity"] == 2]
    assert not problems, f"{len(problems)} html-validate errors in {archive.name}:\n{summary(problems)}"
    assert done.returncode == 0, done.stderr
