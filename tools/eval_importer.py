"""Evaluate the importer on the real-page corpus (../shared/corpus/real) against expected.jsonl.

Prints, for the ground-truth subset (hand-labelled and test-assertion records) and for all
pages: title exact, date exact, author exact, body start, expected snippets, pages still
holding boilerplate, garbled pages, errors and pages per second. Thresholds (--min-title
...) make it a regression check for CI: exit 1 when a figure falls below its threshold.

Expectations known to be wrong are listed in tools/eval_expectations.md (a Markdown table);
both the raw figure and the figure with those corrections are printed, and thresholds apply
to the corrected figure.

Usage: python tools/eval_importer.py [--corpus DIR] [--show-failures] [--min-title N ...]

With --corpus tests/corpus (a folder holding truth.jsonl and MANIFEST.tsv) it scores the split
corpus instead: development and held-out figures side by side (tools/eval_split.py); --pages DIR
says where that corpus's page files are when they are not in its pages/ folder. There the
thresholds apply to the held-out part: --min-title/-date/-author/-body (body start)/-body-end/
-contains/-clean count its pages right, --max-boilerplate/-garbled/-errors/-crashes its pages
wrong.

--min-review-recall P and --max-review-false P (percent) check the confidence verdict: the share
of pages failing any check that are flagged for review, and the share of clean pages flagged
(all pages with corrected expectations here; the held-out part of a split corpus).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from generator.core.errors import SiteError  # noqa: E402
from generator.importer.decode import decode  # noqa: E402
from generator.importer.html.extract import extract_html  # noqa: E402
from generator.importer.model import Extracted  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "real"
EXPECTATIONS = Path(__file__).with_name("eval_expectations.md")

_WS = re.compile(r"[\s\u3000\xa0\ufeff]+")
BOILERPLATE = {
    "editor-line": re.compile(r"(责任编辑|責任編輯|责编|責編)\s*[:：]"),
    "share-bar": re.compile(r"分享到|分享至|转播到|轉播到|微信扫一扫|按讚加入|一键分享"),
    "comment-widget": re.compile(r"条评论|網友評論|网友评论|发表评论|我要评论|我要評論|跟贴\d|\d\s*人参与\s*$|参与讨论|文明上网|查看评论", re.M),
    "disclaimer": re.compile(r"版权所有|版權所有|免责声明|免責聲明|未经授权|未經授權|不得转载|不得轉載|All Rights Reserved|投资需谨慎"),
    "related-links": re.compile(r"相关新闻|相關新聞|相关阅读|相關閱讀|相关文章|相關文章|延伸閱讀|延伸阅读|推荐阅读|推薦閱讀|猜你喜欢|热门推荐|看更多|閱讀更多"),
    "original-title": re.compile(r"[（(]\s*原标题\s*[:：]"),
    "app-promotion": re.compile(r"扫描.{0,8}二维码|扫一扫|掃描.{0,8}二維碼|下载.{0,6}客户端|下載.{0,6}APP|长按识别|長按識別"),
    "prev-next": re.compile(r"^[【\[]?(上一篇|下一篇|上一頁|下一頁|上一页|下一页)", re.M),
    "view-counter": re.compile(r"(点击|點擊|阅读|閱讀|浏览|瀏覽)\s*[:：]\s*\d+|\d+\s*人(已)?(围观|圍觀)"),
}
_LATIN1_RUN = re.compile(r"[\u00c0-\u00ff][\u0080-\u00ff]{2,}")
_PUA = re.compile(r"[\ue000-\uf8ff]")


def norm(text: str | None) -> str:
    """Whitespace-normalised text (MANIFEST: strip, collapse every run to one space)."""
    return _WS.sub(" ", text or "").strip()


def plain_body(markdown: str) -> str:
    """The Markdown body as plain text: syntax removed, paragraphs joined with spaces."""
    text = re.sub(r"\{\{figure \d+\}\}", " ", markdown)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"^\s*(#+|>|-|\d+\.)\s+", "", text, flags=re.M)
    text = re.sub(r"^\|?\s*(---\s*\|)+\s*$", " ", text, flags=re.M)
    text = text.replace("|", " ").replace("\\", "")
    return norm(text)


def names(value: str | None) -> frozenset[str]:
    """A set of author names from a space/、/comma-separated list."""
    return frozenset(n for n in re.split(r"[\s、,，/／]+", value or "") if n)


def is_garbled(text: str) -> str | None:
    """Why a text looks like mojibake, or None."""
    if "\ufffd" in text:
        return "replacement characters"
    if _LATIN1_RUN.search(text):
        return "latin-1 runs"
    # a few private-use characters are a publisher's own glyphs decoded faithfully (the ICA
    # gold for e3f3b532 keeps U+E004); many of them mean a GBK text read out of step
    if len(_PUA.findall(text)) > max(3, len(text) // 100):
        return "private-use characters"
    cjk = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if len(cjk) >= 50:
        rare = sum(1 for c in cjk if not _common(c))
        if rare / len(cjk) > 0.05:
            return f"rare CJK density {rare / len(cjk):.0%}"
    return None


def _common(char: str) -> bool:
    """True for characters in GBK or Big5, the repertoires Chinese news is written in."""
    for codec in ("gbk", "big5"):
        try:
            char.encode(codec)
            return True
        except UnicodeEncodeError:
            continue
    return False


@dataclass
class Tally:
    """Counts for one subset."""

    pages: int = 0
    title: list[int] = field(default_factory=lambda: [0, 0])
    date: list[int] = field(default_factory=lambda: [0, 0])
    time: list[int] = field(default_factory=lambda: [0, 0])
    author: list[int] = field(default_factory=lambda: [0, 0])
    no_author: list[int] = field(default_factory=lambda: [0, 0])
    body: list[int] = field(default_factory=lambda: [0, 0])
    snippets: list[int] = field(default_factory=lambda: [0, 0])
    boilerplate: int = 0
    garbled: int = 0
    errors: int = 0
    crashes: int = 0
    # review flags: [flagged, pages] for clean pages (index 0) and pages failing a check (1)
    review: list[list[int]] = field(default_factory=lambda: [[0, 0], [0, 0]])


# the checks whose failure the importer's review verdict should catch
_CHECKED = ("title", "date", "author", "no_author", "body", "snippets")


def review_line(review: list[list[int]]) -> str:
    """Review-flag recall (failing pages flagged) and false-flag rate (clean pages flagged)."""
    def share(pair: list[int]) -> str:
        return f"{pair[0]}/{pair[1]} ({pair[0] / pair[1]:.0%})" if pair[1] else "–"
    return f"review flags: failing pages flagged {share(review[1])} (target >= 80%), " \
           f"clean pages flagged {share(review[0])} (target <= 10%)"


def load_corrections(path: Path) -> dict[tuple[str, str], str]:
    """(file, field) -> corrected expectation, from the Markdown table in eval_expectations.md."""
    corrections: dict[tuple[str, str], str] = {}
    if not path.exists():
        return corrections
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[0].startswith("`") and cells[1].startswith("`"):
            value = cells[2].strip("`")
            corrections[(cells[0].strip("`"), cells[1].strip("`"))] = "" if value == "(none)" else value
    return corrections


def run_page(raw: bytes, record: dict, pipeline) -> Extracted:
    """Import one page the way `newsarchive import` does (pipeline when present)."""
    url = record.get("url")
    if pipeline is not None:
        return pipeline.import_page(raw, name=record["file"], url=url, site=pipeline.SiteKnowledge())
    return extract_html(decode(raw).text, url=url)


def _load_pipeline():
    """The other importer stages, when they exist (repair, finish)."""
    try:
        from generator.importer import pipeline
    except ImportError:
        return None
    return pipeline if hasattr(pipeline, "import_page") else None


def corrected_record(record: dict, corrections: dict[tuple[str, str], str]) -> dict:
    """The record with the fields listed in eval_expectations.md replaced."""
    fixed = dict(record)
    for (file, field_name), value in corrections.items():
        if file == record["file"]:
            fixed[field_name] = value or None
    return fixed


def check(record: dict, got: Extracted | None) -> dict:
    """Per-field outcome for one page: True/False, or None when there is no expectation."""
    out: dict = {}
    body = plain_body(got.body) if got else ""
    title = record.get("title")
    if title is not None:
        mine = norm(got.title if got else "")
        substring = "title substring" in record["expected_kind"]
        out["title"] = (norm(title) in mine) if substring else (mine == norm(title))
    date = record.get("date")
    if date is not None:
        out["date"] = bool(got and got.date and got.date[:10] == date)
        if record.get("time"):
            out["time"] = bool(got and got.date and got.date[11:16] == record["time"][:5])
    author = record.get("author")
    if author is not None:
        out["author"] = bool(got) and frozenset(got.authors) == names(author)
    elif record["expected_kind"].startswith(("test-assertion", "hand-labelled")) and "title only" not in record["expected_kind"]:
        out["no_author"] = bool(got) and not got.authors
    start = record.get("content_start")
    if start is not None:
        # whitespace between CJK characters carries nothing: compare with all whitespace removed
        want = _WS.sub("", norm(start)[:40])
        out["body"] = _WS.sub("", body)[:len(want)] == want
    snippets = record.get("content_contains") or []
    forbidden = record.get("content_not_contains") or []
    if snippets or forbidden:
        out["snippets"] = all(norm(s) in body for s in snippets) and not any(norm(s) in body for s in forbidden)
    out["boilerplate"] = [k for k, p in BOILERPLATE.items() if got and p.search(got.body)]
    out["garbled"] = is_garbled((got.title or "") + body) if got else None
    out["_body"] = body
    out["_review"] = tuple(getattr(got, "review", ()) or ()) if got else ()
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation; exit 1 when a threshold is not met."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--show-failures", action="store_true")
    ap.add_argument("--raw", action="store_true", help="decode + extract only, without the pipeline")
    ap.add_argument("--pages", type=Path, default=None, help="page files of a split corpus (default: CORPUS/pages)")
    for name in ("title", "date", "author", "body", "snippets", "speed"):
        ap.add_argument(f"--min-{name}", type=float, default=None)
    for name in ("boilerplate", "garbled", "errors", "crashes"):
        ap.add_argument(f"--max-{name}", type=int, default=None)
    # split corpus only (--corpus tests/corpus): thresholds on its held-out part
    for name in ("body-end", "contains", "clean"):
        ap.add_argument(f"--min-{name}", type=float, default=None)
    ap.add_argument("--min-review-recall", type=float, default=None,
                    help="percent of the pages failing a check that the verdict flags (all pages, corrected; "
                         "the held-out part of a split corpus)")
    ap.add_argument("--max-review-false", type=float, default=None,
                    help="percent of the clean pages the verdict flags (same pages)")
    args = ap.parse_args(argv)
    if (args.corpus / "truth.jsonl").is_file():
        # imported here, not at the top: eval_split itself imports this module's checks
        from eval_split import evaluate
        return evaluate(args.corpus, args.pages, None if args.raw else _load_pipeline(), args.show_failures,
                        thresholds=args)
    if not (args.corpus / "expected.jsonl").is_file():
        print(f"no corpus at {args.corpus} (expected.jsonl missing): pass --corpus DIR", file=sys.stderr)
        return 2
    records = [json.loads(line) for line in (args.corpus / "expected.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    corrected = load_corrections(EXPECTATIONS)
    pipeline = None if args.raw else _load_pipeline()
    tallies = {"ground truth": Tally(), "all pages": Tally()}
    given = {"ground truth": Tally(), "all pages": Tally()}
    failures: list[str] = []
    elapsed = cpu = 0.0
    for record in records:
        raw = (args.corpus / record["file"]).read_bytes()
        got, error = None, None
        start, cpu_start = time.perf_counter(), time.process_time()
        try:
            got = run_page(raw, record, pipeline)
        except SiteError as exc:
            error = f"error: {exc}"
        except Exception as exc:  # noqa: BLE001 - a crash is a finding to count and show, not to hide
            error = f"CRASH: {type(exc).__name__}: {exc}"
        elapsed += time.perf_counter() - start
        cpu += time.process_time() - cpu_start
        fixed = corrected_record(record, corrected)
        outcome = check(fixed, got) if got else {}
        raw_outcome = check(record, got) if got else {}
        kind = record["expected_kind"]
        ground = kind.startswith(("hand-labelled", "test-assertion"))
        for name in tallies:
            if name == "ground truth" and not ground:
                continue
            _count(tallies[name], fixed, outcome, error)
            _count(given[name], record, raw_outcome, error)
        if args.show_failures:
            failures += _describe_failures(fixed, got, outcome, error, ground)
    pages_per_second = len(records) / elapsed if elapsed else 0.0
    for name, tally in tallies.items():
        _print(f"{name}, expectations as given", given[name])
        _print(f"{name}, corrected (tools/eval_expectations.md)", tally)
    # CPU time too: on a shared machine the wall clock measures the neighbours as well
    print(f"speed: {pages_per_second:.1f} pages/s wall clock, {len(records) / cpu if cpu else 0:.1f} pages per CPU second "
          f"({len(records)} pages in {elapsed:.2f}s, "
          f"{'pipeline' if pipeline else 'decode+extract_html'}; {len(corrected)} corrected expectations)")
    if args.show_failures:
        print("\n".join(failures))
    return _thresholds(args, tallies["ground truth"], tallies["all pages"], pages_per_second)


def review_shares(review: list[list[int]]) -> tuple[float, float]:
    """(recall, false-flag rate) in percent: failing pages flagged, clean pages flagged."""
    def pct(pair: list[int]) -> float:
        return 100.0 * pair[0] / pair[1] if pair[1] else 0.0
    return pct(review[1]), pct(review[0])


def review_thresholds(args: argparse.Namespace, review: list[list[int]]) -> list[str]:
    """The --min-review-recall / --max-review-false thresholds not met."""
    recall, false = review_shares(review)
    failed = []
    if args.min_review_recall is not None and recall < args.min_review_recall:
        failed.append(f"review recall {recall:.0f}% < {args.min_review_recall:g}%")
    if args.max_review_false is not None and false > args.max_review_false:
        failed.append(f"review false flags {false:.0f}% > {args.max_review_false:g}%")
    return failed


def _count(tally: Tally, record: dict, outcome: dict, error: str | None) -> None:
    """Add one page's outcome to a tally."""
    tally.pages += 1
    if error:
        tally.errors += 1
        tally.crashes += error.startswith("CRASH")
    for key in ("title", "date", "time", "author", "no_author", "body", "snippets"):
        has = key in outcome
        expected_here = _has_expectation(record, key)
        if expected_here:
            getattr(tally, key)[1] += 1
            getattr(tally, key)[0] += bool(has and outcome[key])
    tally.boilerplate += bool(outcome.get("boilerplate"))
    tally.garbled += bool(outcome.get("garbled"))
    if outcome:
        failing = any(outcome.get(k) is False for k in _CHECKED) or bool(outcome["boilerplate"] or outcome["garbled"])
        tally.review[failing][0] += bool(outcome["_review"])
        tally.review[failing][1] += 1


