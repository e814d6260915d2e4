"""Frozen values passed between build stages: Source, Article, Site, Page, BuildReport."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

Script = Literal["hant", "hans"]
# Order matters: it is the order of pages, alternates and sitemap entries.
SCRIPTS: tuple[Script, ...] = ("hant", "hans")
LANGS: dict[str, str] = {"hant": "zh-Hant", "hans": "zh-Hans"}
PREFIXES: dict[str, str] = {"hant": "zh-hant", "hans": "zh-hans"}


@dataclass(frozen=True)
class Source:
    """One content file as read from disk."""

    # path relative to the site root, POSIX separators ("content/2025/x.md")
    path: str
    # decoded UTF-8 text (BOM removed)
    text: str
    # sha256 hex of the raw bytes; the cache key of everything parsed from it
    digest: str


@dataclass(frozen=True, slots=True)
class Figure:
    """An article figure; `src` None means a caption-only figure."""

    caption: str
    src: str | None = None
    alt: str | None = None
    credit: str | None = None


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where an article was first published."""

    name: str | None
    url: str | None
    published: datetime | None
    # the rest of the `source:` mapping (imported, sha256, original_title ...)
    extra: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Syndication:
    """Another place the same story ran."""

    name: str | None
    url: str | None
    date: datetime | None


@dataclass(frozen=True, slots=True)
class Version:
    """An article's text in one script (converted at build time)."""

    title: str
    summary: str
    # tag display names, same order as Article.tag_keys
    tags: tuple[str, ...]
    category: str | None
    # body HTML with figures placed
    body_html: str
    # authors and the source's name in this script (converted like text unless
    # convert_names is off in site.yml, then authors as written)
    authors: tuple[str, ...] = ()
    source_name: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """One parsed article with its text in both scripts."""

    # path of the source file relative to the site root (for error messages)
    path: str
    # ASCII URL segment, stable across title edits
    slug: str
    date: datetime
    updated: datetime | None
    # script the curator wrote in ("hant" | "hans"), declared or detected
    script: str
    draft: bool
    # tag identities (converter.fold of each name), order as written, unique
    tag_keys: tuple[str, ...]
    category_key: str | None
    authors: tuple[str, ...]
    source: SourceInfo | None
    syndicated: tuple[Syndication, ...]
    figures: tuple[Figure, ...]
    # unknown front-matter keys, kept for templates
    extra: tuple[tuple[str, Any], ...]
    # plain text (title, summary, body), folded (converter.fold), for related articles
    text: str
    # {script: Version}
    versions: dict[str, Version]
    # sha256 of the source file's bytes (the parse cache key, with the path)
    source_digest: str
    # digest of everything above; page keys depend on it
    digest: str
    # non-fatal findings ("path:line: message"), counted in the build summary
    warnings: tuple[str, ...] = ()
    # generator.core.related.text_features(text), computed in the parse workers and cached
    terms: dict[str, float] | None = None
    # line of `slug:` in the file (1 when the URL name is the file name), for messages
    slug_line: int = 1
    # (line in the file, "a" | "img", URL as written, as rendered) of every Markdown link and
    # image inside the site (site paths and relative ones; an image beside the article is
    # rendered as its /media/ path)
    links: tuple[tuple[int, str, str, str], ...] = ()
    # company ids from `companies:` (companies.yml), order as written; and that key's line
    companies: tuple[str, ...] = ()
    companies_line: int = 1


@dataclass(frozen=True, slots=True)
class Term:
    """A tag or a category: one identity, a display name and URL segment per script."""

    key: str
    # {script: display name}
    names: dict[str, str]
    # {script: URL path segment (unescaped; urls.segment() percent-encodes)}
    segments: dict[str, str]
    # slugs of its published articles, newest first
    slugs: tuple[str, ...]


