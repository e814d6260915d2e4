"""Script conversion: fixture pairs, glossary validation, fold, detection, HTML edge cases."""
from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from generator.core.errors import SiteError
from generator.core.chinese import Converter, Glossary, Term, detect_script, parse_glossary
from generator.io.converters import open_converter, load_glossary

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "conversion"


@pytest.fixture(scope="module")
def conv() -> Converter:
    """The sample site's converter (default OpenCC configs + glossary.yml)."""
    return open_converter(glossary=load_glossary(REPO / "glossary.yml"))


def _cases() -> list[tuple[str, str, str]]:
    """(name, extension, script) for every NAME.in.EXT with its expected outputs."""
    cases = []
    for src in sorted(FIXTURES.glob("*.in.*")):
        name, ext = src.name.split(".in.")
        cases += [(name, ext, script) for script in ("hant", "hans")]
    return cases


@pytest.mark.parametrize(("name", "ext", "script"), _cases())
def test_fixture(conv: Converter, name: str, ext: str, script: str) -> None:
    source = (FIXTURES / f"{name}.in.{ext}").read_text(encoding="utf-8")
    expected = (FIXTURES / f"{name}.{script}.{ext}").read_text(encoding="utf-8")
    convert = conv.html if ext == "html" else conv.text
    assert convert(script, source) == expected


def test_fixtures_cover_both_kinds() -> None:
    exts = {ext for _, ext, _ in _cases()}
    assert exts == {"html", "txt"} and len(_cases()) >= 20


@pytest.mark.parametrize(("name", "script"), [("already-hant", "hant"),
                                              ("already-hans", "hans"),
                                              ("article", "hans")])
def test_text_already_in_target_script_is_unchanged(name: str, script: str) -> None:
    ext = "html" if name == "article" else "txt"
    source = (FIXTURES / f"{name}.in.{ext}").read_text(encoding="utf-8")
    assert (FIXTURES / f"{name}.{script}.{ext}").read_text(encoding="utf-8") == source


# ------------------------------------------------------------------ text


def test_phrase_level_default_is_s2tw_not_s2twp(conv: Converter) -> None:
    assert conv.text("hant", "发布会后他剪了头发") == "發佈會後他剪了頭髮"


def test_glossary_both_directions(conv: Converter) -> None:
    assert conv.text("hant", "商汤、台积电、范先群") == "商湯、台積電、范先群"
    assert conv.text("hans", "商湯、台積電、範例、范先群") == "商汤、台积电、范例、范先群"


def test_longest_glossary_term_wins() -> None:
    glossary = Glossary((Term("商湯", "商汤"), Term("商湯醫療", "商汤醫療X")))
    conv = open_converter(glossary=glossary)
    assert conv.text("hans", "商湯醫療和商湯") == "商汤醫療X和商汤"


def test_span_markers_removed_and_content_kept(conv: Converter) -> None:
    assert conv.text("hant", "-{发布}-发布") == "发布發佈"
    assert conv.text("hant", "ascii -{x}- only") == "ascii x only"


def test_private_use_characters_in_input_survive(conv: Converter) -> None:
    text = "发布\U00100000头发\U0010fffd"
    assert conv.text("hant", text) == "發佈\U00100000頭髮\U0010fffd"


def test_convert_many_keeps_pieces_apart(conv: Converter) -> None:
    pieces = ["发布\n", "", "头\n发", "-{发}-"]
    assert conv.convert_many("hant", pieces) == ["發佈\n", "", "頭\n發", "发"]


def test_convert_many_with_private_use_characters_in_pieces(conv: Converter) -> None:
    pieces = ["发\U0010fffd布", "\U00100000头发", "-{发}-\U0010ffff"]
    assert conv.convert_many("hant", pieces) == ["發\U0010fffd布", "\U00100000頭髮", "发\U0010ffff"]
    assert conv.convert_many("hant", pieces[1:]) == ["\U00100000頭髮", "发\U0010ffff"]


def test_url_does_not_cross_pieces(conv: Converter) -> None:
    pieces = ["见 https://x.cn/发布", "发布"]
    assert conv.convert_many("hant", pieces) == ["見 https://x.cn/发布", "發佈"]
    html = '<p>见 https://x.cn/发布</p><p>发布</p>'
    assert conv.html("hant", html) == '<p>見 https://x.cn/发布</p><p>發佈</p>'


