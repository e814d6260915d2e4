"""Page metadata from strings: titles without site suffixes, dates, bylines, outlets, tags."""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

# Chinese and Taiwanese news is published in UTC+8; a naive time on such a page is local.
DEFAULT_OFFSET = "+08:00"

_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|--|—|–|-\s|\s-|::|·\s|\s·|»|>)\s*")
_PICTURE_MARK = re.compile(r"\s*[（(](?:组?图|圖|附图|附圖|图片|圖片|图文|圖文|视频|視頻|影音|多图|多圖|高清组图|组图|圖輯)[)）]\s*")
_COLUMN_PREFIX = re.compile(r"^\s*[【\[]([^】\]]{1,12})[】\]]\s*")
_WS = re.compile(r"[\s\u3000\xa0]+")
_NOT_WORD = re.compile(r"[\W_]+")

_DATE_RE = re.compile(
    r"(?<![\d])((?:19|20)\d{2})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:[-/.月])\s*(\d{1,2})\s*日?"
    r"(?:\s*(?:[T\s]|星期.|週.|周.|\(.\)|（.）|,)*\s*(上午|下午|早上|晚上|凌晨|中午)?\s*"
    r"(\d{1,2})\s*[:：时時]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?"
    r"(?:\s*([AaPp][Mm])(?![A-Za-z]))?"
    r"(?:\s*(Z|[+-]\d{2}:?\d{2}))?"
)
_ROC_DATE_RE = re.compile(r"(?<!\d)(中華民國|民國)?\s*(\d{2,3})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_COMPACT_DATE_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)")
_URL_DATE_RE = re.compile(r"/((?:19|20)\d{2})[-/]?(\d{2})[-/]?(\d{2})(?=[/_\-.]|\d)")

_CJK_NAME = r"[\u4e00-\u9fff][\u4e00-\u9fff·]{1,3}"
_NAME_LIST = rf"{_CJK_NAME}(?:\s*[、，,\s]\s*{_CJK_NAME})*"

_SLASH = r"\s*[／/╱]\s*"
_REPORTED = r"(?:報導|报道|報道|报导)"
_REPORTER = r"(?:(?:实习|實習|特约|特約|本报|本報|本台)?(?:记者|記者))"
# any writer's label a bracketed byline gives: a reporter, a correspondent, an intern
_WRITER = rf"(?:{_REPORTER}|通讯员|通訊員|实习生|實習生)"
# a time stamp alone on its line: 2025-08-21 10:05, 2025年8月21日 10:05
_STAMP = r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"

