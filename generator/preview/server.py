"""The preview server: a built site served safely, with live reload and an error overlay.

Only files inside the built directory are ever served. HTML responses get a small script
injected at serve time (never into the files on disk) that listens to server-sent events
on `EVENTS_PATH`: a new reload epoch reloads the page, a list of build errors shows an
overlay on top of the last good page. Limits no client can stretch: connections served at
once, and a total time for a request's line and headers. Imports the standard library only.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

EVENTS_PATH = "/__newsarchive/events"
HEARTBEAT_SECONDS = 10.0
SCRIPT_PREFIXES = ("zh-hant/", "zh-hans/")
# Connections served at once (each open page holds one event stream), and the seconds for
# a request line and its headers in all (also how long an idle keep-alive connection waits).
MAX_CONNECTIONS, HEADER_SECONDS = 64, 10.0
REFUSAL = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 22"
           b"\r\nRetry-After: 1\r\nConnection: close\r\n\r\ntoo many connections\r\n")

# Text types carry charset=utf-8: the build writes every text file as UTF-8.
CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8", ".md": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".wasm": "application/wasm",
    ".webmanifest": "application/manifest+json; charset=utf-8",
}
DEFAULT_CONTENT_TYPE = "application/octet-stream"
FALLBACK_404 = (b"<!doctype html><html><head><meta charset=utf-8><title>404 Not Found</title>"
                b"</head><body><h1>404 Not Found</h1></body></html>")
# Files without a suffix that the site still publishes (GitHub Pages markers).
NAMED_CONTENT_TYPES = {"CNAME": "text/plain; charset=utf-8", ".nojekyll": "text/plain; charset=utf-8"}


def content_type(path: Path) -> str:
    """The Content-Type header for a served file, chosen by its name."""
    if path.name in NAMED_CONTENT_TYPES:
        return NAMED_CONTENT_TYPES[path.name]
    return CONTENT_TYPES.get(path.suffix.lower(), DEFAULT_CONTENT_TYPE)


# --------------------------------------------------------------------------- resolution

@dataclass(frozen=True)
class Resolved:
    """What to answer for one request path."""

    status: int
    # The file to send (status 200), inside the site root.
    file: Path | None = None
    # The redirect target (status 301 or 302), already percent-encoded.
    location: str | None = None


def _inside(path: str, root: str) -> bool:
    """Whether a real (symlink-free) path is the root or below it."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _real_file(candidate: Path, real_root: str) -> Path | None:
    """The candidate's real path when it is a regular file inside the root, else None."""
    real = os.path.realpath(candidate)
    if _inside(real, real_root) and os.path.isfile(real):
        return Path(real)
    return None


def _segments(rel: str) -> list[str] | None:
    """Path segments of a decoded site-relative path, or None when any is unsafe."""
    parts = rel.split("/")
    for index, part in enumerate(parts):
        # An empty segment anywhere but the end means `//` (an absolute path in disguise).
        if part in (".", "..") or "\\" in part or (part == "" and index != len(parts) - 1):
            return None
    return parts


def _decode(raw: str) -> str | None:
    """The percent-decoded path, or None for NUL bytes and invalid UTF-8."""
    if "\x00" in raw or "%00" in raw:
        return None
    try:
        decoded = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return None
    return None if "\x00" in decoded else decoded


def resolve_request(root: Path, base_path: str, target: str) -> Resolved:
    """Map a request target to a file inside `root`, a redirect, or an error status."""
    split = urlsplit(target)
    query = f"?{split.query}" if split.query else ""
    decoded = _decode(split.path)
    if decoded is None:
        return Resolved(HTTPStatus.BAD_REQUEST)
    if decoded + "/" == base_path:
        return Resolved(HTTPStatus.MOVED_PERMANENTLY, location=quote(base_path) + query)
    if decoded == "/" and base_path != "/":
        # The server's own root, above a project sub-path: lead the reader to the site.
        return Resolved(HTTPStatus.FOUND, location=quote(base_path))
    parts = _segments(decoded[len(base_path):]) if decoded.startswith(base_path) else None
    if parts is None:
        return Resolved(HTTPStatus.NOT_FOUND)
    return _locate(root, parts, decoded, query)