def test_span_does_not_cross_pieces(conv: Converter) -> None:
    assert conv.convert_many("hant", ["-{发", "布}-"]) == ["-{發", "布}-"]


def test_custom_opencc_config() -> None:
    conv = open_converter({"hant": "s2twp.json"})
    assert conv.text("hant", "软件") == "軟體"


def test_unknown_opencc_config_is_a_site_error() -> None:
    with pytest.raises(SiteError, match="unknown OpenCC configuration 'nope.json'"):
        open_converter({"hans": "nope.json"})


def test_unknown_script_in_settings() -> None:
    with pytest.raises(SiteError, match="unknown script 'hk'"):
        open_converter({"hk": "s2hk.json"})


def test_converter_pickles_for_worker_processes(conv: Converter) -> None:
    clone = pickle.loads(pickle.dumps(conv))
    assert clone.text("hant", "商汤发布芯片") == conv.text("hant", "商汤发布芯片") == "商湯發佈晶片"
    assert len(pickle.dumps(conv)) < 10_000


# ------------------------------------------------------------------ html


def test_html_attributes_other_than_alt_title_untouched(conv: Converter) -> None:
    html = '<a href="/发布/" data-x="发布" title=发布 ALT="头发">发布</a>'
    assert conv.html("hant", html) == '<a href="/发布/" data-x="发布" title=發佈 ALT="頭髮">發佈</a>'


def test_html_uppercase_and_nested_skip(conv: Converter) -> None:
    html = "<PRE><code>发布</code>头发<pre>发</pre>发布</PRE>发布"
    assert conv.html("hant", html) == "<PRE><code>发布</code>头发<pre>发</pre>发布</PRE>發佈"


def test_html_translate_no_on_void_element_does_not_swallow_the_rest(conv: Converter) -> None:
    html = '<img translate="no" alt="发布"><p title="发布">发布</p>'
    assert conv.html("hant", html) == '<img translate="no" alt="发布"><p title="發佈">發佈</p>'


def test_html_data_translate_attribute_is_not_translate(conv: Converter) -> None:
    html = ('<p data-translate="no" title="translate=no">发布</p>'
            '<p TRANSLATE = "NO">发布</p><b translate=no>发布</b>')
    assert conv.html("hant", html) == ('<p data-translate="no" title="translate=no">發佈</p>'
                                       '<p TRANSLATE = "NO">发布</p><b translate=no>发布</b>')


def test_html_unclosed_span_marker_does_not_stop_conversion(conv: Converter) -> None:
    html = "<p>a-{b 发布</p><p>头发</p>"
    assert conv.html("hant", html) == "<p>a-{b 發佈</p><p>頭髮</p>"


def test_html_stray_angle_bracket_is_text(conv: Converter) -> None:
    assert conv.html("hant", "a < b 发布 <3") == "a < b 發佈 <3"


def test_html_unclosed_skip_element_stays_unconverted(conv: Converter) -> None:
    assert conv.html("hant", "<p>发布</p><code>发布") == "<p>發佈</p><code>发布"


def test_html_ascii_is_returned_as_is(conv: Converter) -> None:
    html = "<p class=x>plain &amp; simple</p>"
    assert conv.html("hans", html) is html


def test_html_ascii_span_markers_are_removed(conv: Converter) -> None:
    assert conv.html("hant", "<p>-{ABC}- x</p>") == "<p>ABC x</p>"


def test_glossary_terms_starting_with_punctuation() -> None:
    conv = open_converter(glossary=Glossary((Term("!發", "!发"), Term("+x", "+x"))))
    assert conv.text("hant", "!发 +x 发") == "!發 +x 發"
    assert conv.text("hans", "h-i 發") == "h-i 发"


def test_html_full_page_head(conv: Converter) -> None:
    html = ('<!DOCTYPE html><html lang="zh-Hant"><head><title>发布会</title>'
            '<meta name="description" content="发布会"></head></html>')
    assert conv.html("hant", html) == html.replace("<title>发布会", "<title>發佈會")


# ------------------------------------------------------------------ fold


def test_fold_makes_scripts_meet(conv: Converter) -> None:
    assert conv.fold("商湯醫療發佈晶片") == conv.fold("商汤医疗发布芯片") == "商汤医疗发布芯片"


def test_fold_lowercases_and_normalises_width(conv: Converter) -> None:
    assert conv.fold("ＡＩ 醫療 -{範}- CVPR") == "ai 医疗 范 cvpr"