@dataclass(frozen=True)
class Site:
    """The indexed corpus: everything pages need, by key."""

    # published articles by slug
    articles: dict[str, Article]
    # slugs newest first (date, then slug, as tie-break)
    order: tuple[str, ...]
    tags: dict[str, Term]
    categories: dict[str, Term]
    # {(year, month): slugs newest first}
    months: dict[tuple[int, int], tuple[str, ...]]
    # {slug: related slugs}
    related: dict[str, tuple[str, ...]]
    # {slug: (previous (older) slug | None, next (newer) slug | None)}
    neighbours: dict[str, tuple[str | None, str | None]]
    # the company index (generator.core.company_index.CompanyIndex), set by the build's
    # companies stage; None for a site without companies.yml
    companies: Any = None
    # {'/media/…' URL: generator.core.images.ImageSet} of the images beside articles
    images: dict[str, Any] = field(default_factory=dict)
    # which index this is (unique in the process: generator.core.corpus numbers them)
    serial: int = 0
    # what changed since index number `changes.since` (None: indexed afresh)
    changes: SiteChanges | None = None


@dataclass(frozen=True)
class SiteChanges:
    """build_site's answer to `previous`: what changed since that index (values, compared by
    digest, never by object identity)."""

    # serial of the index these changes are relative to
    since: int
    # published articles whose digest changed; order, terms and months are the previous ones
    edited: frozenset[str]
    # articles whose related list is not the previous one's (None: not known, compare them)
    related_moved: frozenset[str] | None = None


class PageKind(StrEnum):
    """What a planned page is; its template (HTML pages) and whether it lists articles.

    A StrEnum: a kind equals its name as a string ("article"), in keys and in templates.
    """

    ARTICLE = "article"
    HOME = "home"
    TAG = "tag"
    CATEGORY = "category"
    YEAR = "year"
    MONTH = "month"
    TAGS = "tags"
    CATEGORIES = "categories"
    ARCHIVE = "archive"
    NOTFOUND = "notfound"
    ROOT = "root"
    FEED = "feed"
    SITEMAP = "sitemap"
    ROBOTS = "robots"
    NOJEKYLL = "nojekyll"
    CNAME = "cname"
    STATIC = "static"
    COMPANIES = "companies"
    COMPANY = "company"
    COMPANY_FEED = "company_feed"

    @property
    def template(self) -> str:
        """The theme template of an HTML page; "" for files made without one."""
        return _TEMPLATES.get(self, "")

    @property
    def is_list(self) -> bool:
        """Whether the page is one of a paginated list of articles."""
        return self in _LIST_KINDS


_LIST_KINDS = frozenset({PageKind.HOME, PageKind.TAG, PageKind.CATEGORY, PageKind.YEAR,
                         PageKind.MONTH})
_TEMPLATES = {**{k: "list.html" for k in _LIST_KINDS}, PageKind.ARTICLE: "article.html",
              PageKind.TAGS: "tags.html", PageKind.CATEGORIES: "categories.html",
              PageKind.ARCHIVE: "archive.html", PageKind.NOTFOUND: "404.html",
              PageKind.ROOT: "root.html", PageKind.COMPANIES: "companies.html",
              PageKind.COMPANY: "company.html"}


@dataclass(frozen=True, slots=True)
class Page:
    """One file to produce: where, with which template, from which inputs."""

    # file path relative to the output directory ("zh-hant/articles/x/index.html")
    path: str
    kind: PageKind
    script: str | None
    # template name for HTML pages, else ""
    template: str
    # parameters the context builder needs (slug, term key, page number ...)
    params: tuple[Any, ...]
    # digest of exactly what the page shows; unchanged key => unchanged bytes
    key: str


@dataclass(frozen=True)
class BuildReport:
    """What a build did."""

    articles: int
    drafts: int
    pages: int
    rendered: int
    written: int
    unchanged: int
    removed: int
    warnings: tuple[str, ...]
    # {stage: seconds}
    seconds: dict[str, float]
    # output paths (relative to out_dir) written by this build
    written_paths: tuple[str, ...] = ()
    # output paths (relative to out_dir) of the pages this build rendered
    rendered_paths: tuple[str, ...] = ()
    out_dir: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        """One summary line."""
        stages = " ".join(f"{k} {v:.2f}s" for k, v in self.seconds.items())
        total = sum(self.seconds.values())
        warn = f", {len(self.warnings)} warning(s)" if self.warnings else ""
        return (f"{self.articles} articles, {self.pages} pages: {self.written} written, "
                f"{self.unchanged} unchanged, {self.removed} removed{warn} "
                f"in {total:.2f}s ({stages})")
