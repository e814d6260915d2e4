"""Evaluate the importer on a split corpus (tests/corpus/: MANIFEST.tsv, truth.jsonl, pages/).

The corpus is split by site into a development part ("dev", the pages we look at while
working) and a held-out part (looked at only to measure). Both are imported the way
`newsarchive import` does and scored side by side; failures are listed for the dev part only,
so the held-out pages stay unseen.

Called by tools/eval_importer.py when --corpus names a folder holding truth.jsonl.
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from eval_importer import BOILERPLATE, is_garbled, names, norm, plain_body, review_line, review_thresholds, run_page

from generator.core.errors import SiteError

SPLITS = ("dev", "held-out")
# body start: the labelled first sentence must begin within this many characters of the body
# (a dateline or a photo caption the label leaves out may come first)
START_SLACK = 100
# body end: at most this many characters may follow the labelled last sentence (a short
# credit such as "（完）" or "（記者 王小明）"; a related-links list or a comment box is longer)
END_SLACK = 60
METRICS = ("title", "date", "author", "body start", "body end", "contains", "clean", "category", "tags")
# labelled on a few pages only, and not what the review verdict is about
_NOT_CHECKED = ("category", "tags")
_ALL_WS = re.compile(r"[\s\u3000\xa0\ufeff]+")


def squeeze(text: str | None) -> str:
    """Text with all whitespace removed: spacing between CJK characters carries nothing."""
    return _ALL_WS.sub("", text or "")


def load_corpus(folder: Path, pages: Path) -> tuple[list[dict], list[str]]:
    """Truth records joined with their MANIFEST rows, and the problems found on the way."""
    rows = list(_tsv(folder / "MANIFEST.tsv"))
    manifest = {row["id"]: row for row in rows}
    records, problems = [], []
    for line_no, line in enumerate((folder / "truth.jsonl").read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        record = json.loads(line)
        row = manifest.get(record["id"])
        if row is None:
            problems.append(f"truth.jsonl:{line_no}: {record['id']} is not in MANIFEST.tsv")
            continue
        path = pages / Path(row["file"]).name
        if not path.is_file():
            problems.append(f"{path}: missing (restore it from {row['repository']} {row['path']})")
            continue
        if hashlib.sha256(path.read_bytes()).hexdigest() != row["sha256"]:
            problems.append(f"{path}: sha256 differs from MANIFEST.tsv (the page must be the upstream bytes)")
            continue
        records.append({**record, "_path": path, "_split": row["split"]})
    return records, problems


def _tsv(path: Path):
    """Rows of a tab-separated file with a header line, as dicts."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    for line in lines[1:]:
        if line.strip():
            yield dict(zip(header, line.split("\t")))


def score(record: dict, got) -> dict[str, bool]:
    """Per-metric outcome for one page; a metric the page has no label for is left out."""
    body = squeeze(plain_body(got.body)) if got else ""
    out: dict[str, bool] = {}
    if record.get("title") is not None:
        out["title"] = bool(got) and norm(got.title) == norm(record["title"])
    if record.get("date") is not None:
        out["date"] = bool(got and got.date) and got.date[:10] == record["date"]
    if "author" in record:
        out["author"] = bool(got) and frozenset(got.authors) == names(record["author"])
    if record.get("content_start"):
        want = squeeze(record["content_start"])[:40]
        out["body start"] = want in body[:len(want) + START_SLACK]
    if record.get("content_end"):
        want = squeeze(record["content_end"])[-40:]
        at = body.rfind(want)
        out["body end"] = at >= 0 and len(body) - (at + len(want)) <= END_SLACK
    if record.get("content_contains"):
        out["contains"] = all(squeeze(s) in body for s in record["content_contains"])
    if record.get("content_not_contains"):
        out["clean"] = bool(got) and not any(squeeze(s) in body for s in record["content_not_contains"])
    if record.get("category"):
        out["category"] = bool(got) and norm(got.category) == norm(record["category"])
    if record.get("tags"):
        out["tags"] = bool(got) and set(record["tags"]) <= set(got.tags)
    return out


@dataclass
class SplitTally:
    """Counts for one part of the corpus."""

    pages: int = 0
    sites: set = field(default_factory=set)
    hits: dict = field(default_factory=lambda: {m: [0, 0] for m in METRICS})
    boilerplate: int = 0
    garbled: int = 0
    errors: int = 0
    crashes: int = 0
    # review flags: [flagged, pages] for clean pages (index 0) and pages failing a check (1)
    review: list = field(default_factory=lambda: [[0, 0], [0, 0]])

    def add(self, record: dict, outcome: dict[str, bool], got, error: str | None) -> None:
        self.pages += 1
        self.sites.add(record["site"])
        for metric, ok in outcome.items():
            self.hits[metric][0] += ok
            self.hits[metric][1] += 1
        if error:
            self.errors += 1
            self.crashes += error.startswith("CRASH")
        elif got:
            dirty = any(p.search(got.body) for p in BOILERPLATE.values())
            garbled = bool(is_garbled((got.title or "") + plain_body(got.body)))
            self.boilerplate += dirty
            self.garbled += garbled
            failing = dirty or garbled or any(not ok for m, ok in outcome.items() if m not in _NOT_CHECKED)
            self.review[failing][0] += bool(got.review)
            self.review[failing][1] += 1


