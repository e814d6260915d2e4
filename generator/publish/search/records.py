"""Search records: what is indexed and shown for each article (both scripts' text, folded tokens), the fold table for the browser, and the shard plan."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from generator.core import urls
from generator.core.errors import SiteError
from generator.core.model import SCRIPTS, Article, Site
from generator.publish.search.layout import BODY_LIMIT, FORMAT, TITLE_WEIGHT
from generator.publish.search.tokens import index_tokens, plain_text

_LONGEST_PHRASE = 6


class Folder(Protocol):
    """The part of generator.core.chinese.Converter search needs."""

    def fold(self, s: str) -> str: ...


@dataclass(frozen=True)
class SearchRecord:
    """One Pagefind record: an article, searchable in both scripts."""

    # record URL (the article's URL in the written script, relative to base_path)
    url: str
    # folded tokens, space-separated
    content: str
    # date (ISO) and r (the record file: "<shard>/<id>"); Pagefind indexes meta as words, so
    # nothing long goes here
    meta: dict[str, str]
    # tag: tag keys; year: ["2025"]
    filters: dict[str, list[str]]
    # date: ISO date, for filter-only listings newest first
    sort: dict[str, str]
    # the record file: date, date_text and per script {title, url, tags [[name, url]], text}
    view: dict[str, Any]


@dataclass(frozen=True)
class FoldTable:
    """What the browser needs to fold a query exactly as the index was folded."""

    # {character: folded character(s)} for every archive character whose fold differs
    chars: dict[str, str]
    # {phrase: folded phrase} where folding the phrase differs from folding its characters
    phrases: dict[str, str]


@dataclass(frozen=True)
class ArticleText:
    """An article's searchable text: per script, and folded once."""

    # {script: summary and body, as the excerpt is cut from}
    excerpt: dict[str, str]
    # {script: title, tags, summary and body, one per line (the title first)}
    plain: dict[str, str]
    # folder.fold of the written script's `plain`
    folded: str


def article_text(article: Article, folder: Folder) -> ArticleText:
    """Plain texts of both versions and the one fold records and the fold table share."""
    excerpt, plain = {}, {}
    for script in SCRIPTS:
        v = article.versions[script]
        body = plain_text(v.body_html)[:BODY_LIMIT]
        excerpt[script] = "\n".join(p for p in (v.summary, body) if p)
        plain[script] = "\n".join([v.title.replace("\n", " "), *v.tags, excerpt[script]])
    return ArticleText(excerpt, plain, folder.fold(plain[article.script]))


def record_id(slug: str) -> str:
    """The stable name of an article's record file."""
    return hashlib.sha256(slug.encode()).hexdigest()[:12]


def article_record(article: Article, site: Site, text: ArticleText, shard: str = "0") -> SearchRecord:
    """The record of one published article, in shard `shard`."""
    title, _, rest = text.folded.partition("\n")
    title_tokens = index_tokens(title)
    tags = [site.tags[k] for k in article.tag_keys if k in site.tags]
    date = article.date.date().isoformat()
    view: dict[str, Any] = {
        "date": date,
        "date_text": f"{article.date.year}年{article.date.month}月{article.date.day}日"}
    for script in SCRIPTS:
        view[script] = {
            "title": article.versions[script].title,
            "url": urls.article(script, article.slug),
            "tags": [[t.names[script], urls.tag(script, t.segments[script])] for t in tags],
            "text": text.excerpt[script]}
    return SearchRecord(
        url=urls.article(article.script, article.slug),
        content=" ".join(title_tokens * TITLE_WEIGHT + index_tokens(rest)
                         + company_tokens(article, site)),
        meta={"date": date, "r": f"{shard}/{record_id(article.slug)}"},
        filters=_filters(article, site),
        sort={"date": date},
        view=view,
    )


def _filters(article: Article, site: Site) -> dict[str, list[str]]:
    """The search box's filters of one article: its tags, year and (with companies.yml) its
    companies by id."""
    filters = {"tag": list(article.tag_keys), "year": [str(article.date.year)]}
    if site.companies is not None:
        filters["company"] = [cid for cid in article.companies if cid in site.companies.views]
    return filters


def company_tokens(article: Article, site: Site) -> list[str]:
    """Tokens of the article's companies: names, aliases (Simplified, as folded) and tickers
    (HKEX:0020 is found by 0020 and by hkex:0020), so a query for any of them finds it."""
    if site.companies is None:
        return []
    words: list[str] = []
    for cid in article.companies:
        company = site.companies.views[cid].company
        for form in (company.names["hans"], *(hans for _, hans in company.aliases)):
            words += index_tokens(form.lower())
        for ticker in company.tickers:
            words += [ticker.lower(), ticker.partition(":")[2].lower()]
    return words


