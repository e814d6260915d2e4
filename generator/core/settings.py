"""site.yml's text -> a frozen, validated Config (errors name site.yml and the line).

Reading the file is generator.io.config's job."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from generator import __version__

from generator.core import yaml_errors
from generator.core.chinese import DEFAULT_OPENCC
from generator.core.errors import BuildFailed, SiteError
from generator.core.frontmatter import FrontMatterError, refuse_aliases
from generator.core.residue import tables_digest

SITE_FILE = "site.yml"
ENV_BASE_URL = "NEWSARCHIVE_BASE_URL"
KNOWN_KEYS = frozenset({
    "title", "description", "base_url", "default_script", "scripts", "glossary", "per_page",
    "related", "timezone", "publisher", "cname", "theme_dir", "search", "feed_items",
    "content_dir", "convert_names", "logo", "companies",
})


@dataclass(frozen=True)
class Config:
    """Site settings, validated; paths are absolute."""

    # site root (the folder holding site.yml)
    root: Path
    title: str
    description: str
    # absolute, with a trailing slash ("https://example.github.io/archive/")
    base_url: str
    # path part of base_url, with slashes at both ends ("/" or "/archive/")
    base_path: str
    default_script: str
    # {script: OpenCC config name}, e.g. {"hant": "s2tw", "hans": "t2s"}
    opencc: dict[str, str]
    # glossary file, or None
    glossary: Path | None
    per_page: int
    related: int
    # entries per Atom feed
    feed_items: int
    timezone: tzinfo
    publisher: str
    cname: str | None
    # site theme folder searched before themes/default, or None
    theme_dir: Path | None
    search: bool
    content_dir: Path
    # convert authors' names to each script like text (false: as written)
    convert_names: bool = True
    # publisher logo for structured data and link previews: a path under the site
    # ("static/logo.png") or an absolute URL; None for none
    logo: str | None = None
    # the built-in theme folder, and a digest of the glossary file's bytes: both found on
    # disk by generator.io.config.load_config, so that this module reads no file
    default_theme: Path | None = None
    glossary_digest: str = ""
    # companies.yml (site.yml `companies`), or None; and the digest of its ids, names and
    # aliases (what conversion and article pages depend on), set by load_config
    companies: Path | None = None
    companies_identity: str = ""

    @property
    def output_dir(self) -> Path:
        """Default build output folder."""
        return self.root / "output"

    @property
    def cache_dir(self) -> Path:
        """Parse cache folder (never committed)."""
        return self.root / ".newsarchive-cache"

    def theme_dirs(self) -> tuple[Path, ...]:
        """Theme folders, the site override first."""
        dirs = [self.theme_dir] if self.theme_dir else []
        return tuple(dirs + ([self.default_theme] if self.default_theme else []))

    def fingerprint(self) -> str:
        """Digest of every setting that changes parsed or converted articles.

        base_url's scheme, host and port are left out (articles only use base_path): a
        preview on another port reuses every parsed article. Page keys use render_key().
        """
        return self._digest(exclude=frozenset({"base_url"}))

    def shown(self, path: Path) -> str:
        """A site file as errors name it: relative to the site root when it is inside it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def render_key(self) -> str:
        """Digest of every setting, base_url included (rendered pages show absolute URLs)."""
        return self._digest(exclude=frozenset())

    def _digest(self, *, exclude: frozenset[str]) -> str:
        """Digest of the settings not in `exclude` (the glossary's bytes are one of them)."""
        parts = [__version__]
        for f in fields(self):
            if f.name not in exclude:
                parts.append(f"{f.name}={getattr(self, f.name)!r}")
        # the normalisation tables shipped with the generator change converted text too
        parts.append(tables_digest())
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]


def config_from_text(text: str, root: Path, *, base_url: str | None = None,
                     path_exists: Callable[[Path], bool]) -> Config:
    """site.yml's text -> a validated Config; `path_exists` says whether a named path exists."""
    data, lines = _parse(text, SITE_FILE)
    return config_from_mapping(data, root, lines=lines, base_url=base_url, path_exists=path_exists)


