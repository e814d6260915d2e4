"""Raw page bytes -> text. Declared charsets are hints; strict decodes decide.

Order of attempts: BOM, strict UTF-8, the declared family widened (gb2312/gbk -> gb18030,
big5 -> big5hkscs/cp950, with stray UTF-8 runs inside Big5 decoded as UTF-8), then
charset-normalizer, then a lossy decode whose replaced bytes are counted.
"""
from __future__ import annotations

import codecs
import re

from generator.importer.model import Decoded

# Only the first part of a page declares its charset; scanning all of it is slow and finds
# traps such as <script charset="gb2312"> deep inside a UTF-8 page.
_SNIFF_BYTES = 4096

_WRAPPER_RE = re.compile(rb"""<text\s[^>]*?\bencoding\s*=\s*["']?([A-Za-z0-9_-]+)""", re.I)
_META_RE = re.compile(rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)
_XML_RE = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_-]+)""", re.I)
_HTTP_RE = re.compile(rb"""^content-type:[^\n]*?charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.I | re.M)

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# A declared charset names a family; decode with its widest member first.
_FAMILIES = {
    "gb2312": ("gb18030",),
    "gbk": ("gb18030",),
    "gb18030": ("gb18030",),
    "x-gbk": ("gb18030",),
    "cp936": ("gb18030",),
    "euc-cn": ("gb18030",),
    "hz-gb-2312": ("gb18030",),
    "big5": ("big5hkscs", "cp950"),
    "big5-hkscs": ("big5hkscs", "cp950"),
    "big5hkscs": ("big5hkscs", "cp950"),
    "cp950": ("cp950", "big5hkscs"),
    "x-big5": ("big5hkscs", "cp950"),
}

# Past this many repairs a page is not "Big5 with a few UTF-8 runs"; stop repairing.
_MAX_REPAIRS = 200

_LOOKBACK = 9
# well-formed multi-byte UTF-8 only (RFC 3629): no overlong forms, surrogates or code points
# past U+10FFFF, so that every run this matches really decodes as UTF-8
_UTF8_CHAR = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]"
    rb"|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}")


def normalise_charset(name: str | None) -> str | None:
    """Lower-case a charset label and fold common aliases ("utf8" -> "utf-8")."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower().replace("_", "-")
    aliases = {"utf8": "utf-8", "unicode-1-1-utf-8": "utf-8", "gb-2312": "gb2312",
               "big-5": "big5", "x-euc-cn": "euc-cn"}
    return aliases.get(label, label)


def sniff_declared(raw: bytes) -> str | None:
    """Charset a page declares: crawler wrapper, XML declaration, <meta>, or HTTP header."""
    head = raw[:_SNIFF_BYTES]
    for pattern in (_WRAPPER_RE, _XML_RE, _META_RE, _HTTP_RE):
        match = pattern.search(head)
        if match:
            return normalise_charset(match.group(1).decode("ascii", "replace"))
    return None


def _strip_bom(raw: bytes) -> tuple[bytes, str | None]:
    """Split a byte-order mark off the bytes; return the codec it names."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom):], codec
    return raw, None


def _utf8_run_end(raw: bytes, start: int) -> int:
    """End of the run of consecutive multi-byte UTF-8 characters starting at `start`."""
    pos = start
    while True:
        match = _UTF8_CHAR.match(raw, pos)
        if not match:
            return pos
        pos = match.end()


def _utf8_repair_start(raw: bytes, lo: int, err: int, codec: str) -> int | None:
    """Start of a UTF-8 run covering byte `err` whose prefix decodes cleanly in `codec`."""
    # the legacy decoder may have swallowed the first UTF-8 characters as pairs of its own
    # (HKSCS accepts most lead/trail pairs), so look back a few characters
    for start in range(max(lo, err - _LOOKBACK), err + 1):
        end = _utf8_run_end(raw, start)
        if end > err and _decodes(raw[lo:start], codec):
            return start
    return None


def _decodes(raw: bytes, codec: str) -> bool:
    """True when `raw` decodes in `codec` without error."""
    try:
        raw.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def decode_mixed(raw: bytes, codec: str) -> tuple[str, int, int]:
    """Decode with `codec`, taking UTF-8 runs where it fails; return text, repaired runs, lossy bytes."""
    parts: list[str] = []
    pos, repairs, lossy = 0, 0, 0
    while pos < len(raw):
        if repairs + lossy > _MAX_REPAIRS:
            tail = raw[pos:].decode(codec, "replace")
            return "".join(parts) + tail, repairs, lossy + tail.count("\ufffd")
        try:
            parts.append(raw[pos:].decode(codec))
            break
        except UnicodeDecodeError as err:
            bad = pos + err.start
        start = _utf8_repair_start(raw, pos, bad, codec)
        if start is None:
            head, lost = _lenient(raw[pos:bad], codec)
            parts += [head, "\ufffd"]
            lossy += lost + 1
            pos = bad + 1
            continue
        end = _utf8_run_end(raw, start)
        parts.append(raw[pos:start].decode(codec))
        parts.append(raw[start:end].decode("utf-8"))
        repairs += 1
        pos = end
    return "".join(parts), repairs, lossy


