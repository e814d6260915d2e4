"""site.yml: validation with file:line errors, base_url precedence."""
from datetime import timedelta
from pathlib import Path

import pytest

from generator.io.config import load_config
from generator.core.errors import BuildFailed, SiteError


def write(root: Path, text: str) -> Path:
    (root / "site.yml").write_text(text, encoding="utf-8")
    (root / "content").mkdir(exist_ok=True)
    return root


def test_defaults_and_derived_values(tmp_path):
    config = load_config(write(tmp_path, "title: 典藏\nbase_url: https://example.github.io/archive\n"), env={})
    assert config.base_url == "https://example.github.io/archive/"
    assert config.base_path == "/archive/"
    assert config.opencc == {"hant": "s2tw", "hans": "t2s"}
    assert config.timezone.utcoffset(None) == timedelta(hours=8)
    assert (config.per_page, config.related, config.default_script) == (20, 5, "hant")


def test_base_url_precedence_flag_then_env_then_file(tmp_path):
    root = write(tmp_path, "title: t\nbase_url: https://file.example/\n")
    env = {"NEWSARCHIVE_BASE_URL": "https://env.example/sub/"}
    assert load_config(root, env={}).base_url == "https://file.example/"
    assert load_config(root, env=env).base_url == "https://env.example/sub/"
    assert load_config(root, env=env, base_url="https://flag.example/").base_url == "https://flag.example/"


def test_errors_name_site_yml_and_line(tmp_path):
    root = write(tmp_path, "title: t\nper_page: many\ntimezone: Mars/Base\n")
    with pytest.raises(BuildFailed) as caught:
        load_config(root, env={})
    assert [str(e) for e in caught.value.errors] == [
        "site.yml:2: per_page: must be a whole number >= 1 (found 'many')",
        "site.yml:3: timezone: not a time zone ('Mars/Base') (use an offset such as \"+08:00\")",
    ]


def test_unknown_key_and_missing_title(tmp_path):
    with pytest.raises(BuildFailed) as caught:
        load_config(write(tmp_path, "titel: t\n"), env={})
    messages = [str(e) for e in caught.value.errors]
    assert "site.yml: title: is required" in messages
    assert "site.yml:1: titel: unknown setting (check the spelling; see docs/design.md)" in messages


def test_broken_yaml(tmp_path):
    with pytest.raises(SiteError) as caught:
        load_config(write(tmp_path, "title: [unclosed\n"), env={})
    assert str(caught.value) == ("site.yml:1: invalid YAML: a '[' list that is not closed (close "
                                 "it with ']' on the same value, or quote the value if '[' is text)")


def test_fingerprint_follows_glossary_content(tmp_path):
    root = write(tmp_path, "title: t\nglossary: glossary.yml\n")
    (root / "glossary.yml").write_text("- 台積電\n", encoding="utf-8")
    first = load_config(root, env={}).fingerprint()
    (root / "glossary.yml").write_text("- 台積電\n- 商湯\n", encoding="utf-8")
    assert load_config(root, env={}).fingerprint() != first


def test_fingerprint_ignores_host_and_port_but_not_base_path(tmp_path):
    root = write(tmp_path, "title: t\n")
    at = lambda url: load_config(root, env={}, base_url=url)  # noqa: E731
    first, other_port, other_path = at("http://127.0.0.1:8000/"), at("http://127.0.0.1:8123/"), at("http://127.0.0.1:8000/sub/")
    # parsed articles only use base_path: a preview on a new port reuses them
    assert other_port.fingerprint() == first.fingerprint()
    assert other_path.fingerprint() != first.fingerprint()
    # rendered pages show absolute URLs: their key follows the whole base_url
    assert other_port.render_key() != first.render_key()


def test_missing_site_yml(tmp_path):
    with pytest.raises(SiteError, match="no site.yml here"):
        load_config(tmp_path, env={})