# ------------------------------------------------------------------ detect


@pytest.mark.parametrize(("text", "expected"), [
    ("商湯醫療在上海舉行發佈會", "hant"),
    ("商汤医疗在上海举行发布会", "hans"),
    ("ABC 123", None),
    ("今天上午", None),  # same in both scripts: no evidence
])
def test_detect_script(conv: Converter, text: str, expected: str | None) -> None:
    assert conv.detect_script(text) == expected


def test_detect_script_default_and_tie(conv: Converter) -> None:
    assert conv.detect_script("上海", default="hans") == "hans"
    assert conv.detect_script("發发", default="hant") == "hant"
    assert detect_script("這是繁體中文的文章", converter=conv) == "hant"


def test_detect_script_without_converter() -> None:
    assert detect_script("这是简体中文") == "hans"


# ------------------------------------------------------------------ glossary


def test_sample_glossary_is_valid_and_large_enough() -> None:
    glossary = load_glossary(REPO / "glossary.yml")
    forms = {(t.hant, t.hans) for t in glossary.terms}
    assert len(glossary.terms) >= 15
    assert {("商湯", "商汤"), ("范先群", "范先群"), ("台積電", "台积电"), ("晶片", "芯片")} <= forms


def test_sample_glossary_terms_round_trip(conv: Converter) -> None:
    for term in conv.glossary.terms:
        assert conv.text("hant", term.hans) == term.hant
        assert conv.text("hans", term.hant) == term.hans


def test_glossary_bare_numbers_stay_text() -> None:
    glossary = parse_glossary("- 360\n- {hant: '0700', hans: 0700}\n")
    assert [(t.hant, t.hans) for t in glossary.terms] == [("360", "360"), ("0700", "0700")]


def test_glossary_identical_repeat_is_fine_and_empty_file_is_empty() -> None:
    assert len(parse_glossary("- 小米\n- {hant: 小米, hans: 小米}\n").terms) == 2
    assert parse_glossary("").terms == ()


@pytest.mark.parametrize(("text", "message"), [
    ("- {hant: 商湯, hans: 商汤}\n- {hant: 商湯, hans: 商湯}\n",
     "g.yml:2: glossary: 商湯 is given two different counterparts "
     "(商湯/商汤 on line 1, 商湯/商湯 here) (keep one entry)"),
    ("- 台積電\n- {hant: 台積電, hans: 台积电}\n",
     "g.yml:2: glossary: 台積電 is given two different counterparts "
     "(台積電/台積電 on line 1, 台積電/台积电 here) (keep one entry)"),
    ("- 小米\n- {hant: '', hans: 小}\n",
     "g.yml:2: glossary: hant is empty (remove the entry or fill it in)"),
    ("- 小米\n-\n", "g.yml:2: glossary: term is empty (remove the entry or fill it in)"),
    ("- 小米\n- {hant: 商湯, hans: 商汤, zh: x}\n",
     "g.yml:2: glossary: unknown key 'zh' (use hant, hans and note)"),
    ("- {hant: 商湯}\n",
     "g.yml:1: glossary: entry without hans "
     "(give both forms, or a bare string for a term written alike)"),
    ("商湯: 商汤\n", "g.yml:1: glossary must be a list of terms (start each entry with '- ')"),
    ("- [商湯, 商汤]\n", "g.yml:1: glossary: an entry must be a term or {hant: …, hans: …}"),
    ("- {hant: 商湯, hant: 商汤}\n", "g.yml:1: glossary: duplicate key 'hant'"),
    ("- {hant: [a], hans: b}\n", "g.yml:1: glossary: hant must be text"),
    ("- 小米\n- {hant: 商湯\n", "g.yml:3: glossary is not valid YAML: "
     "expected ',' or '}', but got '<stream end>'"),
])
def test_glossary_errors(text: str, message: str) -> None:
    with pytest.raises(SiteError) as info:
        parse_glossary(text, "g.yml")
    assert str(info.value) == message


def test_load_glossary_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SiteError, match="glossary file not found"):
        load_glossary(tmp_path / "none.yml")