def _lenient(raw: bytes, codec: str) -> tuple[str, int]:
    """Decode bytes before a decoder's error position; never raises.

    For the CJK codecs the bytes before the reported error decode cleanly, but a stateful or
    unusual codec may disagree with itself about a cut character: count what it replaces.
    """
    try:
        return raw.decode(codec), 0
    except UnicodeDecodeError:
        text = raw.decode(codec, "replace")
        return text, text.count("\ufffd")


_PUA = re.compile(r"[\ue000-\uf8ff]")
_REALIGN_WINDOW = 24


def _common_share(text: str) -> int:
    """How many characters look like ordinary GB text: ASCII, GB2312 punctuation and level-1 hanzi."""
    good = 0
    for ch in text:
        if ch < "\x80":
            good += 1
            continue
        try:
            code = ch.encode("gb2312")
        except UnicodeEncodeError:
            continue
        good += code[0] in range(0xA1, 0xA4) or code[0] in range(0xB0, 0xD8)
    return good


def realign_gb(raw: bytes, text: str) -> tuple[str, int]:
    """Repair GB text knocked out of step by a lost byte: at each private-use character, drop one
    byte when that makes the following text read as ordinary GB text; return text, bytes dropped."""
    dropped = 0
    start = 0
    for _ in range(_MAX_REPAIRS):
        match = _PUA.search(text, start)
        if not match:
            break
        offset = len(text[:match.start()].encode("gb18030"))
        here = text[match.start():match.start() + _REALIGN_WINDOW]
        shifted = raw[offset + 1:].decode("gb18030", "replace")
        if _common_share(shifted[:_REALIGN_WINDOW]) >= _common_share(here) + _REALIGN_WINDOW // 3:
            raw = raw[:offset] + raw[offset + 1:]
            text = text[:match.start()] + shifted
            dropped += 1
        start = match.start() + 1
    return text, dropped


def _mostly_utf8(raw: bytes) -> tuple[str, int] | None:
    """UTF-8 text with a few broken bytes (a cut multi-byte character): text and bytes lost.
    Legacy-encoded text read as UTF-8 breaks at nearly every non-ASCII byte, so a handful of
    errors among many valid multi-byte characters means UTF-8."""
    text = raw.decode("utf-8", "replace")
    lost = text.count("\ufffd") - raw.count(b"\xef\xbf\xbd")
    if not 0 < lost <= max(3, len(raw) // 600):
        return None  # legacy text read as UTF-8 fails everywhere; skip the count below
    wide = len(text) - len(text.encode("ascii", "ignore")) - text.count("\ufffd")
    if 0 < lost <= max(3, wide // 200) and wide >= 20 * lost:
        return text, lost
    return None


def _try_family(raw: bytes, declared: str) -> Decoded | None:
    """Decode strictly with the declared family; Big5 may carry stray UTF-8 runs."""
    for codec in _FAMILIES.get(declared, (declared,)):
        try:
            text = raw.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        if codec == "gb18030" and _PUA.search(text):
            text, dropped = realign_gb(raw, text)
            return Decoded(text, codec, declared, dropped)
        return Decoded(text, codec, declared)
    if declared in _FAMILIES:
        codec = _FAMILIES[declared][0]
        text, repairs, lossy = decode_mixed(raw, codec)
        # many failures mean the declaration is wrong; let detection decide instead
        if lossy <= max(4, len(raw) // 2000):
            name = f"{codec}+utf-8" if repairs else codec
            if codec == "gb18030" and _PUA.search(text):
                text, dropped = realign_gb(raw, text)
                lossy += dropped
            return Decoded(text, name, declared, lossy)
    return None


def _detect(raw: bytes, declared: str | None) -> Decoded | None:
    """Ask charset-normalizer, then check its guess with a strict decode."""
    from charset_normalizer import from_bytes  # imported lazily: it is slow to import

    best = from_bytes(raw[:200_000]).best()
    if best is None:
        return None
    codec = normalise_charset(best.encoding) or "utf-8"
    codec = _FAMILIES.get(codec, (codec,))[0]
    try:
        return Decoded(raw.decode(codec), codec, declared)
    except (UnicodeDecodeError, LookupError):
        return None


def decode(raw: bytes, *, declared: str | None = None) -> Decoded:
    """Turn page bytes into text; `declared` (e.g. an HTTP charset) is a hint like <meta>."""
    body, bom_codec = _strip_bom(raw)
    hint = normalise_charset(declared) or sniff_declared(body)
    if bom_codec and bom_codec != "utf-8":
        text = body.decode(bom_codec, "replace")
        return Decoded(text, bom_codec, hint, text.count("\ufffd"))
    try:
        return Decoded(body.decode("utf-8"), "utf-8", hint)
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(body)
    if mostly is not None:
        return Decoded(mostly[0], "utf-8", hint, mostly[1])
    # only CJK declarations are worth trying first: a single-byte charset (iso-8859-1,
    # windows-1252) decodes anything, so on a Chinese page it is a trap, not a hint
    if hint in _FAMILIES:
        found = _try_family(body, hint)
        if found:
            return found
    detected = _detect(body, hint)
    if detected:
        return detected
    for fallback in ("gb18030", "big5hkscs"):
        if _decodes(body, fallback):
            return Decoded(body.decode(fallback), fallback, hint)
    text = body.decode("utf-8", "replace")
    return Decoded(text, "utf-8", hint, text.count("\ufffd") - body.count(b"\xef\xbf\xbd"))
