"""YAML mistakes a curator makes, each told in plain words at its line (front matter and site.yml)."""
from __future__ import annotations

import pytest

from generator.io.config import load_config
from generator.core.errors import SiteError
from generator.core.frontmatter import split_front_matter


def front_matter_error(*lines: str) -> str:
    with pytest.raises(SiteError) as caught:
        split_front_matter("\n".join(["---", *lines, "---", "", "正文", ""]), "content/a.md")
    return str(caught.value)


@pytest.mark.parametrize("lines, expected", [
    (["title: 標題", "  tags: [a]"],
     "content/a.md:3: invalid YAML: this line is indented more than the line above it (keys of "
     "one mapping start in the same column; indent only under a key that ends with ':')"),
    (["title: 台積電: 營收創新高", "tags: [a]"],
     "content/a.md:2: invalid YAML: a ': ' inside a value (quote the value, e.g. title: "
     "\"台積電: 營收創新高\")"),
    (["title: x", "\ttags: [a]"],
     "content/a.md:3: invalid YAML: a tab character (YAML indents with spaces only: replace the "
     "tab with spaces)"),
    (["tags: [a, b", "title: x"],
     "content/a.md:2: invalid YAML: a '[' list that is not closed (close it with ']' on the same "
     "value, or quote the value if '[' is text)"),
    (["title: \"abc", "tags: [a]"],
     "content/a.md:2: invalid YAML: a quote that is never closed (close the quote)"),
    (["title: x", "just a line", "tags: [a]"],
     "content/a.md:4: invalid YAML: a line that is not 'key: value' (add ': ' after the key, or "
     "indent the line to continue the value above)"),
    (["tags:", "  - a", " - b"],
     "content/a.md:4: invalid YAML: the indentation does not line up (keys of one mapping, and "
     "items of one list, start in the same column)"),
], ids=["indent", "colon", "tab", "bracket", "quote", "no-key", "list-indent"])
def test_front_matter_yaml_errors_in_plain_words(lines: list[str], expected: str) -> None:
    assert front_matter_error(*lines) == expected


def test_site_yml_errors_get_the_same_words(tmp_path) -> None:
    (tmp_path / "site.yml").write_text("title: 典藏\n  base_url: https://x.org/\n", encoding="utf-8")
    with pytest.raises(SiteError) as caught:
        load_config(tmp_path, env={})
    assert str(caught.value) == (
        "site.yml:2: invalid YAML: this line is indented more than the line above it (keys of "
        "one mapping start in the same column; indent only under a key that ends with ':')")