def test_glossary_errors_name_the_file_from_the_site_root(tmp_path: Path, capsys) -> None:
    from generator.cli import main

    (tmp_path / "site.yml").write_text("title: t\nbase_url: https://e.org/\nglossary: terms/g.yml\n"
                                       "search: false\n", encoding="utf-8")
    (tmp_path / "terms").mkdir()
    (tmp_path / "terms/g.yml").write_text("- hant: 台積電\n  hans: [bad\n", encoding="utf-8")
    (tmp_path / "content").mkdir()
    assert main(["--site", str(tmp_path), "build", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: terms/g.yml:3: glossary is not valid YAML: expected ',' or ']', "
                   "but got '<stream end>'"]


# ------------------------------------------------------------------ random HTML vs a real parser

_WORDS = ["发布会", "头发", "商汤医疗", "范先群", "台积电", "芯片", "软件", "面条", "后来", "干杯",
          "里面", "Hello", "a < b", "&amp;", "&lt;发布&gt;", "-{发布}-", " ", "\n", "https://x.cn/发布"]
_SKIPPED = {"code", "pre", "kbd", "samp", "script", "style"}


def _random_inline(rng, depth: int, in_link: bool) -> str:
    """Random phrasing content (valid nesting, so a parser keeps the structure)."""
    out = []
    for _ in range(rng.randint(1, 3)):
        text = "".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 4)))
        kind = rng.randrange(6 if depth < 3 else 1)
        if kind == 0:
            out.append(text)
        elif kind == 1:
            out.append(f'<img src="/发布/{rng.randrange(9)}.png" alt="{text}" title=\'{text}\'>')
        elif kind == 2:
            tag = rng.choice(["code", "kbd", "samp"])
            out.append(f"<{tag}>{text}</{tag}>")
        elif kind == 3 and not in_link:
            inner = _random_inline(rng, depth + 1, True)
            out.append(f'<a href="/zh-hans/tags/发布/" title="{text}">{inner}</a>')
        elif kind == 4:
            inner = _random_inline(rng, depth + 1, in_link)
            out.append(f'<span translate="no" title="{text}">{inner}</span>')
        else:
            tag = rng.choice(["span", "b", "em"])
            out.append(f'<{tag} class="发布">{_random_inline(rng, depth + 1, in_link)}</{tag}>')
    return "".join(out)


def _random_html(rng) -> str:
    """A random fragment of blocks mixing converted and protected content."""
    out = []
    for _ in range(rng.randint(1, 4)):
        text = "".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 4)))
        kind = rng.randrange(5)
        if kind == 0:
            out.append(f"<pre><code>{text}\n{text}</code></pre>")
        elif kind == 1:
            out.append(f'<script>var s = "{text}"; if (a<b) {{}}</script>')
        elif kind == 2:
            out.append(f'<blockquote translate="no"><p>{_random_inline(rng, 1, False)}</p></blockquote>')
        else:
            tag = rng.choice(["p", "h2", "li"])
            out.append(f'<{tag} class="发布">{_random_inline(rng, 1, False)}</{tag}>')
    return "".join(out)


def _nodes(html: str) -> list[tuple[str, dict, str, bool]]:
    """(tag, attributes, text, protected) for every node, in document order."""
    from selectolax.lexbor import LexborHTMLParser

    found = []
    for node in LexborHTMLParser(f"<body>{html}</body>").body.traverse(include_text=True):
        protected, parent = False, node if node.tag != "-text" else node.parent
        while parent is not None and parent.tag != "body":
            protected |= parent.tag in _SKIPPED or parent.attributes.get("translate") == "no"
            parent = parent.parent
        text = node.text_content if node.tag == "-text" else ""
        found.append((node.tag, dict(node.attributes), text, protected))
    return found


@pytest.mark.parametrize("seed", range(60))
def test_random_html_keeps_structure_and_protected_text(conv: Converter, seed: int) -> None:
    import random

    html = _random_html(random.Random(seed))
    before, after = _nodes(html), _nodes(conv.html("hant", html))
    assert [(t, {k: v for k, v in a.items() if k not in ("alt", "title")}) for t, a, _, _ in before] \
        == [(t, {k: v for k, v in a.items() if k not in ("alt", "title")}) for t, a, _, _ in after]
    for (tag, attrs, text, protected), (_, attrs2, text2, _) in zip(before, after):
        if protected:
            assert (text2, attrs2) == (text, attrs)
        else:
            assert text2 == conv.text("hant", text)
            for name in ("alt", "title"):
                if name in attrs:
                    assert attrs2[name] == conv.text("hant", attrs[name])
