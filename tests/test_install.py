"""newsarchive as a product: the wheel installs and works with no checkout on the path.

Builds the sdist and the wheel, installs the wheel into a fresh virtual environment (the
dependencies come from this environment's site-packages through a .pth file, so the test
runs offline), then as a new user would: `newsarchive init`, import the seed page, build,
check, and the generated workflow's own shell steps (pip pointed at the local wheel).
"""
from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
SEED = REPO.parent / "shared" / "seed"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and wheel of this checkout."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out),
                    str(REPO)], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed and no path to the checkout."""
    folder = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    site_packages = next((folder / "lib").glob("python3*/site-packages"))
    # the dependencies only: this environment's site-packages, without running its .pth
    # files (the editable install of the checkout is one of them)
    (site_packages / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next(dist.glob("newsarchive-*.whl"))
    subprocess.run([folder / "bin" / "python", "-m", "pip", "install", "-q", "--no-deps",
                    "--no-index", str(wheel)], check=True)
    return folder


def run(venv: Path, *args: str, cwd: Path, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess:
    """A command in the fresh venv, outside the checkout, with a clean PYTHONPATH."""
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    environment["PATH"] = f"{venv / 'bin'}:{environment.get('PATH', '')}"
    environment.update(env or {})
    return subprocess.run(list(args), cwd=cwd, env=environment, capture_output=True, text=True)


def test_sdist_and_wheel_carry_the_default_theme(dist: Path) -> None:
    wheel = zipfile.ZipFile(next(dist.glob("*.whl"))).namelist()
    assert "generator/themes/default/templates/base.html" in wheel
    assert "generator/themes/default/ui.yml" in wheel
    assert "generator/starter/site.yml" in wheel
    assert "generator/workflows/pages.yml" in wheel
    assert "generator/core/phrases.py" in wheel  # the own-script normalisation tables
    sdist = tarfile.open(next(dist.glob("*.tar.gz"))).getnames()
    assert any(name.endswith("themes/default/templates/base.html") for name in sdist)


def test_installed_package_is_not_the_checkout(venv: Path, tmp_path: Path) -> None:
    result = run(venv, "python", "-c", "import generator; print(generator.__file__)", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not Path(result.stdout.strip()).is_relative_to(REPO)
    version = run(venv, "newsarchive", "--version", cwd=tmp_path)
    from generator import __version__
    assert version.stdout.strip() == f"newsarchive {__version__}"


@pytest.mark.skipif(not SEED.is_dir(), reason="../shared/seed is not beside the checkout")
def test_a_new_archive_from_init_to_check(venv: Path, tmp_path: Path) -> None:
    assert run(venv, "newsarchive", "init", "archive", "--title", "測試典藏",
               cwd=tmp_path).returncode == 0
    site = tmp_path / "archive"
    seed = next(SEED.iterdir())
    imported = run(venv, "newsarchive", "import", str(seed), cwd=site)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    built = run(venv, "newsarchive", "build", cwd=site / "content")  # found from a subfolder
    assert built.returncode == 0, built.stderr
    assert (site / "output" / "zh-hant" / "index.html").is_file()
    assert (site / "output" / "static").is_dir()
    checked = run(venv, "newsarchive", "check", cwd=site)
    assert checked.returncode == 0, checked.stderr
    assert " 0 broken link(s)" in checked.stdout


def test_the_generated_workflow_steps_run_here(venv: Path, dist: Path, tmp_path: Path) -> None:
    assert run(venv, "newsarchive", "init", "archive", cwd=tmp_path).returncode == 0
    site = tmp_path / "archive"
    workflow = yaml.safe_load((site / ".github/workflows/pages.yml").read_text(encoding="utf-8"))
    steps = {step["name"]: step for step in workflow["jobs"]["build"]["steps"]}
    # pip takes the local wheel for the version requirements.txt pins
    offline = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(dist), "GITHUB_WORKSPACE": str(site)}
    install = run(venv, "bash", "-ec", steps["Install newsarchive"]["run"], cwd=site, env=offline)
    assert install.returncode == 0, install.stdout + install.stderr
    build = steps["Build the archive for the Pages address"]
    env = {**offline, "PAGES_BASE_URL": "https://octo.github.io/archive"}
    built = run(venv, "bash", "-ec", build["run"], cwd=site, env=env)
    assert built.returncode == 0, built.stderr
    home = (site / "output" / "zh-hant" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://octo.github.io/archive/zh-hant/"' in home


def _fork_with_other_content(folder: Path) -> Path:
    """A copy of this repository's tracked files whose content/ holds other articles."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True,
                            check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if name.startswith("content/") or not source.is_file():
            continue
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
    for n, (title, tags) in enumerate([("宏達電發表新款頭戴裝置", "[宏達電, 虛擬實境]"),
                                       ("比亚迪上半年销量创新高", "[比亚迪, 电动车]"),
                                       ("聯發科推出新一代晶片", "[聯發科, 晶片]")], 1):
        path = folder / "content" / "2024" / f"2024-0{n}-0{n}-fork-{n}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\ntitle: {title}\ndate: 2024-0{n}-0{n}\ntags: {tags}\n---\n\n"
                        f"{title}。這是分支自己的文章，第 {n} 篇。\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(folder)], check=True)  # a fork is a repository
    return folder


def test_the_suite_passes_in_a_fork_with_its_own_content(tmp_path: Path) -> None:
    fork = _fork_with_other_content(tmp_path / "fork")
    # A fork runs its own checks; the sample's tests skip there, and the validators
    # (tools/validate/node_modules, installed by npm, not tracked) are not in the copy.
    ci_only = {"NEWSARCHIVE_REQUIRE_SAMPLE", "NEWSARCHIVE_REQUIRE_VALIDATORS"}
    env = {k: v for k, v in os.environ.items() if k not in ci_only}
    env["PYTHONPATH"] = str(fork)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                             "-m", "not slow and not validate", "tests"], cwd=fork, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "skipped" in result.stdout.splitlines()[-1]  # the sample's own tests said why
