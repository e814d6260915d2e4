"""The preview server on an ephemeral port: safety, content types, HEAD, redirects, 404, SSE."""
from __future__ import annotations

import http.client
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from generator.preview.server import (
    EVENTS_PATH,
    PreviewState,
    inject,
    make_server,
    resolve_request,
    script_home,
    start_in_thread,
    stop_server,
)

SITE = {
    "index.html": "<!doctype html><html><body><p>root chooser</p></body></html>",
    "404.html": "<html><body><h1>找不到</h1></body></html>",
    "zh-hant/index.html": "<html><body><h1>首頁</h1></body></html>",
    "zh-hant/articles/a/index.html": "<html><body><h1>文章</h1></body></html>",
    "zh-hant/tags/半導體/index.html": "<html><body>tag</body></html>",
    "zh-hant/feed.xml": "<?xml version='1.0'?><feed/>",
    "static/site.css": "body{}",
    "static/app.js": "1;",
    "static/logo.svg": "<svg/>",
    "static/font.woff2": "wOF2",
    "static/pic.png": "PNG",
    "pagefind/index.json": "{}",
    "sitemap.xml": "<urlset/>",
    "robots.txt": "User-agent: *",
}


def write_site(root: Path) -> None:
    """Write the fixture site."""
    for rel, text in SITE.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A built site next to a secret file and an outward symlink."""
    root = tmp_path / "site"
    write_site(root)
    (tmp_path / "secret.txt").write_text("TOP SECRET")
    (root / "escape").symlink_to(tmp_path)
    (root / "leak.txt").symlink_to(tmp_path / "secret.txt")
    return root


@pytest.fixture
def serve(site: Path) -> Iterator[tuple[str, int, PreviewState]]:
    """Serve the fixture site at base path /archive/ on an ephemeral port."""
    state = PreviewState()
    server = make_server("127.0.0.1", 0, root=site, base_path="/archive/", state=state)
    thread = start_in_thread(server)
    yield "127.0.0.1", server.port, state
    stop_server(server, thread)


def request(port: int, target: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """One raw request (the target is sent exactly as given, no client-side normalising)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


# ---------------------------------------------------------------- pure resolution


def test_resolve_maps_directories_to_index(site: Path) -> None:
    resolved = resolve_request(site, "/", "/zh-hant/articles/a/")
    assert resolved.status == 200
    assert resolved.file == (site / "zh-hant/articles/a/index.html").resolve()


def test_resolve_redirects_directory_without_slash_keeping_query(site: Path) -> None:
    resolved = resolve_request(site, "/archive/", "/archive/zh-hant/articles/a?x=1")
    assert (resolved.status, resolved.location) == (301, "/archive/zh-hant/articles/a/?x=1")


def test_resolve_redirects_bare_base_path(site: Path) -> None:
    assert resolve_request(site, "/archive/", "/archive").location == "/archive/"


@pytest.mark.parametrize("target", [
    "/../secret.txt", "/zh-hant/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt",
    "/zh-hant/%2e%2e/%2e%2e/secret.txt", "/..%2fsecret.txt", "//etc/passwd",
    "/escape/secret.txt", "/leak.txt", "/etc/passwd", "/zh-hant/..\\..\\secret.txt",
    "http://example.com/../secret.txt",
])
def test_resolve_never_leaves_the_site(site: Path, target: str) -> None:
    assert resolve_request(site, "/", target).status in (400, 404)


@pytest.mark.parametrize("target", ["/index.html%00.txt", "/a\x00b", "/%ff%fe"])
def test_resolve_rejects_nul_and_bad_utf8(site: Path, target: str) -> None:
    assert resolve_request(site, "/", target).status == 400


def test_resolve_server_root_leads_to_the_sub_path(site: Path) -> None:
    resolved = resolve_request(site, "/archive/", "/")
    assert (resolved.status, resolved.location) == (302, "/archive/")


def test_resolve_outside_base_path_is_404(site: Path) -> None:
    assert resolve_request(site, "/archive/", "/index.html").status == 404


