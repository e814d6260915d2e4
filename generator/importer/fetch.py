"""Fetch an http(s) page for import: one total deadline, a size limit and one clear error each.

The deadline covers everything: the DNS lookup, connecting, the status line and headers, and
the body, across redirects. A socket timeout alone is per read, so a server trickling one byte
a second would never trip it; here every read waits only for the time left, and reads take
whatever has arrived (read1), so neither a trickle nor a large read can outlast the deadline.
"""
from __future__ import annotations

import functools
import http.client
import io
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message

from generator.core.errors import SiteError

TIMEOUT_SECONDS = 20.0
MAX_BYTES = 5 * 1024 * 1024
USER_AGENT = "newsarchive-import/0.1 (+https://github.com/)"
_CHUNK = 65536
_RETRY_HINT = "try again later or save the page in a browser"


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


# --- the deadline --------------------------------------------------------------------------

class Deadline:
    """A point in time every step of one fetch must finish by."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left (> 0), or TimeoutError once the deadline has passed."""
        left = self._end - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"the deadline of {self.seconds:g} seconds passed")
        return left


class _DeadlineReader(io.RawIOBase):
    """A socket's incoming bytes; each recv waits at most until the deadline."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        super().__init__()
        self._sock = sock
        # the socket's own file object keeps the descriptor alive after urllib closes `sock`
        self._raw = sock.makefile("rb", buffering=0)
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int | None:  # noqa: ANN001 - a writable buffer
        self._sock.settimeout(self._deadline.remaining())
        return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()
        super().close()


class _DeadlineSocket:
    """What HTTPResponse reads from: the socket seen through a deadline."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def makefile(self, mode: str = "rb", *args: object, **kwargs: object) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))


def _resolve(host: str, port: int, deadline: Deadline) -> list[tuple]:
    """getaddrinfo within the deadline (it has no timeout of its own, so it runs aside)."""
    found: dict[str, object] = {}

    def lookup() -> None:
        try:
            found["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            found["error"] = exc

    worker = threading.Thread(target=lookup, name="newsarchive-dns", daemon=True)
    worker.start()
    worker.join(deadline.remaining())
    if worker.is_alive():
        raise TimeoutError(f"no address for {host} within {deadline.seconds:g} seconds")
    if "error" in found:
        raise found["error"]  # type: ignore[misc]
    return found["infos"]  # type: ignore[return-value]


def _connect(deadline: Deadline, address: tuple[str, int], timeout: object = None,
             source_address: tuple[str, int] | None = None) -> socket.socket:
    """socket.create_connection's job, with the lookup and each attempt inside the deadline."""
    host, port = address
    error: OSError = OSError(f"no address for {host}")
    for family, kind, proto, _, sockaddr in _resolve(host, port, deadline):
        sock = socket.socket(family, kind, proto)
        try:
            # also bounds the TLS handshake: CPython gives it one total time, not one per read
            sock.settimeout(deadline.remaining())
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
            if isinstance(exc, TimeoutError):
                break
    raise error


def _connection_factory(base: type[http.client.HTTPConnection], deadline: Deadline):
    """Make BASE connections whose connect, TLS handshake and reads keep to the deadline."""
    def make(host: str, timeout: object = None, **kwargs: object) -> http.client.HTTPConnection:
        conn = base(host, timeout=deadline.remaining(), **kwargs)
        # http.client's own hook for opening the socket (used by HTTPS before wrapping it)
        conn._create_connection = functools.partial(_connect, deadline)  # noqa: SLF001
        conn.response_class = functools.partial(_response, deadline)
        return conn
    return make


def _response(deadline: Deadline, sock: socket.socket, *args: object,
              **kwargs: object) -> http.client.HTTPResponse:
    """An HTTPResponse whose status line, headers and body are read within the deadline."""
    return http.client.HTTPResponse(_DeadlineSocket(sock, deadline), *args, **kwargs)


class _DeadlineHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def http_open(self, req: urllib.request.Request):  # noqa: ANN201 - urllib's type
        return self.do_open(_connection_factory(http.client.HTTPConnection, self._deadline), req)


class _DeadlineHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def https_open(self, req: urllib.request.Request):  # noqa: ANN201 - urllib's type
        factory = _connection_factory(http.client.HTTPSConnection, self._deadline)
        return self.do_open(factory, req, context=self._context)


# --- fetching ------------------------------------------------------------------------------

def _too_large(url: str, what: str) -> SiteError:
    return SiteError(what, url, hint="save the page in a browser and import the file")


def _read_limited(response: http.client.HTTPResponse, url: str, max_bytes: int) -> bytes:
    """The body, failing as soon as more than max_bytes have arrived."""
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise _too_large(url, f"page is too large ({int(length):,} bytes; limit {max_bytes:,})")
    chunks, total = [], 0
    while True:
        # read1: what has arrived (up to _CHUNK), not "wait until _CHUNK bytes are here"
        chunk = response.read1(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > max_bytes:
            raise _too_large(url, f"page is larger than the limit of {max_bytes:,} bytes")
        chunks.append(chunk)


def _download(url: str, deadline: Deadline, max_bytes: int) -> Fetched:
    """GET the URL through the deadline-keeping handlers; exceptions as urllib raises them."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT,
                                                   "Accept": "text/html,text/plain;q=0.9,*/*;q=0.1"})
    opener = urllib.request.build_opener(_DeadlineHTTPHandler(deadline),
                                         _DeadlineHTTPSHandler(deadline))
    with opener.open(request, timeout=deadline.remaining()) as response:
        content_type = response.headers.get_content_type()
        if content_type and not content_type.startswith(("text/", "application/xhtml")):
            raise SiteError(f"not a web page (Content-Type {content_type})", url,
                            hint="import the article's HTML page")
        try:
            raw = _read_limited(response, url, max_bytes)
        except TimeoutError:
            raise SiteError(f"page not received in full within {deadline.seconds:g} seconds",
                            url, hint=_RETRY_HINT) from None
        return Fetched(response.geturl(), raw, _charset(response.headers), content_type)


def fetch(url: str, *, timeout: float | None = None, max_bytes: int = MAX_BYTES) -> Fetched:
    """GET the URL within TIMEOUT seconds in all; a SiteError naming the URL on any failure."""
    seconds = TIMEOUT_SECONDS if timeout is None else timeout
    timed_out = SiteError(f"no answer within {seconds:g} seconds", url, hint=_RETRY_HINT)
    try:
        return _download(url, Deadline(seconds), max_bytes)
    except urllib.error.HTTPError as exc:
        raise SiteError(f"HTTP {exc.code} {exc.reason}", url, hint="check the address") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise timed_out from None
        raise SiteError(f"cannot fetch: {exc.reason}", url, hint="check the address") from None
    except TimeoutError:
        raise timed_out from None
    except http.client.HTTPException as exc:
        raise SiteError(f"not a valid HTTP answer ({type(exc).__name__}: {exc})", url,
                        hint=_RETRY_HINT) from None
    except OSError as exc:
        raise SiteError(f"cannot fetch: {exc}", url, hint="check the address") from None
