"""The preview server's limits, against real sockets: a connection cap and a header deadline.

Idle connections fill the cap, the excess get a 503 at once, and a real reader is served as
soon as the server drops the idle ones at their header deadline. A slowloris client (a header
byte every INTERVAL seconds, each well within the per-read timeout) is dropped at the deadline.
"""
from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.preview.server import PreviewHTTPServer, PreviewState, make_server, start_in_thread, stop_server

CAP = 4
INTERVAL = 0.25


def serve(root: Path, **limits: float) -> tuple[PreviewHTTPServer, object]:
    server = make_server("127.0.0.1", 0, root=root, base_path="/", state=PreviewState(), **limits)
    return server, start_in_thread(server)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_text("<h1>home</h1>", encoding="utf-8")
    return tmp_path


@pytest.fixture
def clients() -> Iterator[list[socket.socket]]:
    """Sockets a test opens; all closed at the end."""
    opened: list[socket.socket] = []
    yield opened
    for sock in opened:
        sock.close()


def connect(port: int, opened: list[socket.socket]) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=15)
    opened.append(sock)
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes the connection."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def get_status(port: int, opened: list[socket.socket]) -> bytes:
    """The status line of GET / (the server closes after each answer)."""
    sock = connect(port, opened)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: preview\r\n\r\n")
    return read_all(sock).split(b"\r\n", 1)[0]


def test_excess_connections_are_refused_and_a_reader_is_served_after(
        site: Path, clients: list[socket.socket]) -> None:
    server, thread = serve(site, max_connections=CAP, header_timeout=5.0)
    try:
        idle = [connect(server.port, clients) for _ in range(CAP)]
        excess = [connect(server.port, clients) for _ in range(3)]
        for sock in excess:
            assert read_all(sock).startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
        assert get_status(server.port, clients) == b"HTTP/1.1 503 Service Unavailable"
        # the idle ones send nothing: the header deadline closes them, freeing their slots
        for sock in idle:
            assert read_all(sock) == b""
        assert get_status(server.port, clients) == b"HTTP/1.0 200 OK"
        # every served connection gives its slot back: many more than CAP, one after another
        assert {get_status(server.port, clients) for _ in range(3 * CAP)} == {b"HTTP/1.0 200 OK"}
    finally:
        stop_server(server, thread)


def trickle_until_dropped(sock: socket.socket, limit: int) -> tuple[bool, int]:
    """Send a header byte per INTERVAL until the server closes; (dropped, bytes trickled)."""
    sock.sendall(b"GET / HTTP/1.1\r\nHost: preview\r\nX-Slow: ")
    sock.settimeout(INTERVAL)
    for sent in range(limit):
        try:
            if sock.recv(1024) == b"":
                return True, sent
        except TimeoutError:
            pass  # still open: the pause between two bytes
        except ConnectionError:
            return True, sent
        try:
            sock.sendall(b"a")
        except ConnectionError:
            return True, sent
    return False, limit


def test_a_slowloris_client_is_dropped_at_the_header_deadline(
        site: Path, clients: list[socket.socket]) -> None:
    deadline = 1.0
    server, thread = serve(site, header_timeout=deadline)
    try:
        # 40 bytes at INTERVAL is 10 s: each byte resets a per-read timeout, never a total
        dropped, sent = trickle_until_dropped(connect(server.port, clients), 40)
        assert dropped and sent < 3 * deadline / INTERVAL
        assert get_status(server.port, clients) == b"HTTP/1.0 200 OK"
    finally:
        stop_server(server, thread)


def test_the_header_deadline_does_not_limit_the_answer(site: Path,
                                                       clients: list[socket.socket]) -> None:
    # headers in time, then a large page read after the deadline would have passed
    (site / "big.txt").write_bytes(b"x" * 4_000_000)
    server, thread = serve(site, header_timeout=0.5)
    try:
        sock = connect(server.port, clients)
        sock.sendall(b"GET /big.txt HTTP/1.1\r\nHost: preview\r\n\r\n")
        sock.settimeout(15)
        first = sock.recv(1024)
        time.sleep(1.0)  # not a timing assertion: the deadline is simply long past
        body = first + read_all(sock)
        assert body.startswith(b"HTTP/1.0 200 OK") and body.endswith(b"x" * 1000)
        assert len(body.split(b"\r\n\r\n", 1)[1]) == 4_000_000
    finally:
        stop_server(server, thread)
