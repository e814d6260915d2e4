"""`newsarchive new "標題"`: a new article file with a filled-in front-matter skeleton."""
from __future__ import annotations

import argparse
import re
from datetime import datetime

from generator.commands import add_site_option
from generator.io.config import load_config
from generator.core.errors import SiteError
from generator.core.frontmatter import dump_front_matter
from generator.core.urls import valid_slug

BODY = "寫下導語。\n\n## 小標題\n\n正文。\n"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `new`."""
    parser = subparsers.add_parser(
        "new", help="create a new article file",
        description="Create content/YYYY/YYYY-MM-DD-SLUG.md with a front-matter skeleton "
                    "(title, date, slug, script, tags, category, summary, draft: true).")
    parser.add_argument("title", help="the article title, e.g. 格力電器公布三季度業績")
    parser.add_argument("--slug", help="ASCII URL name (default: from ASCII words of the title, "
                                       "else article-HHMMSS)")
    parser.add_argument("--script", choices=("hant", "hans"),
                        help="script the article is written in (default: site default)")
    add_site_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the file and print its path; refuse to overwrite."""
    config = load_config(args.site)
    now = datetime.now(config.timezone).replace(microsecond=0)
    slug = args.slug or default_slug(args.title, now)
    if not valid_slug(slug):
        raise SiteError(f"--slug {slug!r} is not ASCII letters, digits, '-', '_' or '.'",
                        hint="for example --slug gree-q3-results")
    path = config.content_dir / f"{now:%Y}" / f"{now:%Y-%m-%d}-{slug}.md"
    if path.exists():
        raise SiteError("already exists", path, hint="choose another --slug")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(skeleton(args.title, now, slug, args.script or config.default_script),
                    encoding="utf-8")
    print(path)
    return 0


def skeleton(title: str, now: datetime, slug: str, script: str) -> str:
    """The new file's text."""
    meta = {"title": title, "date": now, "slug": slug, "script": script, "draft": True,
            "tags": [], "category": "", "summary": ""}
    return dump_front_matter(meta, BODY)


def default_slug(title: str, now: datetime) -> str:
    """ASCII words of the title joined by '-', else article-HHMMSS."""
    words = re.findall(r"[A-Za-z0-9]+", title)
    return "-".join(w.lower() for w in words)[:60].strip("-") or f"article-{now:%H%M%S}"
