"""Download one figure image at import: http(s) only, public addresses only, bounded.

The rules (every one is tested):

- only `http://` and `https://` URLs are fetched, redirects included (urllib would also
  follow a redirect to `ftp:`);
- the address every connection goes to is checked after the DNS lookup, at connect time, so
  neither a redirect nor a name that resolves to 127.0.0.1 reaches the curator's own
  machine or network: loopback, private, link-local, reserved and multicast addresses are
  refused unless the page itself was fetched from such an address (a page on
  http://127.0.0.1/ may use images from there: that is how the tests and a local mirror
  work; a page from the internet may not);
- the page's URL goes along as Referer (many news sites refuse images without it);
- the whole download keeps to the caller's Deadline (shared by all images of one page)
  and to `max_bytes`, counted as the bytes arrive;
- the answer must say it is an image (`image/*` other than SVG, or a generic binary type);
  what the bytes are is then decided by generator.importer.figure_fetch.
"""
from __future__ import annotations

import functools
import http.client
import ipaddress
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from generator.importer import fetch
from generator.importer.fetch import Deadline

_ACCEPT = "image/avif,image/webp,image/png,image/jpeg,image/gif,image/*;q=0.8"
_GENERIC = ("application/octet-stream", "binary/octet-stream")


class ImageRefused(Exception):
    """Why one image was not downloaded (a warning, never an import error)."""


def is_public(address: str) -> bool:
    """True for an address on the public internet."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def host_is_private(url: str | None) -> bool:
    """True when a URL's host is a literal or resolved non-public address (the page's origin)."""
    host = urlsplit(url or "").hostname
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return False
    return any(not is_public(info[4][0]) for info in infos)


def _guarded_connect(deadline: Deadline, allow_private: bool, address: tuple[str, int],
                     timeout: object = None, source_address: object = None) -> socket.socket:
    """Connect within the deadline, only to addresses the rules allow."""
    host, port = address
    infos = fetch._resolve(host, port, deadline)  # noqa: SLF001 - the same bounded lookup
    allowed = [i for i in infos if allow_private or is_public(i[4][0])]
    if not allowed:
        raise ImageRefused(f"{host} is a local or private address (the page is not)")
    error: OSError = OSError(f"no address for {host}")
    for family, kind, proto, _, sockaddr in allowed:
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(deadline.remaining())
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error


def _factory(base: type[http.client.HTTPConnection], deadline: Deadline, allow_private: bool):
    def make(host: str, timeout: object = None, **kwargs: object) -> http.client.HTTPConnection:
        conn = base(host, timeout=deadline.remaining(), **kwargs)
        conn._create_connection = functools.partial(_guarded_connect, deadline, allow_private)  # noqa: SLF001
        conn.response_class = functools.partial(fetch._response, deadline)  # noqa: SLF001
        return conn
    return make


class _HTTP(urllib.request.HTTPHandler):
    def __init__(self, deadline: Deadline, allow_private: bool) -> None:
        super().__init__()
        self.args = (deadline, allow_private)

    def http_open(self, req: urllib.request.Request):  # noqa: ANN201 - urllib's type
        return self.do_open(_factory(http.client.HTTPConnection, *self.args), req)


class _HTTPS(urllib.request.HTTPSHandler):
    def __init__(self, deadline: Deadline, allow_private: bool) -> None:
        super().__init__()
        self.args = (deadline, allow_private)

    def https_open(self, req: urllib.request.Request):  # noqa: ANN201 - urllib's type
        return self.do_open(_factory(http.client.HTTPSConnection, *self.args), req,
                            context=self._context)


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) only."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201, PLR0913
        if not fetch.is_url(newurl):
            raise ImageRefused(f"redirected to a non-web address {newurl[:60]!r}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_image(url: str, *, referer: str | None, deadline: Deadline, max_bytes: int,
                allow_private: bool) -> bytes:
    """The image's bytes; ImageRefused (with the reason) on any failure."""
    if not fetch.is_url(url):
        raise ImageRefused("not an http(s) address")
    headers = {"User-Agent": fetch.USER_AGENT, "Accept": _ACCEPT}
    if referer:
        headers["Referer"] = referer
    opener = urllib.request.build_opener(_HTTP(deadline, allow_private),
                                         _HTTPS(deadline, allow_private), _Redirects())
    try:
        with opener.open(urllib.request.Request(url, headers=headers),
                         timeout=deadline.remaining()) as response:
            kind = response.headers.get_content_type()
            if kind == "image/svg+xml" or not (kind.startswith("image/") or kind in _GENERIC):
                raise ImageRefused(f"not an image (Content-Type {kind})")
            return fetch._read_limited(response, url, max_bytes)  # noqa: SLF001
    except ImageRefused:
        raise
    except fetch.SiteError as exc:
        raise ImageRefused(exc.message.replace("page", "image")) from None
    except urllib.error.HTTPError as exc:
        raise ImageRefused(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, ImageRefused):
            raise exc.reason from None
        raise ImageRefused(f"cannot fetch: {exc.reason}") from None
    except TimeoutError:
        raise ImageRefused(f"not received within the deadline of {deadline.seconds:g} seconds") from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise ImageRefused(f"cannot fetch: {type(exc).__name__}: {exc}") from None
