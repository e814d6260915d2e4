"""Reading site.yml: the file, the environment, and what the settings name on disk."""
from __future__ import annotations

import hashlib
import importlib.resources
import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from generator.core.errors import SiteError
from generator.core.settings import ENV_BASE_URL, SITE_FILE, Config, config_from_text


def load_config(root: Path | str, *, base_url: str | None = None,
                env: Mapping[str, str] | None = None) -> Config:
    """Read ROOT/site.yml; base_url precedence is flag > NEWSARCHIVE_BASE_URL > site.yml."""
    root = Path(root).resolve()
    path = root / SITE_FILE
    if not path.is_file():
        raise SiteError("no site.yml here", path=str(path),
                        hint="run inside the site folder or pass --site DIR")
    env = os.environ if env is None else env
    override = base_url or env.get(ENV_BASE_URL) or None
    config = config_from_text(read_settings_text(path), root, base_url=override,
                              path_exists=Path.exists)
    config = replace(config, default_theme=default_theme_dir(),
                     glossary_digest=file_digest(config.glossary))
    if config.companies is not None:
        from generator.io.companies import load_companies
        config = replace(config, companies_identity=load_companies(config).identity())
    return config


def default_theme_dir() -> Path:
    """The default theme: inside the package when installed from a wheel or an sdist (the
    build maps themes/default there), else beside the package in a source checkout."""
    packaged = importlib.resources.files("generator").joinpath("themes", "default")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "themes" / "default"


def read_settings_text(path: Path) -> str:
    """Decode a settings file as UTF-8 or fail with a location."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SiteError(f"not UTF-8 (byte {exc.start})", path.name, hint="save it as UTF-8") from exc


def file_digest(path: Path | None) -> str:
    """sha256 of a file's bytes ("" for none): settings files that change the output."""
    if path is None or not path.is_file():
        return ""
    return hashlib.sha256(path.read_bytes()).hexdigest()
