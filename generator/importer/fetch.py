"""Fetch an http(s) page for import: a timeout, a size limit and one clear error each."""
from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message

from generator.errors import SiteError

TIMEOUT_SECONDS = 20.0
MAX_BYTES = 5 * 1024 * 1024
USER_AGENT = "newsarchive-import/0.1 (+https://github.com/)"
_CHUNK = 65536


@dataclass(frozen=True)
class Fetched:
    """A downloaded page."""

    # the URL after redirects
    url: str
    raw: bytes
    # charset from the Content-Type header, if any (a hint for decoding)
    charset: str | None
    content_type: str | None


def is_url(text: str) -> bool:
    """True for http:// and https:// addresses."""
    return text.lower().startswith(("http://", "https://"))


def _charset(headers: Message) -> str | None:
    """The charset parameter of the Content-Type header."""
    return headers.get_content_charset() if headers else None


def _read_limited(response, url: str, max_bytes: int, timeout: float) -> bytes:
    """Read at most max_bytes within the timeout overall, or fail naming the limit."""
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise SiteError(f"page is too large ({int(length):,} bytes; limit {max_bytes:,})", url,
                        hint="save the page in a browser and import the file")
    chunks, total = [], 0
    # the socket timeout applies to each read; a server trickling bytes needs a deadline
    deadline = time.monotonic() + timeout
    while True:
        if time.monotonic() > deadline:
            raise SiteError(f"page not received within {timeout:g} seconds", url,
                            hint="try again later or save the page in a browser")
        chunk = response.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > max_bytes:
            raise SiteError(f"page is larger than the limit of {max_bytes:,} bytes", url,
                            hint="save the page in a browser and import the file")
        chunks.append(chunk)


def fetch(url: str, *, timeout: float = TIMEOUT_SECONDS, max_bytes: int = MAX_BYTES) -> Fetched:
    """GET the URL; SiteError (naming the URL) on HTTP errors, timeouts, size or type problems."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT,
                                                   "Accept": "text/html,text/plain;q=0.9,*/*;q=0.1"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            content_type = response.headers.get_content_type()
            if content_type and not content_type.startswith(("text/", "application/xhtml")):
                raise SiteError(f"not a web page (Content-Type {content_type})", url,
                                hint="import the article's HTML page")
            raw = _read_limited(response, url, max_bytes, timeout)
            return Fetched(response.geturl(), raw, _charset(response.headers), content_type)
    except urllib.error.HTTPError as exc:
        raise SiteError(f"HTTP {exc.code} {exc.reason}", url, hint="check the address") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, socket.timeout | TimeoutError):
            raise SiteError(f"no answer within {timeout:g} seconds", url,
                            hint="try again later or save the page in a browser") from None
        raise SiteError(f"cannot fetch: {reason}", url, hint="check the address") from None
    except (TimeoutError, socket.timeout):
        raise SiteError(f"no answer within {timeout:g} seconds", url,
                        hint="try again later or save the page in a browser") from None
    except (ConnectionError, OSError) as exc:
        raise SiteError(f"cannot fetch: {exc}", url, hint="check the address") from None