def _has_expectation(record: dict, key: str) -> bool:
    """Whether a record has an expectation for a field (so errors count as misses)."""
    ground = record["expected_kind"].startswith(("hand-labelled", "test-assertion"))
    return {
        "title": record.get("title") is not None,
        "date": record.get("date") is not None,
        "time": record.get("date") is not None and bool(record.get("time")),
        "author": record.get("author") is not None,
        "no_author": record.get("author") is None and ground and "title only" not in record["expected_kind"],
        "body": record.get("content_start") is not None,
        "snippets": bool(record.get("content_contains") or record.get("content_not_contains")),
    }[key]


def _print(name: str, t: Tally) -> None:
    """One block of figures."""
    def f(pair: list[int]) -> str:
        return f"{pair[0]}/{pair[1]}"
    print(f"== {name} ({t.pages} pages)")
    print(f"  title exact {f(t.title)}   date exact {f(t.date)} (time too {f(t.time)})   "
          f"author exact {f(t.author)} (no author when none expected {f(t.no_author)})")
    print(f"  body start {f(t.body)}   snippets {f(t.snippets)}   boilerplate pages {t.boilerplate}/{t.pages}   "
          f"garbled {t.garbled}   errors {t.errors} (crashes {t.crashes})")
    print(f"  {review_line(t.review)}")