def company_digests(site: Site, slugs: Sequence[str]) -> list[str]:
    """What the records of `slugs` hold of their companies (for the shard key)."""
    if site.companies is None:
        return []
    views = site.companies.views
    return [views[c].company.digest() for s in slugs for c in site.articles[s].companies]


def record_json(record: SearchRecord) -> str:
    """A record file's text."""
    return json.dumps(record.view, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def search_records(site: Site, texts: dict[str, ArticleText]) -> list[SearchRecord]:
    """Records of every published article, newest first."""
    return [article_record(site.articles[slug], site, texts[slug]) for slug in site.order]


def site_texts(site: Site, folder: Folder) -> dict[str, ArticleText]:
    """{slug: ArticleText} of every published article."""
    return {slug: article_text(site.articles[slug], folder) for slug in site.order}


def fold_table(pairs: Iterable[tuple[str, str]], folder: Folder) -> FoldTable:
    """Character and phrase folds covering every text of (text, its fold) pairs.

    Give both scripts of each article with the same fold: where a script's text is folded
    differently character by character, the phrase responsible is looked up.
    """
    pairs = [(t, f) for t, f in pairs if t]
    chars = sorted(c for c in set("".join(t for t, _ in pairs)) if not c.isascii() and c != "\n")
    folded = folder.fold("\n".join(chars)).split("\n") if chars else []
    if len(folded) != len(chars):
        raise SiteError("search: folding single characters changed the line count",
                        hint="a glossary entry may contain a line break")
    table = {c: f for c, f in zip(chars, folded) if f != c}
    phrases: dict[str, str] = {}
    trans = str.maketrans(table)
    for text, whole in pairs:
        by_char = text.lower().translate(trans)
        if by_char == whole:
            continue
        # compared line by line: NFKC may change a line's length ("…" -> "...")
        for line, line_fold, line_chars in zip(text.split("\n"), whole.split("\n"), by_char.split("\n")):
            if line_fold != line_chars and len(line) == len(line_fold) == len(line_chars):
                phrases.update(_phrase_exceptions(line, line_fold, line_chars, folder, trans))
    return FoldTable(chars=table, phrases=dict(sorted(phrases.items())))


def _phrase_exceptions(text: str, whole: str, by_char: str, folder: Folder,
                       trans: dict[int, str]) -> dict[str, str]:
    """Shortest phrases around each spot where the fold differs from folding character by character."""
    found: dict[str, str] = {}
    for i, (a, b) in enumerate(zip(whole, by_char)):
        if a != b:
            phrase = _phrase_at(text, i, whole, folder, trans)
            if phrase:
                found[phrase[0]] = phrase[1]
    return found


def _phrase_at(text: str, i: int, whole: str, folder: Folder, trans: dict[int, str]
               ) -> tuple[str, str] | None:
    """The shortest window over position i that folds as in the whole text and not per character."""
    for size in range(2, _LONGEST_PHRASE + 1):
        for start in range(max(0, i - size + 1), min(i, len(text) - size) + 1):
            window = text[start:start + size]
            folded = folder.fold(window)
            if folded == whole[start:start + size] and folded != window.lower().translate(trans):
                return window, folded
    return None


def search_data(site: Site, shards: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The browser's data file: the shards (name, key, fold table), tag and company names
    per script."""
    data = {
        "format": FORMAT,
        "shards": list(shards),
        "tags": {k: {s: t.names[s] for s in SCRIPTS} for k, t in sorted(site.tags.items())},
    }
    if site.companies is not None:
        data["companies"] = {cid: dict(view.company.names) for cid, view in
                             sorted(site.companies.views.items()) if view.slugs}
    return data


def plan_shards(site: Site, shard_size: int) -> list[list[str]]:
    """Slugs per shard, newest first: a stable hash of the slug picks one of ceil(n/size) shards."""
    count = max(1, -(-len(site.order) // shard_size))
    shards: list[list[str]] = [[] for _ in range(count)]
    for slug in site.order:
        shards[int(hashlib.sha256(slug.encode()).hexdigest()[:8], 16) % count].append(slug)
    return shards


def shard_key(site: Site, slugs: Sequence[str], base: Sequence[str]) -> str:
    """Digest of everything one shard's index depends on."""
    h = hashlib.sha256()
    for part in [*base, *slugs, *(site.articles[s].digest for s in slugs),
                 *company_digests(site, slugs)]:
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:32]