def config_from_mapping(data: Mapping[str, Any], root: Path, *,
                        lines: Mapping[str, int] | None = None,
                        base_url: str | None = None,
                        path_exists: Callable[[Path], bool]) -> Config:
    """Validate a site.yml mapping into a Config."""
    lines = lines or {}
    errors: list[SiteError] = []

    def err(key: str, message: str, hint: str | None = None) -> None:
        """Collect one error for a setting, located at its line."""
        errors.append(SiteError(f"{key}: {message}", SITE_FILE, lines.get(key), hint))

    for key in sorted(set(data) - KNOWN_KEYS):
        err(key, "unknown setting", "check the spelling; see docs/design.md")
    title = _text(data, "title", err, required=True)
    description = _text(data, "description", err) or ""
    url = _base_url(base_url or data.get("base_url") or "/", lambda m, h=None: err("base_url", m, h))
    default_script = data.get("default_script", "hant")
    if default_script not in DEFAULT_OPENCC:
        err("default_script", f"must be hant or hans (found {default_script!r})")
    opencc = _opencc(data.get("scripts"), err)
    settings = Config(
        root=root, title=title or "", description=description, base_url=url,
        base_path=urlsplit(url).path or "/", default_script=str(default_script),
        opencc=opencc, glossary=_path(root, data.get("glossary"), "glossary", err, path_exists),
        per_page=_count(data, "per_page", 20, err), related=_count(data, "related", 5, err, zero=True),
        feed_items=_count(data, "feed_items", 20, err),
        timezone=_timezone(data.get("timezone", "+08:00"), err),
        publisher=_text(data, "publisher", err) or (title or ""),
        cname=_cname(data.get("cname"), err),
        theme_dir=_path(root, data.get("theme_dir"), "theme_dir", err, path_exists),
        search=_bool(data, "search", True, err),
        content_dir=_path(root, data.get("content_dir", "content"), "content_dir", err) or root / "content",
        convert_names=_bool(data, "convert_names", True, err),
        logo=_logo(data.get("logo"), err),
        companies=_path(root, data.get("companies"), "companies", err, path_exists),
    )
    if errors:
        raise errors[0] if len(errors) == 1 else BuildFailed(errors)
    return settings