# Bylines: each pattern's group "n" is a list of names.
_BYLINE_PATTERNS = tuple(re.compile(p) for p in (
    # 記者王小明／台北報導, 記者王小明、李四/綜合報導, 记者马俊峰/文
    rf"(?:{_REPORTER}|撰文|文字)\s*[:：]?\s*(?P<n>{_CJK_NAME}(?:\s*[、，,\s]\s*(?:{_WRITER})?\s*{_CJK_NAME})*){_SLASH}"
    rf"\S{{0,8}}?(?:{_REPORTED}|特稿|專訪|文)",
    # 劉屏／華盛頓4日電 (at the start of a line or in brackets)
    rf"(?:^|[（(【〔\[])\s*(?P<n>{_NAME_LIST}){_SLASH}[\u4e00-\u9fff]{{1,8}}?\d+日(?:電|电)",
    # （溫蘭魁報導）, （姚峰 上海报道）
    rf"[（(]\s*(?P<n>{_CJK_NAME}(?:\s*[、，,\s]\s*{_CJK_NAME})*?)(?:\s+\S{{2,4}})?\s*{_REPORTED}\s*[）)]",
    # 【王小明／台北報導】, （王小明／台中報導）
    rf"[（(【〔\[]\s*(?P<n>{_NAME_LIST}){_SLASH}\S{{0,8}}?{_REPORTED}\s*[）)】〕\]]",
    # 新华社北京11月28日电（记者王小明 李四）, （实习记者 樊亮 记者惠禾）, 本站讯（职工通讯员 张伟 李娜）
    rf"[（(]\s*[\u4e00-\u9fff]{{0,6}}?{_WRITER}\s*(?P<n>{_CJK_NAME}(?:\s*[、，,\s]\s*{_WRITER}?\s*{_CJK_NAME})*)\s*[）)]",
    # 中央社記者王小明台北29日電, …華盛頓2日專電, 中央社駐歐洲特派員王小明布魯塞爾2日專電 (names are
    # mostly three characters, places two to five)
    r"[\u4e00-\u9fff]{1,3}社(?:記者|记者|(?:駐|驻)[\u4e00-\u9fff]{1,6}?(?:特派員|特派员)|特派員|特派员)"
    r"(?P<n>[\u4e00-\u9fff]{2,3}(?:、[\u4e00-\u9fff]{2,3})*)[\u4e00-\u9fff]{2,5}\d+日(?:專電|专电|電|电)",
    # 作者：王小明 / 记者：王小明 / 文／王小明 / 执笔人：…
    rf"(?:^|[\s:：】\]|｜])[（(【\[]?\s*(?:作者|记者|記者|撰稿|撰文|执笔人|執筆人|采写|採寫|采访|採訪|撰稿人|文字|文)\s*[:：／/╱|｜丨]\s*(?P<n>{_NAME_LIST})(?=$|[\s）)】\]（(，,。|｜]|来源|來源|发布|發布|时间|時間|\d)",
    # 光明日报记者 王建宏 张文攀 / 新京报记者 彭冲 山东冠县报道 / 【聯合報╱本報記者古硯偉】 / 本报记者王小明报道
    rf"^[□■●◆【〔\[（(\s]*(?:\S{{0,11}}?(?:^|[\s·／/╱报報社台网網站道闻聞刊]))?{_REPORTER}\s*(?P<n>{_CJK_NAME}(?:\s*[、，,\s]\s*{_CJK_NAME})*?)(?:\s*\S{{2,6}}{_REPORTED}|\s*(?:发自|發自)\S{{2,6}}|\s*{_REPORTED})?\s*[】〕\]）)]?$",
    # 【文/观察者网专栏作者 王文】
    rf"(?:作者|记者|記者)\s*(?P<n>{_CJK_NAME})\s*[】〕\]）)]\s*$",
    # 2014/03/19 18:58 彭佳芸 黃翊真 報導
    rf"\d{{1,2}}:\d{{2}}\s+(?P<n>{_NAME_LIST})\s+{_REPORTED}",
    # 文/图 王小明, （图文 王小明）: the writer who also took the pictures (a label set off from the
    # name: 图文推荐 is a heading)
    rf"(?:^|[\s（(【\[])(?:(?:撰文|文字|文)\s*[/／．・、]\s*(?:[图圖]|攝影|摄影)|[图圖]\s*[/／]\s*文|文[图圖]|[图圖]文)"
    rf"(?:\s*[:：/／|｜丨]\s*|\s+)(?P<n>{_NAME_LIST})(?=$|[\s）)】\]，,。])",
    # writers' labels and names closing an info line, set off by spaces only (… 来源：示例县融媒体中心　记者 赵雪　通讯员 钱程)
    rf"(?:^|\s){_WRITER}\s+(?P<n>{_CJK_NAME}(?:\s+{_WRITER}?\s*{_CJK_NAME})*)$",
    # a line that is only a name and its time stamp, run together (<span>王晓东</span><span>2025-08-21 10:05</span>)
    rf"^(?P<n>{_CJK_NAME})\s*(?={_STAMP}$)",
    # a line that is only a writer's title and names: 首席记者 王小明, 本报通讯员 王小明, 融媒体记者 …
    rf"^[□■●◆【〔\[（(\s]*[\u4e00-\u9fff]{{0,8}}?{_WRITER}\s*(?P<n>{_CJK_NAME}(?:\s+{_CJK_NAME})*)\s*[】〕\]）)]?$",
    # 原创 王小明 示例城市号: a WeChat article's original mark, its writer and the account (the
    # account alone after 原创 names no writer)
    rf"^(?:原创|原創)\s+(?P<n>{_CJK_NAME})\s+\S{{2,20}}(?:\s+{_STAMP})?$",
    # By 王小明
    rf"^(?:By|BY|by)\s+(?P<n>{_CJK_NAME}(?:\s*[、，,]\s*{_CJK_NAME})*)$",
    # BUSINESS.SOHU.COM 2004年7月16日08:19 [ 黄宇 ]
    rf"\d{{1,2}}:\d{{2}}\s*[\[【]\s*(?P<n>{_CJK_NAME})\s*[\]】]",
))
# A lone parenthesised name closing the article: （袁源）
_CLOSING_NAME = re.compile(r"(?:^|[。！？!?…”」])\s*[（(]\s*(?P<n>[\u4e00-\u9fff]{2,3}(?:\s+[\u4e00-\u9fff]{2,3}){0,3})\s*[）)]\s*$")
# An editor's, proof-reader's or photographer's label inside a byline's name list (they are credited, not authors)
_EDITOR_LABEL = re.compile(r"(?:责任|責任|值班|本文)?(?:编辑|編輯|责编|責編|校对|校對|审校|審校|审核|審核|监制|監製|统筹|統籌|美编|美編|排版)"
                           r"|摄影|攝影|摄像|攝像|视频|視頻")