def _describe_failures(record: dict, got: Extracted | None, outcome: dict, error: str | None,
                       ground: bool) -> list[str]:
    """Lines describing each miss of one page."""
    tag = ("GT " if ground else "   ") + record["file"]
    if error:
        return [f"{tag}: {error}"]
    lines = []
    if outcome.get("title") is False:
        lines.append(f"{tag}: title {got.title!r} != {record['title']!r}")
    if outcome.get("date") is False or outcome.get("time") is False:
        lines.append(f"{tag}: date {got.date!r} != {record['date']} {record.get('time')} ({got.details.get('date_from')})")
    if outcome.get("author") is False or outcome.get("no_author") is False:
        lines.append(f"{tag}: authors {got.authors!r} != {record['author']!r}")
    if outcome.get("body") is False:
        lines.append(f"{tag}: body starts {outcome['_body'][:40]!r}\n{' ' * len(tag)}  expected {norm(record['content_start'])[:40]!r}")
    if outcome.get("snippets") is False:
        lines.append(f"{tag}: snippets missing/forbidden present: {record.get('content_contains')} {record.get('content_not_contains')}")
    if outcome.get("boilerplate"):
        body = got.body
        hits = [f"{k}: …{body[max(0, m.start() - 20):m.end() + 20]!r}" for k in outcome["boilerplate"]
                for m in [BOILERPLATE[k].search(body)]]
        lines.append(f"{tag}: boilerplate {'; '.join(hits)}")
    if outcome.get("garbled"):
        lines.append(f"{tag}: garbled ({outcome['garbled']})")
    if outcome.get("_review"):
        lines.append(f"{tag}: flagged for review: {'; '.join(outcome['_review'])}")
    return lines


def _thresholds(args: argparse.Namespace, ground: Tally, every: Tally, speed: float) -> int:
    """Exit status: 1 when a --min/--max threshold is not met (ground-truth subset)."""
    failed = []
    for name in ("title", "date", "author", "body", "snippets"):
        limit = getattr(args, f"min_{name}")
        if limit is not None and getattr(ground, name)[0] < limit:
            failed.append(f"{name} {getattr(ground, name)[0]} < {limit:g}")
    for name in ("boilerplate", "garbled", "errors", "crashes"):
        limit = getattr(args, f"max_{name}")
        if limit is not None and getattr(every, name) > limit:
            failed.append(f"{name} {getattr(every, name)} > {limit}")
    if args.min_speed is not None and speed < args.min_speed:
        failed.append(f"speed {speed:.1f} < {args.min_speed:g} pages/s")
    failed += review_thresholds(args, every.review)
    for line in failed:
        print(f"threshold not met: {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