def _logo(value: Any, err) -> str | None:
    """The `logo` setting: a site path or an http(s) URL, as given."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or value.strip().startswith("//"):
        err("logo", f"not a path or URL ({value!r})", 'use a path under the site such as "static/logo.png"')
        return None
    return value.strip()


def _parse(text: str, name: str) -> tuple[dict[str, Any], dict[str, int]]:
    """YAML mapping plus the line of each top-level key."""
    try:
        refuse_aliases(text)  # an alias bomb would expand in every use of the settings
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except FrontMatterError as exc:
        raise SiteError(exc.message.replace("front matter", "settings"), name, exc.line + 1, exc.hint) from exc
    except yaml.YAMLError as exc:
        explained = yaml_errors.explain(exc, text)
        line = explained.line + 1 if explained.line is not None else None
        raise SiteError(f"invalid YAML: {explained.words}", name, line, explained.hint) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode | type(None)):
        raise SiteError("must be a mapping of settings (key: value)", name, 1)
    lines = {k.value: k.start_mark.line + 1 for k, _ in (node.value if node else [])}
    return data, lines


def _text(data: Mapping[str, Any], key: str, err, *, required: bool = False) -> str | None:
    """A text setting, stripped; None when absent."""
    value = data.get(key)
    if value is None:
        if required:
            err(key, "is required")
        return None
    if not isinstance(value, str):
        err(key, f"must be text (found {value!r})", "quote it")
        return None
    return value.strip()


def _base_url(value: Any, err) -> str:
    """Normalize to an absolute URL or a path, ending in '/'."""
    if not isinstance(value, str):
        err(f"must be a URL (found {value!r})")
        return "/"
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https", "") or (parts.scheme and not parts.netloc):
        err(f"must be http(s)://host/path/ (found {value!r})")
        return "/"
    if not parts.scheme and not value.startswith("/"):
        err(f"must be absolute (found {value!r})", "for example https://example.github.io/archive/")
        return "/"
    return value if value.endswith("/") else value + "/"


def _opencc(value: Any, err) -> dict[str, str]:
    """{script: OpenCC config}; accepts {hant: {opencc: s2tw}} or {hant: s2tw}."""
    result = dict(DEFAULT_OPENCC)
    if value is None:
        return result
    if not isinstance(value, dict):
        err("scripts", "must map hant/hans to an OpenCC config")
        return result
    for script, spec in value.items():
        if script not in DEFAULT_OPENCC:
            err("scripts", f"unknown script {script!r}", "use hant and hans")
            continue
        name = spec.get("opencc") if isinstance(spec, dict) else spec
        if not isinstance(name, str) or not re.fullmatch(r"[a-zA-Z0-9_]+(\.json)?", name):
            err("scripts", f"{script}: not an OpenCC config name ({name!r})", "for example s2tw or t2s")
            continue
        result[script] = name.removesuffix(".json")
    return result


def _path(root: Path, value: Any, key: str, err,
          path_exists: Callable[[Path], bool] | None = None) -> Path | None:
    """A path setting resolved against the site root (that must exist, given `path_exists`)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        err(key, f"must be a path (found {value!r})")
        return None
    path = (root / value).resolve()
    if path_exists is not None and not path_exists(path):
        err(key, f"{value} does not exist")
        return None
    return path


def _count(data: Mapping[str, Any], key: str, default: int, err, *, zero: bool = False) -> int:
    """A whole-number setting with a lower bound."""
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < (0 if zero else 1):
        err(key, f"must be a whole number{' >= 0' if zero else ' >= 1'} (found {value!r})")
        return default
    return value


def _bool(data: Mapping[str, Any], key: str, default: bool, err) -> bool:
    """A true/false setting."""
    value = data.get(key, default)
    if not isinstance(value, bool):
        err(key, f"must be true or false (found {value!r})")
        return default
    return value


def _timezone(value: Any, err) -> tzinfo:
    """A fixed offset like +08:00 (an IANA name is accepted when zoneinfo knows it)."""
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted +08:00 as the sexagesimal number 480 (minutes)
        return timezone(timedelta(minutes=value)) if abs(value) < 24 * 60 else _bad_tz(value, err)
    if not isinstance(value, str):
        return _bad_tz(value, err)
    match = re.fullmatch(r"(?:UTC)?([+-])(\d{1,2}):?(\d{2})", value.strip())
    if match:
        sign = -1 if match[1] == "-" else 1
        return timezone(sign * timedelta(hours=int(match[2]), minutes=int(match[3])))
    try:
        from zoneinfo import ZoneInfo
        return ZoneInfo(value)
    except (ValueError, KeyError, OSError):
        return _bad_tz(value, err)


def _bad_tz(value: Any, err) -> tzinfo:
    """Record a bad time zone; fall back to +08:00."""
    err("timezone", f"not a time zone ({value!r})", 'use an offset such as "+08:00"')
    return timezone(timedelta(hours=8))


def _cname(value: Any, err) -> str | None:
    """A custom domain for GitHub Pages, or None."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9.-]+\.[A-Za-z]{2,}", value.strip()):
        err("cname", f"must be a domain name (found {value!r})", "for example news.example.com")
        return None
    return value.strip()


def check_base_url(value: str, what: str = "base_url") -> str:
    """base_url normalised as site.yml would take it, or SiteError naming `what`."""

    def refuse(message: str, hint: str | None = None) -> None:
        raise SiteError(f"{what}: {message}", hint=hint)

    return _base_url(value, refuse)