# An outlet in the writer's place (作者：海峡网, 来源：示例日报): a site, a paper or an agency.
_OUTLET_NAME = re.compile(r"[网網报報社]$|新闻|新聞")
# Photographers and illustrators are credited, not authors.
_CREDIT_SUFFIX = re.compile(r"(?:攝|摄|圖|图|繪|绘|攝影|摄影)$")


@dataclass(frozen=True)
class Byline:
    """Names found in one line, and whether the line is nothing but a byline."""

    names: tuple[str, ...]
    whole_line: bool


def squash(text: str) -> str:
    """Collapse whitespace runs (including U+3000 and NBSP) to one space and strip."""
    return _WS.sub(" ", text).strip()


def parse_date(text: str) -> str | None:
    """First date (and time) in `text` as ISO 8601; naive times get +08:00. Taiwanese 民國
    years (102年6月29日) count when marked as such or when the text is only a date line."""
    for match in _DATE_RE.finditer(text):
        iso = _iso_from_match(match)
        if iso:
            return iso
    roc = _ROC_DATE_RE.search(text)
    if roc and (roc.group(1) or len(text.strip()) <= 30) and 60 <= int(roc.group(2)) <= 150:
        gregorian = f"{int(roc.group(2)) + 1911}年{roc.group(3)}月{roc.group(4)}日{text[roc.end():roc.end() + 12]}"
        match = _DATE_RE.match(gregorian)
        return _iso_from_match(match) if match else None
    return None


def _iso_from_match(match: re.Match) -> str | None:
    """ISO string from a _DATE_RE match, or None when the numbers are not a real date."""
    year, month, day, half, hour, minute, second, ampm, zone = match.groups()
    try:
        date = dt.date(int(year), int(month), int(day))
    except ValueError:
        return None
    if hour is None:
        return date.isoformat()
    h = int(hour)
    if (half in ("下午", "晚上") or (ampm or "").lower() == "pm") and h < 12:
        h += 12
    if (ampm or "").lower() == "am" and h == 12:
        h = 0
    try:
        moment = dt.datetime(date.year, date.month, date.day, h, int(minute), int(second or 0))
    except ValueError:
        return date.isoformat()
    if zone:
        zone = "+00:00" if zone == "Z" else (zone if ":" in zone else zone[:3] + ":" + zone[3:])
        aware = dt.datetime.fromisoformat(moment.isoformat() + zone)
        return to_local(aware)
    return moment.isoformat() + DEFAULT_OFFSET


def to_local(moment: dt.datetime) -> str:
    """An aware date-time expressed in UTC+8, the archive's home offset."""
    local = moment.astimezone(dt.timezone(dt.timedelta(hours=8)))
    return local.replace(microsecond=0).isoformat()


