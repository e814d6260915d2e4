"""The confidence verdict on fixture pages (tests/fixtures/verdict/, written for these tests):
each page shows one kind of doubt, in the shapes found on real pages, and must be flagged with
that reason; the clean page and the page whose <title> template is empty must not be flagged."""
from __future__ import annotations

from pathlib import Path

import pytest

from generator.importer.pipeline import SiteKnowledge, import_page

FIXTURES = Path(__file__).parent / "fixtures" / "verdict"


def _review(name: str) -> tuple[str, ...]:
    page = import_page((FIXTURES / name).read_bytes(), name=name, url="https://news.example.com/a/1.html",
                       site=SiteKnowledge())
    return page.review


@pytest.mark.parametrize("name", ["clean_article.html", "empty_title_template.html"])
def test_a_clean_page_is_not_flagged(name: str) -> None:
    assert _review(name) == ()


@pytest.mark.parametrize(("name", "reason"), [
    # two article-like containers side by side: which one is the article?
    ("competing_containers.html", "two candidate article containers score alike"),
    # 文｜… has the shape of a byline, but what it names is a desk, not a person
    ("byline_unread.html", "a byline-like line but no author read"),
    # a variant of the headline opens the body
    ("second_headline.html", "the body opens with a second headline"),
    # a video player's label left between paragraphs
    ("latin_widget_line.html", "a line in Latin letters left in the Chinese text"),
    # the first paragraph is glued to a 来源: label and was dropped with it (a date label is
    # taken off and the paragraph kept: importer_kinds/body_date_label_glued_to_lead)
    ("dropped_lead_sentence.html", "a sentence before the text was dropped as page furniture"),
])
def test_a_doubtful_page_is_flagged_with_its_reason(name: str, reason: str) -> None:
    review = _review(name)
    assert any(reason in r for r in review), review


def test_the_visible_byline_wins_over_an_editor_in_the_author_meta() -> None:
    # <meta name=author> holds the editor (责任编辑：孔德明 below the text); the byline names the reporter
    page = import_page((FIXTURES / "meta_author_contradicted.html").read_bytes(), name="p.html",
                       url="https://news.example.com/a/1.html", site=SiteKnowledge())
    assert page.authors == ("史卫燕",) and page.review == ()