def evaluate(folder: Path, pages: Path | None, pipeline, show_failures: bool, thresholds=None) -> int:
    """Score every page of the split corpus and print dev and held-out figures side by side;
    1 when a threshold (eval_importer's --min-*/--max-* options) is not met on the held-out part."""
    records, problems = load_corpus(folder, pages or folder / "pages")
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        return 2
    tallies = {name: SplitTally() for name in (*SPLITS, "all")}
    failures: list[str] = []
    started = time.perf_counter()
    for record in records:
        got, error = _import(record, pipeline)
        outcome = score(record, got)
        for name in (record["_split"], "all"):
            tallies[name].add(record, outcome, got, error)
        if show_failures and record["_split"] == "dev":
            failures += _describe(record, got, outcome, error)
    elapsed = time.perf_counter() - started
    print(format_table(tallies))
    print(f"{len(records)} pages in {elapsed:.1f}s ({'pipeline' if pipeline else 'decode+extract_html'}); "
          f"body start allows {START_SLACK} leading characters, body end {END_SLACK} trailing ones")
    if failures:
        print("\n".join(failures))
    failed = held_out_thresholds(thresholds, tallies["held-out"]) if thresholds is not None else []
    for line in failed:
        print(f"threshold not met (held-out part): {line}", file=sys.stderr)
    return 1 if failed else 0


# eval_importer option -> metric of this table
_THRESHOLD_METRICS = {"title": "title", "date": "date", "author": "author", "body": "body start",
                      "body_end": "body end", "contains": "contains", "clean": "clean"}


def held_out_thresholds(args, tally: SplitTally) -> list[str]:
    """The thresholds the held-out part does not meet: --min-NAME counts pages right,
    --max-NAME counts pages wrong, review thresholds are percentages."""
    failed = []
    for option, metric in _THRESHOLD_METRICS.items():
        limit = getattr(args, f"min_{option}", None)
        if limit is not None and tally.hits[metric][0] < limit:
            failed.append(f"{metric} {tally.hits[metric][0]} < {limit:g}")
    for name in ("boilerplate", "garbled", "errors", "crashes"):
        limit = getattr(args, f"max_{name}", None)
        if limit is not None and getattr(tally, name) > limit:
            failed.append(f"{name} {getattr(tally, name)} > {limit}")
    return failed + review_thresholds(args, tally.review)


def _import(record: dict, pipeline):
    """(Extracted, None) or (None, why): the page imported as `newsarchive import` would."""
    raw = record["_path"].read_bytes()
    try:
        return run_page(raw, {"file": record["file"], "url": record.get("url")}, pipeline), None
    except SiteError as exc:
        return None, f"error: {exc}"
    except Exception as exc:  # noqa: BLE001 - a crash is a finding to count and show, not to hide
        return None, f"CRASH: {type(exc).__name__}: {exc}"


def format_table(tallies: dict[str, SplitTally]) -> str:
    """A Markdown table: one row per metric, one column per part of the corpus."""
    names_ = list(tallies)
    head = "| | " + " | ".join(f"{n} ({t.pages} pages, {len(t.sites)} sites)" for n, t in tallies.items()) + " |"
    lines = [head, "|---" * (len(names_) + 1) + "|"]
    for metric in METRICS:
        cells = [_ratio(tallies[n].hits[metric]) for n in names_]
        lines.append(f"| {metric} | " + " | ".join(cells) + " |")
    for label, attr in (("boilerplate pages", "boilerplate"), ("garbled", "garbled"),
                        ("errors (crashes)", "errors")):
        cells = [f"{getattr(t, attr)}" + (f" ({t.crashes})" if attr == "errors" else "") for t in tallies.values()]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += [f"{name}: {review_line(t.review)}" for name, t in tallies.items()]
    return "\n".join(lines)


def _ratio(pair: list[int]) -> str:
    """'hits/labelled (percent)', or '–' when nothing is labelled."""
    hits, total = pair
    return f"{hits}/{total} ({hits / total:.0%})" if total else "–"


def _describe(record: dict, got, outcome: dict[str, bool], error: str | None) -> list[str]:
    """One line per miss of a development page."""
    tag = f"{record['id']} {record['site']}"
    if error:
        return [f"{tag}: {error}"]
    body = squeeze(plain_body(got.body))
    shown = {
        "title": lambda: f"{got.title!r} != {record['title']!r}",
        "date": lambda: f"{got.date!r} != {record['date']!r}",
        "author": lambda: f"{got.authors!r} != {record['author']!r}",
        "body start": lambda: f"{body[:50]!r} (want {squeeze(record['content_start'])[:30]!r})",
        "body end": lambda: f"{body[-60:]!r} (want {squeeze(record['content_end'])[-30:]!r})",
        "contains": lambda: f"missing {[s for s in record['content_contains'] if squeeze(s) not in body]}",
        "clean": lambda: f"present {[s for s in record['content_not_contains'] if squeeze(s) in body]}",
        "category": lambda: f"{got.category!r} != {record['category']!r}",
        "tags": lambda: f"{got.tags!r} lacks some of {record['tags']!r}",
    }
    return [f"{tag}: {metric}: {shown[metric]()}" for metric, ok in outcome.items() if not ok]