def parse_meta_date(value: str) -> str | None:
    """A machine date (ISO 8601, RFC-ish, or compact 20130629) as ISO with offset."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is not None:
        if moment.tzinfo is not None:
            return to_local(moment)
        if len(value) <= 10:
            return moment.date().isoformat()
        return moment.replace(microsecond=0).isoformat() + DEFAULT_OFFSET
    found = parse_date(value)
    if found:
        return found
    compact = _COMPACT_DATE_RE.search(value)
    if compact:
        try:
            return dt.date(*map(int, compact.groups())).isoformat()
        except ValueError:
            return None
    return None


def epoch_date(text: str, patterns) -> str | None:
    """A publication time a page's script holds as Unix seconds (WeChat's `var ct = "…"`)."""
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            seconds = int(match.group(1))
            if 315532800 <= seconds <= 4102444800:  # 1980..2100: anything else is not a date
                return to_local(dt.datetime.fromtimestamp(seconds, dt.timezone.utc))
    return None


def date_from_url(url: str | None) -> str | None:
    """Date in a URL path such as /2013/06/29/ or /20130629/, date only."""
    if not url:
        return None
    match = _URL_DATE_RE.search(url)
    if not match:
        return None
    try:
        return dt.date(*map(int, match.groups())).isoformat()
    except ValueError:
        return None


# a date stamp glued to the end of a headline (a teaser's or the page's date in the same element)
_DATE_TAIL = re.compile(rf"\s*[（(\[]?\s*{_STAMP}\s*[）)\]]?$")


def clean_title(raw: str) -> str:
    """Strip picture markers, a leading 【column】 tag, a trailing date stamp and doubled spaces
    from a headline."""
    title = squash(_PICTURE_MARK.sub(" ", squash(raw)))
    undated = _DATE_TAIL.sub("", title)
    title = undated if len(fold(undated)) >= 4 else title
    prefix = _COLUMN_PREFIX.match(title)
    if prefix and len(title) - prefix.end() >= 6:
        title = title[prefix.end():]
    return title.strip(" _-|｜")


# "-新华网", "-搜狐财经": a hyphen without spaces separates only a site-like name at the end
_SITE_TAIL = re.compile(r"(?<=\S)-(?=[^-\s]{2,12}$)(?=\S*(?:网|網|报|報|财经|財經|新闻|新聞|频道|頻道|台|社|News|NEWS|\.com|\.cn)$)")


# a site-like name set off by a space at the end of a <title> (… 东江晚报网)
_SPACED_SITE = re.compile(r"\s+(?P<site>[^\s]{2,12}?(?:网|網|报|報|新闻|新聞|News|NEWS|\.com|\.cn))$")


def without_site_tail(title: str | None, outlet: str | None, text: str) -> str | None:
    """A headline without the site's name that a <title> adds after a space: the outlet's
    name, or a site-like name (…网, …报) the article's text never mentions (so not 国家电网 in
    a story about it)."""
    match = _SPACED_SITE.search(title or "") if title else None
    if match is None or len(fold(title[:match.start()])) < 6:
        return title
    site = fold(match.group("site"))
    if (outlet and site == fold(outlet)) or site not in fold(text):
        return title[:match.start()].strip()
    return title


def title_segments(raw: str) -> list[str]:
    """<title> split on site/channel separators ("_新浪网", " - 自由時報電子報", " | ", "-新华网",
    and runs of two or more spaces, as in crawler wrappers)."""
    text = squash(re.sub(r"[ \t]{2,}", " | ", raw.strip()))
    parts: list[str] = []
    for part in _TITLE_SEPARATORS.split(text):
        tails: list[str] = []
        while (match := _SITE_TAIL.search(part)) is not None:
            part, tail = part[:match.start()], part[match.end():]
            tails.insert(0, tail)
        parts += [part, *tails]
    return [p.strip() for p in parts if p.strip()]


def title_from_head(raw: str) -> str:
    """Best guess at the headline inside a <title>: its first substantial segment."""
    parts = title_segments(raw)
    if not parts:
        return ""
    # the headline is the first segment, unless that is only a short channel label
    for part in parts:
        if len(part) >= 6:
            return clean_title(part)
    return clean_title(parts[0])


def fold(text: str) -> str:
    """Text reduced to letters and digits, for comparing titles across markup noise."""
    return _NOT_WORD.sub("", text).lower()


def title_match(candidate: str, head_title: str) -> float:
    """How well a headline candidate matches the page's <title> (0 = not at all, 1 = exactly)."""
    return folded_match(fold(candidate), fold(head_title), fold(title_from_head(head_title)))


def folded_match(a: str, b: str, b_head: str) -> float:
    """title_match on folded strings: candidate `a`, <title> `b`, and the headline part of `b`."""
    if len(a) < 4 or not b:
        return 0.0
    if a == b or a == b_head:
        return 1.0
    if b.startswith(a):
        return len(a) / len(b)
    if a in b:
        return 0.5 * len(a) / len(b)
    if len(b) >= 6 and a.startswith(b):
        return 0.8
    if len(b) >= 6 and b in a:
        return 0.8 * len(b) / len(a)  # a badge before the headline: 原创…
    return 0.0


