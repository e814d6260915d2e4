"""Would the build accept this article? The importer asks before it writes anything.

The check is the build's own: the size limit and decoding of `generator.io.sources`, then
`generator.core.articles.parse_article` with the site's converter, time zone and base path. An
imported file the build would reject is never written; the page is reported as an error
naming the build's first complaint.
"""
from __future__ import annotations

from collections.abc import Callable

from generator.core import markdown
from generator.core.articles import parse_article
from generator.core.settings import Config
from generator.core.errors import BuildFailed, SiteError
from generator.core.chinese import Converter
from generator.io.sources import MAX_BYTES, decode_source

# (content-relative path, file text) -> None, or SiteError saying why it would not build
ArticleCheck = Callable[[str, str], None]


def article_check(config: Config, converter: Converter) -> ArticleCheck:
    """The build's parser for one site, as a check of a text about to be written."""
    render = markdown.make_renderer()
    try:
        prefix = config.content_dir.relative_to(config.root).as_posix()
    except ValueError:
        prefix = config.content_dir.as_posix()
    fingerprint = config.fingerprint()

    def detect(text: str) -> str:
        return converter.detect_script(text, config.default_script) or config.default_script

    def check(rel: str, text: str) -> None:
        path = f"{prefix}/{rel}" if prefix not in ("", ".") else rel
        data = text.encode("utf-8")
        if len(data) > MAX_BYTES:
            raise _refused(path, f"it would be {len(data):,} bytes, over the build's limit "
                                 f"of {MAX_BYTES:,}")
        try:
            parse_article(decode_source(path, data), converter=converter, render=render,
                          detect=detect, tz=config.timezone, base_path=config.base_path,
                          fingerprint=fingerprint, content_prefix=prefix)
        except BuildFailed as failed:
            first = failed.errors[0] if failed.errors else None
            raise _refused(path, first.message if first else str(failed)) from None
        except SiteError as error:
            raise _refused(path, error.message) from None

    return check


def _refused(path: str, why: str) -> SiteError:
    """One line: the would-be file, the build's reason, and that nothing was written."""
    return SiteError(f"the imported article {path} would not build: {why}",
                     hint="nothing was written for this page")