def _locate(root: Path, parts: list[str], decoded: str, query: str) -> Resolved:
    """The file for safe segments: itself, a folder's index.html, or a redirect adding `/`."""
    real_root = os.path.realpath(root)
    candidate = Path(real_root).joinpath(*[p for p in parts if p])
    real = os.path.realpath(candidate)
    if not _inside(real, real_root):
        return Resolved(HTTPStatus.NOT_FOUND)
    if os.path.isdir(real):
        if not decoded.endswith("/"):
            return Resolved(HTTPStatus.MOVED_PERMANENTLY, location=quote(decoded + "/") + query)
        candidate = candidate / "index.html"
    elif decoded.endswith("/"):
        return Resolved(HTTPStatus.NOT_FOUND)
    found = _real_file(candidate, real_root)
    return Resolved(HTTPStatus.OK, file=found) if found else Resolved(HTTPStatus.NOT_FOUND)


def not_found_page(root: Path) -> Path | None:
    """The site's own 404.html, when the build wrote one inside the root."""
    real_root = os.path.realpath(root)
    return _real_file(Path(real_root) / "404.html", real_root)


# --------------------------------------------------------------------------- live state

@dataclass(frozen=True)
class Snapshot:
    """What every open page should show."""

    # Bumped after each successful rebuild; a page served at an older epoch reloads.
    epoch: int
    # `path:line: message` lines of the last failed build; empty when the last build worked.
    errors: tuple[str, ...]

    def to_json(self) -> str:
        """The SSE payload."""
        return json.dumps({"epoch": self.epoch, "errors": list(self.errors)}, ensure_ascii=False)


class PreviewState:
    """The reload epoch and current errors, shared by the rebuild loop and every SSE stream."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._snapshot = Snapshot(0, ())
        self._closed = False

    def snapshot(self) -> Snapshot:
        """The current state."""
        with self._cond:
            return self._snapshot

    def publish_success(self) -> None:
        """A rebuild worked: bump the epoch (pages reload) and clear the errors."""
        with self._cond:
            self._snapshot = Snapshot(self._snapshot.epoch + 1, ())
            self._cond.notify_all()

    def publish_errors(self, errors: Sequence[str]) -> None:
        """A rebuild failed: show these errors on every open page, keep the epoch."""
        with self._cond:
            self._snapshot = Snapshot(self._snapshot.epoch, tuple(errors))
            self._cond.notify_all()

    def close(self) -> None:
        """End every event stream (shutdown)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def wait_change(self, seen: Snapshot | None, timeout: float) -> Snapshot | None:
        """The state once it differs from `seen` (or after `timeout`); None once closed."""
        with self._cond:
            self._cond.wait_for(lambda: self._closed or self._snapshot != seen, timeout)
            return None if self._closed else self._snapshot


# --------------------------------------------------------------------------- injection

LIVE_RELOAD_JS = """
(() => {
  const served = %(epoch)d, home = %(home)s, events = %(events)s;
  const id = "__newsarchive-overlay";
  function hide() { const old = document.getElementById(id); if (old) old.remove(); }
  function show(errors) {
    hide();
    const box = document.createElement("div");
    box.id = id;
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
      "background:rgba(20,0,0,.92);color:#fff;font:14px/1.5 ui-monospace,monospace;padding:2em";
    const title = document.createElement("h2");
    title.textContent = "Build failed: " + errors.length + " error(s); showing the last good build";
    title.style.cssText = "margin:0 0 1em;color:#ff8080;font:bold 18px sans-serif";
    const list = document.createElement("pre");
    list.textContent = errors.join("\\n");
    list.style.cssText = "white-space:pre-wrap;margin:0";
    box.append(title, list);
    document.documentElement.append(box);
  }
  function reload() {
    fetch(location.href, {method: "HEAD", cache: "no-store"})
      .then((r) => { if (r.status === 404) location.replace(home); else location.reload(); })
      .catch(() => location.reload());
  }
  const source = new EventSource(events);
  source.addEventListener("state", (event) => {
    const state = JSON.parse(event.data);
    window.__newsarchiveLive = state;  // lets tests and curious readers see the link is up
    if (state.errors.length) show(state.errors);
    else if (state.epoch !== served) { source.close(); reload(); }
    else hide();
  });
})();
"""


def script_home(base_path: str, decoded_path: str) -> str:
    """The home page of the script a page belongs to (the root chooser for other pages)."""
    rel = decoded_path[len(base_path):] if decoded_path.startswith(base_path) else ""
    for prefix in SCRIPT_PREFIXES:
        if rel.startswith(prefix):
            return base_path + prefix
    return base_path