def test_inject_before_last_body_and_append_without_body() -> None:
    assert inject(b"<body>x</BODY>", b"<s/>") == b"<body>x<s/></BODY>"
    assert inject(b"<p>x", b"<s/>") == b"<p>x<s/>"


def test_script_home_follows_the_page_script() -> None:
    assert script_home("/archive/", "/archive/zh-hans/articles/x/") == "/archive/zh-hans/"
    assert script_home("/archive/", "/archive/zh-hant/") == "/archive/zh-hant/"
    assert script_home("/archive/", "/archive/sitemap.xml") == "/archive/"


# ---------------------------------------------------------------- over HTTP


@pytest.mark.parametrize("target", [
    "/archive/../secret.txt", "/archive/%2e%2e/secret.txt", "/archive/%2e%2e%2fsecret.txt",
    "/archive/escape/secret.txt", "/archive/leak.txt", "/archive//etc/passwd",
    "/archive/index.html%00", "/../../../../etc/passwd",
])
def test_http_traversal_attempts_get_400_or_404(serve: tuple[str, int, PreviewState],
                                                target: str) -> None:
    status, _, body = request(serve[1], target)
    assert status in (400, 404)
    assert b"TOP SECRET" not in body
    assert b"root:" not in body


@pytest.mark.parametrize(("path", "expected"), [
    ("/archive/", "text/html; charset=utf-8"),
    ("/archive/static/site.css", "text/css; charset=utf-8"),
    ("/archive/static/app.js", "text/javascript; charset=utf-8"),
    ("/archive/zh-hant/feed.xml", "application/xml; charset=utf-8"),
    ("/archive/sitemap.xml", "application/xml; charset=utf-8"),
    ("/archive/pagefind/index.json", "application/json; charset=utf-8"),
    ("/archive/static/logo.svg", "image/svg+xml; charset=utf-8"),
    ("/archive/static/font.woff2", "font/woff2"),
    ("/archive/static/pic.png", "image/png"),
    ("/archive/robots.txt", "text/plain; charset=utf-8"),
])
def test_http_content_types(serve: tuple[str, int, PreviewState], path: str,
                            expected: str) -> None:
    status, headers, _ = request(serve[1], path)
    assert (status, headers["content-type"]) == (200, expected)


def test_http_html_gets_live_reload_but_file_on_disk_does_not(
        serve: tuple[str, int, PreviewState], site: Path) -> None:
    status, headers, body = request(serve[1], "/archive/zh-hant/articles/a/")
    assert status == 200
    assert b'data-newsarchive="live-reload"' in body
    assert body.index(b"live-reload") < body.index(b"</body>")
    assert int(headers["content-length"]) == len(body)
    assert b"live-reload" not in (site / "zh-hant/articles/a/index.html").read_bytes()


def test_http_non_html_is_served_verbatim(serve: tuple[str, int, PreviewState]) -> None:
    assert request(serve[1], "/archive/zh-hant/feed.xml")[2] == SITE["zh-hant/feed.xml"].encode()


def test_http_head_has_headers_and_no_body(serve: tuple[str, int, PreviewState]) -> None:
    _, get_headers, get_body = request(serve[1], "/archive/static/site.css")
    status, headers, body = request(serve[1], "/archive/static/site.css", method="HEAD")
    assert (status, body) == (200, b"")
    assert headers["content-length"] == str(len(get_body)) == get_headers["content-length"]


def test_http_directory_without_slash_redirects_with_base_path(
        serve: tuple[str, int, PreviewState]) -> None:
    status, headers, _ = request(serve[1], "/archive/zh-hant/articles/a")
    assert status in (301, 302)
    assert headers["location"] == "/archive/zh-hant/articles/a/"


