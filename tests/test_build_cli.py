"""The build, check and new subcommands."""
from build_helpers import article, make_site
from generator.cli import main
from generator.core.frontmatter import split_front_matter


def test_build_prints_one_summary_line(tmp_path, capsys):
    config = make_site(tmp_path / "site", {"content/a.md": article("甲", "2025-01-01")})
    assert main(["build", "--site", str(config.root)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("1 articles, ")
    assert "written" in out[0] and "removed" in out[0] and "render" in out[0]
    assert (config.root / "output" / "zh-hant" / "articles" / "a" / "index.html").is_file()


def test_build_base_url_flag(tmp_path):
    config = make_site(tmp_path / "site", {"content/a.md": article("甲", "2025-01-01")})
    out = tmp_path / "out"
    assert main(["build", "--site", str(config.root), "--out", str(out), "--quiet",
                 "--base-url", "https://example.github.io/archive/"]) == 0
    assert 'href="/archive/zh-hans/articles/a/"' in (out / "zh-hant/articles/a/index.html").read_text()


def test_check_writes_no_output_and_finds_broken_links(tmp_path, capsys):
    body = "見[舊文](/zh-hant/articles/gone/)。"
    config = make_site(tmp_path / "site", {"content/a.md": article("甲", "2025-01-01", body=body)})
    assert main(["check", "--site", str(config.root)]) == 1
    captured = capsys.readouterr()
    assert captured.err == ("error: content/a.md:7: link /zh-hant/articles/gone/ leads to no "
                            "page of this site (fix the link, or remove it)\n")
    assert not (config.root / "output").exists()
    (config.root / "content/a.md").write_text(article("甲", "2025-01-01"), encoding="utf-8")
    assert main(["check", "--site", str(config.root)]) == 0


def test_new_writes_a_skeleton_that_builds(tmp_path, capsys):
    config = make_site(tmp_path / "site", {})
    assert main(["new", "格力電器公布業績", "--slug", "gree-results", "--site", str(config.root)]) == 0
    path = capsys.readouterr().out.strip()
    assert path.endswith("-gree-results.md") and "/content/20" in path
    meta, body, _ = split_front_matter(open(path, encoding="utf-8").read(), path)
    assert list(meta)[:5] == ["title", "date", "slug", "script", "draft"]
    assert meta["title"] == "格力電器公布業績" and meta["draft"] is True
    assert main(["build", "--site", str(config.root), "--quiet"]) == 0
    assert main(["new", "格力電器公布業績", "--slug", "gree-results", "--site", str(config.root)]) == 1
    assert main(["new", "標題", "--slug", "格力", "--site", str(config.root)]) == 1


def test_help_for_each_command(capsys):
    for command in ("build", "check", "new"):
        try:
            main([command, "--help"])
        except SystemExit as done:
            assert done.code == 0
        assert "usage: newsarchive " + command in capsys.readouterr().out
