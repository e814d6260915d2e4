"""The GitHub Pages workflow: valid YAML, the official steps, the base URL wiring."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from generator import cli
from generator.core.errors import SiteError
from generator.publish.workflow import WORKFLOW_PATH, workflow_text, write_workflow

REPO = Path(__file__).resolve().parent.parent


def load(text: str) -> dict:
    """Parse workflow YAML; PyYAML (YAML 1.1) reads the `on:` key as True, so rename it."""
    data = yaml.safe_load(text)
    data["on"] = data.pop(True, data.get("on"))
    return data


def steps(job: dict) -> dict[str, dict]:
    """{action name without version, or step id/name: step}."""
    found = {}
    for step in job["steps"]:
        key = step["uses"].split("@")[0] if "uses" in step else step["name"]
        found[key] = step
    return found


def test_workflow_is_the_official_pages_flow() -> None:
    data = load(workflow_text())
    assert data["on"] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert data["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert data["concurrency"]["group"] == "pages"
    build = steps(data["jobs"]["build"])
    assert list(build)[:2] == ["actions/checkout", "actions/setup-python"]
    assert build["actions/setup-python"]["with"]["python-version"] == "3.11"
    install = build["Install newsarchive"]["run"]
    assert "pip install -r requirements.txt" in install and 'pip install "$GITHUB_WORKSPACE"' in install
    assert build["actions/cache"]["with"]["path"] == ".newsarchive-cache"
    assert "site.yml" in build["actions/cache"]["with"]["key"]
    assert build["actions/configure-pages"]["id"] == "pages"
    assert build["actions/upload-pages-artifact"]["with"]["path"] == "output"
    order = list(build)
    assert order.index("actions/configure-pages") < order.index("Build the archive for the Pages address") \
        < order.index("actions/upload-pages-artifact")
    deploy = data["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"] == {"name": "github-pages",
                                     "url": "${{ steps.deployment.outputs.page_url }}"}
    assert steps(deploy)["actions/deploy-pages"]["id"] == "deployment"


@pytest.mark.parametrize("reported", ["https://octo.github.io/archive",
                                      "https://octo.github.io/archive/", "https://news.example.com"])
def test_build_step_gets_the_pages_base_url_with_exactly_one_slash(reported: str) -> None:
    step = steps(load(workflow_text())["jobs"]["build"])["Build the archive for the Pages address"]
    assert step["env"]["PAGES_BASE_URL"] == "${{ steps.pages.outputs.base_url }}"
    assert "newsarchive build" in step["run"]
    # run the step's shell (minus the build) with what configure-pages would report
    script = step["run"].replace("newsarchive build", 'printf %s "$NEWSARCHIVE_BASE_URL"')
    out = subprocess.run(["bash", "-c", script], env={"PAGES_BASE_URL": reported},
                         capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == reported.rstrip("/") + "/"


def test_site_in_a_subfolder_builds_there() -> None:
    job = load(workflow_text("archive"))["jobs"]["build"]
    assert job["defaults"]["run"]["working-directory"] == "archive"
    build = steps(job)
    assert build["actions/upload-pages-artifact"]["with"]["path"] == "archive/output"
    assert build["actions/cache"]["with"]["path"] == "archive/.newsarchive-cache"


# The majors that run on GitHub's runners today (Node 24); Node 20 ones were removed in 2026.
CURRENT_ACTIONS = {"actions/checkout": "v6", "actions/setup-python": "v6",
                   "actions/cache": "v5", "actions/configure-pages": "v5",
                   "actions/upload-pages-artifact": "v4", "actions/deploy-pages": "v4"}


def test_workflow_uses_current_action_majors() -> None:
    data = load(workflow_text())
    used = {step["uses"].split("@")[0]: step["uses"].split("@")[1]
            for job in data["jobs"].values() for step in job["steps"] if "uses" in step}
    assert used == CURRENT_ACTIONS


def test_upgrade_rewrites_an_untouched_old_workflow_only(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / WORKFLOW_PATH
    path.parent.mkdir(parents=True)
    path.write_text(workflow_text(".", "pages-v1.yml"), encoding="utf-8")
    assert cli.main(["init-pages", "--site", str(tmp_path)]) == 1
    assert "pass --upgrade" in capsys.readouterr().err
    assert cli.main(["init-pages", "--site", str(tmp_path), "--upgrade"]) == 0
    assert "upgraded" in capsys.readouterr().out
    assert path.read_text(encoding="utf-8") == workflow_text()
    path.write_text(workflow_text(".", "pages-v1.yml") + "# mine\n", encoding="utf-8")
    assert cli.main(["init-pages", "--site", str(tmp_path), "--upgrade"]) == 1
    assert "edited by hand" in capsys.readouterr().err


def test_repository_carries_the_generated_workflow() -> None:
    assert (REPO / WORKFLOW_PATH).read_text(encoding="utf-8") == workflow_text()


def test_init_pages_writes_then_refuses_to_overwrite_a_different_file(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["init-pages", "--site", str(tmp_path)]) == 0
    path = tmp_path / WORKFLOW_PATH
    assert path.read_text(encoding="utf-8") == workflow_text()
    assert cli.main(["init-pages", "--site", str(tmp_path)]) == 0
    assert "already up to date" in capsys.readouterr().out
    path.write_text("name: mine\n", encoding="utf-8")
    assert cli.main(["init-pages", "--site", str(tmp_path)]) == 1
    assert "--force" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == "name: mine\n"
    assert cli.main(["init-pages", "--site", str(tmp_path), "--force"]) == 0
    assert path.read_text(encoding="utf-8") == workflow_text()


def test_workflow_goes_to_the_repository_root(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "archive").mkdir()
    path, status = write_workflow(tmp_path / "archive")
    assert (path, status) == ((tmp_path / WORKFLOW_PATH).resolve(), "written")
    assert "working-directory: archive" in path.read_text(encoding="utf-8")


def test_old_generated_workflow_still_renders_as_it_was_written() -> None:
    old = load(workflow_text("archive", "pages-v1.yml"))
    assert steps(old["jobs"]["build"])["actions/checkout"]["uses"] == "actions/checkout@v4"


def test_site_outside_the_repository_is_refused() -> None:
    with pytest.raises(SiteError):
        workflow_text("../elsewhere")