def test_http_redirect_of_non_ascii_directory_is_percent_encoded(
        serve: tuple[str, int, PreviewState]) -> None:
    status, headers, _ = request(serve[1], "/archive/zh-hant/tags/%E5%8D%8A%E5%B0%8E%E9%AB%94")
    assert status == 301
    assert headers["location"] == "/archive/zh-hant/tags/%E5%8D%8A%E5%B0%8E%E9%AB%94/"
    assert request(serve[1], headers["location"])[0] == 200


def test_http_missing_page_uses_site_404(serve: tuple[str, int, PreviewState]) -> None:
    status, headers, body = request(serve[1], "/archive/zh-hant/articles/gone/")
    assert status == 404
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert "找不到".encode() in body and b"live-reload" in body


def test_http_404_without_site_page_still_carries_the_overlay_script(tmp_path: Path) -> None:
    state = PreviewState()
    server = make_server("127.0.0.1", 0, root=tmp_path, base_path="/", state=state)
    thread = start_in_thread(server)
    try:
        status, headers, body = request(server.port, "/nope")
        assert (status, headers["content-type"]) == (404, "text/html; charset=utf-8")
        assert b"live-reload" in body
        assert request(server.port, "/%00")[1]["content-type"] == "text/plain; charset=utf-8"
    finally:
        stop_server(server, thread)


def test_http_unreadable_file_is_403_and_the_server_goes_on(
        serve: tuple[str, int, PreviewState], monkeypatch: pytest.MonkeyPatch) -> None:
    read_bytes = Path.read_bytes

    def refuse_css(path: Path) -> bytes:
        if path.name == "site.css":
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse_css)
    assert request(serve[1], "/archive/static/site.css")[0] == 403
    assert request(serve[1], "/archive/static/app.js")[0] == 200


def read_event(stream: http.client.HTTPResponse) -> dict[str, object]:
    """The next `state` event from an SSE stream."""
    while True:
        line = stream.fp.readline()
        if line.startswith(b"data: "):
            return json.loads(line[6:])


def test_sse_streams_state_errors_and_epochs(serve: tuple[str, int, PreviewState]) -> None:
    _, port, state = serve
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", EVENTS_PATH)
    stream = conn.getresponse()
    assert stream.getheader("Content-Type").startswith("text/event-stream")
    assert read_event(stream) == {"epoch": 0, "errors": []}
    state.publish_errors(["content/2025/a.md:2: date: not a date"])
    assert read_event(stream) == {"epoch": 0, "errors": ["content/2025/a.md:2: date: not a date"]}
    state.publish_success()
    assert read_event(stream) == {"epoch": 1, "errors": []}
    conn.close()


def test_client_disconnects_and_concurrency_do_not_stop_the_server(
        serve: tuple[str, int, PreviewState]) -> None:
    _, port, state = serve
    # Readers that leave mid-stream: an SSE stream and a half-read page.
    for target in (EVENTS_PATH, "/archive/zh-hant/"):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(f"GET {target} HTTP/1.0\r\n\r\n".encode())
            sock.recv(10)
    state.publish_success()  # wakes the abandoned stream, whose write then fails
    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(lambda _: request(port, "/archive/zh-hant/")[0], range(50)))
    assert statuses == [200] * 50


def test_shutdown_ends_open_event_streams_quickly(site: Path) -> None:
    state = PreviewState()
    server = make_server("127.0.0.1", 0, root=site, base_path="/", state=state)
    thread = start_in_thread(server)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", EVENTS_PATH)
    stream = conn.getresponse()
    read_event(stream)
    started = time.monotonic()
    stop_server(server, thread)
    assert stream.read().strip() == b""  # the stream ended instead of waiting for a heartbeat
    assert time.monotonic() - started < 1.0
    assert not thread.is_alive()
    conn.close()


def test_no_thread_leak_after_stop(site: Path) -> None:
    before = threading.active_count()
    state = PreviewState()
    server = make_server("127.0.0.1", 0, root=site, base_path="/", state=state)
    stop_server(server, start_in_thread(server))
    deadline = time.monotonic() + 1
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threading.active_count() == before
    assert os.path.isdir(site)  # serving never touches the site