def find_bylines(line: str, not_names: frozenset[str]) -> Byline | None:
    """Reporter names in one line of text, if it carries a byline."""
    text = squash(line)
    if not text or len(text) > 400:
        return None
    for pattern in _BYLINE_PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        names = split_names(match.group("n"), not_names)
        if names:
            names, end = _more_writers(text, match.end(), names, not_names,
                                       bool(re.search(rf"{_WRITER}$", match.group("n"))))
            rest = text[:match.start()] + text[end:]
            # whole line: little besides the byline, and no running text
            return Byline(names, len(fold(rest)) <= 16 and not re.search(r"[，。！？]", rest))
    return None


# a further writer's label and names after a byline: 记者｜王小明 实习生｜张伟 李娜
_MORE_WRITERS = re.compile(rf"\s*(?:{_WRITER}|作者)\s*[:：／/╱|｜丨]?\s*(?P<n>{_CJK_NAME}(?:\s+{_CJK_NAME})*)(?=$|[\s）)】\]，,。|｜])")
# the names after a label the byline's name list took in (王小明 实习生｜张伟): its bar and names
_LABELLED_NAMES = re.compile(rf"\s*[:：／/╱|｜丨]\s*(?P<n>{_CJK_NAME}(?:\s+{_CJK_NAME})*)(?=$|[\s）)】\]，,。|｜])")


def _more_writers(text: str, end: int, names: tuple[str, ...], not_names: frozenset[str],
                  dangling: bool = False) -> tuple[tuple[str, ...], int]:
    """The byline's names with those of the writers labelled right after it (interns,
    correspondents), and where the byline ends; `dangling`: the name list ended in a label."""
    while (match := (_LABELLED_NAMES if dangling else _MORE_WRITERS).match(text, end)) is not None:
        dangling = False
        more = split_names(match.group("n"), not_names)
        if not more:
            break
        names, end = tuple(dict.fromkeys((*names, *more))), match.end()
    return names, end


def closing_name(line: str, not_names: frozenset[str]) -> tuple[str, ...]:
    """A reporter named in parentheses at the very end of an article: （袁源）."""
    match = _CLOSING_NAME.search(squash(line))
    return split_names(match.group("n"), not_names) if match else ()


def split_names(raw: str, not_names: frozenset[str]) -> tuple[str, ...]:
    """Split a name list on 、，, and spaces; drop words that are not names."""
    names: list[str] = []
    for part in re.split(r"[、，,\s]+", raw):
        if _EDITOR_LABEL.fullmatch(part):
            break  # the editors and proof-readers after the writers (记者 王小明 编辑 李四 校对 赵五)
        part = re.sub(r"^(?:实习|實習)?(?:记者|記者)|^(?:通讯员|通訊員|实习生|實習生)", "", part.strip())
        if _CREDIT_SUFFIX.search(part) or _OUTLET_NAME.search(part):
            continue
        if re.fullmatch(r"[\u4e00-\u9fff][\u4e00-\u9fff·]{1,4}", part) and part not in not_names and not any(w in part for w in not_names):
            if part not in names:
                names.append(part)
    return tuple(names)


def json_ld_items(blocks: list[str]) -> list[dict]:
    """Every JSON object in the page's ld+json blocks (graphs flattened); bad JSON is skipped."""
    items: list[dict] = []
    for block in blocks:
        try:
            data = json.loads(block)
        except ValueError:
            continue  # broken JSON-LD is common and carries nothing we could trust
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                items.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
    return items


def ld_names(value: object) -> list[str]:
    """Names in a JSON-LD author/publisher value (string, object or list)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        return [name] if isinstance(name, str) else []
    if isinstance(value, list):
        return [n for v in value for n in ld_names(v)]
    return []


def clean_keywords(raw: str, *, title: str | None, site: str | None, head_title: str = "") -> tuple[str, ...]:
    """Meta keywords split and cleaned: no title copies, site names or overlong phrases."""
    # split on spaces only when nothing else separates the words ("The Liberty Times" stays whole)
    separators = r"[,，、;；|｜]+" if re.search(r"[,，、;；|｜]", raw) else r"\s+"
    segments = {fold(s) for s in title_segments(head_title)} | {fold(title or "")}
    tags: list[str] = []
    for part in re.split(separators, raw):
        tag = part.strip(" #")
        folded = fold(tag)
        if not folded or len(tag) > 16 or tag.isdigit():
            continue
        if (folded in segments and len(folded) >= 5) or (len(folded) >= 6 and folded in fold(title or "")):
            continue  # a piece of the <title>, not a keyword
        if site and folded in fold(site):
            continue
        if tag not in tags:
            tags.append(tag)
    return tuple(tags[:12])
