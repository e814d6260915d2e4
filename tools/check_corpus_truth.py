"""Check tests/corpus: every page is the upstream bytes, every label is on the page.

For each MANIFEST.tsv row: the page file exists, its sha256 and size are the recorded ones, its
id is the sha256's first 12 hex digits and its split follows the site-hash rule (first byte of
sha256(site) even = dev). For each truth.jsonl record: every labelled string (title, first and
last sentence, snippets the body must and must not contain, author names, category, tags)
occurs in the page's visible text, and the labelled date (and time) is written there in some
usual form. Hand labels are read off the page; this makes sure none was mistyped or taken from
anywhere but the page itself.

The page is decoded the way the corpus README says the candidates were (declared charset, then
UTF-8, GB18030, Big5), on its own, not with the importer, so a label never depends on what the
importer makes of the page. Whitespace is ignored in the comparison (spacing between CJK
characters carries nothing).

Usage: python tools/check_corpus_truth.py [--corpus tests/corpus]
Prints one `path:line: what (hint)` line per problem and exits 1 when there is any.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

import lxml.html

REPO = Path(__file__).resolve().parent.parent
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.I)
_ALL_WS = re.compile(r"[\s\u3000\xa0\ufeff\u200b]+")
_INVISIBLE = "//script|//style|//noscript|//template"
_TEXT_FIELDS = ("title", "content_start", "content_end", "category")
_LIST_FIELDS = ("content_contains", "content_not_contains", "tags")


def squeeze(text: str | None) -> str:
    """Text with all whitespace removed."""
    return _ALL_WS.sub("", text or "")


def decode_page(raw: bytes) -> str:
    """The page as text: its declared charset, else UTF-8, GB18030, Big5."""
    found = _CHARSET.search(raw[:4096])
    declared = found.group(1).decode("ascii", "replace").lower() if found else ""
    if declared in ("gb2312", "gbk", "x-gbk"):
        declared = "gb18030"  # the superset: pages declared GB2312 use GBK characters
    for encoding in ([declared] if declared else []) + ["utf-8", "gb18030", "big5"]:
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return raw.decode("utf-8", "replace")


def visible_text(page: str) -> str:
    """What a reader sees: the document's text without scripts, styles and comments."""
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
    root = lxml.html.fromstring(page.encode("utf-8", "replace"), parser=parser)
    for node in root.xpath(_INVISIBLE):
        node.drop_tree()
    body = root.find("body")
    return (body if body is not None else root).text_content()


def date_forms(date: str) -> list[str]:
    """The ways a page writes YYYY-MM-DD: 2015-07-03, 2015/7/3, 2015年7月3日, 2015.07.03 …"""
    year, month, day = date.split("-")
    forms = []
    for m, d in ((month, day), (str(int(month)), str(int(day)))):
        forms += [f"{year}-{m}-{d}", f"{year}/{m}/{d}", f"{year}年{m}月{d}日", f"{year}.{m}.{d}",
                  f"{d}{year}年{m}月"]  # a calendar-leaf date block: the day, then the month
    return forms


def time_forms(clock: str) -> list[str]:
    """14:05 as written: 14:05, or 2:05 after a 下午 (a 12-hour clock)."""
    hour, minute = clock[:5].split(":")
    forms = [f"{hour}:{minute}", f"{int(hour)}:{minute}"]
    if int(hour) > 12:
        forms.append(f"{int(hour) - 12}:{minute}")
    return forms


def check_record(record: dict, text: str) -> list[str]:
    """What in one truth record is not on its page."""
    squeezed = squeeze(text)
    problems = []
    wanted = [(f, record.get(f)) for f in _TEXT_FIELDS]
    wanted += [(f, item) for f in _LIST_FIELDS for item in record.get(f) or []]
    wanted += [("author", name) for name in re.split(r"\s+", record.get("author") or "") if name]
    for field_name, value in wanted:
        if value and squeeze(value) not in squeezed:
            problems.append(f"{field_name} {value!r} is not in the page's visible text")
    date = record.get("date")
    if date and not any(form in squeezed for form in date_forms(date)):
        problems.append(f"date {date} is not written on the page")
    clock = record.get("time")
    if clock and not any(form in squeezed for form in time_forms(clock)):
        problems.append(f"time {clock} is not written on the page")
    return problems


def check_row(row: dict, folder: Path) -> list[str]:
    """What is wrong with one MANIFEST row's page file."""
    path = folder / row["file"]
    if not path.is_file():
        return [f"{row['file']} is missing (restore it: git cat-file blob {row['blob']} from {row['repository']})"]
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    problems = []
    if digest != row["sha256"] or str(len(raw)) != row["bytes"]:
        problems.append(f"{row['file']} differs from the recorded sha256/bytes (it must be the upstream blob)")
    if row["id"] != row["sha256"][:12] or row["file"] != f"pages/{row['id']}.html":
        problems.append(f"id {row['id']} is not the first 12 hex digits of its sha256 (or the file is misnamed)")
    even = hashlib.sha256(row["site"].encode("utf-8")).digest()[0] % 2 == 0
    if row["split"] != ("dev" if even else "held-out"):
        problems.append(f"split {row['split']} breaks the site-hash rule for {row['site']}")
    return problems


def check(folder: Path) -> list[str]:
    """Every problem in the corpus, as `path:line: what` lines."""
    lines = (folder / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    rows = {}
    problems = []
    for number, line in enumerate(lines[1:], 2):
        row = dict(zip(header, line.split("\t")))
        if row["id"] in rows:
            problems.append(f"{folder}/MANIFEST.tsv:{number}: {row['id']} is listed twice")
        rows[row["id"]] = row
        problems += [f"{folder}/MANIFEST.tsv:{number}: {p}" for p in check_row(row, folder)]
    seen = set()
    truth = (folder / "truth.jsonl").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(truth, 1):
        record = json.loads(line)
        where = f"{folder}/truth.jsonl:{number}"
        row = rows.get(record["id"])
        if row is None:
            problems.append(f"{where}: {record['id']} has no MANIFEST row (add it or drop the record)")
            continue
        seen.add(record["id"])
        if (record.get("site"), record.get("split")) != (row["site"], row["split"]):
            problems.append(f"{where}: site/split differ from MANIFEST.tsv")
        path = folder / row["file"]
        if path.is_file():
            text = visible_text(decode_page(path.read_bytes()))
            problems += [f"{where}: {record['id']}: {p}" for p in check_record(record, text)]
    problems += [f"{folder}/MANIFEST.tsv: {i} has no truth record" for i in sorted(set(rows) - seen)]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO / "tests" / "corpus")
    args = parser.parse_args(argv)
    problems = check(args.corpus)
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
