"""Every page in one script: own-script normalisation, names, the check and its line numbers."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from build_helpers import article, make_site
from generator.build import build
from generator.cli import main
from generator.core.errors import BuildFailed
from generator.publish.script_check import check_scripts
from generator.core.chinese import Converter
from generator.io.converters import open_converter, load_glossary

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "normalisation"
MAKE_CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"


@pytest.fixture(scope="module")
def conv() -> Converter:
    """The sample site's converter (default OpenCC configs + glossary.yml)."""
    return open_converter(glossary=load_glossary(REPO / "glossary.yml"))


def _pairs(script: str) -> list[tuple[str, str]]:
    """(written, expected) of a fixture file; a line without a tab must stay as written."""
    pairs = []
    for line in (FIXTURES / f"{script}.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            written, _, expected = line.partition("\t")
            pairs.append((written, expected or written))
    return pairs


CASES = [(s, w, e) for s in ("hant", "hans") for w, e in _pairs(s)]


@pytest.mark.parametrize("script,written,expected", CASES)
def test_own_script_normalisation(conv: Converter, script: str, written: str, expected: str) -> None:
    assert conv.normalise(script, written) == expected


@pytest.mark.parametrize("script,written,expected", CASES)
def test_normalising_twice_changes_nothing(conv: Converter, script: str, written: str,
                                           expected: str) -> None:
    if "-{" in written:
        pytest.skip("the markers are dropped once; the page-level tests mark the spans again")
    once = conv.normalise(script, written)
    assert conv.normalise(script, once) == once
    # a page converted from the other script is already in its script, too
    other = "hans" if script == "hant" else "hant"
    converted = conv.text(other, written.replace("-{", "").replace("}-", ""))
    assert conv.normalise(other, converted) == converted


def test_fixtures_hold_the_issue_lists() -> None:
    hant = " ".join(w for w, _ in _pairs("hant"))
    hans = " ".join(w for w, _ in _pairs("hans"))
    for residue in ("百余家", "基于", "致力于", "新范式", "精干", "共筑", "伙伴", "依托", "積淀",
                    "象征", "永恒", "沖擊", "台灣", "台積電", "著名", "范先群", "于丹", "余光中", "-{"):
        assert residue in hant
    for word in ("随著", "沿著", "意味著", "标志著", "象征著", "伴随著", "接著", "带著", "有著", "朝著",
                 "围绕著", "本著", "推动著", "承载著", "著名", "著作", "显著", "著称", "-{"):
        assert word in hans


def test_conversion_to_simplified_writes_the_particle(conv: Converter) -> None:
    assert conv.text("hans", "隨著時代，象徵著未來，著名作家") == "随着时代，象征着未来，著名作家"


def test_changes_are_reported_with_their_word(conv: Converter) -> None:
    (done,), (changes,) = conv.normalise_many("hant", ["能夠基于海量，-{基于}-"])
    assert done == "能夠基於海量，基于"
    assert [(c.found, c.suggested) for c in changes] == [("基于", "基於")]


# --------------------------------------------------------------------------- build

def _site(tmp_path: Path, body: str, **settings: object):
    text = article("商湯醫療完成融資", "2025-01-01", script="hant", authors="[陳志明, 余承東]",
                   source="{name: 新聞樣本社, url: 'https://example.com/a'}", body=body)
    return make_site(tmp_path / "site", {"content/2025/a.md": text}, theme_dir=None,
                     glossary=str(REPO / "glossary.yml"), **settings)


def test_build_warns_at_the_line_and_strict_fails(tmp_path: Path) -> None:
    config = _site(tmp_path, "第一段。\n\n能夠基于海量醫學知識。")
    report = build(config, out_dir=tmp_path / "out")
    assert report.warnings == ("content/2025/a.md:12: Simplified 基于 on the Traditional page (基於?)",)
    page = (tmp_path / "out" / "zh-hant" / "articles" / "a" / "index.html").read_text(encoding="utf-8")
    assert "能夠基於海量醫學知識" in page
    with pytest.raises(BuildFailed):
        build(config, out_dir=tmp_path / "out2", strict=True)


def test_names_are_converted_like_text_unless_the_glossary_fixes_them(tmp_path: Path) -> None:
    config = _site(tmp_path, "正文。")
    build(config, out_dir=tmp_path / "out")
    page = (tmp_path / "out" / "zh-hans" / "articles" / "a" / "index.html").read_text(encoding="utf-8")
    assert "陈志明" in page and "新闻样本社" in page and "余承东" in page
    assert "陳志明" not in page and "新聞樣本社" not in page and "餘承東" not in page


def test_convert_names_false_keeps_person_names_as_written(tmp_path: Path) -> None:
    config = _site(tmp_path, "正文。", convert_names=False)
    build(config, out_dir=tmp_path / "out")
    page = (tmp_path / "out" / "zh-hans" / "articles" / "a" / "index.html").read_text(encoding="utf-8")
    assert "陳志明" in page and "新闻样本社" in page


# --------------------------------------------------------------------------- check

def test_check_reports_other_script_characters_at_the_source_line(tmp_path: Path, conv) -> None:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "content" / "x.md").write_text(
        "---\ntitle: 標題\ndate: 2025-01-01\ntags: [a]\n---\n\n第一段。\n\n能夠基于海量，-{致力于}-。\n",
        encoding="utf-8")
    page = tmp_path / "out" / "zh-hant" / "articles" / "x" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<html><body><p>能夠基于海量，致力于。</p>"
                    "<a lang=\"zh-Hans\" href=\"/zh-hans/\">简体中文</a></body></html>", encoding="utf-8")
    assert check_scripts(tmp_path / "out", root / "content", root, conv) == [
        "content/x.md:9: Simplified 基于 on the Traditional page (基於?)"]


@pytest.mark.sample
def test_sample_archive_has_no_other_script_characters_on_any_page(tmp_path: Path, conv, capsys) -> None:
    assert main(["check", "--site", str(REPO)]) == 0
    assert "0 other-script finding(s), 0 warning(s)" in capsys.readouterr().out


@pytest.mark.skipif(not MAKE_CORPUS.is_file(), reason="needs ../shared/bench/make_corpus.py")
def test_generated_archive_is_in_one_script_per_page(tmp_path: Path, conv) -> None:
    out = tmp_path / "gen"
    subprocess.run([sys.executable, str(MAKE_CORPUS), "--n", "200", "--out", str(out),
                    "--flavor", "plain"], check=True, capture_output=True)
    files = {f"content/{p.name}": p.read_text(encoding="utf-8") for p in out.glob("*.md")}
    config = make_site(tmp_path / "site", files, theme_dir=None, glossary=str(REPO / "glossary.yml"))
    report = build(config, out_dir=tmp_path / "built")
    # the generated articles link images that make_corpus does not write: only those warnings
    assert report.articles == 200
    assert [w for w in report.warnings if " is not in the site " not in w] == []
    # converting every page's text to its own script a second time changes nothing
    assert check_scripts(tmp_path / "built", config.content_dir, config.root, conv) == []
