"""tools/eval_importer.py thresholds: the held-out part of a split corpus and the review-flag
recall / false-flag rate (CI's regression guards in .ci/run)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

from eval_importer import review_shares, review_thresholds  # noqa: E402
from eval_split import SplitTally, held_out_thresholds  # noqa: E402


def _args(**given) -> argparse.Namespace:
    names = ("min_title", "min_date", "min_author", "min_body", "min_body_end", "min_contains", "min_clean",
             "max_boilerplate", "max_garbled", "max_errors", "max_crashes", "min_review_recall", "max_review_false")
    return argparse.Namespace(**{name: given.get(name) for name in names})


def test_review_shares_are_failing_pages_flagged_and_clean_pages_flagged() -> None:
    # [flagged, pages] for clean pages, then for failing pages
    assert review_shares([[1, 10], [3, 4]]) == (75.0, 10.0)
    assert review_shares([[0, 0], [0, 0]]) == (0.0, 0.0)


def test_review_thresholds_fail_below_the_recall_and_above_the_false_rate() -> None:
    review = [[2, 10], [3, 5]]  # 60 % recall, 20 % false flags
    assert review_thresholds(_args(min_review_recall=60, max_review_false=20), review) == []
    failed = review_thresholds(_args(min_review_recall=61, max_review_false=19), review)
    assert failed == ["review recall 60% < 61%", "review false flags 20% > 19%"]


def test_held_out_thresholds_count_pages_right_and_pages_wrong() -> None:
    tally = SplitTally()
    tally.hits["title"] = [24, 25]
    tally.hits["body end"] = [21, 25]
    tally.boilerplate = 1
    tally.review = [[0, 9], [3, 15]]
    assert held_out_thresholds(_args(min_title=24, min_body_end=21, max_boilerplate=1, min_review_recall=20), tally) == []
    failed = held_out_thresholds(_args(min_title=25, min_body_end=22, max_boilerplate=0, max_review_false=0,
                                       min_review_recall=21), tally)
    assert failed == ["title 24 < 25", "body end 21 < 22", "boilerplate 1 > 0", "review recall 20% < 21%"]
