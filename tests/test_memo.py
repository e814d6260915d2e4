"""core.memo.PerArticle: values kept across a preview's builds, recomputed only where an
article changed, and always the values a fresh computation gives."""
from types import SimpleNamespace

from generator.core.memo import PerArticle
from generator.core.model import SiteChanges


def art(path: str, digest: str) -> SimpleNamespace:
    return SimpleNamespace(path=path, slug=path.rsplit("/", 1)[-1], digest=digest)


class Counting:
    """compute(): the article's digest, counting the calls."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, article) -> str:
        self.calls.append(article.path)
        return f"{article.path}={article.digest}"


def fresh(articles) -> list[str]:
    return [f"{a.path}={a.digest}" for a in articles]


def test_each_since_recomputes_only_the_articles_parsed_since_the_last_call():
    memo, compute, log = PerArticle(), Counting(), ["a", "b", "c"]
    corpus = [art("a", "1"), art("b", "1"), art("c", "1")]
    assert memo.each_since(corpus, compute, None, log) == fresh(corpus)
    corpus[1] = art("b", "2")
    log.append("b")
    compute.calls.clear()
    assert memo.each_since(corpus, compute, None, log) == fresh(corpus)
    assert compute.calls == ["b"]
    compute.calls.clear()
    assert memo.each_since(corpus, compute, None, log) == fresh(corpus)
    assert compute.calls == []


def test_each_since_looks_at_all_when_a_file_came_and_another_went():
    memo, compute, log = PerArticle(), Counting(), ["a", "b", "c"]
    corpus = [art("a", "1"), art("b", "1"), art("c", "1")]
    memo.each_since(corpus, compute, None, log)
    corpus = [art("a", "1"), art("bb", "1"), art("c", "1")]  # b renamed to bb: same count
    log.append("bb")
    assert memo.each_since(corpus, compute, None, log) == fresh(corpus)


def test_each_since_starts_again_when_the_context_changes():
    memo, compute, log = PerArticle(), Counting(), ["a"]
    corpus = [art("a", "1")]
    memo.each_since(corpus, compute, frozenset({"x"}), log)
    compute.calls.clear()
    memo.each_since(corpus, compute, frozenset({"y"}), log)
    assert compute.calls == ["a"]


def site(articles, serial, changes=None) -> SimpleNamespace:
    return SimpleNamespace(articles={a.slug: a for a in articles}, serial=serial, changes=changes)


def test_each_in_site_follows_the_chain_of_indexes_and_only_it():
    memo, compute = PerArticle(), Counting()
    first = [art("a", "1"), art("b", "1")]
    assert memo.each_in_site(site(first, 7), compute) == fresh(first)
    second = [art("a", "1"), art("b", "2")]
    compute.calls.clear()
    assert memo.each_in_site(site(second, 8, SiteChanges(since=7, edited=frozenset({"b"}))),
                             compute) == fresh(second)
    assert compute.calls == ["b"]
    # an index relative to one this memo never answered for: everything is looked up again
    third = [art("a", "3"), art("b", "2")]
    compute.calls.clear()
    assert memo.each_in_site(site(third, 10, SiteChanges(since=9, edited=frozenset())),
                             compute) == fresh(third)
    assert compute.calls == ["a"]
