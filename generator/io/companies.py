"""Reading companies.yml (named by site.yml `companies:`); parsing is generator.core.companies'."""
from __future__ import annotations

from pathlib import Path

from generator.core.companies import Companies, parse_companies
from generator.core.errors import SiteError
from generator.core.settings import Config


def read_companies(path: Path, name: str | None = None) -> Companies:
    """Read and validate a companies file; errors name it by `name` (default: its file name)."""
    shown = name or path.name
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise SiteError("companies file not found", shown,
                        hint="create it or fix the `companies:` setting in site.yml") from None
    except UnicodeDecodeError as exc:
        raise SiteError(f"not UTF-8 (byte {exc.start})", shown, hint="save it as UTF-8") from None
    return parse_companies(text, shown)


def load_companies(config: Config) -> Companies:
    """The site's companies (none when site.yml names no file)."""
    if config.companies is None:
        return Companies()
    return read_companies(config.companies, config.shown(config.companies))
