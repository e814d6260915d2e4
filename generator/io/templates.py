"""Jinja2 environment over the theme folders, UI strings, and rendering with located errors."""
from __future__ import annotations

import hashlib
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markupsafe import Markup

from generator.core.errors import SiteError
from generator.core.model import SCRIPTS


# Names a plain dict answers as attributes (its methods): `d.items` means the method.
_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(jinja2.Environment):
    """A Jinja2 environment that reads `ctx.key` from plain dicts without a failed getattr.

    Contexts are plain dicts and templates read them as `item.url`: Jinja2 first tries the
    attribute, which raises and catches an AttributeError per access (a fifth of render
    time). The result is the same: dict methods still win over keys.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        """obj.attribute as Jinja2 resolves it."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


def make_env(theme_dirs: Sequence[Path]) -> jinja2.Environment:
    """StrictUndefined, autoescaped HTML; the site's theme folder wins over the default."""
    loader = jinja2.FileSystemLoader([str(d / "templates") for d in theme_dirs if (d / "templates").is_dir()])
    env = _Environment(loader=loader, undefined=jinja2.StrictUndefined,
                       autoescape=jinja2.select_autoescape(("html", "xml"), default=True),
                       keep_trailing_newline=True, auto_reload=False)
    # a template rendered on its own still has fragment(); a build's renderer gives each
    # page a memoised one instead (a page's context wins over the globals)
    env.globals["fragment"] = lambda name, item: Markup(_macro(env, name)(item))
    return env


def _macro(env: jinja2.Environment, name: str) -> Callable[[Any], str]:
    """Macro `name` of the theme's FRAGMENTS file."""
    return getattr(env.get_template(FRAGMENTS).module, name)


def theme_fingerprint(theme_dirs: Sequence[Path]) -> str:
    """Digest of every template and ui.yml (a change re-renders every page)."""
    h = hashlib.sha256()
    for theme in theme_dirs:
        files = sorted((theme / "templates").rglob("*")) if (theme / "templates").is_dir() else []
        for path in files + [theme / "ui.yml"]:
            if path.is_file():
                h.update(str(path.relative_to(theme)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:20]


def load_ui(theme_dirs: Sequence[Path], root: Path) -> dict[str, dict[str, str]]:
    """{script: {key: text}} from ui.yml, site theme keys over default ones."""
    ui: dict[str, dict[str, str]] = {s: {} for s in SCRIPTS}
    for theme in reversed(theme_dirs):
        path = theme / "ui.yml"
        if not path.is_file():
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            mark = getattr(exc, "problem_mark", None)
            raise SiteError(f"ui.yml is not valid: {exc}", _show(path, root),
                            mark.line + 1 if mark else None) from exc
        for script in SCRIPTS:
            strings = data.get(script, {}) if isinstance(data, dict) else {}
            if not isinstance(strings, dict):
                raise SiteError(f"{script}: must map UI keys to text", _show(path, root))
            ui[script].update({str(k): str(v) for k, v in strings.items()})
    return ui


def check_templates(env: jinja2.Environment, names: Sequence[str], root: Path) -> list[SiteError]:
    """Compile every template a build needs; one error per broken or missing template."""
    errors = []
    for name in names:
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            errors.append(SiteError(exc.message or "syntax error", _show_name(exc.filename, root), exc.lineno))
        except jinja2.TemplateNotFound as exc:
            errors.append(SiteError(f"template {exc.name} not found", hint="add it to the theme's templates/"))
    return errors


# the theme file whose macros render one article of a list (home, tag, category, month, company)
FRAGMENTS = "_article_item.html"


def renderer(env: jinja2.Environment, root: Path) -> Callable[[str, dict[str, Any]], bytes]:
    """`render` bound to one environment and site root (what generator.core.render takes),
    each page's context given `fragment` (one memo per call: one build)."""
    fragment = Fragments(env)
    return lambda template, context: render(env, template, dict(context, fragment=fragment), root)


class Fragments:
    """`fragment(name, item)` in a template: macro `name` of _article_item.html applied to
    `item`, rendered once per build and reused on every list page that shows the item.

    An article appears on ~7 list pages per script (home, its tags, category, year, month,
    companies), and its item's markup was rendered afresh on each. An imported macro sees
    nothing of the page (Jinja gives it no context), so its markup depends on its arguments
    alone: the memo is keyed by the item itself. Items are the list entries
    generator.core.contexts builds once per build and templates only read; the memo holds
    each one, so an id is never reused within the memo's life (one build, one renderer).
    """

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env
        self.memo: dict[tuple[str, int], tuple[object, Markup]] = {}
        self.macros: dict[str, Callable[[Any], Markup]] = {}

    def __call__(self, name: str, item: Any) -> Markup:
        """The markup of one item by one macro (a forked worker fills its own copy)."""
        found = self.memo.get((name, id(item)))
        if found is None:
            macro = self.macros.get(name)
            if macro is None:
                macro = self.macros[name] = _macro(self.env, name)
            found = self.memo[(name, id(item))] = (item, Markup(macro(item)))
        return found[1]


def read_file(path: str) -> bytes:
    """A file's bytes (theme static files and media are copied with this)."""
    return Path(path).read_bytes()


def render(env: jinja2.Environment, template: str, context: dict[str, Any], root: Path) -> bytes:
    """Render one template to UTF-8 bytes; errors name the template file and line."""
    try:
        return env.get_template(template).render(context).encode("utf-8")
    except jinja2.TemplateSyntaxError as exc:
        raise SiteError(exc.message or "syntax error", _show_name(exc.filename, root), exc.lineno) from None
    except (jinja2.TemplateError, TypeError, ValueError, KeyError, AttributeError) as exc:
        path, line = _template_frame(exc)
        raise SiteError(f"{type(exc).__name__}: {exc}", _show_name(path, root) if path else template,
                        line) from None


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost traceback frame inside a template file."""
    found: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__ or sys.exc_info()[2]):
        if frame.filename.endswith((".html", ".xml", ".txt")):
            found = (frame.filename, frame.lineno)
    return found


def _show_name(filename: str | None, root: Path) -> str | None:
    """A template file name for messages."""
    return _show(Path(filename), root) if filename else None


def _show(path: Path, root: Path) -> str:
    """A path relative to the site root (or the repository), for messages."""
    for base in (root, Path(__file__).resolve().parents[2]):
        try:
            return str(path.resolve().relative_to(base))
        except ValueError:
            continue
    return str(path)


def misplaced_overrides(theme_dirs: Sequence[Path], root: Path) -> list[str]:
    """Warnings for template files a site theme put beside templates/ instead of in it.

    The loader reads only THEME/templates/, so THEME/base.html would be ignored without a
    word; the default theme (the last folder) names the templates that can be overridden.
    """
    *site_themes, default = theme_dirs
    known = {p.name for p in (default / "templates").iterdir()} if (default / "templates").is_dir() else set()
    warnings = []
    for theme in site_themes:
        for path in sorted(theme.iterdir()) if theme.is_dir() else ():
            if path.is_file() and path.name in known:
                warnings.append(f"{_show(path, root)}: not used: templates are read from "
                                f"{_show(theme, root)}/templates/ (move it there)")
    return warnings