def live_reload_tag(epoch: int, home: str) -> bytes:
    """The `<script>` element injected into served HTML."""
    code = LIVE_RELOAD_JS % {
        "epoch": epoch,
        # json.dumps output is a valid JS string; `</` is escaped so it cannot end the tag.
        "home": json.dumps(home).replace("</", "<\\/"),
        "events": json.dumps(EVENTS_PATH),
    }
    return f'<script data-newsarchive="live-reload">{code}</script>'.encode()


def inject(html: bytes, tag: bytes) -> bytes:
    """Insert the tag before the last `</body>`, or append it when there is none."""
    at = html.lower().rfind(b"</body>")
    if at < 0:
        return html + tag
    return html[:at] + tag + html[at:]


# --------------------------------------------------------------------------- HTTP

class PreviewHTTPServer(ThreadingHTTPServer):
    """A threading server that knows the site root, base path and live state."""

    daemon_threads = True
    # Rebinding right after a previous preview exits must not fail with EADDRINUSE.
    allow_reuse_address = True
    # The stdlib default backlog of 5 drops connections when 50 readers arrive at once.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], *, root: Path, base_path: str,
                 state: PreviewState, log: bool = False, max_connections: int = MAX_CONNECTIONS,
                 header_timeout: float = HEADER_SECONDS) -> None:
        super().__init__(address, PreviewHandler)
        self.root = root
        self.base_path = base_path
        self.state = state
        self.log = log
        self.header_timeout = header_timeout
        self._slots = threading.BoundedSemaphore(max_connections)

    def process_request(self, request: socket.socket, client_address: tuple[str, int]) -> None:
        """Serve the connection on a thread if a slot is free; otherwise a 503 and close."""
        if self._slots.acquire(blocking=False):
            super().process_request(request, client_address)
            return
        with contextlib.suppress(OSError):  # the accepting thread never waits on a client
            request.setblocking(False)
            request.send(REFUSAL)
        super().shutdown_request(request)

    def shutdown_request(self, request: socket.socket) -> None:
        """Close a served connection, its slot freed first (a reconnect never finds it taken)."""
        self._slots.release()
        super().shutdown_request(request)

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        """Report a handler crash on one line; the server keeps running."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return  # the reader went away; nothing to report
        print(f"serve: error while answering {client_address[0]}: {error!r}", file=sys.stderr)

    @property
    def port(self) -> int:
        """The bound port (the real one when asked for port 0)."""
        return int(self.server_address[1])


class _DeadlineSocketIO(socket.SocketIO):
    """A connection's incoming bytes; while `deadline` (monotonic) is set, no read waits past it."""
    deadline: float | None = None

    def readinto(self, buffer) -> int | None:  # noqa: ANN001 - a writable buffer
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the request headers did not arrive in time")
            self._sock.settimeout(left)
        return super().readinto(buffer)


