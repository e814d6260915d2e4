"""The Jinja2 environment: `ctx.key` on plain dicts resolves exactly as stock Jinja2 does."""
import jinja2
import pytest

from generator.io.templates import make_env

SOURCE = "{{ d.url }}|{{ d.items is callable }}|{{ d['items'] }}|{{ o.real }}"


def render_with(env: jinja2.Environment, **context) -> str:
    return env.from_string(SOURCE).render(**context)


def test_dict_keys_read_as_attributes_like_stock_jinja(tmp_path):
    ours = make_env([tmp_path])
    stock = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    context = {"d": {"url": "/a?b=<c>", "items": "key named items"}, "o": 3}
    assert render_with(ours, **context) == render_with(stock, **context)
    # a dict method still wins over a key of the same name, as in stock Jinja2
    assert render_with(ours, **context) == "/a?b=&lt;c&gt;|True|key named items|3"


def test_missing_key_is_strictly_undefined(tmp_path):
    with pytest.raises(jinja2.UndefinedError, match="has no attribute 'title'"):
        make_env([tmp_path]).from_string("{{ d.title }}").render(d={})
