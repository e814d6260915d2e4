"""Inline sites for build tests: a dict of files written under tmp_path, plus a Config."""
from __future__ import annotations

from pathlib import Path

import yaml

from generator.core.settings import Config
from generator.io.config import load_config

THEME_MIN = Path(__file__).resolve().parent / "fixtures" / "theme_min"


def article(title: str, date: str, tags: str = "[騰訊]", body: str = "正文。", **extra: str) -> str:
    """A small article file (extra keys are written as given, YAML-ready)."""
    lines = ["---", f"title: {title}", f"date: {date}", f"tags: {tags}"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "\n".join(lines + ["---", "", body, ""])


def make_site(root: Path, files: dict[str, str], **settings: object) -> Config:
    """Write site.yml (minimal theme, no search) and the files; return the loaded Config."""
    base = {"title": "新聞典藏", "description": "測試", "base_url": "https://example.org/",
            "theme_dir": str(THEME_MIN), "search": False, "per_page": 2}
    base.update(settings)
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.yml").write_text(yaml.safe_dump(base, allow_unicode=True), encoding="utf-8")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return load_config(root, env={})


def snapshot(folder: Path) -> dict[str, bytes]:
    """{relative path: bytes} of every file under folder."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}