class PreviewHandler(BaseHTTPRequestHandler):
    """GET/HEAD of built files, the SSE event stream, 404 page and directory redirects."""

    server: PreviewHTTPServer
    server_version = "newsarchive-preview"
    # A silent client cannot hold a thread forever (each read or write; headers have a total).
    timeout = 30

    def setup(self) -> None:
        super().setup()  # then read the request through a deadline-keeping reader
        self.rfile.close()
        self._incoming = _DeadlineSocketIO(self.connection, "rb")
        self.rfile = io.BufferedReader(self._incoming)

    def handle_one_request(self) -> None:
        """One request; its line and headers must arrive within the header deadline in all."""
        # a per-read timeout alone lets a client sending a byte every few seconds stay forever
        self._incoming.deadline = time.monotonic() + self.server.header_timeout
        super().handle_one_request()

    def parse_request(self) -> bool:
        """Parse the headers, then lift the deadline: answering has its own per-write timeout."""
        parsed = super().parse_request()
        self._incoming.deadline = None
        self.connection.settimeout(self.timeout)
        return parsed

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        """Access log only when asked for."""
        if self.server.log:
            super().log_message(format, *args)

    def do_HEAD(self) -> None:
        """Headers as for GET, without a body."""
        self._answer(send_body=False)

    def do_GET(self) -> None:
        """A file, a redirect, the 404 page, or the event stream."""
        if urlsplit(self.path).path == EVENTS_PATH:
            self._stream_events()
        else:
            self._answer(send_body=True)

    def _answer(self, *, send_body: bool) -> None:
        """Resolve the path and answer it; a vanished reader is not an error."""
        try:
            self._respond(resolve_request(self.server.root, self.server.base_path, self.path),
                          send_body)
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def _respond(self, resolved: Resolved, send_body: bool) -> None:
        """Send one resolved answer."""
        if resolved.status in (HTTPStatus.MOVED_PERMANENTLY, HTTPStatus.FOUND):
            self.send_response(resolved.status)
            self.send_header("Location", resolved.location or "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if resolved.status == HTTPStatus.OK and resolved.file is not None:
            self._send_file(resolved.file, HTTPStatus.OK, send_body)
            return
        page = not_found_page(self.server.root) if resolved.status == HTTPStatus.NOT_FOUND else None
        if page is not None:
            self._send_file(page, HTTPStatus.NOT_FOUND, send_body)
        elif resolved.status == HTTPStatus.NOT_FOUND:
            # No site page yet (the first build failed): still a page that can show the overlay.
            self._send_html(HTTPStatus.NOT_FOUND, FALLBACK_404, send_body)
        else:
            self._send_bytes(resolved.status, "text/plain; charset=utf-8",
                             f"{resolved.status} {HTTPStatus(resolved.status).phrase}\n".encode(),
                             send_body)

    def _send_file(self, path: Path, status: int, send_body: bool) -> None:
        """Send a file, with the live-reload script injected into HTML."""
        try:
            body = path.read_bytes()
        except PermissionError:
            self._send_bytes(HTTPStatus.FORBIDDEN, "text/plain; charset=utf-8", b"403\n", send_body)
            return
        except OSError:
            # A rebuild swapped the file away between resolving and reading.
            self._send_bytes(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"404\n", send_body)
            return
        kind = content_type(path)
        if kind.startswith("text/html"):
            self._send_html(status, body, send_body)
        else:
            self._send_bytes(status, kind, body, send_body)

    def _send_html(self, status: int, body: bytes, send_body: bool) -> None:
        """Send HTML with the live-reload script injected."""
        home = script_home(self.server.base_path, unquote(urlsplit(self.path).path))
        body = inject(body, live_reload_tag(self.server.state.snapshot().epoch, home))
        self._send_bytes(status, "text/html; charset=utf-8", body, send_body)

    def _send_bytes(self, status: int, kind: str, body: bytes, send_body: bool) -> None:
        """Status, headers, and the body unless HEAD."""
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        # The preview changes under the reader; never let the browser reuse an old copy.
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _stream_events(self) -> None:
        """Server-sent events: the state now, then every change, with heartbeats."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.close_connection = True
        state = self.server.state
        seen: Snapshot | None = None
        try:
            self.wfile.write(b"retry: 500\n\n")
            while True:
                current = state.wait_change(seen, HEARTBEAT_SECONDS)
                if current is None:
                    return
                if current == seen:
                    # A comment line: keeps proxies quiet and finds readers that left.
                    self.wfile.write(b": ping\n\n")
                else:
                    self.wfile.write(f"event: state\ndata: {current.to_json()}\n\n".encode())
                    seen = current
                self.wfile.flush()
        except (ConnectionError, TimeoutError):
            return


def make_server(host: str, port: int, *, root: Path, base_path: str, state: PreviewState,
                log: bool = False, max_connections: int = MAX_CONNECTIONS,
                header_timeout: float = HEADER_SECONDS) -> PreviewHTTPServer:
    """Bind (port 0 picks a free one) without serving yet."""
    return PreviewHTTPServer((host, port), root=root, base_path=base_path, state=state, log=log,
                             max_connections=max_connections, header_timeout=header_timeout)


def start_in_thread(server: PreviewHTTPServer) -> threading.Thread:
    """Serve on a daemon thread; stop with `stop_server`."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="newsarchive-preview", daemon=True)
    thread.start()
    return thread


def stop_server(server: PreviewHTTPServer, thread: threading.Thread | None) -> None:
    """End every event stream, stop accepting, close the socket."""
    server.state.close()
    if thread is not None and thread.is_alive():
        server.shutdown()
        thread.join(timeout=1)
    server.server_close()
